// The two request signatures Alibaba Cloud's official clients send, computed the way the
// gateway does: signature 1.0 (HMAC-SHA1 over the sorted parameters, @alicloud/pop-core) and
// ACS3-HMAC-SHA256 (a canonical request in the Authorization header, @alicloud/openapi-core).
// Pure functions; the plugin compares their result with what the request carries.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { own } from '../../core/own.js';

/** RFC 3986 percent-encoding as both clients do it: encodeURIComponent plus ! ' ( ) *. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

const byKey = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Signature 1.0: `METHOD&%2F&encode(k=v&...)` over every parameter but Signature, keys sorted. */
export function v1StringToSign(method: string, params: [string, string][]): string {
  const canonical = params
    .filter(([k]) => k !== 'Signature')
    .sort(byKey)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/** Signature 1.0: base64 HMAC-SHA1 keyed with the secret and a trailing "&". */
export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

export const ACS3 = 'ACS3-HMAC-SHA256';

export interface Acs3Authorization {
  keyId: string;
  signedHeaders: string[];
  signature: string;
}

/** `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`; undefined when malformed. */
export function parseAcs3(header: string): Acs3Authorization | undefined {
  if (!header.startsWith(`${ACS3} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const keyId = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!keyId || !signed || !signature) return undefined;
  return { keyId, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()), signature };
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * ACS3 canonical request: method, path, the query (keys sorted, values encoded), the signed
 * headers as `name:value` lines, their names, and the hex SHA-256 of the body.
 */
export function acs3CanonicalRequest(
  method: string,
  path: string,
  query: [string, string][],
  headers: Record<string, string | string[] | undefined>,
  signedHeaders: string[],
  body: string,
): string {
  const canonicalQuery = [...query]
    .sort(byKey)
    .map(([k, v]) => `${k}=${percentEncode(v)}`)
    .join('&');
  const names = [...signedHeaders].sort();
  const lines = names
    .map((name) => {
      const raw = own(headers, name);
      const values = (Array.isArray(raw) ? raw : [raw ?? '']).map((v) => v.trim()).sort();
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
  const uri = path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  return [method.toUpperCase(), uri, canonicalQuery, lines, names.join(';'), sha256Hex(body)].join('\n');
}

export const acs3StringToSign = (canonicalRequest: string) => `${ACS3}\n${sha256Hex(canonicalRequest)}`;

export const acs3Signature = (secret: string, stringToSign: string) =>
  createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
