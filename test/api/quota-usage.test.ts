// What the console's group pages read, over real HTTP on both stores: a tenant's quotas with
// their usage (GET /v1/quotas: the region's limits or the tenant's overrides, the tenant-wide
// counts the next write is checked against), the group list's type filter, and the facts of a
// refused delete (which ports and which groups use the group) in the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  TEST_ENV,
  type TestServer,
} from '../support/servers.js';
import { cliAs, runCli } from '../support/cli.js';

interface QuotaState {
  name: string;
  limit: number;
  overridden: boolean;
  per: string;
  used?: number;
}
interface QuotaUsage {
  tenantId: string;
  items: { regionId: string; quotas: QuotaState[] }[];
}

const quota = (usage: QuotaUsage, regionId: string, name: string) =>
  usage.items.find((i) => i.regionId === regionId)!.quotas.find((q) => q.name === name)!;

describe.each(STORES)('quota usage, group type filter and in-use facts on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;
  let vpcId: string;
  let hwVpcId: string;

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba', quotas: { groupsPerTenant: 5 } });
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
    vpcId = (await alice.post<any>('/v1/vpcs', { regionId: 'ali-1', name: 'v' })).id;
    hwVpcId = (await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' })).id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("answers the tenant's limits and what it uses, per region, counting every group and rule", async () => {
    const empty = await alice.get<QuotaUsage>('/v1/quotas');
    expect(empty.tenantId).toBe('alice');
    expect(empty.items.map((i) => i.regionId)).toEqual(['ali-1', 'hw-1']);
    expect(quota(empty, 'ali-1', 'groupsPerTenant')).toEqual({
      name: 'groupsPerTenant',
      limit: 5,
      overridden: false,
      per: 'tenant',
      used: 0,
    });
    // A per-object quota has no tenant-wide count: the group's own read carries it.
    expect(quota(empty, 'ali-1', 'rulesPerGroup')).toMatchObject({ per: 'group', overridden: false });
    expect(quota(empty, 'ali-1', 'rulesPerGroup').used).toBeUndefined();

    await alice.post('/v1/security-groups', {
      regionId: 'ali-1',
      vpcId,
      name: 'web',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.0.0.0/8' },
        { direction: 'ingress', protocol: 'tcp', ports: '443', remoteIpPrefix: '0.0.0.0/0' },
      ],
    });
    await alice.post('/v1/security-groups', { regionId: 'ali-1', vpcId, name: 'db', template: 'empty' });
    // Another tenant's groups are not alice's usage.
    const bobVpc = await bob.post<any>('/v1/vpcs', { regionId: 'ali-1', name: 'v' });
    await bob.post('/v1/security-groups', {
      regionId: 'ali-1',
      vpcId: bobVpc.id,
      name: 'x',
      template: 'empty',
    });

    const one = await alice.get<QuotaUsage>('/v1/quotas?regionId=ali-1');
    expect(one.items.map((i) => i.regionId)).toEqual(['ali-1']);
    expect(quota(one, 'ali-1', 'groupsPerTenant').used).toBe(2);
    expect(quota(one, 'ali-1', 'rulesPerTenant').used).toBe(2);
    expect(quota(one, 'ali-1', 'addressGroupsPerTenant').used).toBe(0);
  });

  it("shows an operator's override and its reset; the operator reads any tenant's", async () => {
    await t.admin.put('/v1/tenants/alice/quotas/ali-1', { groupsPerTenant: 3 });
    const over = await alice.get<QuotaUsage>('/v1/quotas?regionId=ali-1');
    expect(quota(over, 'ali-1', 'groupsPerTenant')).toMatchObject({ limit: 3, overridden: true, used: 2 });
    const asOperator = await t.admin.get<QuotaUsage>('/v1/quotas?tenantId=alice&regionId=ali-1');
    expect(asOperator).toEqual(over);

    // The CLI: a table per quota, the override marked; --json answers the API's document.
    const text = await cliAs(t, 'alice', ['quota', 'show', '--region', 'ali-1']);
    expect(text).toMatch(/ali-1\s+groupsPerTenant\s+2\s+3\s+tenant override/);
    expect(text).toMatch(/ali-1\s+rulesPerGroup\s+per group/);
    const json = await runCli(
      t.url,
      { id: TEST_ENV.PALISADE_ADMIN_KEY_ID, secret: TEST_ENV.PALISADE_ADMIN_SECRET },
      ['quota', 'show', '--tenant', 'alice', '--region', 'ali-1', '--json'],
    );
    expect(json.code, json.text).toBe(0);
    expect(JSON.parse(json.text)).toEqual(over);

    // The limit the bar shows is the one the write is checked against: a fourth group is refused.
    await alice.post('/v1/security-groups', { regionId: 'ali-1', vpcId, name: 'third', template: 'empty' });
    const refused = await alice.request<any>(
      'POST',
      '/v1/security-groups',
      { regionId: 'ali-1', vpcId, name: 'fourth', template: 'empty' },
      { raw: true },
    );
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      facts: { quota: 'groupsPerTenant', limit: 3 },
    });

    await t.admin.delete('/v1/tenants/alice/quotas/ali-1');
    const reset = await alice.get<QuotaUsage>('/v1/quotas?regionId=ali-1');
    expect(quota(reset, 'ali-1', 'groupsPerTenant')).toMatchObject({ limit: 5, overridden: false, used: 3 });
  });

  it('refuses what is not the caller to read, naming the field', async () => {
    const other = await alice.request<any>('GET', '/v1/quotas?tenantId=bob', undefined, { raw: true });
    expect(other.status).toBe(403);
    const unnamed = await t.admin.request<any>('GET', '/v1/quotas', undefined, { raw: true });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors.map((e: any) => e.path)).toEqual(['query.tenantId']);
    const noTenant = await t.admin.request<any>('GET', '/v1/quotas?tenantId=nobody', undefined, {
      raw: true,
    });
    expect(noTenant.status).toBe(404);
    const noRegion = await alice.request<any>('GET', '/v1/quotas?regionId=nowhere', undefined, { raw: true });
    expect(noRegion.status).toBe(404);
    expect(noRegion.body.facts).toEqual({ resource: 'region', id: 'nowhere' });
  });

  it('names a refused quota override at its field', async () => {
    const before = await t.admin.get<any>('/v1/tenants/alice');
    const bad = await t.admin.request<any>(
      'PUT',
      '/v1/tenants/alice/quotas/ali-1',
      { groupsPerTenant: -1 },
      { raw: true },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toEqual(['body.groupsPerTenant']);
    expect(await t.admin.get<any>('/v1/tenants/alice')).toEqual(before);
  });

  it('filters groups by type', async () => {
    const huawei = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: hwVpcId,
      name: 'huawei-basic',
      template: 'empty',
    });
    expect(huawei.type).toBe('basic');
    const adv = await alice.post<any>('/v1/security-groups', {
      regionId: 'ali-1',
      vpcId,
      name: 'adv',
      type: 'advanced',
      template: 'empty',
    });
    const only = await alice.get<any>('/v1/security-groups?type=advanced');
    expect(only.items.map((g: any) => g.id)).toEqual([adv.id]);
    const basic = await alice.get<any>('/v1/security-groups?type=basic&regionId=ali-1');
    expect(basic.items.map((g: any) => g.name).sort()).toEqual(['db', 'third', 'web']);
    const listed = await cliAs(t, 'alice', ['group', 'list', '--type', 'advanced']);
    expect(listed).toContain(adv.id);
    expect(listed).not.toContain('huawei-basic');
    const bad = await alice.request<any>('GET', '/v1/security-groups?type=fancy', undefined, { raw: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('querystring.type');
  });

  it('tells which ports and which groups keep a group from being deleted, as facts', async () => {
    const target = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: hwVpcId,
      name: 'target',
      template: 'empty',
    });
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: hwVpcId,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [target.id] }],
    });
    const portId = inst.ports[0].id;
    const inUse = await alice.request<any>('DELETE', `/v1/security-groups/${target.id}`, undefined, {
      raw: true,
    });
    expect(inUse.status).toBe(409);
    expect(inUse.body).toMatchObject({
      code: 'GROUP_IN_USE',
      facts: { resource: 'group', id: target.id, ports: [portId] },
    });

    await alice.delete(`/v1/instances/${inst.id}`);
    const user = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: hwVpcId,
      name: 'user',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '5432', remoteGroup: target.id, priority: 1 }],
    });
    const referenced = await alice.request<any>('DELETE', `/v1/security-groups/${target.id}`, undefined, {
      raw: true,
    });
    expect(referenced.status).toBe(409);
    expect(referenced.body).toMatchObject({
      code: 'GROUP_REFERENCED',
      facts: { resource: 'group', id: target.id, referencedBy: [user.id] },
    });
  });
});
