// The Keystone v3 HTTP layer the OpenStack clients log in through (mounted at /identity):
// version documents, POST/GET/HEAD/DELETE /v3/auth/tokens (password, application_credential
// and token methods, project scope), /v3/auth/catalog and /v3/auth/projects; the identity
// administration (projects, users, roles, assignments) is keystone-admin.ts. Users,
// application credentials and tokens live in the identity service (ctx.identity); a Keystone
// project is a Palisade tenant. The catalog lists one network endpoint per openstack-profile
// region: <base>/networking/<region>.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DEFAULT_DOMAIN, type TokenInfo } from '../../control/auth/identity.js';
import type { Context } from '../../http/context.js';
import { sendAnswer } from '../../http/dialects.js';
import { jsonBody } from '../../http/requests.js';
import { KeystoneError, keystoneDialect, sendKeystoneError, unauthenticated } from './errors.js';
import { baseUrl } from './http.js';
import { caller, forbidden, identityAdminRoutes, projectView, ROLES } from './keystone-admin.js';
import { stableId } from './keystone-ids.js';

const V3 = {
  id: 'v3.14',
  status: 'stable',
  updated: '2020-04-07T00:00:00Z',
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
};

/** Keystone's time format: %Y-%m-%dT%H:%M:%S.%fZ (microseconds). */
export function keystoneTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const badRequest = (attribute: string, target: string) =>
  new KeystoneError(
    400,
    'Bad Request',
    `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The endpoints a token's user reaches: one network endpoint per openstack-profile region. */
export async function catalog(ctx: Context, info: TokenInfo, base: string) {
  const regions = (await ctx.svc.read(info.principal))
    .regions('openstack')
    .map((r) => r.id)
    .sort();
  const endpoints = (service: string, url: (region: string | null) => string) =>
    (regions.length ? regions : [null]).flatMap((region) =>
      ['public', 'internal', 'admin'].map((iface) => ({
        id: stableId(`${service}:${region}:${iface}`),
        interface: iface,
        region,
        region_id: region,
        url: url(region),
      })),
    );
  return [
    {
      type: 'network',
      name: 'neutron',
      id: stableId('service:network'),
      endpoints: regions.length ? endpoints('network', (r) => `${base}/networking/${r}`) : [],
    },
    {
      type: 'identity',
      name: 'keystone',
      id: stableId('service:identity'),
      endpoints: endpoints('identity', () => `${base}/identity/v3`),
    },
  ];
}

async function tokenBody(ctx: Context, req: FastifyRequest, info: TokenInfo, withCatalog: boolean) {
  const domain = { id: DEFAULT_DOMAIN.id, name: DEFAULT_DOMAIN.name };
  const token: Obj = {
    methods: info.methods,
    user: { id: info.userId, name: info.userName, domain, password_expires_at: null },
    audit_ids: [randomBytes(16).toString('base64url').slice(0, 22)],
    expires_at: keystoneTime(info.expiresAt),
    issued_at: keystoneTime(info.issuedAt),
    project: { id: info.project.id, name: info.project.name, domain },
    is_domain: false,
    roles: ROLES.filter((r) => info.roles.includes(r.name)).map(({ id, name }) => ({ id, name })),
  };
  if (info.applicationCredentialId)
    token.application_credential = { id: info.applicationCredentialId, restricted: true };
  if (withCatalog) token.catalog = await catalog(ctx, info, baseUrl(req));
  return { token };
}

async function authenticate(ctx: Context, auth: Obj, source: string): Promise<TokenInfo> {
  const identity = auth.identity;
  if (!isObj(identity)) throw badRequest('identity', 'auth');
  const methods = identity.methods;
  if (!Array.isArray(methods) || methods.length === 0) throw badRequest('methods', 'identity');
  const scope = auth.scope;
  let projectId: string | undefined;
  let projectName: string | undefined;
  if (scope !== undefined && scope !== 'unscoped') {
    if (!isObj(scope) || !isObj(scope.project))
      // Domain and system scopes: no such roles here.
      throw unauthenticated();
    const project = scope.project;
    projectId = text(project.id);
    projectName = text(project.name);
    if (projectId === undefined) {
      if (projectName === undefined) throw badRequest('project', 'scope');
      const d = project.domain;
      if (!isObj(d)) throw badRequest('domain', 'project');
      if (
        (d.id !== undefined && d.id !== DEFAULT_DOMAIN.id) ||
        (d.name !== undefined && d.name !== DEFAULT_DOMAIN.name) ||
        (d.id === undefined && d.name === undefined)
      )
        throw unauthenticated();
    }
  }
  const method = methods[0];
  const scoped = (info: TokenInfo) => {
    if (projectId !== undefined && projectId !== info.project.id) throw unauthenticated();
    if (projectName !== undefined && projectId === undefined && projectName !== info.project.name)
      throw unauthenticated();
    return info;
  };
  if (method === 'password') {
    const pw = identity.password;
    if (!isObj(pw) || !isObj(pw.user)) throw badRequest('user', 'password');
    const user = pw.user;
    const password = text(user.password);
    if (password === undefined) throw badRequest('password', 'user');
    const domain = isObj(user.domain) ? user.domain : undefined;
    if (user.id === undefined && domain === undefined) throw badRequest('domain', 'user');
    // The identity service's refusals are Keystone's 401 (keystoneDialect), never saying which part failed.
    return ctx.identity
      .authenticatePassword(source, {
        userId: text(user.id),
        userName: text(user.name),
        domainId: text(domain?.id),
        domainName: text(domain?.name),
        password,
        projectId,
        projectName,
      })
      .then(scoped);
  }
  if (method === 'application_credential') {
    const ac = identity.application_credential;
    if (!isObj(ac)) throw badRequest('application_credential', 'identity');
    const secret = text(ac.secret);
    if (secret === undefined) throw badRequest('secret', 'application_credential');
    const user = isObj(ac.user) ? ac.user : undefined;
    const domain = isObj(user?.domain) ? (user!.domain as Obj) : undefined;
    return ctx.identity
      .authenticateAppCredential(source, {
        id: text(ac.id),
        name: text(ac.name),
        userId: text(user?.id),
        userName: text(user?.name),
        domainId: text(domain?.id),
        domainName: text(domain?.name),
        secret,
      })
      .then(scoped);
  }
  if (method === 'token') {
    const t = identity.token;
    if (!isObj(t) || text(t.id) === undefined) throw badRequest('id', 'token');
    const info = await ctx.identity.validateToken(text(t.id)!, source);
    return scoped({ ...info, methods: ['token'], issuedAt: ctx.svc.now() });
  }
  throw unauthenticated();
}

/**
 * The subject token (X-Subject-Token) that the caller (X-Auth-Token) may act on: Keystone's
 * policy lets a user validate, check or revoke its own tokens, and an admin any token; another
 * user's token answers 403 and says nothing about it.
 */
async function subject(
  ctx: Context,
  req: FastifyRequest,
  action: string,
): Promise<{ token: string; info: TokenInfo }> {
  const callerToken = req.headers['x-auth-token'];
  if (typeof callerToken !== 'string' || callerToken === '') throw unauthenticated();
  const caller = await ctx.identity.validateToken(callerToken, req.ip);
  const token = req.headers['x-subject-token'];
  if (typeof token !== 'string' || token === '') throw badRequest('X-Subject-Token', 'headers');
  let info: TokenInfo;
  try {
    info = await ctx.identity.validateToken(token);
  } catch {
    throw new KeystoneError(404, 'Not Found', `Could not find token: ${token}.`);
  }
  if (info.userId !== caller.userId && caller.principal.role !== 'admin') throw forbidden(action);
  return { token, info };
}

export const keystoneApi =
  (ctx: Context): FastifyPluginAsync =>
  async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    // Bodies are JSON whatever their Content-Type says (the clients send them so).
    app.addContentTypeParser(
      '*',
      { parseAs: 'string' },
      jsonBody(() => new KeystoneError(400, 'Bad Request', 'The request body is not valid JSON.')),
    );
    app.setErrorHandler((err, req, reply) => sendAnswer(reply, keystoneDialect.answer(err, req)));
    app.setNotFoundHandler((req, reply) =>
      sendKeystoneError(reply, new KeystoneError(404, 'Not Found', `The resource could not be found.`)),
    );

    const v3 = (req: FastifyRequest) => ({
      ...V3,
      links: [{ rel: 'self', href: `${baseUrl(req)}/identity/v3/` }],
    });
    app.get('/', async (req, reply) => {
      reply.code(300);
      return { versions: { values: [v3(req)] } };
    });
    app.get('/v3', async (req) => ({ version: v3(req) }));
    app.get('/v3/', async (req) => ({ version: v3(req) }));

    app.post('/v3/auth/tokens', async (req, reply) => {
      const body = req.body;
      if (!isObj(body) || !isObj(body.auth)) throw badRequest('auth', 'request body');
      const info = await authenticate(ctx, body.auth, req.ip);
      const token = await ctx.identity.issueToken(info);
      reply.code(201).header('x-subject-token', token);
      return tokenBody(ctx, req, info, !('nocatalog' in (req.query as Obj)));
    });
    app.get('/v3/auth/tokens', async (req, reply) => {
      const action = req.method === 'HEAD' ? 'identity:check_token' : 'identity:validate_token';
      const { token, info } = await subject(ctx, req, action);
      reply.header('x-subject-token', token);
      return tokenBody(ctx, req, info, !('nocatalog' in (req.query as Obj)));
    });
    app.delete('/v3/auth/tokens', async (req, reply) => {
      const { token } = await subject(ctx, req, 'identity:revoke_token');
      await ctx.identity.revokeToken(token);
      return reply.code(204).send();
    });

    app.get('/v3/auth/catalog', async (req) => {
      const info = await caller(ctx, req);
      const self = `${baseUrl(req)}/identity/v3/auth/catalog`;
      return { catalog: await catalog(ctx, info, baseUrl(req)), links: { self, previous: null, next: null } };
    });
    app.get('/v3/auth/projects', async (req) => {
      const info = await caller(ctx, req);
      const self = `${baseUrl(req)}/identity/v3/auth/projects`;
      const project = projectView(req, { id: info.project.id, name: info.project.name });
      return { projects: [project], links: { self, previous: null, next: null } };
    });
    identityAdminRoutes(ctx, app);
  };
