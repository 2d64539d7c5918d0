// Exposure lint for one group, from the documents' own advice (001's usage notes: do not open
// administrative ports to 0.0.0.0/0; open what is needed) and common audits. Each finding names
// the rule, a severity and a suggested fix. What is flagged is configurable (ExposurePolicy).
import { isDefaultGroup } from '../defaults.js';
import { cidrFamily } from '../address.js';
import { own } from '../own.js';
import { PORTED_PROTOCOLS, protocolNumber, type Quotas, type Rule, type SecurityGroup } from '../model.js';

export type Severity = 'high' | 'medium' | 'low';

export type ExposureKind =
  | 'allPortsOpen'
  | 'sensitivePortOpen'
  | 'wideRangeOpen'
  | 'nearRuleQuota'
  | 'unusedGroup'
  | 'defaultGroupOpen'
  | 'catchAllGroup'
  | 'groupPerInstance'
  | 'tooManyEffectiveRules';

export const EXPOSURE_KINDS: readonly ExposureKind[] = [
  'allPortsOpen',
  'sensitivePortOpen',
  'wideRangeOpen',
  'nearRuleQuota',
  'unusedGroup',
  'defaultGroupOpen',
  'catchAllGroup',
  'groupPerInstance',
  'tooManyEffectiveRules',
];

export interface ExposurePolicy {
  /** Ports that must not be open to every address (administration and databases). */
  sensitivePorts: number[];
  /** A port range wider than this, open to every address, is flagged as wider than needed. */
  widestRange: number;
  /** A group holding at least this share of its rules quota is flagged (0..1). */
  quotaShare: number;
  /** A port whose groups hold more rules than this is flagged (001: "hundreds of rules may apply"). */
  maxEffectiveRules: number;
  /** A group that is the only group of at least this share of a tenant's ports in a region (0..1)... */
  catchAllShare: number;
  /** ...when the tenant has at least this many ports there. */
  catchAllMinPorts: number;
  /** This many groups or more, each holding exactly one instance, with near-identical rules, are flagged. */
  perInstanceGroups: number;
  /** Near-identical: the rules of two groups differ by at most this many rules. */
  perInstanceDifference: number;
  /** Each finding's severity, or 'off' to not flag it. */
  severities: Record<ExposureKind, Severity | 'off'>;
}

export const DEFAULT_EXPOSURE_POLICY: ExposurePolicy = {
  sensitivePorts: [
    22, 23, 135, 139, 445, 1433, 1521, 2375, 2379, 3306, 3389, 5432, 5900, 6379, 9200, 11211, 27017,
  ],
  widestRange: 100,
  quotaShare: 0.9,
  maxEffectiveRules: 100,
  catchAllShare: 0.8,
  catchAllMinPorts: 5,
  perInstanceGroups: 3,
  perInstanceDifference: 1,
  severities: {
    allPortsOpen: 'high',
    sensitivePortOpen: 'high',
    wideRangeOpen: 'medium',
    nearRuleQuota: 'medium',
    unusedGroup: 'low',
    defaultGroupOpen: 'medium',
    catchAllGroup: 'medium',
    groupPerInstance: 'low',
    tooManyEffectiveRules: 'medium',
  },
};

export interface ExposureFinding {
  kind: ExposureKind;
  severity: Severity;
  /** The group a finding is about (the region lint names it; a group's own lint too). */
  groupId?: string;
  /** Absent for findings about a group or a port as a whole. */
  ruleId?: string;
  /** The sensitive ports a rule opens, for sensitivePortOpen. */
  ports?: number[];
  /** groupPerInstance: the groups that could be one. */
  groupIds?: string[];
  /** tooManyEffectiveRules: the port. */
  portId?: string;
  /** How many: rules of the port (tooManyEffectiveRules), ports the group is alone on (catchAllGroup). */
  count?: number;
  fix: string;
}

/** A finding as the policy flags it: with its severity, or none when the policy turns it off. */
export function flag(
  policy: ExposurePolicy,
  finding: Omit<ExposureFinding, 'severity'>,
): ExposureFinding | null {
  // The policy names every kind (its type says so); own() keeps a request's key out of Object.prototype.
  const severity = own(policy.severities, finding.kind) ?? 'off';
  return severity === 'off' ? null : { ...finding, severity };
}

/** An ingress allow rule whose remote is every address of its family. */
export function openToAll(rule: Rule): boolean {
  if (rule.direction !== 'ingress' || rule.action !== 'allow') return false;
  if (rule.remote.kind === 'any') return true;
  return (
    rule.remote.kind === 'cidr' && cidrFamily(rule.remote.cidr) !== null && rule.remote.cidr.endsWith('/0')
  );
}

/** The destination ports a rule opens: all (null) or its ranges; [] for protocols without ports. */
function openedPorts(rule: Rule): { from: number; to: number }[] | null {
  const proto = protocolNumber(rule.protocol);
  if (proto === null) return null;
  if (!PORTED_PROTOCOLS.has(proto)) return [];
  // A range of every port (Alibaba writes 1/65535) opens all ports, as no range does.
  if (!rule.ports?.length || rule.ports.some((r) => r.from <= 1 && r.to >= 65535)) return null;
  return rule.ports;
}

export function groupExposure(
  group: SecurityGroup,
  usage: { members: number; referencedBy: number; quotas: Quotas },
  policy: ExposurePolicy = DEFAULT_EXPOSURE_POLICY,
): ExposureFinding[] {
  const out: (ExposureFinding | null)[] = [];
  const groupId = group.id;
  for (const rule of group.rules) {
    if (!openToAll(rule)) continue;
    // 001: the default group opens 22 and 3389 to every address; left so, it exposes every instance put in it.
    if (isDefaultGroup(group))
      out.push(
        flag(policy, {
          kind: 'defaultGroupOpen',
          groupId,
          ruleId: rule.id,
          fix: 'narrow the default group to known addresses, and put instances in groups made for their role',
        }),
      );
    const ports = openedPorts(rule);
    if (ports === null) {
      out.push(
        flag(policy, {
          kind: 'allPortsOpen',
          groupId,
          ruleId: rule.id,
          fix: 'open only the ports the instances serve, and from the addresses that need them',
        }),
      );
      continue;
    }
    const sensitive = policy.sensitivePorts.filter((p) => ports.some((r) => r.from <= p && p <= r.to));
    if (sensitive.length)
      out.push(
        flag(policy, {
          kind: 'sensitivePortOpen',
          groupId,
          ruleId: rule.id,
          ports: sensitive,
          fix: 'allow administrative and database ports from known addresses (an office CIDR, a bastion group) only',
        }),
      );
    if (ports.some((r) => r.to - r.from + 1 > policy.widestRange))
      out.push(
        flag(policy, {
          kind: 'wideRangeOpen',
          groupId,
          ruleId: rule.id,
          fix: 'open the ports the service listens on, not a wide range',
        }),
      );
  }
  const limit = usage.quotas.rulesPerGroup;
  if (limit > 0 && group.rules.length >= policy.quotaShare * limit)
    out.push(
      flag(policy, {
        kind: 'nearRuleQuota',
        groupId,
        count: group.rules.length,
        fix: `the group holds ${group.rules.length} of ${limit} rules: merge adjacent ports and addresses, or split the group`,
      }),
    );
  if (usage.members === 0 && usage.referencedBy === 0)
    out.push(
      flag(policy, {
        kind: 'unusedGroup',
        groupId,
        fix: 'no port is in the group and no rule names it: delete it if it is not kept for later',
      }),
    );
  return out.filter((f): f is ExposureFinding => f !== null);
}
