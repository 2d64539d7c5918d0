// Every API answers every error in its own dialect, including the errors no route sees: a URL
// the router refuses, headers too large for Node's parser, a body over the limit, a flood the
// rate limiter stops. A dialect owns a part of the URL space and turns any error into the
// status, headers and body its clients expect; the framework's own refusals are first turned
// into ServiceErrors with Palisade codes (one table), which every dialect already speaks.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
import { type ErrorCode, ServiceError } from '../control/errors.js';

/** An error as one API answers it. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What an error answer may look at: a Fastify request, or a request line read off a socket. */
export interface RequestInfo {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface Dialect {
  name: string;
  /** Whether this API serves the path (without its query). */
  serves(path: string): boolean;
  /** Any error (a ServiceError, the API's own, the framework's) as this API answers it. */
  answer(err: unknown, req: RequestInfo): ErrorAnswer;
}

/** The Retry-After of a throttled answer, in every dialect. */
export function retryAfterHeaders(err: unknown): Record<string, string> {
  return err instanceof ServiceError && err.retryAfter !== undefined
    ? { 'retry-after': String(err.retryAfter) }
    : {};
}

export function sendAnswer(reply: FastifyReply, a: ErrorAnswer) {
  return reply.code(a.status).headers(a.headers).send(a.body);
}

/** An answer written straight to a socket whose request Node could not parse; then closed. */
export function writeAnswer(socket: Socket, a: ErrorAnswer): void {
  if (socket.writable) {
    const head = [`HTTP/1.1 ${a.status} ${STATUS_TEXT.get(a.status) ?? 'Error'}`];
    for (const [name, value] of Object.entries({
      ...a.headers,
      'content-length': String(Buffer.byteLength(a.body)),
    }))
      head.push(`${name}: ${value}`);
    head.push('connection: close');
    socket.end(`${head.join('\r\n')}\r\n\r\n${a.body}`);
  }
  socket.destroy();
}

const STATUS_TEXT = new Map([
  [400, 'Bad Request'],
  [408, 'Request Timeout'],
  [413, 'Payload Too Large'],
  [414, 'URI Too Long'],
  [431, 'Request Header Fields Too Large'],
  [429, 'Too Many Requests'],
  [500, 'Internal Server Error'],
]);

/** The first dialect serving the path; the last one is the fallback. */
export function dialectFor(dialects: Dialect[], url: string): Dialect {
  const path = url.split('?')[0];
  return dialects.find((d) => d.serves(path)) ?? dialects[dialects.length - 1];
}

/**
 * The framework's refusals (Fastify's FST_ codes, Node's HTTP parser errors) as ServiceErrors
 * with Palisade codes; anything else is returned as it is.
 */
export function frameworkFault(err: unknown): unknown {
  if (err instanceof ServiceError || !(err instanceof Error)) return err;
  const code = (err as { code?: string }).code ?? '';
  const known = FAULTS.get(code);
  if (known) return new ServiceError(known[0], known[1], known[2]);
  if (err instanceof SyntaxError)
    return new ServiceError(400, 'INVALID_JSON', `the request body is not valid JSON: ${err.message}`);
  if (code.startsWith('HPE_'))
    return new ServiceError(400, 'MALFORMED_REQUEST', 'the request is not well-formed HTTP/1.1');
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new ServiceError(status, 'BAD_REQUEST', err.message);
  return err;
}

const FAULTS = new Map<string, [number, ErrorCode, string]>([
  [
    'FST_ERR_CTP_BODY_TOO_LARGE',
    [413, 'BODY_TOO_LARGE', 'the request body is larger than this server accepts'],
  ],
  [
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    [415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be JSON (Content-Type: application/json)'],
  ],
  [
    'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
    [400, 'INVALID_CONTENT_LENGTH', 'the Content-Length header does not match the body'],
  ],
  [
    'FST_ERR_CTP_EMPTY_JSON_BODY',
    [400, 'INVALID_JSON', 'the request body is empty but its Content-Type says JSON'],
  ],
  ['FST_ERR_CTP_INVALID_TYPE', [400, 'INVALID_CONTENT_TYPE', 'the Content-Type header is not a media type']],
  [
    'FST_ERR_MAX_PARAM_LENGTH',
    [414, 'URI_TOO_LONG', 'a part of the path is longer than this server accepts'],
  ],
  ['FST_ERR_BAD_URL', [400, 'INVALID_URL', 'the path holds an invalid percent-encoding']],
  [
    'HPE_HEADER_OVERFLOW',
    [431, 'HEADERS_TOO_LARGE', 'the request headers are larger than this server accepts'],
  ],
  ['ERR_HTTP_REQUEST_TIMEOUT', [408, 'REQUEST_TIMEOUT', 'the request was not received in time']],
]);

/** The request line of a packet Node's parser refused (`GET /path HTTP/1.1`), if it is there. */
export function requestLineOf(raw: Buffer | undefined): RequestInfo {
  const line = (raw ?? Buffer.alloc(0)).subarray(0, 8192).toString('latin1').split('\r\n', 1)[0];
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(line);
  return { method: m?.[1] ?? 'GET', url: m?.[2] ?? '/', headers: {} };
}
