// Keystone v3's identity administration, the calls OpenStack tooling provisions a project with
// (`openstack project create`, `user create`, `role add`, `role assignment list`): projects
// (Palisade tenants, through the tenancy ops), users (the identity service), the roles admin,
// member and reader, and role assignments on projects; the one domain, Default, is listed.
// Only a token holding the admin role may call them (403 otherwise, as Keystone's default
// policy answers); a user may still read its own project and itself.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  DEFAULT_DOMAIN,
  type IdentityUserView,
  ROLE_NAMES,
  type RoleName,
  type TokenInfo,
} from '../../control/auth/identity.js';
import { ServiceError } from '../../control/errors.js';
import {
  createTenant,
  deleteTenant,
  getTenant,
  listTenants,
  updateTenant,
} from '../../control/ops/tenancy.js';
import type { Tenant } from '../../core/model.js';
import { own } from '../../core/own.js';
import type { Context } from '../../http/context.js';
import { baseUrlOf, KeystoneError, unauthenticated } from './errors.js';
import { stableId } from './keystone-ids.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keystone's roles as its API shows them: ids are stable across servers and restarts. */
export const ROLES = ROLE_NAMES.map((name) => ({ id: stableId(`role:${name}`), name }));
const roleById = (id: string) => ROLES.find((r) => r.id === id);
const roleId = (name: RoleName) => ROLES.find((r) => r.name === name)!.id;

export const forbidden = (action: string) =>
  new KeystoneError(403, 'Forbidden', `You are not authorized to perform the requested action: ${action}.`);
const couldNotFind = (what: string, id: string) =>
  new KeystoneError(404, 'Not Found', `Could not find ${what}: ${id}.`);
const badRequest = (message: string) => new KeystoneError(400, 'Bad Request', message);
const missing = (attribute: string, target: string) =>
  badRequest(
    `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );
const duplicate = (kind: string, name: string) =>
  new KeystoneError(
    409,
    'Conflict',
    `Conflict occurred attempting to store ${kind} - Duplicate entry found with name ${name} at domain ID ${DEFAULT_DOMAIN.id}.`,
  );

/** The token's session (X-Auth-Token), or Keystone's 401. */
export async function caller(ctx: Context, req: FastifyRequest): Promise<TokenInfo> {
  const t = req.headers['x-auth-token'];
  if (typeof t !== 'string' || t === '') throw unauthenticated();
  return ctx.identity.validateToken(t, req.ip);
}

/** An admin token's session, or 403 naming the policy rule refused. */
async function admin(ctx: Context, req: FastifyRequest, action: string): Promise<TokenInfo> {
  const info = await caller(ctx, req);
  if (info.principal.role !== 'admin') throw forbidden(action);
  return info;
}

const base = (req: FastifyRequest) => `${baseUrlOf(req)}/identity/v3`;
const listLinks = (req: FastifyRequest) => ({
  self: `${baseUrlOf(req)}${req.url.split('?')[0]}`,
  previous: null,
  next: null,
});
const query = (req: FastifyRequest) => req.query as Record<string, string | string[] | undefined>;
/** One query parameter's value (the first, if repeated). */
const param = (req: FastifyRequest, name: string): string | undefined => {
  const v = own(query(req), name);
  return Array.isArray(v) ? v[0] : v;
};

export function projectView(req: FastifyRequest, t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    domain_id: DEFAULT_DOMAIN.id,
    description: t.description ?? '',
    enabled: true,
    is_domain: false,
    parent_id: DEFAULT_DOMAIN.id,
    tags: [],
    options: {},
    links: { self: `${base(req)}/projects/${t.id}` },
  };
}

function userView(req: FastifyRequest, u: Pick<IdentityUserView, 'id' | 'name' | 'tenantId'>) {
  return {
    id: u.id,
    name: u.name,
    domain_id: DEFAULT_DOMAIN.id,
    default_project_id: u.tenantId,
    enabled: true,
    password_expires_at: null,
    options: {},
    links: { self: `${base(req)}/users/${u.id}` },
  };
}

function domainView(req: FastifyRequest) {
  return {
    id: DEFAULT_DOMAIN.id,
    name: DEFAULT_DOMAIN.name,
    description: 'The default domain',
    enabled: true,
    tags: [],
    options: {},
    links: { self: `${base(req)}/domains/${DEFAULT_DOMAIN.id}` },
  };
}

const roleView = (req: FastifyRequest, r: (typeof ROLES)[number]) => ({
  id: r.id,
  name: r.name,
  domain_id: null,
  description: null,
  options: {},
  links: { self: `${base(req)}/roles/${r.id}` },
});

/** The Keystone answer to a service refusal whose Keystone wording depends on its code. */
function keystoneOf(e: unknown, kind: 'project' | 'user', name: string): unknown {
  if (e instanceof ServiceError && (e.code === 'ALREADY_EXISTS' || e.code === 'USER_EXISTS'))
    return duplicate(kind, name);
  return e;
}

/** Keystone's PATCH/POST entity body {"<member>": {...}}. */
function entity(body: unknown, member: string): Obj {
  const e = isObj(body) ? own(body, member) : undefined;
  if (!isObj(e)) throw missing(member, 'request body');
  return e;
}

function optionalText(e: Obj, attr: string): string | undefined {
  const v = own(e, attr);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw badRequest(`Invalid input for field '${attr}': ${JSON.stringify(v)} is not a string.`);
  return v;
}

/** Palisade keeps no disabled projects or users, and only the Default domain. */
function checkPlacement(e: Obj, kind: string): void {
  if (e.enabled === false) throw badRequest(`Palisade cannot store a disabled ${kind}.`);
  const domain = optionalText(e, 'domain_id');
  if (domain !== undefined && domain !== DEFAULT_DOMAIN.id) throw couldNotFind('domain', domain);
}

export function identityAdminRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc, identity } = ctx;

  const tenantOrThrow = async (p: TokenInfo['principal'], id: string) => {
    try {
      return (await getTenant(svc, p, id)) as Tenant;
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'NOT_FOUND') throw couldNotFind('project', id);
      throw e;
    }
  };
  const userOrThrow = async (p: TokenInfo['principal'], id: string) => {
    try {
      return await identity.getUser(p, id);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'NOT_FOUND') throw couldNotFind('user', id);
      throw e;
    }
  };
  const roleOrThrow = (id: string) => {
    const role = roleById(id);
    if (!role) throw couldNotFind('role', id);
    return role;
  };

  // ---- projects ----

  app.post('/v3/projects', async (req, reply) => {
    const info = await admin(ctx, req, 'identity:create_project');
    const e = entity(req.body, 'project');
    const name = optionalText(e, 'name');
    if (name === undefined) throw missing('name', 'project');
    checkPlacement(e, 'project');
    const parent = optionalText(e, 'parent_id');
    if (parent !== undefined && parent !== DEFAULT_DOMAIN.id)
      throw badRequest('Palisade keeps no project hierarchy: parent_id can only be the domain.');
    if (e.is_domain === true)
      throw badRequest('Palisade keeps one domain, Default: is_domain cannot be true.');
    const id = randomUUID().replaceAll('-', '');
    const description = optionalText(e, 'description');
    const input = { id, name, uniqueName: true, ...(description === undefined ? {} : { description }) };
    const result = await createTenant(svc, info.principal, input, {}).catch((err) => {
      throw keystoneOf(err, 'project', name);
    });
    reply.code(201);
    return { project: projectView(req, result.body) };
  });

  app.get('/v3/projects', async (req) => {
    const info = await admin(ctx, req, 'identity:list_projects');
    const name = param(req, 'name');
    const domain = param(req, 'domain_id');
    const tenants = (await listTenants(svc, info.principal)).items.filter(
      (t) =>
        (name === undefined || t.name === name) && (domain === undefined || domain === DEFAULT_DOMAIN.id),
    );
    return { projects: tenants.map((t) => projectView(req, t)), links: listLinks(req) };
  });

  // A user may read its own project (what `--project` look-ups in the CLI try first).
  app.get('/v3/projects/:id', async (req) => {
    const info = await caller(ctx, req);
    const id = (req.params as { id: string }).id;
    if (info.principal.role !== 'admin') {
      if (id !== info.project.id) throw forbidden('identity:get_project');
      return { project: projectView(req, { id: info.project.id, name: info.project.name }) };
    }
    return { project: projectView(req, await tenantOrThrow(info.principal, id)) };
  });

  app.patch('/v3/projects/:id', async (req) => {
    const info = await admin(ctx, req, 'identity:update_project');
    const id = (req.params as { id: string }).id;
    const e = entity(req.body, 'project');
    checkPlacement(e, 'project');
    await tenantOrThrow(info.principal, id);
    const name = optionalText(e, 'name');
    const description = optionalText(e, 'description');
    const result = await updateTenant(svc, info.principal, id, {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
    });
    return { project: projectView(req, result.body) };
  });

  app.delete('/v3/projects/:id', async (req, reply) => {
    const info = await admin(ctx, req, 'identity:delete_project');
    const id = (req.params as { id: string }).id;
    await tenantOrThrow(info.principal, id);
    await deleteTenant(svc, info.principal, id, {}, { dropUnusedVpcs: true });
    return reply.code(204).send();
  });

  // ---- users ----

  app.post('/v3/users', async (req, reply) => {
    const info = await admin(ctx, req, 'identity:create_user');
    const e = entity(req.body, 'user');
    const name = optionalText(e, 'name');
    if (name === undefined) throw missing('name', 'user');
    checkPlacement(e, 'user');
    const project = optionalText(e, 'default_project_id');
    const password = optionalText(e, 'password');
    // A Palisade user belongs to one project and logs in with a password.
    if (project === undefined)
      throw badRequest('Palisade needs default_project_id: a user belongs to one project.');
    if (password === undefined) throw badRequest('Palisade needs a password for a user.');
    await tenantOrThrow(info.principal, project);
    const description = optionalText(e, 'description');
    const result = await identity
      .createUser(
        info.principal,
        {
          tenantId: project,
          name,
          password,
          roles: [],
          ...(description === undefined ? {} : { description }),
        },
        {},
      )
      .catch((err) => {
        throw keystoneOf(err, 'user', name);
      });
    reply.code(201);
    return { user: userView(req, result.body) };
  });

  app.get('/v3/users', async (req) => {
    const info = await admin(ctx, req, 'identity:list_users');
    const name = param(req, 'name');
    const domain = param(req, 'domain_id');
    const users = (await identity.listUsers(info.principal)).filter(
      (u) => (name === undefined || u.name === name) && (domain === undefined || domain === u.domainId),
    );
    return { users: users.map((u) => userView(req, u)), links: listLinks(req) };
  });

  // A user may read itself.
  app.get('/v3/users/:id', async (req) => {
    const info = await caller(ctx, req);
    const id = (req.params as { id: string }).id;
    if (info.principal.role !== 'admin') {
      if (id !== info.userId) throw forbidden('identity:get_user');
      return { user: userView(req, { id: info.userId, name: info.userName, tenantId: info.project.id }) };
    }
    return { user: userView(req, await userOrThrow(info.principal, id)) };
  });

  // `openstack user set --password`: the password only (its tokens end, as in Keystone).
  app.patch('/v3/users/:id', async (req) => {
    const info = await admin(ctx, req, 'identity:update_user');
    const id = (req.params as { id: string }).id;
    const e = entity(req.body, 'user');
    checkPlacement(e, 'user');
    const user = await userOrThrow(info.principal, id);
    const name = optionalText(e, 'name');
    const project = optionalText(e, 'default_project_id');
    if ((name !== undefined && name !== user.name) || (project !== undefined && project !== user.tenantId))
      throw badRequest('Palisade changes a user’s password only: its name and project stay.');
    const password = optionalText(e, 'password');
    if (password !== undefined) await identity.setPassword(info.principal, id, password);
    return { user: userView(req, user) };
  });

  // The projects a user holds a role on (what `openstack project list` asks for a member, whose
  // list of all projects is refused): a user's own, or any user's for an admin.
  app.get('/v3/users/:id/projects', async (req) => {
    const info = await caller(ctx, req);
    const id = (req.params as { id: string }).id;
    if (info.principal.role !== 'admin' && id !== info.userId) throw forbidden('identity:list_user_projects');
    const user = id === info.userId ? undefined : await userOrThrow(info.principal, id);
    const held =
      user === undefined
        ? [info.project.id]
        : (await identity.listRoleAssignments(info.principal, { userId: id })).map((a) => a.projectId);
    const scope = await svc.read(info.principal);
    const projects = [...new Set(held)].flatMap((pid) => {
      const t = pid === info.project.id ? info.project : scope.tenant(pid)?.value;
      return t ? [projectView(req, { id: t.id, name: t.name })] : [];
    });
    return { projects, links: listLinks(req) };
  });

  app.delete('/v3/users/:id', async (req, reply) => {
    const info = await admin(ctx, req, 'identity:delete_user');
    const id = (req.params as { id: string }).id;
    await userOrThrow(info.principal, id);
    await identity.deleteUser(info.principal, id);
    return reply.code(204).send();
  });

  // ---- roles and role assignments ----

  app.get('/v3/roles', async (req) => {
    await admin(ctx, req, 'identity:list_roles');
    const name = param(req, 'name');
    return {
      roles: ROLES.filter((r) => name === undefined || r.name === name).map((r) => roleView(req, r)),
      links: listLinks(req),
    };
  });
  app.get('/v3/roles/:id', async (req) => {
    await admin(ctx, req, 'identity:get_role');
    return { role: roleView(req, roleOrThrow((req.params as { id: string }).id)) };
  });

  const grant = async (req: FastifyRequest, action: string) => {
    const info = await admin(ctx, req, action);
    const { project, user, role } = req.params as { project: string; user: string; role: string };
    await tenantOrThrow(info.principal, project);
    await userOrThrow(info.principal, user);
    const r = roleOrThrow(role);
    return { info, assignment: { userId: user, projectId: project, role: r.name } };
  };
  const grantPath = '/v3/projects/:project/users/:user/roles/:role';
  const noGrant = (a: { userId: string; projectId: string; role: RoleName }) =>
    new KeystoneError(
      404,
      'Not Found',
      `Could not find role assignment with role: ${roleId(a.role)}, user or group: ${a.userId}, project, domain, or system: ${a.projectId}.`,
    );

  app.put(grantPath, async (req, reply: FastifyReply) => {
    const { info, assignment } = await grant(req, 'identity:create_grant');
    await identity.assignRole(info.principal, assignment);
    return reply.code(204).send();
  });
  // GET, and the HEAD Fastify derives from it: 204 when held.
  app.get(grantPath, async (req, reply: FastifyReply) => {
    const { assignment } = await grant(req, 'identity:check_grant');
    if (!(await identity.holds(assignment.userId, assignment.projectId, assignment.role)))
      throw noGrant(assignment);
    return reply.code(204).send();
  });
  app.delete(grantPath, async (req, reply: FastifyReply) => {
    const { info, assignment } = await grant(req, 'identity:revoke_grant');
    if (!(await identity.holds(assignment.userId, assignment.projectId, assignment.role)))
      throw noGrant(assignment);
    await identity.unassignRole(info.principal, assignment);
    return reply.code(204).send();
  });
  app.get('/v3/projects/:project/users/:user/roles', async (req) => {
    const info = await admin(ctx, req, 'identity:list_grants');
    const { project, user } = req.params as { project: string; user: string };
    await tenantOrThrow(info.principal, project);
    await userOrThrow(info.principal, user);
    const held = await identity.listRoleAssignments(info.principal, { userId: user, projectId: project });
    const names = new Set(held.map((a) => a.role));
    return {
      roles: ROLES.filter((r) => names.has(r.name)).map((r) => roleView(req, r)),
      links: listLinks(req),
    };
  });

  // The filters `openstack role assignment list` sends: user.id, scope.project.id, role.id,
  // include_names. Assignments are direct (no groups or inheritance), so effective changes nothing.
  app.get('/v3/role_assignments', async (req) => {
    const info = await admin(ctx, req, 'identity:list_role_assignments');
    const roleFilter = param(req, 'role.id');
    const roleName = roleFilter === undefined ? undefined : roleById(roleFilter)?.name;
    if (roleFilter !== undefined && roleName === undefined)
      return { role_assignments: [], links: listLinks(req) };
    for (const unsupported of ['group.id', 'scope.domain.id', 'scope.system'])
      if (param(req, unsupported) !== undefined) return { role_assignments: [], links: listLinks(req) };
    const userId = param(req, 'user.id');
    const projectId = param(req, 'scope.project.id');
    const assignments = await identity.listRoleAssignments(info.principal, {
      ...(userId === undefined ? {} : { userId }),
      ...(projectId === undefined ? {} : { projectId }),
      ...(roleName === undefined ? {} : { role: roleName }),
    });
    const names = 'include_names' in query(req) && param(req, 'include_names') !== 'false';
    const scope = await svc.read(info.principal);
    const users = names
      ? new Map((await identity.listUsers(info.principal)).map((u) => [u.id, u]))
      : undefined;
    const domain = { id: DEFAULT_DOMAIN.id, name: DEFAULT_DOMAIN.name };
    return {
      role_assignments: assignments.map((a) => ({
        role: names ? { id: roleId(a.role), name: a.role } : { id: roleId(a.role) },
        user: names ? { id: a.userId, name: users?.get(a.userId)?.name ?? '', domain } : { id: a.userId },
        scope: {
          project: names
            ? { id: a.projectId, name: scope.tenant(a.projectId)?.value.name ?? '', domain }
            : { id: a.projectId },
        },
        links: {
          assignment: `${base(req)}/projects/${a.projectId}/users/${a.userId}/roles/${roleId(a.role)}`,
        },
      })),
      links: listLinks(req),
    };
  });

  // ---- the one domain ----

  app.get('/v3/domains', async (req) => {
    await admin(ctx, req, 'identity:list_domains');
    const name = param(req, 'name');
    const all = name === undefined || name === DEFAULT_DOMAIN.name ? [domainView(req)] : [];
    return { domains: all, links: listLinks(req) };
  });
  app.get('/v3/domains/:id', async (req) => {
    await admin(ctx, req, 'identity:get_domain');
    const id = (req.params as { id: string }).id;
    if (id !== DEFAULT_DOMAIN.id) throw couldNotFind('domain', id);
    return { domain: domainView(req) };
  });
}
