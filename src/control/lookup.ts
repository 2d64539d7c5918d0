// The core validators' view of a region, answered from the live world; `pending` adds the
// groups (and VPCs) a write is about to create, so a new group can reference itself.
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
  return {
    region: r.region,
    hasTenant: (id) => world.tenants.has(id),
    vpc: (id) => pendingVpcs.find((v) => v.id === id) ?? r.vpcs.get(id)?.value,
    group: (id) => extra.get(id) ?? r.groups.get(id)?.meta,
    addressGroup: (id) => r.addressGroups.get(id)?.value,
  };
}
