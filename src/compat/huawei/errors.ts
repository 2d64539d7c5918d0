// Huawei Cloud's error envelope, {"request_id","error_code","error_msg"} with the request id also
// in X-Request-Id, and the one table that turns the service layer's errors into it.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../control/errors.js';

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
  const text = e.message;
  switch (first) {
    case 'NOT_FOUND':
      return new HuaweiError(404, CODES.notFound, text);
    case 'UNKNOWN_GROUP':
      return new HuaweiError(404, CODES.notFound, `remote security group could not be found: ${text}`);
    case 'UNKNOWN_ADDRESS_GROUP':
      return new HuaweiError(404, CODES.notFound, `Address group does not exist: ${text}`);
    case 'QUOTA_EXCEEDED':
      return new HuaweiError(409, CODES.quota, `Quota exceeded for resources: ${text}`);
    case 'DUPLICATE_RULE':
    case 'GROUP_IN_USE':
    case 'GROUP_REFERENCED':
      return new HuaweiError(409, CODES.conflict, text);
    case 'ADDRESS_GROUP_IN_USE':
      return new HuaweiError(409, CODES.addressGroupInUse, text);
    case 'REPLAYED_REQUEST':
      return new HuaweiError(
        401,
        CODES.auth,
        'Incorrect IAM authentication information: this signed request was already used (a replay)',
      );
    case 'FORBIDDEN':
      return new HuaweiError(403, CODES.forbidden, text);
  }
  if (ETHERTYPE_CODES.has(first)) return new HuaweiError(400, CODES.conflict, text);
  if (e.status === 401)
    return new HuaweiError(401, CODES.auth, `Incorrect IAM authentication information: ${text}`);
  if (e.status === 404) return new HuaweiError(404, CODES.notFound, text);
  if (e.status === 409) return new HuaweiError(409, CODES.conflict, text);
  if (e.status >= 500) return new HuaweiError(500, CODES.internal, text);
  return new HuaweiError(400, CODES.invalid, text);
}

/** Any thrown thing → the Huawei envelope. Bad input is always 4xx. */
export function toHuaweiError(err: unknown): HuaweiError {
  if (err instanceof HuaweiError) return err;
  if (err instanceof ServiceError) return fromServiceError(err);
  const fe = err as { statusCode?: number; code?: string; message?: string };
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 415)
      return new HuaweiError(
        400,
        CODES.invalid,
        'The request body must be JSON (Content-Type: application/json)',
      );
    if (fe.statusCode === 413) return new HuaweiError(413, CODES.invalid, 'The request body is too large');
    return new HuaweiError(400, CODES.invalid, `Invalid request: ${fe.message ?? 'malformed'}`);
  }
  if (err instanceof SyntaxError)
    return new HuaweiError(400, CODES.invalid, `Invalid JSON body: ${err.message}`);
  return new HuaweiError(500, CODES.internal, 'Internal server error');
}

export function sendHuaweiError(reply: FastifyReply, req: FastifyRequest, e: HuaweiError) {
  const requestId = requestIdOf(req);
  return reply
    .code(e.status)
    .header('x-request-id', requestId)
    .type('application/json')
    .send({ request_id: requestId, error_code: e.code, error_msg: e.message });
}

export const invalid = (message: string) => new HuaweiError(400, CODES.invalid, message);
export const notFound = (message: string) => new HuaweiError(404, CODES.notFound, message);
