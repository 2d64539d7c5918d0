// A Neutron security_group_rule body, checked the way Neutron checks it (attribute map first,
// then securitygroups_db's validation, in that order and with its messages), and turned into
// the service layer's RuleInput.
import type { RuleInput } from '../../core/rule-input.js';
import { ipNetworkText } from './cidr.js';
import { badRequest, invalidInput, NeutronError } from './errors.js';
import {
  ICMP_NUMBERS,
  IP_PROTOCOL_MAP,
  IPV6_ONLY,
  MODEL_PORT_PROTOCOLS,
  PORT_PROTOCOLS,
  protocolKey,
  protocolNumberOf,
  SUPPORTED_PROTOCOLS_TEXT,
  toModelProtocol,
} from './protocols.js';

export interface NeutronRule {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  description: string;
}

/** The rule resource's attributes in Neutron's attribute-map order; true: allowed in POST. */
export const RULE_ATTRS: [string, boolean][] = [
  ['id', false],
  ['security_group_id', true],
  ['remote_group_id', true],
  ['direction', true],
  ['protocol', true],
  ['port_range_min', true],
  ['port_range_max', true],
  ['ethertype', true],
  ['remote_ip_prefix', true],
  ['tenant_id', true],
  ['project_id', true],
  ['remote_address_group_id', true],
  ['normalized_cidr', false],
  ['belongs_to_default_sg', false],
  ['description', true],
  ['created_at', false],
  ['updated_at', false],
  ['revision_number', false],
  ['tags', false],
];
const REQUIRED = new Set(['security_group_id', 'direction']);

/** Python's %s of a JSON value. */
export function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** Request-body checks every Neutron resource shares: unknown attributes and the owner. */
export function checkAttributes(
  body: Record<string, unknown>,
  attrs: [string, boolean][],
  projectId: string,
  create: boolean,
  updatable: Set<string> = new Set(),
): void {
  const known = new Set(attrs.map(([a]) => a));
  const extra = Object.keys(body).filter((k) => !known.has(k));
  if (extra.length) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
  if (!create) {
    for (const [attr] of attrs)
      if (Object.hasOwn(body, attr) && !updatable.has(attr))
        throw badRequest(`Cannot update read-only attribute ${attr}`);
    return;
  }
  const tenant = body.tenant_id;
  const project = body.project_id;
  if (tenant !== undefined && project !== undefined && tenant !== project)
    throw badRequest("'project_id' and 'tenant_id' do not match");
  const owner = project ?? tenant;
  if (owner !== undefined && owner !== projectId)
    throw badRequest(
      "Specifying 'project_id' other than the authenticated project in request is not allowed for the current user.",
    );
  for (const [attr, postable] of attrs) {
    if (!postable && Object.hasOwn(body, attr)) throw badRequest(`Attribute '${attr}' not allowed in POST`);
    if (postable && REQUIRED.has(attr) && !Object.hasOwn(body, attr))
      throw badRequest(`Failed to parse request. Required attribute '${attr}' not specified`);
  }
}

export function checkString(attr: string, v: unknown, max: number): string {
  if (typeof v !== 'string')
    throw badRequest(`Invalid input for ${attr}. Reason: '${py(v)}' is not a valid string.`);
  if (v.length > max)
    throw badRequest(`Invalid input for ${attr}. Reason: '${v}' exceeds maximum length of ${max}.`);
  return v;
}

/** neutron.extensions.securitygroup.convert_protocol */
function convertProtocol(v: unknown): string | null {
  if (v === null || v === undefined || v === 'any') return null;
  const invalid = () =>
    new NeutronError(
      400,
      'SecurityGroupRuleInvalidProtocol',
      `Security group rule protocol ${py(v)} not supported. Only protocol values ${SUPPORTED_PROTOCOLS_TEXT} and integer representations [0 to 255] are supported.`,
    );
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v))) {
    const n = Math.trunc(Number(v));
    if (n >= 0 && n <= 255) return String(n);
    throw invalid();
  }
  if (typeof v === 'string' && IP_PROTOCOL_MAP.has(v.toLowerCase())) return v.toLowerCase();
  throw invalid();
}

/** neutron.extensions.securitygroup.convert_validate_port_value */
function convertPort(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n =
    typeof v === 'number'
      ? Math.trunc(v)
      : typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)
        ? Number(v)
        : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw new NeutronError(400, 'SecurityGroupInvalidPortValue', `Invalid value for port ${py(v)}`);
}

function convertEthertype(v: unknown): 'IPv4' | 'IPv6' {
  if (typeof v === 'string') {
    if (v.toLowerCase() === 'ipv4') return 'IPv4';
    if (v.toLowerCase() === 'ipv6') return 'IPv6';
  }
  throw new NeutronError(
    400,
    'SecurityGroupRuleInvalidEtherType',
    `Security group rule for ethertype '${py(v)}' not supported. Allowed values are ['IPv4', 'IPv6'].`,
  );
}

/** str() of a network as cidr.ts writes it: IPv6 always has a ':', IPv4 never. */
export const familyOf = (cidr: string): 'IPv4' | 'IPv6' => (cidr.includes(':') ? 'IPv6' : 'IPv4');

/** Python's truth value of a JSON value. */
const pyFalsy = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === false ||
  v === 0 ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

/**
 * neutron.extensions.securitygroup.convert_ip_prefix_to_cidr: a false value (None, '', 0,
 * false, [], {}) is no prefix; a string is str(netaddr.IPNetwork(x)) (cidr.ts); anything else,
 * or a string netaddr refuses, is InvalidCIDR.
 */
export function convertPrefix(v: unknown): string | null {
  if (pyFalsy(v)) return null;
  const out = typeof v === 'string' ? ipNetworkText(v) : null;
  if (out === null) throw new NeutronError(400, 'InvalidCIDR', `Invalid CIDR ${py(v)} given as IP prefix.`);
  return out;
}

/** The attribute layer and the plugin's validation of one rule (no existence checks). */
export function parseRule(body: unknown, projectId: string): NeutronRule {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest("Object 'security_group_rule' contains invalid data");
  const b = body as Record<string, unknown>;
  checkAttributes(b, RULE_ATTRS, projectId, true);
  const sgId = checkString('security_group_id', b.security_group_id, 36);
  const direction = b.direction;
  if (direction !== 'ingress' && direction !== 'egress')
    throw badRequest(
      `Invalid input for direction. Reason: ${py(direction)} is not in ['ingress', 'egress'].`,
    );
  const rule: NeutronRule = {
    security_group_id: sgId,
    remote_group_id:
      b.remote_group_id === undefined || b.remote_group_id === null ? null : py(b.remote_group_id),
    direction,
    protocol: convertProtocol(b.protocol),
    port_range_min: convertPort(b.port_range_min),
    port_range_max: convertPort(b.port_range_max),
    ethertype: 'ethertype' in b ? convertEthertype(b.ethertype) : 'IPv4',
    remote_ip_prefix: convertPrefix(b.remote_ip_prefix),
    remote_address_group_id:
      b.remote_address_group_id === undefined || b.remote_address_group_id === null
        ? null
        : py(b.remote_address_group_id),
    description:
      b.description === undefined || b.description === null
        ? ''
        : checkString('description', b.description, 255),
  };
  validateRule(rule);
  return rule;
}

/** securitygroups_db._validate_base_security_group_rule_attributes */
function validateRule(rule: NeutronRule): void {
  // Legacy IPv6 ICMP names and number 1 become ipv6-icmp / 58.
  if (rule.ethertype === 'IPv6') {
    if (rule.protocol === 'icmp' || rule.protocol === 'icmpv6') rule.protocol = 'ipv6-icmp';
    else if (rule.protocol === '1') rule.protocol = '58';
  }
  // The whole port range is no range.
  if (rule.port_range_min === 1 && rule.port_range_max === 65535)
    rule.port_range_min = rule.port_range_max = null;
  validatePortRange(rule);
  if (rule.remote_ip_prefix !== null && familyOf(rule.remote_ip_prefix) !== rule.ethertype)
    throw new NeutronError(
      400,
      'SecurityGroupRuleParameterConflict',
      `Conflicting value ethertype ${rule.ethertype} for CIDR ${rule.remote_ip_prefix}`,
    );
  if (rule.protocol !== null && IPV6_ONLY.has(rule.protocol) && rule.ethertype === 'IPv4')
    throw new NeutronError(
      400,
      'SecurityGroupEthertypeConflictWithProtocol',
      `Invalid ethertype ${rule.ethertype} for protocol ${rule.protocol}.`,
    );
  const remotes = [rule.remote_ip_prefix, rule.remote_group_id, rule.remote_address_group_id].filter(
    (x) => x !== null && x !== '',
  );
  if (remotes.length > 1)
    throw new NeutronError(
      400,
      'SecurityGroupMultipleRemoteEntites',
      'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
    );
}

function validatePortRange(rule: NeutronRule): void {
  const { port_range_min: min, port_range_max: max } = rule;
  if (min === null && max === null) return;
  if (rule.protocol === null)
    throw new NeutronError(
      400,
      'SecurityGroupProtocolRequiredWithPorts',
      'Must also specify protocol if port range is given.',
    );
  const proto = protocolNumberOf(rule.protocol)!;
  if (PORT_PROTOCOLS.has(proto)) {
    if (min === 0 || max === 0)
      throw new NeutronError(400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 0');
    if (!(min !== null && max !== null && min <= max))
      throw new NeutronError(
        400,
        'SecurityGroupInvalidPortRange',
        'For TCP/UDP protocols, port_range_min must be <= port_range_max',
      );
  } else if (ICMP_NUMBERS.has(proto)) {
    for (const [value, attr, field] of [
      [min, 'port_range_min', 'type'],
      [max, 'port_range_max', 'code'],
    ] as const)
      if (value !== null && !(value >= 0 && value <= 255))
        throw new NeutronError(
          400,
          'SecurityGroupInvalidIcmpValue',
          `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`,
        );
    if (min === null && max !== null)
      throw new NeutronError(
        400,
        'SecurityGroupMissingIcmpType',
        `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`,
      );
  } else {
    throw new NeutronError(
      400,
      'SecurityGroupInvalidProtocolForPort',
      `Ports cannot be specified for protocol ${proto}. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.`,
    );
  }
}

/** What makes two rules "the same rule" to Neutron (securitygroups_db._rule_to_key). */
export function ruleKey(r: {
  direction: unknown;
  ethertype: unknown;
  protocol: unknown;
  port_range_min: unknown;
  port_range_max: unknown;
  remote_ip_prefix: unknown;
  remote_group_id: unknown;
  remote_address_group_id: unknown;
  security_group_id: unknown;
}): string {
  const none = '+';
  const proto = r.protocol === null ? null : protocolKey(String(r.protocol), String(r.ethertype));
  const prefix = r.remote_ip_prefix;
  return [
    r.direction,
    r.ethertype,
    r.port_range_max ?? none,
    r.port_range_min ?? none,
    proto ?? none,
    r.remote_group_id ?? none,
    r.remote_address_group_id ?? none,
    prefix === null || prefix === '0.0.0.0/0' || prefix === '::/0' ? none : prefix,
    r.security_group_id,
  ].join('_');
}

/** The service layer's input for a validated Neutron rule. */
export function toRuleInput(rule: NeutronRule): RuleInput {
  const protocol = toModelProtocol(rule.protocol);
  const number = protocolNumberOf(rule.protocol);
  const input: RuleInput = { direction: rule.direction, ethertype: rule.ethertype, protocol };
  if (number !== null && PORT_PROTOCOLS.has(number) && rule.port_range_min !== null) {
    if (!MODEL_PORT_PROTOCOLS.has(number))
      throw invalidInput(
        `port ranges are supported for tcp, udp and sctp rules only, not for protocol ${rule.protocol}`,
      );
    input.ports = [{ from: rule.port_range_min, to: rule.port_range_max! }];
  }
  if (number !== null && ICMP_NUMBERS.has(number)) {
    if (rule.port_range_min !== null) input.icmpType = rule.port_range_min;
    if (rule.port_range_max !== null) input.icmpCode = rule.port_range_max;
  }
  if (rule.remote_ip_prefix !== null) input.remoteIpPrefix = rule.remote_ip_prefix;
  if (rule.remote_group_id !== null && rule.remote_group_id !== '') input.remoteGroup = rule.remote_group_id;
  if (rule.remote_address_group_id !== null && rule.remote_address_group_id !== '')
    input.remoteAddressGroup = rule.remote_address_group_id;
  if (rule.description !== '') input.description = rule.description;
  return input;
}
