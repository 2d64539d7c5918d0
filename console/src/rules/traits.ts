// The region's rule traits as GET /v1/regions/{id} answers them (src/core/rule-traits.ts): what a
// rule form offers (deny, priority and its range, remotes, multi-port), never a profile's name.
import { type Client, seg } from '../api';

export type RemoteKind = 'cidr' | 'group' | 'addressGroup';

export interface GroupTypeRuleTraits {
  denyRules: boolean;
  priorities: boolean;
  remoteKinds: RemoteKind[];
  evaluation: 'firstMatch' | 'anyAllow';
}

export interface RegionTraits {
  priority: { min: number; max: number; default: number; reserved: number | null };
  multiPortRules: boolean;
  sourcePorts: boolean;
  statelessGroups: boolean;
  clearing: { reevaluate: boolean; onlyWhenNarrowing: boolean };
  groupTypes: { basic: GroupTypeRuleTraits; advanced?: GroupTypeRuleTraits };
}

/** What a rule form offers for one group: the region's traits and those of the group's type. */
export interface RuleFormTraits {
  region: RegionTraits;
  group: GroupTypeRuleTraits;
}

export async function ruleFormTraits(
  api: Client,
  regionId: string,
  groupType: string,
): Promise<RuleFormTraits> {
  const region = await api.get<{ traits: RegionTraits }>(`/v1/regions/${seg(regionId)}`);
  const traits = region.traits;
  const group =
    groupType === 'advanced' && traits.groupTypes.advanced
      ? traits.groupTypes.advanced
      : traits.groupTypes.basic;
  return { region: traits, group };
}
