// dev-net removes only the namespaces it made: topologies with different prefixes live side by
// side, a namespace someone else made with the same prefix survives `down`, and `up` refuses
// to replace one it needs. Real namespaces: root and `ip` (and `ping`) required.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/program.js';
import {
  checkPrefix,
  createdNamespaces,
  DevNetError,
  type DevTopology,
  devNetDown,
  devNetUp,
} from '../../src/dataplane/devnet.js';
import { available, run } from '../../src/dataplane/exec.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  operatorCliEnv,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

async function cannotRun(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'ping']) if (!(await available(tool))) return `no ${tool} command`;
  return run('ip', ['netns', 'list']).then(
    () => undefined,
    () => '`ip netns list` fails',
  );
}
const skip = await cannotRun();
const title = (name: string) => (skip ? `${name} (skipped: ${skip})` : name);

// Random prefixes, so this file runs beside other data-plane tests and other people's namespaces.
const random = () => `d${Math.random().toString(36).slice(2, 6)}-`;
const A = random();
// B starts with A: the old `down A`, which removed every name starting with A, took B with it.
const B = `${A}b-`;
const FOREIGN = `${A}foreign`;

/** One host, two instances on it. */
const tiny = (prefix: string, ipv4b = '10.77.0.2'): DevTopology => ({
  prefix,
  hosts: ['h'],
  ports: [
    { host: 'h', interface: 'tapa', instance: 'a', ipv4: ['10.77.0.1'], ipv6: ['fd77::1'] },
    { host: 'h', interface: 'tapb', instance: 'b', ipv4: [ipv4b], ipv6: ['fd77::2'] },
  ],
});
const tinyNames = (prefix: string) => ['underlay', 'h', 'a', 'b'].map((n) => `${prefix}${n}`);

async function namespaces(): Promise<string[]> {
  return (await run('ip', ['netns', 'list'])).split('\n').map((line) => line.split(' ')[0]);
}
const ping = (ns: string, addr: string) =>
  run('ip', ['netns', 'exec', ns, 'ping', '-c1', '-W1', addr]).then(
    () => true,
    () => false,
  );
const sorted = (names: string[]) => [...names].sort();

const foreign: string[] = [];
const prefixes: string[] = [];
async function addForeign(ns: string) {
  await run('ip', ['netns', 'add', ns]);
  foreign.push(ns);
}

afterAll(async () => {
  if (skip) return;
  for (const p of prefixes) await devNetDown(p).catch(() => undefined);
  for (const ns of foreign) await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
});

describe.skipIf(skip)(title('dev-net prefixes'), () => {
  it('runs two prefixes side by side; down of one leaves the other and a foreign namespace', async () => {
    prefixes.push(A, B);
    await addForeign(FOREIGN);
    await devNetUp(tiny(B));
    // The old up began with a down of its prefix: it removed B's namespaces and FOREIGN here.
    await devNetUp(tiny(A));
    expect(await namespaces()).toEqual(expect.arrayContaining([...tinyNames(A), ...tinyNames(B), FOREIGN]));
    expect(sorted(await createdNamespaces(A))).toEqual(sorted(tinyNames(A)));
    for (const p of [A, B]) {
      expect(await ping(`${p}a`, '10.77.0.2')).toBe(true);
      expect(await ping(`${p}b`, 'fd77::1')).toBe(true);
    }

    expect(sorted(await devNetDown(A))).toEqual(sorted(tinyNames(A)));
    const afterA = await namespaces();
    for (const ns of tinyNames(A)) expect(afterA).not.toContain(ns);
    expect(afterA).toEqual(expect.arrayContaining([...tinyNames(B), FOREIGN]));
    expect(await ping(`${B}a`, '10.77.0.2')).toBe(true);

    await devNetDown(B);
    const afterB = await namespaces();
    for (const ns of tinyNames(B)) expect(afterB).not.toContain(ns);
    expect(afterB).toContain(FOREIGN);
    expect(await devNetDown(A)).toEqual([]);
  });

  it('refuses, changing nothing, to build over a namespace it did not create', async () => {
    const C = random();
    prefixes.push(C);
    await addForeign(`${C}h`);
    const up = devNetUp(tiny(C));
    await expect(up).rejects.toBeInstanceOf(DevNetError);
    await expect(up).rejects.toThrow(`${C}h already exist and dev-net did not create them`);
    const after = await namespaces();
    expect(after).toContain(`${C}h`);
    for (const ns of [`${C}underlay`, `${C}a`, `${C}b`]) expect(after).not.toContain(ns);
    expect(await createdNamespaces(C)).toEqual([]);
  });

  it('records namespaces as it creates them: a failed up is replaced by the next up and removed by down', async () => {
    const D = random();
    prefixes.push(D);
    // Fails at `ip addr add` in D+b, after every namespace was created.
    await expect(devNetUp(tiny(D, 'not-an-address'))).rejects.toThrow(/not-an-address/);
    expect(sorted(await createdNamespaces(D))).toEqual(sorted(tinyNames(D)));

    await devNetUp(tiny(D));
    expect(await ping(`${D}a`, '10.77.0.2')).toBe(true);
    expect(sorted(await devNetDown(D))).toEqual(sorted(tinyNames(D)));
    const after = await namespaces();
    for (const ns of tinyNames(D)) expect(after).not.toContain(ns);
  });

  it('rejects prefixes and names the kernel or the record could not hold', async () => {
    // checkPrefix alone for these: were it skipped, up and down with "" would reach every namespace.
    for (const bad of ['', '../x', 'a/b', 'x'.repeat(33)])
      expect(() => checkPrefix(bad)).toThrow(DevNetError);
    const E = random();
    prefixes.push(E);
    // A bad prefix that is harmless should the check be missing: "." is valid in a netns name.
    await expect(devNetUp(tiny(`${E}.x`))).rejects.toBeInstanceOf(DevNetError);
    await expect(devNetDown(`${E}.x`)).rejects.toBeInstanceOf(DevNetError);
    await expect(devNetUp({ ...tiny(E), hosts: ['h'.repeat(255)] })).rejects.toThrow(/longer than 255/);
    const after = await namespaces();
    for (const ns of [`${E}.xunderlay`, `${E}underlay`]) expect(after).not.toContain(ns);
  });
});

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

describe.skipIf(skip)(title('palisade dev-net --prefix'), () => {
  let db: TestDatabase;
  let t: TestServer;
  let dir: string;
  const saved = { ...process.env };
  const ports: string[] = [];
  const P = random();
  const Q = random();

  beforeAll(async () => {
    prefixes.push(P, Q);
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    dir = mkdtempSync(join(tmpdir(), 'palisade-devnet-prefix-'));
    Object.assign(process.env, { PALISADE_CONFIG: join(dir, 'none.json'), ...operatorCliEnv(t.url) });
    await t.admin.post('/v1/regions', { id: 'r', profile: 'openstack' });
    const c = await newTenant(t.admin, t.url, 'devnet');
    const vpc = (await c.post<any>('/v1/vpcs', { regionId: 'r', name: 'v' })).id;
    for (const [name, addr] of [
      ['vm1', '10.78.0.1'],
      ['vm2', '10.78.0.2'],
    ]) {
      const inst = await c.post<any>('/v1/instances', {
        regionId: 'r',
        vpcId: vpc,
        name,
        ports: [{ ipv4: [addr], host: 'hx', interface: `tap${name}` }],
      });
      ports.push(inst.ports[0].id);
    }
  });
  afterAll(async () => {
    process.env = saved;
    await t?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds and removes the namespaces of one prefix, leaving the rest', async () => {
    expect((await palisade('dev-net', 'up', '--help')).out).toContain('--prefix <prefix>');
    await addForeign(`${P}foreign`);

    const up = await palisade('dev-net', 'up', '--prefix', P);
    expect(up.err).toBe('');
    expect(up.code).toBe(0);
    expect(up.out).toContain(`palisade agent --host hx --netns ${P}hx`);
    expect(up.out).toContain(`(namespace ${P}${ports[0]})`);
    expect(await ping(`${P}${ports[0]}`, '10.78.0.2')).toBe(true);

    // Q+hx is in the way: refused, nothing of Q made.
    await addForeign(`${Q}hx`);
    const refused = await palisade('dev-net', 'up', '--prefix', Q);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${Q}hx already exist and dev-net did not create them`);
    expect(await namespaces()).not.toContain(`${Q}underlay`);

    const bad = await palisade('dev-net', 'down', '--prefix', 'no/slash');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('letters, digits');

    const down = await palisade('dev-net', 'down', '--prefix', P);
    expect(down.code).toBe(0);
    expect(down.out).toContain(`${P}hx`);
    const after = await namespaces();
    for (const ns of [`${P}hx`, `${P}underlay`, ...ports.map((p) => `${P}${p}`)])
      expect(after).not.toContain(ns);
    expect(after).toEqual(expect.arrayContaining([`${P}foreign`, `${Q}hx`]));
    expect((await palisade('dev-net', 'down', '--prefix', P)).out).toContain('no dev-net namespaces');
  });
});
