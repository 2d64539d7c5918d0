// Palisade's request signature, shared by the server and every client (CLI, agent, tests):
// HMAC-SHA256 with the access key's secret over the method, path, sorted query, timestamp,
// nonce and the body's SHA-256. A timestamp bounds a captured request's life; the nonce makes
// it single-use within that window.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const ALGORITHM = 'PALISADE-HMAC-SHA256';
export const DATE_HEADER = 'x-palisade-date';
export const NONCE_HEADER = 'x-palisade-nonce';
/** How far a request's timestamp may be from the server's clock. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

/** Query pairs sorted by name then value, each part percent-encoded the same way on both ends. */
export function canonicalQuery(search: string): string {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const pairs = [...params.entries()].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function stringToSign(
  method: string,
  path: string,
  search: string,
  date: string,
  nonce: string,
  body: string | Buffer,
): string {
  return [ALGORITHM, method.toUpperCase(), path, canonicalQuery(search), date, nonce, sha256Hex(body)].join(
    '\n',
  );
}

export function signature(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** The headers that sign one request. `url` is the path with its query. */
export function signRequest(
  key: { id: string; secret: string },
  method: string,
  url: string,
  body: string | Buffer = '',
  now: number = Date.now(),
): Record<string, string> {
  const u = new URL(url, 'http://x');
  const date = new Date(now).toISOString();
  const nonce = randomBytes(16).toString('hex');
  const sig = signature(key.secret, stringToSign(method, u.pathname, u.search, date, nonce, body));
  return {
    authorization: `${ALGORITHM} Credential=${key.id}, Signature=${sig}`,
    [DATE_HEADER]: date,
    [NONCE_HEADER]: nonce,
  };
}
