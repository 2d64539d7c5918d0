// What differs between the three clouds, in one place: capabilities, default verdicts,
// quotas, timeouts, default-group rules and templates (SEMANTICS.md).
import type { ConntrackTimeouts, Direction, GroupType, Profile, Quotas, Rule } from './model.js';
import { type Table, table } from './own.js';

export interface ProfileTraits {
  /** Rules may carry action deny. */
  denyRules: boolean;
  /** Rules carry a user-settable priority (1..100). */
  priorities: boolean;
  /** Group types other than basic exist. */
  advancedGroups: boolean;
  /** NIC types (classic network) exist. */
  nicTypes: boolean;
  /** Alibaba source port ranges exist. */
  sourcePorts: boolean;
  /** innerAccessPolicy governs same-group traffic (Alibaba basic groups). */
  innerAccessPolicy: boolean;
  /** The stateful=false extension exists (OpenStack). */
  statelessGroups: boolean;
  /** An identical rule is rejected (true) or accepted as a no-op (false, Alibaba). */
  duplicateRuleIsConflict: boolean;
  /** Only one group per tenant may be named "default". */
  uniqueDefaultName: boolean;
  /** Longest idle timeout any state may have, seconds (Alibaba: 910; 001). */
  maxSessionTimeout: number;
  /** Priority given to a rule that names none. */
  defaultPriority: number;
  /**
   * A port may join a group of another VPC (of its tenant and region): Huawei's groups are
   * region-wide (003: "the same security group but different VPCs"), OpenStack's project-wide;
   * Alibaba's belong to one VPC (000: "instances can join security groups on the same VPC").
   */
  groupsSpanVpcs: boolean;
  /** The classic network (groups and instances without a VPC) exists. */
  classicNetwork: boolean;
  /**
   * How a port's rules decide, by the type of its groups: the first match of the ordered list,
   * or any matching allow rule (OpenStack, Alibaba advanced groups).
   */
  evaluation: ByGroupType<EvaluationStyle>;
  /**
   * First-match profiles order all of a port's rules as one list by priority (Alibaba), or group
   * by group in the port's group sequence, each by priority (Huawei 002). Decides the data plane's
   * chains too: group-wise profiles get a chain per group.
   */
  mergesGroups: boolean;
  /** Unmatched egress is allowed (Alibaba basic groups); otherwise every unmatched packet is dropped. */
  allowsUnmatchedEgress: ByGroupType<boolean>;
  /** What the default verdict is called in an explanation, by group type. */
  unmatchedNote: ByGroupType<string>;
  /** A priority outside 1..100 that rules may carry: Alibaba's default-group rules use 110. */
  reservedPriority: number | null;
  /** Two rules are the same rule when one has no remote and the other all addresses of its family. */
  noRemoteIsAllAddresses: boolean;
  /** What a change does to live connections it affects (SEMANTICS.md "Clearing"). */
  clearing: {
    /** Re-evaluate them against the new rules (Alibaba), or clear their inbound entries. */
    reevaluate: boolean;
    /** Only changes that can narrow what is allowed clear: a new deny, a removed inbound allow, an inbound change (Huawei 002). */
    onlyWhenNarrowing: boolean;
  };
  /** Rules of the tenant's default group, made on first need (SEMANTICS.md "Defaults"). */
  defaultGroupRules: RuleSpec[];
  /** Rules a new, non-default group starts with, by its type. */
  newGroupRules: ByGroupType<RuleSpec[]>;
  /**
   * A port (with port security on) may hold no group, and then all its traffic is dropped:
   * Neutron's `port set --no-security-group`. Elsewhere a port keeps at least one group.
   */
  portsWithoutGroups: boolean;
  /**
   * A group made without a VPC goes into the tenant's VPC named "default" (made if need be),
   * never into another VPC of the tenant: OpenStack's VPCs are the networks a project makes
   * and deletes through Neutron, and its project-wide groups must not keep them alive.
   * Otherwise it goes into the "default" VPC, else the tenant's first.
   */
  groupsInDefaultVpc: boolean;
  /**
   * The cloud's own API shows a rule with several port ranges as one rule (Huawei's multiport
   * "22,80,443"); elsewhere a rule holds one range (Neutron's port_range_min/max, ECS PortRange),
   * so analysis that proposes rules (compaction) keeps one range per rule there.
   */
  multiPortRules: boolean;
}

export type EvaluationStyle = 'firstMatch' | 'anyAllow';

/** The priorities a user may give a rule where rules have priorities (1 is evaluated first). */
export const PRIORITY_RANGE = { min: 1, max: 100 } as const;
/** A trait that depends on the group type (null-prototype: looked up by a value from requests). */
export type ByGroupType<T> = Table<Record<GroupType, T>>;

export type RuleSpec = Omit<Rule, 'id' | 'nicType' | 'priority'> & { priority?: number };

function tcp(port: number, ethertype: 'IPv4' | 'IPv6' = 'IPv4'): RuleSpec {
  const cidr = ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0';
  return {
    direction: 'ingress',
    ethertype,
    protocol: 'tcp',
    ports: [{ from: port, to: port }],
    remote: { kind: 'cidr', cidr },
    action: 'allow',
  };
}

const icmpIn: RuleSpec = {
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'icmp',
  remote: { kind: 'cidr', cidr: '0.0.0.0/0' },
  action: 'allow',
};

function allEgress(ethertype: 'IPv4' | 'IPv6'): RuleSpec {
  const cidr = ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0';
  return { direction: 'egress', ethertype, protocol: 'all', remote: { kind: 'cidr', cidr }, action: 'allow' };
}

/** Ingress from the group itself; the placeholder SELF is replaced by the new group's id. */
export const SELF = '$self';
function fromSelf(ethertype: 'IPv4' | 'IPv6'): RuleSpec {
  return {
    direction: 'ingress',
    ethertype,
    protocol: 'all',
    remote: { kind: 'group', groupId: SELF },
    action: 'allow',
  };
}

/** All egress with no remote at all: how Neutron makes its own rules (remote_ip_prefix null). */
function anyEgress(ethertype: 'IPv4' | 'IPv6'): RuleSpec {
  return { direction: 'egress', ethertype, protocol: 'all', remote: { kind: 'any' }, action: 'allow' };
}

/** Huawei's and OpenStack's default group: members reach each other, everything may leave. */
const DEFAULT_GROUP_RULES: RuleSpec[] = [
  fromSelf('IPv4'),
  fromSelf('IPv6'),
  allEgress('IPv4'),
  allEgress('IPv6'),
];

export const TRAITS: Table<Record<Profile, ProfileTraits>> = table({
  alibaba: {
    denyRules: true,
    priorities: true,
    advancedGroups: true,
    nicTypes: true,
    sourcePorts: true,
    innerAccessPolicy: true,
    statelessGroups: false,
    duplicateRuleIsConflict: false,
    uniqueDefaultName: false,
    maxSessionTimeout: 910,
    defaultPriority: 1,
    groupsSpanVpcs: false,
    classicNetwork: true,
    evaluation: table({ basic: 'firstMatch', advanced: 'anyAllow' }),
    mergesGroups: true,
    allowsUnmatchedEgress: table({ basic: true, advanced: false }),
    unmatchedNote: table({
      basic: 'Alibaba basic groups deny unmatched inbound traffic and allow all outbound traffic',
      advanced: 'Alibaba advanced groups deny unmatched traffic in both directions',
    }),
    reservedPriority: 110,
    noRemoteIsAllAddresses: false,
    clearing: { reevaluate: true, onlyWhenNarrowing: false },
    // 001: inbound ICMP, SSH and RDP at priority 110; outbound is allowed by the basic default.
    defaultGroupRules: [icmpIn, tcp(22), tcp(3389)].map((r) => ({ ...r, priority: 110 })),
    // Alibaba advanced groups deny egress by default, so they carry an allow-all egress rule (001).
    newGroupRules: table({ basic: [], advanced: [allEgress('IPv4'), allEgress('IPv6')] }),
    portsWithoutGroups: false,
    groupsInDefaultVpc: false,
    multiPortRules: false,
  },
  huawei: {
    denyRules: true,
    priorities: true,
    advancedGroups: false,
    nicTypes: false,
    sourcePorts: false,
    innerAccessPolicy: false,
    statelessGroups: false,
    duplicateRuleIsConflict: true,
    uniqueDefaultName: false,
    maxSessionTimeout: Infinity,
    defaultPriority: 1,
    groupsSpanVpcs: true,
    classicNetwork: false,
    evaluation: table({ basic: 'firstMatch', advanced: 'firstMatch' }),
    mergesGroups: false,
    allowsUnmatchedEgress: table({ basic: false, advanced: false }),
    unmatchedNote: table({
      basic: 'Huawei groups are whitelists and deny unmatched traffic',
      advanced: 'Huawei groups are whitelists and deny unmatched traffic',
    }),
    reservedPriority: null,
    noRemoteIsAllAddresses: true,
    clearing: { reevaluate: false, onlyWhenNarrowing: true },
    defaultGroupRules: DEFAULT_GROUP_RULES,
    newGroupRules: table({
      basic: DEFAULT_GROUP_RULES.map((r) => ({ ...r, priority: 100 })),
      advanced: DEFAULT_GROUP_RULES.map((r) => ({ ...r, priority: 100 })),
    }),
    portsWithoutGroups: false,
    groupsInDefaultVpc: false,
    multiPortRules: true,
  },
  openstack: {
    denyRules: false,
    priorities: false,
    advancedGroups: false,
    nicTypes: false,
    sourcePorts: false,
    innerAccessPolicy: false,
    statelessGroups: true,
    duplicateRuleIsConflict: true,
    uniqueDefaultName: true,
    maxSessionTimeout: Infinity,
    defaultPriority: 1,
    groupsSpanVpcs: true,
    classicNetwork: false,
    evaluation: table({ basic: 'anyAllow', advanced: 'anyAllow' }),
    mergesGroups: false,
    allowsUnmatchedEgress: table({ basic: false, advanced: false }),
    unmatchedNote: table({
      basic: 'OpenStack groups are allow-lists and drop unmatched traffic',
      advanced: 'OpenStack groups are allow-lists and drop unmatched traffic',
    }),
    reservedPriority: null,
    noRemoteIsAllAddresses: true,
    clearing: { reevaluate: false, onlyWhenNarrowing: false },
    // The server's own egress rules name no remote, as Neutron shows them (remote_ip_prefix null);
    // Huawei shows 0.0.0.0/0 and ::/0. Both match every address of the family.
    defaultGroupRules: [fromSelf('IPv4'), fromSelf('IPv6'), anyEgress('IPv4'), anyEgress('IPv6')],
    newGroupRules: table({
      basic: [anyEgress('IPv4'), anyEgress('IPv6')],
      advanced: [anyEgress('IPv4'), anyEgress('IPv6')],
    }),
    portsWithoutGroups: true,
    groupsInDefaultVpc: true,
    multiPortRules: false,
  },
});

/** The verdict when no rule of a port's groups matches (SEMANTICS.md evaluation table). */
export function defaultVerdict(
  profile: Profile,
  groupType: GroupType,
  direction: Direction,
): 'allow' | 'deny' {
  return direction === 'egress' && TRAITS[profile].allowsUnmatchedEgress[groupType] ? 'allow' : 'deny';
}

/** Ordering model: first match of a sorted list, or any allow rule matching. */
/**
 * Whether the order of a port's groups changes what its rules decide: first-match profiles that
 * keep each group's rules together evaluate the groups in the port's sequence (Huawei 002).
 */
export function groupOrderMatters(profile: Profile): boolean {
  const t = TRAITS[profile];
  return !t.mergesGroups && (t.evaluation.basic === 'firstMatch' || t.evaluation.advanced === 'firstMatch');
}

export function evaluationStyle(profile: Profile, groupType: GroupType): EvaluationStyle {
  return TRAITS[profile].evaluation[groupType];
}

export const DEFAULT_QUOTAS: Table<Record<Profile, Quotas>> = table({
  alibaba: {
    groupsPerTenant: 100,
    rulesPerGroup: 100,
    rulesPerTenant: 0,
    groupsPerPort: 5,
    portsPerGroup: 1000,
    groupReferenceRulesPerGroup: 20,
    rulesPerPort: 0,
    addressGroupsPerTenant: 100,
    entriesPerAddressGroup: 200,
  },
  huawei: {
    groupsPerTenant: 100,
    rulesPerGroup: 50,
    rulesPerTenant: 0,
    groupsPerPort: 5,
    portsPerGroup: 0,
    groupReferenceRulesPerGroup: 0,
    rulesPerPort: 0,
    addressGroupsPerTenant: 50,
    entriesPerAddressGroup: 20000,
  },
  openstack: {
    groupsPerTenant: 100,
    rulesPerGroup: 50,
    rulesPerTenant: 0,
    groupsPerPort: 5,
    portsPerGroup: 0,
    groupReferenceRulesPerGroup: 0,
    rulesPerPort: 0,
    addressGroupsPerTenant: 50,
    entriesPerAddressGroup: 20000,
  },
});

/** 003's timeouts; TCP handshake/teardown states use Linux defaults (SEMANTICS.md decision). */
export const DEFAULT_TIMEOUTS: ConntrackTimeouts = {
  tcpSynSent: 120,
  tcpSynRecv: 60,
  tcpEstablished: 600,
  tcpFinWait: 30,
  tcpCloseWait: 60,
  tcpLastAck: 30,
  tcpTimeWait: 120,
  tcpClose: 10,
  icmp: 30,
  otherOneWay: 30,
  otherBothWays: 180,
};

/** Rules of the default group made on first need (SEMANTICS.md "Defaults"). */
export function defaultGroupRules(profile: Profile): RuleSpec[] {
  return TRAITS[profile].defaultGroupRules;
}

/** Rules a new, non-default group starts with. */
export function newGroupRules(profile: Profile, type: GroupType): RuleSpec[] {
  return TRAITS[profile].newGroupRules[type];
}

export interface Template {
  id: string;
  name: string;
  profiles: Profile[];
  rules: RuleSpec[];
}

const webCommon = [tcp(80), tcp(443), icmpIn];
export const TEMPLATES: Template[] = [
  { id: 'web-server-linux', name: 'Web Server Linux', profiles: ['alibaba'], rules: [tcp(22), ...webCommon] },
  {
    id: 'web-server-windows',
    name: 'Web Server Windows',
    profiles: ['alibaba'],
    rules: [tcp(3389), ...webCommon],
  },
  {
    id: 'general-purpose-web-server',
    name: 'General-purpose web server',
    profiles: ['huawei', 'openstack'],
    rules: [
      fromSelf('IPv4'),
      fromSelf('IPv6'),
      tcp(22),
      tcp(3389),
      ...webCommon,
      allEgress('IPv4'),
      allEgress('IPv6'),
    ],
  },
  {
    id: 'all-ports-open',
    name: 'All ports open',
    profiles: ['huawei', 'openstack'],
    rules: [
      fromSelf('IPv4'),
      fromSelf('IPv6'),
      {
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'all',
        remote: { kind: 'cidr', cidr: '0.0.0.0/0' },
        action: 'allow',
      },
      {
        direction: 'ingress',
        ethertype: 'IPv6',
        protocol: 'all',
        remote: { kind: 'cidr', cidr: '::/0' },
        action: 'allow',
      },
      allEgress('IPv4'),
      allEgress('IPv6'),
    ],
  },
];

/** Turn rule specs into rules of a group, with ids from the caller and the profile's priority. */
export function materializeRules(
  profile: Profile,
  groupId: string,
  specs: RuleSpec[],
  nextId: () => string,
): Rule[] {
  return specs.map((spec) => ({
    ...spec,
    id: nextId(),
    priority: spec.priority ?? TRAITS[profile].defaultPriority,
    nicType: 'intranet',
    remote:
      spec.remote.kind === 'group' && spec.remote.groupId === SELF ? { kind: 'group', groupId } : spec.remote,
  }));
}
