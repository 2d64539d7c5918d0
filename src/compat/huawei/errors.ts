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
} from '../../http/dialects.js';

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
 * Native field paths → Huawei's field names: the last field of a service error's path (after
 * the Huawei prefix this front end passed, such as `security_group_rule` or
 * `security_group_rules[2]`), in both the core's spelling and the native API's.
 */
const HUAWEI_FIELDS: [RegExp, string][] = [
  [/\.(?:ports|sourcePorts)(?:\[\d+\](?:\.(?:from|to))?)?$/, 'multiport'],
  [/\.(?:remote\.cidr|remoteIpPrefix)$/, 'remote_ip_prefix'],
  [/\.(?:remote\.groupId|remoteGroup)$/, 'remote_group_id'],
  [/\.(?:remote\.addressGroupId|remoteAddressGroup)$/, 'remote_address_group_id'],
  [/\.(?:entries|add|remove)(?:\[\d+\])?$/, 'ip_set'],
  [/\.(?:icmpType|icmpCode)$/, 'protocol'],
  [/\.groupIds(?:\[\d+\])?$/, 'security_groups'],
  [/\.(direction|ethertype|protocol|priority|action|description|name)$/, '$1'],
];

/** The request's own prefixes: a Huawei body wrapper, or the native `body`, which Huawei has not. */
const HUAWEI_PREFIX = /^(security_group_rules?(?:\[\d+\])?|security_group|address_group|port)(?=\.|$)/;

/**
 * A service error's path in Huawei's names: `security_group_rule.ports[0].to` →
 * `security_group_rule.multiport`. A field with no Huawei name is left out (the prefix stays).
 */
export function huaweiPath(given: string | undefined, wrapper?: string): string | undefined {
  if (given === undefined) return undefined;
  // The service names the request body "body" and a batch's entries body.rules[i]: Huawei names
  // the object the body wraps (security_group_rule, ...) and the batch security_group_rules.
  const path = given
    .replace(/^body\.rules\[/, 'security_group_rules[')
    .replace(/^body(?=\.|$)/, wrapper ?? 'body');
  const prefix = HUAWEI_PREFIX.exec(path)?.[1];
  for (const [re, to] of HUAWEI_FIELDS) {
    const m = re.exec(path);
    if (m) return prefix ? `${prefix}.${m[0].replace(re, to)}` : m[0].replace(re, to).replace(/^\./, '');
  }
  return prefix;
}

/** The object a request body wraps, by the resource its path names (the batch's is found by its rules' paths). */
const BODY_WRAPPERS: [RegExp, string][] = [
  [/\/security-group-rules(?:[/?]|$)/, 'security_group_rule'],
  [/\/security-groups(?:[/?]|$)/, 'security_group'],
  [/\/address-groups(?:[/?]|$)/, 'address_group'],
  [/\/ports(?:[/?]|$)/, 'port'],
];

function bodyWrapper(url: string): string | undefined {
  return BODY_WRAPPERS.find(([re]) => re.test(url))?.[1];
}

/** Quotas → the resource Huawei's "Quota exceeded for resources" message names. */
const QUOTA_RESOURCES = new Map<string, string>(
  Object.entries({
    rulesPerGroup: 'security_group_rule',
    rulesPerTenant: 'security_group_rule',
    groupsPerTenant: 'security_group',
    addressGroupsPerTenant: 'address_group',
    entriesPerAddressGroup: 'address_group_contain_ipset',
  }),
);

/** What each code says about the field it names (the facts, never the service's prose). */
const REASONS = new Map<string, string>(
  Object.entries({
    PORT_OUT_OF_RANGE: 'each port is from 1 to 65535',
    PORT_RANGE_INVERTED: 'a range starts at or before its end, such as 1-30',
    INVALID_PORTS: 'ports and ranges separated by commas, such as 80, 1-30 or 80,500,600-800',
    PORTS_NOT_ALLOWED: 'multiport applies to tcp and udp only',
    INVALID_CIDR: 'it must be an IP address or a CIDR block such as 10.0.0.0/24',
    INVALID_ADDRESS: 'it must be an IP address, an IP range or a CIDR block',
    REMOTE_CONFLICT: 'remote_ip_prefix, remote_group_id and remote_address_group_id are mutually exclusive',
    PRIORITY_OUT_OF_RANGE: 'it must be an integer from 1 to 100',
    INVALID_ACTION: 'it must be allow or deny',
    INVALID_DIRECTION: 'it must be ingress or egress',
    UNKNOWN_PROTOCOL: 'it must be icmp, tcp, udp, icmpv6 or an IP protocol number from 0 to 255',
    PROTOCOL_OUT_OF_RANGE: 'it must be icmp, tcp, udp, icmpv6 or an IP protocol number from 0 to 255',
    INVALID_NAME: '1 to 64 characters, letters, digits, underscores (_), hyphens (-) and periods (.)',
    NAME_REQUIRED: 'it is required',
    MISSING_FIELD: 'it is required',
  }),
);

const ETHERTYPE_MESSAGES = new Map<string, string>(
  Object.entries({
    INVALID_ETHERTYPE: 'Security group rule ethertype not supported. Allowed values are [IPv4, IPv6].',
    PROTOCOL_ETHERTYPE_MISMATCH:
      'Security group rule protocol and ethertype mismatch: icmp is IPv4, icmpv6 IPv6.',
    CIDR_ETHERTYPE_MISMATCH: 'Security group rule remote_ip_prefix and ethertype mismatch.',
    ADDRESS_GROUP_ETHERTYPE_MISMATCH: 'Security group rule remote_address_group_id and ethertype mismatch.',
  }),
);

/**
 * The message of a validation failure in Huawei's terms, from the first problem's code, its
 * path (through HUAWEI_FIELDS) and the error's facts; undefined when there is no problem list.
 */
function problemMessage(e: ServiceError, code: string, wrapper?: string): string | undefined {
  const first = e.errors[0];
  if (!first) return undefined;
  const field = huaweiPath(first.path, wrapper);
  const more = e.errors.length > 1 ? ` (and ${e.errors.length - 1} more)` : '';
  const value = e.value !== undefined ? ` "${e.value}"` : '';
  switch (code) {
    case 'UNKNOWN_GROUP':
      return `Invalid ${field ?? 'remote_group_id'}: remote security group ${e.id ?? ''} could not be found.${more}`;
    case 'UNKNOWN_ADDRESS_GROUP':
      return `Invalid ${field ?? 'remote_address_group_id'}: address group ${e.id ?? ''} does not exist.${more}`;
    case 'QUOTA_EXCEEDED': {
      const resource = (e.quota && QUOTA_RESOURCES.get(e.quota)) ?? field ?? 'resource';
      return `Quota exceeded for resources: ['${resource}']${e.limit !== undefined ? ` (quota ${e.limit})` : ''}.`;
    }
    case 'DUPLICATE_RULE':
      // The stored rule it repeats, or the earlier entry of the same batch.
      if (e.existingRuleId !== undefined)
        return `Security group rule already exists. Rule id is ${e.existingRuleId}.`;
      if (e.sameAsEntry !== undefined)
        return `Security group rule already exists. Rule id is the same as ${`security_group_rules[${e.sameAsEntry}]`}.`;
      return first.message;
  }
  if (ETHERTYPE_CODES.has(code))
    return `${ETHERTYPE_MESSAGES.get(code) ?? 'Security group rule ethertype mismatch.'}${field ? ` (${field})` : ''}${more}`;
  // A transport refusal (body too large, ...) names no field: its message stands.
  if (field === undefined) return undefined;
  const reason = REASONS.get(code);
  return `Invalid ${field}${value} parameter in request body${reason ? `: ${reason}` : '.'}${more}`;
}

/**
 * The service layer's error in Huawei's terms. One table: the code of the first problem picks
 * the Huawei code; a validation failure's message is made anew from its code, its path in
 * Huawei's field names and its facts (the service's prose names Palisade's fields).
 */
export function fromServiceError(e: ServiceError, wrapper?: string): HuaweiError {
  const first = e.errors[0]?.code ?? e.code;
  const made = problemMessage(e, first, wrapper);
  switch (first) {
    case 'NOT_FOUND':
      return new HuaweiError(404, CODES.notFound, e.message);
    case 'UNKNOWN_GROUP':
    case 'UNKNOWN_ADDRESS_GROUP':
      return new HuaweiError(404, CODES.notFound, made ?? e.message);
    case 'QUOTA_EXCEEDED':
      return new HuaweiError(409, CODES.quota, made ?? `Quota exceeded for resources: ${e.message}`);
    case 'DUPLICATE_RULE':
      return new HuaweiError(409, CODES.conflict, made ?? e.message);
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
  const message = made ?? e.message;
  if (ETHERTYPE_CODES.has(first)) return new HuaweiError(400, CODES.conflict, message);
  if (e.status === 401)
    return new HuaweiError(401, CODES.auth, `Incorrect IAM authentication information: ${e.message}`);
  if (e.status === 404) return new HuaweiError(404, CODES.notFound, message);
  if (e.status === 409) return new HuaweiError(409, CODES.conflict, message);
  if (e.status >= 500) return new HuaweiError(500, CODES.internal, e.message);
  // The transport's refusals (413 body, 414 path, 431 headers, 408) keep their status.
  return new HuaweiError(e.status >= 408 && e.status !== 409 ? e.status : 400, CODES.invalid, message);
}

/** Any thrown thing → the Huawei envelope. Bad input is always 4xx. */
export function toHuaweiError(err: unknown, wrapper?: string): HuaweiError {
  if (err instanceof HuaweiError) return err;
  const fault = frameworkFault(err);
  if (fault instanceof ServiceError) return fromServiceError(fault, wrapper);
  return new HuaweiError(500, CODES.internal, 'Internal server error');
}

/** The Huawei envelope, with the request id (also in X-Request-Id) of the request if it has one. */
export function huaweiAnswer(err: unknown, req: RequestInfo & { huaweiRequestId?: string }): ErrorAnswer {
  const e = toHuaweiError(err, bodyWrapper(req.url));
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
