// The test servers' check that the server answers what its OpenAPI document says: every answer
// of a documented route (the native API under /v1, /healthz, /readyz) is validated against the
// route's response schema for the status it sends (ajv, compiled once per route, status and
// media type). An undocumented status, media type or body, or a write without its revision,
// becomes a 500 problem RESPONSE_NOT_DOCUMENTED, logged with the details, so that every test
// looking at a status fails loudly. Off in production (ServeOptions.checkResponses).
import type { TSchema } from '@sinclair/typebox';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { own } from '../core/own.js';
import type { ValidationError } from '../core/validate.js';
import { PROBLEM_TYPE, problemAnswer } from './problem.js';

// ajv is CommonJS: under NodeNext its default export is the module object.
const Ajv = AjvModule.default;

/** Methods whose 2xx answers carry x-palisade-revision, unless the route is marked `read`. */
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface ResponseDoc {
  headers?: Record<string, object>;
  content?: Record<string, { schema: object }>;
}

const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;

/** An ajv that knows the document's shared schemas (its components) and the formats they use. */
export function responseAjv(shared: readonly object[]) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addKeyword('kind').addKeyword('modifier');
  ajv.addFormat('date-time', (s: string) => ISO_8601.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  for (const schema of shared) ajv.addSchema(schema);
  return ajv;
}

const problems = (errors: ErrorObject[] | null | undefined): ValidationError[] =>
  (errors ?? []).slice(0, 20).map((e) => ({
    path: `response${e.instancePath.replace(/\//g, '.')}`,
    code: e.keyword,
    message: `${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
  }));

/** The onSend hook that checks answers against their routes' documented responses. */
export function responseChecker(shared: readonly TSchema[]) {
  const ajv = responseAjv(shared);
  const compiled = new WeakMap<object, ValidateFunction>();
  const validator = (schema: object) => {
    let v = compiled.get(schema);
    if (!v) compiled.set(schema, (v = ajv.compile(schema)));
    return v;
  };

  return async function checkResponse(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (req.is404) return payload; // no route: the router's own refusals
    const route = req.routeOptions;
    const responses = route.schema?.response as Record<string, ResponseDoc> | undefined;
    if (!responses && !route.url?.startsWith('/v1/')) return payload;
    const status = reply.statusCode;
    const mediaType = String(reply.getHeader('content-type') ?? '')
      .split(';')[0]
      .trim();
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : payload;

    const fail = (why: string, errors: ValidationError[] = []) => {
      req.log.error(
        {
          route: `${route.method} ${route.url}`,
          status,
          mediaType,
          why,
          errors,
          body: typeof text === 'string' ? text.slice(0, 4000) : typeof text,
        },
        'the answer is not what the OpenAPI document says',
      );
      for (const header of ['etag', 'x-palisade-revision', 'idempotent-replayed']) reply.removeHeader(header);
      const answer = problemAnswer(
        req.url,
        500,
        'RESPONSE_NOT_DOCUMENTED',
        `${req.method} ${route.url} answered ${status}${mediaType ? ` (${mediaType})` : ''}: ${why}${
          errors.length ? `: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}` : ''
        }`,
        errors,
      );
      reply.code(500).header('content-type', PROBLEM_TYPE);
      return answer.body;
    };

    const doc =
      responses && (own(responses, String(status)) ?? own(responses, `${Math.floor(status / 100)}XX`));
    if (!doc) return fail(`status ${status} is not documented for this operation`);

    const write = WRITE_METHODS.has(req.method) && !route.config?.read;
    const documentsRevision = Object.entries(responses ?? {}).some(
      ([code, d]) => code.startsWith('2') && d.headers !== undefined && 'x-palisade-revision' in d.headers,
    );
    if (write !== documentsRevision)
      return fail(
        write
          ? 'the route is a write (no config.read) but its document has no x-palisade-revision'
          : 'the route is marked read but its document promises x-palisade-revision',
      );
    if (write && status >= 200 && status < 300 && !reply.hasHeader('x-palisade-revision'))
      return fail('a write answered without x-palisade-revision');
    if (status === 429 && !reply.hasHeader('retry-after')) return fail('a 429 without Retry-After');

    const empty = text === undefined || text === null || text === '';
    if (!doc.content) return empty ? payload : fail('a body where the document says there is none');
    if (empty) return fail('no body where the document says there is one');
    const media = own(doc.content, mediaType);
    if (!media) return fail(`media type "${mediaType}" is not documented for ${status}`);
    if (typeof text !== 'string') return fail('a body that is not text');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail('a body that is not JSON');
    }
    const validate = validator(media.schema);
    if (!validate(body))
      return fail('the body does not match the documented schema', problems(validate.errors));
    return payload;
  };
}
