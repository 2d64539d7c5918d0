// Keystone's admin role in Palisade: a user holding admin on its project speaks as the operator.
// It provisions a project, a user and a role assignment with Debian's `openstack` CLI (the
// Keystone v3 identity admin calls), and sees and manages every project's security groups
// through Neutron; members and readers stay in their own project and are refused the identity
// calls with Keystone's 403.
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
  passwordLogin,
} from '../support/openstack.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

const haveCli = existsSync(OPENSTACK_CLI);

describe('Keystone admin role and identity administration', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let t: TestServer;
  let ops: OsProject;
  let acme: OsProject;
  let adminToken: string;
  let memberToken: string;
  const net = () => `${t.url}/networking/RegionOne/v2.0`;
  const id3 = () => `${t.url}/identity/v3`;

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

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'RegionOne', profile: 'openstack' });
    // The first Keystone admin: an operator key makes it through the native API.
    await newTenant(t.admin, t.url, 'ops');
    const opsUser = await t.admin.post<{ id: string }>('/v1/openstack/users', {
      tenantId: 'ops',
      name: 'cloud-admin',
      password: 'pw-cloud-admin',
      admin: true,
    });
    ops = {
      tenant: t.admin,
      tenantId: 'ops',
      userId: opsUser.id,
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

  it('lists the roles a token holds, with those they imply', async () => {
    const admin = await login(t, ops);
    expect(admin.body.token.roles.map((r: any) => r.name).sort()).toEqual(['admin', 'member', 'reader']);
    const member = await login(t, acme);
    expect(member.body.token.roles.map((r: any) => r.name).sort()).toEqual(['member', 'reader']);
  });

  it('only an operator key makes a Keystone admin through the native API', async () => {
    const res = await acme.tenant.request(
      'POST',
      '/v1/openstack/users',
      { name: 'sneaky', password: 'pw-sneaky-pw', admin: true },
      { raw: true },
    );
    expect(res.status).toBe(403);
    expect((await passwordLogin(t.url, 'sneaky', 'pw-sneaky-pw', 'acme')).status).toBe(401);
  });

  it('refuses the identity admin calls to members with Keystone 403s', async () => {
    const refused = [
      ['POST', '/projects', { project: { name: 'x' } }, 'identity:create_project'],
      ['GET', '/projects', undefined, 'identity:list_projects'],
      ['GET', '/users', undefined, 'identity:list_users'],
      ['POST', '/users', { user: { name: 'x', password: 'pw-xxxxxxxx' } }, 'identity:create_user'],
      ['GET', '/roles', undefined, 'identity:list_roles'],
      ['GET', '/role_assignments', undefined, 'identity:list_role_assignments'],
      ['PUT', `/projects/acme/users/${acme.userId}/roles/whatever`, undefined, 'identity:create_grant'],
      ['DELETE', '/projects/ops', undefined, 'identity:delete_project'],
      ['GET', '/projects/ops', undefined, 'identity:get_project'],
      ['GET', `/users/${ops.userId}`, undefined, 'identity:get_user'],
    ] as const;
    for (const [method, path, body, action] of refused) {
      const r = await call(memberToken, method, `${id3()}${path}`, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error).toEqual({
        code: 403,
        title: 'Forbidden',
        message: `You are not authorized to perform the requested action: ${action}.`,
      });
    }
    // A member still reads its own project and itself.
    expect((await call(memberToken, 'GET', `${id3()}/projects/acme`)).body.project).toMatchObject({
      id: 'acme',
      domain_id: 'default',
    });
    expect((await call(memberToken, 'GET', `${id3()}/users/${acme.userId}`)).body.user.name).toBe('acme-ops');
    // ... and nothing of it changed.
    const projects = await call(adminToken, 'GET', `${id3()}/projects`);
    expect(projects.body.projects.map((p: any) => p.id).sort()).toEqual(['acme', 'ops']);
  });

  it('answers Keystone shapes and errors for projects, users, roles and grants', async () => {
    const made = await call(adminToken, 'POST', `${id3()}/projects`, {
      project: { name: 'shapes', domain_id: 'default', enabled: true },
    });
    expect(made.status).toBe(201);
    expect(made.body.project).toMatchObject({ name: 'shapes', domain_id: 'default', enabled: true });
    expect(made.body.project.id).toMatch(/^[0-9a-f]{32}$/);
    const pid = made.body.project.id;
    const dup = await call(adminToken, 'POST', `${id3()}/projects`, { project: { name: 'shapes' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe(
      'Conflict occurred attempting to store project - Duplicate entry found with name shapes at domain ID default.',
    );
    expect((await call(adminToken, 'POST', `${id3()}/projects`, { project: {} })).status).toBe(400);
    expect((await call(adminToken, 'GET', `${id3()}/projects/nope`)).body.error).toMatchObject({
      code: 404,
      message: 'Could not find project: nope.',
    });
    expect((await call(adminToken, 'GET', `${id3()}/projects?name=shapes`)).body.projects).toHaveLength(1);

    const user = await call(adminToken, 'POST', `${id3()}/users`, {
      user: { name: 'sam', password: 'pw-sam-secret', default_project_id: pid, domain_id: 'default' },
    });
    expect(user.status).toBe(201);
    expect(user.body.user).toMatchObject({ name: 'sam', default_project_id: pid, domain_id: 'default' });
    expect(user.body.user).not.toHaveProperty('password');
    const uid = user.body.user.id;
    const taken = await call(adminToken, 'POST', `${id3()}/users`, {
      user: { name: 'sam', password: 'pw-sam-secret', default_project_id: pid },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe(
      'Conflict occurred attempting to store user - Duplicate entry found with name sam at domain ID default.',
    );
    const homeless = await call(adminToken, 'POST', `${id3()}/users`, {
      user: { name: 'x', password: 'pw-xxxxxxxx' },
    });
    expect(homeless.status).toBe(400);
    const renamed = await call(adminToken, 'PATCH', `${id3()}/projects/${pid}`, {
      project: { name: 'shapes2' },
    });
    expect(renamed.body.project).toMatchObject({ id: pid, name: 'shapes2' });
    await call(adminToken, 'PATCH', `${id3()}/projects/${pid}`, { project: { name: 'shapes' } });
    expect(
      (await call(adminToken, 'GET', `${id3()}/users?name=sam`)).body.users.map((u: any) => u.id),
    ).toEqual([uid]);
    const repass = await call(adminToken, 'PATCH', `${id3()}/users/${uid}`, {
      user: { password: 'pw-sam-second' },
    });
    expect(repass.body.user).toMatchObject({ id: uid, name: 'sam' });
    expect(
      (await call(adminToken, 'PATCH', `${id3()}/users/${uid}`, { user: { name: 'samuel' } })).status,
    ).toBe(400);
    // Without a role on its project a user cannot log in (Keystone scopes only to such a project).
    expect((await passwordLogin(t.url, 'sam', 'pw-sam-second', 'shapes')).status).toBe(401);

    const roles = await call(adminToken, 'GET', `${id3()}/roles?name=reader`);
    expect(roles.body.roles).toHaveLength(1);
    const reader = roles.body.roles[0].id;
    const grant = `${id3()}/projects/${pid}/users/${uid}/roles/${reader}`;
    expect((await call(adminToken, 'HEAD', grant)).status).toBe(404);
    expect((await call(adminToken, 'PUT', grant)).status).toBe(204);
    expect((await call(adminToken, 'HEAD', grant)).status).toBe(204);
    const session = await passwordLogin(t.url, 'sam', 'pw-sam-second', 'shapes');
    expect(session.status).toBe(201);
    expect((await session.json()).token.roles.map((r: any) => r.name)).toEqual(['reader']);
    // A reader reads its project's groups, and writes nothing (Neutron's default policy).
    const readerToken = session.headers.get('x-subject-token')!;
    expect((await call(readerToken, 'GET', `${net()}/security-groups`)).status).toBe(200);
    const write = await call(readerToken, 'POST', `${net()}/security-groups`, {
      security_group: { name: 'w' },
    });
    expect(write).toEqual({
      status: 403,
      body: {
        NeutronError: {
          type: 'PolicyNotAuthorized',
          message: 'rule:create_security_group is disallowed by policy',
          detail: '',
        },
      },
    });

    const listed = await call(
      adminToken,
      'GET',
      `${id3()}/role_assignments?scope.project.id=${pid}&include_names`,
    );
    expect(listed.body.role_assignments).toEqual([
      {
        role: { id: reader, name: 'reader' },
        user: { id: uid, name: 'sam', domain: { id: 'default', name: 'Default' } },
        scope: { project: { id: pid, name: 'shapes', domain: { id: 'default', name: 'Default' } } },
        links: { assignment: grant },
      },
    ]);
    // A Palisade user holds roles on its own project only.
    const elsewhere = await call(adminToken, 'PUT', `${id3()}/projects/acme/users/${uid}/roles/${reader}`);
    expect(elsewhere.status).toBe(400);
    expect(
      (await call(adminToken, 'PUT', `${id3()}/projects/${pid}/users/${uid}/roles/nope`)).body.error.message,
    ).toBe('Could not find role: nope.');

    expect((await call(adminToken, 'DELETE', grant)).status).toBe(204);
    expect((await call(adminToken, 'DELETE', grant)).status).toBe(404);
    expect((await passwordLogin(t.url, 'sam', 'pw-sam-second', 'shapes')).status).toBe(401);
    expect((await call(adminToken, 'DELETE', `${id3()}/users/${uid}`)).status).toBe(204);
    expect((await call(adminToken, 'GET', `${id3()}/users/${uid}`)).status).toBe(404);
    // The reader's listing made the project's default group: the project is deleted once it is gone.
    expect((await call(adminToken, 'DELETE', `${id3()}/projects/${pid}`)).status).toBe(409);
    const left = await call(adminToken, 'GET', `${net()}/security-groups?project_id=${pid}`);
    expect(left.body.security_groups.map((g: any) => g.name)).toEqual(['default']);
    const gone = await call(
      adminToken,
      'DELETE',
      `${net()}/security-groups/${left.body.security_groups[0].id}`,
    );
    expect(gone.status).toBe(204);
    expect((await call(adminToken, 'DELETE', `${id3()}/projects/${pid}`)).status).toBe(204);
    expect((await call(adminToken, 'GET', `${id3()}/projects/${pid}`)).status).toBe(404);
  });

  it('lets an admin see and manage every project’s groups through Neutron', async () => {
    // A member's own group, and its view.
    const own = await call(memberToken, 'POST', `${net()}/security-groups`, {
      security_group: { name: 'web' },
    });
    expect(own.status).toBe(201);
    // The admin creates a group for acme, naming the project.
    const made = await call(adminToken, 'POST', `${net()}/security-groups`, {
      security_group: { name: 'db', project_id: 'acme' },
    });
    expect(made.status).toBe(201);
    expect(made.body.security_group).toMatchObject({ name: 'db', project_id: 'acme', tenant_id: 'acme' });
    // A rule in acme's group, added by the admin.
    const rule = await call(adminToken, 'POST', `${net()}/security-group-rules`, {
      security_group_rule: {
        security_group_id: made.body.security_group.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 5432,
        port_range_max: 5432,
      },
    });
    expect(rule.status).toBe(201);
    // Its own group, in its own project.
    const mine = await call(adminToken, 'POST', `${net()}/security-groups`, {
      security_group: { name: 'bastion' },
    });
    expect(mine.body.security_group.project_id).toBe('ops');

    const all = await call(adminToken, 'GET', `${net()}/security-groups`);
    const pairs = all.body.security_groups.map((g: any) => `${g.project_id}/${g.name}`).sort();
    expect(pairs).toEqual(['acme/db', 'acme/default', 'acme/web', 'ops/bastion', 'ops/default']);
    const acmeOnly = await call(adminToken, 'GET', `${net()}/security-groups?project_id=acme`);
    expect(acmeOnly.body.security_groups.map((g: any) => g.name).sort()).toEqual(['db', 'default', 'web']);

    // The member sees acme's groups only, the admin's db group among them.
    const seen = await call(memberToken, 'GET', `${net()}/security-groups`);
    expect(seen.body.security_groups.map((g: any) => g.name).sort()).toEqual(['db', 'default', 'web']);
    expect(
      (await call(memberToken, 'GET', `${net()}/security-groups/${mine.body.security_group.id}`)).status,
    ).toBe(404);
    expect(
      (await call(memberToken, 'GET', `${net()}/security-groups?project_id=ops`)).body.security_groups,
    ).toEqual([]);
    // A member naming another project: Neutron's refusal.
    const other = await call(memberToken, 'POST', `${net()}/security-groups`, {
      security_group: { name: 'x', project_id: 'ops' },
    });
    expect(other.status).toBe(400);
    expect(other.body.NeutronError.message).toBe(
      "Specifying 'project_id' other than the authenticated project in request is not allowed for the current user.",
    );

    // The admin updates and deletes acme's group.
    const renamed = await call(adminToken, 'PUT', `${net()}/security-groups/${made.body.security_group.id}`, {
      security_group: { name: 'database' },
    });
    expect(renamed.body.security_group).toMatchObject({ name: 'database', project_id: 'acme' });
    expect(
      (await call(adminToken, 'DELETE', `${net()}/security-groups/${made.body.security_group.id}`)).status,
    ).toBe(204);
    expect(
      (await call(memberToken, 'GET', `${net()}/security-groups/${made.body.security_group.id}`)).status,
    ).toBe(404);
  });

  describe.runIf(haveCli)('with the openstack CLI', () => {
    it('provisions a project, a user and a role; the user logs in and works in its project', async () => {
      const admin = osEnv(t, ops);
      const project = await openstackJson(admin, ['project', 'create', 'demo', '--description', 'Demo']);
      expect(project).toMatchObject({
        name: 'demo',
        description: 'Demo',
        domain_id: 'default',
        enabled: true,
      });
      const user = await openstackJson(admin, [
        'user',
        'create',
        '--project',
        'demo',
        '--password',
        'pw-dora-secret',
        'dora',
      ]);
      expect(user).toMatchObject({ name: 'dora', default_project_id: project.id });
      const added = await openstack(admin, ['role', 'add', '--project', 'demo', '--user', 'dora', 'member']);
      expect(added.code, added.stderr).toBe(0);
      const assignments = await openstackJson(admin, [
        'role',
        'assignment',
        'list',
        '--project',
        'demo',
        '--names',
      ]);
      expect(assignments).toEqual([
        expect.objectContaining({ Role: 'member', User: 'dora@Default', Project: 'demo@Default' }),
      ]);
      const listed = await openstackJson(admin, ['project', 'list']);
      expect(listed.map((p: any) => p.Name).sort()).toEqual(['acme', 'demo', 'ops']);
      expect((await openstackJson(admin, ['user', 'list'])).map((u: any) => u.Name).sort()).toEqual([
        'acme-ops',
        'cloud-admin',
        'dora',
      ]);

      // dora logs in to demo and works there, alone.
      const dora = osEnv(t, { ...ops, userName: 'dora', password: 'pw-dora-secret', tenantId: 'demo' });
      const made = await openstackJson(dora, ['security', 'group', 'create', 'app']);
      expect(made.project_id).toBe(project.id);
      const mine = await openstackJson(dora, ['security', 'group', 'list']);
      expect(mine.map((g: any) => g.Name).sort()).toEqual(['app', 'default']);
      // ... and is refused the identity administration: its project list is its own projects.
      const own = await openstackJson(dora, ['project', 'list']);
      expect(own.map((p: any) => p.Name)).toEqual(['demo']);
      const refused = await openstack(dora, ['user', 'list']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        'You are not authorized to perform the requested action: identity:list_users',
      );

      // The admin sees demo's groups and makes one there with --project.
      const forDemo = await openstackJson(admin, [
        'security',
        'group',
        'create',
        '--project',
        'demo',
        'shared',
      ]);
      expect(forDemo.project_id).toBe(project.id);
      const demoGroups = await openstackJson(admin, ['security', 'group', 'list', '--project', 'demo']);
      expect(demoGroups.map((g: any) => g.Name).sort()).toEqual(['app', 'default', 'shared']);

      // A project that still owns groups is not deleted; once they are gone, it is.
      const busy = await openstack(admin, ['project', 'delete', 'demo']);
      expect(busy.code).not.toBe(0);
      expect(busy.stderr).toContain('still owns objects');
      for (const g of demoGroups) {
        const r = await openstack(admin, ['security', 'group', 'delete', g.ID]);
        expect(r.code, r.stderr).toBe(0);
      }
      const dropped = await openstack(admin, ['project', 'delete', 'demo']);
      expect(dropped.code, dropped.stderr).toBe(0);
      expect((await passwordLogin(t.url, 'dora', 'pw-dora-secret', 'demo')).status).toBe(401);
    });
  });
});
