// Huawei Cloud's error envelope, {"request_id","error_code","error_msg"} with the request id also
// in X-Request-Id, and the one table that turns the service layer's errors into it.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../control/errors.js';
import {
  type Dialect,
  type ErrorAnswer,
  frameworkFault,
  type RequestInfo,
  retryAfterHeaders,
  sendAnswer,
} from '../../server/dialects.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Huawei-style request id (32 hex characters) of a /v3 request. */
    huaweiRequestId?: string;
  }
}

/** An error already in Huawei's terms. */
export class HuaweiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const newRequestId = () => randomBytes(16).toString('hex');

export function requestIdOf(req: FastifyRequest): string {
  return (req.huaweiRequestId ??= newRequestId());
}

/** The 202 body of a request with dry_run: everything was checked, nothing written. */
export function dryRunPassed(req: FastifyRequest) {
  return { request_id: requestIdOf(req), error_code: CODES.dryRun, error_msg: 'The DryRun request passed.' };
}

// Codes of the VPC v3 API reference ("Error Codes" appendix) and of the API Gateway.
export const CODES = {
  /** 400: a malformed parameter (the reference's "Invalid ... parameter in request body"). */
  invalid: 'VPC.9901',
  /** 400 ethertype problems; 409 duplicate rule, group in use or referenced. */
  conflict: 'VPC.9902',
  /** 404: group, rule, remote group or address group not found. */
  notFound: 'VPC.9904',
  /** 409: a quota would be exceeded. */
  quota: 'VPC.9905',
  /** 409: the IP address group is used by security group rules. */
  addressGroupInUse: 'VPC.9907',
  /** 400: the URL's project is not the one the request is signed for. */
  projectMismatch: 'VPC.0007',
  /** 403: fine-grained permission missing. */
  forbidden: 'VPC.2201',
  /** 401: the API Gateway's AK/SK authentication failure. */
  auth: 'APIGW.0301',
  /** 404: no such API. */
  noApi: 'APIGW.0101',
  /** 202: a dry run that passed. */
  dryRun: 'SYS.0202',
  /** 429: the API Gateway's throttling (too many requests, or too many failed logins). */
  throttled: 'APIG.0308',
  /** 500: a fault of the server (never for bad input). */
  internal: 'VPC.9999',
} as const;

const ETHERTYPE_CODES = new Set([
  'INVALID_ETHERTYPE',
  'PROTOCOL_ETHERTYPE_MISMATCH',
  'CIDR_ETHERTYPE_MISMATCH',
  'ADDRESS_GROUP_ETHERTYPE_MISMATCH',
]);

/**
 * The service layer's error in Huawei's terms. One table: the code of the first problem picks
 * the Huawei code; the message keeps the service's (it names the field and the value).
 */
export function fromServiceError(e: ServiceError): HuaweiError {
  const first = e.errors[0]?.code ?? e.code;
  switch (first) {
    case 'NOT_FOUND':
      return new HuaweiError(404, CODES.notFound, e.message);
    case 'UNKNOWN_GROUP':
      return new HuaweiError(404, CODES.notFound, `remote security group could not be found: ${e.message}`);
    case 'UNKNOWN_ADDRESS_GROUP':
      return new HuaweiError(404, CODES.notFound, `Address group does not exist: ${e.message}`);
    case 'QUOTA_EXCEEDED':
      return new HuaweiError(409, CODES.quota, `Quota exceeded for resources: ${e.message}`);
    case 'DUPLICATE_RULE':
    case 'GROUP_IN_USE':
    case 'GROUP_REFERENCED':
      return new HuaweiError(409, CODES.conflict, e.message);
    case 'ADDRESS_GROUP_IN_USE':
      return new HuaweiError(409, CODES.addressGroupInUse, e.message);
    case 'REPLAYED_REQUEST':
      return new HuaweiError(
        401,
        CODES.auth,
        'Incorrect IAM authentication information: this signed request was already used (a replay)',
      );
    case 'FORBIDDEN':
      return new HuaweiError(403, CODES.forbidden, e.message);
    case 'RATE_LIMITED':
    case 'TOO_MANY_FAILURES':
      return new HuaweiError(429, CODES.throttled, `The throttling threshold has been reached: ${e.message}`);
    case 'UNSUPPORTED_MEDIA_TYPE':
      return new HuaweiError(
        400,
        CODES.invalid,
        'The request body must be JSON (Content-Type: application/json)',
      );
    case 'INVALID_JSON':
      return new HuaweiError(400, CODES.invalid, `Invalid JSON body: ${e.message}`);
  }
  if (ETHERTYPE_CODES.has(first)) return new HuaweiError(400, CODES.conflict, e.message);
  if (e.status === 401)
    return new HuaweiError(401, CODES.auth, `Incorrect IAM authentication information: ${e.message}`);
  if (e.status === 404) return new HuaweiError(404, CODES.notFound, e.message);
  if (e.status === 409) return new HuaweiError(409, CODES.conflict, e.message);
  if (e.status >= 500) return new HuaweiError(500, CODES.internal, e.message);
  // The transport's refusals (413 body, 414 path, 431 headers, 408) keep their status.
  return new HuaweiError(e.status >= 408 && e.status !== 409 ? e.status : 400, CODES.invalid, e.message);
}

/** Any thrown thing → the Huawei envelope. Bad input is always 4xx. */
export function toHuaweiError(err: unknown): HuaweiError {
  if (err instanceof HuaweiError) return err;
  const fault = frameworkFault(err);
  if (fault instanceof ServiceError) return fromServiceError(fault);
  return new HuaweiError(500, CODES.internal, 'Internal server error');
}

/** The Huawei envelope, with the request id (also in X-Request-Id) of the request if it has one. */
export function huaweiAnswer(err: unknown, req: RequestInfo & { huaweiRequestId?: string }): ErrorAnswer {
  const e = toHuaweiError(err);
  const requestId = (req.huaweiRequestId ??= newRequestId());
  return {
    status: e.status,
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      ...retryAfterHeaders(frameworkFault(err)),
    },
    body: JSON.stringify({ request_id: requestId, error_code: e.code, error_msg: e.message }),
  };
}

export function sendHuaweiError(reply: FastifyReply, req: FastifyRequest, e: unknown) {
  return sendAnswer(reply, huaweiAnswer(e, req));
}

/** The VPC v3 API under /v3. */
export const huaweiDialect: Dialect = {
  name: 'huawei',
  serves: (path) => path.startsWith('/v3/'),
  answer: huaweiAnswer,
};

export const invalid = (message: string) => new HuaweiError(400, CODES.invalid, message);
export const notFound = (message: string) => new HuaweiError(404, CODES.notFound, message);
