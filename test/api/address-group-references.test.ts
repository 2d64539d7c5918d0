// GET /v1/address-groups/{id}/references over real HTTP on both stores: the caller's rules that
// name an address group, group by group (what the 409 ADDRESS_GROUP_IN_USE of a delete is
// about); a tenant it is shared with is counted, never shown; another tenant gets 404. A refused
// entry of an update is named as the request gave it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

describe.each(STORES)('the references of an address group on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;
  let ag: string;
  let web: { id: string; rules: { id: string }[] };

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
    ag = (
      await alice.post<{ id: string }>('/v1/address-groups', {
        regionId: 'hw-1',
        name: 'offices',
        ethertype: 'IPv4',
        entries: ['192.0.2.0/24'],
      })
    ).id;
    const rule = (port: string) => ({
      direction: 'ingress',
      protocol: 'tcp',
      ports: port,
      remoteAddressGroup: ag,
    });
    const vpc = (await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-1', name: 'v' })).id;
    web = await alice.post('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc,
      name: 'web',
      template: 'empty',
      rules: [rule('22'), rule('443'), { direction: 'ingress', protocol: 'tcp', ports: '80' }],
    });
    await alice.post('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc,
      name: 'other',
      template: 'empty',
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lists the rules naming it, and the delete refused names them too', async () => {
    const refs = await alice.get<any>(`/v1/address-groups/${ag}/references`);
    expect(refs).toEqual({
      addressGroupId: ag,
      referencedBy: [
        {
          groupId: web.id,
          groupName: 'web',
          ruleIds: web.rules
            .slice(0, 2)
            .map((r) => r.id)
            .sort(),
        },
      ],
      otherTenants: 0,
    });
    await expect(alice.delete(`/v1/address-groups/${ag}`)).rejects.toMatchObject({
      status: 409,
      problem: { code: 'ADDRESS_GROUP_IN_USE' },
    });
  });

  it("counts a tenant it is shared with, without showing that tenant's groups", async () => {
    await alice.post('/v1/shares', { objectType: 'addressGroup', objectId: ag, targetTenantId: 'bob' });
    const bobVpc = (await bob.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-1', name: 'b' })).id;
    await bob.post('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: bobVpc,
      name: 'bobs',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'udp', ports: '53', remoteAddressGroup: ag }],
    });
    const refs = await alice.get<any>(`/v1/address-groups/${ag}/references`);
    expect(refs.referencedBy.map((r: any) => r.groupId)).toEqual([web.id]);
    expect(refs.otherTenants).toBe(1);
  });

  it('names a refused added entry as sent (body.add[j]), and a replaced one by its place in the request', async () => {
    await expect(
      alice.patch(`/v1/address-groups/${ag}`, { add: ['192.0.2.0/24', '198.51.100.0/24', '300.1.1.1'] }),
    ).rejects.toMatchObject({
      status: 400,
      problem: { errors: [expect.objectContaining({ path: 'body.add[2]', code: 'INVALID_CIDR' })] },
    });
    await expect(alice.patch(`/v1/address-groups/${ag}`, { add: ['2001:db8::/32'] })).rejects.toMatchObject({
      problem: {
        errors: [expect.objectContaining({ path: 'body.add[0]', code: 'CIDR_ETHERTYPE_MISMATCH' })],
      },
    });
    await expect(
      alice.patch(`/v1/address-groups/${ag}`, { entries: ['192.0.2.0/24', '192.0.2.0/24', 'x'] }),
    ).rejects.toMatchObject({
      problem: { errors: [expect.objectContaining({ path: 'body.entries[2]' })] },
    });
    await expect(
      alice.post('/v1/address-groups', { regionId: 'hw-1', name: 'x', entries: ['::1', '::1', '::/0', 'y'] }),
    ).rejects.toMatchObject({
      problem: { errors: [expect.objectContaining({ path: 'body.entries[3]' })] },
    });
    expect((await alice.get<any>(`/v1/address-groups/${ag}`)).entries).toEqual(['192.0.2.0/24']);
  });

  it('a simulated change of its entries refuses a bad entry as a 400 naming it', async () => {
    await expect(
      alice.post('/v1/regions/hw-1/simulations', {
        steps: [{ op: 'changeAddressGroup', addressGroupId: ag, add: ['198.51.100.7/32', '%'] }],
      }),
    ).rejects.toMatchObject({
      status: 400,
      problem: { errors: [expect.objectContaining({ path: 'body.steps[0].add[1]', code: 'INVALID_CIDR' })] },
    });
    const ok = await alice.post<any>('/v1/regions/hw-1/simulations', {
      steps: [{ op: 'changeAddressGroup', addressGroupId: ag, add: ['198.51.100.7/32'] }],
    });
    expect(ok.results).toHaveLength(1);
  });

  it('is 404 for an unknown or unseen address group', async () => {
    await expect(alice.get('/v1/address-groups/ag-none/references')).rejects.toMatchObject({ status: 404 });
    const carol = await newTenant(t.admin, t.url, 'carol');
    await expect(carol.get(`/v1/address-groups/${ag}/references`)).rejects.toMatchObject({ status: 404 });
  });
});
