// The HTTP server: Fastify with one validator per request part, authentication before
// validation, problem+json errors, the OpenAPI 3.1 document and its browsable UI, and the
// native API's routes. Every route calls the service layer; none touches the store.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import AjvModule from 'ajv';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyHttpOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '../http/context.js';
import { throttled } from '../control/errors.js';
import { COMPAT_DIALECTS, mountCompatApis } from '../compat/mount.js';
import { dialectFor, requestLineOf, sendAnswer, writeAnswer } from '../http/dialects.js';
import { jsonBody } from '../http/requests.js';
import { errorHandler, nativeDialect, sendProblem } from './problem.js';
import { responseChecker } from './response-check.js';
import * as R from './responses.js';
import { addressGroupRoutes } from './routes/address-groups.js';
import { analysisRoutes } from './routes/analysis.js';
import { mountConsole } from './console.js';
import { groupAnalysisRoutes } from './routes/group-analysis.js';
import { planRoutes } from './routes/plan.js';
import { diffRoutes } from './routes/diff.js';
import { previewOf } from '../control/ops/preview.js';
import { translationRoutes } from './routes/translation.js';
import { changeRoutes } from './routes/changes.js';
import { exposureRoutes } from './routes/exposure.js';
import { flowRoutes } from './routes/flows.js';
import { groupRoutes } from './routes/groups.js';
import { identityRoutes } from './routes/identity.js';
import { instanceRoutes } from './routes/instances.js';
import { quotaUsageRoutes } from './routes/quota-usage.js';
import { reachabilityRoutes } from './routes/reachability.js';
import { ruleRoutes } from './routes/rules.js';
import { ruleUsageRoutes } from './routes/rule-usage.js';
import { shareRoutes } from './routes/shares.js';
import { statusRoutes } from './routes/status.js';
import { tenancyRoutes } from './routes/tenancy.js';

/** Every API's dialect, by URL space; the native API answers for the rest. */
const DIALECTS = [...COMPAT_DIALECTS, nativeDialect];

// ajv is CommonJS: under NodeNext its default export is the module object.
const Ajv = AjvModule.default;

/** The paths of the native API's document: /v1 and the health checks. */
const NATIVE_PATHS = /^\/(v1\/|healthz$|readyz$)/;

/** Bodies are checked as sent (no coercion: "22" is not 22); query strings and params are text, so they are coerced. */
function validators() {
  const options = { allErrors: false, strict: false, useDefaults: true, removeAdditional: false } as const;
  const body = new Ajv({ ...options, coerceTypes: false });
  const text = new Ajv({ ...options, coerceTypes: 'array' });
  for (const ajv of [body, text]) ajv.addKeyword('kind').addKeyword('modifier');
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? body : text).compile(schema);
}

export interface AppChecks {
  /** Tests: validate every documented answer against the OpenAPI document (response-check.ts). */
  checkResponses?: boolean;
}

export async function buildApp(
  ctx: Context,
  options: FastifyServerOptions = {},
  checks: AppChecks = {},
): Promise<FastifyInstance> {
  const { limits } = ctx;
  const app = Fastify({
    bodyLimit: limits.bodyLimitBytes,
    http: { maxHeaderSize: limits.maxHeaderBytes },
    // What the router refuses before any API's context (a bad or overlong path), and what
    // Node's parser refuses before Fastify (headers too large, malformed HTTP): in the dialect
    // of the API the path belongs to.
    frameworkErrors: (err, req, reply) => sendAnswer(reply, dialectFor(DIALECTS, req.url).answer(err, req)),
    clientErrorHandler: (err, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const raw: unknown = (err as { rawPacket?: unknown }).rawPacket;
      const req = requestLineOf(Buffer.isBuffer(raw) ? raw : undefined);
      writeAnswer(socket, dialectFor(DIALECTS, req.url).answer(err, req));
    },
    ...options,
  } as FastifyHttpOptions<Server>).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validators());
  // Response schemas document the answers; they never shape them: Fastify's default would
  // compile them into fast-json-stringify serializers, which drop unlisted fields and coerce.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of R.SHARED_SCHEMAS) app.addSchema(schema);
  if (limits.requestsPerSourcePerSecond > 0)
    await app.register(rateLimit, {
      max: limits.requestsPerSourcePerSecond,
      timeWindow: 1000,
      keyGenerator: (req) => req.ip,
      // Headers on the refusal only (Retry-After and the limit), not on every answer.
      addHeadersOnExceeding: {
        'x-ratelimit-limit': false,
        'x-ratelimit-remaining': false,
        'x-ratelimit-reset': false,
      },
      errorResponseBuilder: (_req, c) =>
        throttled('RATE_LIMITED', `more than ${c.max} requests per second from this address`, c.ttl / 1000),
    });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      req,
      404,
      'ROUTE_NOT_FOUND',
      `${req.method} ${req.url.split('?')[0]} is not an endpoint of this API`,
    ),
  );

  // JSON only (anything else is a 415), and keep the raw body: signatures cover its exact bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    jsonBody((e) => e),
  );

  // Reads (POSTs that write nothing included) record the nonce at once, so a replay is refused
  // before it runs; writes record it in their own transaction (saving a commit), and whatever a
  // route did not record is recorded before the answer goes out.
  app.addHook('preValidation', async (req) => {
    if (req.routeOptions.config?.public || !req.url.startsWith('/v1/')) return;
    const [path, search = ''] = req.url.split(/\?(.*)/s);
    const deferNonce = req.method !== 'GET' && req.method !== 'HEAD' && !req.routeOptions.config?.read;
    const auth = await ctx.keys.authenticate(
      { source: req.ip, method: req.method, path, search, headers: req.headers, body: req.rawBody ?? '' },
      deferNonce,
    );
    req.principal = auth.principal;
    req.nonce = auth.nonce;
  });
  // A native write with ?preview=true is answered by its preview (http/requests.ts writeOptions).
  app.addHook('preHandler', async (req) => {
    if (req.url.startsWith('/v1/')) req.previewOf = (planned) => previewOf(ctx.svc, req.principal!, planned);
  });
  app.addHook('onSend', async (req, _reply, payload) => {
    if (req.nonce && !req.nonce.recorded) await ctx.keys.recordNonce(req.nonce).catch(() => undefined);
    return payload;
  });
  if (checks.checkResponses) app.addHook('onSend', responseChecker(R.SHARED_SCHEMAS));

  await app.register(swagger, {
    // Shared schemas are components named by their $id.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    // The clouds' APIs have their own documents (docs/compat): this one is the native API's.
    transform: ({ schema, url }) => ({
      schema: NATIVE_PATHS.test(url) ? schema : { ...schema, hide: true },
      url,
    }),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Palisade native API',
        version: '1',
        description:
          'Security groups with Alibaba, Huawei and OpenStack semantics. Sign requests with PALISADE-HMAC-SHA256 (see docs/api.md) or send a bearer token from POST /v1/tokens.',
      },
      components: {
        securitySchemes: {
          signature: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'PALISADE-HMAC-SHA256 Credential=<key id>, Signature=<hex>',
          },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ signature: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  const healthz = {
    ...R.HEALTH,
    summary: 'The process runs',
    response: R.answers(R.PUBLIC, { 200: R.Health }),
  };
  const readyz = {
    ...R.HEALTH,
    summary: 'The store is reachable (503 when it is not)',
    response: R.answers(R.PUBLIC, { 200: R.Ready }, [
      [503, 'STORE_UNAVAILABLE: the database cannot be reached'],
    ]),
  };
  app.get('/healthz', { config: { public: true }, schema: healthz }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: readyz }, async (req, reply) => {
    try {
      await ctx.svc.sync();
      return { status: 'ready', revision: ctx.svc.world.revision };
    } catch (err) {
      req.log.warn({ err }, 'store unreachable');
      return sendProblem(reply, req, 503, 'STORE_UNAVAILABLE', 'the database cannot be reached');
    }
  });

  await app.register(tenancyRoutes(ctx));
  await app.register(groupRoutes(ctx));
  await app.register(quotaUsageRoutes(ctx));
  await app.register(ruleRoutes(ctx));
  await app.register(instanceRoutes(ctx));
  await app.register(addressGroupRoutes(ctx));
  await app.register(shareRoutes(ctx));
  await app.register(changeRoutes(ctx));
  await app.register(flowRoutes(ctx));
  await app.register(analysisRoutes(ctx));
  await app.register(ruleUsageRoutes(ctx));
  await app.register(exposureRoutes(ctx));
  await app.register(groupAnalysisRoutes(ctx));
  await app.register(planRoutes(ctx));
  await app.register(diffRoutes(ctx));
  await app.register(reachabilityRoutes(ctx));
  await app.register(translationRoutes(ctx));
  await app.register(statusRoutes(ctx));
  await app.register(identityRoutes(ctx));
  // Before the Alibaba API: a browser's GET / goes to the console (src/server/console.ts).
  mountConsole(app);
  await mountCompatApis(app, ctx);
  return app;
}
