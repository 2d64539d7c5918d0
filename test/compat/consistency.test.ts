// One object, every API: a group written through a cloud's front end is the same group through
// the native API (and native writes show through the cloud's API); each front end sees only the
// regions of its profile; bad input through every API gets that cloud's own error and changes
// nothing; and every front end's writes land in the one audit log and change stream.
import { createRequire } from 'node:module';
import core from '@huaweicloud/huaweicloud-sdk-core';
import vpcSdk from '@huaweicloud/huaweicloud-sdk-vpc/v3/public-api.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { login } from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const require = createRequire(import.meta.url);
const ecs: any = require('@alicloud/ecs20140526');
const { Config } = require('@alicloud/openapi-client');
const hw: any = vpcSdk;

const ALI = 'cn-hangzhou';
const HW = 'cn-north-4';
const OS = 'RegionOne';

async function failure(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('the same objects through every API', () => {
  let db: TestDatabase;
  let t: TestServer;
  let native: PalisadeClient;
  let key: { id: string; secret: string };
  let ali: any;
  let huawei: any;
  let token: string;
  let aliVpc: string;
  let hwVpc: string;

  const revision = async () =>
    ((await (await fetch(`${t.url}/readyz`)).json()) as { revision: number }).revision;
  const aliReq = (name: string, fields: Record<string, unknown>) =>
    new ecs[name]({ regionId: ALI, ...fields });
  const neutron = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}/networking/${OS}/v2.0/${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: ALI, profile: 'alibaba' });
    await t.admin.post('/v1/regions', { id: HW, profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: OS, profile: 'openstack' });
    await t.admin.post('/v1/tenants', { id: 'acme', name: 'acme' });
    key = await t.admin.post('/v1/access-keys', { tenantId: 'acme' });
    native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    aliVpc = (await native.post<any>('/v1/vpcs', { regionId: ALI, name: 'a', cidr: '10.1.0.0/16' })).id;
    hwVpc = (await native.post<any>('/v1/vpcs', { regionId: HW, name: 'h', cidr: '10.2.0.0/16' })).id;
    await t.admin.post('/v1/openstack/users', {
      tenantId: 'acme',
      name: 'acme-ops',
      password: 'secret pass',
    });

    ali = new ecs.default(
      new Config({
        accessKeyId: key.id,
        accessKeySecret: key.secret,
        endpoint: t.url.replace(/^http:\/\//, ''),
        protocol: 'http',
        regionId: ALI,
      }),
    );
    const credentials = new core.BasicCredentials().withAk(key.id).withSk(key.secret).withProjectId(HW);
    huawei = hw.VpcClient.newBuilder().withCredential(credentials).withEndpoint(t.url).build();
    token = (await login(t, { userName: 'acme-ops', password: 'secret pass', tenantId: 'acme' })).token;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('Alibaba: an ECS group and its rules are the native group; native rules show in ECS', async () => {
    const groupId = (
      await ali.createSecurityGroup(
        aliReq('CreateSecurityGroupRequest', { vpcId: aliVpc, securityGroupName: 'web' }),
      )
    ).body.securityGroupId;
    await ali.authorizeSecurityGroup(
      aliReq('AuthorizeSecurityGroupRequest', {
        securityGroupId: groupId,
        permissions: [
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'TCP',
            portRange: '22/22',
            sourceCidrIp: '192.0.2.0/24',
            policy: 'drop',
            priority: '5',
          }),
        ],
      }),
    );
    const group = await native.get<any>(`/v1/security-groups/${groupId}`);
    expect(group).toMatchObject({ regionId: ALI, tenantId: 'acme', name: 'web', vpcId: aliVpc });
    expect(group.rules).toContainEqual(
      expect.objectContaining({
        direction: 'ingress',
        protocol: 'tcp',
        ports: [{ from: 22, to: 22 }],
        remoteIpPrefix: '192.0.2.0/24',
        action: 'deny',
        priority: 5,
      }),
    );

    const added = await native.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'egress',
      protocol: 'udp',
      ports: '53',
      remoteIpPrefix: '198.51.100.53/32',
      priority: 7,
    });
    await native.patch(`/v1/security-groups/${groupId}`, { name: 'web-renamed' });
    const attribute = (
      await ali.describeSecurityGroupAttribute(
        aliReq('DescribeSecurityGroupAttributeRequest', { securityGroupId: groupId, direction: 'egress' }),
      )
    ).body;
    expect(attribute.securityGroupName).toBe('web-renamed');
    expect(attribute.permissions.permission).toContainEqual(
      expect.objectContaining({
        securityGroupRuleId: added.id,
        ipProtocol: 'UDP',
        portRange: '53/53',
        destCidrIp: '198.51.100.53/32',
        policy: 'Accept',
        // The server sends a number; the SDK's model declares Priority a string.
        priority: '7',
      }),
    );
  });

  it('Huawei: a VPC v3 group and its rules are the native group; native rules show in v3', async () => {
    const created = await huawei.createSecurityGroup(
      new hw.CreateSecurityGroupRequest().withBody(
        new hw.CreateSecurityGroupRequestBody(new hw.CreateSecurityGroupOption('db')),
      ),
    );
    const groupId = created.security_group?.id ?? created.securityGroup?.id;
    expect(groupId).toMatch(/^sg-/);
    await huawei.createSecurityGroupRule(
      new hw.CreateSecurityGroupRuleRequest().withBody(
        new hw.CreateSecurityGroupRuleRequestBody(
          new hw.CreateSecurityGroupRuleOption(groupId, 'ingress')
            .withProtocol('tcp')
            .withMultiport('3306,8000-8010')
            .withRemoteIpPrefix('10.2.0.0/16')
            .withAction('deny')
            .withPriority('3'),
        ),
      ),
    );
    const group = await native.get<any>(`/v1/security-groups/${groupId}`);
    // Huawei groups belong to no VPC: it went into the tenant's only VPC of the region.
    expect(group).toMatchObject({ regionId: HW, tenantId: 'acme', name: 'db', vpcId: hwVpc });
    // The four rules every new Huawei group starts with, plus the one added through v3.
    expect(group.rules).toHaveLength(5);
    expect(group.rules).toContainEqual(
      expect.objectContaining({
        protocol: 'tcp',
        ports: [
          { from: 3306, to: 3306 },
          { from: 8000, to: 8010 },
        ],
        remoteIpPrefix: '10.2.0.0/16',
        action: 'deny',
        priority: 3,
      }),
    );

    const added = await native.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'icmp',
      remoteIpPrefix: '10.2.3.0/24',
      priority: 9,
    });
    const shown = await huawei.showSecurityGroupRule(new hw.ShowSecurityGroupRuleRequest(added.id));
    const rule = shown.security_group_rule ?? shown.securityGroupRule;
    expect(rule).toMatchObject({
      id: added.id,
      security_group_id: groupId,
      protocol: 'icmp',
      remote_ip_prefix: '10.2.3.0/24',
      priority: 9,
      action: 'allow',
    });
  });

  it('OpenStack: a Neutron group and its rules are the native group; native rules show in Neutron', async () => {
    const created = await neutron('POST', 'security-groups', {
      security_group: { name: 'app', description: 'app tier', stateful: true },
    });
    expect(created.status).toBe(201);
    const groupId = created.body.security_group.id;
    const rule = await neutron('POST', 'security-group-rules', {
      security_group_rule: {
        security_group_id: groupId,
        direction: 'ingress',
        ethertype: 'IPv6',
        protocol: 'tcp',
        port_range_min: 443,
        port_range_max: 443,
        remote_ip_prefix: '2001:db8::/32',
      },
    });
    expect(rule.status).toBe(201);
    const group = await native.get<any>(`/v1/security-groups/${groupId}`);
    expect(group).toMatchObject({ regionId: OS, tenantId: 'acme', name: 'app', description: 'app tier' });
    expect(group.rules).toContainEqual(
      expect.objectContaining({
        id: rule.body.security_group_rule.id,
        ethertype: 'IPv6',
        protocol: 'tcp',
        ports: [{ from: 443, to: 443 }],
        remoteIpPrefix: '2001:db8::/32',
      }),
    );
    const added = await native.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'udp',
      ports: '5000-5010',
      remoteGroup: groupId,
    });
    const shown = await neutron('GET', `security-group-rules/${added.id}`);
    expect(shown.body.security_group_rule).toMatchObject({
      security_group_id: groupId,
      protocol: 'udp',
      port_range_min: 5000,
      port_range_max: 5010,
      remote_group_id: groupId,
      ethertype: 'IPv4',
    });
    const listed = await neutron('GET', `security-groups/${groupId}`);
    expect(listed.body.security_group.revision_number).toEqual(expect.any(Number));
  });

  it("each front end sees only its profile's regions: another profile's group is unknown to it", async () => {
    const groups = (await native.get<any>('/v1/security-groups')).items;
    const inRegion = (r: string) => groups.find((g: any) => g.regionId === r && g.name !== 'default').id;
    const [aliGroup, hwGroup, osGroup] = [inRegion(ALI), inRegion(HW), inRegion(OS)];

    const aliMiss = await failure(
      ali.describeSecurityGroupAttribute(
        aliReq('DescribeSecurityGroupAttributeRequest', { securityGroupId: hwGroup }),
      ),
    );
    expect(aliMiss.code).toBe('InvalidSecurityGroupId.NotFound');
    const hwMiss = await failure(huawei.showSecurityGroup(new hw.ShowSecurityGroupRequest(osGroup)));
    expect(Number(hwMiss.httpStatusCode)).toBe(404);
    expect((await neutron('GET', `security-groups/${aliGroup}`)).status).toBe(404);
  });

  it('bad input through every API gets its cloud error and changes nothing', async () => {
    const groups = (await native.get<any>('/v1/security-groups')).items;
    const inRegion = (r: string) => groups.find((g: any) => g.regionId === r && g.name !== 'default').id;
    const before = await revision();

    const aliBad = await failure(
      ali.authorizeSecurityGroup(
        aliReq('AuthorizeSecurityGroupRequest', {
          securityGroupId: inRegion(ALI),
          permissions: [
            new ecs.AuthorizeSecurityGroupRequestPermissions({
              ipProtocol: 'TCP',
              portRange: '80/80',
              sourceCidrIp: '10.0.0.0/8',
            }),
            new ecs.AuthorizeSecurityGroupRequestPermissions({
              ipProtocol: 'TCP',
              portRange: '90/70',
              sourceCidrIp: '10.0.0.0/8',
            }),
          ],
        }),
      ),
    );
    expect(aliBad.statusCode).toBe(400);
    expect(aliBad.code).toMatch(/PortRange/);

    const hwBad = await failure(
      huawei.createSecurityGroupRule(
        new hw.CreateSecurityGroupRuleRequest().withBody(
          new hw.CreateSecurityGroupRuleRequestBody(
            new hw.CreateSecurityGroupRuleOption(inRegion(HW), 'ingress')
              .withProtocol('tcp')
              .withMultiport('70000')
              .withRemoteIpPrefix('10.0.0.0/8'),
          ),
        ),
      ),
    );
    expect(Number(hwBad.httpStatusCode)).toBe(400);
    expect(hwBad.errorCode).toMatch(/^VPC\./);

    const osBad = await neutron('POST', 'security-group-rules', {
      security_group_rule: {
        security_group_id: inRegion(OS),
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 90,
        port_range_max: 70,
      },
    });
    expect(osBad.status).toBe(400);
    expect(osBad.body.NeutronError.message).toContain('port_range_min must be <= port_range_max');

    const nativeBad = await failure(
      native.post(`/v1/security-groups/${inRegion(OS)}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '0',
      }),
    );
    expect(nativeBad.status).toBe(400);
    expect(await revision()).toBe(before);
  });

  it('every front end writes the one audit log, as the caller', async () => {
    const audit = (await t.admin.get<any>('/v1/audit?tenantId=acme&limit=1000')).items as any[];
    const actors = new Set(audit.filter((a) => a.action === 'group.create').map((a) => a.actor));
    // Alibaba and Huawei sign with the tenant's access key; OpenStack acts as its Keystone user.
    expect(actors.has(key.id)).toBe(true);
    expect([...actors].some((a) => String(a).startsWith('openstack:'))).toBe(true);
    expect(audit.filter((a) => a.action === 'group.create').length).toBeGreaterThanOrEqual(3);
  });
});
