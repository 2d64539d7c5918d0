// Neutron's error dialect: {"NeutronError": {"type", "message", "detail"}} with the exception
// class name as type, and the one table that turns a service-layer error into it. Messages are
// Neutron's own (openstack/neutron neutron/extensions/securitygroup.py, neutron-lib exceptions).
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { ServiceError } from '../../control/errors.js';
import { canonicalCidr, cidrFamily, isNetworkAligned } from '../../core/address.js';
import {
  type Dialect,
  type ErrorAnswer,
  frameworkFault,
  type RequestInfo,
  retryAfterHeaders,
  sendAnswer,
} from '../../http/dialects.js';

export class NeutronError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly detail = '',
  ) {
    super(message);
  }
}

/** keystonemiddleware's answer to a missing or bad token (not a NeutronError). */
export class KeystoneError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export const unauthenticated = () =>
  new KeystoneError(401, 'Unauthorized', 'The request you have made requires authentication.');

// ---- the exceptions the front end raises itself ----

export const badRequest = (message: string) => new NeutronError(400, 'HTTPBadRequest', message);
export const invalidInput = (message: string) =>
  new NeutronError(400, 'InvalidInput', `Invalid input for operation: ${message}.`);
export const resourceNotFound = () =>
  new NeutronError(404, 'HTTPNotFound', 'The resource could not be found.');

export const groupNotFound = (id: string) =>
  new NeutronError(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`);
export const ruleNotFound = (id: string) =>
  new NeutronError(404, 'SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);
export const addressGroupNotFound = (id: string) =>
  new NeutronError(404, 'AddressGroupNotFound', `Address group ${id} could not be found.`);
export const groupInUse = (id: string, reason = 'in use') =>
  new NeutronError(409, 'SecurityGroupInUse', `Security Group ${id} ${reason}.`);
export const defaultExists = () =>
  new NeutronError(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
export const cannotUpdateDefault = () =>
  new NeutronError(409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
export const cannotRemoveDefault = () =>
  new NeutronError(
    409,
    'SecurityGroupCannotRemoveDefault',
    'Insufficient rights for removing default security group.',
  );
export const ruleExists = (ruleId: string) =>
  new NeutronError(
    409,
    'SecurityGroupRuleExists',
    `Security group rule already exists. Rule id is ${ruleId}.`,
  );
export const duplicateInPost = () =>
  new NeutronError(409, 'DuplicateSecurityGroupRuleInPost', 'Duplicate Security Group Rule in POST.');
export const overQuota = (resource: string) =>
  new NeutronError(409, 'OverQuota', `Quota exceeded for resources: ['${resource}'].`);
/** revision_plugin.RevisionNumberConstraintFailed (a webob HTTPPreconditionFailed). */
export const preconditionFailed = (expected: number, current: number) =>
  new NeutronError(
    412,
    'RevisionNumberConstraintFailed',
    `Constrained to ${expected}, but current revision is ${current}`,
  );
export const addressGroupInUse = (id: string) =>
  new NeutronError(
    409,
    'AddressGroupInUse',
    `Address group ${id} is in use on one or more security group rules.`,
  );

/** A policy refusal, as neutron.policy.enforce raises it (oslo.policy's message). */
export const policyNotAuthorized = (rule: string) =>
  new NeutronError(403, 'PolicyNotAuthorized', `rule:${rule} is disallowed by policy`);
export const networkNotFound = (id: string) =>
  new NeutronError(404, 'NetworkNotFound', `Network ${id} could not be found.`);
export const subnetNotFound = (id: string) =>
  new NeutronError(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
export const portNotFound = (id: string) =>
  new NeutronError(404, 'PortNotFound', `Port ${id} could not be found.`);
/** Groups asked for on a port whose port security is off (an InvalidInput: 400). */
export const portSecurityRequired = () =>
  new NeutronError(
    400,
    'PortSecurityAndIPRequiredForSecurityGroups',
    'Port security must be enabled and port must have an IP address in order to use security groups.',
  );
/** Port security turned off on a port that still has groups (an InUse: 409). */
export const portHasSecurityGroup = () =>
  new NeutronError(
    409,
    'PortSecurityPortHasSecurityGroup',
    'Port has security group associated. Cannot disable port security or IP address until security group is removed.',
  );

/** neutron_lib validators.validate_subnet's refusals of a subnet's cidr. */
function badSubnetCidr(value: string): NeutronError {
  const reason =
    cidrFamily(value) && value.includes('/') && !isNetworkAligned(value)
      ? `'${value}' isn't a recognized IP subnet cidr, '${canonicalCidr(value)}' is recommended`
      : `'${value}' is not a valid IP subnet`;
  return badRequest(`Invalid input for cidr. Reason: ${reason}.`);
}

/** Python's repr of a list of strings, as Neutron's messages print them. */
export const pyList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

// ---- service errors → Neutron exceptions ----

/** What the request was acting on, for the errors whose Neutron type depends on it. */
export type Subject =
  'security_group' | 'security_group_rule' | 'address_group' | 'network' | 'subnet' | 'port';

/** The Neutron resource a quota limits, where it is not the request's subject. */
const QUOTA_RESOURCES = new Map<NonNullable<ServiceError['quota']>, Subject>([
  ['groupsPerPort', 'security_group'],
  ['rulesPerGroup', 'security_group_rule'],
  ['rulesPerTenant', 'security_group_rule'],
  ['rulesPerPort', 'security_group_rule'],
  ['addressGroupsPerTenant', 'address_group'],
  ['entriesPerAddressGroup', 'address_group'],
]);

/**
 * One row per service error code. The front end checks Neutron's rules before it calls the
 * service, so most of these are a safety net for races and rules only the service knows. Rows
 * decide on the error's code and typed fields; its message is only ever passed on.
 */
const TABLE = new Map<string, (e: ServiceError, subject: Subject) => NeutronError>(
  Object.entries({
    NOT_FOUND: (e, subject) => {
      const id = e.id ?? '';
      if (e.resource === 'rule') return ruleNotFound(id);
      if (e.resource === 'addressGroup') return addressGroupNotFound(id);
      if (e.resource === 'group') return groupNotFound(id);
      if (e.resource === 'vpc') return networkNotFound(id);
      if (e.resource === 'subnet') return subnetNotFound(id);
      if (e.resource === 'port' || e.resource === 'instance') return portNotFound(id);
      return subject === 'address_group'
        ? addressGroupNotFound(id)
        : new NeutronError(404, 'NotFound', e.message);
    },
    UNKNOWN_GROUP: (e) => groupNotFound(e.id ?? ''),
    UNKNOWN_ADDRESS_GROUP: (e) => addressGroupNotFound(e.id ?? ''),
    DUPLICATE_RULE: (e) => ruleExists(e.existingRuleId ?? ''),
    DEFAULT_GROUP_EXISTS: () => defaultExists(),
    QUOTA_EXCEEDED: (e, subject) => overQuota((e.quota && QUOTA_RESOURCES.get(e.quota)) ?? subject),
    GROUP_IN_USE: (e) => groupInUse(e.id ?? ''),
    GROUP_REFERENCED: (e) =>
      groupInUse(
        e.id ?? '',
        // The first five, as the service's own message names them.
        `is in use as the remote group of rules of ${e.referencedBy?.slice(0, 5).join(', ') ?? 'other groups'}`,
      ),
    ADDRESS_GROUP_IN_USE: (e) => addressGroupInUse(e.id ?? ''),
    REVISION_MISMATCH: (e) =>
      e.expected !== undefined && e.actual !== undefined
        ? preconditionFailed(e.expected, e.actual)
        : new NeutronError(412, 'HTTPPreconditionFailed', e.message),
    INVALID_CIDR: (e, subject) =>
      subject === 'subnet'
        ? badSubnetCidr(e.value ?? '')
        : new NeutronError(400, 'InvalidCIDR', `Invalid CIDR ${e.value ?? ''} given as IP prefix.`),
    CIDR_ETHERTYPE_MISMATCH: (e, subject) =>
      subject === 'subnet'
        ? invalidInput(
            `cidr '${e.value ?? ''}' does not match the ip_version '${cidrFamily(e.value ?? '') === 'IPv4' ? 6 : 4}'`,
          )
        : new NeutronError(400, 'SecurityGroupRuleParameterConflict', e.message),
    REMOTE_CONFLICT: () =>
      new NeutronError(
        400,
        'SecurityGroupMultipleRemoteEntites',
        'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
      ),
    PORT_OUT_OF_RANGE: (e) => new NeutronError(400, 'SecurityGroupInvalidPortValue', e.message),
    PORT_RANGE_INVERTED: () =>
      new NeutronError(
        400,
        'SecurityGroupInvalidPortRange',
        'For TCP/UDP protocols, port_range_min must be <= port_range_max',
      ),
    PORTS_NOT_ALLOWED: (e) => new NeutronError(400, 'SecurityGroupInvalidProtocolForPort', e.message),
    UNKNOWN_PROTOCOL: (e) => new NeutronError(400, 'SecurityGroupRuleInvalidProtocol', e.message),
    PROTOCOL_OUT_OF_RANGE: (e) => new NeutronError(400, 'SecurityGroupRuleInvalidProtocol', e.message),
    PROTOCOL_ETHERTYPE_MISMATCH: (e) =>
      new NeutronError(400, 'SecurityGroupEthertypeConflictWithProtocol', e.message),
    ICMP_OUT_OF_RANGE: (e) => new NeutronError(400, 'SecurityGroupInvalidIcmpValue', e.message),
    ICMP_CODE_WITHOUT_TYPE: (e) => new NeutronError(400, 'SecurityGroupMissingIcmpType', e.message),
    UNKNOWN_ENTRY: (e) => new NeutronError(404, 'AddressesNotFound', e.message),
    FORBIDDEN: (e) => new NeutronError(403, 'PolicyNotAuthorized', e.message),
    // The transport's refusals, as webob names them.
    BODY_TOO_LARGE: () => new NeutronError(413, 'HTTPRequestEntityTooLarge', 'Request entity too large'),
    UNSUPPORTED_MEDIA_TYPE: () =>
      new NeutronError(415, 'HTTPUnsupportedMediaType', 'Unsupported Content-Type'),
    URI_TOO_LONG: () => new NeutronError(414, 'HTTPRequestURITooLong', 'Request-URI too long'),
    HEADERS_TOO_LARGE: () =>
      new NeutronError(431, 'HTTPRequestHeaderFieldsTooLarge', 'Request header fields too large'),
    REQUEST_TIMEOUT: () =>
      new NeutronError(408, 'HTTPRequestTimeout', 'The request was not received in time'),
    RATE_LIMITED: (e) => new NeutronError(429, 'HTTPTooManyRequests', e.message),
    TOO_MANY_FAILURES: (e) => new NeutronError(429, 'HTTPTooManyRequests', e.message),
    INVALID_JSON: () => badRequest('Body contains invalid data'),
    // Networks, subnets and ports (neutron_lib.exceptions, port_security, allowedaddresspairs).
    VPC_IN_USE: (e, subject) =>
      subject === 'network'
        ? new NeutronError(
            409,
            'NetworkInUse',
            `Unable to complete operation on network ${e.id ?? ''}. There are one or more ports still in use on the network.`,
          )
        : new NeutronError(409, 'Conflict', e.message),
    SUBNET_IN_USE: (e) =>
      new NeutronError(
        409,
        'SubnetInUse',
        `Unable to complete operation on subnet ${e.id ?? ''}: One or more ports have an IP allocation from this subnet.`,
      ),
    SUBNET_OVERLAP: (e) =>
      invalidInput(
        `Requested subnet with cidr: ${e.value ?? ''} for network: ${e.id ?? ''} overlaps with another subnet`,
      ),
    UNKNOWN_SUBNET: (e) => subnetNotFound(e.id ?? ''),
    ADDRESS_OUTSIDE_SUBNET: (e) =>
      e.resource === 'subnet'
        ? new NeutronError(
            400,
            'InvalidIpForSubnet',
            `IP address ${e.value ?? ''} is not a valid IP for the specified subnet.`,
          )
        : new NeutronError(
            400,
            'InvalidIpForNetwork',
            `IP address ${e.value ?? ''} is not a valid IP for any of the subnets on the specified network.`,
          ),
    ADDRESS_IN_USE: (e) =>
      new NeutronError(
        409,
        'IpAddressInUse',
        `Unable to complete operation for network ${e.id ?? ''}. The IP address ${e.value ?? ''} is in use.`,
      ),
    NO_FREE_ADDRESS: (e) =>
      new NeutronError(
        409,
        'IpAddressGenerationFailure',
        `No more IP addresses available on network ${e.value ?? ''}.`,
      ),
    GROUPS_NEED_PORT_SECURITY: () => portSecurityRequired(),
    VIRTUAL_IPS_NEED_PORT_SECURITY: () =>
      new NeutronError(
        409,
        'AddressPairAndPortSecurityRequired',
        'Port Security must be enabled in order to have allowed address pairs on a port.',
      ),
  }),
);

const BY_STATUS = new Map([
  [400, 'BadRequest'],
  [403, 'NotAuthorized'],
  [404, 'NotFound'],
  [409, 'Conflict'],
  [412, 'HTTPPreconditionFailed'],
]);

export function fromServiceError(e: ServiceError, subject: Subject): NeutronError | KeystoneError {
  if (e.status === 401) return unauthenticated();
  const row = TABLE.get(e.code);
  if (row) return row(e, subject);
  // Neutron answers 400 for every malformed request (422 is not in its vocabulary).
  if (e.status === 400 || e.status === 422) return invalidInput(e.message);
  if (e.status === 404) return resourceNotFound();
  if (e.status >= 500)
    return new NeutronError(
      e.status,
      'HTTPInternalServerError',
      'Request Failed: internal server error while processing your request.',
    );
  return new NeutronError(e.status, BY_STATUS.get(e.status) ?? 'NeutronException', e.message);
}

/** keystonemiddleware's and Keystone's envelope; a 401 names where to log in. */
export function keystoneAnswer(
  e: KeystoneError,
  authUri: string | undefined,
  extra: Record<string, string> = {},
): ErrorAnswer {
  return {
    status: e.status,
    headers: {
      'content-type': 'application/json',
      ...(e.status === 401 && authUri ? { 'www-authenticate': `Keystone uri="${authUri}"` } : {}),
      ...extra,
    },
    body: JSON.stringify({ error: { code: e.status, title: e.title, message: e.message } }),
  };
}

export function neutronAnswer(e: NeutronError, extra: Record<string, string> = {}): ErrorAnswer {
  return {
    status: e.status,
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify({ NeutronError: { type: e.type, message: e.message, detail: e.detail } }),
  };
}

export function sendKeystoneError(reply: FastifyReply, e: KeystoneError, authUri?: string) {
  return sendAnswer(reply, keystoneAnswer(e, authUri));
}

export function sendNeutronError(reply: FastifyReply, e: NeutronError) {
  return sendAnswer(reply, neutronAnswer(e));
}

const INTERNAL = () =>
  new NeutronError(
    500,
    'HTTPInternalServerError',
    'Request Failed: internal server error while processing your request.',
  );

/** Anything a handler throws, in Neutron's dialect (never a 5xx for a client's mistake). */
export function toNeutron(err: unknown, subject: Subject): NeutronError | KeystoneError {
  if (err instanceof NeutronError || err instanceof KeystoneError) return err;
  const fault = frameworkFault(err);
  if (fault instanceof ServiceError) return fromServiceError(fault, subject);
  return INTERNAL();
}

/** Python's names of the statuses Keystone answers with (its errors' titles). */
const KEYSTONE_TITLES = new Map([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [408, 'Request Timeout'],
  [409, 'Conflict'],
  [413, 'Request Entity Too Large'],
  [414, 'Request-URI Too Long'],
  [415, 'Unsupported Media Type'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
]);

/** Anything a Keystone handler throws, in Keystone's envelope. */
export function toKeystone(err: unknown): KeystoneError {
  if (err instanceof KeystoneError) return err;
  const fault = frameworkFault(err);
  if (fault instanceof ServiceError && fault.status < 500) {
    if (fault.status === 401)
      return new KeystoneError(401, 'Unauthorized', fault.message || unauthenticated().message);
    return new KeystoneError(fault.status, KEYSTONE_TITLES.get(fault.status) ?? 'Bad Request', fault.message);
  }
  return new KeystoneError(
    500,
    'Internal Server Error',
    'An unexpected error prevented the server from fulfilling your request.',
  );
}

/** The base URL the client reached (for Keystone's www-authenticate and links). */
export function baseUrlOf(req: RequestInfo): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim() || 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}

/** Keystone v3 under /identity. */
export const keystoneDialect: Dialect = {
  name: 'keystone',
  serves: (path) => path === '/identity' || path.startsWith('/identity/'),
  answer: (err, req) => {
    const e = toKeystone(err);
    if (e.status >= 500) (req as { log?: FastifyBaseLogger }).log?.error({ err }, 'Keystone request failed');
    return keystoneAnswer(e, `${baseUrlOf(req)}/identity`, retryAfterHeaders(frameworkFault(err)));
  },
};

function subjectOf(url: string): Subject {
  if (url.includes('/address-groups')) return 'address_group';
  if (url.includes('/networks')) return 'network';
  if (url.includes('/subnets')) return 'subnet';
  if (url.includes('/ports')) return 'port';
  if (url.includes('/security-group-rules')) return 'security_group_rule';
  return 'security_group';
}

/** Neutron v2.0 under /networking (a missing or bad token: keystonemiddleware's 401). */
export const neutronDialect: Dialect = {
  name: 'neutron',
  serves: (path) => path === '/networking' || path.startsWith('/networking/'),
  answer: (err, req) => {
    const e = toNeutron(err, subjectOf(req.url));
    const extra = retryAfterHeaders(frameworkFault(err));
    if (e instanceof KeystoneError) return keystoneAnswer(e, `${baseUrlOf(req)}/identity`, extra);
    if (e.status >= 500) (req as { log?: FastifyBaseLogger }).log?.error({ err }, 'Neutron request failed');
    return neutronAnswer(e, extra);
  },
};
