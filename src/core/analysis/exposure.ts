// Exposure lint for one group, from the documents' own advice (001's usage notes: do not open
// administrative ports to 0.0.0.0/0; open what is needed) and common audits. Each finding names
// the rule, a severity and a suggested fix. What is flagged is configurable (ExposurePolicy).
import { cidrFamily } from '../address.js';
import { PORTED_PROTOCOLS, protocolNumber, type Quotas, type Rule, type SecurityGroup } from '../model.js';

export interface ExposurePolicy {
  /** Ports that must not be open to every address (administration and databases). */
  sensitivePorts: number[];
  /** A port range wider than this, open to every address, is flagged as wider than needed. */
  widestRange: number;
  /** A group holding at least this share of its rules quota is flagged (0..1). */
  quotaShare: number;
}

export const DEFAULT_EXPOSURE_POLICY: ExposurePolicy = {
  sensitivePorts: [
    22, 23, 135, 139, 445, 1433, 1521, 2375, 2379, 3306, 3389, 5432, 5900, 6379, 9200, 11211, 27017,
  ],
  widestRange: 100,
  quotaShare: 0.9,
};

export type ExposureKind =
  'allPortsOpen' | 'sensitivePortOpen' | 'wideRangeOpen' | 'nearRuleQuota' | 'unusedGroup';

export interface ExposureFinding {
  kind: ExposureKind;
  severity: 'high' | 'medium' | 'low';
  /** Absent for findings about the group as a whole. */
  ruleId?: string;
  /** The sensitive ports a rule opens, for sensitivePortOpen. */
  ports?: number[];
  fix: string;
}

/** An ingress allow rule whose remote is every address of its family. */
function openToAll(rule: Rule): boolean {
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
  return rule.ports?.length ? rule.ports : null;
}

export function groupExposure(
  group: SecurityGroup,
  usage: { members: number; referencedBy: number; quotas: Quotas },
  policy: ExposurePolicy = DEFAULT_EXPOSURE_POLICY,
): ExposureFinding[] {
  const out: ExposureFinding[] = [];
  for (const rule of group.rules) {
    if (!openToAll(rule)) continue;
    const ports = openedPorts(rule);
    if (ports === null) {
      out.push({
        kind: 'allPortsOpen',
        severity: 'high',
        ruleId: rule.id,
        fix: 'open only the ports the instances serve, and from the addresses that need them',
      });
      continue;
    }
    const sensitive = policy.sensitivePorts.filter((p) => ports.some((r) => r.from <= p && p <= r.to));
    if (sensitive.length)
      out.push({
        kind: 'sensitivePortOpen',
        severity: 'high',
        ruleId: rule.id,
        ports: sensitive,
        fix: 'allow administrative and database ports from known addresses (an office CIDR, a bastion group) only',
      });
    if (ports.some((r) => r.to - r.from + 1 > policy.widestRange))
      out.push({
        kind: 'wideRangeOpen',
        severity: 'medium',
        ruleId: rule.id,
        fix: 'open the ports the service listens on, not a wide range',
      });
  }
  const limit = usage.quotas.rulesPerGroup;
  if (limit > 0 && group.rules.length >= policy.quotaShare * limit)
    out.push({
      kind: 'nearRuleQuota',
      severity: 'medium',
      fix: `the group holds ${group.rules.length} of ${limit} rules: merge adjacent ports and addresses, or split the group`,
    });
  if (usage.members === 0 && usage.referencedBy === 0)
    out.push({
      kind: 'unusedGroup',
      severity: 'low',
      fix: 'no port is in the group and no rule names it: delete it if it is not kept for later',
    });
  return out;
}
