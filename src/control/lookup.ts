// The core validators' view of a region, answered from the live world; `pending` adds the
// groups (and VPCs) a write is about to create, so a new group can reference itself. `mayUse`
// is where shares (Neutron RBAC policies) let one tenant use another's group: the one exception.
import type { Vpc } from '../core/model.js';
import type { RegionLookup } from '../core/validate.js';
import type { GroupMeta } from './events.js';
import type { RegionRecord, World } from './world.js';

export function lookupIn(
  world: World,
  r: RegionRecord,
  pending: GroupMeta[] = [],
  pendingVpcs: Vpc[] = [],
): RegionLookup {
  const extra = new Map(pending.map((g) => [g.id, g]));
  const group = (id: string) => extra.get(id) ?? r.groups.get(id)?.meta;
  const addressGroup = (id: string) => r.addressGroups.get(id)?.value;
  return {
    region: r.region,
    hasTenant: (id) => world.tenants.has(id),
    vpc: (id) => pendingVpcs.find((v) => v.id === id) ?? r.vpcs.get(id)?.value,
    group,
    addressGroup,
    // The owner, or a tenant the object is shared with (a pending group is nobody else's yet).
    mayUse: (kind, id, tenantId) => {
      const owner = (kind === 'group' ? group(id) : addressGroup(id))?.tenantId;
      if (owner === undefined) return false;
      return owner === tenantId || (!extra.has(id) && world.shares.isSharedWith(id, tenantId));
    },
  };
}
