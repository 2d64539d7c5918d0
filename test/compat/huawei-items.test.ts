// Issue 12, items 13 and 14, HTTP-level through the Huawei endpoint (requests signed with
// SDK-HMAC-SHA256): error messages name Huawei's fields, never Palisade's; address groups'
// max_capacity, IP ranges and timestamps.
import core from '@huaweicloud/huaweicloud-sdk-core';
import vpc from '@huaweicloud/huaweicloud-sdk-vpc/v3/public-api.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { rangeToCidrs } from '../../src/compat/huawei/address-groups.js';
import { signRequest } from '../../src/compat/huawei/signing.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const REGION = 'cn-north-4';

/** Palisade's own field names (core and native API): none may appear in a Huawei error. */
const PALISADE_FIELDS = [
  /ports\[/,
  /\.from\b/,
  /\.to\b/,
  /\.ports\b/,
  /remoteIpPrefix/,
  /remoteGroup/,
  /remoteAddressGroup/,
  /remote\.(?:cidr|groupId|addressGroupId)/,
  /\bgroupId\b/,
  /addressGroupId/,
  /rulesPerGroup/,
  /groupsPerTenant/,
  /addressGroupsPerTenant/,
  /entriesPerAddressGroup/,
  /maxEntries/,
  /\bentries\b/,
  /\brules\[/,
  /\bbody\./,
  /icmpType|icmpCode/,
  /tenantId|vpcId|regionId/,
];

function expectHuaweiNames(msg: string) {
  for (const re of PALISADE_FIELDS) expect(msg, `${re} in "${msg}"`).not.toMatch(re);
}

describe('Huawei VPC v3: issue 12 items 13 and 14', () => {
  let db: TestDatabase;
  let t: TestServer;
  let key: { id: string; secret: string };
  let group: string;

  /** One signed request; the answer's status and JSON body. */
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const url = `${t.url}/v3/${REGION}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = signRequest({ ak: key.id, sk: key.secret }, method, url, text);
    const res = await fetch(url, { method, headers, ...(text ? { body: text } : {}) });
    const raw = await res.text();
    return { status: res.status, json: raw ? JSON.parse(raw) : undefined };
  }

  const rule = (o: Record<string, unknown>) =>
    call('POST', '/vpc/security-group-rules', {
      security_group_rule: { security_group_id: group, direction: 'ingress', ...o },
    });

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', {
      id: REGION,
      profile: 'huawei',
      // Each group starts with four rules: two more fit. An address group holds up to 50 blocks.
      quotas: {
        rulesPerGroup: 6,
        groupsPerTenant: 2,
        addressGroupsPerTenant: 20,
        entriesPerAddressGroup: 50,
      },
    });
    await t.admin.post('/v1/tenants', { id: 'alice', name: 'alice' });
    key = await t.admin.post<any>('/v1/access-keys', { tenantId: 'alice' });
    const g = await call('POST', '/vpc/security-groups', { security_group: { name: 'web' } });
    expect(g.status).toBe(201);
    group = g.json.security_group.id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('item 14: errors name Huawei fields', () => {
    it.each([
      ['a port above 65535', { protocol: 'tcp', multiport: '80,1-70000' }],
      ['port 0', { protocol: 'tcp', multiport: '0' }],
      ['an inverted range', { protocol: 'udp', multiport: '30-1' }],
      ['multiport with icmp', { protocol: 'icmp', multiport: '80' }],
    ])('bad multiport (%s): 400 VPC.9901 naming security_group_rule.multiport', async (_, o) => {
      const { status, json } = await rule(o);
      expect(status).toBe(400);
      expect(json.error_code).toBe('VPC.9901');
      expect(json.error_msg).toContain('security_group_rule.multiport');
      expectHuaweiNames(json.error_msg);
    });

    it('bad multiport in a batch names the rule by its index in security_group_rules', async () => {
      const { status, json } = await call(
        'POST',
        `/vpc/security-groups/${group}/security-group-rules/batch-create`,
        {
          security_group_rules: [
            { direction: 'ingress', protocol: 'tcp', multiport: '22' },
            { direction: 'ingress', protocol: 'tcp', multiport: '99999' },
          ],
        },
      );
      expect(status).toBe(400);
      expect(json.error_msg).toContain('security_group_rules[1].multiport');
      expectHuaweiNames(json.error_msg);
    });

    it('bad remote_ip_prefix: 400 VPC.9901 naming remote_ip_prefix and the value', async () => {
      const { status, json } = await rule({ remote_ip_prefix: '10.0.0.300/24' });
      expect(status).toBe(400);
      expect(json.error_code).toBe('VPC.9901');
      expect(json.error_msg).toContain('security_group_rule.remote_ip_prefix');
      expect(json.error_msg).toContain('10.0.0.300/24');
      expectHuaweiNames(json.error_msg);
    });

    it('remote_ip_prefix of the other family: 400 VPC.9902 naming remote_ip_prefix', async () => {
      const { status, json } = await rule({ ethertype: 'IPv4', remote_ip_prefix: '2001:db8::/32' });
      expect(status).toBe(400);
      expect(json.error_code).toBe('VPC.9902');
      expect(json.error_msg).toContain('remote_ip_prefix');
      expectHuaweiNames(json.error_msg);
    });

    it('unknown remote group: 404 VPC.9904 naming remote_group_id and the id', async () => {
      const { status, json } = await rule({ remote_group_id: 'sg-missing' });
      expect(status).toBe(404);
      expect(json.error_code).toBe('VPC.9904');
      expect(json.error_msg).toContain('security_group_rule.remote_group_id');
      expect(json.error_msg).toContain('sg-missing');
      expectHuaweiNames(json.error_msg);
    });

    it('unknown remote address group: 404 VPC.9904 naming remote_address_group_id', async () => {
      const { status, json } = await rule({ remote_address_group_id: 'ag-missing' });
      expect(status).toBe(404);
      expect(json.error_code).toBe('VPC.9904');
      expect(json.error_msg).toContain('security_group_rule.remote_address_group_id');
      expectHuaweiNames(json.error_msg);
    });

    it('quota: 409 VPC.9905 naming the resource as Huawei does, never the Palisade quota', async () => {
      const ok = await rule({ protocol: 'tcp', multiport: '443', description: 'fits' });
      expect(ok.status).toBe(201);
      const ok2 = await rule({ protocol: 'tcp', multiport: '8443', description: 'fits too' });
      expect(ok2.status).toBe(201);
      const { status, json } = await rule({
        protocol: 'tcp',
        multiport: '9443',
        description: 'one too many',
      });
      expect(status).toBe(409);
      expect(json.error_code).toBe('VPC.9905');
      expect(json.error_msg).toContain("Quota exceeded for resources: ['security_group_rule']");
      expectHuaweiNames(json.error_msg);

      const g2 = await call('POST', '/vpc/security-groups', { security_group: { name: 'db' } });
      expect(g2.status).toBe(201);
      const g3 = await call('POST', '/vpc/security-groups', { security_group: { name: 'cache' } });
      expect(g3.status).toBe(409);
      expect(g3.json.error_msg).toContain("Quota exceeded for resources: ['security_group']");
      expectHuaweiNames(g3.json.error_msg);
    });
  });
  describe('item 13: address groups', () => {
    let n = 0;
    const createAg = (o: Record<string, unknown>) =>
      call('POST', '/vpc/address-groups', { address_group: { name: `ag-${++n}`, ip_version: 4, ...o } });

    it('max_capacity defaults to 20 and is shown so, whatever the region quota', async () => {
      const { status, json } = await createAg({ ip_set: ['10.0.0.1'] });
      expect(status).toBe(201);
      expect(json.address_group.max_capacity).toBe(20);
      const many = Array.from({ length: 21 }, (_, i) => `10.9.${i}.0/24`);
      const over = await createAg({ ip_set: many });
      expect(over.status).toBe(409);
      expect(over.json.error_code).toBe('VPC.9905');
    });

    it('max_capacity is validated to Huawei range 0-20', async () => {
      for (const bad of [21, 50, -1, 2.5, '5']) {
        const { status, json } = await createAg({ ip_set: ['10.0.0.1'], max_capacity: bad });
        expect(status, String(bad)).toBe(400);
        expect(json.error_code).toBe('VPC.9901');
        expect(json.error_msg).toContain('max_capacity');
      }
      const zero = await createAg({ max_capacity: 0 });
      expect(zero.status).toBe(201);
      const full = await createAg({ ip_set: ['10.0.0.1'], max_capacity: 0 });
      expect(full.status).toBe(409);
      expect(full.json.error_code).toBe('VPC.9905');
    });

    it('an IP range is shown as written, held as the fewest CIDR blocks covering exactly it (one entry for max_capacity)', async () => {
      const { status, json } = await createAg({
        ip_set: ['192.168.1.10-192.168.1.20', '10.0.0.0/24'],
        max_capacity: 2,
      });
      expect(status).toBe(201);
      // Huawei answers ip_set as given (its API reference's example keeps "192.168.3.20-192.168.3.100").
      expect(json.address_group.ip_set).toEqual(['192.168.1.10-192.168.1.20', '10.0.0.0/24']);
      expect(json.address_group.ip_extra_set.map((e: any) => e.ip)).toEqual(json.address_group.ip_set);
      expect(json.address_group.max_capacity).toBe(2);
      const shown = await call('GET', `/vpc/address-groups/${json.address_group.id}`);
      expect(shown.json.address_group.ip_set).toEqual(['192.168.1.10-192.168.1.20', '10.0.0.0/24']);
      // What rules match: the blocks, through the native API.
      const native = await t.admin.get<any>(`/v1/address-groups/${json.address_group.id}`);
      const blocks = ['192.168.1.10/31', '192.168.1.12/30', '192.168.1.16/30', '192.168.1.20'];
      expect(native.entries).toEqual([...blocks, '10.0.0.0/24']);
      // A third entry is over the group's own max_capacity of 2, whatever the region holds.
      const over = await call('PUT', `/vpc/address-groups/${json.address_group.id}`, {
        address_group: { ip_set: ['192.168.1.10-192.168.1.20', '10.0.0.0/24', '10.0.1.1'] },
      });
      expect(over.status).toBe(409);
      expect(over.json.error_code).toBe('VPC.9905');

      const v6 = await call('POST', '/vpc/address-groups', {
        address_group: { name: 'ag-v6-range', ip_version: 6, ip_set: ['2001:db8::-2001:db8::ff'] },
      });
      expect(v6.status).toBe(201);
      expect(v6.json.address_group.ip_set).toEqual(['2001:db8::-2001:db8::ff']);
      expect((await t.admin.get<any>(`/v1/address-groups/${v6.json.address_group.id}`)).entries).toEqual([
        '2001:db8::/120',
      ]);

      const updated = await call('PUT', `/vpc/address-groups/${json.address_group.id}`, {
        address_group: { ip_set: ['10.1.1.0-10.1.1.255'] },
      });
      expect(updated.status).toBe(200);
      expect(updated.json.address_group.ip_set).toEqual(['10.1.1.0-10.1.1.255']);
      // Changed entry by entry elsewhere (native add), the list shows the model's entries again.
      await t.admin.patch(`/v1/address-groups/${json.address_group.id}`, { add: ['10.2.0.0/16'] });
      const after = await call('GET', `/vpc/address-groups/${json.address_group.id}`);
      expect(after.json.address_group.ip_set).toEqual(['10.1.1.0/24', '10.2.0.0/16']);
    });

    it('created_at and updated_at are set, and updated_at moves with a change', async () => {
      const made = await createAg({ ip_set: ['10.3.0.0/16'] });
      const { created_at, updated_at } = made.json.address_group;
      expect(Date.parse(created_at)).not.toBeNaN();
      expect(updated_at).toBe(created_at);
      // Timestamps have whole seconds: the change comes in a later second.
      await new Promise((r) => setTimeout(r, 1100));
      const changed = await call('PUT', `/vpc/address-groups/${made.json.address_group.id}`, {
        address_group: { description: 'changed' },
      });
      expect(changed.json.address_group.created_at).toBe(created_at);
      expect(Date.parse(changed.json.address_group.updated_at)).toBeGreaterThan(Date.parse(created_at));
    });

    it.each([
      ['an inverted range', '192.168.1.20-192.168.1.10'],
      ['a range of two families', '192.168.1.1-2001:db8::1'],
      ['a range of the other family', '2001:db8::1-2001:db8::9'],
      ['a malformed range', '192.168.1.1-192.168.1.300'],
    ])('refuses %s with 400 VPC.9901 naming ip_set', async (_, range) => {
      const { status, json } = await createAg({ ip_set: [range] });
      expect(status).toBe(400);
      expect(json.error_code).toBe('VPC.9901');
      expect(json.error_msg).toContain(`ip_set:${range}`);
    });

    it('ranges that make more blocks than the region holds: 409 VPC.9905 in Huawei terms', async () => {
      // Each range is 30 blocks; the region holds 50 per group.
      const { status, json } = await createAg({ ip_set: ['10.0.0.1-10.0.255.254', '10.1.0.1-10.1.255.254'] });
      expect(status).toBe(409);
      expect(json.error_code).toBe('VPC.9905');
      expect(json.error_msg).toContain("['address_group_contain_ipset']");
      expectHuaweiNames(json.error_msg);
    });

    it('rangeToCidrs: exact, minimal covers', () => {
      expect(rangeToCidrs('0.0.0.0-255.255.255.255')).toEqual({ family: 'IPv4', cidrs: ['0.0.0.0/0'] });
      expect(rangeToCidrs('10.0.0.1-10.0.0.1')?.cidrs).toEqual(['10.0.0.1']);
      expect(rangeToCidrs('10.0.0.1-10.0.255.254')?.cidrs).toHaveLength(30);
      expect(rangeToCidrs('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')?.cidrs).toEqual(['::/0']);
      expect(rangeToCidrs('2001:db8::1-2001:db8::2')?.cidrs).toEqual(['2001:db8::1', '2001:db8::2']);
      expect(rangeToCidrs('10.0.0.9-10.0.0.1')).toBeNull();
      expect(rangeToCidrs('10.0.0.1')).toBeNull();
    });
  });
  describe("item 13: ports' security groups (AddSecurityGroups / RemoveSecurityGroups)", () => {
    let port: string;
    let other: string;

    beforeAll(async () => {
      // Another group for the port to join (the tenant's group quota is 2: web and db exist).
      const groups = await call('GET', '/vpc/security-groups');
      other = groups.json.security_groups.find((g: any) => g.id !== group).id;
      const native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
      const vpcs = await native.get<any>(`/v1/vpcs?regionId=${REGION}`);
      const inst = await native.post<any>('/v1/instances', {
        regionId: REGION,
        vpcId: vpcs.items[0].id,
        name: 'vm-1',
        ports: [{ ipv4: ['10.0.0.5'], groupIds: [group] }],
      });
      port = inst.ports[0].id;
    });

    it('shows a port with its security groups', async () => {
      const { status, json } = await call('GET', `/ports/${port}`);
      expect(status).toBe(200);
      expect(json.port).toMatchObject({
        id: port,
        project_id: REGION,
        security_groups: [group],
        private_ips: [{ ip_address: '10.0.0.5' }],
      });
    });

    it('inserts groups (at an index), removes them, in one write each; dry_run changes nothing', async () => {
      const dry = await call('PUT', `/ports/${port}/insert-security-groups`, {
        port: { security_groups: [other] },
        dry_run: true,
      });
      expect(dry.status).toBe(202);
      expect(dry.json.error_code).toBe('SYS.0202');
      expect((await call('GET', `/ports/${port}`)).json.port.security_groups).toEqual([group]);

      const ins = await call('PUT', `/ports/${port}/insert-security-groups`, {
        port: { security_groups: [other], index: 0 },
      });
      expect(ins.status).toBe(200);
      expect(ins.json.port.security_groups).toEqual([other, group]);
      const native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
      expect((await native.get<any>(`/v1/ports/${port}`)).groupIds).toEqual([other, group]);

      const again = await call('PUT', `/ports/${port}/insert-security-groups`, {
        port: { security_groups: [group] },
      });
      expect(again.status).toBe(409);
      expect(again.json.error_code).toBe('VPC.9902');

      const rm = await call('PUT', `/ports/${port}/remove-security-groups`, {
        port: { security_groups: [other] },
      });
      expect(rm.status).toBe(200);
      expect(rm.json.port.security_groups).toEqual([group]);

      const last = await call('PUT', `/ports/${port}/remove-security-groups`, {
        port: { security_groups: [group] },
      });
      expect(last.status).toBe(409);
      expect(last.json.error_code).toBe('VPC.9902');
      expectHuaweiNames(last.json.error_msg);
    });

    it('the official SDK attaches and detaches groups (addSecurityGroups, removeSecurityGroups)', async () => {
      const credentials = new core.BasicCredentials().withAk(key.id).withSk(key.secret).withProjectId(REGION);
      const c = vpc.VpcClient.newBuilder().withCredential(credentials).withEndpoint(t.url).build();
      (c as any).hcClient?.httpClient?._logger?.setLevel?.('off');
      const added = (await c.addSecurityGroups(
        new vpc.AddSecurityGroupsRequest(port).withBody(
          new vpc.AddSecurityGroupsRequestBody(new vpc.InsertSecurityGroupOption([other])),
        ),
      )) as any;
      expect(added.httpStatusCode).toBe(200);
      expect(added.port.security_groups).toEqual([group, other]);
      const removed = (await c.removeSecurityGroups(
        new vpc.RemoveSecurityGroupsRequest(port).withBody(
          new vpc.RemoveSecurityGroupsRequestBody(new vpc.RemoveSecurityGroupOption([other])),
        ),
      )) as any;
      expect(removed.port.security_groups).toEqual([group]);
    });

    it('unknown port or group: 404 VPC.9904; bad body: 400 VPC.9901', async () => {
      const noPort = await call('PUT', '/ports/port-missing/insert-security-groups', {
        port: { security_groups: [other] },
      });
      expect(noPort.status).toBe(404);
      expect(noPort.json.error_code).toBe('VPC.9904');
      const noGroup = await call('PUT', `/ports/${port}/insert-security-groups`, {
        port: { security_groups: ['sg-missing'] },
      });
      expect(noGroup.status).toBe(404);
      expect(noGroup.json.error_code).toBe('VPC.9904');
      const empty = await call('PUT', `/ports/${port}/insert-security-groups`, {
        port: { security_groups: [] },
      });
      expect(empty.status).toBe(400);
      expect(empty.json.error_code).toBe('VPC.9901');
      expect(empty.json.error_msg).toContain('port.security_groups');
    });
  });
});
