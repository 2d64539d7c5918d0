// Errors the service raises: an HTTP status, a stable code, a message naming the field, and the
// facts of the case as typed fields (what kind of object, its id, which quota, which revisions).
// Every front end renders them in its own dialect (problem+json natively; each cloud's envelope)
// and decides on the code and the fields, never on the message: that is prose for people.
import type { Quotas } from '../core/model.js';
import type { ObjectKind, ProblemFacts, ValidationError } from '../core/validate.js';
import { withoutFacts } from '../core/validate.js';

/** Every code a ServiceError carries: the service layer's, the core's validation and the server's. */
export const ERROR_CODES = [
  // Objects and their state.
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'ALREADY_MEMBER',
  'LAST_GROUP',
  'GROUP_IN_USE',
  'GROUP_REFERENCED',
  'ADDRESS_GROUP_IN_USE',
  'SHARE_IN_USE',
  'ADDRESS_IN_USE',
  'VPC_IN_USE',
  'REGION_IN_USE',
  'TENANT_IN_USE',
  'DEFAULT_GROUP_EXISTS',
  'DUPLICATE_RULE',
  'DUPLICATE_MEMBERSHIP',
  'DUPLICATE_ID',
  'QUOTA_EXCEEDED',
  'REVISION_MISMATCH',
  /** A policy file's object whose name several stored objects share (plan and apply). */
  'AMBIGUOUS_MATCH',
  /** Two objects of one kind a policy file names alike (names match stored objects). */
  'DUPLICATE_NAME',
  'IDEMPOTENCY_KEY_REUSED',
  'USER_EXISTS',
  'CREDENTIAL_EXISTS',
  // References to what does not exist (or is another tenant's).
  'UNKNOWN_REGION',
  'UNKNOWN_TENANT',
  'UNKNOWN_VPC',
  'UNKNOWN_GROUP',
  'UNKNOWN_ADDRESS_GROUP',
  'UNKNOWN_PORT',
  'UNKNOWN_RULE',
  'UNKNOWN_ENTRY',
  'UNKNOWN_PROFILE',
  'UNKNOWN_TEMPLATE',
  // Malformed or unsupported fields.
  'INVALID_FIELD',
  'MISSING_FIELD',
  'UNKNOWN_FIELD',
  'READ_ONLY_FIELD',
  'NAME_REQUIRED',
  'INVALID_NAME',
  'INVALID_ACTION',
  'INVALID_DIRECTION',
  'INVALID_ETHERTYPE',
  'INVALID_ADDRESS',
  'INVALID_CIDR',
  'INVALID_PORTS',
  'INVALID_QUOTA',
  'INVALID_TIMEOUT',
  'TIMEOUT_TOO_LONG',
  'INVALID_CURSOR',
  'INVALID_REVISION',
  'INVALID_SECONDS',
  'INVALID_ENDPOINT',
  'INVALID_EXPIRY',
  'WEAK_PASSWORD',
  'SYNTAX_ERROR',
  'UNKNOWN_PROTOCOL',
  'PROTOCOL_OUT_OF_RANGE',
  'PROTOCOL_ETHERTYPE_MISMATCH',
  'CIDR_ETHERTYPE_MISMATCH',
  'ADDRESS_GROUP_ETHERTYPE_MISMATCH',
  'PORT_OUT_OF_RANGE',
  'PORT_RANGE_INVERTED',
  'PORTS_NOT_ALLOWED',
  'SOURCE_PORTS_NOT_SUPPORTED',
  'ICMP_OUT_OF_RANGE',
  'ICMP_CODE_WITHOUT_TYPE',
  'ICMP_FIELD_NOT_ALLOWED',
  'REMOTE_CONFLICT',
  'PRIORITY_OUT_OF_RANGE',
  'PRIORITY_NOT_SUPPORTED',
  'DENY_NOT_SUPPORTED',
  'NIC_TYPE_NOT_SUPPORTED',
  'CLASSIC_NOT_SUPPORTED',
  'STATELESS_NOT_SUPPORTED',
  'INNER_ACCESS_NOT_SUPPORTED',
  'GROUP_TYPE_NOT_SUPPORTED',
  'ADVANCED_GROUP_REFERENCE',
  'MIXED_GROUP_TYPES',
  'MIXED_STATEFULNESS',
  'VPC_MISMATCH',
  'NO_GROUP',
  'GROUPS_NEED_PORT_SECURITY',
  'VIRTUAL_IPS_NEED_PORT_SECURITY',
  'UNKNOWN_SUBNET',
  'SUBNET_IN_USE',
  'SUBNET_OVERLAP',
  'ADDRESS_OUTSIDE_SUBNET',
  'NO_FREE_ADDRESS',
  // Authentication and authorization.
  'UNAUTHORIZED',
  'MISSING_CREDENTIALS',
  'INVALID_CREDENTIALS',
  'INVALID_TOKEN',
  'MALFORMED_SIGNATURE',
  'SIGNATURE_MISMATCH',
  'SIGNATURE_EXPIRED',
  'UNSUPPORTED_AUTHORIZATION',
  'REPLAYED_REQUEST',
  'FORBIDDEN',
  'RATE_LIMITED',
  'TOO_MANY_FAILURES',
  // The transport's refusals.
  'BAD_REQUEST',
  'MALFORMED_REQUEST',
  'INVALID_JSON',
  'INVALID_URL',
  'INVALID_IF_MATCH',
  'INVALID_IDEMPOTENCY_KEY',
  'INVALID_CONTENT_LENGTH',
  'INVALID_CONTENT_TYPE',
  'UNSUPPORTED_MEDIA_TYPE',
  'BODY_TOO_LARGE',
  'URI_TOO_LONG',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The kinds of object an error can be about: the model's, and the service layer's own. */
export type Resource =
  | ObjectKind
  | 'subnet'
  | 'membership'
  | 'share'
  | 'accessKey'
  | 'user'
  | 'applicationCredential'
  | 'role'
  | 'roleAssignment';

/**
 * The facts of an error (of its first problem, for a validation failure), as data: the core's
 * problem facts (quota and limit, existing rule, bad value, unknown object), and the service's.
 */
export interface ErrorFacts extends Omit<ProblemFacts, 'resource'> {
  /**
   * The kind of object it is about: NOT_FOUND, UNKNOWN_GROUP, UNKNOWN_ADDRESS_GROUP, *_IN_USE.
   * `id` is that object's id (for a membership: the group's).
   */
  resource?: Resource;
  /** REVISION_MISMATCH: the revision If-Match expected and the object's actual one. */
  expected?: number;
  actual?: number;
  /** GROUP_REFERENCED, ADDRESS_GROUP_IN_USE: the groups whose rules name the object. */
  referencedBy?: string[];
  /** GROUP_IN_USE: the member ports the caller sees (at most 100; the message gives the count). */
  ports?: string[];
  /** For 429 and 503: seconds until a retry may succeed (every dialect sends it as Retry-After). */
  retryAfter?: number;
}

export class ServiceError extends Error {
  declare readonly resource?: Resource;
  declare readonly id?: string;
  declare readonly quota?: keyof Quotas;
  declare readonly limit?: number;
  declare readonly expected?: number;
  declare readonly actual?: number;
  declare readonly existingRuleId?: string;
  declare readonly sameAsEntry?: number;
  declare readonly referencedBy?: string[];
  declare readonly ports?: string[];
  declare readonly value?: string;
  declare readonly retryAfter?: number;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly errors: ValidationError[] = [],
    facts: ErrorFacts = {},
  ) {
    super(message);
    Object.assign(this, facts);
  }
}

/** Too many requests, or too many failed authentications: 429 with the wait in seconds. */
export const throttled = (code: 'RATE_LIMITED' | 'TOO_MANY_FAILURES', message: string, retryAfter: number) =>
  new ServiceError(429, code, message, [], { retryAfter: Math.max(1, Math.ceil(retryAfter)) });

/** Codes that describe a conflict with the current state rather than a malformed request. */
const CONFLICTS = new Set([
  'QUOTA_EXCEEDED',
  'DUPLICATE_RULE',
  'DEFAULT_GROUP_EXISTS',
  'ADDRESS_IN_USE',
  'GROUPS_NEED_PORT_SECURITY',
  'VIRTUAL_IPS_NEED_PORT_SECURITY',
]);

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

/**
 * A validation failure: 409 when every problem is a conflict with the state, else 400. The
 * first problem's facts become the error's; the `errors` sent stay path, code and message.
 */
export function invalid(coreErrors: ValidationError[]): ServiceError {
  const errors = withoutFacts(coreErrors).map((e) => ({
    ...e,
    path: apiNames(e.path),
    message: apiNames(e.message),
  }));
  const conflict = errors.every((e) => CONFLICTS.has(e.code));
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  // The core's codes are ErrorCodes (test/control/errors.test.ts checks the core's sources).
  return new ServiceError(
    conflict ? 409 : 400,
    first.code as ErrorCode,
    `${first.message}${more}`,
    errors,
    coreErrors[0].facts,
  );
}

/** What a NOT_FOUND message calls each kind of object. */
const NAMES = new Map<Resource, string>([
  ['tenant', 'tenant'],
  ['region', 'region'],
  ['vpc', 'VPC'],
  ['group', 'security group'],
  ['rule', 'rule'],
  ['instance', 'instance'],
  ['port', 'port'],
  ['subnet', 'subnet'],
  ['membership', 'membership'],
  ['addressGroup', 'address group'],
  ['share', 'share'],
  ['accessKey', 'access key'],
  ['user', 'OpenStack user'],
  ['applicationCredential', 'application credential'],
  ['role', 'role'],
  ['roleAssignment', 'role assignment'],
]);

/** 404 for an object of a kind; `what` names it in the message when the kind's name is not enough. */
export const notFound = (resource: Resource, id: string, what = NAMES.get(resource) ?? resource) =>
  new ServiceError(404, 'NOT_FOUND', `${what} "${id}" does not exist`, [], { resource, id });

export const conflict = (code: ErrorCode, message: string, facts: ErrorFacts = {}) =>
  new ServiceError(409, code, message, [], facts);

export const forbidden = (message: string) => new ServiceError(403, 'FORBIDDEN', message);

export const badRequest = (code: ErrorCode, path: string, message: string, facts: ErrorFacts = {}) =>
  new ServiceError(400, code, message, [{ path, code, message }], facts);
