// Who sent an ECS request: an ACS3-HMAC-SHA256 Authorization header (@alicloud/openapi-core,
// the ecs20140526 SDK) or a signature 1.0 in the parameters (@alicloud/pop-core), both checked
// against the tenant's access keys, with the timestamp within 15 minutes and a nonce that is
// never accepted twice (recorded by the caller: in the write's transaction, or at once).
import { ServiceError } from '../../control/errors.js';
import type { NonceUse, Principal } from '../../control/service.js';
import type { Context } from '../../http/context.js';
import { AliError, missing } from './errors.js';
import type { Params } from './params.js';
import {
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  parseAcs3,
  v1Signature,
  v1StringToSign,
} from './signing.js';

export const MAX_SKEW_MS = 15 * 60 * 1000;
export const NONCE_TTL_MS = 30 * 60 * 1000;

export interface SignedRequest {
  /** The caller's address (failed attempts are counted per address). */
  source: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Pairs of the URL's query string (what ACS3 signs). */
  query: [string, string][];
  /** Every parameter, query and form body (what signature 1.0 signs). */
  params: Params;
  body: string;
}

export interface Caller {
  principal: Principal;
  nonce: NonceUse;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const incomplete = (detail: string) =>
  new AliError(
    400,
    'IncompleteSignature',
    `The request signature does not conform to Aliyun standards: ${detail}`,
  );

function checkTime(value: string, now: number): void {
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(at))
    throw new AliError(
      400,
      'InvalidTimeStamp.Format',
      'Specified time stamp or date value is not well formatted.',
    );
  if (Math.abs(now - at) > MAX_SKEW_MS)
    throw new AliError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
}

/** The tenant whose key signed `toSign` as `given` (the abuse limits apply: see KeyService). */
async function signer(
  ctx: Context,
  source: string,
  keyId: string,
  sign: (secret: string) => string,
  given: string,
  toSign: string,
): Promise<Principal> {
  let principal: Principal;
  try {
    principal = await ctx.keys.verifySignature(source, keyId, sign, given);
  } catch (e) {
    if (e instanceof ServiceError && e.code === 'INVALID_CREDENTIALS')
      throw new AliError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (e instanceof ServiceError && e.code === 'SIGNATURE_MISMATCH')
      throw new AliError(
        400,
        'SignatureDoesNotMatch',
        `Specified signature is not matched with our calculation. server string to sign is:${toSign}`,
      );
    throw e;
  }
  if (principal.role !== 'tenant')
    throw new AliError(
      403,
      'Forbidden.AccessKey',
      'An operator (admin) key cannot call the ECS API: sign with a tenant access key.',
    );
  return principal;
}

export async function authenticate(ctx: Context, req: SignedRequest): Promise<Caller> {
  const now = ctx.svc.now();
  const authorization = one(req.headers.authorization);
  if (authorization !== undefined && authorization.startsWith('ACS3-')) {
    const auth = parseAcs3(authorization);
    if (!auth)
      throw incomplete(
        'the Authorization header is not "ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=..."',
      );
    for (const h of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce'])
      if (!auth.signedHeaders.includes(h)) throw incomplete(`SignedHeaders must include ${h}`);
    const date = one(req.headers['x-acs-date']);
    const nonce = one(req.headers['x-acs-signature-nonce']);
    if (!date) throw missing('x-acs-date');
    if (!nonce) throw missing('x-acs-signature-nonce');
    checkTime(date, now);
    const canonical = acs3CanonicalRequest(
      req.method,
      req.path,
      req.query,
      req.headers,
      auth.signedHeaders,
      req.body,
    );
    const toSign = acs3StringToSign(canonical);
    const principal = await signer(
      ctx,
      req.source,
      auth.keyId,
      (secret) => acs3Signature(secret, toSign),
      auth.signature,
      toSign,
    );
    return { principal, nonce: ctx.keys.nonceUse(auth.keyId, nonce, NONCE_TTL_MS) };
  }
  const { params } = req;
  const signature = params.get('Signature');
  if (signature === undefined) {
    if (authorization !== undefined) throw incomplete('the Authorization scheme must be ACS3-HMAC-SHA256');
    throw missing(params.has('AccessKeyId') ? 'Signature' : 'AccessKeyId');
  }
  const keyId = params.require('AccessKeyId');
  const method = params.get('SignatureMethod') ?? 'HMAC-SHA1';
  if (method !== 'HMAC-SHA1')
    throw new AliError(400, 'InvalidSignatureMethod', 'Specified signature method is not supported.');
  const version = params.get('SignatureVersion') ?? '1.0';
  if (version !== '1.0')
    throw new AliError(400, 'InvalidSignatureVersion', 'Specified signature version is not supported.');
  const nonce = params.require('SignatureNonce');
  checkTime(params.require('Timestamp'), now);
  const toSign = v1StringToSign(req.method, params.pairs);
  const principal = await signer(
    ctx,
    req.source,
    keyId,
    (secret) => v1Signature(secret, toSign),
    signature,
    toSign,
  );
  return { principal, nonce: ctx.keys.nonceUse(keyId, nonce, NONCE_TTL_MS) };
}
