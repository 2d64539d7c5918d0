// Sharing through Neutron's /v2.0/rbac-policies (rbac-security-groups, rbac-address-group)
// against a real server: project alpha shares a group and an address group with project beta,
// whose rules and ports may then use them and whose member traffic the engine admits; without
// the share the same requests are refused; a share beta depends on cannot be removed; beta
// reads but never changes what is shared; gamma, a third project, sees nothing. Then the same
// through Debian's `openstack network rbac` commands.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  login,
  OPENSTACK_CLI,
  openstack,
  openstackJson,
  type OsProject,
  osEnv,
  osProject,
  SYSTEM_PYTHON,
} from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

interface Res {
  status: number;
  body: any;
}

describe('OpenStack RBAC policies: sharing groups between projects', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alpha: OsProject;
  let beta: OsProject;
  let gamma: OsProject;
  const tokens = new Map<string, string>();

  async function n(who: OsProject, method: string, path: string, body?: unknown): Promise<Res> {
    const res = await fetch(`${t.url}/networking/os1/v2.0${path}`, {
      method,
      headers: {
        'x-auth-token': tokens.get(who.tenantId)!,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function ok(res: Promise<Res>, status = 200) {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  }

  async function refused(res: Promise<Res>, status: number, type: string, message?: string | RegExp) {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(Object.keys(r.body)).toEqual(['NeutronError']);
    expect(r.body.NeutronError.type).toBe(type);
    if (typeof message === 'string') expect(r.body.NeutronError.message).toBe(message);
    else if (message) expect(r.body.NeutronError.message).toMatch(message);
  }

  const share = (who: OsProject, object_type: string, object_id: string, target_tenant: string) =>
    n(who, 'POST', '/rbac-policies', {
      rbac_policy: { object_type, object_id, target_tenant, action: 'access_as_shared' },
    });

  /** A VM of the project with one port in the given groups (the native API makes ports). */
  async function vm(who: OsProject, ip: string, groupIds: string[]) {
    const own = (await ok(n(who, 'GET', '/security-groups?name=default'))).security_groups[0];
    const vpcId = (await who.tenant.get<any>(`/v1/security-groups/${own.id}`)).vpcId;
    return who.tenant.post<any>('/v1/instances', {
      regionId: 'os1',
      vpcId,
      name: `vm-${ip}`,
      ports: [{ ipv4: [ip], groupIds }],
    });
  }

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'os1', profile: 'openstack' });
    alpha = await osProject(t, 'alpha', 'os1');
    beta = await osProject(t, 'beta', 'os1');
    gamma = await osProject(t, 'gamma', 'os1');
    for (const p of [alpha, beta, gamma]) tokens.set(p.tenantId, (await login(t, p)).token);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lists the rbac extensions and the rbac_policies resource', async () => {
    const aliases = (await ok(n(alpha, 'GET', '/extensions'))).extensions.map((x: any) => x.alias);
    expect(aliases).toEqual(
      expect.arrayContaining(['rbac-policies', 'rbac-security-groups', 'rbac-address-group']),
    );
    const ext = (await ok(n(alpha, 'GET', '/extensions/rbac-address-group'))).extension;
    expect(ext.name).toBe('Add address_group type to RBAC');
  });

  it('shares a group: beta references it, puts a port in it, and the engine admits its members', async () => {
    const web = (await ok(n(alpha, 'POST', '/security-groups', { security_group: { name: 'web' } }), 201))
      .security_group;
    const app = (await ok(n(beta, 'POST', '/security-groups', { security_group: { name: 'app' } }), 201))
      .security_group;
    const rule = {
      security_group_id: app.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'tcp',
      port_range_min: 8080,
      port_range_max: 8080,
      remote_group_id: web.id,
    };

    // Not shared yet: alpha's group does not exist for beta, whatever beta tries.
    await refused(n(beta, 'GET', `/security-groups/${web.id}`), 404, 'SecurityGroupNotFound');
    await refused(
      n(beta, 'POST', '/security-group-rules', { security_group_rule: rule }),
      404,
      'SecurityGroupNotFound',
      `Security group ${web.id} does not exist`,
    );
    await expect(vm(beta, '10.1.0.9', [web.id])).rejects.toMatchObject({ status: 400 });
    // Only the owner shares (another project's group is "not owned", as in Neutron).
    await refused(
      share(beta, 'security_group', web.id, beta.tenantId),
      400,
      'InvalidInput',
      'Invalid input for operation: Only admins can manipulate policies on objects they do not own.',
    );

    const created = await ok(share(alpha, 'security_group', web.id, beta.tenantId), 201);
    expect(created.rbac_policy).toEqual({
      id: expect.any(String),
      project_id: alpha.tenantId,
      tenant_id: alpha.tenantId,
      action: 'access_as_shared',
      object_id: web.id,
      target_tenant: beta.tenantId,
      object_type: 'security_group',
    });
    const policyId = created.rbac_policy.id;
    await refused(
      share(alpha, 'security_group', web.id, beta.tenantId),
      409,
      'DuplicateRbacPolicy',
      'An RBAC policy already exists with those values.',
    );

    // beta sees it, shared: true; alpha's own view says shared: false (not shared with alpha).
    const seen = (await ok(n(beta, 'GET', `/security-groups/${web.id}`))).security_group;
    expect(seen).toMatchObject({ id: web.id, project_id: alpha.tenantId, shared: true });
    const listed = (await ok(n(beta, 'GET', '/security-groups?shared=true'))).security_groups;
    expect(listed.map((g: any) => g.id)).toEqual([web.id]);
    expect((await ok(n(alpha, 'GET', `/security-groups/${web.id}`))).security_group.shared).toBe(false);

    const made = (await ok(n(beta, 'POST', '/security-group-rules', { security_group_rule: rule }), 201))
      .security_group_rule;
    expect(made).toMatchObject({
      security_group_id: app.id,
      remote_group_id: web.id,
      project_id: beta.tenantId,
    });

    // alpha's member reaches beta's server on 8080 through beta's rule naming alpha's group.
    const client = await vm(alpha, '10.1.0.10', [web.id]);
    const server = await vm(beta, '10.1.0.20', [app.id]);
    const check = (from: string) =>
      t.admin.post<any>('/v1/regions/os1/flows:check', {
        from,
        to: server.ports[0].id,
        protocol: 'tcp',
        dstPort: 8080,
      });
    const admitted = await check(client.ports[0].id);
    expect(admitted.verdict).toBe('allow');
    expect(admitted.ingress.explanation.decidedBy).toMatchObject({ kind: 'rule', ruleId: made.id });
    expect((await check('10.1.0.99')).verdict).toBe('deny');

    // beta's own port may join the shared group too.
    const joined = await vm(beta, '10.1.0.21', [app.id, web.id]);
    expect(joined.ports[0].groupIds).toEqual([app.id, web.id]);

    // Unsharing is refused while beta depends on the group; alpha still owns and lists it.
    await refused(
      n(alpha, 'DELETE', `/rbac-policies/${policyId}`),
      409,
      'RbacPolicyInUse',
      `RBAC policy on object ${web.id} cannot be removed because other objects depend on it.\nDetails: project_id=${beta.tenantId}`,
    );
    await refused(
      n(alpha, 'PUT', `/rbac-policies/${policyId}`, { rbac_policy: { target_tenant: gamma.tenantId } }),
      409,
      'RbacPolicyInUse',
    );
    expect((await ok(n(alpha, 'GET', `/rbac-policies/${policyId}`))).rbac_policy.target_tenant).toBe(
      beta.tenantId,
    );
    // The owner cannot delete a group another project's rules and ports use.
    await refused(n(alpha, 'DELETE', `/security-groups/${web.id}`), 409, 'SecurityGroupInUse');

    // beta reads, never changes: Neutron's policy refusal (403, the group being visible to it).
    await refused(
      n(beta, 'PUT', `/security-groups/${web.id}`, { security_group: { name: 'mine' } }),
      403,
      'PolicyNotAuthorized',
      'rule:update_security_group is disallowed by policy',
    );
    await refused(n(beta, 'DELETE', `/security-groups/${web.id}`), 403, 'PolicyNotAuthorized');
    await refused(n(beta, 'PUT', `/security-groups/${web.id}/tags/x`), 403, 'PolicyNotAuthorized');
    await refused(
      n(beta, 'POST', '/security-group-rules', {
        security_group_rule: { security_group_id: web.id, direction: 'ingress' },
      }),
      403,
      'PolicyNotAuthorized',
      'rule:create_security_group_rule is disallowed by policy',
    );
    expect((await ok(n(alpha, 'GET', `/security-groups/${web.id}`))).security_group.name).toBe('web');
    // The policy itself is its owner's: beta does not see it (neutron's get_rbac_policy).
    expect((await ok(n(beta, 'GET', '/rbac-policies'))).rbac_policies).toEqual([]);
    await refused(n(beta, 'DELETE', `/rbac-policies/${policyId}`), 404, 'RbacPolicyNotFound');

    // gamma sees nothing of it.
    await refused(n(gamma, 'GET', `/security-groups/${web.id}`), 404, 'SecurityGroupNotFound');
    const gammaGroups = (await ok(n(gamma, 'GET', '/security-groups'))).security_groups;
    expect(gammaGroups.map((g: any) => g.project_id)).toEqual([gamma.tenantId]);
    expect((await ok(n(gamma, 'GET', '/rbac-policies'))).rbac_policies).toEqual([]);
    await expect(vm(gamma, '10.1.0.30', [web.id])).rejects.toMatchObject({ status: 400 });

    // Once beta stops using it, the share goes, and with it beta's access.
    await ok(n(beta, 'DELETE', `/security-group-rules/${made.id}`), 204);
    await beta.tenant.delete(`/v1/instances/${joined.id}`);
    await ok(n(alpha, 'DELETE', `/rbac-policies/${policyId}`), 204);
    await refused(n(beta, 'GET', `/security-groups/${web.id}`), 404, 'SecurityGroupNotFound');
    await refused(
      n(beta, 'POST', '/security-group-rules', { security_group_rule: rule }),
      404,
      'SecurityGroupNotFound',
    );
  });

  it('shares an address group as a remote, read-only', async () => {
    const office = (
      await ok(
        n(alpha, 'POST', '/address-groups', {
          address_group: { name: 'office', addresses: ['192.0.2.0/24'] },
        }),
        201,
      )
    ).address_group;
    const grp = (
      await ok(n(beta, 'POST', '/security-groups', { security_group: { name: 'office-in' } }), 201)
    ).security_group;
    const rule = {
      security_group_id: grp.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      remote_address_group_id: office.id,
    };
    await refused(
      n(beta, 'POST', '/security-group-rules', { security_group_rule: rule }),
      404,
      'AddressGroupNotFound',
    );
    const policy = (await ok(share(alpha, 'address_group', office.id, beta.tenantId), 201)).rbac_policy;
    expect(policy.object_type).toBe('address_group');
    expect((await ok(n(beta, 'GET', `/address-groups/${office.id}`))).address_group).toMatchObject({
      id: office.id,
      shared: true,
      addresses: ['192.0.2.0/24'],
    });
    const made = (await ok(n(beta, 'POST', '/security-group-rules', { security_group_rule: rule }), 201))
      .security_group_rule;
    expect(made.remote_address_group_id).toBe(office.id);
    await refused(
      n(beta, 'PUT', `/address-groups/${office.id}/add_addresses`, { addresses: ['198.51.100.0/24'] }),
      403,
      'PolicyNotAuthorized',
      'rule:add_addresses is disallowed by policy',
    );
    await refused(n(alpha, 'DELETE', `/rbac-policies/${policy.id}`), 409, 'RbacPolicyInUse');
    await refused(n(gamma, 'GET', `/address-groups/${office.id}`), 404, 'AddressGroupNotFound');
    await ok(n(beta, 'DELETE', `/security-group-rules/${made.id}`), 204);
    await ok(n(alpha, 'DELETE', `/rbac-policies/${policy.id}`), 204);
    await refused(n(beta, 'GET', `/address-groups/${office.id}`), 404, 'AddressGroupNotFound');
  });

  it("refuses what Neutron refuses, in Neutron's words, and changes nothing", async () => {
    const g = (await ok(n(alpha, 'POST', '/security-groups', { security_group: { name: 'lonely' } }), 201))
      .security_group;
    await refused(
      share(alpha, 'network', g.id, beta.tenantId),
      400,
      'InvalidInput',
      "Invalid input for operation: 'network' is not a valid RBAC object type.",
    );
    await refused(
      n(alpha, 'POST', '/rbac-policies', {
        rbac_policy: {
          object_type: 'security_group',
          object_id: g.id,
          target_tenant: beta.tenantId,
          action: 'access_as_external',
        },
      }),
      400,
      'InvalidActionForType',
      "Invalid action 'access_as_external' for object type 'security_group'. Valid actions: ('access_as_shared',)",
    );
    await refused(
      n(alpha, 'POST', '/rbac-policies', {
        rbac_policy: { object_type: 'security_group', object_id: g.id, action: 'access_as_shared' },
      }),
      400,
      'HTTPBadRequest',
      "Failed to parse request. Required attribute 'target_tenant' not specified",
    );
    await refused(
      share(alpha, 'security_group', g.id, 'nobody'),
      400,
      'InvalidInput',
      "Invalid input for operation: 'nobody' is not a valid target project ID; expected a UUID or '*'.",
    );
    // Every project ("*") is an operator's to grant.
    await refused(
      share(alpha, 'security_group', g.id, '*'),
      403,
      'PolicyNotAuthorized',
      '(rule:create_rbac_policy and rule:create_rbac_policy:target_tenant) is disallowed by policy',
    );
    await refused(
      n(alpha, 'GET', '/rbac-policies/share-nonexistent'),
      404,
      'RbacPolicyNotFound',
      'RBAC policy of type unknown with ID share-nonexistent not found',
    );
    expect((await ok(n(alpha, 'GET', '/rbac-policies'))).rbac_policies).toEqual([]);
    await refused(n(beta, 'GET', `/security-groups/${g.id}`), 404, 'SecurityGroupNotFound');

    // Changing the target of an unused share is allowed; filters and fields work as in lists.
    const p = (await ok(share(alpha, 'security_group', g.id, beta.tenantId), 201)).rbac_policy;
    const moved = await ok(
      n(alpha, 'PUT', `/rbac-policies/${p.id}`, { rbac_policy: { target_tenant: gamma.tenantId } }),
    );
    expect(moved.rbac_policy.target_tenant).toBe(gamma.tenantId);
    await refused(
      n(alpha, 'PUT', `/rbac-policies/${p.id}`, { rbac_policy: { object_id: 'x' } }),
      400,
      'HTTPBadRequest',
      'Cannot update read-only attribute object_id',
    );
    expect((await ok(n(gamma, 'GET', `/security-groups/${g.id}`))).security_group.shared).toBe(true);
    await refused(n(beta, 'GET', `/security-groups/${g.id}`), 404, 'SecurityGroupNotFound');
    const only = await ok(
      n(alpha, 'GET', `/rbac-policies?object_type=security_group&target_tenant=${gamma.tenantId}&fields=id`),
    );
    expect(only.rbac_policies).toEqual([{ id: p.id }]);
    // Deleting the group takes its policies with it.
    await ok(n(alpha, 'DELETE', `/security-groups/${g.id}`), 204);
    await refused(n(alpha, 'GET', `/rbac-policies/${p.id}`), 404, 'RbacPolicyNotFound');
  });

  it('lets an operator share with every project ("*"), and keeps what a project still uses', async () => {
    const g = (await ok(n(alpha, 'POST', '/security-groups', { security_group: { name: 'everyone' } }), 201))
      .security_group;
    const all = await t.admin.post<any>('/v1/shares', {
      objectType: 'securityGroup',
      objectId: g.id,
      targetTenantId: '*',
    });
    expect(all).toMatchObject({ tenantId: alpha.tenantId, targetTenantId: '*' });
    // Every project sees it shared, the owner too (Neutron: a "*" policy matches every project).
    for (const p of [alpha, beta, gamma])
      expect((await ok(n(p, 'GET', `/security-groups/${g.id}`))).security_group.shared).toBe(true);
    expect((await ok(n(alpha, 'GET', '/rbac-policies'))).rbac_policies).toEqual([
      expect.objectContaining({ id: all.id, target_tenant: '*' }),
    ]);
    const mine = (
      await ok(n(gamma, 'POST', '/security-groups', { security_group: { name: 'uses-it' } }), 201)
    ).security_group;
    const rule = (
      await ok(
        n(gamma, 'POST', '/security-group-rules', {
          security_group_rule: { security_group_id: mine.id, direction: 'ingress', remote_group_id: g.id },
        }),
        201,
      )
    ).security_group_rule;
    // gamma depends on "*" alone: it stays; with a policy for gamma as well, "*" may go.
    await refused(n(alpha, 'DELETE', `/rbac-policies/${all.id}`), 409, 'RbacPolicyInUse');
    const forGamma = (await ok(share(alpha, 'security_group', g.id, gamma.tenantId), 201)).rbac_policy;
    await ok(n(alpha, 'DELETE', `/rbac-policies/${all.id}`), 204);
    await refused(n(beta, 'GET', `/security-groups/${g.id}`), 404, 'SecurityGroupNotFound');
    expect((await ok(n(gamma, 'GET', `/security-groups/${g.id}`))).security_group.shared).toBe(true);
    await refused(n(alpha, 'DELETE', `/rbac-policies/${forGamma.id}`), 409, 'RbacPolicyInUse');
    await ok(n(gamma, 'DELETE', `/security-group-rules/${rule.id}`), 204);
    await ok(n(alpha, 'DELETE', `/rbac-policies/${forGamma.id}`), 204);
  });

  const haveCli = existsSync(OPENSTACK_CLI) && existsSync(SYSTEM_PYTHON);
  it.runIf(haveCli)('works with `openstack network rbac`', { timeout: 120_000 }, async () => {
    const alphaEnv = osEnv(t, alpha);
    const betaEnv = osEnv(t, beta);
    const g = await openstackJson(alphaEnv, ['security', 'group', 'create', 'cli-shared']);
    const created = await openstackJson(alphaEnv, [
      'network',
      'rbac',
      'create',
      '--type',
      'security_group',
      '--action',
      'access_as_shared',
      '--target-project',
      beta.tenantId,
      g.id,
    ]);
    expect(created).toMatchObject({
      object_id: g.id,
      object_type: 'security_group',
      action: 'access_as_shared',
      target_project_id: beta.tenantId,
    });
    const listed = await openstackJson(alphaEnv, ['network', 'rbac', 'list', '--type', 'security_group']);
    expect(listed.map((x: any) => x.ID)).toContain(created.id);
    const seen = await openstackJson(betaEnv, ['security', 'group', 'show', g.id]);
    expect(seen).toMatchObject({ id: g.id, project_id: alpha.tenantId });
    const refusedRename = await openstack(betaEnv, ['security', 'group', 'set', '--name', 'taken', g.id]);
    expect(refusedRename.code).not.toBe(0);
    expect(refusedRename.stderr).toContain('disallowed by policy');
    expect((await openstack(alphaEnv, ['network', 'rbac', 'delete', created.id])).code).toBe(0);
    expect((await openstack(betaEnv, ['security', 'group', 'show', g.id])).code).not.toBe(0);
  });
});
