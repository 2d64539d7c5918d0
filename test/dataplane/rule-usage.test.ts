// Unused rules from real counters: a host agent enforcing a group counts the packets each rule
// lets in and reports them; after real traffic on one rule, that rule is no longer unused
// while the rule no packet touched still is, both measured since the agent's first report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDataplane, dataplaneFixture, eventually, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('unused rules from the agents’ counters', () => {
  let f: Fixture;
  let web: any;
  const rule: Record<'ssh' | 'http', string> = { ssh: '', http: '' };

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'hwu', profile: 'huawei' });
    const egressAll = { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' };
    const client = await f.group('client', [egressAll]);
    web = await f.group('web', [
      egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.4.0.0/24' },
      { direction: 'ingress', protocol: 'tcp', ports: '80', remoteIpPrefix: '10.4.0.0/24' },
    ]);
    for (const r of web.rules)
      if (r.direction === 'ingress') rule[r.ports[0].from === 22 ? 'ssh' : 'http'] = r.id;
    await f.boot([
      { name: 'a', host: 'h1', ipv4: '10.4.0.1', groups: [client.id] },
      { name: 'b', host: 'h2', ipv4: '10.4.0.2', groups: [web.id] },
    ]);
  }, 60_000);
  afterAll(() => f?.close());

  const unused = () => f.c.get<any>(`/v1/security-groups/${web.id}/unused?days=1`);
  const ids = (entries: any[]) => entries.map((e: any) => e.ruleId);

  it('measures every enforced rule, and unused are those no packet hit', async () => {
    // The agents' first reports: every rule of the group is measured, none hit yet.
    expect(await eventually(async () => (await unused()).notMeasured.length === 0, 10_000)).toBe(true);
    const before = await unused();
    expect(ids(before.unused)).toEqual(expect.arrayContaining([rule.ssh, rule.http]));

    expect(await f.exchange('a', 'tcp', '10.4.0.2', 80)).toBe(true);
    // The next report counts the connection's packets on the HTTP rule.
    expect(await eventually(async () => ids((await unused()).used).includes(rule.http), 10_000)).toBe(true);
    const after = await unused();
    expect(ids(after.unused)).toContain(rule.ssh);
    expect(ids(after.unused)).not.toContain(rule.http);
    const http = after.used.find((e: any) => e.ruleId === rule.http);
    expect(http.hits).toBeGreaterThan(0);
    expect(http.enforcedNow).toBe(true);
    expect(http.measuredSince).toBe(before.unused.find((e: any) => e.ruleId === rule.http).measuredSince);
  });
});
