// The Neutron front end on large groups (issue 12, items 15 and 16), by behaviour only (the
// timings live in bench/api.ts): a duplicate among 5,000 rules is still found and named (the
// group's oldest such rule, as a scan in creation order named it), and kept track of through
// updates and deletes; fields= answers only those keys; limit/marker pages of a large group,
// forward, reversed and sorted, hold what the whole sorted list holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, osProject } from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

interface Res {
  status: number;
  body: any;
}

const BIG = 5_000;

describe('Neutron on a 5,000-rule group', () => {
  let db: TestDatabase;
  let t: TestServer;
  let token: string;
  let big: { id: string; rules: any[] };

  async function n(method: string, path: string, body?: unknown): Promise<Res> {
    const res = await fetch(`${t.url}/networking/osperf/v2.0${path}`, {
      method,
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  const ok = async (res: Promise<Res>, status = 200) => {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  /** The n-th rule a big group is filled with: tcp to one port from one /32. */
  const nth = (groupId: string, i: number) => ({
    security_group_id: groupId,
    direction: 'ingress',
    protocol: 'tcp',
    port_range_min: 1 + (i % 1000),
    port_range_max: 1 + (i % 1000),
    remote_ip_prefix: `10.1.${i >> 8}.${i & 255}/32`,
  });
  async function newGroup(name: string, rules: number) {
    const g = (await ok(n('POST', '/security-groups', { security_group: { name } }), 201)).security_group;
    for (let b = 0; b < rules; b += 1000)
      await ok(
        n('POST', '/security-group-rules', {
          security_group_rules: Array.from({ length: Math.min(1000, rules - b) }, (_, i) => ({
            security_group_rule: nth(g.id, b + i),
          })),
        }),
        201,
      );
    const all = (await ok(n('GET', `/security-group-rules?security_group_id=${g.id}`))).security_group_rules;
    return { id: g.id as string, rules: all as any[] };
  }
  const idOf = (rules: any[], i: number) =>
    rules.find((r) => r.remote_ip_prefix === `10.1.${i >> 8}.${i & 255}/32`).id as string;
  const exists = async (res: Promise<Res>, ruleId: string) => {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.NeutronError.type).toBe('SecurityGroupRuleExists');
    expect(r.body.NeutronError.message).toBe(`Security group rule already exists. Rule id is ${ruleId}.`);
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', {
      id: 'osperf',
      profile: 'openstack',
      quotas: { rulesPerGroup: 0, groupsPerTenant: 0 },
    });
    token = (await login(t, await osProject(t, 'perf', 'osperf'))).token;
    big = await newGroup('big', BIG);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('holds the 5,000 rules and its two egress rules', () => {
    expect(big.rules).toHaveLength(BIG + 2);
  });

  describe('duplicates', () => {
    it('finds a duplicate deep in the group and names that rule', async () => {
      await exists(
        n('POST', '/security-group-rules', { security_group_rule: nth(big.id, 4321) }),
        idOf(big.rules, 4321),
      );
      // The same rule written another way: protocol by number, a description of its own.
      await exists(
        n('POST', '/security-group-rules', {
          security_group_rule: { ...nth(big.id, 17), protocol: '6', description: 'again' },
        }),
        idOf(big.rules, 17),
      );
    });

    it("takes 0.0.0.0/0 for no prefix, as Neutron's key does: the default egress rule answers", async () => {
      const egress = big.rules.find((r) => r.direction === 'egress' && r.ethertype === 'IPv4');
      await exists(
        n('POST', '/security-group-rules', {
          security_group_rule: {
            security_group_id: big.id,
            direction: 'egress',
            remote_ip_prefix: '0.0.0.0/0',
          },
        }),
        egress.id,
      );
    });

    it('names the oldest of the group rules a bulk create repeats, whatever the request order', async () => {
      const fresh = { ...nth(big.id, 0), remote_ip_prefix: '192.0.2.1/32' };
      await exists(
        n('POST', '/security-group-rules', {
          security_group_rules: [fresh, nth(big.id, 4000), nth(big.id, 1000)].map((r) => ({
            security_group_rule: r,
          })),
        }),
        idOf(big.rules, 1000),
      );
      // Nothing was made.
      const after = await ok(n('GET', `/security-group-rules?security_group_id=${big.id}&fields=id`));
      expect(after.security_group_rules).toHaveLength(BIG + 2);
    });

    it('follows the group: an updated rule is still found, a deleted one no more', async () => {
      const g = await newGroup('follow', 1200);
      const id = idOf(g.rules, 1100);
      await ok(n('PUT', `/security-group-rules/${id}`, { security_group_rule: { description: 'changed' } }));
      await exists(n('POST', '/security-group-rules', { security_group_rule: nth(g.id, 1100) }), id);
      await ok(n('DELETE', `/security-group-rules/${id}`), 204);
      const again = (
        await ok(n('POST', '/security-group-rules', { security_group_rule: nth(g.id, 1100) }), 201)
      ).security_group_rule;
      expect(again.id).not.toBe(id);
      await exists(n('POST', '/security-group-rules', { security_group_rule: nth(g.id, 1100) }), again.id);
      // A new rule is found as soon as it is made.
      const made = (
        await ok(
          n('POST', '/security-group-rules', {
            security_group_rule: { ...nth(g.id, 5), remote_ip_prefix: '198.51.100.0/24' },
          }),
          201,
        )
      ).security_group_rule;
      await exists(
        n('POST', '/security-group-rules', {
          security_group_rule: { ...nth(g.id, 5), remote_ip_prefix: '198.51.100.0/24' },
        }),
        made.id,
      );
    });
  });

  describe('fields', () => {
    it('answers only ids for fields=id, in a list and for one rule', async () => {
      const list = await ok(n('GET', `/security-group-rules?security_group_id=${big.id}&fields=id`));
      expect(list.security_group_rules).toHaveLength(BIG + 2);
      for (const r of list.security_group_rules) expect(Object.keys(r)).toEqual(['id']);
      expect(list.security_group_rules.map((r: any) => r.id)).toEqual(big.rules.map((r) => r.id));
      const one = await ok(
        n('GET', `/security-group-rules/${big.rules[9].id}?fields=normalized_cidr&fields=id&fields=nope`),
      );
      expect(one.security_group_rule).toEqual({
        normalized_cidr: big.rules[9].normalized_cidr,
        id: big.rules[9].id,
      });
    });

    it("shows a group's rules only when fields asks for them", async () => {
      const g = await ok(n('GET', `/security-groups/${big.id}?fields=id`));
      expect(g.security_group).toEqual({ id: big.id });
      const named = await ok(n('GET', `/security-groups?fields=id&fields=name&id=${big.id}`));
      expect(named.security_groups).toEqual([{ id: big.id, name: 'big' }]);
      const rules = await ok(n('GET', `/security-groups/${big.id}?fields=security_group_rules&fields=id`));
      expect(Object.keys(rules.security_group)).toEqual(['security_group_rules', 'id']);
      const whole = await ok(n('GET', `/security-groups/${big.id}`));
      expect(rules.security_group.security_group_rules).toEqual(whole.security_group.security_group_rules);
      expect(whole.security_group.security_group_rules).toHaveLength(BIG + 2);
    });
  });

  describe('paging', () => {
    /** Every page of `query` walked by the next links' markers (or the previous links'). */
    async function walk(query: string, limit: number, reverse = false, marker?: string) {
      const pages: any[][] = [];
      for (;;) {
        const q = `${query}&limit=${limit}${marker ? `&marker=${marker}` : ''}${reverse ? '&page_reverse=True' : ''}`;
        const body = await ok(n('GET', `/security-group-rules?${q}`));
        const page = body.security_group_rules as any[];
        if (!page.length) break;
        pages.push(page);
        const link = body.security_group_rules_links.find(
          (l: any) => l.rel === (reverse ? 'previous' : 'next'),
        );
        if (!link) break;
        marker = new URL(link.href).searchParams.get('marker') ?? undefined;
      }
      return pages;
    }

    it('pages through the group by id, 100 at a time, as the whole list orders it', async () => {
      const pages = await walk(`security_group_id=${big.id}`, 100);
      expect(pages.map((p) => p.length)).toEqual([...Array(50).fill(100), 2]);
      const ids = pages.flat().map((r) => r.id);
      expect(ids).toEqual(big.rules.map((r) => r.id));
      expect(ids).toEqual([...ids].sort());
      // Each page's rules whole, as the list shows them.
      expect(pages[17]).toEqual(big.rules.slice(1700, 1800));
    });

    it('pages backwards from a marker, and answers an unknown marker with nothing', async () => {
      const marker = big.rules[3000].id;
      const back = await ok(
        n(
          'GET',
          `/security-group-rules?security_group_id=${big.id}&limit=100&marker=${marker}&page_reverse=True`,
        ),
      );
      expect(back.security_group_rules.map((r: any) => r.id)).toEqual(
        big.rules.slice(2900, 3000).map((r) => r.id),
      );
      const pages = await walk(`security_group_id=${big.id}`, 700, true, big.rules[BIG + 1].id);
      expect(
        pages
          .reverse()
          .flat()
          .map((r) => r.id),
      ).toEqual(big.rules.slice(0, BIG + 1).map((r) => r.id));
      const none = await ok(
        n('GET', `/security-group-rules?security_group_id=${big.id}&limit=100&marker=sgr-nope`),
      );
      expect(none.security_group_rules).toEqual([]);
    });

    it('pages a sorted, filtered list as the whole sorted list holds it', async () => {
      const query = `security_group_id=${big.id}&protocol=tcp&sort_key=port_range_min&sort_dir=desc&fields=id&fields=port_range_min`;
      const whole = (await ok(n('GET', `/security-group-rules?${query}`))).security_group_rules;
      expect(whole).toHaveLength(BIG);
      const pages = await walk(query, 64);
      expect(pages.flat()).toEqual(whole);
      for (const r of pages.flat()) expect(Object.keys(r)).toEqual(['id', 'port_range_min']);
      const mins = whole.map((r: any) => r.port_range_min);
      expect(mins).toEqual([...mins].sort((a, b) => b - a));
    });
  });
});
