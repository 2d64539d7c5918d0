// What a region's profile lets a rule hold, in the form a client needs to build a rule form
// (GET /v1/regions/{id} answers it as `traits`): derived from TRAITS and the limits the
// validation applies, so a console never tests a profile's name.
import type { EvaluationStyle } from './profiles.js';
import { groupOrderMatters, PRIORITY_RANGE, TRAITS } from './profiles.js';
import type { GroupType, Profile } from './model.js';

/** How a remote is named: an address prefix, a security group, an address group. */
export type RemoteKind = 'cidr' | 'group' | 'addressGroup';

export interface GroupTypeRuleTraits {
  /** Rules of this group type may deny. */
  denyRules: boolean;
  /** Rules of this group type carry a priority the user sets (else every rule has priority 1). */
  priorities: boolean;
  /** The remotes a rule of this group type may name (advanced groups reference no group). */
  remoteKinds: RemoteKind[];
  evaluation: EvaluationStyle;
}

export interface RegionTraits {
  /** The range a user-set priority takes, the priority a rule without one gets, and a reserved one. */
  priority: { min: number; max: number; default: number; reserved: number | null };
  /** The cloud's own API shows several port ranges as one rule; elsewhere one range per rule. */
  multiPortRules: boolean;
  /** Rules may restrict source ports. */
  sourcePorts: boolean;
  /** Groups may be stateless. */
  statelessGroups: boolean;
  /** What a change does to live connections (SEMANTICS.md "Clearing"). */
  clearing: { reevaluate: boolean; onlyWhenNarrowing: boolean };
  /** The order of a port's groups changes what its rules decide (Huawei). */
  groupOrderMatters: boolean;
  /** Per group type that exists in the profile. */
  groupTypes: Partial<Record<GroupType, GroupTypeRuleTraits>>;
}

function groupTypeTraits(profile: Profile, type: GroupType): GroupTypeRuleTraits {
  const t = TRAITS[profile];
  // validateRule and validateRuleReferences: advanced groups hold allow rules without priority
  // and neither reference groups nor are referenced.
  const advanced = type === 'advanced';
  return {
    denyRules: t.denyRules && !advanced,
    priorities: t.priorities && !advanced,
    remoteKinds: advanced ? ['cidr', 'addressGroup'] : ['cidr', 'group', 'addressGroup'],
    evaluation: t.evaluation[type],
  };
}

export function regionTraits(profile: Profile): RegionTraits {
  const t = TRAITS[profile];
  const groupTypes: Partial<Record<GroupType, GroupTypeRuleTraits>> = {
    basic: groupTypeTraits(profile, 'basic'),
  };
  if (t.advancedGroups) groupTypes.advanced = groupTypeTraits(profile, 'advanced');
  return {
    priority: { ...PRIORITY_RANGE, default: t.defaultPriority, reserved: t.reservedPriority },
    multiPortRules: t.multiPortRules,
    sourcePorts: t.sourcePorts,
    statelessGroups: t.statelessGroups,
    clearing: { ...t.clearing },
    groupOrderMatters: groupOrderMatters(profile),
    groupTypes,
  };
}
