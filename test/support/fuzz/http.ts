// Raw HTTP for the fuzz suites: node:http rather than fetch, so that the method, the path (as
// sent, never normalised), every header (repeated ones too) and the body bytes are exactly what
// the case built, and a reproducer can print them. One keep-alive agent, requests one at a time.
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface RawRequest {
  method: string;
  /** The path with its query, exactly as it goes on the request line. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text ('' for HEAD and 204; the first chunk of an event stream). */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Send one request to `base` (http://host:port); never throws for an HTTP answer. */
export function send(base: string, req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const url = new URL(base);
  // Node frames a GET or DELETE body only when told its length (else the bytes would run into
  // the next request on the connection).
  const headers =
    req.body !== undefined && !Object.keys(req.headers).some((h) => h.toLowerCase() === 'content-length')
      ? { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) }
      : req.headers;
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        agent,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
        const finish = () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        };
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // A change stream never ends: its first chunk is enough, then drop the connection.
          if (streaming) {
            res.destroy();
            finish();
          }
        });
        res.on('end', finish);
        res.on('error', (e) => (streaming ? finish() : reject(e)));
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The server's change revision (GET /readyz answers {status, revision} without credentials). */
export async function revisionOf(base: string): Promise<number> {
  let res: RawResponse | undefined;
  for (let attempt = 0; !res; attempt++) {
    try {
      res = await send(base, { method: 'GET', path: '/readyz', headers: {} });
    } catch (e) {
      // A connection the previous request left broken: a fresh one answers.
      if (attempt >= 2) throw e;
    }
  }
  const body = res.json as { revision?: unknown } | undefined;
  if (res.status !== 200 || typeof body?.revision !== 'number')
    throw new Error(`GET /readyz answered ${res.status} ${res.text.slice(0, 200)}`);
  return body.revision;
}

const shorten = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`;

/** A request as a reproducer prints it: method, URL, headers, body (long bodies cut, with their hash). */
export function describeRequest(base: string, req: RawRequest, recipe?: string): string {
  const lines = [`${req.method} ${base}${shorten(req.path, 600)}`];
  for (const [k, v] of Object.entries(req.headers))
    for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${shorten(one, 300)}`);
  if (req.body !== undefined) {
    const text = Buffer.isBuffer(req.body) ? req.body.toString('latin1') : req.body;
    const bytes = Buffer.byteLength(req.body);
    lines.push('');
    lines.push(
      bytes > 800
        ? `${JSON.stringify(text.slice(0, 400))}… (${bytes} bytes, sha256 ${sha256(req.body)})`
        : JSON.stringify(text),
    );
  }
  if (recipe) lines.push(`(built as: ${recipe})`);
  return lines.join('\n');
}

export function describeResponse(res: RawResponse): string {
  const type = res.headers['content-type'] ?? '(no content-type)';
  return `${res.status} ${type} ${shorten(res.text, 500)}`;
}
