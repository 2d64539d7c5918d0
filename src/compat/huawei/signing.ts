// Huawei Cloud's SDK-HMAC-SHA256 request signature (the API Gateway's AK/SK scheme), exactly as
// @huaweicloud/huaweicloud-sdk-core's AKSKSigner builds it: canonical request
// METHOD\nURI/\nQUERY\nHEADERS\nSIGNED\nsha256hex(body), string to sign
// SDK-HMAC-SHA256\n<X-Sdk-Date>\nsha256hex(canonical), signature hex HMAC-SHA256(SK, ...).
import { createHash, createHmac } from 'node:crypto';
import { own } from '../../core/own.js';

export const ALGORITHM = 'SDK-HMAC-SHA256';
/** How far X-Sdk-Date may be from the server's clock (the API Gateway's 15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes (upper case). */
export function urlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Each segment of the path as sent, encoded again, and always a trailing slash. */
export function canonicalUri(rawPath: string): string {
  const path = rawPath
    .split('/')
    .map((segment) => urlEncode(segment))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** Decoded query pairs: keys sorted, a repeated key's values sorted, each part encoded. */
export function canonicalQuery(search: string): string {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const byKey = new Map<string, string[]>();
  for (const [k, v] of params) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  const out: string[] = [];
  for (const key of [...byKey.keys()].sort())
    for (const value of byKey.get(key)!.sort()) out.push(`${urlEncode(key)}=${urlEncode(value)}`);
  return out.join('&');
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function canonicalRequest(req: {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string;
}): string {
  const headers = req.signedHeaders.map((name) => `${name}:${own(req.headers, name) ?? ''}\n`).join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.search),
    headers,
    req.signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

export function signatureOf(secret: string, date: string, canonical: string): string {
  const text = [ALGORITHM, date, sha256Hex(canonical)].join('\n');
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex` → its fields. */
export function parseAuthorization(
  header: string | undefined,
): { access: string; signedHeaders: string[]; signature: string } | null {
  if (!header?.startsWith(`${ALGORITHM} `)) return null;
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const [access, signedHeaders, signature] = [
    fields.get('Access'),
    fields.get('SignedHeaders'),
    fields.get('Signature'),
  ];
  if (!access || !signedHeaders || !signature) return null;
  return {
    access,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
  };
}

/** "20261129T073000Z" → epoch ms, or NaN. */
export function parseSdkDate(text: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return Number.NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export function formatSdkDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Headers that sign one request the way the SDK does (host, content-type, x-project-id,
 * x-sdk-date), for clients without the SDK (tests, scripts). `url` is the full URL.
 */
export function signRequest(
  key: { ak: string; sk: string },
  method: string,
  url: string,
  body = '',
  extra: Record<string, string> = {},
  now = Date.now(),
): Record<string, string> {
  const u = new URL(url);
  const headers: Record<string, string> = Object.fromEntries([
    ['host', u.host],
    ['x-sdk-date', formatSdkDate(now)],
    ...Object.entries(extra).map(([k, v]) => [k.toLowerCase(), v]),
  ]);
  if (body && !headers['content-type']) headers['content-type'] = 'application/json';
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method,
    path: u.pathname,
    search: u.search,
    headers,
    signedHeaders,
    body,
  });
  const signature = signatureOf(key.sk, headers['x-sdk-date'], canonical);
  return {
    ...headers,
    authorization: `${ALGORITHM} Access=${key.ak}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}
