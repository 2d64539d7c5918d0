// The Huawei Cloud VPC v3 front end: /v3/{project_id}/vpc/security-groups, security-group-rules
// and address-groups, and /v3/{project_id}/ports (show; insert or remove security groups), for
// regions of the huawei profile (the project id is the Palisade region id). Requests are signed
// with SDK-HMAC-SHA256 by the tenant's access key; a write's signature is good once (it is
// recorded as the request's nonce). Answers and errors are Huawei's own ({request_id,
// error_code, error_msg} with X-Request-Id). See docs/compat/huawei.md.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ServiceError } from '../../control/errors.js';
import { own } from '../../core/own.js';
import type { Principal } from '../../control/service.js';
import type { Context } from '../../http/context.js';
import { addressGroupRoutes } from './address-groups.js';
import { CODES, HuaweiError, requestIdOf, sendHuaweiError, toHuaweiError } from './errors.js';
import { groupRoutes } from './groups.js';
import { portRoutes } from './ports.js';
import { ruleRoutes } from './rules.js';
import { canonicalRequest, MAX_SKEW_MS, parseAuthorization, parseSdkDate, signatureOf } from './signing.js';

const authError = (detail: string) =>
  new HuaweiError(401, CODES.auth, `Incorrect IAM authentication information: ${detail}`);

const headerText = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? ''));

/** Verify the AK/SK signature, the clock, the replay, the project; set the principal and region. */
async function authenticate(ctx: Context, req: FastifyRequest): Promise<void> {
  const auth = parseAuthorization(headerText(req.headers.authorization) || undefined);
  if (!auth)
    throw authError(
      'the request is not signed (Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...)',
    );
  const dateText = headerText(req.headers['x-sdk-date']);
  const at = parseSdkDate(dateText);
  if (!auth.signedHeaders.includes('x-sdk-date') || !auth.signedHeaders.includes('host'))
    throw authError('verify aksk signature fail: host and x-sdk-date must be signed headers');
  if (!Number.isFinite(at))
    throw authError(`x-sdk-date "${dateText}" is not a time such as 20261129T080000Z`);
  if (Math.abs(ctx.svc.now() - at) > MAX_SKEW_MS)
    throw authError(`x-sdk-date ${dateText} is more than 15 minutes from the server's clock`);
  const [path, search = ''] = req.url.split(/\?(.*)/s);
  // SignedHeaders is the client's list: a name such as "constructor" is a header it did not send.
  const headers = Object.fromEntries(
    auth.signedHeaders.map((name) => [name, headerText(own(req.headers, name))]),
  );
  const canonical = canonicalRequest({
    method: req.method,
    path,
    search,
    headers,
    signedHeaders: auth.signedHeaders,
    body: req.rawBody ?? '',
  });
  let principal: Principal;
  try {
    principal = await ctx.keys.verifySignature(
      req.ip,
      auth.access,
      (secret) => signatureOf(secret, dateText, canonical),
      auth.signature,
    );
  } catch (e) {
    if (e instanceof ServiceError && e.code === 'INVALID_CREDENTIALS')
      throw authError(`Get secretKey failed,ak:${auth.access},err:ak not exist`);
    if (e instanceof ServiceError && e.code === 'SIGNATURE_MISMATCH')
      throw authError('verify aksk signature fail');
    throw e;
  }
  if (principal.role !== 'tenant')
    throw new HuaweiError(
      403,
      CODES.forbidden,
      "Sign Huawei API requests with a tenant access key: the project is a tenant's view of a region",
    );
  req.principal = principal;

  // The scheme has no nonce: a write's signature is its nonce, good for the clock window both
  // ways, recorded by the write itself. Reads are not checked: the SDK signs with one-second
  // dates and no nonce, so two identical reads within a second carry the same signature.
  if (req.method !== 'GET' && req.method !== 'HEAD')
    req.nonce = ctx.keys.nonceUse(auth.access, auth.signature, 2 * MAX_SKEW_MS);

  const { project_id: projectId } = req.params as { project_id: string };
  const headerProject = headerText(req.headers['x-project-id']);
  if (headerProject && headerProject !== projectId)
    throw new HuaweiError(400, CODES.projectMismatch, 'urlTenantId is not equal tokenTenantId');
  // The caller's view, caught up with every committed write (reads and a write's own checks).
  const region = (await ctx.svc.read(principal)).region(projectId, 'huawei');
  if (!region)
    throw authError(
      `project ${projectId} does not exist (a project id is a Palisade region of the huawei profile)`,
    );
  req.huaweiRegion = region;
}

export const huaweiApi =
  (ctx: Context): FastifyPluginAsync =>
  async (app) => {
    await app.register(
      async (v3: FastifyInstance) => {
        v3.setErrorHandler(async (err, req, reply) => {
          let e: unknown = err;
          // A refused write uses up its signature too: a replay of it is a replay, whatever
          // else is wrong with it.
          if (req.nonce && !req.nonce.recorded && toHuaweiError(err).status !== 401)
            e = await ctx.keys.recordNonce(req.nonce).then(
              () => err,
              (replay: unknown) => replay,
            );
          if (toHuaweiError(e).status >= 500) req.log.error({ err }, 'huawei front end fault');
          return sendHuaweiError(reply, req, e);
        });
        v3.setNotFoundHandler((req, reply) =>
          sendHuaweiError(
            reply,
            req,
            new HuaweiError(
              404,
              CODES.noApi,
              `The API does not exist or has not been published: ${req.method} ${req.url.split('?')[0]}`,
            ),
          ),
        );
        v3.addHook('onRequest', async (req, reply) => {
          reply.header('x-request-id', requestIdOf(req));
        });
        v3.addHook('preValidation', async (req) => {
          if (!req.routeOptions.url) return; // no such API: the not-found answer needs no signature
          await authenticate(ctx, req);
        });
        groupRoutes(v3, ctx);
        ruleRoutes(v3, ctx);
        addressGroupRoutes(v3, ctx);
        portRoutes(v3, ctx);
      },
      { prefix: '/v3' },
    );
  };
