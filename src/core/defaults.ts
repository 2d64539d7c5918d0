// The default security group, created on first need: a port that joins no group joins its
// tenant's default group (SEMANTICS.md "Defaults"). Pure: returns the group to add, if any.
import type { Profile, SecurityGroup } from './model.js';
import { defaultGroupRules, materializeRules } from './profiles.js';

/** The name that makes a group its tenant's default group (per VPC, or per region where the profile says so). */
export const DEFAULT_GROUP_NAME = 'default';
export const isDefaultGroup = (g: { name: string }) => g.name === DEFAULT_GROUP_NAME;

export function findDefaultGroup(
  groups: SecurityGroup[],
  tenantId: string,
  vpcId: string | null,
): SecurityGroup | undefined {
  return groups.find((g) => g.tenantId === tenantId && g.vpcId === vpcId && isDefaultGroup(g));
}

/** The default group for a tenant's VPC (or classic network), made with the profile's default rules. */
export function makeDefaultGroup(
  profile: Profile,
  regionId: string,
  tenantId: string,
  vpcId: string | null,
  id: string,
): SecurityGroup {
  let n = 0;
  return {
    id,
    tenantId,
    regionId,
    vpcId,
    name: DEFAULT_GROUP_NAME,
    description: 'Default security group',
    type: 'basic',
    stateful: true,
    innerAccessPolicy: 'Accept',
    rules: materializeRules(profile, id, defaultGroupRules(profile), () => `${id}-r${n++}`),
  };
}
