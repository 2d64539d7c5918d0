// Unused rules over real HTTP on both stores: hit counters reported through the status
// endpoint as a host agent sends them become a per-rule history that survives a restart,
// counts a counter that went down as restarted, keeps a bounded number of daily windows, and
// answers which rules of a group or a port nothing hit for N days, since when each is measured,
// and which no agent measures. The server's clock is injected and moved: days pass at once.
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { signRequest } from '../../src/control/auth/signing.js';
import { DAY_MS, RULE_HIT_WINDOWS } from '../../src/control/ops/rule-usage.js';
import {
  freshDatabase,
  STORES,
  startTestServer,
  TEST_ENV,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';
import { type Key, runCli } from '../support/cli.js';

const HOUR_MS = 3_600_000;

/** The test's clock: the server reads it, and clients sign with it (the server checks the skew). */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

/** A client signing requests at the test's clock. */
class ClockedClient extends PalisadeClient {
  constructor(baseUrl: string, keyId: string, secret: string) {
    super(baseUrl, { keyId, secret });
  }
  override auth(method: string, path: string, body: string): Record<string, string> {
    const { keyId, secret } = this.credentials as { keyId: string; secret: string };
    return signRequest({ id: keyId, secret }, method, path, body, clock.now());
  }
}

const adminOf = (url: string) =>
  new ClockedClient(url, TEST_ENV.PALISADE_ADMIN_KEY_ID, TEST_ENV.PALISADE_ADMIN_SECRET);

async function tenant(admin: PalisadeClient, url: string, id: string) {
  await admin.post('/v1/tenants', { id, name: id });
  const key = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: id });
  return { client: new ClockedClient(url, key.id, key.secret), key };
}

/** The CLI as a tenant; its output after exit 0. Runs while the clock is the real one (the CLI signs with it). */
async function cli(url: string, key: Key, argv: string[]): Promise<string> {
  const { code, text } = await runCli(url, key, argv);
  expect(code, text).toBe(0);
  return text;
}

/** How many daily windows the store holds for a rule (read beside the server). */
const storedWindows = (db: TestDatabase, ruleId: string) => storedRows(db, 'rule_hit_windows', ruleId);

/** How many rows of a rule history table hold a rule (read beside the server). */
async function storedRows(
  db: TestDatabase,
  table: 'rule_usage' | 'rule_hit_windows',
  ruleId: string,
): Promise<number> {
  const text = `select count(*) as n from ${table} where rule_id = $1`;
  if (db.location.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: db.location });
    await c.connect();
    try {
      return Number((await c.query(text, [ruleId])).rows[0].n);
    } finally {
      await c.end();
    }
  }
  const s = new SQLite(db.location, { readonly: true });
  try {
    return Number((s.prepare(text.replace('$1', '?')).get(ruleId) as { n: number }).n);
  } finally {
    s.close();
  }
}

describe.each(STORES)('unused rules on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let admin: ClockedClient;
  let alice: ClockedClient;
  let aliceKey: { id: string; secret: string };
  let groupId: string;
  let idleGroupId: string;
  let portId: string;
  const rule: Record<'ssh' | 'http' | 'https' | 'idle', string> = { ssh: '', http: '', https: '', idle: '' };

  const start = async () => {
    t = await startTestServer(db, false, { now: clock.now });
    admin = adminOf(t.url);
  };
  const report = (host: string, ruleHits: Record<string, number>) =>
    admin.post(`/v1/hosts/${host}/status`, { revision: 1, closed: [], ruleHits });
  const unused = (days: number) => alice.get<any>(`/v1/security-groups/${groupId}/unused?days=${days}`);
  const entry = (u: any, ruleId: string) =>
    [...u.unused, ...u.used].find((e: any) => e.ruleId === ruleId) ?? null;

  beforeAll(async () => {
    clock.offset = 0;
    db = await freshDatabase(store);
    await start();
    await admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    ({ client: alice, key: aliceKey } = await tenant(admin, t.url, 'alice'));
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    const tcp = (port: string) => ({
      direction: 'ingress',
      protocol: 'tcp',
      ports: port,
      remoteIpPrefix: '0.0.0.0/0',
    });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [tcp('22'), tcp('80'), tcp('443')],
    });
    groupId = g.id;
    for (const r of g.rules)
      rule[({ 22: 'ssh', 80: 'http', 443: 'https' } as const)[r.ports[0].from as 22]] = r.id;
    const idle = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'idle',
      template: 'empty',
      rules: [tcp('8080')],
    });
    idleGroupId = idle.id;
    rule.idle = idle.rules[0].id;
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [groupId], host: 'h1' }],
    });
    portId = inst.ports[0].id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    clock.offset = 0;
  });

  it('lists the rules no agent counts as not measured, before any report', async () => {
    const u = await unused(30);
    expect(u.unused).toEqual([]);
    expect(u.notMeasured.map((n: any) => n.ruleId).sort()).toEqual([rule.ssh, rule.http, rule.https].sort());
  });

  it('measures the rules an agent reports from its first report, and counts the hits since', async () => {
    const t0 = clock.now();
    await report('h1', { [rule.ssh]: 0, [rule.http]: 0, [rule.https]: 0 });
    clock.offset += HOUR_MS;
    await report('h1', { [rule.ssh]: 5, [rule.http]: 0, [rule.https]: 0 });
    const u = await unused(1);
    expect(u.notMeasured).toEqual([]);
    expect(u.used.map((e: any) => e.ruleId)).toEqual([rule.ssh]);
    expect(u.unused.map((e: any) => e.ruleId).sort()).toEqual([rule.http, rule.https].sort());
    const ssh = entry(u, rule.ssh);
    expect(ssh).toMatchObject({ hits: 5, hitsInPeriod: 5, enforcedNow: true, direction: 'ingress', groupId });
    expect(Math.abs(Date.parse(ssh.lastHit) - clock.now())).toBeLessThan(60_000);
    // Measured since the first report (the rule was made just before it).
    expect(Math.abs(Date.parse(entry(u, rule.http).measuredSince) - t0)).toBeLessThan(60_000);
    expect(entry(u, rule.http)).toMatchObject({ firstHit: null, lastHit: null, hits: 0 });
    // The group no port on a host holds: not measured, and why.
    const idle = await alice.get<any>(`/v1/security-groups/${idleGroupId}/unused`);
    expect(idle.days).toBe(30);
    expect(idle.notMeasured).toEqual([
      expect.objectContaining({
        ruleId: rule.idle,
        groupId: idleGroupId,
        reason: expect.stringContaining('no agent'),
      }),
    ]);
  });

  it('prints the report with the CLI, as a table and as JSON', async () => {
    const saved = clock.offset;
    clock.offset = 0;
    try {
      const text = await cli(t.url, aliceKey, ['group', 'unused', groupId, '--days', '1']);
      expect(text).toContain(rule.http);
      expect(text).toContain('measured since');
      expect(text).toContain('1 rule(s) hit in the last 1 days');
      expect(text).not.toMatch(new RegExp(`^${rule.ssh}`, 'm'));
      // A period that is not a whole number of days is a usage error (exit 2), not a request.
      const refused = await runCli(t.url, aliceKey, ['group', 'unused', groupId, '--days', 'soon']);
      expect([refused.code, refused.text]).toEqual([2, expect.stringContaining('--days')]);
      const json = JSON.parse(await cli(t.url, aliceKey, ['port', 'unused', portId, '--json']));
      expect(json.portId).toBe(portId);
      expect(json.used.map((e: any) => e.ruleId)).toEqual([rule.ssh]);
    } finally {
      clock.offset = saved;
    }
  });

  it('counts a counter that went down as restarted (the agent rewrote its table)', async () => {
    clock.offset += HOUR_MS;
    await report('h1', { [rule.ssh]: 2, [rule.http]: 0, [rule.https]: 0 });
    clock.offset += HOUR_MS;
    await report('h1', { [rule.ssh]: 3, [rule.http]: 0, [rule.https]: 0 });
    expect(entry(await unused(1), rule.ssh)).toMatchObject({ hits: 8 });
  });

  it('keeps the history across a server restart, and days pass on its clock', async () => {
    await t.close();
    await start();
    alice = new ClockedClient(t.url, aliceKey.id, aliceKey.secret);
    const lastHit = entry(await unused(1), rule.ssh).lastHit;
    expect(entry(await unused(1), rule.ssh)).toMatchObject({ hits: 8, lastHit });
    clock.offset += 10 * DAY_MS;
    const week = await unused(7);
    expect(week.used).toEqual([]);
    expect(entry(week, rule.ssh)).toMatchObject({ lastHit, hits: 8, hitsInPeriod: 0, measuredForDays: 10 });
    expect(entry(await unused(30), rule.ssh)).toMatchObject({ hitsInPeriod: 8 });
    expect((await unused(30)).used.map((e: any) => e.ruleId)).toEqual([rule.ssh]);
    // The port's report holds its group's rules, counted the same way.
    const port = await alice.get<any>(`/v1/ports/${portId}/unused?days=7`);
    expect(port.unused.map((e: any) => e.ruleId).sort()).toEqual([rule.ssh, rule.http, rule.https].sort());
  });

  it(`keeps ${RULE_HIT_WINDOWS} daily windows per rule`, async () => {
    let counter = 3;
    for (let d = 0; d < RULE_HIT_WINDOWS + 10; d++) {
      clock.offset += DAY_MS;
      counter += 1;
      await report('h1', { [rule.ssh]: counter, [rule.http]: 0, [rule.https]: 0 });
    }
    expect(await storedWindows(db, rule.ssh)).toBe(RULE_HIT_WINDOWS);
    const u = await unused(RULE_HIT_WINDOWS);
    expect(entry(u, rule.ssh)).toMatchObject({
      hits: 8 + RULE_HIT_WINDOWS + 10,
      hitsInPeriod: RULE_HIT_WINDOWS,
    });
    // The other two were never hit, in 110 days of measurement.
    expect(u.unused.map((e: any) => [e.ruleId, e.lastHit])).toEqual(
      expect.arrayContaining([
        [rule.http, null],
        [rule.https, null],
      ]),
    );
  });

  it("answers only the caller's group and port, and names a bad days field", async () => {
    const bob = (await tenant(admin, t.url, 'bob')).client;
    await expect(bob.get(`/v1/security-groups/${groupId}/unused`)).rejects.toMatchObject({ status: 404 });
    await expect(bob.get(`/v1/ports/${portId}/unused`)).rejects.toMatchObject({ status: 404 });
    for (const days of ['0', String(RULE_HIT_WINDOWS + 1), 'week'])
      await expect(alice.get(`/v1/security-groups/${groupId}/unused?days=${days}`)).rejects.toMatchObject({
        status: 400,
        problem: { code: 'INVALID_FIELD', errors: [expect.objectContaining({ path: 'querystring.days' })] },
      });
  });

  it('starts no history for a rule id that names no rule', async () => {
    await report('h1', { [rule.ssh]: 200, 'sgr-nothing': 7 });
    expect(await storedWindows(db, 'sgr-nothing')).toBe(0);
  });

  it('saturates at 2^53 - 1 whatever counts an agent sends, and refuses larger ones', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    for (const n of [max, 0, max, 0, max]) await report('h1', { [rule.http]: n, [rule.https]: 0 });
    expect(entry(await unused(1), rule.http)).toMatchObject({ hits: max, hitsInPeriod: max });
    await expect(report('h1', { [rule.http]: 2 ** 60 })).rejects.toMatchObject({ status: 400 });
    await expect(
      admin.post('/v1/hosts/h1/status', { revision: 1e308, closed: [], ruleHits: {} }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });

  it('drops the history of a deleted rule once the agent no longer counts it', async () => {
    await report('h1', { [rule.ssh]: 201, [rule.http]: 0, [rule.https]: 0 });
    expect(await storedWindows(db, rule.ssh)).toBeGreaterThan(0);
    await alice.delete(`/v1/security-groups/${groupId}/rules/${rule.ssh}`);
    await report('h1', { [rule.http]: 0, [rule.https]: 0 });
    expect(await storedWindows(db, rule.ssh)).toBe(0);
    expect(await storedRows(db, 'rule_usage', rule.ssh)).toBe(0);
    // The rules that remain keep theirs.
    expect(await storedRows(db, 'rule_usage', rule.http)).toBe(1);
  });
});

/** Run SQL beside the server (or with it stopped): the database as another version left it. */
async function sqlOn(db: TestDatabase, statements: [string, unknown[]][]): Promise<void> {
  if (db.location.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: db.location });
    await c.connect();
    try {
      for (const [text, args] of statements) await c.query(text, args);
    } finally {
      await c.end();
    }
    return;
  }
  const s = new SQLite(db.location);
  try {
    for (const [text, args] of statements) s.prepare(text.replace(/\$\d/g, '?')).run(...args);
  } finally {
    s.close();
  }
}

describe.each(STORES)('the rule usage migration on %s', (store) => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it("takes a host's report stored before it as the starting point of the counts", async () => {
    clock.offset = 0;
    db = await freshDatabase(store);
    let t = await startTestServer(db, false, { now: clock.now });
    const admin = adminOf(t.url);
    await admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba' });
    const alice = await tenant(admin, t.url, 'alice');
    const vpc = await alice.client.post<any>('/v1/vpcs', { regionId: 'ali-1', name: 'v' });
    const g = await alice.client.post<any>('/v1/security-groups', {
      regionId: 'ali-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.0.0.0/8' }],
    });
    const ruleId = g.rules[0].id;
    await t.close();
    // The database as the version before 0007 left it, with a report counting 50 packets.
    await sqlOn(db, [
      ['drop table rule_hit_windows', []],
      ['drop table rule_usage', []],
      ['delete from kysely_migration where name = $1', ['0007_rule_usage']],
      [
        'insert into host_status (host, revision, body, reported_at) values ($1, $2, $3, $4)',
        [
          'h1',
          1,
          JSON.stringify({ revision: 1, closed: [], ruleHits: { [ruleId]: 50 } }),
          new Date().toISOString(),
        ],
      ],
    ]);
    t = await startTestServer(db, false, { now: clock.now });
    try {
      await adminOf(t.url).post('/v1/hosts/h1/status', {
        revision: 1,
        closed: [],
        ruleHits: { [ruleId]: 53 },
      });
      const u = await new ClockedClient(t.url, alice.key.id, alice.key.secret).get<any>(
        `/v1/security-groups/${g.id}/unused?days=1`,
      );
      expect(u.used).toEqual([expect.objectContaining({ ruleId, hits: 3 })]);
    } finally {
      await t.close();
    }
  });
});

describe('unused rules with two servers on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    clock.offset = 0;
    db = await freshDatabase('postgres');
    a = await startTestServer(db, false, { now: clock.now });
    b = await startTestServer(db, false, { now: clock.now });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('counts every hit once when hosts sharing rules report to both servers at once', async () => {
    const admin = adminOf(a.url);
    await admin.post('/v1/regions', { id: 'os-1', profile: 'openstack' });
    const alice = (await tenant(admin, a.url, 'alice')).client;
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'os-1', name: 'v' });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'os-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [80, 443, 8443].map((p) => ({ direction: 'ingress', protocol: 'tcp', ports: String(p) })),
    });
    const ids: string[] = g.rules.map((r: any) => r.id);
    const servers = [adminOf(a.url), adminOf(b.url)];
    const hosts = ['h1', 'h2', 'h3', 'h4'];
    // Each host reports rising counters, one report at a time, to the two servers in turn;
    // the hosts report at once.
    await Promise.all(
      hosts.map(async (host, h) => {
        for (let n = 1; n <= 10; n++)
          await servers[(n + h) % 2].post(`/v1/hosts/${host}/status`, {
            revision: 1,
            closed: [],
            ruleHits: Object.fromEntries(ids.map((id) => [id, n])),
          });
      }),
    );
    const u = await alice.get<any>(`/v1/security-groups/${g.id}/unused?days=1`);
    expect(u.used.map((e: any) => [e.ruleId, e.hits]).sort()).toEqual(ids.map((id) => [id, 40]).sort());

    // One host's report reaching both servers at once (an agent retrying): counted once, as
    // each server reads the host's previous report under a lock.
    const twice = { revision: 1, closed: [], ruleHits: Object.fromEntries(ids.map((id) => [id, 15])) };
    await Promise.all(servers.map((s) => s.post('/v1/hosts/h1/status', twice)));
    const after = await alice.get<any>(`/v1/security-groups/${g.id}/unused?days=1`);
    expect(after.used.map((e: any) => [e.ruleId, e.hits]).sort()).toEqual(ids.map((id) => [id, 45]).sort());
  });
});
