// Issue 12, items 5-7, over raw HTTP against the Neutron endpoint: remote_ip_prefix read as
// netaddr.IPNetwork reads it (netaddr 0.8.0-0.10.1, see src/compat/openstack/cidr.ts) in rule
// bodies and in rule-list filters, normalized_cidr as Neutron writes it, and the address-group
// actions taking bare addresses as /32 and /128 with Neutron's exceptions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, osProject } from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

interface Res {
  status: number;
  body: any;
}

describe('Neutron: remote_ip_prefix as netaddr reads it, address-group actions', () => {
  let db: TestDatabase;
  let t: TestServer;
  let token: string;
  let groupId: string;

  async function n(method: string, path: string, body?: unknown): Promise<Res> {
    const res = await fetch(`${t.url}/networking/osi/v2.0${path}`, {
      method,
      headers: {
        'x-auth-token': token,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function refused(res: Promise<Res>, status: number, type: string, message: string) {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body).toEqual({ NeutronError: { type, message, detail: '' } });
  }

  const revision = async () =>
    (await n('GET', `/security-groups/${groupId}`)).body.security_group.revision_number;

  const rule = (extra: object) =>
    n('POST', '/security-group-rules', {
      security_group_rule: { security_group_id: groupId, direction: 'ingress', ...extra },
    });

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'osi', profile: 'openstack' });
    const carol = await osProject(t, 'carol', 'osi');
    token = (await login(t, carol)).token;
    const g = await n('POST', '/security-groups', { security_group: { name: 'items' } });
    expect(g.status).toBe(201);
    groupId = g.body.security_group.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('item 5: remote_ip_prefix', () => {
    it.each([
      ['010.1.1.1', '10.1.1.1/32', '10.1.1.1/32'],
      ['10', '10.0.0.0/32', '10.0.0.0/32'],
      ['1.2.3', '1.2.3.0/32', '1.2.3.0/32'],
      ['172.16/12', '172.16.0.0/12', '172.16.0.0/12'],
      ['192.0.2.9/255.255.255.0', '192.0.2.9/24', '192.0.2.0/24'],
    ])('takes %j as %j (normalized %j)', async (given, prefix, normalized) => {
      const r = await rule({ remote_ip_prefix: given });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.security_group_rule).toMatchObject({
        ethertype: 'IPv4',
        remote_ip_prefix: prefix,
        normalized_cidr: normalized,
      });
    });

    it('writes IPv6 as inet_ntop does, the embedded IPv4 forms included', async () => {
      const r = await rule({ ethertype: 'IPv6', remote_ip_prefix: '::FFFF:10.0.0.1/120' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.security_group_rule).toMatchObject({
        remote_ip_prefix: '::ffff:10.0.0.1/120',
        normalized_cidr: '::ffff:10.0.0.0/120',
      });
    });

    it.each([
      '256',
      '0x7f000001',
      '1.2.3.4.5',
      '10.0.0.0/33',
      '1.2.3.4/',
      '::1/129',
      'fe80::1%eth0',
      '127.0x1',
    ])('refuses %j with InvalidCIDR and changes nothing', async (given) => {
      const before = await revision();
      await refused(
        rule({ remote_ip_prefix: given }),
        400,
        'InvalidCIDR',
        `Invalid CIDR ${given} given as IP prefix.`,
      );
      expect(await revision()).toBe(before);
    });

    it('refuses a non-string, and takes a false value as no prefix (convert_ip_prefix_to_cidr)', async () => {
      await refused(rule({ remote_ip_prefix: 5 }), 400, 'InvalidCIDR', 'Invalid CIDR 5 given as IP prefix.');
      for (const falsy of [0, false]) {
        const r = await rule({
          protocol: 'udp',
          port_range_min: 7,
          port_range_max: 7,
          remote_ip_prefix: falsy,
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.body.security_group_rule).toMatchObject({ remote_ip_prefix: null, normalized_cidr: null });
        expect((await n('DELETE', `/security-group-rules/${r.body.security_group_rule.id}`)).status).toBe(
          204,
        );
      }
    });

    it('checks the family of the converted prefix against the ethertype', async () => {
      await refused(
        rule({ ethertype: 'IPv6', remote_ip_prefix: '10' }),
        400,
        'SecurityGroupRuleParameterConflict',
        'Conflicting value ethertype IPv6 for CIDR 10.0.0.0/32',
      );
    });

    it('converts a remote_ip_prefix filter the same way', async () => {
      const found = await n('GET', '/security-group-rules?remote_ip_prefix=010.1.1.1');
      expect(found.status).toBe(200);
      expect(found.body.security_group_rules.map((r: any) => r.remote_ip_prefix)).toEqual(['10.1.1.1/32']);
      const partial = await n('GET', '/security-group-rules?remote_ip_prefix=1.2.3');
      expect(partial.body.security_group_rules.map((r: any) => r.remote_ip_prefix)).toEqual(['1.2.3.0/32']);
      await refused(
        n('GET', '/security-group-rules?remote_ip_prefix=256'),
        400,
        'InvalidCIDR',
        'Invalid CIDR 256 given as IP prefix.',
      );
    });
  });

  describe('item 6: protocol names come back as sent', () => {
    // The model holds such a protocol as its number with the keyword beside it (Rule.protocolName).
    it.each([
      ['ah', 'IPv4'],
      ['dccp', 'IPv4'],
      ['egp', 'IPv4'],
      ['esp', 'IPv4'],
      ['igmp', 'IPv4'],
      ['ospf', 'IPv4'],
      ['pgm', 'IPv4'],
      ['rsvp', 'IPv4'],
      ['udplite', 'IPv4'],
      ['vrrp', 'IPv4'],
      ['ipv6-encap', 'IPv6'],
      ['ipv6-frag', 'IPv6'],
      ['ipv6-nonxt', 'IPv6'],
      ['ipv6-opts', 'IPv6'],
      ['ipv6-route', 'IPv6'],
    ])('keeps %j (%s) as a name', async (protocol, ethertype) => {
      const r = await rule({ protocol: protocol.toUpperCase(), ethertype });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.security_group_rule.protocol).toBe(protocol);
      const id = r.body.security_group_rule.id;
      expect((await n('GET', `/security-group-rules/${id}`)).body.security_group_rule.protocol).toBe(
        protocol,
      );
      expect((await n('DELETE', `/security-group-rules/${id}`)).status).toBe(204);
    });

    it('keeps a number as a number, and takes a name and its number as the same rule (as Neutron)', async () => {
      const byNumber = await rule({ protocol: '51' });
      expect(byNumber.status, JSON.stringify(byNumber.body)).toBe(201);
      expect(byNumber.body.security_group_rule.protocol).toBe('51');
      const id = byNumber.body.security_group_rule.id;
      await refused(
        rule({ protocol: 'ah' }),
        409,
        'SecurityGroupRuleExists',
        `Security group rule already exists. Rule id is ${id}.`,
      );
      const listed = await n('GET', `/security-group-rules?protocol=ah&security_group_id=${groupId}`);
      expect(listed.body.security_group_rules.map((r: any) => r.id)).toEqual([id]);
      expect((await n('DELETE', `/security-group-rules/${id}`)).status).toBe(204);
    });
  });

  describe('item 7: add_addresses and remove_addresses', () => {
    it('take bare addresses as /32 and /128 and drop host bits', async () => {
      const created = await n('POST', '/address-groups', {
        address_group: { name: 'hosts', addresses: ['10.0.0.0/24'] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.address_group.id;
      const added = await n('PUT', `/address-groups/${id}/add_addresses`, {
        addresses: ['192.0.2.7', '2001:DB8::5', '198.51.100.7/24', '192.0.2.7/32'],
      });
      expect(added.status, JSON.stringify(added.body)).toBe(200);
      expect(added.body.address_group.addresses).toEqual([
        '10.0.0.0/24',
        '192.0.2.7/32',
        '2001:db8::5/128',
        '198.51.100.0/24',
      ]);
      const revisionBefore = added.body.address_group.revision_number;

      await refused(
        n('PUT', `/address-groups/${id}/add_addresses`, { addresses: ['192.0.2.7'] }),
        400,
        'AddressesAlreadyExist',
        `Addresses ['192.0.2.7/32'] already exist in the address group ${id}.`,
      );
      await refused(
        n('PUT', `/address-groups/${id}/remove_addresses`, { addresses: ['192.0.2.7', '192.0.2.99'] }),
        404,
        'AddressesNotFound',
        `Addresses ['192.0.2.99/32'] not found in the address group ${id}.`,
      );
      await refused(
        n('PUT', `/address-groups/${id}/remove_addresses`, { addresses: ['2001:db8::6'] }),
        404,
        'AddressesNotFound',
        `Addresses ['2001:db8::6/128'] not found in the address group ${id}.`,
      );
      const unchanged = await n('GET', `/address-groups/${id}`);
      expect(unchanged.body.address_group.revision_number).toBe(revisionBefore);
      expect(unchanged.body.address_group.addresses).toHaveLength(4);

      const removed = await n('PUT', `/address-groups/${id}/remove_addresses`, {
        addresses: ['192.0.2.7', '2001:db8:0::5', '198.51.100.200/24'],
      });
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      expect(removed.body.address_group.addresses).toEqual(['10.0.0.0/24']);
    });

    it('still refuses what netaddr cannot read (Neutron: 500) with 400', async () => {
      const created = await n('POST', '/address-groups', { address_group: { name: 'bad' } });
      const id = created.body.address_group.id;
      await refused(
        n('PUT', `/address-groups/${id}/add_addresses`, { addresses: ['256'] }),
        400,
        'HTTPBadRequest',
        "Invalid input for addresses. Reason: '256' is not a valid IP subnet.",
      );
      await refused(
        n('PUT', `/address-groups/${id}/add_addresses`, { addresses: '10.0.0.1' }),
        400,
        'HTTPBadRequest',
        "Invalid input for addresses. Reason: '10.0.0.1' is not a list.",
      );
    });

    it('keeps the create body to validate_subnet: no bare address, no partial IPv4', async () => {
      for (const address of ['10.0.0.5', '10/8', '010.0.0.0/8', ' 10.0.0.0/8'])
        await refused(
          n('POST', '/address-groups', { address_group: { name: 'x', addresses: [address] } }),
          400,
          'HTTPBadRequest',
          `Invalid input for addresses. Reason: '${address}' is not a valid IP subnet.`,
        );
      const v6 = await n('POST', '/address-groups', {
        address_group: { name: 'v6', addresses: ['2001:DB8::1/64', '::ffff:10.0.0.1/120'] },
      });
      expect(v6.status, JSON.stringify(v6.body)).toBe(201);
      expect(v6.body.address_group.addresses).toEqual(['2001:db8::/64', '::ffff:10.0.0.0/120']);
    });
  });
});
