// Validation of the domain model: every error, each with the field path, a stable machine code
// and a message naming the field and value. Pure; the policy loader, the CLI and (later) the
// service layer call it before anything reaches the engine.
import { isDefaultGroup } from './defaults.js';
import { cidrFamily, ipFamily } from './address.js';
import type {
  AddressGroup,
  Instance,
  Port,
  Profile,
  Quotas,
  Region,
  RegionState,
  Rule,
  SecurityGroup,
  Vpc,
} from './model.js';
import { ICMP_PROTOCOLS, PORTED_PROTOCOLS, PROFILES, PROTOCOL_KEYWORDS, protocolNumber } from './model.js';
import { PRIORITY_RANGE, TRAITS } from './profiles.js';
import { own } from './own.js';

/** The kinds of model object a problem can be about. */
export type ObjectKind =
  'tenant' | 'region' | 'vpc' | 'group' | 'rule' | 'instance' | 'port' | 'addressGroup';

/**
 * The facts of a problem, as data, given where the check finds it: front ends decide on these
 * and the code, never on the message. Only what a check of the model can know; the service
 * layer's errors add their own (revisions, referencing groups, retry times).
 */
export interface ProblemFacts {
  /** The kind of object it is about: UNKNOWN_GROUP, UNKNOWN_ADDRESS_GROUP. */
  resource?: ObjectKind;
  /** That object's id. */
  id?: string;
  /** QUOTA_EXCEEDED: the quota's name and its limit. */
  quota?: keyof Quotas;
  limit?: number;
  /** DUPLICATE_RULE: the rule the new or changed one would be the same as. */
  existingRuleId?: string;
  /** DUPLICATE_RULE within one request: the index of the earlier entry it repeats. */
  sameAsEntry?: number;
  /** INVALID_CIDR: the text that is not a CIDR. */
  value?: string;
}

export interface ValidationError {
  path: string;
  code: string;
  message: string;
  facts?: ProblemFacts;
}

export class Problems {
  readonly list: ValidationError[] = [];
  add(path: string, code: string, message: string, facts?: ProblemFacts): void {
    this.list.push(facts ? { path, code, message, facts } : { path, code, message });
  }
}

/** The problems as they are printed and sent: path, code and message (the facts travel apart). */
export const withoutFacts = (errors: ValidationError[]): ValidationError[] =>
  errors.map(({ facts: _facts, ...e }) => e);

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function validateRegion(region: Region, p: Problems, at = 'region'): void {
  if (!PROFILES.includes(region.profile)) {
    p.add(
      `${at}.profile`,
      'UNKNOWN_PROFILE',
      `${at}.profile "${region.profile}" is not one of ${PROFILES.join(', ')}`,
    );
    return;
  }
  for (const [name, value] of Object.entries(region.quotas)) {
    if (!isInt(value) || value < 0)
      p.add(
        `${at}.quotas.${name}`,
        'INVALID_QUOTA',
        `${at}.quotas.${name} must be a non-negative integer (0 = unlimited), got ${value}`,
      );
  }
  const max = TRAITS[region.profile].maxSessionTimeout;
  for (const [name, value] of Object.entries(region.conntrackTimeouts)) {
    if (!isInt(value) || value <= 0)
      p.add(
        `${at}.conntrackTimeouts.${name}`,
        'INVALID_TIMEOUT',
        `${at}.conntrackTimeouts.${name} must be a positive integer of seconds, got ${value}`,
      );
    else if (value > max)
      p.add(
        `${at}.conntrackTimeouts.${name}`,
        'TIMEOUT_TOO_LONG',
        `${at}.conntrackTimeouts.${name} is ${value} s; ${region.profile} sessions last at most ${max} s`,
      );
  }
}

function checkRanges(ranges: { from: number; to: number }[], at: string, p: Problems): void {
  ranges.forEach((r, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!isInt(r[end]) || r[end] < 1 || r[end] > 65535)
        p.add(
          `${at}[${i}].${end}`,
          'PORT_OUT_OF_RANGE',
          `${at}[${i}].${end} must be a port from 1 to 65535, got ${r[end]}`,
        );
    }
    if (isInt(r.from) && isInt(r.to) && r.from > r.to)
      p.add(`${at}[${i}]`, 'PORT_RANGE_INVERTED', `${at}[${i}] starts at ${r.from}, after its end ${r.to}`);
  });
}

/** One rule in its group, without cross-object references (those need the region). */
export function validateRule(
  rule: Rule,
  group: SecurityGroup,
  profile: Profile,
  p: Problems,
  at: string,
): void {
  const traits = TRAITS[profile];
  if (rule.direction !== 'ingress' && rule.direction !== 'egress')
    p.add(
      `${at}.direction`,
      'INVALID_DIRECTION',
      `${at}.direction must be ingress or egress, got "${rule.direction}"`,
    );
  if (rule.ethertype !== 'IPv4' && rule.ethertype !== 'IPv6')
    p.add(
      `${at}.ethertype`,
      'INVALID_ETHERTYPE',
      `${at}.ethertype must be IPv4 or IPv6, got "${rule.ethertype}"`,
    );
  const proto = typeof rule.protocol === 'number' ? rule.protocol : protocolNumber(rule.protocol);
  if (
    typeof rule.protocol === 'number' &&
    (!isInt(rule.protocol) || rule.protocol < 0 || rule.protocol > 255)
  ) {
    p.add(
      `${at}.protocol`,
      'PROTOCOL_OUT_OF_RANGE',
      `${at}.protocol must be a name or an IP protocol number from 0 to 255, got ${rule.protocol}`,
    );
  } else if (typeof rule.protocol === 'string' && proto === undefined) {
    p.add(
      `${at}.protocol`,
      'UNKNOWN_PROTOCOL',
      `${at}.protocol "${rule.protocol}" is not all, tcp, udp, icmp, icmpv6, gre, sctp, a protocol keyword such as esp or a number`,
    );
  }
  if (rule.protocolName !== undefined && PROTOCOL_KEYWORDS.get(rule.protocolName) !== proto)
    p.add(
      `${at}.protocol`,
      'UNKNOWN_PROTOCOL',
      `${at}.protocol "${rule.protocolName}" is not the keyword of IP protocol ${String(rule.protocol)}`,
    );
  if (proto === 1 && rule.ethertype === 'IPv6')
    p.add(
      `${at}.protocol`,
      'PROTOCOL_ETHERTYPE_MISMATCH',
      `${at}.protocol icmp is IPv4; use icmpv6 for an IPv6 rule`,
    );
  if (proto === 58 && rule.ethertype === 'IPv4')
    p.add(
      `${at}.protocol`,
      'PROTOCOL_ETHERTYPE_MISMATCH',
      `${at}.protocol icmpv6 is IPv6; use icmp for an IPv4 rule`,
    );

  const ported = proto !== null && proto !== undefined && PORTED_PROTOCOLS.has(proto);
  if (rule.ports?.length) {
    if (!ported)
      p.add(
        `${at}.ports`,
        'PORTS_NOT_ALLOWED',
        `${at}.ports apply to tcp, udp and sctp only, not to protocol ${rule.protocol}`,
      );
    checkRanges(rule.ports, `${at}.ports`, p);
  }
  if (rule.sourcePorts?.length) {
    if (!traits.sourcePorts)
      p.add(
        `${at}.sourcePorts`,
        'SOURCE_PORTS_NOT_SUPPORTED',
        `${at}.sourcePorts exist on the alibaba profile only, not ${profile}`,
      );
    else if (!ported)
      p.add(
        `${at}.sourcePorts`,
        'PORTS_NOT_ALLOWED',
        `${at}.sourcePorts apply to tcp, udp and sctp only, not to protocol ${rule.protocol}`,
      );
    checkRanges(rule.sourcePorts, `${at}.sourcePorts`, p);
  }
  const icmp = proto !== null && proto !== undefined && ICMP_PROTOCOLS.has(proto);
  for (const field of ['icmpType', 'icmpCode'] as const) {
    const v = rule[field];
    if (v === undefined) continue;
    if (!icmp)
      p.add(
        `${at}.${field}`,
        'ICMP_FIELD_NOT_ALLOWED',
        `${at}.${field} applies to icmp and icmpv6 rules only, not to protocol ${rule.protocol}`,
      );
    else if (!isInt(v) || v < 0 || v > 255)
      p.add(`${at}.${field}`, 'ICMP_OUT_OF_RANGE', `${at}.${field} must be from 0 to 255, got ${v}`);
  }
  if (rule.icmpCode !== undefined && rule.icmpType === undefined)
    p.add(`${at}.icmpCode`, 'ICMP_CODE_WITHOUT_TYPE', `${at}.icmpCode needs an icmpType`);

  if (rule.remote.kind === 'cidr') {
    const fam = cidrFamily(rule.remote.cidr);
    if (!fam)
      p.add(
        `${at}.remote.cidr`,
        'INVALID_CIDR',
        `${at}.remote.cidr "${rule.remote.cidr}" is not a valid CIDR`,
        { value: rule.remote.cidr },
      );
    else if (fam !== rule.ethertype)
      p.add(
        `${at}.remote.cidr`,
        'CIDR_ETHERTYPE_MISMATCH',
        `${at}.remote.cidr ${rule.remote.cidr} is ${fam} but the rule's ethertype is ${rule.ethertype}`,
      );
  }
  if (rule.action !== 'allow' && rule.action !== 'deny')
    p.add(`${at}.action`, 'INVALID_ACTION', `${at}.action must be allow or deny, got "${rule.action}"`);
  else if (rule.action === 'deny' && !traits.denyRules)
    p.add(`${at}.action`, 'DENY_NOT_SUPPORTED', `${at}.action deny: ${profile} rules can only allow`);
  else if (rule.action === 'deny' && group.type === 'advanced')
    p.add(
      `${at}.action`,
      'DENY_NOT_SUPPORTED',
      `${at}.action deny: advanced security groups hold allow rules only`,
    );

  const fixedPriority = !traits.priorities || group.type === 'advanced';
  if (fixedPriority && rule.priority !== 1)
    p.add(
      `${at}.priority`,
      'PRIORITY_NOT_SUPPORTED',
      `${at}.priority ${rule.priority}: ${group.type === 'advanced' ? 'advanced groups' : `${profile} rules`} have no priority`,
    );
  else if (
    !fixedPriority &&
    !(
      isInt(rule.priority) &&
      ((rule.priority >= PRIORITY_RANGE.min && rule.priority <= PRIORITY_RANGE.max) ||
        rule.priority === traits.reservedPriority)
    )
  ) {
    p.add(
      `${at}.priority`,
      'PRIORITY_OUT_OF_RANGE',
      `${at}.priority must be from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}${traits.reservedPriority !== null ? ` (or ${traits.reservedPriority}, the default rules' priority)` : ''}, got ${rule.priority}`,
    );
  }
  if (rule.nicType === 'internet' && !(traits.nicTypes && group.vpcId === null)) {
    p.add(
      `${at}.nicType`,
      'NIC_TYPE_NOT_SUPPORTED',
      `${at}.nicType internet exists only in Alibaba classic-network groups; VPC rules are intranet rules and cover Internet traffic too`,
    );
  }
}

/**
 * The fields that make two rules "the same rule" under a profile (id and description ignored):
 * the one duplicate key every front end and the service use. Where the profile says so, no
 * remote and all addresses of the family (0.0.0.0/0, ::/0) are the same remote.
 */
export function ruleIdentity(profile: Profile, r: Rule): string {
  const ranges = (rs: Rule['ports']) => (rs ?? []).map((x) => `${x.from}-${x.to}`).join(',');
  const allOfFamily = r.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0';
  const remote =
    r.remote.kind === 'cidr' && !(TRAITS[profile].noRemoteIsAllAddresses && r.remote.cidr === allOfFamily)
      ? `cidr:${r.remote.cidr}`
      : r.remote.kind === 'group'
        ? `group:${r.remote.groupId}`
        : r.remote.kind === 'addressGroup'
          ? `ag:${r.remote.addressGroupId}`
          : 'any';
  return [
    r.direction,
    r.ethertype,
    r.protocol,
    ranges(r.ports),
    ranges(r.sourcePorts),
    r.icmpType,
    r.icmpCode,
    remote,
    r.action,
    r.priority,
    r.nicType,
  ].join('|');
}

export function validateGroup(group: SecurityGroup, region: Region, p: Problems, at: string): void {
  const profile = region.profile;
  const traits = TRAITS[profile];
  if (!group.name?.trim()) p.add(`${at}.name`, 'NAME_REQUIRED', `${at}.name must not be empty`);
  if (group.type === 'advanced' && !traits.advancedGroups)
    p.add(
      `${at}.type`,
      'GROUP_TYPE_NOT_SUPPORTED',
      `${at}.type advanced exists on the alibaba profile only, not ${profile}`,
    );
  if (group.type === 'advanced' && group.vpcId === null)
    p.add(
      `${at}.type`,
      'GROUP_TYPE_NOT_SUPPORTED',
      `${at}.type advanced: advanced groups exist in VPCs only, not the classic network`,
    );
  if (group.type === 'advanced' && group.innerAccessPolicy === 'Accept')
    p.add(
      `${at}.innerAccessPolicy`,
      'INNER_ACCESS_NOT_SUPPORTED',
      `${at}.innerAccessPolicy Accept: advanced groups always isolate their members`,
    );
  if (group.vpcId === null && !traits.classicNetwork)
    p.add(`${at}.vpc`, 'CLASSIC_NOT_SUPPORTED', `${at} has no VPC: only alibaba has the classic network`);
  if (!group.stateful && !traits.statelessGroups)
    p.add(
      `${at}.stateful`,
      'STATELESS_NOT_SUPPORTED',
      `${at}.stateful false exists on the openstack profile only, not ${profile}`,
    );
  const seen = new Map<string, string>();
  group.rules.forEach((rule, i) => {
    validateRule(rule, group, profile, p, `${at}.rules[${i}]`);
    const id = ruleIdentity(profile, rule);
    const existing = seen.get(id);
    if (existing !== undefined && traits.duplicateRuleIsConflict) {
      p.add(`${at}.rules[${i}]`, 'DUPLICATE_RULE', `${at}.rules[${i}] is the same rule as ${existing}`, {
        existingRuleId: existing,
      });
    }
    if (existing === undefined) seen.set(id, rule.id);
  });
}

/** Lookups the cross-object checks need: a whole RegionState, or the server's live state. */
export interface RegionLookup {
  region: Region;
  hasTenant(id: string): boolean;
  vpc(id: string): Pick<Vpc, 'id' | 'tenantId'> | undefined;
  group(id: string): Pick<SecurityGroup, 'id' | 'tenantId' | 'vpcId' | 'type' | 'stateful'> | undefined;
  addressGroup(id: string): Pick<AddressGroup, 'id' | 'tenantId' | 'ethertype'> | undefined;
  /**
   * Whether objects of `tenantId` may use this existing group or address group (as a rule's
   * remote, or a port's membership): its owner may, and a tenant it is shared with (the
   * service's shares; a policy file has none). Never true for an object that does not exist.
   */
  mayUse(kind: 'group' | 'addressGroup', id: string, tenantId: string): boolean;
}

/** mayUse without shares: only the owner uses its objects. */
export function ownerOnly(lookup: Pick<RegionLookup, 'group' | 'addressGroup'>): RegionLookup['mayUse'] {
  return (kind, id, tenantId) =>
    (kind === 'group' ? lookup.group(id) : lookup.addressGroup(id))?.tenantId === tenantId;
}

export function lookupOf(state: RegionState): RegionLookup {
  const tenants = new Set(state.tenants.map((t) => t.id));
  const vpcs = new Map(state.vpcs.map((v) => [v.id, v]));
  const groups = new Map(state.groups.map((g) => [g.id, g]));
  const addressGroups = new Map(state.addressGroups.map((a) => [a.id, a]));
  const lookup = {
    region: state.region,
    hasTenant: (id: string) => tenants.has(id),
    vpc: (id: string) => vpcs.get(id),
    group: (id: string) => groups.get(id),
    addressGroup: (id: string) => addressGroups.get(id),
  };
  return { ...lookup, mayUse: ownerOnly(lookup) };
}

/** Where a group or instance lives: an existing tenant, and a VPC of that tenant (or classic). */
export function validatePlacement(
  obj: { tenantId: string; vpcId: string | null },
  lookup: RegionLookup,
  p: Problems,
  at: string,
): void {
  if (!lookup.hasTenant(obj.tenantId))
    p.add(`${at}.tenant`, 'UNKNOWN_TENANT', `${at}.tenant "${obj.tenantId}" does not exist`);
  if (obj.vpcId === null) {
    if (!TRAITS[lookup.region.profile].classicNetwork)
      p.add(`${at}.vpc`, 'CLASSIC_NOT_SUPPORTED', `${at} has no VPC: only alibaba has the classic network`);
    return;
  }
  const vpc = lookup.vpc(obj.vpcId);
  if (!vpc || vpc.tenantId !== obj.tenantId)
    p.add(`${at}.vpc`, 'UNKNOWN_VPC', `${at}.vpc "${obj.vpcId}" does not exist`);
}

/** A rule's remote group or address group: exists, the group's tenant may use it, compatible. */
export function validateRuleReferences(
  rule: Rule,
  group: Pick<SecurityGroup, 'tenantId' | 'type'>,
  lookup: RegionLookup,
  p: Problems,
  at: string,
): void {
  const rat = `${at}.remote`;
  if (rule.remote.kind === 'group') {
    const target = lookup.group(rule.remote.groupId);
    if (!target || !lookup.mayUse('group', target.id, group.tenantId))
      // Another tenant's group (not shared with us) is reported as missing: its existence is not ours to reveal.
      p.add(`${rat}.groupId`, 'UNKNOWN_GROUP', `${rat}.groupId "${rule.remote.groupId}" does not exist`, {
        resource: 'group',
        id: rule.remote.groupId,
      });
    else if (group.type === 'advanced' || target.type === 'advanced')
      p.add(
        `${rat}.groupId`,
        'ADVANCED_GROUP_REFERENCE',
        `${rat}.groupId: advanced groups can neither reference groups nor be referenced`,
      );
  }
  if (rule.remote.kind === 'addressGroup') {
    const ag = lookup.addressGroup(rule.remote.addressGroupId);
    if (!ag || !lookup.mayUse('addressGroup', ag.id, group.tenantId))
      p.add(
        `${rat}.addressGroupId`,
        'UNKNOWN_ADDRESS_GROUP',
        `${rat}.addressGroupId "${rule.remote.addressGroupId}" does not exist`,
        { resource: 'addressGroup', id: rule.remote.addressGroupId },
      );
    else if (ag.ethertype && ag.ethertype !== rule.ethertype)
      p.add(
        `${rat}.addressGroupId`,
        'ADDRESS_GROUP_ETHERTYPE_MISMATCH',
        `${rat}.addressGroupId "${ag.id}" holds ${ag.ethertype} entries but the rule is ${rule.ethertype}`,
      );
  }
}

/** Reports a quota overrun; 0 means unlimited. */
export function checkQuota(
  quotas: Quotas,
  quota: keyof Quotas,
  count: number,
  what: string,
  p: Problems,
  path: string,
): void {
  const limit = own(quotas, quota) ?? 0;
  if (limit > 0 && count > limit)
    p.add(path, 'QUOTA_EXCEEDED', `${what}: ${count} exceeds the ${quota} quota of ${limit}`, {
      quota,
      limit,
    });
}

/**
 * Everything in one region, including references, memberships and quotas. Without the facts:
 * `palisade validate --json` prints these as they are, as {path, code, message} (docs/cli.md).
 */
export function validateRegionState(state: RegionState): ValidationError[] {
  const p = new Problems();
  validateRegion(state.region, p);
  if (p.list.some((e) => e.code === 'UNKNOWN_PROFILE')) return withoutFacts(p.list);
  const profile = state.region.profile;
  const q = state.region.quotas;
  const lookup = lookupOf(state);
  const over = (path: string, quota: keyof Quotas, count: number, what: string) =>
    checkQuota(q, quota, count, what, p, path);

  const kinds = {
    tenants: state.tenants,
    vpcs: state.vpcs,
    groups: state.groups,
    addressGroups: state.addressGroups,
    instances: state.instances,
  };
  for (const [what, items] of Object.entries(kinds))
    duplicates(
      items.map((x) => x.id),
      what,
      p,
    );

  state.vpcs.forEach((v, i) => {
    if (!lookup.hasTenant(v.tenantId))
      p.add(`vpcs[${i}].tenant`, 'UNKNOWN_TENANT', `vpcs[${i}].tenant "${v.tenantId}" does not exist`);
    if (v.cidr !== undefined && !cidrFamily(v.cidr))
      p.add(`vpcs[${i}].cidr`, 'INVALID_CIDR', `vpcs[${i}].cidr "${v.cidr}" is not a valid CIDR`);
  });

  state.addressGroups.forEach((ag, i) => {
    validateAddressGroup(ag, `addressGroups[${i}]`, p, lookup.hasTenant);
    over(`addressGroups[${i}].entries`, 'entriesPerAddressGroup', ag.entries.length, `entries of ${ag.id}`);
  });
  for (const t of state.tenants.map((x) => x.id)) {
    over(
      'addressGroups',
      'addressGroupsPerTenant',
      state.addressGroups.filter((a) => a.tenantId === t).length,
      `address groups of tenant ${t}`,
    );
    over(
      'groups',
      'groupsPerTenant',
      state.groups.filter((g) => g.tenantId === t).length,
      `security groups of tenant ${t}`,
    );
    over(
      'groups',
      'rulesPerTenant',
      state.groups.filter((g) => g.tenantId === t).reduce((n, g) => n + g.rules.length, 0),
      `rules of tenant ${t}`,
    );
  }

  state.groups.forEach((g, gi) => {
    const at = `groups[${gi}]`;
    validatePlacement(g, lookup, p, at);
    validateGroup(g, state.region, p, at);
    over(`${at}.rules`, 'rulesPerGroup', g.rules.length, `rules of ${g.id} (a multi-port rule counts once)`);
    g.rules.forEach((r, ri) => validateRuleReferences(r, g, lookup, p, `${at}.rules[${ri}]`));
    // Group-reference and ports-per-group limits bind basic groups only (001); a profile without
    // them has the quota 0 (no limit).
    if (g.type === 'basic')
      over(
        `${at}.rules`,
        'groupReferenceRulesPerGroup',
        g.rules.filter((r) => r.remote.kind === 'group').length,
        `group-reference rules of ${g.id}`,
      );
  });
  if (TRAITS[profile].uniqueDefaultName) {
    for (const t of state.tenants.map((x) => x.id)) {
      const defaults = state.groups
        .map((g, i) => [g, i] as const)
        .filter(([g]) => g.tenantId === t && isDefaultGroup(g));
      for (const [, i] of defaults.slice(1))
        p.add(
          `groups[${i}].name`,
          'DEFAULT_GROUP_EXISTS',
          `groups[${i}].name: tenant ${t} already has a group named default`,
        );
    }
  }

  const groups = new Map(state.groups.map((g) => [g.id, g]));
  const portsPerGroup = new Map<string, number>();
  const portIds = new Set<string>();
  state.instances.forEach((inst, ii) => {
    const at = `instances[${ii}]`;
    validatePlacement(inst, lookup, p, at);
    inst.ports.forEach((port, pi) => {
      const pat = `${at}.ports[${pi}]`;
      if (portIds.has(port.id)) p.add(`${pat}.id`, 'DUPLICATE_ID', `${pat}.id "${port.id}" is used twice`);
      portIds.add(port.id);
      validatePort(port, inst, pat, p, lookup, state.region.profile);
      over(`${pat}.groups`, 'groupsPerPort', port.groupIds.length, `groups of port ${port.id}`);
      const rules = port.groupIds.reduce((n, id) => n + (groups.get(id)?.rules.length ?? 0), 0);
      over(`${pat}.groups`, 'rulesPerPort', rules, `rules over the groups of port ${port.id}`);
      for (const g of new Set(port.groupIds)) portsPerGroup.set(g, (portsPerGroup.get(g) ?? 0) + 1);
    });
  });
  state.groups.forEach((g, gi) => {
    if (g.type === 'basic')
      over(`groups[${gi}]`, 'portsPerGroup', portsPerGroup.get(g.id) ?? 0, `ports in ${g.id}`);
  });
  return withoutFacts(p.list);
}

/** A port's addresses and memberships (groups exist, its tenant may use them, same VPC, compatible types). */
export function validatePort(
  port: Port,
  inst: Pick<Instance, 'tenantId' | 'vpcId'>,
  at: string,
  p: Problems,
  lookup: Pick<RegionLookup, 'group' | 'mayUse'>,
  profile: Profile,
): void {
  port.ipv4.forEach(
    (ip, i) =>
      ipFamily(ip) !== 'IPv4' &&
      p.add(`${at}.ipv4[${i}]`, 'INVALID_ADDRESS', `${at}.ipv4[${i}] "${ip}" is not an IPv4 address`),
  );
  port.ipv6.forEach(
    (ip, i) =>
      ipFamily(ip) !== 'IPv6' &&
      p.add(`${at}.ipv6[${i}]`, 'INVALID_ADDRESS', `${at}.ipv6[${i}] "${ip}" is not an IPv6 address`),
  );
  port.virtualIps.forEach(
    (ip, i) =>
      !ipFamily(ip) &&
      p.add(
        `${at}.virtualIps[${i}]`,
        'INVALID_ADDRESS',
        `${at}.virtualIps[${i}] "${ip}" is not an IP address`,
      ),
  );
  if (port.publicIpv4 !== undefined && ipFamily(port.publicIpv4) !== 'IPv4')
    p.add(
      `${at}.publicIpv4`,
      'INVALID_ADDRESS',
      `${at}.publicIpv4 "${port.publicIpv4}" is not an IPv4 address`,
    );
  if (port.nicType === 'internet' && inst.vpcId !== null)
    p.add(
      `${at}.nicType`,
      'NIC_TYPE_NOT_SUPPORTED',
      `${at}.nicType internet exists only on classic-network instances`,
    );
  const secured = port.securityEnabled !== false;
  if (port.groupIds.length === 0 && secured && !TRAITS[profile].portsWithoutGroups)
    p.add(`${at}.groups`, 'NO_GROUP', `${at} must belong to at least one security group`);
  // Neutron's rule: groups and allowed address pairs filter a port's traffic, so a port
  // whose traffic is not filtered holds neither.
  if (!secured && port.groupIds.length)
    p.add(
      `${at}.groups`,
      'GROUPS_NEED_PORT_SECURITY',
      `${at} has port security disabled and cannot belong to security groups`,
    );
  if (!secured && port.virtualIps.length)
    p.add(
      `${at}.virtualIps`,
      'VIRTUAL_IPS_NEED_PORT_SECURITY',
      `${at} has port security disabled and cannot carry virtual IPs`,
    );
  const q = new Set<string>();
  const members: NonNullable<ReturnType<RegionLookup['group']>>[] = [];
  port.groupIds.forEach((id, i) => {
    if (q.has(id))
      p.add(`${at}.groups[${i}]`, 'DUPLICATE_MEMBERSHIP', `${at}.groups[${i}]: already a member of "${id}"`);
    q.add(id);
    const g = lookup.group(id);
    if (!g || !lookup.mayUse('group', id, inst.tenantId))
      return p.add(`${at}.groups[${i}]`, 'UNKNOWN_GROUP', `${at}.groups[${i}] "${id}" does not exist`, {
        resource: 'group',
        id,
      });
    if (g.vpcId !== inst.vpcId && !TRAITS[profile].groupsSpanVpcs)
      p.add(
        `${at}.groups[${i}]`,
        'VPC_MISMATCH',
        `${at}.groups[${i}] "${id}" is in ${g.vpcId ?? 'the classic network'}, the instance in ${inst.vpcId ?? 'the classic network'}`,
      );
    members.push(g);
  });
  if (members.some((g) => g.type === 'basic') && members.some((g) => g.type === 'advanced')) {
    p.add(
      `${at}.groups`,
      'MIXED_GROUP_TYPES',
      `${at} cannot be in basic and advanced security groups at once`,
    );
  }
  if (members.some((g) => g.stateful) && members.some((g) => !g.stateful)) {
    p.add(
      `${at}.groups`,
      'MIXED_STATEFULNESS',
      `${at} cannot be in stateful and stateless security groups at once`,
    );
  }
}

export function validateAddressGroup(
  ag: AddressGroup,
  at: string,
  p: Problems,
  hasTenant: (id: string) => boolean,
  /** Where the request gave entry i (an update's `add` names its own entries). */
  entryAt: (i: number) => string = (i) => `${at}.entries[${i}]`,
): void {
  if (!hasTenant(ag.tenantId))
    p.add(`${at}.tenant`, 'UNKNOWN_TENANT', `${at}.tenant "${ag.tenantId}" does not exist`);
  ag.entries.forEach((e, i) => {
    const fam = cidrFamily(e);
    const path = entryAt(i);
    if (!fam) p.add(path, 'INVALID_CIDR', `${path} "${e}" is not a valid address or CIDR`, { value: e });
    else if (ag.ethertype && fam !== ag.ethertype)
      p.add(
        path,
        'CIDR_ETHERTYPE_MISMATCH',
        `${path} ${e} is ${fam} but the address group holds ${ag.ethertype}`,
      );
  });
}

function duplicates(ids: string[], what: string, p: Problems): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) p.add(`${what}[${i}].id`, 'DUPLICATE_ID', `${what}[${i}].id "${id}" is used twice`);
    seen.add(id);
  });
}
