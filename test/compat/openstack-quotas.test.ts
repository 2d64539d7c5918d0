// Neutron's quotas extension over Palisade's quotas: security_group is the project's
// groupsPerTenant in the region and security_group_rule its rulesPerTenant (rules over all its
// groups). An admin sets a project's overrides (PUT), which then bind its creates with Neutron's
// OverQuota; DELETE returns the project to the region's quotas. Driven over HTTP with Keystone
// tokens and with Debian's `openstack` CLI (`quota show` / `quota set`).
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
  sdk,
  SYSTEM_PYTHON,
} from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const haveCli = existsSync(OPENSTACK_CLI);

describe('Neutron quotas over Palisade quotas', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let t: TestServer;
  let ops: OsProject;
  let acme: OsProject;
  let adminToken: string;
  let memberToken: string;
  const net = (region = 'RegionOne') => `${t.url}/networking/${region}/v2.0`;

  const call = async (token: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: {
        'x-auth-token': token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const group = (token: string, name: string) =>
    call(token, 'POST', `${net()}/security-groups`, { security_group: { name } });
  const rule = (token: string, groupId: string, port: number) =>
    call(token, 'POST', `${net()}/security-group-rules`, {
      security_group_rule: {
        security_group_id: groupId,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: port,
        port_range_max: port,
      },
    });

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    // RegionOne's own quotas: 20 groups per project, no limit on a project's rules.
    await t.admin.post('/v1/regions', {
      id: 'RegionOne',
      profile: 'openstack',
      quotas: { groupsPerTenant: 20 },
    });
    await t.admin.post('/v1/regions', { id: 'RegionTwo', profile: 'openstack' });
    await t.admin.post('/v1/tenants', { id: 'ops', name: 'ops' });
    const u = await t.admin.post<{ id: string }>('/v1/openstack/users', {
      tenantId: 'ops',
      name: 'cloud-admin',
      password: 'pw-cloud-admin',
      admin: true,
    });
    ops = {
      tenant: t.admin,
      tenantId: 'ops',
      userId: u.id,
      userName: 'cloud-admin',
      password: 'pw-cloud-admin',
      region: 'RegionOne',
    };
    acme = await osProject(t, 'acme', 'RegionOne');
    adminToken = (await login(t, ops)).token;
    memberToken = (await login(t, acme)).token;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("shows the region's quotas to a project, and its usage in details", async () => {
    const web = await group(memberToken, 'web');
    expect(web.status).toBe(201);
    const shown = await call(memberToken, 'GET', `${net()}/quotas/acme`);
    expect(shown).toEqual({ status: 200, body: { quota: { security_group: 20, security_group_rule: -1 } } });
    const details = await call(memberToken, 'GET', `${net()}/quotas/acme/details`);
    // default (four rules) and web (its two egress rules).
    expect(details.body.quota).toEqual({
      security_group: { limit: 20, used: 2, reserved: 0 },
      security_group_rule: { limit: -1, used: 6, reserved: 0 },
    });
    expect((await call(memberToken, 'GET', `${net()}/quotas/project`)).body).toEqual({
      project: { project_id: 'acme' },
    });
    expect((await call(memberToken, 'GET', `${net()}/quotas/acme/default`)).body.quota.security_group).toBe(
      20,
    );
  });

  it("refuses a project another project's quotas and every quota write", async () => {
    const refusals = [
      ['GET', '/quotas/ops', undefined, 'get_quota'],
      ['GET', '/quotas/ops/details', undefined, 'get_quota'],
      ['GET', '/quotas', undefined, 'get_quota'],
      ['PUT', '/quotas/acme', { quota: { security_group: 100 } }, 'update_quota'],
      ['DELETE', '/quotas/acme', undefined, 'delete_quota'],
    ] as const;
    for (const [method, path, body, action] of refusals) {
      const r = await call(memberToken, method, `${net()}${path}`, body);
      expect(r, `${method} ${path}`).toEqual({
        status: 403,
        body: {
          NeutronError: {
            type: 'PolicyNotAuthorized',
            message: `rule:${action} is disallowed by policy`,
            detail: '',
          },
        },
      });
    }
    expect((await call(memberToken, 'GET', `${net()}/quotas/acme`)).body.quota.security_group).toBe(20);
  });

  it("sets a project's quotas; creates over them get Neutron's OverQuota; delete resets", async () => {
    const set = await call(adminToken, 'PUT', `${net()}/quotas/acme`, {
      quota: { security_group: 3, security_group_rule: 8 },
    });
    expect(set).toEqual({ status: 200, body: { quota: { security_group: 3, security_group_rule: 8 } } });
    // Another project and another region keep the region's quotas.
    expect((await call(adminToken, 'GET', `${net()}/quotas/ops`)).body.quota.security_group).toBe(20);
    expect((await call(adminToken, 'GET', `${net('RegionTwo')}/quotas/acme`)).body.quota.security_group).toBe(
      100,
    );
    expect((await call(adminToken, 'GET', `${net()}/quotas`)).body.quotas).toEqual([
      { security_group: 3, security_group_rule: 8, project_id: 'acme', tenant_id: 'acme' },
    ]);

    // acme has default and web (6 rules): a third group brings the rules to 8.
    const db3 = await group(memberToken, 'db');
    expect(db3.status).toBe(201);
    const fourth = await group(memberToken, 'cache');
    expect(fourth).toEqual({
      status: 409,
      body: {
        NeutronError: {
          type: 'OverQuota',
          message: "Quota exceeded for resources: ['security_group'].",
          detail: '',
        },
      },
    });
    const overRules = await rule(memberToken, db3.body.security_group.id, 22);
    expect(overRules.status).toBe(409);
    expect(overRules.body.NeutronError).toMatchObject({
      type: 'OverQuota',
      message: "Quota exceeded for resources: ['security_group_rule'].",
    });
    // Nothing was written by the refused creates.
    const details = await call(adminToken, 'GET', `${net()}/quotas/acme/details`);
    expect(details.body.quota).toEqual({
      security_group: { limit: 3, used: 3, reserved: 0 },
      security_group_rule: { limit: 8, used: 8, reserved: 0 },
    });

    // -1 lifts a limit; the other stays.
    const lifted = await call(adminToken, 'PUT', `${net()}/quotas/acme`, {
      quota: { security_group_rule: '-1' },
    });
    expect(lifted.body.quota).toEqual({ security_group: 3, security_group_rule: -1 });
    expect((await rule(memberToken, db3.body.security_group.id, 22)).status).toBe(201);
    expect((await group(memberToken, 'cache')).status).toBe(409);

    // DELETE: the region's quotas again.
    expect((await call(adminToken, 'DELETE', `${net()}/quotas/acme`)).status).toBe(204);
    expect((await call(adminToken, 'GET', `${net()}/quotas/acme`)).body.quota).toEqual({
      security_group: 20,
      security_group_rule: -1,
    });
    expect((await call(adminToken, 'GET', `${net()}/quotas`)).body.quotas).toEqual([]);
    expect((await group(memberToken, 'cache')).status).toBe(201);
    const again = await call(adminToken, 'DELETE', `${net()}/quotas/acme`);
    expect(again).toEqual({
      status: 404,
      body: {
        NeutronError: {
          type: 'TenantQuotaNotFound',
          message: 'Quota for tenant acme could not be found.',
          detail: '',
        },
      },
    });
  });

  it('refuses bad quota bodies in Neutron’s words, changing nothing', async () => {
    const bad = [
      [{ quota: { network: 5 } }, "Unrecognized attribute(s) 'network'"],
      [
        { quota: { security_group: -2 } },
        "Invalid input for security_group. Reason: '-2' is too small - must be at least '-1'.",
      ],
      [{ quota: { security_group: 'many' } }, "Invalid input for operation: 'many' is not an integer."],
      [{ quota: { security_group: 0 } }, /Palisade keeps no quota of 0/],
      [
        { quota: { security_group: 1, check_limit: true } },
        'Quota limit 1 for security_group must be greater than or equal to already used 4',
      ],
      [{}, 'Resource body required'],
    ] as const;
    for (const [body, message] of bad) {
      const r = await call(adminToken, 'PUT', `${net()}/quotas/acme`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      if (typeof message === 'string') expect(r.body.NeutronError.message).toBe(message);
      else expect(r.body.NeutronError.message).toMatch(message);
    }
    expect((await call(adminToken, 'GET', `${net()}/quotas`)).body.quotas).toEqual([]);
  });

  it('shares the overrides with the native API, which sets and drops them too', async () => {
    const t1 = await t.admin.request(
      'PUT',
      '/v1/tenants/acme/quotas/RegionOne',
      { groupsPerTenant: 7, rulesPerTenant: 70 },
      { raw: true },
    );
    expect(t1.status).toBe(200);
    expect((await call(memberToken, 'GET', `${net()}/quotas/acme`)).body.quota).toEqual({
      security_group: 7,
      security_group_rule: 70,
    });
    await call(adminToken, 'PUT', `${net()}/quotas/acme`, { quota: { security_group: 8 } });
    expect(await t.admin.get<any>('/v1/tenants/acme')).toMatchObject({
      quotas: { RegionOne: { groupsPerTenant: 8, rulesPerTenant: 70 } },
    });
    // A bad figure or an unknown region changes nothing.
    const bad = await t.admin.request(
      'PUT',
      '/v1/tenants/acme/quotas/RegionOne',
      { groupsPerTenant: -1 },
      {
        raw: true,
      },
    );
    expect(bad.status).toBe(400);
    const nowhere = await t.admin.request(
      'PUT',
      '/v1/tenants/acme/quotas/nowhere',
      { groupsPerTenant: 1 },
      {
        raw: true,
      },
    );
    expect(nowhere.status).toBe(404);
    // A tenant key may not set its own.
    const own = await acme.tenant.request(
      'PUT',
      '/v1/tenants/acme/quotas/RegionOne',
      { groupsPerTenant: 99 },
      {
        raw: true,
      },
    );
    expect(own.status).toBe(403);
    expect((await call(memberToken, 'GET', `${net()}/quotas/acme`)).body.quota.security_group).toBe(8);

    expect(
      (await t.admin.request('DELETE', '/v1/tenants/acme/quotas/RegionOne', undefined, { raw: true })).status,
    ).toBe(200);
    expect((await t.admin.get<any>('/v1/tenants/acme')).quotas).toBeUndefined();
    expect((await call(memberToken, 'GET', `${net()}/quotas/acme`)).body.quota.security_group).toBe(20);
  });

  // Debian's `openstack quota set` and `quota show` (6.0) make a compute client first, and
  // fail without a compute endpoint in the catalog (Palisade has none); `quota list --network`
  // and openstacksdk's network quota calls need only Neutron.
  describe.runIf(haveCli && existsSync(SYSTEM_PYTHON))('with openstacksdk and the openstack CLI', () => {
    it("sets a project's quotas with the SDK; the CLI lists them; a create over them fails", async () => {
      const admin = osEnv(t, ops);
      const set = await sdk(admin, 'quota', 'acme', '5', '50');
      expect(set).toEqual({
        security_groups: { limit: 5, used: 4, reserved: 0 },
        security_group_rules: { limit: 50, used: 11, reserved: 0 },
      });
      const listed = await openstackJson(admin, ['quota', 'list', '--network']);
      expect(listed).toEqual([
        expect.objectContaining({ 'Project ID': 'acme', 'Security Groups': 5, 'Security Group Rules': 50 }),
      ]);

      // acme holds four groups: a fifth fits, a sixth is over the quota.
      const member = osEnv(t, acme);
      expect((await openstack(member, ['security', 'group', 'create', 'fifth'])).code).toBe(0);
      const over = await openstack(member, ['security', 'group', 'create', 'sixth']);
      expect(over.code).not.toBe(0);
      expect(over.stderr).toContain("Quota exceeded for resources: ['security_group'].");

      expect(await sdk(admin, 'quota-reset', 'acme')).toEqual({
        security_groups: 20,
        security_group_rules: -1,
      });
      expect(await openstackJson(admin, ['quota', 'list', '--network'])).toEqual([]);
      expect((await openstack(member, ['security', 'group', 'create', 'sixth'])).code).toBe(0);
    });
  });
});
