// The data-plane commands against a server: dev-net up builds namespaces from the ports the
// server knows, status reports hosts that never reported, dev-net down removes everything.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/program.js';
import { run } from '../../src/dataplane/exec.js';
import { canRunDataplane } from '../support/dataplane.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  operatorCliEnv,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

const ok = await canRunDataplane();

async function palisade(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => readFileSync(p, 'utf8'),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.skipIf(!ok)('palisade dev-net and status', () => {
  let db: TestDatabase;
  let t: TestServer;
  let dir: string;
  const saved = { ...process.env };
  let port: string;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    dir = mkdtempSync(join(tmpdir(), 'palisade-devnet-'));
    Object.assign(process.env, { PALISADE_CONFIG: join(dir, 'none.json'), ...operatorCliEnv(t.url) });
    await t.admin.post('/v1/regions', { id: 'r', profile: 'openstack' });
    const c = await newTenant(t.admin, t.url, 'cli');
    const vpc = (await c.post<any>('/v1/vpcs', { regionId: 'r', name: 'v' })).id;
    const inst = await c.post<any>('/v1/instances', {
      regionId: 'r',
      vpcId: vpc,
      name: 'vm',
      ports: [{ ipv4: ['10.9.0.1'], host: 'hx', interface: 'tapx' }],
    });
    port = inst.ports[0].id;
  });
  afterAll(async () => {
    process.env = saved;
    await t?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the namespaces of the known ports, reports unreported hosts, and removes it all', async () => {
    const up = await palisade('dev-net', 'up');
    expect(up.code).toBe(0);
    expect(up.out).toContain('palisade agent --host hx --netns pal-hx');
    const namespaces = await run('ip', ['netns', 'list']);
    expect(namespaces).toContain('pal-hx');
    expect(namespaces).toContain(`pal-${port}`);
    expect(await run('ip', ['-n', 'pal-hx', 'route', 'show', '10.9.0.1'])).toContain('dev tapx');

    const status = await palisade('status', '--region', 'r');
    expect(status.code).toBe(0);
    expect(status.out).toContain('region r: revision');
    expect(status.out).toContain('NOT yet enforced everywhere');
    expect(status.out).toMatch(/hx\s+1\s+never reported\s+no/);

    const down = await palisade('dev-net', 'down');
    expect(down.code).toBe(0);
    expect(await run('ip', ['netns', 'list'])).not.toContain('pal-hx');
  });
});
