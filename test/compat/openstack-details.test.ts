// Issue 12, items 8 and 17, over raw HTTP against the Neutron endpoint: the native bulk create
// of security groups (one write, all or nothing, the quota counting the batch), and Neutron's
// details: revision_number as a per-object counter the service layer keeps (whatever API the
// change came through, across restarts), If-Match refused with RevisionNumberConstraintFailed,
// and the rules the server makes itself shown with remote_ip_prefix null.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type OsProject, osProject } from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

interface Res {
  status: number;
  body: any;
}

describe('Neutron: bulk group create, revision numbers, If-Match, server-made rules', () => {
  let db: TestDatabase;
  let t: TestServer;
  let dora: OsProject;
  let token: string;

  async function n(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${t.url}/networking/osd/v2.0${path}`, {
      method,
      headers: {
        'x-auth-token': token,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null } as Res;
  }

  async function refused(res: Promise<Res>, status: number, type: string, message: string) {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body).toEqual({ NeutronError: { type, message, detail: '' } });
  }

  const group = async (id: string) => (await n('GET', `/security-groups/${id}`)).body.security_group;
  const names = async () =>
    (await n('GET', '/security-groups')).body.security_groups.map((g: any) => g.name).sort();
  const newGroup = async (name: string) => {
    const r = await n('POST', '/security-groups', { security_group: { name } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.security_group;
  };
  const newRule = async (rule: object) => {
    const r = await n('POST', '/security-group-rules', { security_group_rule: rule });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.security_group_rule;
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'osd', profile: 'openstack' });
    dora = await osProject(t, 'dora', 'osd');
    token = (await login(t, dora)).token;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('item 8: bulk create of security groups', () => {
    it('makes every group, each with its egress rules, in one write', async () => {
      const r = await n('POST', '/security-groups', {
        security_groups: [
          { security_group: { name: 'bulk-a', description: 'first' } },
          { name: 'bulk-b', stateful: false, tags: ['blue'] },
        ],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(Object.keys(r.body)).toEqual(['security_groups']);
      const [a, b] = r.body.security_groups;
      expect(a).toMatchObject({ name: 'bulk-a', description: 'first', stateful: true, revision_number: 1 });
      expect(b).toMatchObject({ name: 'bulk-b', description: '', stateful: false, tags: ['blue'] });
      for (const g of [a, b])
        expect(
          g.security_group_rules.map((x: any) => [x.direction, x.ethertype, x.remote_ip_prefix]),
        ).toEqual([
          ['egress', 'IPv4', null],
          ['egress', 'IPv6', null],
        ]);
      expect(await group(b.id)).toEqual(b);
      // One change-log entry holds both groups.
      const audit = await dora.tenant.get<any>('/v1/audit?action=group.batchCreate');
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0].after.groups.map((g: any) => g.id)).toEqual([a.id, b.id]);
    });

    it('refuses the whole request when a later group is invalid, and makes none', async () => {
      const before = await names();
      await refused(
        n('POST', '/security-groups', {
          security_groups: [{ name: 'never-1' }, { name: 'never-2', colour: 'red' }],
        }),
        400,
        'HTTPBadRequest',
        "Unrecognized attribute(s) 'colour'",
      );
      await refused(
        n('POST', '/security-groups', { security_groups: [{ name: 'never-1' }, { name: 'default' }] }),
        409,
        'SecurityGroupDefaultAlreadyExists',
        'Default security group already exists.',
      );
      await refused(
        n('POST', '/security-groups', { security_groups: [{ name: 'never-1' }, 'never-2'] }),
        400,
        'HTTPBadRequest',
        "Object 'security_group' contains invalid data",
      );
      await refused(
        n('POST', '/security-groups', { security_groups: {} }),
        400,
        'HTTPBadRequest',
        'Body contains invalid data',
      );
      expect(await names()).toEqual(before);
    });

    it('counts the whole batch against the group quota', async () => {
      const count = (await names()).length;
      await t.admin.patch('/v1/regions/osd', { quotas: { groupsPerTenant: count + 1 } });
      try {
        const before = await names();
        await refused(
          n('POST', '/security-groups', { security_groups: [{ name: 'q-1' }, { name: 'q-2' }] }),
          409,
          'OverQuota',
          "Quota exceeded for resources: ['security_group'].",
        );
        expect(await names()).toEqual(before);
        const one = await n('POST', '/security-groups', { security_groups: [{ name: 'q-1' }] });
        expect(one.status, JSON.stringify(one.body)).toBe(201);
        expect(await names()).toEqual([...before, 'q-1'].sort());
      } finally {
        await t.admin.patch('/v1/regions/osd', { quotas: { groupsPerTenant: 100 } });
      }
    });
  });

  describe('item 17: revision_number, If-Match, server-made rules', () => {
    it('counts changes per object: a new group 1, +1 per rule create and delete, a rule 0', async () => {
      const g = await newGroup('counted');
      expect(g.revision_number).toBe(1);
      for (const rule of g.security_group_rules) expect(rule.revision_number).toBe(0);
      const rule = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
      });
      expect(rule.revision_number).toBe(0);
      expect((await group(g.id)).revision_number).toBe(2);
      // A new description changes the rule, not its group (Neutron bumps the rule alone).
      const described = await n('PUT', `/security-group-rules/${rule.id}`, {
        security_group_rule: { description: 'ssh' },
      });
      expect(described.body.security_group_rule).toMatchObject({ description: 'ssh', revision_number: 1 });
      expect((await group(g.id)).revision_number).toBe(2);
      expect((await n('DELETE', `/security-group-rules/${rule.id}`)).status).toBe(204);
      expect((await group(g.id)).revision_number).toBe(3);
      const renamed = await n('PUT', `/security-groups/${g.id}`, { security_group: { name: 'counted-2' } });
      expect(renamed.body.security_group.revision_number).toBe(4);
      // Tags are a change of the group too; setting what is already there is none.
      expect((await n('PUT', `/security-groups/${g.id}/tags/red`)).status).toBe(201);
      expect((await group(g.id)).revision_number).toBe(5);
      expect((await n('PUT', `/security-groups/${g.id}/tags/red`)).status).toBe(201);
      const same = await n('PUT', `/security-groups/${g.id}`, { security_group: { name: 'counted-2' } });
      expect(same.body.security_group.revision_number).toBe(5);
      // A bulk of rules is one change of their group.
      const bulk = await n('POST', '/security-group-rules', {
        security_group_rules: [80, 443].map((port) => ({
          security_group_id: g.id,
          direction: 'ingress',
          protocol: 'tcp',
          port_range_min: port,
          port_range_max: port,
        })),
      });
      expect(bulk.status, JSON.stringify(bulk.body)).toBe(201);
      expect((await group(g.id)).revision_number).toBe(6);
    });

    it('counts changes made through the native API, and keeps the count across a restart', async () => {
      const g = await newGroup('native-too');
      await dora.tenant.post(`/v1/security-groups/${g.id}/rules`, {
        direction: 'ingress',
        protocol: 'udp',
        ports: '53',
      });
      await dora.tenant.patch(`/v1/security-groups/${g.id}`, { description: 'via /v1' });
      expect(await group(g.id)).toMatchObject({ description: 'via /v1', revision_number: 3 });
      // A native change of what a rule matches changes the rule and its group.
      const dns = (await group(g.id)).security_group_rules.find((x: any) => x.protocol === 'udp');
      await dora.tenant.patch(`/v1/security-groups/${g.id}/rules/${dns.id}`, { ports: '5353' });
      expect((await n('GET', `/security-group-rules/${dns.id}`)).body.security_group_rule).toMatchObject({
        port_range_min: 5353,
        revision_number: 1,
      });
      expect((await group(g.id)).revision_number).toBe(4);
      // Deleting a group deletes the rules of others that name it, which changes those groups.
      const peer = await newGroup('peer');
      await newRule({ security_group_id: g.id, direction: 'ingress', remote_group_id: peer.id });
      expect((await group(g.id)).revision_number).toBe(5);
      expect((await n('DELETE', `/security-groups/${peer.id}`)).status).toBe(204);
      expect((await group(g.id)).revision_number).toBe(6);

      await t.close();
      t = await startTestServer(db);
      token = (await login(t, dora)).token;
      expect((await group(g.id)).revision_number).toBe(6);
    });

    it('refuses a stale If-Match with RevisionNumberConstraintFailed and takes a fresh one', async () => {
      const g = await newGroup('guarded');
      await refused(
        n(
          'PUT',
          `/security-groups/${g.id}`,
          { security_group: { name: 'x' } },
          { 'if-match': 'revision_number=0' },
        ),
        412,
        'RevisionNumberConstraintFailed',
        'Constrained to 0, but current revision is 1',
      );
      await refused(
        n('DELETE', `/security-groups/${g.id}`, undefined, { 'if-match': 'revision_number=2' }),
        412,
        'RevisionNumberConstraintFailed',
        'Constrained to 2, but current revision is 1',
      );
      expect(await group(g.id)).toMatchObject({ name: 'guarded', revision_number: 1 });
      const fresh = await n(
        'PUT',
        `/security-groups/${g.id}`,
        { security_group: { name: 'guarded-2' } },
        { 'if-match': 'revision_number=1' },
      );
      expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
      expect(fresh.body.security_group).toMatchObject({ name: 'guarded-2', revision_number: 2 });

      const rule = g.security_group_rules[0];
      await refused(
        n('DELETE', `/security-group-rules/${rule.id}`, undefined, { 'if-match': 'revision_number=1' }),
        412,
        'RevisionNumberConstraintFailed',
        'Constrained to 1, but current revision is 0',
      );
      const gone = await n('DELETE', `/security-group-rules/${rule.id}`, undefined, {
        'if-match': 'revision_number=0',
      });
      expect(gone.status).toBe(204);
      expect(
        (await n('DELETE', `/security-groups/${g.id}`, undefined, { 'if-match': 'revision_number=3' }))
          .status,
      ).toBe(204);
    });

    it('shows the rules the server makes with remote_ip_prefix null, a rule sent with 0.0.0.0/0 as sent', async () => {
      const listed = await n('GET', '/security-groups?name=default');
      const dflt = listed.body.security_groups[0];
      expect(dflt.revision_number).toBe(1);
      expect(
        dflt.security_group_rules
          .map((x: any) => [x.direction, x.ethertype, x.remote_ip_prefix, x.remote_group_id === dflt.id])
          .sort(),
      ).toEqual(
        [
          ['egress', 'IPv4', null, false],
          ['egress', 'IPv6', null, false],
          ['ingress', 'IPv4', null, true],
          ['ingress', 'IPv6', null, true],
        ].sort(),
      );
      const g = await newGroup('prefixes');
      for (const rule of g.security_group_rules)
        expect(rule).toMatchObject({ remote_ip_prefix: null, normalized_cidr: null });
      const sent = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'icmp',
        remote_ip_prefix: '0.0.0.0/0',
      });
      expect(sent).toMatchObject({ remote_ip_prefix: '0.0.0.0/0', normalized_cidr: '0.0.0.0/0' });
      // To Neutron's duplicate check 0.0.0.0/0 is no prefix: the server's egress rule is this one.
      const egressV4 = g.security_group_rules.find((x: any) => x.ethertype === 'IPv4');
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rule: {
            security_group_id: g.id,
            direction: 'egress',
            remote_ip_prefix: '0.0.0.0/0',
          },
        }),
        409,
        'SecurityGroupRuleExists',
        `Security group rule already exists. Rule id is ${egressV4.id}.`,
      );
    });

    it('counts address-group changes as Neutron does: one per address added or removed', async () => {
      const made = await n('POST', '/address-groups', {
        address_group: { name: 'office', addresses: ['192.0.2.0/24', '203.0.113.0/24'] },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const ag = made.body.address_group;
      expect(ag.revision_number).toBe(2);
      const empty = await n('POST', '/address-groups', { address_group: { name: 'empty' } });
      expect(empty.body.address_group.revision_number).toBe(0);
      const added = await n('PUT', `/address-groups/${ag.id}/add_addresses`, {
        addresses: ['198.51.100.0/24'],
      });
      expect(added.body.address_group.revision_number).toBe(3);
      const removed = await n('PUT', `/address-groups/${ag.id}/remove_addresses`, {
        addresses: ['192.0.2.0/24', '203.0.113.0/24'],
      });
      expect(removed.body.address_group.revision_number).toBe(5);
      await refused(
        n(
          'PUT',
          `/address-groups/${ag.id}`,
          { address_group: { name: 'x' } },
          { 'if-match': 'revision_number=4' },
        ),
        412,
        'RevisionNumberConstraintFailed',
        'Constrained to 4, but current revision is 5',
      );
      const renamed = await n(
        'PUT',
        `/address-groups/${ag.id}`,
        { address_group: { name: 'office-2', description: 'moved' } },
        { 'if-match': 'revision_number=5' },
      );
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      expect(renamed.body.address_group.revision_number).toBe(6);
    });
  });
});
