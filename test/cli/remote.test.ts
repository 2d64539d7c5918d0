// The CLI against a real server: login, the operator's setup, a tenant's journey through groups,
// rules, instances, memberships and address groups, a remote flow check, and API errors.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { passwordLogin } from '../support/openstack.js';
import {
  freshDatabase,
  startTestServer,
  TEST_ENV,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => readFileSync(p, 'utf8'),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const json = async (...argv: string[]) => {
  const r = await cli(...argv, '--json');
  if (r.code !== 0) throw new Error(`palisade ${argv.join(' ')} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out);
};

describe('palisade CLI against a server', () => {
  let db: TestDatabase;
  let t: TestServer;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    dir = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
    process.env.PALISADE_CONFIG = join(dir, 'config.json');
    for (const k of ['PALISADE_SERVER', 'PALISADE_ACCESS_KEY_ID', 'PALISADE_ACCESS_KEY_SECRET'])
      delete process.env[k];
  });
  afterAll(async () => {
    process.env = saved;
    await t?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs credentials (exit 2) until login saves them', async () => {
    const none = await cli('group', 'list');
    expect(none.code).toBe(2);
    expect(none.err).toContain('palisade login');
    const bad = await cli(
      'login',
      '--server',
      t.url,
      '--key-id',
      TEST_ENV.PALISADE_ADMIN_KEY_ID,
      '--secret',
      'wrong',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('SIGNATURE_MISMATCH');
    const ok = await cli(
      'login',
      '--server',
      t.url,
      '--key-id',
      TEST_ENV.PALISADE_ADMIN_KEY_ID,
      '--secret',
      TEST_ENV.PALISADE_ADMIN_SECRET,
    );
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('as operator');
    expect(statSync(process.env.PALISADE_CONFIG!).mode & 0o777).toBe(0o600);
  });

  it("walks an operator's setup and a tenant's journey", async () => {
    const region = await cli(
      'region',
      'create',
      '--id',
      'hw',
      '--profile',
      'huawei',
      '--quota',
      'rulesPerGroup=30',
    );
    expect(region.code).toBe(0);
    expect(region.out).toContain('"rulesPerGroup":30');
    await json('tenant', 'create', '--id', 'acme', '--name', 'Acme');
    const key = await json('access-key', 'create', '--tenant', 'acme');
    expect(key.secret).toEqual(expect.any(String));
    expect((await cli('login', '--server', t.url, '--key-id', key.id, '--secret', key.secret)).out).toContain(
      'tenant acme',
    );

    const vpc = await json('vpc', 'create', '--region', 'hw', '--name', 'main');
    const web = await json(
      'group',
      'create',
      '--region',
      'hw',
      '--vpc',
      vpc.id,
      '--name',
      'web',
      '--template',
      'empty',
    );
    const ssh = await cli(
      'rule',
      'add',
      web.id,
      '--direction',
      'ingress',
      '--protocol',
      'tcp',
      '--ports',
      '22',
      '--remote-ip',
      '10.0.0.0/8',
      '--priority',
      '10',
    );
    expect(ssh.code).toBe(0);
    expect(ssh.out).toMatch(/pos\s+id\s+direction/);
    expect(ssh.out).toMatch(/1\s+sgr-\S+\s+ingress\s+allow\s+10\s+IPv4\s+tcp\s+22\s+10\.0\.0\.0\/8/);
    const deny = await json(
      'rule',
      'add',
      web.id,
      '--direction',
      'ingress',
      '--protocol',
      'tcp',
      '--ports',
      '22',
      '--remote-ip',
      '10.9.0.0/16',
      '--action',
      'deny',
      '--priority',
      '10',
    );
    expect(deny.position).toBe(1);
    const listed = await json('rule', 'list', web.id);
    expect(listed.map((r: any) => [r.action, r.position])).toEqual([
      ['deny', 1],
      ['allow', 2],
    ]);
    const shown = await cli('group', 'show', web.id);
    expect(shown.out).toContain('ingress rules (evaluation order):');
    expect(shown.out).toMatch(/2\s+sgr-\S+\s+ingress\s+allow/);

    const bad = await cli(
      'rule',
      'add',
      web.id,
      '--direction',
      'ingress',
      '--protocol',
      'tcp',
      '--ports',
      '99999',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('PORT_OUT_OF_RANGE');
    expect(bad.err).toContain('body.ports[0].from');

    const inst = await json(
      'instance',
      'create',
      '--region',
      'hw',
      '--vpc',
      vpc.id,
      '--name',
      'vm',
      '--port',
      'ipv4=10.0.0.5,host=h1,interface=tap1',
    );
    const port = inst.ports[0];
    expect(port).toMatchObject({ host: 'h1', interface: 'tap1' });
    const dflt = port.groupIds[0];
    const joined = await json('port', 'join', port.id, web.id, '--sequence', '0');
    expect(joined.groupIds).toEqual([web.id, dflt]);
    await json('port', 'leave', port.id, dflt);
    const last = await cli('port', 'leave', port.id, web.id);
    expect(last.code).toBe(1);
    expect(last.err).toContain('LAST_GROUP');
    const inUse = await cli('group', 'delete', web.id);
    expect(inUse.code).toBe(1);
    expect(inUse.err).toContain('GROUP_IN_USE');

    const allow = await cli(
      'check',
      '--region',
      'hw',
      '--from',
      '10.1.2.3',
      '--to',
      `${port.id}:22`,
      '--proto',
      'tcp',
    );
    expect(allow.code).toBe(0);
    expect(allow.out).toMatch(
      new RegExp(`ingress\\s+${port.id}\\s+allow\\s+rule ${ssh.out.match(/sgr-\S+/)![0]}`),
    );
    const denied = await cli(
      'check',
      '--region',
      'hw',
      '--from',
      '10.9.0.1',
      '--to',
      `10.0.0.5:22`,
      '--proto',
      'tcp',
    );
    expect(denied.code).toBe(1);
    expect(denied.out).toMatch(new RegExp(`^DENY\\s+tcp\\s+10\\.9\\.0\\.1:40000 -> 10\\.0\\.0\\.5:22`));
    expect(denied.out).toContain(`rule ${deny.id}`);
    // Exit 1 means "denied" only: a refused request or a port-less tcp packet is bad usage (2).
    const unknownRegion = await cli(
      'check',
      '--region',
      'nope',
      '--from',
      '10.9.0.1',
      '--to',
      '10.0.0.5:22',
      '--proto',
      'tcp',
    );
    expect(unknownRegion.code).toBe(2);
    expect(unknownRegion.err).toContain('palisade: NOT_FOUND: region "nope" does not exist');
    const noPort = await cli(
      'check',
      '--region',
      'hw',
      '--from',
      '10.9.0.1',
      '--to',
      '10.0.0.5',
      '--proto',
      'tcp',
    );
    expect(noPort.code).toBe(2);
    expect(noPort.err).toContain('--to needs a port for tcp');
    expect(
      (
        await cli(
          'check',
          '--region',
          'hw',
          '--policy',
          'x.yaml',
          '--from',
          'a',
          '--to',
          'b',
          '--proto',
          'tcp',
        )
      ).code,
    ).toBe(2);

    const ag = await json(
      'address-group',
      'create',
      '--region',
      'hw',
      '--name',
      'office',
      '--entry',
      '192.0.2.0/24',
    );
    expect((await json('address-group', 'add-entry', ag.id, '198.51.100.1', '198.51.100.2')).entries).toEqual(
      ['192.0.2.0/24', '198.51.100.1', '198.51.100.2'],
    );
    expect((await json('address-group', 'rm-entry', ag.id, '192.0.2.0/24')).entries).toEqual([
      '198.51.100.1',
      '198.51.100.2',
    ]);

    const copy = await json('group', 'clone', web.id, '--name', 'web-copy');
    expect(copy.ruleCount).toBe(2);
    await json('rule', 'rm', copy.id, ...copy.rules.map((r: any) => r.id));
    expect((await json('group', 'show', copy.id)).ruleCount).toBe(0);
    expect((await cli('group', 'delete', copy.id)).out).toContain(`deleted ${copy.id}`);
    const groups = await cli('group', 'list', '--region', 'hw');
    expect(groups.out).toMatch(/id\s+name\s+region/);
    expect(groups.out).toContain(web.id);
    expect(groups.out).not.toContain(copy.id);
    // --all from a given --cursor: the pages after it, the cursor sent once per request.
    const everyGroup = await json('group', 'list', '--region', 'hw', '--limit', '1', '--all');
    expect(everyGroup.length).toBeGreaterThan(1);
    const first = await t.admin.get<{ nextCursor: string }>('/v1/security-groups?regionId=hw&limit=1');
    const rest = await json(
      'group',
      'list',
      '--region',
      'hw',
      '--limit',
      '1',
      '--cursor',
      first.nextCursor,
      '--all',
    );
    expect(rest.map((g: any) => g.id)).toEqual(everyGroup.slice(1).map((g: any) => g.id));
    const audit = await json('audit', '--target', web.id);
    expect(audit.map((a: any) => a.action)).toContain('group.create');
  });

  it("manages a tenant's OpenStack users and application credentials, which log in at Keystone", async () => {
    // Logged in as the operator (first test); the tenant acme exists (second test).
    process.env.NEW_OS_PASSWORD = 'keystone pass 1';
    const user = await json(
      'openstack',
      'user',
      'create',
      '--tenant',
      'acme',
      '--name',
      'acme-ops',
      '--password-env',
      'NEW_OS_PASSWORD',
    );
    expect(user).toMatchObject({ name: 'acme-ops', tenantId: 'acme', domainId: 'default' });
    const noPassword = await cli('openstack', 'user', 'create', '--tenant', 'acme', '--name', 'x');
    expect(noPassword.code).toBe(2);
    const dup = await cli(
      'openstack',
      'user',
      'create',
      '--tenant',
      'acme',
      '--name',
      'acme-ops',
      '--password',
      'another one',
    );
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('USER_EXISTS');
    expect((await json('openstack', 'user', 'list', '--tenant', 'acme')).map((u: any) => u.name)).toEqual([
      'acme-ops',
    ]);

    const login = (password: string) => passwordLogin(t.url, 'acme-ops', password, 'Acme');
    expect((await login('keystone pass 1')).status).toBe(201);
    expect(
      (await cli('openstack', 'user', 'set-password', user.id, '--password', 'keystone pass 2')).code,
    ).toBe(0);
    expect((await login('keystone pass 1')).status).toBe(401);
    expect((await login('keystone pass 2')).status).toBe(201);

    const cred = await json('openstack', 'app-credential', 'create', user.id, '--name', 'ci');
    expect(cred.secret).toEqual(expect.any(String));
    expect((await json('openstack', 'app-credential', 'list', user.id)).map((c: any) => c.name)).toEqual([
      'ci',
    ]);
    expect((await cli('openstack', 'app-credential', 'delete', user.id, cred.id)).code).toBe(0);
    expect((await cli('openstack', 'user', 'delete', user.id)).code).toBe(0);
    expect(await json('openstack', 'user', 'list', '--tenant', 'acme')).toEqual([]);

    // --admin: the first Keystone admin, whose token holds the admin role; an operator's only.
    const asAdmin = [
      '--tenant',
      'acme',
      '--name',
      'acme-admin',
      '--password',
      'keystone admin pw',
      '--admin',
    ];
    const refused = await cli('openstack', 'user', 'create', ...asAdmin);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('FORBIDDEN');
    process.env.PALISADE_ACCESS_KEY_ID = TEST_ENV.PALISADE_ADMIN_KEY_ID;
    process.env.PALISADE_ACCESS_KEY_SECRET = TEST_ENV.PALISADE_ADMIN_SECRET;
    let admin: { id: string };
    try {
      admin = await json('openstack', 'user', 'create', ...asAdmin);
    } finally {
      delete process.env.PALISADE_ACCESS_KEY_ID;
      delete process.env.PALISADE_ACCESS_KEY_SECRET;
    }
    const adminLogin = await passwordLogin(t.url, 'acme-admin', 'keystone admin pw', 'Acme');
    expect(adminLogin.status).toBe(201);
    const body = (await adminLogin.json()) as { token: { roles: { name: string }[] } };
    expect(body.token.roles.map((r) => r.name)).toContain('admin');
    // The tenant's key cannot take it over: no new password, credential or delete.
    for (const argv of [
      ['openstack', 'user', 'set-password', admin.id, '--password', 'taken over pw'],
      ['openstack', 'app-credential', 'create', admin.id, '--name', 'backdoor'],
      ['openstack', 'user', 'delete', admin.id],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toContain('FORBIDDEN');
    }
    expect((await passwordLogin(t.url, 'acme-admin', 'keystone admin pw', 'Acme')).status).toBe(201);
  });

  it('reports an unreachable server in one line', async () => {
    const down = await cli('group', 'list', '--server', 'http://127.0.0.1:1');
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^palisade: cannot reach the server: .+$/);
  });

  it('reads credentials from the environment before the config file', async () => {
    process.env.PALISADE_ACCESS_KEY_ID = 'PKNOBODY';
    process.env.PALISADE_ACCESS_KEY_SECRET = 'x';
    try {
      const r = await cli('group', 'list');
      expect(r.code).toBe(1);
      expect(r.err).toContain('INVALID_CREDENTIALS');
    } finally {
      delete process.env.PALISADE_ACCESS_KEY_ID;
      delete process.env.PALISADE_ACCESS_KEY_SECRET;
    }
  });
});
