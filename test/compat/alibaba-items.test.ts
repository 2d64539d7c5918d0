// Issue 12, items 11 and 12, through the official client (@alicloud/ecs20140526, ACS3) against a
// real server: the error codes and statuses of the actions' documented error tables (a 6th group
// on one ENI, deleting a prefix list in use, the prefix list parameters and quotas), and a prefix
// list's MaxEntries kept, shown and enforced. Each refused write changes nothing.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const load = createRequire(import.meta.url);
const ecs: any = load('@alicloud/ecs20140526');
const { Config } = load('@alicloud/openapi-client');
const Ecs = ecs.default;

const REGION = 'cn-palisade-items';
const ONE_LIST = 'cn-palisade-one-list';

/** The SDK's exception for a failed call: HTTP status, ECS code and message. */
async function ecsError(call: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await call;
  } catch (e) {
    const x = e as { statusCode?: number; code?: string; data?: { Message?: string }; message: string };
    if (x.statusCode !== undefined)
      return { status: x.statusCode, code: x.code!, message: x.data?.Message ?? x.message };
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('Alibaba ECS API: issue 12 items 11-12', () => {
  let db: TestDatabase;
  let t: TestServer;
  let native: PalisadeClient;
  let api: any;
  let vpc: string;
  let key: { id: string; secret: string };

  const client = (regionId: string) =>
    new Ecs(
      new Config({
        accessKeyId: key.id,
        accessKeySecret: key.secret,
        endpoint: t.url.replace(/^http:\/\//, ''),
        protocol: 'http',
        regionId,
      }),
    );
  const req = (name: string, fields: Record<string, unknown>) =>
    new ecs[name]({ regionId: REGION, ...fields });
  const newGroup = async (name: string) =>
    (
      await api.createSecurityGroup(
        req('CreateSecurityGroupRequest', { vpcId: vpc, securityGroupName: name }),
      )
    ).body.securityGroupId as string;
  const entry = (cidr: string) => new ecs.CreatePrefixListRequestEntry({ cidr });
  const addEntry = (cidr: string) => new ecs.ModifyPrefixListRequestAddEntry({ cidr });
  const attributes = async (id: string) =>
    (await api.describePrefixListAttributes(req('DescribePrefixListAttributesRequest', { prefixListId: id })))
      .body;
  const revision = async () =>
    ((await (await fetch(`${t.url}/readyz`)).json()) as { revision: number }).revision;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: REGION, profile: 'alibaba' });
    await t.admin.post('/v1/regions', {
      id: ONE_LIST,
      profile: 'alibaba',
      quotas: { addressGroupsPerTenant: 1 },
    });
    await t.admin.post('/v1/tenants', { id: 'items', name: 'items' });
    key = await t.admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'items' });
    native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    vpc = (
      await native.post<{ id: string }>('/v1/vpcs', { regionId: REGION, name: 'v', cidr: '10.0.0.0/16' })
    ).id;
    api = client(REGION);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('a 6th security group on one ENI: 400 InstanceSecurityGroupLimitExceeded (JoinSecurityGroup table)', async () => {
    const groups: string[] = [];
    for (let i = 0; i < 6; i++) groups.push(await newGroup(`limit-${i}`));
    const eni = (
      await api.createNetworkInterface(
        req('CreateNetworkInterfaceRequest', {
          vSwitchId: vpc,
          securityGroupId: groups[0],
          primaryIpAddress: '10.0.2.5',
        }),
      )
    ).body.networkInterfaceId as string;
    for (const g of groups.slice(1, 5))
      await api.joinSecurityGroup(
        req('JoinSecurityGroupRequest', { securityGroupId: g, networkInterfaceId: eni }),
      );
    const before = await revision();
    expect(
      await ecsError(
        api.joinSecurityGroup(
          req('JoinSecurityGroupRequest', { securityGroupId: groups[5], networkInterfaceId: eni }),
        ),
      ),
    ).toEqual({
      status: 400,
      code: 'InstanceSecurityGroupLimitExceeded',
      message: 'Exceeding the allowed amount of security groups that an instance can be in.',
    });
    // Six groups at creation: the same answer.
    expect(
      await ecsError(
        api.createNetworkInterface(
          req('CreateNetworkInterfaceRequest', {
            vSwitchId: vpc,
            securityGroupIds: groups,
            primaryIpAddress: '10.0.2.6',
          }),
        ),
      ),
    ).toMatchObject({ status: 400, code: 'InstanceSecurityGroupLimitExceeded' });
    expect(await revision()).toBe(before);
    expect((await native.get<{ groupIds: string[] }>(`/v1/ports/${eni}`)).groupIds).toEqual(
      groups.slice(0, 5),
    );
  });

  it('an unknown ENI: 403 for DeleteNetworkInterface, 404 for JoinSecurityGroup (each action table)', async () => {
    const g = await newGroup('eni-missing');
    expect(
      await ecsError(
        api.deleteNetworkInterface(
          req('DeleteNetworkInterfaceRequest', { networkInterfaceId: 'port-missing' }),
        ),
      ),
    ).toMatchObject({ status: 403, code: 'InvalidEniId.NotFound' });
    expect(
      await ecsError(
        api.joinSecurityGroup(
          req('JoinSecurityGroupRequest', { securityGroupId: g, networkInterfaceId: 'port-missing' }),
        ),
      ),
    ).toMatchObject({ status: 404, code: 'InvalidEniId.NotFound' });
  });

  it('DeletePrefixList of a list in use: 400 NotAllowed.AssociationExist (DeletePrefixList table)', async () => {
    const pl = (
      await api.createPrefixList(
        req('CreatePrefixListRequest', {
          prefixListName: 'used',
          addressFamily: 'IPv4',
          maxEntries: 5,
          entry: [entry('192.0.2.0/24')],
        }),
      )
    ).body.prefixListId as string;
    const g = await newGroup('uses-pl');
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: g,
        permissions: [
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '443/443',
            sourcePrefixListId: pl,
          }),
        ],
      }),
    );
    const before = await revision();
    expect(
      await ecsError(api.deletePrefixList(req('DeletePrefixListRequest', { prefixListId: pl }))),
    ).toEqual({
      status: 400,
      code: 'NotAllowed.AssociationExist',
      message: 'The specified prefix list has associated resources.',
    });
    expect(await revision()).toBe(before);
    expect((await attributes(pl)).entries.entry.map((e: any) => e.cidr)).toEqual(['192.0.2.0/24']);
  });

  it('keeps and enforces CreatePrefixList MaxEntries=10: shown by both describes, the 11th entry refused', async () => {
    const cidrs = Array.from({ length: 11 }, (_, i) => `10.${i}.0.0/16`);
    const pl = (
      await api.createPrefixList(
        req('CreatePrefixListRequest', {
          prefixListName: 'ten',
          addressFamily: 'IPv4',
          maxEntries: 10,
          entry: cidrs.slice(0, 2).map(entry),
        }),
      )
    ).body.prefixListId as string;
    expect((await attributes(pl)).maxEntries).toBe(10);
    const listed = (await api.describePrefixLists(req('DescribePrefixListsRequest', { prefixListId: [pl] })))
      .body.prefixLists.prefixList;
    expect(listed).toHaveLength(1);
    expect(listed[0].maxEntries).toBe(10);

    // Up to ten entries is fine, in one request or several.
    await api.modifyPrefixList(
      req('ModifyPrefixListRequest', { prefixListId: pl, addEntry: cidrs.slice(2, 10).map(addEntry) }),
    );
    expect((await attributes(pl)).entries.entry).toHaveLength(10);
    const before = await revision();
    const refused = {
      status: 400,
      code: 'LimitExceed.MaxEntries',
      message: 'The number of entries exceeds the MaxEntries of the specified prefix list.',
    };
    expect(
      await ecsError(
        api.modifyPrefixList(
          req('ModifyPrefixListRequest', { prefixListId: pl, addEntry: [addEntry(cidrs[10])] }),
        ),
      ),
    ).toEqual(refused);
    expect(await revision()).toBe(before);
    const after = await attributes(pl);
    expect(after.entries.entry.map((e: any) => e.cidr).sort()).toEqual(cidrs.slice(0, 10).sort());
    expect(after.maxEntries).toBe(10);
    // Swapping one entry for another keeps the count at ten: allowed.
    await api.modifyPrefixList(
      req('ModifyPrefixListRequest', {
        prefixListId: pl,
        addEntry: [addEntry(cidrs[10])],
        removeEntry: [new ecs.ModifyPrefixListRequestRemoveEntry({ cidr: cidrs[0] })],
      }),
    );
    expect((await attributes(pl)).entries.entry).toHaveLength(10);

    // More entries than MaxEntries at creation: the same error, and no list.
    expect(
      await ecsError(
        api.createPrefixList(
          req('CreatePrefixListRequest', {
            prefixListName: 'too-many',
            addressFamily: 'IPv4',
            maxEntries: 10,
            entry: cidrs.map(entry),
          }),
        ),
      ),
    ).toEqual(refused);
    expect(
      (await api.describePrefixLists(req('DescribePrefixListsRequest', { prefixListName: 'too-many' }))).body
        .prefixLists.prefixList,
    ).toEqual([]);

    // An address group made through the native API has no MaxEntries of its own: the region's quota.
    const ag = await native.post<{ id: string; maxEntries?: number }>('/v1/address-groups', {
      regionId: REGION,
      name: 'native',
      entries: ['198.51.100.0/24'],
    });
    expect(ag.maxEntries).toBeUndefined();
    expect((await attributes(ag.id)).maxEntries).toBe(200);
    // The native API shows the kept limit too.
    expect((await native.get<{ maxEntries?: number }>(`/v1/address-groups/${pl}`)).maxEntries).toBe(10);
  });

  it('answers the prefix list parameter and quota errors of the CreatePrefixList table', async () => {
    const create = (fields: Record<string, unknown>, regionId = REGION) =>
      client(regionId).createPrefixList(
        new ecs.CreatePrefixListRequest({
          regionId,
          prefixListName: 'p-list',
          addressFamily: 'IPv4',
          maxEntries: 5,
          ...fields,
        }),
      );
    const before = await revision();
    expect(await ecsError(create({ addressFamily: 'IPv5' }))).toMatchObject({
      status: 400,
      code: 'InvalidParameter.AddressFamily',
    });
    expect(await ecsError(create({ entry: [entry('::/0')] }))).toMatchObject({
      status: 400,
      code: 'InvalidParameter.CidrMalformed',
    });
    expect(await ecsError(create({ prefixListName: '1st' }))).toMatchObject({
      status: 400,
      code: 'InvalidParameter.PrefixListName',
    });
    expect(await ecsError(create({ description: 'x' }))).toMatchObject({
      status: 400,
      code: 'InvalidDescription.Malformed',
    });
    expect(await revision()).toBe(before);
    await create({ prefixListName: 'only-one' }, ONE_LIST);
    expect(await ecsError(create({ prefixListName: 'second' }, ONE_LIST))).toEqual({
      status: 404,
      code: 'LimitExceed.PrefixListPerRegion',
      message: 'The number of prefix lists in the region exceeds the limit.',
    });
  });
});
