// The evaluation order of SEMANTICS.md: which entries take part in one port's decision for
// one direction and family, and in what order. This is the specification both the reference
// evaluator (linear scan) and the compiled classifier (bit vectors) follow.
import type { Direction, Ethertype, GroupType, Port, Profile, Rule, SecurityGroup } from './model.js';
import { defaultVerdict, evaluationStyle, TRAITS } from './profiles.js';

export type Entry =
  | { kind: 'rule'; rule: Rule; group: SecurityGroup; seq: number }
  /** Alibaba basic group with innerAccessPolicy Accept: "peer is a member" allows, before any rule. */
  | { kind: 'innerAccess'; group: SecurityGroup; seq: number };

export interface PortPolicy {
  profile: Profile;
  groupType: GroupType;
  groups: SecurityGroup[];
  style: 'firstMatch' | 'anyAllow';
}

export function portPolicy(profile: Profile, groups: SecurityGroup[]): PortPolicy {
  const groupType = groups.some((g) => g.type === 'advanced') ? 'advanced' : 'basic';
  return { profile, groupType, groups, style: evaluationStyle(profile, groupType) };
}

export function policyDefault(policy: PortPolicy, direction: Direction): 'allow' | 'deny' {
  return defaultVerdict(policy.profile, policy.groupType, direction);
}

/** Whether a rule of this group applies to this port's NIC (classic network only has NIC types). */
function appliesToNic(group: SecurityGroup, rule: Rule, port: Pick<Port, 'nicType'>): boolean {
  return group.vpcId !== null || rule.nicType === port.nicType;
}

const actionRank = (r: Rule) => (r.action === 'deny' ? 0 : 1);

export function evaluationOrder(
  policy: PortPolicy,
  port: Pick<Port, 'nicType'>,
  direction: Direction,
  ethertype: Ethertype,
): Entry[] {
  const rules: Extract<Entry, { kind: 'rule' }>[] = [];
  const positions = new Map<Rule, number>();
  policy.groups.forEach((group, seq) => {
    for (const rule of group.rules) {
      if (rule.direction !== direction || rule.ethertype !== ethertype) continue;
      if (!appliesToNic(group, rule, port)) continue;
      positions.set(rule, positions.size);
      rules.push({ kind: 'rule', rule, group, seq });
    }
  });
  const stable = (a: Entry & { kind: 'rule' }, b: Entry & { kind: 'rule' }) =>
    positions.get(a.rule)! - positions.get(b.rule)!;
  const traits = TRAITS[policy.profile];
  if (policy.style === 'firstMatch') {
    // Priority ascending, deny first at equal priority; merged over all groups (001), or within
    // each group in the port's group sequence (002).
    const sequence = traits.mergesGroups
      ? () => 0
      : (a: Entry & { kind: 'rule' }, b: Entry & { kind: 'rule' }) => a.seq - b.seq;
    rules.sort(
      (a, b) =>
        sequence(a, b) ||
        a.rule.priority - b.rule.priority ||
        actionRank(a.rule) - actionRank(b.rule) ||
        stable(a, b),
    );
  }
  // anyAllow keeps membership then rule order: it only decides which match is reported.

  const inner: Entry[] = [];
  if (traits.innerAccessPolicy && policy.groupType === 'basic' && port.nicType === 'intranet') {
    policy.groups.forEach((group, seq) => {
      if (group.innerAccessPolicy === 'Accept') inner.push({ kind: 'innerAccess', group, seq });
    });
  }
  return [...inner, ...rules];
}
