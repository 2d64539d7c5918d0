// The Alibaba Cloud ECS RPC front end through the official clients against a real server on
// SQLite: @alicloud/ecs20140526 7.x (ACS3-HMAC-SHA256) for groups, rules in both request forms,
// modifications, revocations, ENIs and memberships and every error with a check that nothing
// changed; @alicloud/pop-core (signature 1.0) for a few actions, a replayed nonce and a wrong
// secret; Format=XML answers; and the same objects through the native API.
import { createRequire } from 'node:module';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import {
  percentEncode,
  v1Signature,
  v1StringToSign,
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
} from '../../src/compat/alibaba/signing.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

// The clients are CommonJS: load them as Node does, whatever the test runner's interop.
const load = createRequire(import.meta.url);
const ecs: any = load('@alicloud/ecs20140526');
const { Config } = load('@alicloud/openapi-client');
const OpenApiUtil: any = load('@alicloud/openapi-core').OpenApiUtil;
const RPCClient: any = load('@alicloud/pop-core').RPCClient;

const Ecs = ecs.default;
const REGION = 'cn-palisade-1';
const SMALL = 'cn-palisade-small';

interface Key {
  id: string;
  secret: string;
}

function ecsClient(t: TestServer, key: Key, regionId = REGION) {
  return new Ecs(
    new Config({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      endpoint: t.url.replace(/^http:\/\//, ''),
      protocol: 'http',
      regionId,
    }),
  );
}

function popClient(t: TestServer, key: Key) {
  return new RPCClient({
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    endpoint: t.url,
    apiVersion: '2014-05-26',
  });
}

/** The SDK's exception for a failed call: HTTP status and ECS error code. */
async function ecsError(call: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await call;
  } catch (e) {
    const x = e as { statusCode?: number; code?: string; message: string };
    if (x.statusCode !== undefined) return { status: x.statusCode, code: x.code!, message: x.message };
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function popError(call: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await call;
  } catch (e) {
    const x = e as { code?: string; entry?: { response?: { statusCode?: number } } };
    if (x.code) return { code: x.code, status: x.entry?.response?.statusCode ?? 0 };
    throw e;
  }
  throw new Error('expected the call to fail');
}

const isoSeconds = (at: number) => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');

/** A signature-1.0 GET signed as pop-core signs (checked against the test vector below). */
function signedUrl(base: string, key: Key, params: Record<string, string>, at = Date.now()): string {
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: '2014-05-26',
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: `${Math.random()}-${at}`,
    Timestamp: isoSeconds(at),
    ...params,
  };
  const pairs = Object.entries(all);
  const signature = v1Signature(key.secret, v1StringToSign('GET', pairs));
  const query = [...pairs, ['Signature', signature]].map(
    ([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`,
  );
  return `${base}/?${query.join('&')}`;
}

/** An ACS3-signed POST as @alicloud/openapi-core signs it (its signer is checked against ours below). */
function acs3Request(
  base: string,
  key: Key,
  action: string,
  query: Record<string, string>,
  o: { at?: number; nonce?: string; signed?: string[]; send?: Record<string, string> } = {},
): [string, RequestInit] {
  const host = new URL(base).host;
  const headers: Record<string, string> = {
    host,
    'x-acs-action': action,
    'x-acs-version': '2014-05-26',
    'x-acs-date': isoSeconds(o.at ?? Date.now()),
    'x-acs-signature-nonce': o.nonce ?? `${Math.random()}`,
    'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  };
  const signed = o.signed ?? Object.keys(headers).sort();
  const signature = acs3Signature(
    key.secret,
    acs3StringToSign(acs3CanonicalRequest('POST', '/', Object.entries(query), headers, signed, '')),
  );
  const sent = o.send ?? query;
  const url = `${base}/?${Object.entries(sent)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&')}`;
  const { host: _host, ...rest } = headers;
  return [
    url,
    {
      method: 'POST',
      headers: {
        ...rest,
        authorization: `ACS3-HMAC-SHA256 Credential=${key.id},SignedHeaders=${signed.join(';')},Signature=${signature}`,
      },
    },
  ];
}

describe('Alibaba ECS API', () => {
  let db: TestDatabase;
  let t: TestServer;
  let key: Key;
  let native: PalisadeClient;
  let api: any;
  let vpc: string;

  const revision = async () =>
    ((await (await fetch(`${t.url}/readyz`)).json()) as { revision: number }).revision;
  const req = (name: string, fields: Record<string, unknown>) =>
    new ecs[name]({ regionId: REGION, ...fields });
  const attribute = async (groupId: string, direction = 'all') =>
    (
      await api.describeSecurityGroupAttribute(
        req('DescribeSecurityGroupAttributeRequest', { securityGroupId: groupId, direction }),
      )
    ).body;
  const permissions = async (groupId: string, direction = 'all') =>
    (await attribute(groupId, direction)).permissions.permission as any[];
  const newGroup = async (name: string, extra: Record<string, unknown> = {}) =>
    (
      await api.createSecurityGroup(
        req('CreateSecurityGroupRequest', { vpcId: vpc, securityGroupName: name, ...extra }),
      )
    ).body.securityGroupId as string;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: REGION, name: 'Palisade Alibaba 1', profile: 'alibaba' });
    await t.admin.post('/v1/regions', {
      id: SMALL,
      profile: 'alibaba',
      quotas: { groupsPerTenant: 1, rulesPerGroup: 2 },
    });
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    await t.admin.post('/v1/tenants', { id: 'acme', name: 'acme' });
    key = await t.admin.post<Key>('/v1/access-keys', { tenantId: 'acme' });
    native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    vpc = (
      await native.post<{ id: string }>('/v1/vpcs', { regionId: REGION, name: 'main', cidr: '10.0.0.0/16' })
    ).id;
    api = ecsClient(t, key);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('signs as the clients do: the signature 1.0 test vector and the SDK own ACS3 signer', () => {
    const pairs: [string, string][] = [
      ['Timestamp', '2016-02-23T12:46:24Z'],
      ['Format', 'XML'],
      ['AccessKeyId', 'testid'],
      ['Action', 'DescribeRegions'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
      ['Version', '2014-05-26'],
      ['SignatureVersion', '1.0'],
    ];
    expect(v1Signature('testsecret', v1StringToSign('GET', pairs))).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(percentEncode("a b*~!'()")).toBe('a%20b%2A~%21%27%28%29');

    // ACS3: the same canonical request and signature as @alicloud/openapi-core's own signer.
    const headers = {
      host: '127.0.0.1:1234',
      'x-acs-action': 'AuthorizeSecurityGroup',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2026-11-29T08:00:00Z',
      'x-acs-signature-nonce': 'abc',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      accept: 'application/json',
    };
    const query = { RegionId: 'cn-1', 'Permissions.1.Description': 'a b*(c)~', 'Tag.1.Key': 'k/=&' };
    const expected = OpenApiUtil.getAuthorization(
      { pathname: '/', method: 'POST', query, headers },
      'ACS3-HMAC-SHA256',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'AK',
      'secret',
    ) as string;
    const signed = [
      'host',
      'x-acs-action',
      'x-acs-content-sha256',
      'x-acs-date',
      'x-acs-signature-nonce',
      'x-acs-version',
    ];
    const ours = acs3Signature(
      'secret',
      acs3StringToSign(acs3CanonicalRequest('POST', '/', Object.entries(query), headers, signed, '')),
    );
    expect(expected).toBe(
      `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=${signed.join(';')},Signature=${ours}`,
    );
  });

  it('answers DescribeRegions with the alibaba-profile regions', async () => {
    const regions = (await api.describeRegions(new ecs.DescribeRegionsRequest({}))).body.regions.region;
    expect(regions.map((r: any) => r.regionId)).toEqual([REGION, SMALL]);
    expect(regions[0]).toMatchObject({ localName: 'Palisade Alibaba 1', status: 'available' });
  });

  it('creates normal and enterprise groups with tags, idempotent under a ClientToken', async () => {
    const id = await newGroup('web-1', {
      description: 'web servers',
      clientToken: 'token-web-1',
      tag: [new ecs.CreateSecurityGroupRequestTag({ key: 'env', value: 'prod' })],
    });
    expect(id).toMatch(/^sg-/);
    const again = await newGroup('web-1', {
      description: 'web servers',
      clientToken: 'token-web-1',
      tag: [new ecs.CreateSecurityGroupRequestTag({ key: 'env', value: 'prod' })],
    });
    expect(again).toBe(id);
    const reused = await ecsError(newGroup('other', { clientToken: 'token-web-1' }));
    expect(reused).toMatchObject({ status: 400, code: 'IdempotentParameterMismatch' });

    const ent = await newGroup('ent-1', { securityGroupType: 'enterprise' });
    const listed = (
      await api.describeSecurityGroups(
        req('DescribeSecurityGroupsRequest', { securityGroupIds: JSON.stringify([id, ent]) }),
      )
    ).body;
    expect(listed.totalCount).toBe(2);
    const byId = new Map(listed.securityGroups.securityGroup.map((g: any) => [g.securityGroupId, g]));
    expect(byId.get(id)).toMatchObject({
      securityGroupName: 'web-1',
      description: 'web servers',
      securityGroupType: 'normal',
      vpcId: vpc,
      ruleCount: 0,
      ecsCount: 0,
      tags: { tag: [{ tagKey: 'env', tagValue: 'prod' }] },
    });
    expect(byId.get(ent)).toMatchObject({ securityGroupType: 'enterprise', ruleCount: 2 });
    const tagged = (
      await api.describeSecurityGroups(
        req('DescribeSecurityGroupsRequest', {
          tag: [new ecs.DescribeSecurityGroupsRequestTag({ key: 'env', value: 'prod' })],
        }),
      )
    ).body;
    expect(tagged.securityGroups.securityGroup.map((g: any) => g.securityGroupId)).toEqual([id]);
    const page1 = (await api.describeSecurityGroups(req('DescribeSecurityGroupsRequest', { maxResults: 1 })))
      .body;
    expect(page1.securityGroups.securityGroup).toHaveLength(1);
    const page2 = (
      await api.describeSecurityGroups(
        req('DescribeSecurityGroupsRequest', { maxResults: 1, nextToken: page1.nextToken }),
      )
    ).body;
    expect(page2.securityGroups.securityGroup[0].securityGroupId).not.toBe(
      page1.securityGroups.securityGroup[0].securityGroupId,
    );
    expect((await attribute(ent)).innerAccessPolicy).toBe('Drop');
  });

  it('authorizes rules in both forms, describes them, and the native API shows the same rules', async () => {
    const web = await newGroup('web-2');
    const peer = await newGroup('peer-2');
    const pl = (
      await api.createPrefixList(
        req('CreatePrefixListRequest', {
          prefixListName: 'offices',
          addressFamily: 'IPv4',
          maxEntries: 10,
          entry: [new ecs.CreatePrefixListRequestEntry({ cidr: '203.0.113.0/24' })],
        }),
      )
    ).body.prefixListId;
    // Legacy top-level fields.
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: web,
        ipProtocol: 'tcp',
        portRange: '22/22',
        sourceCidrIp: '10.0.0.0/8',
        priority: '10',
        description: 'ssh',
      }),
    );
    // The Permissions.N form: several rules in one request.
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: web,
        permissions: [
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'TCP',
            portRange: '80/80',
            sourceCidrIp: '0.0.0.0/0',
            policy: 'drop',
            priority: '5',
            sourcePortRange: '1024/65535',
          }),
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'ICMP',
            portRange: '-1/-1',
            sourceGroupId: peer,
          }),
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'ALL',
            portRange: '-1/-1',
            ipv6SourceCidrIp: '2001:db8::/32',
          }),
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'UDP',
            portRange: '53/53',
            sourcePrefixListId: pl,
          }),
        ],
      }),
    );
    await api.authorizeSecurityGroupEgress(
      req('AuthorizeSecurityGroupEgressRequest', {
        securityGroupId: web,
        ipProtocol: 'udp',
        portRange: '123/123',
        destCidrIp: '192.168.0.0/16',
      }),
    );
    await api.authorizeSecurityGroupEgress(
      req('AuthorizeSecurityGroupEgressRequest', {
        securityGroupId: web,
        permissions: [
          new ecs.AuthorizeSecurityGroupEgressRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '443/443',
            destGroupId: peer,
            policy: 'accept',
          }),
          new ecs.AuthorizeSecurityGroupEgressRequestPermissions({
            ipProtocol: 'all',
            portRange: '-1/-1',
            destCidrIp: '0.0.0.0/0',
            policy: 'Drop',
            priority: '100',
          }),
        ],
      }),
    );
    // An identical rule again: success, nothing added.
    const before = await revision();
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: web,
        ipProtocol: 'TCP',
        portRange: '22/22',
        sourceCidrIp: '10.0.0.0/8',
        priority: '10',
        description: 'again',
      }),
    );
    expect(await revision()).toBe(before);

    const ingress = await permissions(web, 'ingress');
    expect(ingress).toHaveLength(5);
    const ssh = ingress.find((p: any) => p.portRange === '22/22');
    expect(ssh).toMatchObject({
      direction: 'ingress',
      ipProtocol: 'TCP',
      sourceCidrIp: '10.0.0.0/8',
      policy: 'Accept',
      priority: '10',
      nicType: 'intranet',
      description: 'ssh',
      destCidrIp: '',
    });
    expect(ssh.securityGroupRuleId).toMatch(/^sgr-/);
    expect(ssh.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ingress.find((p: any) => p.portRange === '80/80')).toMatchObject({
      policy: 'Drop',
      priority: '5',
      sourcePortRange: '1024/65535',
    });
    expect(ingress.find((p: any) => p.ipProtocol === 'ICMP')).toMatchObject({
      sourceGroupId: peer,
      sourceGroupName: 'peer-2',
      portRange: '-1/-1',
    });
    expect(ingress.find((p: any) => p.ipProtocol === 'ALL')).toMatchObject({
      ipv6SourceCidrIp: '2001:db8::/32',
      sourceCidrIp: '',
    });
    expect(ingress.find((p: any) => p.ipProtocol === 'UDP')).toMatchObject({
      sourcePrefixListId: pl,
      sourcePrefixListName: 'offices',
    });
    const egress = await permissions(web, 'egress');
    expect(
      egress
        .map((p: any) => [p.ipProtocol, p.portRange, p.destCidrIp || p.destGroupId, p.policy, p.priority])
        .sort(),
    ).toEqual(
      [
        ['ALL', '-1/-1', '0.0.0.0/0', 'Drop', '100'],
        ['TCP', '443/443', peer, 'Accept', '1'],
        ['UDP', '123/123', '192.168.0.0/16', 'Accept', '1'],
      ].sort(),
    );

    // The native API reads the same group: same rule ids, same fields.
    const group = await native.get<any>(`/v1/security-groups/${web}`);
    expect(group.rules).toHaveLength(8);
    const nativeSsh = group.rules.find((r: any) => r.id === ssh.securityGroupRuleId);
    expect(nativeSsh).toMatchObject({
      direction: 'ingress',
      protocol: 'tcp',
      ports: [{ from: 22, to: 22 }],
      remoteIpPrefix: '10.0.0.0/8',
      action: 'allow',
      priority: 10,
      description: 'ssh',
    });
    expect(group.rules.find((r: any) => r.remoteAddressGroup === pl)).toMatchObject({
      protocol: 'udp',
      ports: [{ from: 53, to: 53 }],
    });
    expect(group.rules.find((r: any) => r.sourcePorts)).toMatchObject({
      action: 'deny',
      sourcePorts: [{ from: 1024, to: 65535 }],
    });
    const refs = (
      await api.describeSecurityGroupReferences(
        req('DescribeSecurityGroupReferencesRequest', { securityGroupId: [peer] }),
      )
    ).body.securityGroupReferences.securityGroupReference;
    expect(
      refs[0].referencingSecurityGroups.referencingSecurityGroup.map((x: any) => x.securityGroupId),
    ).toEqual([web]);
  });

  it('modifies rules, the inner access policy and attributes; revokes by id and by match', async () => {
    const g = await newGroup('mod-3');
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: g,
        permissions: [
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '22/22',
            sourceCidrIp: '10.1.0.0/16',
          }),
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '3389/3389',
            sourceCidrIp: '10.2.0.0/16',
            policy: 'drop',
            priority: '7',
          }),
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'udp',
            portRange: '161/162',
            sourceCidrIp: '10.3.0.0/16',
          }),
        ],
      }),
    );
    await api.authorizeSecurityGroupEgress(
      req('AuthorizeSecurityGroupEgressRequest', {
        securityGroupId: g,
        ipProtocol: 'tcp',
        portRange: '25/25',
        destCidrIp: '0.0.0.0/0',
        policy: 'drop',
      }),
    );
    const ssh = (await permissions(g, 'ingress')).find((p: any) => p.portRange === '22/22');
    await api.modifySecurityGroupRule(
      req('ModifySecurityGroupRuleRequest', {
        securityGroupId: g,
        securityGroupRuleId: ssh.securityGroupRuleId,
        portRange: '2222/2222',
        priority: '3',
        description: 'moved',
      }),
    );
    const moved = (await permissions(g, 'ingress')).find(
      (p: any) => p.securityGroupRuleId === ssh.securityGroupRuleId,
    );
    expect(moved).toMatchObject({
      portRange: '2222/2222',
      priority: '3',
      description: 'moved',
      sourceCidrIp: '10.1.0.0/16',
      ipProtocol: 'TCP',
    });
    // The legacy form names the rule by its fields and changes its description only.
    await api.modifySecurityGroupRule(
      req('ModifySecurityGroupRuleRequest', {
        securityGroupId: g,
        ipProtocol: 'udp',
        portRange: '161/162',
        sourceCidrIp: '10.3.0.0/16',
        description: 'snmp',
      }),
    );
    expect((await permissions(g, 'ingress')).find((p: any) => p.portRange === '161/162').description).toBe(
      'snmp',
    );
    expect(
      await ecsError(
        api.modifySecurityGroupRule(
          req('ModifySecurityGroupRuleRequest', {
            securityGroupId: g,
            ipProtocol: 'udp',
            portRange: '161/163',
            sourceCidrIp: '10.3.0.0/16',
            description: 'x',
          }),
        ),
      ),
    ).toMatchObject({ status: 400, code: 'InvalidSecurityGroupRule.RuleNotExist' });
    const smtp = (await permissions(g, 'egress'))[0];
    await api.modifySecurityGroupEgressRule(
      req('ModifySecurityGroupEgressRuleRequest', {
        securityGroupId: g,
        securityGroupRuleId: smtp.securityGroupRuleId,
        destCidrIp: '198.51.100.0/24',
        policy: 'accept',
      }),
    );
    expect((await permissions(g, 'egress'))[0]).toMatchObject({
      destCidrIp: '198.51.100.0/24',
      policy: 'Accept',
      portRange: '25/25',
    });

    await api.modifySecurityGroupPolicy(
      req('ModifySecurityGroupPolicyRequest', { securityGroupId: g, innerAccessPolicy: 'drop' }),
    );
    await api.modifySecurityGroupAttribute(
      req('ModifySecurityGroupAttributeRequest', {
        securityGroupId: g,
        securityGroupName: 'mod-3b',
        description: 'renamed',
      }),
    );
    const attr = await attribute(g);
    expect(attr).toMatchObject({
      innerAccessPolicy: 'Drop',
      securityGroupName: 'mod-3b',
      description: 'renamed',
      vpcId: vpc,
    });
    expect(await native.get<any>(`/v1/security-groups/${g}`)).toMatchObject({
      innerAccessPolicy: 'Drop',
      name: 'mod-3b',
    });

    // Revoke by id, then by matching fields (policy and priority are part of the match).
    await api.revokeSecurityGroup(
      req('RevokeSecurityGroupRequest', {
        securityGroupId: g,
        securityGroupRuleId: [ssh.securityGroupRuleId],
      }),
    );
    await api.revokeSecurityGroup(
      req('RevokeSecurityGroupRequest', {
        securityGroupId: g,
        permissions: [
          new ecs.RevokeSecurityGroupRequestPermissions({
            ipProtocol: 'TCP',
            portRange: '3389/3389',
            sourceCidrIp: '10.2.0.0/16',
            policy: 'Drop',
            priority: '7',
          }),
        ],
      }),
    );
    await api.revokeSecurityGroupEgress(
      req('RevokeSecurityGroupEgressRequest', {
        securityGroupId: g,
        ipProtocol: 'tcp',
        portRange: '25/25',
        destCidrIp: '198.51.100.0/24',
      }),
    );
    expect((await permissions(g)).map((p: any) => p.portRange)).toEqual(['161/162']);
  });

  it('creates an ENI, joins and leaves groups, describes ENIs and instances, deletes', async () => {
    const a = await newGroup('eni-a');
    const b = await newGroup('eni-b');
    const eni = (
      await api.createNetworkInterface(
        req('CreateNetworkInterfaceRequest', {
          vSwitchId: vpc,
          securityGroupId: a,
          primaryIpAddress: '10.0.1.5',
          networkInterfaceName: 'eni-one',
        }),
      )
    ).body;
    expect(eni).toMatchObject({
      vpcId: vpc,
      privateIpAddress: '10.0.1.5',
      securityGroupIds: { securityGroupId: [a] },
    });
    const eniId = eni.networkInterfaceId as string;
    await api.joinSecurityGroup(
      req('JoinSecurityGroupRequest', { securityGroupId: b, networkInterfaceId: eniId }),
    );
    const listed = (
      await api.describeNetworkInterfaces(
        req('DescribeNetworkInterfacesRequest', { networkInterfaceId: [eniId] }),
      )
    ).body.networkInterfaceSets.networkInterfaceSet;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      networkInterfaceId: eniId,
      privateIpAddress: '10.0.1.5',
      securityGroupIds: { securityGroupId: [a, b] },
    });
    const port = await native.get<any>(`/v1/ports/${eniId}`);
    expect(port.groupIds).toEqual([a, b]);
    const byGroup = (await api.describeInstances(req('DescribeInstancesRequest', { securityGroupId: b })))
      .body.instances.instance;
    expect(byGroup).toHaveLength(1);
    expect(byGroup[0]).toMatchObject({
      instanceName: 'eni-one',
      securityGroupIds: { securityGroupId: [a, b] },
    });
    expect(byGroup[0].networkInterfaces.networkInterface[0].networkInterfaceId).toBe(eniId);
    // Join by InstanceId acts on the instance's primary interface.
    await api.leaveSecurityGroup(
      req('LeaveSecurityGroupRequest', { securityGroupId: a, instanceId: byGroup[0].instanceId }),
    );
    expect((await native.get<any>(`/v1/ports/${eniId}`)).groupIds).toEqual([b]);
    const describedB = (
      await api.describeSecurityGroups(req('DescribeSecurityGroupsRequest', { securityGroupId: b }))
    ).body;
    expect(describedB.securityGroups.securityGroup[0].ecsCount).toBe(1);
    await api.deleteNetworkInterface(req('DeleteNetworkInterfaceRequest', { networkInterfaceId: eniId }));
    expect(
      (
        await api.describeNetworkInterfaces(
          req('DescribeNetworkInterfacesRequest', { networkInterfaceId: [eniId] }),
        )
      ).body.networkInterfaceSets.networkInterfaceSet,
    ).toEqual([]);
    await api.deleteSecurityGroup(req('DeleteSecurityGroupRequest', { securityGroupId: a }));
    await api.deleteSecurityGroup(req('DeleteSecurityGroupRequest', { securityGroupId: b }));
    expect(await ecsError(attribute(a))).toMatchObject({
      status: 404,
      code: 'InvalidSecurityGroupId.NotFound',
    });
  });

  it('answers every error in the ECS dialect and changes nothing', async () => {
    const g = await newGroup('err-4');
    const other = await newGroup('err-4-peer');
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: g,
        ipProtocol: 'tcp',
        portRange: '22/22',
        sourceCidrIp: '10.0.0.0/8',
      }),
    );
    await api.authorizeSecurityGroupEgress(
      req('AuthorizeSecurityGroupEgressRequest', {
        securityGroupId: g,
        ipProtocol: 'tcp',
        portRange: '443/443',
        destCidrIp: '0.0.0.0/0',
      }),
    );
    const rules = await permissions(g);
    const egressRule = rules.find((p: any) => p.direction === 'egress');
    const ingressRule = rules.find((p: any) => p.direction === 'ingress');
    const start = await revision();
    const legacy = (fields: Record<string, unknown>) =>
      api.authorizeSecurityGroup(req('AuthorizeSecurityGroupRequest', { securityGroupId: g, ...fields }));
    const perm = (fields: Record<string, unknown>) =>
      new ecs.AuthorizeSecurityGroupRequestPermissions(fields);

    const cases: [() => Promise<unknown>, number, string][] = [
      [() => attribute('sg-doesnotexist'), 404, 'InvalidSecurityGroupId.NotFound'],
      [
        () =>
          legacy({
            securityGroupId: 'sg-nope',
            ipProtocol: 'tcp',
            portRange: '1/2',
            sourceCidrIp: '1.1.1.1/32',
          }),
        404,
        'InvalidSecurityGroupId.NotFound',
      ],
      [
        () => legacy({ ipProtocol: 'ssh', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }),
        400,
        'InvalidIpProtocol.ValueNotSupported',
      ],
      [
        () => legacy({ ipProtocol: 'tcp/udp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }),
        400,
        'InvalidIpProtocol.Malformed',
      ],
      [
        () => legacy({ ipProtocol: 'tcp', portRange: '0/22', sourceCidrIp: '10.0.0.0/8' }),
        400,
        'InvalidPortRange.Malformed',
      ],
      [
        () => legacy({ ipProtocol: 'icmp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }),
        400,
        'InvalidPortRange.Malformed',
      ],
      [
        () => legacy({ ipProtocol: 'tcp', portRange: '22', sourceCidrIp: '10.0.0.0/8' }),
        400,
        'InvalidParam.PortRange',
      ],
      [
        () => legacy({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', policy: 'allow' }),
        400,
        'InvalidPolicy.Malformed',
      ],
      [
        () => legacy({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.0/8', priority: '101' }),
        400,
        'InvalidPriority.Malformed',
      ],
      [
        () => legacy({ ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '10.0.0.300/8' }),
        400,
        'InvalidSourceCidrIp.Malformed',
      ],
      [
        () => legacy({ ipProtocol: 'tcp', portRange: '22/22', sourceGroupId: 'sg-missing' }),
        404,
        'InvalidSourceGroupId.NotFound',
      ],
      [() => legacy({ portRange: '22/22', sourceCidrIp: '10.0.0.0/8' }), 400, 'MissingParameter'],
      [() => legacy({ ipProtocol: 'tcp', portRange: '22/22' }), 400, 'MissingParameter.Source'],
      // Both forms at once, duplicates in one request, and a batch with one bad rule: nothing added.
      [
        () =>
          legacy({
            ipProtocol: 'tcp',
            portRange: '23/23',
            sourceCidrIp: '10.0.0.0/8',
            permissions: [perm({ ipProtocol: 'tcp', portRange: '24/24', sourceCidrIp: '10.0.0.0/8' })],
          }),
        400,
        'InvalidParam.Permissions',
      ],
      [
        () =>
          legacy({
            permissions: [
              perm({ ipProtocol: 'tcp', portRange: '25/25', sourceCidrIp: '10.0.0.0/8' }),
              perm({ ipProtocol: 'TCP', portRange: '25/25', sourceCidrIp: '10.0.0.0/8', description: 'x' }),
            ],
          }),
        400,
        'InvalidParam.DuplicatePermissions',
      ],
      [
        () =>
          legacy({
            permissions: [
              perm({ ipProtocol: 'tcp', portRange: '26/26', sourceCidrIp: '10.0.0.0/8' }),
              perm({ ipProtocol: 'tcp', portRange: '27/27', sourceCidrIp: '10.0.0.0/8', priority: '0' }),
            ],
          }),
        400,
        'InvalidPriority.Malformed',
      ],
      [
        () =>
          api.revokeSecurityGroup(
            req('RevokeSecurityGroupRequest', { securityGroupId: g, securityGroupRuleId: ['sgr-unknown'] }),
          ),
        404,
        'InvalidSecurityGroupRuleId.NotFound',
      ],
      // An egress rule's id is not an ingress rule.
      [
        () =>
          api.revokeSecurityGroup(
            req('RevokeSecurityGroupRequest', {
              securityGroupId: g,
              securityGroupRuleId: [ingressRule.securityGroupRuleId, egressRule.securityGroupRuleId],
            }),
          ),
        404,
        'InvalidSecurityGroupRuleId.NotFound',
      ],
      [
        () =>
          api.revokeSecurityGroup(
            req('RevokeSecurityGroupRequest', {
              securityGroupId: g,
              ipProtocol: 'tcp',
              portRange: '22/22',
              sourceCidrIp: '10.9.0.0/16',
            }),
          ),
        400,
        'InvalidSecurityGroupRule.RuleNotExist',
      ],
      [
        () =>
          api.modifySecurityGroupRule(
            req('ModifySecurityGroupRuleRequest', {
              securityGroupId: g,
              securityGroupRuleId: egressRule.securityGroupRuleId,
              priority: '2',
            }),
          ),
        404,
        'InvalidSecurityGroupRuleId.NotFound',
      ],
      [
        () =>
          api.modifySecurityGroupRule(
            req('ModifySecurityGroupRuleRequest', {
              securityGroupId: g,
              securityGroupRuleId: ingressRule.securityGroupRuleId,
              portRange: '22-23',
            }),
          ),
        400,
        'InvalidParam.PortRange',
      ],
      [
        () =>
          api.modifySecurityGroupPolicy(
            req('ModifySecurityGroupPolicyRequest', { securityGroupId: g, innerAccessPolicy: 'maybe' }),
          ),
        400,
        'InvalidPolicy.Malformed',
      ],
      [
        () =>
          api.createSecurityGroup(
            req('CreateSecurityGroupRequest', { vpcId: vpc, securityGroupName: '1bad' }),
          ),
        400,
        'InvalidSecurityGroupName.Malformed',
      ],
      [
        () =>
          api.createSecurityGroup(
            req('CreateSecurityGroupRequest', { vpcId: 'vpc-missing', securityGroupName: 'x-vpc' }),
          ),
        404,
        'InvalidVpcId.NotFound',
      ],
      [
        () => api.createSecurityGroup(new ecs.CreateSecurityGroupRequest({ securityGroupName: 'no-region' })),
        400,
        'MissingRegionId',
      ],
      [
        () =>
          api.createSecurityGroup(
            new ecs.CreateSecurityGroupRequest({ regionId: 'cn-nowhere', securityGroupName: 'x' }),
          ),
        404,
        'InvalidRegionId.NotFound',
      ],
      [
        () =>
          api.createSecurityGroup(
            new ecs.CreateSecurityGroupRequest({ regionId: 'hw-1', securityGroupName: 'x' }),
          ),
        404,
        'InvalidRegionId.NotFound',
      ],
      [
        () =>
          ecsClient(t, { id: key.id, secret: 'wrong' }).describeSecurityGroups(
            req('DescribeSecurityGroupsRequest', {}),
          ),
        400,
        'SignatureDoesNotMatch',
      ],
      [
        () =>
          ecsClient(t, { id: 'PKNOSUCHKEY', secret: 'x' }).describeSecurityGroups(
            req('DescribeSecurityGroupsRequest', {}),
          ),
        404,
        'InvalidAccessKeyId.NotFound',
      ],
    ];
    for (const [call, status, code] of cases)
      expect(await ecsError(call()), code).toMatchObject({ status, code });
    expect(await permissions(g)).toEqual(rules);
    expect(await revision()).toBe(start);

    // State-dependent refusals: quota, in use, referenced, last group, not a member.
    const small = ecsClient(t, key, SMALL);
    await small.createSecurityGroup(
      new ecs.CreateSecurityGroupRequest({ regionId: SMALL, securityGroupName: 'only' }),
    );
    const quota = await ecsError(
      small.createSecurityGroup(
        new ecs.CreateSecurityGroupRequest({ regionId: SMALL, securityGroupName: 'second' }),
      ),
    );
    expect(quota).toMatchObject({ status: 403, code: 'QuotaExceed.SecurityGroup' });
    const only = (
      await small.describeSecurityGroups(new ecs.DescribeSecurityGroupsRequest({ regionId: SMALL }))
    ).body.securityGroups.securityGroup[0].securityGroupId;
    const three = ['1/1', '2/2', '3/3'].map(
      (portRange) =>
        new ecs.AuthorizeSecurityGroupRequestPermissions({
          ipProtocol: 'tcp',
          portRange,
          sourceCidrIp: '10.0.0.0/8',
        }),
    );
    const beforeQuota = await revision();
    expect(
      await ecsError(
        small.authorizeSecurityGroup(
          new ecs.AuthorizeSecurityGroupRequest({
            regionId: SMALL,
            securityGroupId: only,
            permissions: three,
          }),
        ),
      ),
    ).toMatchObject({ status: 403, code: 'AuthorizationLimitExceed' });
    expect(await revision()).toBe(beforeQuota);

    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: other,
        ipProtocol: 'all',
        portRange: '-1/-1',
        sourceGroupId: g,
      }),
    );
    const eni = (
      await api.createNetworkInterface(
        req('CreateNetworkInterfaceRequest', {
          vSwitchId: vpc,
          securityGroupId: g,
          primaryIpAddress: '10.0.2.9',
        }),
      )
    ).body.networkInterfaceId;
    const settled = await revision();
    const stateful: [() => Promise<unknown>, number, string][] = [
      [
        () => api.deleteSecurityGroup(req('DeleteSecurityGroupRequest', { securityGroupId: g })),
        403,
        'DependencyViolation',
      ],
      [
        () =>
          api.leaveSecurityGroup(
            req('LeaveSecurityGroupRequest', { securityGroupId: g, networkInterfaceId: eni }),
          ),
        403,
        'InstanceLastSecurityGroup',
      ],
      [
        () =>
          api.leaveSecurityGroup(
            req('LeaveSecurityGroupRequest', { securityGroupId: other, networkInterfaceId: eni }),
          ),
        400,
        'InvalidSecurityGroupAssociation.NotFound',
      ],
      [
        () =>
          api.joinSecurityGroup(
            req('JoinSecurityGroupRequest', { securityGroupId: g, networkInterfaceId: eni }),
          ),
        403,
        'InvalidInstanceId.AlreadyExists',
      ],
      [
        () =>
          api.joinSecurityGroup(
            req('JoinSecurityGroupRequest', { securityGroupId: g, networkInterfaceId: 'port-missing' }),
          ),
        404,
        'InvalidEniId.NotFound',
      ],
    ];
    for (const [call, status, code] of stateful)
      expect(await ecsError(call()), code).toMatchObject({ status, code });
    expect(await revision()).toBe(settled);
    await api.deleteNetworkInterface(req('DeleteNetworkInterfaceRequest', { networkInterfaceId: eni }));
    // No members now, but the peer group's rule still names it.
    const referenced = await ecsError(
      api.deleteSecurityGroup(req('DeleteSecurityGroupRequest', { securityGroupId: g })),
    );
    expect(referenced).toMatchObject({ status: 403, code: 'DependencyViolation' });
    expect(referenced.message).toContain('authorized in another one');
    expect((await native.get<any>(`/v1/security-groups/${g}`)).id).toBe(g);
  });

  it('serves the signature 1.0 path of @alicloud/pop-core: actions, an error, a replay and a wrong secret', async () => {
    const pop = popClient(t, key);
    const created = await pop.request(
      'CreateSecurityGroup',
      { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'pop-1' },
      { method: 'POST' },
    );
    expect(created.SecurityGroupId).toMatch(/^sg-/);
    await pop.request(
      'AuthorizeSecurityGroup',
      {
        RegionId: REGION,
        SecurityGroupId: created.SecurityGroupId,
        Permissions: [
          {
            IpProtocol: 'tcp',
            PortRange: '8080/8081',
            SourceCidrIp: '172.16.0.0/12',
            Description: 'alt http (pop)',
          },
        ],
      },
      { method: 'POST' },
    );
    const attr = await pop.request(
      'DescribeSecurityGroupAttribute',
      { RegionId: REGION, SecurityGroupId: created.SecurityGroupId },
      {},
    );
    expect(attr.Permissions.Permission).toHaveLength(1);
    expect(attr.Permissions.Permission[0]).toMatchObject({
      PortRange: '8080/8081',
      Description: 'alt http (pop)',
      // A string, as the ECS models type it.
      Priority: '1',
    });

    const missingGroup = await popError(
      pop.request('DescribeSecurityGroupAttribute', { RegionId: REGION, SecurityGroupId: 'sg-nope' }, {}),
    );
    expect(missingGroup).toEqual({ code: 'InvalidSecurityGroupId.NotFound', status: 404 });
    expect(await popError(pop.request('DescribeNothing', { RegionId: REGION }, {}))).toMatchObject({
      code: 'InvalidAction.NotFound',
      status: 404,
    });

    // A replayed request (same signed URL, same nonce) is refused.
    const verbose = new RPCClient(
      { accessKeyId: key.id, accessKeySecret: key.secret, endpoint: t.url, apiVersion: '2014-05-26' },
      true,
    );
    const [, first] = await verbose.request('DescribeSecurityGroups', { RegionId: REGION }, {});
    const replay = await fetch(first.url);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ Code: 'SignatureNonceUsed' });
    // A replayed write is refused too, and adds nothing.
    const [, write] = await verbose.request(
      'CreateSecurityGroup',
      { RegionId: REGION, VpcId: vpc, SecurityGroupName: 'pop-replay' },
      {},
    );
    const before = await revision();
    expect(await (await fetch(write.url)).json()).toMatchObject({ Code: 'SignatureNonceUsed' });
    expect(await revision()).toBe(before);

    const wrong = popClient(t, { id: key.id, secret: 'not-the-secret' });
    expect(await popError(wrong.request('DescribeRegions', {}, {}))).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 400,
    });
    // An unsigned header cannot turn a signed read into another action.
    const victim = await newGroup('pop-victim');
    const hijack = await fetch(
      signedUrl(t.url, key, { Action: 'DescribeSecurityGroups', RegionId: REGION, SecurityGroupId: victim }),
      { headers: { 'x-acs-action': 'DeleteSecurityGroup' } },
    );
    expect(hijack.status).toBe(400);
    expect(await hijack.json()).toMatchObject({ Code: 'InvalidParameter' });
    expect((await attribute(victim)).securityGroupId).toBe(victim);
    const stale = await fetch(
      signedUrl(t.url, key, { Action: 'DescribeRegions' }, Date.now() - 20 * 60 * 1000),
    );
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ Code: 'InvalidTimeStamp.Expired' });
  });

  it('keeps enterprise-group and membership rules, pages rules, honours ClientToken on rule writes', async () => {
    const ent = await newGroup('ent-6', { securityGroupType: 'enterprise' });
    const normal = await newGroup('normal-6');
    // Enterprise groups: allow rules only, no priorities, no group references either way.
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: ent,
        ipProtocol: 'tcp',
        portRange: '80/80',
        sourceCidrIp: '10.0.0.0/8',
        priority: '50',
      }),
    );
    expect((await permissions(ent, 'ingress'))[0]).toMatchObject({
      portRange: '80/80',
      priority: '1',
      policy: 'Accept',
    });
    const eni = (
      await api.createNetworkInterface(
        req('CreateNetworkInterfaceRequest', {
          vSwitchId: vpc,
          securityGroupIds: [normal],
          primaryIpAddress: '10.0.6.6',
        }),
      )
    ).body.networkInterfaceId;
    const before = await revision();
    const refused: [() => Promise<unknown>, number, string][] = [
      [
        () =>
          api.authorizeSecurityGroup(
            req('AuthorizeSecurityGroupRequest', {
              securityGroupId: ent,
              ipProtocol: 'tcp',
              portRange: '81/81',
              sourceCidrIp: '10.0.0.0/8',
              policy: 'drop',
            }),
          ),
        400,
        'InvalidGroupParameter.OperationDenied',
      ],
      [
        () =>
          api.authorizeSecurityGroup(
            req('AuthorizeSecurityGroupRequest', {
              securityGroupId: normal,
              ipProtocol: 'all',
              portRange: '-1/-1',
              sourceGroupId: ent,
            }),
          ),
        400,
        'InvalidGroupAuthParameter.OperationDenied',
      ],
      [
        () =>
          api.modifySecurityGroupPolicy(
            req('ModifySecurityGroupPolicyRequest', { securityGroupId: ent, innerAccessPolicy: 'Accept' }),
          ),
        404,
        'InvalidParameter.InnerAccessPolicy',
      ],
      [
        () =>
          api.joinSecurityGroup(
            req('JoinSecurityGroupRequest', { securityGroupId: ent, networkInterfaceId: eni }),
          ),
        400,
        'InvalidOperation.MultiGroupType',
      ],
      [
        () =>
          api.joinSecurityGroup(
            req('JoinSecurityGroupRequest', {
              securityGroupId: normal,
              networkInterfaceId: eni,
              instanceId: 'i-whatever',
            }),
          ),
        403,
        'InvalidParam.EniIdAndInstanceId.Conflict',
      ],
      [
        () =>
          api.describeSecurityGroupAttribute(
            req('DescribeSecurityGroupAttributeRequest', { securityGroupId: normal, direction: 'sideways' }),
          ),
        400,
        'InvalidDirection.Malformed',
      ],
    ];
    for (const [call, status, code] of refused)
      expect(await ecsError(call()), code).toMatchObject({ status, code });
    expect(await revision()).toBe(before);

    // Twelve rules read ten at a time.
    const twelve = Array.from(
      { length: 12 },
      (_, i) =>
        new ecs.AuthorizeSecurityGroupRequestPermissions({
          ipProtocol: 'tcp',
          portRange: `${1000 + i}/${1000 + i}`,
          sourceCidrIp: '10.0.0.0/8',
        }),
    );
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: normal,
        permissions: twelve,
        clientToken: 'twelve',
      }),
    );
    // The same ClientToken again replays the answer; with other rules it is refused.
    const replayed = await revision();
    await api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: normal,
        permissions: twelve,
        clientToken: 'twelve',
      }),
    );
    expect(await revision()).toBe(replayed);
    expect(
      await ecsError(
        api.authorizeSecurityGroup(
          req('AuthorizeSecurityGroupRequest', {
            securityGroupId: normal,
            ipProtocol: 'udp',
            portRange: '9/9',
            sourceCidrIp: '10.0.0.0/8',
            clientToken: 'twelve',
          }),
        ),
      ),
    ).toMatchObject({ status: 400, code: 'IdempotentParameterMismatch' });
    const first = (
      await api.describeSecurityGroupAttribute(
        req('DescribeSecurityGroupAttributeRequest', { securityGroupId: normal, maxResults: 10 }),
      )
    ).body;
    expect(first.permissions.permission).toHaveLength(10);
    expect(first.nextToken).toBeTruthy();
    const second = (
      await api.describeSecurityGroupAttribute(
        req('DescribeSecurityGroupAttributeRequest', {
          securityGroupId: normal,
          maxResults: 10,
          nextToken: first.nextToken,
        }),
      )
    ).body;
    expect(second.permissions.permission).toHaveLength(2);
    expect(second.nextToken).toBe('');
    const ids = [...first.permissions.permission, ...second.permissions.permission].map(
      (p: any) => p.securityGroupRuleId,
    );
    expect(new Set(ids).size).toBe(12);
  });

  it('checks ACS3 signatures: replayed nonce, tampered query, stale date, unsigned headers', async () => {
    const query = { RegionId: REGION };
    const [url, init] = acs3Request(t.url, key, 'DescribeSecurityGroups', query, { nonce: 'acs3-once' });
    const ok = await fetch(url, init);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ SecurityGroups: { SecurityGroup: expect.any(Array) } });
    const again = await fetch(url, init);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ Code: 'SignatureNonceUsed' });

    const tampered = await fetch(
      ...acs3Request(t.url, key, 'DescribeSecurityGroups', query, { send: { RegionId: SMALL } }),
    );
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ Code: 'SignatureDoesNotMatch' });
    const stale = await fetch(
      ...acs3Request(t.url, key, 'DescribeSecurityGroups', query, { at: Date.now() + 16 * 60 * 1000 }),
    );
    expect(await stale.json()).toMatchObject({ Code: 'InvalidTimeStamp.Expired' });
    const unsigned = await fetch(
      ...acs3Request(t.url, key, 'DescribeSecurityGroups', query, {
        signed: ['host', 'x-acs-action', 'x-acs-date', 'x-acs-version'],
      }),
    );
    expect(await unsigned.json()).toMatchObject({ Code: 'IncompleteSignature' });
    const operator = await fetch(
      ...acs3Request(
        t.url,
        { id: 'PKTESTADMIN', secret: 'test-admin-secret' },
        'DescribeSecurityGroups',
        query,
      ),
    );
    expect(operator.status).toBe(403);
    expect(await operator.json()).toMatchObject({ Code: 'Forbidden.AccessKey' });
  });

  it('shows objects made through the native API: an instance, its default group and its 110 rules', async () => {
    const inst = await native.post<any>('/v1/instances', {
      regionId: REGION,
      vpcId: vpc,
      name: 'native-vm',
      ports: [{ ipv4: ['10.0.7.7'] }, { ipv4: ['10.0.7.8'] }],
    });
    const defaultGroup = inst.ports[0].groupIds[0] as string;
    const found = (
      await api.describeInstances(req('DescribeInstancesRequest', { instanceIds: JSON.stringify([inst.id]) }))
    ).body.instances.instance;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      instanceName: 'native-vm',
      instanceNetworkType: 'vpc',
      vpcAttributes: { vpcId: vpc, privateIpAddress: { ipAddress: ['10.0.7.7'] } },
      securityGroupIds: { securityGroupId: [defaultGroup] },
    });
    expect(found[0].networkInterfaces.networkInterface.map((n: any) => n.type)).toEqual([
      'Primary',
      'Secondary',
    ]);
    const rules = await permissions(defaultGroup, 'ingress');
    expect(rules.map((p: any) => [p.ipProtocol, p.portRange, p.sourceCidrIp, p.priority]).sort()).toEqual(
      [
        ['ICMP', '-1/-1', '0.0.0.0/0', '110'],
        ['TCP', '22/22', '0.0.0.0/0', '110'],
        ['TCP', '3389/3389', '0.0.0.0/0', '110'],
      ].sort(),
    );
    // A default rule is revoked by matching it, at its priority 110; a port of a two-port
    // instance is not an ENI of its own to delete.
    await api.revokeSecurityGroup(
      req('RevokeSecurityGroupRequest', {
        securityGroupId: defaultGroup,
        ipProtocol: 'tcp',
        portRange: '3389/3389',
        sourceCidrIp: '0.0.0.0/0',
        priority: '110',
      }),
    );
    expect((await permissions(defaultGroup, 'ingress')).map((p: any) => p.portRange).sort()).toEqual([
      '-1/-1',
      '22/22',
    ]);
    expect(
      await ecsError(
        api.deleteNetworkInterface(
          req('DeleteNetworkInterfaceRequest', { networkInterfaceId: inst.ports[1].id }),
        ),
      ),
    ).toMatchObject({ status: 403, code: 'InvalidOperation.InvalidEniType' });
    // Writing priority 110 is still refused.
    expect(
      await ecsError(
        api.authorizeSecurityGroup(
          req('AuthorizeSecurityGroupRequest', {
            securityGroupId: defaultGroup,
            ipProtocol: 'tcp',
            portRange: '3389/3389',
            sourceCidrIp: '0.0.0.0/0',
            priority: '110',
          }),
        ),
      ),
    ).toMatchObject({ status: 400, code: 'InvalidPriority.Malformed' });
  });

  it('answers malformed input with a 4xx, never a 5xx', async () => {
    const g = await newGroup('odd-7');
    const odd: Record<string, string>[] = [
      { Action: 'DescribeSecurityGroups', RegionId: REGION, SecurityGroupIds: 'not json' },
      { Action: 'DescribeSecurityGroups', RegionId: REGION, MaxResults: 'abc' },
      { Action: 'DescribeSecurityGroups', RegionId: REGION, NextToken: '!!' },
      { Action: 'DescribeSecurityGroups', RegionId: REGION, PageSize: '0' },
      { Action: 'DescribeSecurityGroupAttribute', RegionId: REGION, SecurityGroupId: g, NextToken: 'abc' },
      { Action: 'DescribeSecurityGroupAttribute', RegionId: REGION },
      { Action: 'CreateSecurityGroup', RegionId: REGION, SecurityGroupName: 'tags', 'Tag.1.Value': 'v' },
      {
        Action: 'CreateSecurityGroup',
        RegionId: REGION,
        SecurityGroupName: 'tags',
        SecurityGroupType: 'premium',
      },
      {
        Action: 'CreateSecurityGroup',
        RegionId: REGION,
        SecurityGroupName: 'ent',
        SecurityGroupType: 'enterprise',
      },
      { Action: 'CreateSecurityGroup', RegionId: REGION, ClientToken: 'x'.repeat(65) },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        'Permissions.1.IpProtocol': 'tcp',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'tcp',
        PortRange: '1/2',
        SourceCidrIp: '10.0.0.0/8',
        SourcePortRange: 'x',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'tcp',
        PortRange: '1/2',
        SourceCidrIp: '10.0.0.0/8',
        Ipv6SourceCidrIp: '::/0',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'icmp',
        Ipv6SourceCidrIp: '::/0',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'tcp',
        PortRange: '1/2',
        SourceCidrIp: '10.0.0.0/8',
        DestCidrIp: '10.0.0.1',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'tcp',
        PortRange: '1/2',
        SourcePrefixListId: 'pl-missing',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'tcp',
        PortRange: '1/2',
        SourceCidrIp: '10.0.0.0/8',
        NicType: 'wifi',
      },
      {
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: 'tcp',
        PortRange: '1/2',
        SourceCidrIp: '10.0.0.0/8',
        Description: 'x'.repeat(513),
      },
      { Action: 'RevokeSecurityGroup', RegionId: REGION, SecurityGroupId: g },
      {
        Action: 'RevokeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        'SecurityGroupRuleId.1': 'a',
        'SecurityGroupRuleId.2': 'a',
      },
      { Action: 'ModifySecurityGroupRule', RegionId: REGION, SecurityGroupId: g },
      { Action: 'JoinSecurityGroup', RegionId: REGION, SecurityGroupId: g },
      { Action: 'CreateNetworkInterface', RegionId: REGION, VSwitchId: 'vpc-missing', SecurityGroupId: g },
      {
        Action: 'CreateNetworkInterface',
        RegionId: REGION,
        VSwitchId: vpc,
        SecurityGroupId: g,
        PrimaryIpAddress: 'not-an-ip',
      },
      {
        Action: 'CreatePrefixList',
        RegionId: REGION,
        PrefixListName: 'pl',
        AddressFamily: 'IPv5',
        MaxEntries: '5',
      },
      {
        Action: 'CreatePrefixList',
        RegionId: REGION,
        PrefixListName: 'pl',
        AddressFamily: 'IPv4',
        MaxEntries: '5',
        'Entry.1.Cidr': '::/0',
      },
      { Action: 'DescribeSecurityGroupReferences', RegionId: REGION },
      { Action: 'DescribeSecurityGroups', RegionId: REGION, Version: '2016-01-01' },
    ];
    const before = await revision();
    for (const params of odd) {
      const res = await fetch(signedUrl(t.url, key, params));
      const body = (await res.json()) as { Code: string; RequestId: string };
      expect(res.status, JSON.stringify(params)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(params)).toBeLessThan(500);
      expect(body.Code, JSON.stringify(params)).not.toBe('InternalError');
      expect(body.RequestId).toBeTruthy();
    }
    expect(await revision()).toBe(before);
  });

  it('treats the names of Object.prototype members as unknown names', async () => {
    const call = async (params: Record<string, string>) => {
      const res = await fetch(signedUrl(t.url, key, params));
      return { status: res.status, body: (await res.json()) as any };
    };
    for (const action of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const { status, body } = await call({ Action: action, RegionId: REGION });
      expect([status, body.Code], action).toEqual([404, 'InvalidAction.NotFound']);
    }
    const g = await newGroup('proto-names');
    for (const [protocol, code] of [
      ['constructor', 'InvalidIpProtocol.ValueNotSupported'],
      ['__proto__', 'InvalidIpProtocol.Malformed'],
    ]) {
      const { status, body } = await call({
        Action: 'AuthorizeSecurityGroup',
        RegionId: REGION,
        SecurityGroupId: g,
        IpProtocol: protocol,
        PortRange: '22/22',
        SourceCidrIp: '10.0.0.0/8',
      });
      expect([status, body.Code], protocol).toEqual([400, code]);
    }
    // Tag keys are any keys: "constructor" is no duplicate of an inherited name, and a
    // filter on a tag that no group has finds no group.
    const created = await call({
      Action: 'CreateSecurityGroup',
      RegionId: REGION,
      VpcId: vpc,
      SecurityGroupName: 'proto-tags',
      'Tag.1.Key': 'constructor',
      'Tag.1.Value': 'x',
      'Tag.2.Key': '__proto__',
      'Tag.2.Value': 'y',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const byTag = async (tag: Record<string, string>) =>
      (
        await call({ Action: 'DescribeSecurityGroups', RegionId: REGION, ...tag })
      ).body.SecurityGroups.SecurityGroup.map((x: any) => x.SecurityGroupId);
    const id = created.body.SecurityGroupId;
    expect(await byTag({ 'Tag.1.Key': 'constructor', 'Tag.1.Value': 'x' })).toEqual([id]);
    expect(await byTag({ 'Tag.1.Key': '__proto__', 'Tag.1.Value': 'y' })).toEqual([id]);
    expect(await byTag({ 'Tag.1.Key': 'toString' })).toEqual([]);
    // A signed header named like a prototype member is an absent header, signed as empty.
    const signed = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce'];
    const [url, init] = acs3Request(
      t.url,
      key,
      'DescribeSecurityGroups',
      { RegionId: REGION },
      { signed: [...signed, 'x-acs-version', 'constructor'] },
    );
    expect((await fetch(url, init)).status).toBe(200);
  });

  it('answers in XML when Format=XML, success and error', async () => {
    const parser = new XMLParser();
    const ok = await fetch(
      signedUrl(t.url, key, {
        Action: 'DescribeSecurityGroups',
        RegionId: REGION,
        Format: 'XML',
        PageSize: '2',
      }),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    const doc = parser.parse(await ok.text());
    expect(doc.DescribeSecurityGroupsResponse.RequestId).toBeTruthy();
    expect(doc.DescribeSecurityGroupsResponse.PageSize).toBe(2);
    expect(doc.DescribeSecurityGroupsResponse.SecurityGroups.SecurityGroup).toHaveLength(2);
    expect(doc.DescribeSecurityGroupsResponse.SecurityGroups.SecurityGroup[0].SecurityGroupId).toMatch(
      /^sg-/,
    );

    // Text is escaped: the parser reads back what was stored.
    const special = await newGroup('xml-5', { description: 'R&D <lab> "quoted"' });
    const one = await fetch(
      signedUrl(t.url, key, {
        Action: 'DescribeSecurityGroupAttribute',
        RegionId: REGION,
        Format: 'xml',
        SecurityGroupId: special,
      }),
    );
    const attr = parser.parse(await one.text()).DescribeSecurityGroupAttributeResponse;
    expect(attr).toMatchObject({
      SecurityGroupId: special,
      Description: 'R&D <lab> "quoted"',
      InnerAccessPolicy: 'Accept',
    });

    const bad = await fetch(
      signedUrl(t.url, key, {
        Action: 'DeleteSecurityGroup',
        RegionId: REGION,
        Format: 'XML',
        SecurityGroupId: 'sg-nope',
      }),
    );
    expect(bad.status).toBe(404);
    const err = parser.parse(await bad.text());
    expect(err.Error).toMatchObject({ Code: 'InvalidSecurityGroupId.NotFound', HostId: new URL(t.url).host });
    expect(err.Error.RequestId).toBe(bad.headers.get('x-acs-request-id'));
  });
});
