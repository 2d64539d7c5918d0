// The core validators' view of a region, answered from the live world; `pending` adds the
// groups a write is about to create, so a new group can reference itself.
import type { RegionLookup } from '../core/validate.js';
import type { GroupMeta } from './events.js';
import type { RegionRecord, World } from './world.js';

export function lookupIn(world: World, r: RegionRecord, pending: GroupMeta[] = []): RegionLookup {
  const extra = new Map(pending.map((g) => [g.id, g]));
  return {
    region: r.region,
    hasTenant: (id) => world.tenants.has(id),
    vpc: (id) => r.vpcs.get(id)?.value,
    group: (id) => extra.get(id) ?? r.groups.get(id)?.meta,
    addressGroup: (id) => r.addressGroups.get(id)?.value,
  };
}
