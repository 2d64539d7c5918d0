// OpenStack identities for the Keystone v3 endpoint: a tenant's users (name + password, in the
// one domain "Default"), their application credentials, and the tokens both log in for. A
// Keystone project is a Palisade tenant (project id = tenant id, project name = tenant name).
// Users and credentials are written through the service layer (audited, all or nothing);
// tokens are issued and checked here, like the native API's bearer tokens.
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { badRequest, conflict, forbidden, notFound, ServiceError } from '../errors.js';
import type { Principal, Service, WriteOptions, WriteResult } from '../service.js';
import { FairQueue } from './fair-queue.js';
import { sees } from '../scope.js';
import { AuthGuard } from './guard.js';
import { sha256Hex } from './signing.js';

const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  o: object,
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };
const TOKEN_TTL_MS = 8 * 3600 * 1000;

export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' } as const;

/**
 * Keystone's default roles. A user holding admin on its project speaks as the operator (every
 * project's objects, the identity admin calls); member and reader as a tenant of its project.
 */
export const ROLE_NAMES = ['admin', 'member', 'reader'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const isRoleName = (v: string): v is RoleName => (ROLE_NAMES as readonly string[]).includes(v);

/** keystone-manage bootstrap's implied roles: admin implies member, member implies reader. */
const IMPLIED = new Map<RoleName, RoleName[]>([
  ['admin', ['admin', 'member', 'reader']],
  ['member', ['member', 'reader']],
  ['reader', ['reader']],
]);

/** The roles a token lists: those held and those they imply, in ROLE_NAMES order. */
export function effectiveRoles(held: Iterable<string>): RoleName[] {
  const out = new Set<RoleName>();
  for (const r of held) if (isRoleName(r)) for (const implied of IMPLIED.get(r)!) out.add(implied);
  return ROLE_NAMES.filter((r) => out.has(r));
}

export interface RoleAssignmentView {
  userId: string;
  projectId: string;
  role: RoleName;
}

export interface IdentityUserView {
  id: string;
  tenantId: string;
  domainId: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface AppCredentialView {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  expiresAt: string | null;
  createdAt: string;
}

/** Who a Keystone token speaks for. */
export interface TokenInfo {
  principal: Principal;
  userId: string;
  userName: string;
  domain: typeof DEFAULT_DOMAIN;
  project: { id: string; name: string };
  /** The roles held on the project, with the roles they imply. */
  roles: RoleName[];
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  applicationCredentialId?: string;
}

/** A login that failed: Keystone answers 401 without saying which part was wrong. */
export class IdentityError extends ServiceError {
  constructor(message = 'The request you have made requires authentication.') {
    super(401, 'UNAUTHORIZED', message);
  }
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    ...SCRYPT,
    N: Number(n),
  });
  return timingSafeEqual(expected, actual);
}

const keystoneId = () => randomUUID().replaceAll('-', '');

/** Checks the fields every identity write shares; Keystone-like limits. */
function checkName(value: string, path: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (!/^[^\s/][^/]{0,254}$/.test(value) || value.trim() !== value || /[\u0000-\u001f\u007f]/.test(value))
    throw badRequest(
      'INVALID_NAME',
      path,
      `${path} must be 1-255 characters without "/", control characters, or leading or trailing spaces`,
    );
}

/**
 * Identities are rows of their own (not JSON documents), and PostgreSQL text cannot hold U+0000:
 * a description carrying one is refused as the bad input it is, on every store alike.
 */
function checkDescription(value: string | undefined, path: string): void {
  if (value !== undefined && value.includes('\u0000'))
    throw badRequest('INVALID_FIELD', path, `${path} must not contain the NUL character`);
}

export class IdentityService {
  private lastSweep = 0;

  /**
   * scrypt jobs one core short of the machine (one is left for the event loop and the rest of
   * the server), taking turns per user.
   */
  private readonly hashing = new FairQueue(Math.max(1, availableParallelism() - 1));

  constructor(
    private readonly svc: Service,
    private readonly guard: AuthGuard = new AuthGuard(),
  ) {}

  /**
   * A login against a stored secret, under the abuse limits: refused while the address or the
   * user is locked out (before any hashing), a wrong secret counted, a right one admitted.
   */
  private async login<T>(source: string, userId: string | undefined, check: () => Promise<T | undefined>) {
    const credential = userId === undefined ? undefined : `user:${userId}`;
    this.guard.refuseIfLocked(source, credential);
    const result = await check();
    if (result === undefined) {
      this.guard.failed(source, credential);
      throw new IdentityError();
    }
    if (credential !== undefined) this.guard.admitted(credential);
    return result;
  }

  async createUser(
    p: Principal,
    input: {
      tenantId?: string;
      name: string;
      password: string;
      description?: string;
      /** Roles held on its project from the start (admin: operators only). */
      roles?: RoleName[];
    },
    opts: WriteOptions = {},
  ): Promise<WriteResult<IdentityUserView>> {
    const tenantId = this.svc.tenantFor(p, input.tenantId);
    const roles = [...new Set(input.roles ?? [])];
    if (roles.includes('admin')) this.svc.requireAdmin(p);
    checkName(input.name, 'body.name');
    checkDescription(input.description, 'body.description');
    if (input.password.length < 8)
      throw badRequest('WEAK_PASSWORD', 'body.password', 'body.password must have at least 8 characters');
    const passwordHash = await this.hashing.run(`tenant:${tenantId}`, () => hashPassword(input.password));
    const view: IdentityUserView = {
      id: keystoneId(),
      tenantId,
      domainId: DEFAULT_DOMAIN.id,
      name: input.name,
      description: input.description ?? null,
      createdAt: this.svc.timestamp(),
    };
    return this.svc.write(p, opts, () => ({
      action: 'identityUser.create',
      regionId: null,
      tenantId,
      targetId: view.id,
      events: [],
      after: () => view,
      sideEffect: async (tx) => {
        const taken = await tx
          .selectFrom('identity_users')
          .select('id')
          .where('domain_id', '=', view.domainId)
          .where('name', '=', view.name)
          .executeTakeFirst();
        if (taken) throw conflict('USER_EXISTS', `a user named "${view.name}" already exists`);
        await tx
          .insertInto('identity_users')
          .values({
            id: view.id,
            tenant_id: tenantId,
            domain_id: view.domainId,
            name: view.name,
            password_hash: passwordHash,
            description: view.description,
            created_at: view.createdAt,
          })
          .execute();
        for (const role of roles)
          await tx
            .insertInto('identity_role_assignments')
            .values({ user_id: view.id, project_id: tenantId, role })
            .execute();
      },
    }));
  }

  async getUser(p: Principal, id: string): Promise<IdentityUserView> {
    return userView(await this.userOrThrow(p, id));
  }

  // ---- role assignments (operators: Keystone's admin calls) ----

  /**
   * Give a user a role on a project. A Palisade user belongs to one project (its tenant) and
   * logs in to that one only, so it can hold roles there and nowhere else.
   */
  async assignRole(
    p: Principal,
    a: { userId: string; projectId: string; role: string },
    opts: WriteOptions = {},
  ): Promise<WriteResult<null>> {
    this.svc.requireAdmin(p);
    const { user, role } = await this.checkAssignment(p, a);
    return this.svc.write(p, opts, () => ({
      action: 'roleAssignment.create',
      regionId: null,
      tenantId: user.tenant_id,
      targetId: user.id,
      events: [],
      after: () => null,
      status: 204,
      sideEffect: async (tx) => {
        await tx
          .deleteFrom('identity_role_assignments')
          .where('user_id', '=', user.id)
          .where('project_id', '=', a.projectId)
          .where('role', '=', role)
          .execute();
        await tx
          .insertInto('identity_role_assignments')
          .values({ user_id: user.id, project_id: a.projectId, role })
          .execute();
      },
    }));
  }

  async unassignRole(
    p: Principal,
    a: { userId: string; projectId: string; role: string },
    opts: WriteOptions = {},
  ): Promise<WriteResult<null>> {
    this.svc.requireAdmin(p);
    const { user, role } = await this.checkAssignment(p, a);
    if (!(await this.holds(user.id, a.projectId, role)))
      throw notFound('roleAssignment', `${user.id}/${a.projectId}/${role}`);
    return this.svc.write(p, opts, () => ({
      action: 'roleAssignment.delete',
      regionId: null,
      tenantId: user.tenant_id,
      targetId: user.id,
      events: [],
      before: { userId: user.id, projectId: a.projectId, role },
      after: () => null,
      status: 204,
      sideEffect: async (tx) => {
        await tx
          .deleteFrom('identity_role_assignments')
          .where('user_id', '=', user.id)
          .where('project_id', '=', a.projectId)
          .where('role', '=', role)
          .execute();
      },
    }));
  }

  /** Whether the user holds exactly this role (not an implied one) on the project. */
  async holds(userId: string, projectId: string, role: string): Promise<boolean> {
    const row = await this.svc.db
      .selectFrom('identity_role_assignments')
      .select('role')
      .where('user_id', '=', userId)
      .where('project_id', '=', projectId)
      .where('role', '=', role)
      .executeTakeFirst();
    return row !== undefined;
  }

  async listRoleAssignments(
    p: Principal,
    filter: { userId?: string; projectId?: string; role?: string } = {},
  ): Promise<RoleAssignmentView[]> {
    this.svc.requireAdmin(p);
    let q = this.svc.db.selectFrom('identity_role_assignments').selectAll();
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
    if (filter.role !== undefined) q = q.where('role', '=', filter.role);
    const rows = await q.orderBy('project_id').orderBy('user_id').orderBy('role').execute();
    return rows.flatMap((r) =>
      isRoleName(r.role) ? [{ userId: r.user_id, projectId: r.project_id, role: r.role }] : [],
    );
  }

  private async checkAssignment(p: Principal, a: { userId: string; projectId: string; role: string }) {
    if (!isRoleName(a.role)) throw notFound('role', a.role);
    if (!this.svc.world.tenants.has(a.projectId)) await this.svc.sync();
    if (!this.svc.world.tenants.has(a.projectId)) throw notFound('tenant', a.projectId, 'project');
    const user = await this.userOrThrow(p, a.userId);
    if (user.tenant_id !== a.projectId)
      throw badRequest(
        'INVALID_FIELD',
        'project',
        `user ${user.id} belongs to project ${user.tenant_id}: a Palisade user holds roles on its own project only`,
      );
    return { user, role: a.role };
  }

  async listUsers(p: Principal, tenantId?: string): Promise<IdentityUserView[]> {
    let q = this.svc.db.selectFrom('identity_users').selectAll();
    if (p.role === 'tenant') q = q.where('tenant_id', '=', p.tenantId);
    else if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    return (await q.orderBy('name').execute()).map(userView);
  }

  /**
   * A user holding admin speaks as the operator: only an operator key may set its password,
   * give it application credentials or delete it (a tenant key would otherwise become one).
   */
  private async guardAdminUser(p: Principal, row: { id: string; tenant_id: string }): Promise<void> {
    if (p.role !== 'admin' && (await this.holds(row.id, row.tenant_id, 'admin')))
      throw forbidden(`user ${row.id} holds Keystone's admin role: an operator key manages it`);
  }

  private async userOrThrow(p: Principal, id: string) {
    const row = await this.svc.db
      .selectFrom('identity_users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || !sees(p, row.tenant_id)) throw notFound('user', id);
    return row;
  }

  async setPassword(
    p: Principal,
    id: string,
    password: string,
    opts: WriteOptions = {},
  ): Promise<WriteResult<null>> {
    const row = await this.userOrThrow(p, id);
    await this.guardAdminUser(p, row);
    if (password.length < 8)
      throw badRequest('WEAK_PASSWORD', 'body.password', 'body.password must have at least 8 characters');
    const hash = await this.hashing.run(`user:${id}`, () => hashPassword(password));
    return this.svc.write(p, opts, () => ({
      action: 'identityUser.setPassword',
      regionId: null,
      tenantId: row.tenant_id,
      targetId: id,
      events: [],
      after: () => null,
      status: 204,
      sideEffect: async (tx) => {
        await tx.updateTable('identity_users').set({ password_hash: hash }).where('id', '=', id).execute();
        // A new password ends the sessions the old one opened.
        await tx.deleteFrom('identity_tokens').where('user_id', '=', id).execute();
      },
    }));
  }

  async deleteUser(p: Principal, id: string, opts: WriteOptions = {}): Promise<WriteResult<null>> {
    const row = await this.userOrThrow(p, id);
    await this.guardAdminUser(p, row);
    return this.svc.write(p, opts, () => ({
      action: 'identityUser.delete',
      regionId: null,
      tenantId: row.tenant_id,
      targetId: id,
      events: [],
      before: userView(row),
      after: () => null,
      status: 204,
      sideEffect: async (tx) => {
        await tx.deleteFrom('identity_tokens').where('user_id', '=', id).execute();
        await tx.deleteFrom('app_credentials').where('user_id', '=', id).execute();
        await tx.deleteFrom('identity_role_assignments').where('user_id', '=', id).execute();
        await tx.deleteFrom('identity_users').where('id', '=', id).execute();
      },
    }));
  }

  async createAppCredential(
    p: Principal,
    userId: string,
    input: { name: string; description?: string; expiresAt?: string },
    opts: WriteOptions = {},
  ): Promise<WriteResult<AppCredentialView & { secret?: string }>> {
    const user = await this.userOrThrow(p, userId);
    await this.guardAdminUser(p, user);
    checkName(input.name, 'body.name');
    checkDescription(input.description, 'body.description');
    const expires = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
    if (expires !== null && (!Number.isFinite(expires) || expires <= this.svc.now()))
      throw badRequest('INVALID_EXPIRY', 'body.expiresAt', 'body.expiresAt must be a future ISO 8601 time');
    const secret = randomBytes(32).toString('base64url');
    const view: AppCredentialView = {
      id: keystoneId(),
      userId,
      name: input.name,
      description: input.description ?? null,
      expiresAt: expires === null ? null : new Date(expires).toISOString(),
      createdAt: this.svc.timestamp(),
    };
    const result = await this.svc.write(p, opts, () => ({
      action: 'appCredential.create',
      regionId: null,
      tenantId: user.tenant_id,
      targetId: view.id,
      events: [],
      after: () => view,
      sideEffect: async (tx) => {
        const taken = await tx
          .selectFrom('app_credentials')
          .select('id')
          .where('user_id', '=', userId)
          .where('name', '=', view.name)
          .executeTakeFirst();
        if (taken)
          throw conflict(
            'CREDENTIAL_EXISTS',
            `user ${userId} already has an application credential "${view.name}"`,
          );
        await tx
          .insertInto('app_credentials')
          .values({
            id: view.id,
            user_id: userId,
            name: view.name,
            secret_hash: sha256Hex(secret),
            description: view.description,
            expires_at: expires,
            created_at: view.createdAt,
          })
          .execute();
      },
    }));
    // A replayed Idempotency-Key answers the credential as first created, without the secret
    // (only its hash is stored).
    return result.replayed ? result : { ...result, body: { ...view, secret } };
  }

  async listAppCredentials(p: Principal, userId: string): Promise<AppCredentialView[]> {
    await this.userOrThrow(p, userId);
    const rows = await this.svc.db
      .selectFrom('app_credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('name')
      .execute();
    return rows.map(credentialView);
  }

  async deleteAppCredential(
    p: Principal,
    userId: string,
    id: string,
    opts: WriteOptions = {},
  ): Promise<WriteResult<null>> {
    const user = await this.userOrThrow(p, userId);
    const row = await this.svc.db
      .selectFrom('app_credentials')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw notFound('applicationCredential', id);
    return this.svc.write(p, opts, () => ({
      action: 'appCredential.delete',
      regionId: null,
      tenantId: user.tenant_id,
      targetId: id,
      events: [],
      before: credentialView(row),
      after: () => null,
      status: 204,
      sideEffect: async (tx) => {
        // Its tokens stop working at once, as in Keystone (validateToken checks it too).
        await tx.deleteFrom('identity_tokens').where('app_credential_id', '=', id).execute();
        await tx.deleteFrom('app_credentials').where('id', '=', id).execute();
      },
    }));
  }

  /**
   * Keystone's password method. The project scope is optional: the user's own project (its
   * tenant) is the only one it can name; an unscoped login is scoped to it as well.
   */
  async authenticatePassword(
    source: string,
    input: {
      userId?: string;
      userName?: string;
      domainId?: string;
      domainName?: string;
      password: string;
      projectId?: string;
      projectName?: string;
    },
  ): Promise<TokenInfo> {
    if (!inDefaultDomain(input.domainId, input.domainName) && input.userId === undefined)
      throw new IdentityError();
    let q = this.svc.db.selectFrom('identity_users').selectAll();
    if (input.userId !== undefined) q = q.where('id', '=', input.userId);
    else if (input.userName !== undefined)
      q = q.where('name', '=', input.userName).where('domain_id', '=', DEFAULT_DOMAIN.id);
    else throw new IdentityError();
    const found = await q.executeTakeFirst();
    const user = await this.login(source, found?.id, async () =>
      found && (await this.hashing.run(found.id, () => passwordMatches(input.password, found.password_hash)))
        ? found
        : undefined,
    );
    return this.session(user, ['password'], input);
  }

  /** Keystone's application_credential method: by id, or by name and its user. */
  async authenticateAppCredential(
    source: string,
    input: {
      id?: string;
      name?: string;
      userId?: string;
      userName?: string;
      domainId?: string;
      domainName?: string;
      secret: string;
    },
  ): Promise<TokenInfo> {
    let q = this.svc.db
      .selectFrom('app_credentials')
      .innerJoin('identity_users', 'identity_users.id', 'app_credentials.user_id')
      .select([
        'app_credentials.id as credential_id',
        'app_credentials.secret_hash',
        'app_credentials.expires_at',
        'identity_users.id',
        'identity_users.tenant_id',
        'identity_users.name',
      ]);
    if (input.id !== undefined) q = q.where('app_credentials.id', '=', input.id);
    else if (input.name !== undefined && input.userId !== undefined)
      q = q.where('app_credentials.name', '=', input.name).where('identity_users.id', '=', input.userId);
    else if (input.name !== undefined && input.userName !== undefined)
      q = q.where('app_credentials.name', '=', input.name).where('identity_users.name', '=', input.userName);
    else throw new IdentityError();
    const found = await q.executeTakeFirst();
    const row = await this.login(source, found?.id, async () =>
      found &&
      equalText(sha256Hex(input.secret), found.secret_hash) &&
      (found.expires_at === null || Number(found.expires_at) >= this.svc.now())
        ? found
        : undefined,
    );
    const info = await this.session(row, ['application_credential'], {}, row.credential_id);
    // A token does not outlive the credential it was issued from.
    if (row.expires_at !== null) info.expiresAt = Math.min(info.expiresAt, Number(row.expires_at));
    return info;
  }

  private async session(
    user: { id: string; tenant_id: string; name: string },
    methods: string[],
    scope: { projectId?: string; projectName?: string },
    applicationCredentialId?: string,
  ): Promise<TokenInfo> {
    // A project this server has not seen yet may be another server's fresh write.
    if (!this.svc.world.tenants.has(user.tenant_id)) await this.svc.sync();
    const tenant = this.svc.world.tenants.get(user.tenant_id)?.value;
    if (!tenant) throw new IdentityError();
    if (scope.projectId !== undefined && scope.projectId !== tenant.id)
      throw new IdentityError(`User ${user.id} has no access to project ${scope.projectId}`);
    if (
      scope.projectName !== undefined &&
      scope.projectName !== tenant.name &&
      scope.projectName !== tenant.id
    )
      throw new IdentityError(`User ${user.id} has no access to project ${scope.projectName}`);
    // Keystone scopes a token only to a project the user holds a role on.
    const held = await this.svc.db
      .selectFrom('identity_role_assignments')
      .select('role')
      .where('user_id', '=', user.id)
      .where('project_id', '=', tenant.id)
      .execute();
    const roles = effectiveRoles(held.map((r) => r.role));
    if (roles.length === 0) throw new IdentityError(`User ${user.id} has no access to project ${tenant.id}`);
    const keyId = `openstack:${user.id}`;
    const issuedAt = this.svc.now();
    return {
      principal: roles.includes('admin')
        ? { role: 'admin', keyId }
        : { role: 'tenant', keyId, tenantId: tenant.id },
      userId: user.id,
      userName: user.name,
      domain: DEFAULT_DOMAIN,
      project: { id: tenant.id, name: tenant.name },
      roles,
      methods,
      issuedAt,
      expiresAt: issuedAt + TOKEN_TTL_MS,
      ...(applicationCredentialId ? { applicationCredentialId } : {}),
    };
  }

  /** Store a session's token; the token itself is returned once and never stored. */
  async issueToken(info: TokenInfo): Promise<string> {
    await this.sweep();
    const token = `gAAAA${randomBytes(48).toString('base64url')}`;
    await this.svc.db
      .insertInto('identity_tokens')
      .values({
        hash: sha256Hex(token),
        user_id: info.userId,
        methods: JSON.stringify(info.methods),
        issued_at: info.issuedAt,
        expires_at: info.expiresAt,
        app_credential_id: info.applicationCredentialId ?? null,
      })
      .execute();
    return token;
  }

  /**
   * The session a token stands for, or IdentityError: unknown, expired, revoked, its user gone,
   * or the application credential it was issued from deleted.
   */
  async validateToken(token: string, source?: string): Promise<TokenInfo> {
    // A caller's own token (source given) is a login: a guessed one counts against its address.
    if (source === undefined) return this.tokenInfo(token);
    this.guard.refuseIfLocked(source, undefined);
    let info: TokenInfo;
    try {
      info = await this.tokenInfo(token);
    } catch (e) {
      this.guard.failed(source, undefined);
      throw e;
    }
    this.guard.admitted(`user:${info.userId}`);
    return info;
  }

  private async tokenInfo(token: string): Promise<TokenInfo> {
    const row = await this.svc.db
      .selectFrom('identity_tokens')
      .innerJoin('identity_users', 'identity_users.id', 'identity_tokens.user_id')
      .leftJoin('app_credentials', 'app_credentials.id', 'identity_tokens.app_credential_id')
      .select([
        'identity_users.id',
        'identity_users.tenant_id',
        'identity_users.name',
        'identity_tokens.methods',
        'identity_tokens.issued_at',
        'identity_tokens.expires_at',
        'identity_tokens.app_credential_id',
        'app_credentials.id as live_credential',
      ])
      .where('identity_tokens.hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (
      !row ||
      Number(row.expires_at) < this.svc.now() ||
      (row.app_credential_id !== null && row.live_credential === null)
    )
      throw new IdentityError('The request you have made requires authentication.');
    const info = await this.session(row, JSON.parse(row.methods), {}, row.app_credential_id ?? undefined);
    return { ...info, issuedAt: Number(row.issued_at), expiresAt: Number(row.expires_at) };
  }

  async revokeToken(token: string): Promise<void> {
    await this.validateToken(token);
    await this.svc.db.deleteFrom('identity_tokens').where('hash', '=', sha256Hex(token)).execute();
  }

  /** Drop expired tokens, at most once a minute. */
  private async sweep(): Promise<void> {
    if (this.svc.now() - this.lastSweep < 60_000) return;
    this.lastSweep = this.svc.now();
    await this.svc.db.deleteFrom('identity_tokens').where('expires_at', '<', this.svc.now()).execute();
  }
}

function inDefaultDomain(id?: string, name?: string): boolean {
  return (
    (id === undefined || id === DEFAULT_DOMAIN.id) &&
    (name === undefined || name === DEFAULT_DOMAIN.name) &&
    (id !== undefined || name !== undefined)
  );
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function userView(r: {
  id: string;
  tenant_id: string;
  domain_id: string;
  name: string;
  description: string | null;
  created_at: string;
}): IdentityUserView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    domainId: r.domain_id,
    name: r.name,
    description: r.description,
    createdAt: r.created_at,
  };
}

function credentialView(r: {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  expires_at: number | null;
  created_at: string;
}): AppCredentialView {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    description: r.description,
    expiresAt: r.expires_at === null ? null : new Date(Number(r.expires_at)).toISOString(),
    createdAt: r.created_at,
  };
}
