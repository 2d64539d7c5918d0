// Errors the service raises: an HTTP status, a stable code and a message naming the field.
// Every front end renders them in its own dialect (problem+json natively; each cloud's envelope).
import type { ValidationError } from '../core/validate.js';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: ValidationError[] = [],
    /** For 429 and 503: seconds until a retry may succeed (every dialect sends it as Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Too many requests, or too many failed authentications: 429 with the wait in seconds. */
export const throttled = (code: 'RATE_LIMITED' | 'TOO_MANY_FAILURES', message: string, retryAfter: number) =>
  new ServiceError(429, code, message, [], Math.max(1, Math.ceil(retryAfter)));

/** Codes that describe a conflict with the current state rather than a malformed request. */
const CONFLICTS = new Set(['QUOTA_EXCEEDED', 'DUPLICATE_RULE', 'DEFAULT_GROUP_EXISTS', 'ADDRESS_IN_USE']);

// The core names fields as the model does; the native API names them as its requests do.
const FIELD_NAMES: [RegExp, string][] = [
  [/\.remote\.cidr\b/g, '.remoteIpPrefix'],
  [/\.remote\.groupId\b/g, '.remoteGroup'],
  [/\.remote\.addressGroupId\b/g, '.remoteAddressGroup'],
  [/\.vpc\b(?!Id)/g, '.vpcId'],
  [/\.tenant\b(?!Id)/g, '.tenantId'],
  [/\.groups\b/g, '.groupIds'],
];

const apiNames = (text: string) => FIELD_NAMES.reduce((t, [re, to]) => t.replace(re, to), text);

/** A validation failure: 409 when every problem is a conflict with the state, else 400. */
export function invalid(coreErrors: ValidationError[]): ServiceError {
  const errors = coreErrors.map((e) => ({ ...e, path: apiNames(e.path), message: apiNames(e.message) }));
  const conflict = errors.every((e) => CONFLICTS.has(e.code));
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ServiceError(conflict ? 409 : 400, first.code, `${first.message}${more}`, errors);
}

export const notFound = (what: string, id: string) =>
  new ServiceError(404, 'NOT_FOUND', `${what} "${id}" does not exist`);

export const conflict = (code: string, message: string) => new ServiceError(409, code, message);

export const forbidden = (message: string) => new ServiceError(403, 'FORBIDDEN', message);

export const badRequest = (code: string, path: string, message: string) =>
  new ServiceError(400, code, message, [{ path, code, message }]);
