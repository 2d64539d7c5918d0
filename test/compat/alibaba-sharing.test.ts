// Alibaba's cross-account group authorization (SourceGroupOwnerAccount / SourceGroupOwnerId,
// DestGroupOwnerAccount) through the official @alicloud/ecs20140526 client against a real server:
// account beta's rule names account alpha's group, which Palisade allows once alpha shares the
// group with beta (POST /v1/shares, the share Neutron calls an RBAC policy); the engine then
// lets alpha's members in; without the share, or naming the wrong owner, the group is not found;
// the share cannot be removed while beta's rule uses it; beta cannot change alpha's group; a
// third account sees nothing.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const load = createRequire(import.meta.url);
const ecs: any = load('@alicloud/ecs20140526');
const { Config } = load('@alicloud/openapi-client');
const Ecs = ecs.default;
const REGION = 'cn-palisade-share';

interface Key {
  id: string;
  secret: string;
}

interface Account {
  id: string;
  name: string;
  native: PalisadeClient;
  api: any;
  vpc: string;
}

async function ecsError(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (e) {
    const x = e as { statusCode?: number; code?: string };
    if (x.statusCode !== undefined) return { status: x.statusCode, code: x.code! };
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function problem(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (e) {
    const x = e as { status?: number; problem?: { code?: string } };
    if (x.status !== undefined) return { status: x.status, code: x.problem?.code ?? '' };
    throw e;
  }
  throw new Error('expected the call to fail');
}

const req = (name: string, fields: Record<string, unknown>) => new ecs[name]({ regionId: REGION, ...fields });

describe('Alibaba cross-account group authorization', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alpha: Account;
  let beta: Account;
  let gamma: Account;

  async function account(id: string, name: string, cidr: string): Promise<Account> {
    await t.admin.post('/v1/tenants', { id, name });
    const key = await t.admin.post<Key>('/v1/access-keys', { tenantId: id });
    const native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    const api = new Ecs(
      new Config({
        accessKeyId: key.id,
        accessKeySecret: key.secret,
        endpoint: t.url.replace(/^http:\/\//, ''),
        protocol: 'http',
        regionId: REGION,
      }),
    );
    const vpc = (await native.post<{ id: string }>('/v1/vpcs', { regionId: REGION, name: 'main', cidr })).id;
    return { id, name, native, api, vpc };
  }

  const newGroup = async (a: Account, name: string) =>
    (
      await a.api.createSecurityGroup(
        req('CreateSecurityGroupRequest', { vpcId: a.vpc, securityGroupName: name }),
      )
    ).body.securityGroupId as string;
  const permissions = async (a: Account, groupId: string) =>
    (
      await a.api.describeSecurityGroupAttribute(
        req('DescribeSecurityGroupAttributeRequest', { securityGroupId: groupId, direction: 'all' }),
      )
    ).body.permissions.permission as any[];
  const authorize = (a: Account, groupId: string, permission: Record<string, unknown>) =>
    a.api.authorizeSecurityGroup(
      req('AuthorizeSecurityGroupRequest', {
        securityGroupId: groupId,
        permissions: [
          new ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '5432/5432',
            ...permission,
          }),
        ],
      }),
    );

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: REGION, profile: 'alibaba' });
    alpha = await account('1001', 'alpha-corp', '10.1.0.0/16');
    beta = await account('1002', 'beta-corp', '10.2.0.0/16');
    gamma = await account('1003', 'gamma-corp', '10.3.0.0/16');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("lets beta's rule name alpha's shared group, and the engine admits alpha's members", async () => {
    const web = await newGroup(alpha, 'web');
    const db1 = await newGroup(beta, 'db');

    // Not shared: alpha's group is not found, named by owner or not.
    for (const owner of [{}, { sourceGroupOwnerAccount: alpha.id }, { sourceGroupOwnerId: Number(alpha.id) }])
      expect(await ecsError(authorize(beta, db1, { sourceGroupId: web, ...owner }))).toMatchObject({
        status: 404,
        code: 'InvalidSourceGroupId.NotFound',
      });
    // Only the owner shares; another account's group is as missing as an unknown one.
    expect(
      await problem(
        beta.native.post('/v1/shares', {
          objectType: 'securityGroup',
          objectId: web,
          targetTenantId: beta.id,
        }),
      ),
    ).toMatchObject({ status: 404, code: 'NOT_FOUND' });

    const share = await alpha.native.post<any>('/v1/shares', {
      objectType: 'securityGroup',
      objectId: web,
      targetTenantId: beta.id,
    });
    expect(share).toMatchObject({
      tenantId: alpha.id,
      objectId: web,
      targetTenantId: beta.id,
      regionId: REGION,
    });

    // Shared, but the rule must name the owning account (else ECS looks in beta's own account).
    expect(await ecsError(authorize(beta, db1, { sourceGroupId: web }))).toMatchObject({
      status: 404,
      code: 'InvalidSourceGroupId.NotFound',
    });
    expect(
      await ecsError(authorize(beta, db1, { sourceGroupId: web, sourceGroupOwnerAccount: gamma.id })),
    ).toMatchObject({ status: 404, code: 'InvalidSourceGroupId.NotFound' });
    // By account name, then by account id: the second is the same rule (ECS: a no-op).
    await authorize(beta, db1, { sourceGroupId: web, sourceGroupOwnerAccount: alpha.name });
    await authorize(beta, db1, { sourceGroupId: web, sourceGroupOwnerId: Number(alpha.id) });
    await beta.api.authorizeSecurityGroupEgress(
      req('AuthorizeSecurityGroupEgressRequest', {
        securityGroupId: db1,
        permissions: [
          new ecs.AuthorizeSecurityGroupEgressRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '443/443',
            destGroupId: web,
            destGroupOwnerAccount: alpha.id,
          }),
        ],
      }),
    );
    const perms = await permissions(beta, db1);
    const ingress = perms.find((p) => p.direction === 'ingress' && p.sourceGroupId === web);
    expect(ingress).toMatchObject({
      sourceGroupOwnerAccount: alpha.id,
      sourceGroupName: 'web',
      portRange: '5432/5432',
    });
    const egress = perms.find((p) => p.direction === 'egress' && p.destGroupId === web);
    expect(egress).toMatchObject({ destGroupOwnerAccount: alpha.id, destGroupName: 'web' });
    // A rule naming beta's own group names no owner.
    await authorize(beta, db1, { sourceGroupId: db1, portRange: '22/22' });
    const own = (await permissions(beta, db1)).find((p) => p.sourceGroupId === db1);
    expect(own.sourceGroupOwnerAccount).toBe('');
    // Changing the rule's description keeps its cross-account peer.
    await beta.api.modifySecurityGroupRule(
      req('ModifySecurityGroupRuleRequest', {
        securityGroupId: db1,
        securityGroupRuleId: ingress.securityGroupRuleId,
        description: 'from alpha web',
      }),
    );
    expect(
      (await permissions(beta, db1)).find((p) => p.securityGroupRuleId === ingress.securityGroupRuleId),
    ).toMatchObject({ description: 'from alpha web', sourceGroupId: web, sourceGroupOwnerAccount: alpha.id });

    // The engine: alpha's member reaches beta's database; another address does not.
    const client = await alpha.native.post<any>('/v1/instances', {
      regionId: REGION,
      vpcId: alpha.vpc,
      name: 'web-1',
      ports: [{ ipv4: ['10.1.0.5'], groupIds: [web] }],
    });
    const server = await beta.native.post<any>('/v1/instances', {
      regionId: REGION,
      vpcId: beta.vpc,
      name: 'db-1',
      ports: [{ ipv4: ['10.2.0.5'], groupIds: [db1] }],
    });
    const check = (from: string) =>
      t.admin.post<any>(`/v1/regions/${REGION}/flows:check`, {
        from,
        to: server.ports[0].id,
        protocol: 'tcp',
        dstPort: 5432,
      });
    const admitted = await check(client.ports[0].id);
    expect(admitted.verdict).toBe('allow');
    expect(admitted.ingress.explanation.decidedBy).toMatchObject({
      kind: 'rule',
      ruleId: ingress.securityGroupRuleId,
    });
    expect((await check('10.1.0.77')).verdict).toBe('deny');

    // Unsharing is refused while beta's rules use the group.
    expect(await problem(alpha.native.delete(`/v1/shares/${share.id}`))).toMatchObject({
      status: 409,
      code: 'SHARE_IN_USE',
    });
    // beta cannot change alpha's group, nor see it among its own.
    expect(
      await ecsError(
        beta.api.modifySecurityGroupAttribute(
          req('ModifySecurityGroupAttributeRequest', { securityGroupId: web, securityGroupName: 'mine' }),
        ),
      ),
    ).toMatchObject({ status: 404, code: 'InvalidSecurityGroupId.NotFound' });
    expect(await ecsError(authorize(beta, web, { sourceCidrIp: '0.0.0.0/0' }))).toMatchObject({
      code: 'InvalidSecurityGroupId.NotFound',
    });
    const listed = (await beta.api.describeSecurityGroups(req('DescribeSecurityGroupsRequest', {}))).body;
    expect(listed.securityGroups.securityGroup.map((g: any) => g.securityGroupId)).not.toContain(web);
    // gamma: nothing at all.
    const g3 = await newGroup(gamma, 'g3');
    expect(
      await ecsError(authorize(gamma, g3, { sourceGroupId: web, sourceGroupOwnerAccount: alpha.id })),
    ).toMatchObject({ status: 404, code: 'InvalidSourceGroupId.NotFound' });
    expect(await problem(gamma.native.get(`/v1/shares/${share.id}`))).toMatchObject({ status: 404 });

    // Once beta's rules are gone, the share goes, and beta's access with it.
    for (const p of await permissions(beta, db1))
      if (p.sourceGroupId === web || p.destGroupId === web)
        await (p.direction === 'ingress'
          ? beta.api.revokeSecurityGroup(
              req('RevokeSecurityGroupRequest', {
                securityGroupId: db1,
                securityGroupRuleId: [p.securityGroupRuleId],
              }),
            )
          : beta.api.revokeSecurityGroupEgress(
              req('RevokeSecurityGroupEgressRequest', {
                securityGroupId: db1,
                securityGroupRuleId: [p.securityGroupRuleId],
              }),
            ));
    await alpha.native.delete(`/v1/shares/${share.id}`);
    expect(
      await ecsError(authorize(beta, db1, { sourceGroupId: web, sourceGroupOwnerAccount: alpha.id })),
    ).toMatchObject({ status: 404, code: 'InvalidSourceGroupId.NotFound' });
  });

  it('keeps shares across a restart, and they go on allowing what they allowed', async () => {
    const api = await newGroup(alpha, 'api');
    const app = await newGroup(beta, 'app');
    const share = await alpha.native.post<any>('/v1/shares', {
      objectType: 'securityGroup',
      objectId: api,
      targetTenantId: beta.id,
    });
    await authorize(beta, app, { sourceGroupId: api, sourceGroupOwnerAccount: alpha.id });
    await t.close();
    t = await startTestServer(db);
    const kept = await t.admin.get<any>('/v1/shares');
    expect(kept.items).toEqual([
      expect.objectContaining({ id: share.id, objectId: api, targetTenantId: beta.id }),
    ]);
    expect(await problem(t.admin.delete(`/v1/shares/${share.id}`))).toMatchObject({
      status: 409,
      code: 'SHARE_IN_USE',
    });
  });
});
