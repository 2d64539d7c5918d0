// Errors the service raises: an HTTP status, a stable code, a message naming the field, and the
// facts of the case as typed fields (what kind of object, its id, which quota, which revisions).
// Every front end renders them in its own dialect (problem+json natively; each cloud's envelope)
// and decides on the code and the fields, never on the message: that is prose for people.
import type {
  AddressGroup,
  Instance,
  Port,
  Profile,
  Quotas,
  Region,
  Rule,
  SecurityGroup,
} from '../core/model.js';
import { own } from '../core/own.js';
import * as core from '../core/validate.js';
import type { Problems, RegionLookup, ValidationError } from '../core/validate.js';

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

/** The kinds of object an error can be about. */
export type Resource =
  | 'tenant'
  | 'region'
  | 'vpc'
  | 'group'
  | 'rule'
  | 'instance'
  | 'port'
  | 'membership'
  | 'addressGroup'
  | 'accessKey'
  | 'user'
  | 'applicationCredential';

/** The facts of an error (of its first problem, for a validation failure), as data. */
export interface ErrorFacts {
  /** The kind of object it is about: NOT_FOUND, UNKNOWN_GROUP, UNKNOWN_ADDRESS_GROUP, *_IN_USE. */
  resource?: Resource;
  /** That object's id (for a membership: the group's). */
  id?: string;
  /** QUOTA_EXCEEDED: the quota's name and its limit. */
  quota?: keyof Quotas;
  limit?: number;
  /** REVISION_MISMATCH: the revision If-Match expected and the object's actual one. */
  expected?: number;
  actual?: number;
  /** DUPLICATE_RULE: the rule the new or changed one would be the same as. */
  existingRuleId?: string;
  /** GROUP_REFERENCED, ADDRESS_GROUP_IN_USE: the groups whose rules name the object. */
  referencedBy?: string[];
  /** INVALID_CIDR: the text that is not a CIDR. */
  value?: string;
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
  declare readonly referencedBy?: string[];
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

/** The facts of the problems the service layer noted (below); the problems stay as the core made them. */
const FACTS = new WeakMap<ValidationError, ErrorFacts>();

/** A validation failure: 409 when every problem is a conflict with the state, else 400. */
export function invalid(coreErrors: ValidationError[]): ServiceError {
  const errors = coreErrors.map((e) => ({ ...e, path: apiNames(e.path), message: apiNames(e.message) }));
  const conflict = errors.every((e) => CONFLICTS.has(e.code));
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  // The core's codes are ErrorCodes (test/control/errors.test.ts checks the core's sources).
  return new ServiceError(
    conflict ? 409 : 400,
    first.code as ErrorCode,
    `${first.message}${more}`,
    errors,
    FACTS.get(coreErrors[0]),
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
  ['membership', 'membership'],
  ['addressGroup', 'address group'],
  ['accessKey', 'access key'],
  ['user', 'OpenStack user'],
  ['applicationCredential', 'application credential'],
]);

/** 404 for an object of a kind; `what` names it in the message when the kind's name is not enough. */
export const notFound = (resource: Resource, id: string, what = NAMES.get(resource) ?? resource) =>
  new ServiceError(404, 'NOT_FOUND', `${what} "${id}" does not exist`, [], { resource, id });

export const conflict = (code: ErrorCode, message: string, facts: ErrorFacts = {}) =>
  new ServiceError(409, code, message, [], facts);

export const forbidden = (message: string) => new ServiceError(403, 'FORBIDDEN', message);

export const badRequest = (code: ErrorCode, path: string, message: string, facts: ErrorFacts = {}) =>
  new ServiceError(400, code, message, [{ path, code, message }], facts);

// ---- problems with their facts ----
// The core's checks report a path, a code and a message; the service layer knows what they were
// checking, so it notes the facts of each problem they add, and `invalid` hands on the first's.

/** Adds a problem the service layer finds itself, with its facts. */
export function addProblem(p: Problems, path: string, code: ErrorCode, message: string, facts: ErrorFacts) {
  p.add(path, code, message);
  FACTS.set(p.list[p.list.length - 1], facts);
}

/** Notes facts on the problems added since `from`, by `${code} ${path}`. */
function noteSince(p: Problems, from: number, facts: () => Map<string, ErrorFacts>) {
  if (p.list.length === from) return;
  const byKey = facts();
  for (const e of p.list.slice(from)) {
    const f = byKey.get(`${e.code} ${e.path}`);
    if (f) FACTS.set(e, f);
  }
}

/** The facts of the problems of one rule at `at`: its remote's id, or its CIDR. */
function ruleFacts(rule: Rule, at: string, into = new Map<string, ErrorFacts>()) {
  const remote = rule.remote;
  if (remote.kind === 'cidr') into.set(`INVALID_CIDR ${at}.remote.cidr`, { value: remote.cidr });
  if (remote.kind === 'group')
    into.set(`UNKNOWN_GROUP ${at}.remote.groupId`, { resource: 'group', id: remote.groupId });
  if (remote.kind === 'addressGroup')
    into.set(`UNKNOWN_ADDRESS_GROUP ${at}.remote.addressGroupId`, {
      resource: 'addressGroup',
      id: remote.addressGroupId,
    });
  return into;
}

// The core's checks, same signatures, with the facts of what they report.

export function checkQuota(
  quotas: Quotas,
  quota: keyof Quotas,
  count: number,
  what: string,
  p: Problems,
  path: string,
): void {
  const from = p.list.length;
  core.checkQuota(quotas, quota, count, what, p, path);
  noteSince(p, from, () => new Map([[`QUOTA_EXCEEDED ${path}`, { quota, limit: own(quotas, quota) ?? 0 }]]));
}

export function validateRule(
  rule: Rule,
  group: SecurityGroup,
  profile: Profile,
  p: Problems,
  at: string,
): void {
  const from = p.list.length;
  core.validateRule(rule, group, profile, p, at);
  noteSince(p, from, () => ruleFacts(rule, at));
}

export function validateRuleReferences(
  rule: Rule,
  group: Pick<SecurityGroup, 'tenantId' | 'type'>,
  lookup: RegionLookup,
  p: Problems,
  at: string,
): void {
  const from = p.list.length;
  core.validateRuleReferences(rule, group, lookup, p, at);
  noteSince(p, from, () => ruleFacts(rule, at));
}

export function validateGroup(group: SecurityGroup, region: Region, p: Problems, at: string): void {
  const from = p.list.length;
  core.validateGroup(group, region, p, at);
  noteSince(p, from, () => {
    const facts = new Map<string, ErrorFacts>();
    const seen = new Map<string, string>();
    group.rules.forEach((rule, i) => {
      ruleFacts(rule, `${at}.rules[${i}]`, facts);
      const identity = core.ruleIdentity(rule);
      const existing = seen.get(identity);
      if (existing === undefined) seen.set(identity, rule.id);
      else facts.set(`DUPLICATE_RULE ${at}.rules[${i}]`, { existingRuleId: existing });
    });
    return facts;
  });
}

export function validatePort(
  port: Port,
  inst: Pick<Instance, 'tenantId' | 'vpcId'>,
  at: string,
  p: Problems,
  lookup: Pick<RegionLookup, 'group'>,
): void {
  const from = p.list.length;
  core.validatePort(port, inst, at, p, lookup);
  noteSince(
    p,
    from,
    () =>
      new Map(
        port.groupIds.map((id, i) => [
          `UNKNOWN_GROUP ${at}.groups[${i}]`,
          { resource: 'group' as const, id },
        ]),
      ),
  );
}

export function validateAddressGroup(
  ag: AddressGroup,
  at: string,
  p: Problems,
  hasTenant: (id: string) => boolean,
): void {
  const from = p.list.length;
  core.validateAddressGroup(ag, at, p, hasTenant);
  noteSince(
    p,
    from,
    () => new Map(ag.entries.map((e, i) => [`INVALID_CIDR ${at}.entries[${i}]`, { value: e }])),
  );
}
