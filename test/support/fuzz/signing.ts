// Signatures over requests exactly as the fuzz suites send them: the raw path and query (never
// re-encoded or normalised), the raw body. Each scheme uses the server's own signing module, so
// a correctly signed case reaches the handlers and a broken one is broken on purpose.
import { randomBytes } from 'node:crypto';
import { stringToSign, signature } from '../../../src/control/auth/signing.js';
import {
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  percentEncode,
  v1Signature,
  v1StringToSign,
} from '../../../src/compat/alibaba/signing.js';
import { parsePairs } from '../../../src/compat/alibaba/params.js';
import {
  canonicalRequest as huaweiCanonical,
  formatSdkDate,
  signatureOf as huaweiSignature,
} from '../../../src/compat/huawei/signing.js';

export interface Key {
  id: string;
  secret: string;
}

export const nonce = () => randomBytes(12).toString('hex');

const split = (path: string): [string, string] => {
  const at = path.indexOf('?');
  return at < 0 ? [path, ''] : [path.slice(0, at), path.slice(at + 1)];
};

/** PALISADE-HMAC-SHA256 headers for a raw path (with query) and body. */
export function nativeHeaders(
  key: Key,
  method: string,
  path: string,
  body: string | Buffer = '',
  o: { at?: number; nonce?: string } = {},
): Record<string, string> {
  const [p, search] = split(path);
  const date = new Date(o.at ?? Date.now()).toISOString();
  const n = o.nonce ?? nonce();
  const sig = signature(key.secret, stringToSign(method, p, search, date, n, body));
  return {
    authorization: `PALISADE-HMAC-SHA256 Credential=${key.id}, Signature=${sig}`,
    'x-palisade-date': date,
    'x-palisade-nonce': n,
  };
}

export const isoSeconds = (at: number) => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');

/** A query string of pairs, each part percent-encoded as the Alibaba clients do; raw parts kept. */
export function aliQuery(pairs: [string, string | { raw: string }][]): string {
  return pairs
    .map(([k, v]) => `${percentEncode(k)}=${typeof v === 'string' ? percentEncode(v) : v.raw}`)
    .join('&');
}

/**
 * Signature 1.0: the framing parameters added and Signature computed over every parameter the
 * server will read (query then form body), as @alicloud/pop-core does.
 */
export function aliV1(
  key: Key,
  method: string,
  params: [string, string][],
  o: { at?: number; nonce?: string; form?: boolean } = {},
): { path: string; body?: string; headers: Record<string, string> } {
  const framing: [string, string][] = [
    ['Format', 'JSON'],
    ['Version', '2014-05-26'],
    ['AccessKeyId', key.id],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', o.nonce ?? nonce()],
    ['Timestamp', isoSeconds(o.at ?? Date.now())],
  ];
  const given = new Set(params.map(([k]) => k));
  const all = [...framing.filter(([k]) => !given.has(k)), ...params];
  const sig = v1Signature(key.secret, v1StringToSign(method, all));
  const text = aliQuery([...all, ['Signature', sig]]);
  if (o.form)
    return {
      path: '/',
      body: text,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  return { path: `/?${text}`, headers: {} };
}

/**
 * ACS3-HMAC-SHA256 as @alicloud/openapi-core signs: the action and version in x-acs-* headers,
 * parameters in the query (or `rawQuery` as given), any body hashed as sent.
 */
export function aliAcs3(
  key: Key,
  host: string,
  method: string,
  action: string,
  query: [string, string][] | { raw: string },
  o: { at?: number; nonce?: string; body?: string; contentType?: string; version?: string } = {},
): { path: string; body?: string; headers: Record<string, string> } {
  const search = Array.isArray(query) ? aliQuery(query) : query.raw;
  const headers: Record<string, string> = {
    host,
    'x-acs-action': action,
    'x-acs-version': o.version ?? '2014-05-26',
    'x-acs-date': isoSeconds(o.at ?? Date.now()),
    'x-acs-signature-nonce': o.nonce ?? nonce(),
  };
  if (o.contentType) headers['content-type'] = o.contentType;
  const signed = Object.keys(headers).sort();
  let pairs: [string, string][];
  try {
    pairs = parsePairs(search);
  } catch {
    pairs = []; // a broken encoding: the server refuses it before it looks at the signature
  }
  const canonical = acs3CanonicalRequest(method, '/', pairs, headers, signed, o.body ?? '');
  const sig = acs3Signature(key.secret, acs3StringToSign(canonical));
  const { host: _host, ...rest } = headers;
  return {
    path: search ? `/?${search}` : '/',
    body: o.body,
    headers: {
      ...rest,
      host,
      authorization: `ACS3-HMAC-SHA256 Credential=${key.id},SignedHeaders=${signed.join(';')},Signature=${sig}`,
    },
  };
}

/** SDK-HMAC-SHA256 (Huawei's AK/SK) over the raw path and query, signing host, x-sdk-date and content-type. */
export function huaweiHeaders(
  key: Key,
  host: string,
  method: string,
  path: string,
  body = '',
  o: { at?: number; extra?: Record<string, string> } = {},
): Record<string, string> {
  const [p, search] = split(path);
  const headers: Record<string, string> = { host, 'x-sdk-date': formatSdkDate(o.at ?? Date.now()) };
  for (const [k, v] of Object.entries(o.extra ?? {})) headers[k.toLowerCase()] = v;
  const signedHeaders = Object.keys(headers).sort();
  const canonical = huaweiCanonical({ method, path: p, search, headers, signedHeaders, body });
  const sig = huaweiSignature(key.secret, headers['x-sdk-date'], canonical);
  return {
    ...headers,
    authorization: `SDK-HMAC-SHA256 Access=${key.id}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`,
  };
}
