// The Huawei Cloud VPC v3 front end through the official Node.js SDK
// (@huaweicloud/huaweicloud-sdk-vpc, v3 client) against a real server on SQLite: groups, rules
// of every kind, lists with filters and pages, address groups, every error the SDK sees with a
// check that nothing changed, and the AK/SK signature (wrong secret, stale date, replay).
import { stringify } from 'node:querystring';
import core from '@huaweicloud/huaweicloud-sdk-core';
import signerModule from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import vpc from '@huaweicloud/huaweicloud-sdk-vpc/v3/public-api.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import {
  canonicalRequest,
  parseAuthorization,
  signatureOf,
  signRequest,
} from '../../src/compat/huawei/signing.js';
import {
  freshDatabase,
  startTestServer,
  TEST_ENV,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

const { BasicCredentials } = core;
const { AKSKSigner } = signerModule;
const {
  VpcClient,
  BatchCreateSecurityGroupRulesOption,
  BatchCreateSecurityGroupRulesRequest,
  BatchCreateSecurityGroupRulesRequestBody,
  CreateAddressGroupOption,
  CreateAddressGroupRequest,
  CreateAddressGroupRequestBody,
  CreateSecurityGroupOption,
  CreateSecurityGroupRequest,
  CreateSecurityGroupRequestBody,
  CreateSecurityGroupRuleOption,
  CreateSecurityGroupRuleRequest,
  CreateSecurityGroupRuleRequestBody,
  DeleteAddressGroupRequest,
  DeleteIpAddressGroupForceRequest,
  DeleteSecurityGroupRequest,
  DeleteSecurityGroupRuleRequest,
  IpExtraSetOption,
  ListAddressGroupRequest,
  ListSecurityGroupRulesRequest,
  ListSecurityGroupsRequest,
  ResourceTag,
  ShowAddressGroupRequest,
  ShowSecurityGroupRequest,
  ShowSecurityGroupRuleRequest,
  UpdateAddressGroupOption,
  UpdateAddressGroupRequest,
  UpdateAddressGroupRequestBody,
  UpdateSecurityGroupOption,
  UpdateSecurityGroupRequest,
  UpdateSecurityGroupRequestBody,
} = vpc;

type Vpc = InstanceType<typeof VpcClient>;
const REGION = 'cn-north-4';

function client(url: string, ak: string, sk: string, projectId = REGION): Vpc {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
  const c = VpcClient.newBuilder().withCredential(credentials).withEndpoint(url).build();
  // The SDK logs every 4xx with its whole axios config; the tests expect many of them.
  (c as any).hcClient?.httpClient?._logger?.setLevel?.('off');
  return c;
}

/** The SDK's exception for a failed call: HTTP status, Huawei error code and message. */
async function hwError(call: Promise<unknown>): Promise<{ status: number; code: string; msg: string }> {
  try {
    await call;
  } catch (e) {
    const x = e as { httpStatusCode?: number | string; errorCode?: string; errorMsg?: string };
    if (x.httpStatusCode !== undefined)
      return { status: Number(x.httpStatusCode), code: x.errorCode!, msg: x.errorMsg! };
    throw e;
  }
  throw new Error('expected the call to fail');
}

function ruleOption(groupId: string, o: Record<string, string>) {
  const opt = new CreateSecurityGroupRuleOption(groupId, o.direction ?? 'ingress');
  if (o.ethertype) opt.withEthertype(o.ethertype);
  if (o.protocol !== undefined) opt.withProtocol(o.protocol);
  if (o.multiport) opt.withMultiport(o.multiport);
  if (o.remoteIpPrefix) opt.withRemoteIpPrefix(o.remoteIpPrefix);
  if (o.remoteGroupId) opt.withRemoteGroupId(o.remoteGroupId);
  if (o.remoteAddressGroupId) opt.withRemoteAddressGroupId(o.remoteAddressGroupId);
  if (o.action) opt.withAction(o.action);
  if (o.priority) opt.withPriority(o.priority);
  if (o.description) opt.withDescription(o.description);
  return opt;
}

function createRule(c: Vpc, groupId: string, o: Record<string, string>, dryRun = false): Promise<any> {
  const body = new CreateSecurityGroupRuleRequestBody(ruleOption(groupId, o));
  if (dryRun) body.withDryRun(true);
  return c.createSecurityGroupRule(new CreateSecurityGroupRuleRequest().withBody(body));
}

function createGroup(
  c: Vpc,
  name: string,
  extra: (o: InstanceType<typeof CreateSecurityGroupOption>) => void = () => {},
): Promise<any> {
  const opt = new CreateSecurityGroupOption(name);
  extra(opt);
  return c.createSecurityGroup(
    new CreateSecurityGroupRequest().withBody(new CreateSecurityGroupRequestBody(opt)),
  );
}

function createAddressGroup(
  c: Vpc,
  name: string,
  version: number,
  ipSet: string[],
  capacity?: number,
): Promise<any> {
  const opt = new CreateAddressGroupOption(name, version).withIpSet(ipSet);
  if (capacity !== undefined) opt.withMaxCapacity(capacity);
  return c.createAddressGroup(
    new CreateAddressGroupRequest().withBody(new CreateAddressGroupRequestBody(opt)),
  );
}

/**
 * The SDK signs with one-second dates and no nonce: the same write sent again within the same
 * second is the same signature, refused as a replay. Retries of a refused write wait for it.
 */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
}

const showGroup = (c: Vpc, id: string): Promise<any> => c.showSecurityGroup(new ShowSecurityGroupRequest(id));

describe('SDK-HMAC-SHA256 as the SDK signs it', () => {
  // The SDK's own signer on requests with what its HTTP client then sends (axios with Node's
  // querystring): repeated keys, spaces, reserved and non-ASCII characters, a JSON body.
  it.each([
    ['GET', { name: ['web 2', 'db*(x)~ü', 'a+b'], limit: 5, marker: 'sg-1/2' }, undefined],
    ['POST', {}, { security_group: { name: 'web', description: 'frontend – 前端 <b>' } }],
    ['DELETE', {}, undefined],
  ])('%s: Palisade verifies the signature the SDK computes', (method, queryParams, data) => {
    const credential = new BasicCredentials().withAk('PKTEST').withSk('sk-secret').withProjectId(REGION);
    const endpoint = `http://127.0.0.1:8443/v3/${REGION}/vpc/security-groups/sg-a%20b`;
    // As sent in the caller's order (the SDK sorts its own array in place while signing; other
    // clients do not), so the server must sort repeated values itself.
    const search = stringify(queryParams as Record<string, string>);
    const signed = AKSKSigner.sign(
      {
        method,
        endpoint,
        headers: { 'content-type': 'application/json', 'X-Project-Id': REGION },
        queryParams,
        data,
      } as any,
      credential,
    ) as Record<string, string>;
    const auth = parseAuthorization(signed.Authorization)!;
    expect(auth.signedHeaders).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
    const headers = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const canonical = canonicalRequest({
      method,
      path: new URL(endpoint).pathname,
      search,
      headers,
      signedHeaders: auth.signedHeaders,
      body: data === undefined ? '' : JSON.stringify(data),
    });
    expect(signatureOf('sk-secret', headers['x-sdk-date'], canonical)).toBe(auth.signature);
    expect(signatureOf('other-secret', headers['x-sdk-date'], canonical)).not.toBe(auth.signature);
  });
});

describe('Huawei VPC v3 API through the official SDK', () => {
  let db: TestDatabase;
  let t: TestServer;
  let hw: Vpc;
  let bobHw: Vpc;
  let native: PalisadeClient;
  let key: { id: string; secret: string };
  let web: string;
  let dbGroup: string;
  let ag: string;

  /** The group through the native API: name, tags and its rules by id. */
  async function nativeGroup(id: string) {
    return native.get<any>(`/v1/security-groups/${id}`);
  }

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', {
      id: REGION,
      profile: 'huawei',
      quotas: { rulesPerGroup: 14, groupsPerTenant: 4, addressGroupsPerTenant: 4 },
    });
    await t.admin.post('/v1/regions', { id: 'os-region', profile: 'openstack' });
    for (const id of ['alice', 'bob']) await t.admin.post('/v1/tenants', { id, name: id });
    key = await t.admin.post<any>('/v1/access-keys', { tenantId: 'alice' });
    const bobKey = await t.admin.post<any>('/v1/access-keys', { tenantId: 'bob' });
    native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    hw = client(t.url, key.id, key.secret);
    bobHw = client(t.url, bobKey.id, bobKey.secret);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('creates a group with the four starting rules, the same group through the native API', async () => {
    const res = await createGroup(hw, 'web', (o) =>
      o.withDescription('web servers').withTags([new ResourceTag('env', 'prod')]),
    );
    expect(res.httpStatusCode).toBe(201);
    const g = res.security_group;
    web = g.id;
    expect(g).toMatchObject({
      name: 'web',
      description: 'web servers',
      project_id: REGION,
      enterprise_project_id: '0',
      tags: [{ key: 'env', value: 'prod' }],
    });
    expect(g.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(
      g.security_group_rules.map((r: any) => [
        r.direction,
        r.ethertype,
        r.remote_group_id,
        r.remote_ip_prefix,
        r.priority,
      ]),
    ).toEqual([
      ['ingress', 'IPv4', web, null, 100],
      ['ingress', 'IPv6', web, null, 100],
      ['egress', 'IPv4', null, '0.0.0.0/0', 100],
      ['egress', 'IPv6', null, '::/0', 100],
    ]);
    expect(res.request_id).toMatch(/^[0-9a-f]{32}$/);

    const n = await nativeGroup(web);
    expect(n).toMatchObject({
      name: 'web',
      description: 'web servers',
      tags: { env: 'prod' },
      regionId: REGION,
    });
    expect(n.rules.map((r: any) => r.id).sort()).toEqual(g.security_group_rules.map((r: any) => r.id).sort());
    dbGroup = (await createGroup(hw, 'db')).security_group.id;
  });

  it('creates rules of every kind: multiport, remote CIDR, remote group, address group, deny, IPv6, batch', async () => {
    const multi = (
      await createRule(hw, web, {
        protocol: 'tcp',
        multiport: '22,3389,80',
        remoteIpPrefix: '10.0.0.0/8',
        description: 'admin',
      })
    ).security_group_rule;
    expect(multi).toMatchObject({
      security_group_id: web,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'tcp',
      multiport: '22,3389,80',
      remote_ip_prefix: '10.0.0.0/8',
      action: 'allow',
      priority: 1,
      description: 'admin',
      project_id: REGION,
    });
    const fromDb = (
      await createRule(hw, web, { protocol: 'tcp', multiport: '8000-8080', remoteGroupId: dbGroup })
    ).security_group_rule;
    expect(fromDb).toMatchObject({
      multiport: '8000-8080',
      remote_group_id: dbGroup,
      remote_ip_prefix: null,
    });

    const created = await createAddressGroup(hw, 'office', 4, ['192.168.0.0/24', '10.1.1.1']);
    expect(created.httpStatusCode).toBe(201);
    ag = created.address_group.id;
    expect(created.address_group).toMatchObject({
      name: 'office',
      ip_version: 4,
      ip_set: ['192.168.0.0/24', '10.1.1.1'],
    });
    const fromAg = (await createRule(hw, web, { protocol: 'udp', multiport: '53', remoteAddressGroupId: ag }))
      .security_group_rule;
    expect(fromAg).toMatchObject({ protocol: 'udp', multiport: '53', remote_address_group_id: ag });

    const deny = await createRule(hw, web, {
      protocol: 'icmp',
      action: 'deny',
      priority: '5',
      remoteIpPrefix: '203.0.113.0/24',
    });
    expect(deny.httpStatusCode).toBe(201);
    expect(deny.security_group_rule).toMatchObject({
      action: 'deny',
      priority: 5,
      protocol: 'icmp',
      multiport: null,
    });
    const v6 = (
      await createRule(hw, web, {
        ethertype: 'IPv6',
        protocol: 'tcp',
        multiport: '443',
        remoteIpPrefix: '2001:db8::/32',
      })
    ).security_group_rule;
    expect(v6).toMatchObject({ ethertype: 'IPv6', multiport: '443', remote_ip_prefix: '2001:db8::/32' });
    const ranges = (
      await createRule(hw, web, { protocol: 'tcp', multiport: '80,500,600-800', priority: '20' })
    ).security_group_rule;
    expect(ranges).toMatchObject({ multiport: '80,500,600-800', remote_ip_prefix: null, priority: 20 });

    const batchOpt = (port: string) =>
      new BatchCreateSecurityGroupRulesOption()
        .withDirection('ingress')
        .withProtocol('udp')
        .withMultiport(port)
        .withPriority('30');
    const batch = await hw.batchCreateSecurityGroupRules(
      new BatchCreateSecurityGroupRulesRequest()
        .withSecurityGroupId(web)
        .withBody(new BatchCreateSecurityGroupRulesRequestBody([batchOpt('500'), batchOpt('4500')])),
    );
    expect(batch.httpStatusCode).toBe(201);
    expect((batch as any).security_group_rules.map((r: any) => [r.multiport, r.priority])).toEqual([
      ['500', 30],
      ['4500', 30],
    ]);
    // ignore_duplicate: the repeated rule is skipped, the new one made.
    const again = await hw.batchCreateSecurityGroupRules(
      new BatchCreateSecurityGroupRulesRequest()
        .withSecurityGroupId(web)
        .withBody(
          new BatchCreateSecurityGroupRulesRequestBody([
            batchOpt('500'),
            batchOpt('1194'),
          ]).withIgnoreDuplicate(true),
        ),
    );
    expect((again as any).security_group_rules.map((r: any) => r.multiport)).toEqual(['1194']);

    // The native API sees the same rules, in its own shape.
    const n = await nativeGroup(web);
    expect(n.rules).toHaveLength(4 + 6 + 3);
    const byId = new Map(n.rules.map((r: any) => [r.id, r]));
    expect(byId.get(multi.id)).toMatchObject({
      protocol: 'tcp',
      ports: [
        { from: 22, to: 22 },
        { from: 3389, to: 3389 },
        { from: 80, to: 80 },
      ],
      remoteIpPrefix: '10.0.0.0/8',
      priority: 1,
    });
    expect(byId.get(fromDb.id)).toMatchObject({ remoteGroup: dbGroup, ports: [{ from: 8000, to: 8080 }] });
    expect(byId.get(fromAg.id)).toMatchObject({ remoteAddressGroup: ag, protocol: 'udp' });
    expect(byId.get(deny.security_group_rule.id)).toMatchObject({ action: 'deny', priority: 5 });
    expect(byId.get(v6.id)).toMatchObject({ ethertype: 'IPv6', remoteIpPrefix: '2001:db8::/32' });
  });

  it('lists and shows groups and rules with filters and pages', async () => {
    const byName = (await hw.listSecurityGroups(new ListSecurityGroupsRequest().withName(['web']))) as any;
    expect(byName.security_groups.map((g: any) => g.id)).toEqual([web]);
    expect(byName.security_groups[0].security_group_rules).toBeUndefined();
    const both = (await hw.listSecurityGroups(new ListSecurityGroupsRequest().withId([web, dbGroup]))) as any;
    expect(both.security_groups).toHaveLength(2);
    expect(both.page_info).toMatchObject({ current_count: 2 });
    expect(both.page_info.next_marker).toBeUndefined();

    const first = (await hw.listSecurityGroups(new ListSecurityGroupsRequest().withLimit(1))) as any;
    expect(first.security_groups).toHaveLength(1);
    expect(first.page_info.next_marker).toBe(first.security_groups[0].id);
    const second = (await hw.listSecurityGroups(
      new ListSecurityGroupsRequest().withLimit(1).withMarker(first.page_info.next_marker),
    )) as any;
    expect(second.security_groups).toHaveLength(1);
    expect(second.security_groups[0].id).not.toBe(first.security_groups[0].id);
    expect(second.page_info.next_marker).toBeUndefined();

    const tcpIn = (await hw.listSecurityGroupRules(
      new ListSecurityGroupRulesRequest()
        .withSecurityGroupId([web])
        .withDirection('ingress')
        .withProtocol(['tcp']),
    )) as any;
    expect(tcpIn.security_group_rules.map((r: any) => r.multiport).sort()).toEqual(
      ['22,3389,80', '443', '8000-8080', '80,500,600-800'].sort(),
    );
    const denies = (await hw.listSecurityGroupRules(
      new ListSecurityGroupRulesRequest().withAction('deny'),
    )) as any;
    expect(denies.security_group_rules).toHaveLength(1);
    const prio = (await hw.listSecurityGroupRules(
      new ListSecurityGroupRulesRequest().withPriority([5, 20]),
    )) as any;
    expect(prio.security_group_rules.map((r: any) => r.priority).sort()).toEqual([20, 5]);
    const v6 = (await hw.listSecurityGroupRules(
      new ListSecurityGroupRulesRequest().withEthertype(['IPv6']).withSecurityGroupId([web]),
    )) as any;
    expect(v6.security_group_rules).toHaveLength(3);

    // Paging through every rule of both groups, three at a time.
    const all = (await hw.listSecurityGroupRules(new ListSecurityGroupRulesRequest())) as any;
    expect(all.security_group_rules).toHaveLength(13 + 4);
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const req = new ListSecurityGroupRulesRequest().withLimit(3);
      if (marker) req.withMarker(marker);
      const p = (await hw.listSecurityGroupRules(req)) as any;
      seen.push(...p.security_group_rules.map((r: any) => r.id));
      marker = p.page_info.next_marker;
      if (!marker) break;
    }
    expect(seen).toEqual(all.security_group_rules.map((r: any) => r.id));

    const one = (await hw.showSecurityGroupRule(
      new ShowSecurityGroupRuleRequest(denies.security_group_rules[0].id),
    )) as any;
    expect(one.security_group_rule).toMatchObject({ action: 'deny', security_group_id: web });
    const shown = await showGroup(hw, web);
    expect(shown.security_group.security_group_rules).toHaveLength(13);
  });

  it('updates a group; the native API shows the change', async () => {
    const res = (await hw.updateSecurityGroup(
      new UpdateSecurityGroupRequest(web).withBody(
        new UpdateSecurityGroupRequestBody(
          new UpdateSecurityGroupOption().withName('web-2').withDescription('renamed'),
        ),
      ),
    )) as any;
    expect(res.httpStatusCode).toBe(200);
    expect(res.security_group).toMatchObject({ id: web, name: 'web-2', description: 'renamed' });
    expect(res.security_group.security_group_rules).toHaveLength(13);
    expect(await nativeGroup(web)).toMatchObject({
      name: 'web-2',
      description: 'renamed',
      tags: { env: 'prod' },
    });
  });

  it('answers every refused request with the cloud error and changes nothing', async () => {
    const before = await nativeGroup(web);
    const rule = (o: Record<string, string>) => createRule(hw, web, o);

    expect(await hwError(showGroup(hw, 'sg-nosuchgroup'))).toMatchObject({ status: 404, code: 'VPC.9904' });
    expect(await hwError(createRule(hw, 'sg-nosuchgroup', { protocol: 'tcp' }))).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
    expect(await hwError(rule({ protocol: 'tcp', remoteGroupId: 'sg-nosuchgroup' }))).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
    expect(await hwError(rule({ protocol: 'tcp', remoteAddressGroupId: 'ag-nosuchgroup' }))).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
    const dup = await hwError(
      rule({ protocol: 'tcp', multiport: '22,3389,80', remoteIpPrefix: '10.0.0.0/8' }),
    );
    expect(dup).toMatchObject({ status: 409, code: 'VPC.9902' });
    const multi = before.rules.find((r: any) => r.remoteIpPrefix === '10.0.0.0/8');
    expect(dup.msg).toContain(multi.id);
    // An egress rule without a remote is the starting egress rule to 0.0.0.0/0.
    expect(await hwError(rule({ direction: 'egress', priority: '100' }))).toMatchObject({
      status: 409,
      code: 'VPC.9902',
    });
    expect(await hwError(rule({ ethertype: 'IPv5', protocol: 'tcp' }))).toMatchObject({
      status: 400,
      code: 'VPC.9902',
    });
    expect(await hwError(rule({ ethertype: 'IPv6', protocol: 'icmp' }))).toMatchObject({
      status: 400,
      code: 'VPC.9902',
    });
    expect(await hwError(rule({ protocol: 'tcp', remoteIpPrefix: '::/0' }))).toMatchObject({
      status: 400,
      code: 'VPC.9902',
    });
    expect(
      await hwError(rule({ ethertype: 'IPv6', protocol: 'tcp', remoteAddressGroupId: ag })),
    ).toMatchObject({
      status: 400,
      code: 'VPC.9902',
    });
    const bads: Record<string, string>[] = [
      { protocol: 'tcp', priority: '101' },
      { protocol: 'tcp', priority: 'high' },
      { protocol: 'tcp', multiport: '70000' },
      { protocol: 'tcp', multiport: '80-' },
      { protocol: 'tcp', multiport: '90-80' },
      { protocol: 'all-of-them' },
      { protocol: 'icmp', multiport: '80' },
      { protocol: 'tcp', remoteIpPrefix: '10.0.0.0/8', remoteGroupId: dbGroup },
      { protocol: 'tcp', remoteIpPrefix: '10.0.0.300/8' },
      { protocol: 'tcp', action: 'reject' },
      { direction: 'sideways', protocol: 'tcp' },
      { protocol: 'tcp', description: '<script>' },
    ];
    for (const bad of bads)
      expect(await hwError(rule(bad)), JSON.stringify(bad)).toMatchObject({ status: 400, code: 'VPC.9901' });

    // Quota: 13 rules, 14 allowed; a batch of two fails whole.
    const batch = new BatchCreateSecurityGroupRulesRequestBody(
      ['7000', '7001'].map((port) =>
        new BatchCreateSecurityGroupRulesOption()
          .withDirection('ingress')
          .withProtocol('tcp')
          .withMultiport(port),
      ),
    );
    expect(
      await hwError(
        hw.batchCreateSecurityGroupRules(
          new BatchCreateSecurityGroupRulesRequest().withSecurityGroupId(web).withBody(batch),
        ),
      ),
    ).toMatchObject({ status: 409, code: 'VPC.9905' });
    // A dry run checks and answers 202 SYS.0202; nothing is made.
    const dry = await createRule(hw, web, { protocol: 'tcp', multiport: '7000' }, true);
    expect(dry).toMatchObject({ httpStatusCode: 202, error_code: 'SYS.0202' });
    expect(await hwError(createRule(hw, web, { protocol: 'tcp', multiport: '70000' }, true))).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });

    expect(await hwError(createGroup(hw, 'bad name!'))).toMatchObject({ status: 400, code: 'VPC.9901' });
    expect(await hwError(createGroup(hw, 'x', (o) => o.withDescription('a <b>')))).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });
    expect(await hwError(createGroup(hw, 'x', (o) => o.withEnterpriseProjectId('ep-1')))).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });
    const after = await nativeGroup(web);
    expect(after.rules).toEqual(before.rules);
    expect(after.revision).toBe(before.revision);

    // A dry run of a group create checks and makes nothing.
    const groupsAtFirst = await native.get<any>(`/v1/security-groups?regionId=${REGION}`);
    const dryGroup = await hw.createSecurityGroup(
      new CreateSecurityGroupRequest().withBody(
        new CreateSecurityGroupRequestBody(new CreateSecurityGroupOption('dry')).withDryRun(true),
      ),
    );
    expect(dryGroup).toMatchObject({ httpStatusCode: 202, error_code: 'SYS.0202' });
    expect(await native.get<any>(`/v1/security-groups?regionId=${REGION}`)).toEqual(groupsAtFirst);

    // Group quota: 4 per tenant, 2 made; the fifth is refused whole.
    await createGroup(hw, 'spare-1');
    await createGroup(hw, 'spare-2');
    const groupsBefore = await native.get<any>(`/v1/security-groups?regionId=${REGION}`);
    expect(await hwError(createGroup(hw, 'one-too-many'))).toMatchObject({ status: 409, code: 'VPC.9905' });
    expect(await native.get<any>(`/v1/security-groups?regionId=${REGION}`)).toEqual(groupsBefore);
    for (const g of groupsBefore.items.filter((x: any) => x.name.startsWith('spare-')))
      expect((await hw.deleteSecurityGroup(new DeleteSecurityGroupRequest(g.id))).httpStatusCode).toBe(204);
  });

  it('deletes rules; a deleted or unknown rule is 404', async () => {
    const n = await nativeGroup(web);
    const target = n.rules.find((r: any) => r.priority === 30 && r.ports?.[0].from === 1194);
    const res = await hw.deleteSecurityGroupRule(new DeleteSecurityGroupRuleRequest(target.id));
    expect(res.httpStatusCode).toBe(204);
    expect(
      await hwError(hw.showSecurityGroupRule(new ShowSecurityGroupRuleRequest(target.id))),
    ).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
    expect(
      await hwError(hw.deleteSecurityGroupRule(new DeleteSecurityGroupRuleRequest('sgr-nosuchrule'))),
    ).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
    const left = await nativeGroup(web);
    expect(left.rules.map((r: any) => r.id)).not.toContain(target.id);
    expect(left.rules).toHaveLength(n.rules.length - 1);
  });

  it('creates, lists, updates and deletes address groups; refuses entries the model cannot hold', async () => {
    const shown = (await hw.showAddressGroup(new ShowAddressGroupRequest(ag))) as any;
    // Huawei's default max_capacity (0-20).
    expect(shown.address_group).toMatchObject({ id: ag, name: 'office', ip_version: 4, max_capacity: 20 });
    const v6 = (await createAddressGroup(hw, 'office-v6', 6, ['2001:db8::/48'])).address_group;
    const list4 = (await hw.listAddressGroup(new ListAddressGroupRequest().withIpVersion(4))) as any;
    expect(list4.address_groups.map((a: any) => a.id)).toEqual([ag]);
    const byName = (await hw.listAddressGroup(new ListAddressGroupRequest().withName(['office-v6']))) as any;
    expect(byName.address_groups.map((a: any) => a.id)).toEqual([v6.id]);

    const updated = (await hw.updateAddressGroup(
      new UpdateAddressGroupRequest(ag).withBody(
        new UpdateAddressGroupRequestBody(
          new UpdateAddressGroupOption().withName('office-2').withIpSet(['192.168.0.0/24', '172.16.0.0/12']),
        ),
      ),
    )) as any;
    expect(updated.address_group).toMatchObject({
      name: 'office-2',
      ip_set: ['192.168.0.0/24', '172.16.0.0/12'],
    });
    const nativeAg = await native.get<any>(`/v1/address-groups/${ag}`);
    expect(nativeAg).toMatchObject({
      name: 'office-2',
      entries: ['192.168.0.0/24', '172.16.0.0/12'],
      ethertype: 'IPv4',
    });

    const update = (o: InstanceType<typeof UpdateAddressGroupOption>) =>
      hw.updateAddressGroup(new UpdateAddressGroupRequest(ag).withBody(new UpdateAddressGroupRequestBody(o)));
    expect(
      // Ranges are accepted (huawei-items.test.ts); an inverted one is not.
      await hwError(update(new UpdateAddressGroupOption().withIpSet(['10.0.0.9-10.0.0.1']))),
    ).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });
    expect(
      await hwError(update(new UpdateAddressGroupOption().withIpSet(['10.0.0.0/8', '10.0.0.0/8']))),
    ).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });
    expect(await hwError(update(new UpdateAddressGroupOption().withIpSet(['2001:db8::1'])))).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });
    expect(
      await hwError(
        update(
          new UpdateAddressGroupOption().withIpExtraSet([
            new IpExtraSetOption('10.0.0.1').withRemarks('db host'),
          ]),
        ),
      ),
    ).toMatchObject({ status: 400, code: 'VPC.9901' });
    const many = Array.from({ length: 21 }, (_, i) => `10.9.${i}.0/24`);
    expect(await hwError(update(new UpdateAddressGroupOption().withIpSet(many)))).toMatchObject({
      status: 409,
      code: 'VPC.9905',
    });
    expect(await hwError(createAddressGroup(hw, 'huge', 4, many))).toMatchObject({
      status: 409,
      code: 'VPC.9905',
    });
    expect(await native.get<any>(`/v1/address-groups/${ag}`)).toEqual(nativeAg);
    // max_capacity is Huawei's 0-20: no room beyond it can be asked for.
    expect(await hwError(createAddressGroup(hw, 'roomy', 4, many, 50))).toMatchObject({
      status: 400,
      code: 'VPC.9901',
    });
    // An extra set without remarks is accepted.
    const roomy = await createAddressGroup(hw, 'roomy', 4, many.slice(0, 20));
    expect(roomy.address_group.ip_set).toHaveLength(20);
    const extra = await hw.updateAddressGroup(
      new UpdateAddressGroupRequest(roomy.address_group.id).withBody(
        new UpdateAddressGroupRequestBody(
          new UpdateAddressGroupOption().withIpExtraSet([new IpExtraSetOption('10.0.0.1')]),
        ),
      ),
    );
    expect((extra as any).address_group.ip_set).toEqual(['10.0.0.1']);

    // In use by web's rule: plain delete refused, force delete takes the rule with it.
    const inUse = await hwError(hw.deleteAddressGroup(new DeleteAddressGroupRequest(ag)));
    expect(inUse).toMatchObject({ status: 409, code: 'VPC.9907' });
    expect(await native.get<any>(`/v1/address-groups/${ag}`)).toEqual(nativeAg);
    const rulesBefore = (await nativeGroup(web)).rules;
    const forced = await hw.deleteIpAddressGroupForce(new DeleteIpAddressGroupForceRequest(ag));
    expect(forced.httpStatusCode).toBe(204);
    const rulesAfter = (await nativeGroup(web)).rules;
    expect(rulesAfter).toHaveLength(rulesBefore.length - 1);
    expect(rulesAfter.some((r: any) => r.remoteAddressGroup === ag)).toBe(false);
    expect(await hwError(hw.showAddressGroup(new ShowAddressGroupRequest(ag)))).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
    expect((await hw.deleteAddressGroup(new DeleteAddressGroupRequest(v6.id))).httpStatusCode).toBe(204);
  });

  it('refuses to delete a group in use or referenced, then deletes it', async () => {
    // db is the remote of a web rule.
    const referenced = await hwError(hw.deleteSecurityGroup(new DeleteSecurityGroupRequest(dbGroup)));
    expect(referenced).toMatchObject({ status: 409, code: 'VPC.9902' });
    // A server in the group (made through the native API, in the VPC the front end chose).
    const vpcs = await native.get<any>(`/v1/vpcs?regionId=${REGION}`);
    expect(vpcs.items).toHaveLength(1);
    const spare = await createGroup(hw, 'member-of');
    const inst = await native.post<any>('/v1/instances', {
      regionId: REGION,
      vpcId: vpcs.items[0].id,
      name: 'vm-1',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [spare.security_group.id] }],
    });
    expect(
      await hwError(hw.deleteSecurityGroup(new DeleteSecurityGroupRequest(spare.security_group.id))),
    ).toMatchObject({
      status: 409,
      code: 'VPC.9902',
    });
    await native.delete(`/v1/instances/${inst.id}`);
    await nextSecond();
    expect(
      (await hw.deleteSecurityGroup(new DeleteSecurityGroupRequest(spare.security_group.id))).httpStatusCode,
    ).toBe(204);

    const webRules = (await nativeGroup(web)).rules.filter((r: any) => r.remoteGroup === dbGroup);
    for (const r of webRules) await hw.deleteSecurityGroupRule(new DeleteSecurityGroupRuleRequest(r.id));
    await nextSecond();
    expect((await hw.deleteSecurityGroup(new DeleteSecurityGroupRequest(dbGroup))).httpStatusCode).toBe(204);
    expect(await hwError(showGroup(hw, dbGroup))).toMatchObject({ status: 404, code: 'VPC.9904' });
  });

  it("keeps tenants apart: another tenant's key sees nothing of alice's", async () => {
    expect(await hwError(showGroup(bobHw, web))).toMatchObject({ status: 404, code: 'VPC.9904' });
    const list = (await bobHw.listSecurityGroups(new ListSecurityGroupsRequest())) as any;
    expect(list.security_groups).toEqual([]);
    expect(await hwError(createRule(bobHw, web, { protocol: 'tcp' }))).toMatchObject({
      status: 404,
      code: 'VPC.9904',
    });
  });

  it('authenticates SDK-HMAC-SHA256: wrong secret, unknown key, stale date, replay, unknown project', async () => {
    expect(await hwError(showGroup(client(t.url, key.id, 'not-the-secret'), web))).toMatchObject({
      status: 401,
      code: 'APIGW.0301',
    });
    expect(await hwError(showGroup(client(t.url, 'PKNOSUCHKEY', key.secret), web))).toMatchObject({
      status: 401,
      code: 'APIGW.0301',
    });
    expect(await hwError(showGroup(client(t.url, key.id, key.secret, 'nowhere'), web))).toMatchObject({
      status: 401,
      code: 'APIGW.0301',
    });
    expect(await hwError(showGroup(client(t.url, key.id, key.secret, 'os-region'), web))).toMatchObject({
      status: 401,
      code: 'APIGW.0301',
    });

    // A raw signed request, sent twice: the second is a replay.
    const url = `${t.url}/v3/${REGION}/vpc/security-group-rules`;
    const body = JSON.stringify({
      security_group_rule: {
        security_group_id: web,
        direction: 'ingress',
        protocol: 'tcp',
        multiport: '9443',
      },
    });
    const headers = signRequest({ ak: key.id, sk: key.secret }, 'POST', url, body, {
      'x-project-id': REGION,
    });
    const first = await fetch(url, { method: 'POST', headers, body });
    expect(first.status).toBe(201);
    const countAfterFirst = (await nativeGroup(web)).rules.length;
    const replay = await fetch(url, { method: 'POST', headers, body });
    expect(replay.status).toBe(401);
    const replayBody = await replay.json();
    expect(replayBody).toMatchObject({ error_code: 'APIGW.0301' });
    expect(replay.headers.get('x-request-id')).toBe(replayBody.request_id);
    expect((await nativeGroup(web)).rules).toHaveLength(countAfterFirst);

    // A tampered body, a stale date, a project header that is not the URL's.
    const tampered = await fetch(url, { method: 'POST', headers, body: body.replace('9443', '9444') });
    expect(tampered.status).toBe(401);
    const stale = signRequest(
      { ak: key.id, sk: key.secret },
      'GET',
      `${t.url}/v3/${REGION}/vpc/security-groups`,
      '',
      {},
      Date.now() - 20 * 60 * 1000,
    );
    const staleRes = await fetch(`${t.url}/v3/${REGION}/vpc/security-groups`, { headers: stale });
    expect(staleRes.status).toBe(401);
    expect(await staleRes.json()).toMatchObject({ error_code: 'APIGW.0301' });
    const other = signRequest(
      { ak: key.id, sk: key.secret },
      'GET',
      `${t.url}/v3/${REGION}/vpc/security-groups`,
      '',
      {
        'x-project-id': 'os-region',
      },
    );
    const mismatch = await fetch(`${t.url}/v3/${REGION}/vpc/security-groups`, { headers: other });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ error_code: 'VPC.0007' });
    // Unsigned, and an API that does not exist.
    const unsigned = await fetch(`${t.url}/v3/${REGION}/vpc/security-groups`);
    expect(unsigned.status).toBe(401);
    const missing = await fetch(`${t.url}/v3/${REGION}/vpc/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error_code: 'APIGW.0101' });
    // Query strings are part of the signature (repeated keys sorted).
    const q = `${t.url}/v3/${REGION}/vpc/security-groups?name=web-2&id=${web}&id=${dbGroup}&limit=5`;
    const listed = await fetch(q, { headers: signRequest({ ak: key.id, sk: key.secret }, 'GET', q) });
    expect(listed.status).toBe(200);
    const listedBody = await listed.json();
    expect(listed.headers.get('x-request-id')).toBe(listedBody.request_id);
    expect(listedBody.security_groups.map((g: any) => g.id)).toEqual([web]);
    // Reads are not replay-checked (identical SDK reads within a second share a signature).
    const again = await fetch(q, { headers: signRequest({ ak: key.id, sk: key.secret }, 'GET', q) });
    expect(again.status).toBe(200);
    // An operator key has no tenant: the project view needs a tenant key.
    const admin = client(t.url, TEST_ENV.PALISADE_ADMIN_KEY_ID, TEST_ENV.PALISADE_ADMIN_SECRET);
    expect(await hwError(showGroup(admin, web))).toMatchObject({ status: 403, code: 'VPC.2201' });
  });

  it('takes tag keys named like Object.prototype members as ordinary keys', async () => {
    await t.admin.post('/v1/tenants', { id: 'carol', name: 'carol' });
    const carol = await t.admin.post<any>('/v1/access-keys', { tenantId: 'carol' });
    const url = `${t.url}/v3/${REGION}/vpc/security-groups`;
    const post = (tags: unknown[]) => {
      const body = JSON.stringify({ security_group: { name: 'proto-tags', tags } });
      const headers = signRequest({ ak: carol.id, sk: carol.secret }, 'POST', url, body);
      return fetch(url, { method: 'POST', headers, body });
    };
    const created = await post([
      { key: 'constructor', value: 'x' },
      { key: '__proto__', value: 'y' },
      { key: 'toString', value: 'z' },
    ]);
    expect(created.status).toBe(201);
    const id = (await created.json()).security_group.id;
    const carolNative = new PalisadeClient(t.url, { keyId: carol.id, secret: carol.secret });
    const tags = (await carolNative.get<any>(`/v1/security-groups/${id}`)).tags;
    expect(Object.entries(tags)).toEqual([
      ['constructor', 'x'],
      ['__proto__', 'y'],
      ['toString', 'z'],
    ]);
    // A key given twice is still refused.
    const twice = await post([
      { key: 'constructor', value: 'x' },
      { key: 'constructor', value: 'y' },
    ]);
    expect(twice.status).toBe(400);
  });
});
