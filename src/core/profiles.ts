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
}

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
  },
});

/** The verdict when no rule of a port's groups matches (SEMANTICS.md evaluation table). */
export function defaultVerdict(
  profile: Profile,
  groupType: GroupType,
  direction: Direction,
): 'allow' | 'deny' {
  if (profile === 'alibaba' && groupType === 'basic' && direction === 'egress') return 'allow';
  return 'deny';
}

/** Ordering model: first match of a sorted list, or any allow rule matching. */
export function evaluationStyle(profile: Profile, groupType: GroupType): 'firstMatch' | 'anyAllow' {
  if (profile === 'openstack') return 'anyAllow';
  if (profile === 'alibaba' && groupType === 'advanced') return 'anyAllow';
  return 'firstMatch';
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

type RuleSpec = Omit<Rule, 'id' | 'nicType' | 'priority'> & { priority?: number };

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

/** Rules of the default group made on first need (SEMANTICS.md "Defaults"). */
export function defaultGroupRules(profile: Profile): RuleSpec[] {
  if (profile === 'alibaba') {
    // 001: inbound ICMP, SSH and RDP at priority 110; outbound is allowed by the basic default.
    return [icmpIn, tcp(22), tcp(3389)].map((r) => ({ ...r, priority: 110 }));
  }
  return [fromSelf('IPv4'), fromSelf('IPv6'), allEgress('IPv4'), allEgress('IPv6')];
}

/** Rules a new, non-default group starts with. */
export function newGroupRules(profile: Profile, type: GroupType): RuleSpec[] {
  if (profile === 'huawei') return defaultGroupRules('huawei').map((r) => ({ ...r, priority: 100 }));
  if (profile === 'openstack') return [allEgress('IPv4'), allEgress('IPv6')];
  // Alibaba advanced groups deny egress by default, so they carry an allow-all egress rule (001).
  if (type === 'advanced') return [allEgress('IPv4'), allEgress('IPv6')];
  return [];
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
