// Small pieces every route uses: the caller, write options from headers, and replies that carry
// the revision as ETag.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../control/errors.js';
import {
  type NonceUse,
  type PlannedWrite,
  type Principal,
  requestHash,
  type WriteOptions,
  type WriteResult,
} from '../control/service.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    principal?: Principal;
    /** A signed request's nonce not yet recorded: the route's write records it. */
    nonce?: NonceUse | null;
    /** What answers a write sent with ?preview=true (set by the native server, ops/preview.ts). */
    previewOf?: (planned: PlannedWrite) => Promise<unknown>;
  }
  interface FastifyContextConfig {
    /** No credentials needed (health, docs, token issue). */
    public?: boolean;
    /** A POST that writes nothing (flow checks, simulations, tokens, host reports): no revision. */
    read?: boolean;
  }
}

export function principal(req: FastifyRequest): Principal {
  return req.principal!;
}

/** Idempotency key, If-Match revision and the nonce to record, for a write. */
export function writeOptions(req: FastifyRequest): WriteOptions {
  const opts: WriteOptions = {
    ifMatch: ifMatch(req),
    ...(req.nonce ? { nonce: req.nonce } : {}),
    ...(previewAsked(req) && req.previewOf ? { preview: req.previewOf } : {}),
  };
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') return opts;
  if (key.length > 255)
    throw new ServiceError(
      400,
      'INVALID_IDEMPOTENCY_KEY',
      'the Idempotency-Key header is longer than 255 characters',
    );
  return { ...opts, idempotencyKey: key, requestHash: requestHash(req.method, req.url, req.rawBody ?? '') };
}

/** A write's answer when it was previewed: what it would change, in a media type of its own. */
export const PREVIEW_MEDIA_TYPE = 'application/vnd.palisade.preview+json';

/** ?preview=true (or false, or absent); anything else is refused. */
function previewAsked(req: FastifyRequest): boolean {
  const query = (req.query ?? {}) as Record<string, unknown>;
  if (!Object.hasOwn(query, 'preview')) return false;
  const value = query.preview;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new ServiceError(400, 'INVALID_FIELD', `query.preview "${String(value)}" is not true or false`, [
    { path: 'query.preview', code: 'INVALID_FIELD', message: 'expected true or false' },
  ]);
}

/** If-Match: "12" (or W/"12", or 12) → 12; absent → undefined. */
export function ifMatch(req: FastifyRequest): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined || header === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(String(header).trim());
  if (!m)
    throw new ServiceError(
      400,
      'INVALID_IF_MATCH',
      `If-Match "${header}" is not a revision ETag such as "12"`,
      [{ path: 'header.if-match', code: 'INVALID_IF_MATCH', message: 'expected an ETag such as "12"' }],
    );
  return Number(m[1]);
}

export function sendWrite<R>(reply: FastifyReply, result: WriteResult<R>) {
  if (result.preview !== undefined)
    return reply
      .code(200)
      .header('x-palisade-revision', String(result.revision))
      .type(PREVIEW_MEDIA_TYPE)
      .send(result.preview);
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  const body = result.body as { revision?: number } | null;
  if (body && typeof body.revision === 'number') reply.header('etag', `"${body.revision}"`);
  reply.header('x-palisade-revision', String(result.revision));
  if (result.status === 204) return reply.code(204).send();
  return reply.code(result.status).send(result.body);
}

/** One object, with its revision as ETag (reads are asynchronous: they catch up first). */
export async function sendObject(
  reply: FastifyReply,
  read: { revision: number } | Promise<{ revision: number }>,
) {
  const body = await read;
  return reply.header('etag', `"${body.revision}"`).send(body);
}

/**
 * A JSON body parser that keeps the raw text (signatures cover its exact bytes); an empty body
 * is no body; unparsable JSON becomes the error the API answers in its own dialect.
 */
export function jsonBody(invalid: (e: SyntaxError) => Error) {
  return (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = body.toString();
    req.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      if (nestingDepth(text) > MAX_BODY_DEPTH)
        throw new SyntaxError(`the body is nested deeper than ${MAX_BODY_DEPTH} levels`);
      parsed = JSON.parse(text);
      // JSON.parse reads 1e400 as Infinity, which a schema's "integer" lets through: a number
      // too large for a double is malformed input. (Only texts with such a literal are walked.)
      if (OVERFLOW_HINT.test(text) && hasNonFinite(parsed))
        throw new SyntaxError('a number in the body is too large to be represented');
    } catch (e) {
      return done(invalid(e as SyntaxError), undefined);
    }
    done(null, parsed);
  };
}

/**
 * Arrays and objects nested deeper than this are malformed input. No honest body comes close (a
 * policy document is about eight deep), and whatever walks a body recursively afterwards
 * (JSON.stringify, a loader, a schema) must not run out of stack: that was a 500.
 */
export const MAX_BODY_DEPTH = 100;

/** The deepest nesting of arrays and objects in a JSON text (brackets inside strings are text). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** A literal that may overflow a double: an exponent of three digits, or 309 digits in a row. */
const OVERFLOW_HINT = /[eE][+]?\d{3}|\d{309}/;

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasNonFinite);
  return false;
}
