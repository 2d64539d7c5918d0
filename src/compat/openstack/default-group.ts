// Neutron's per-project default group, made on the project's first look at its groups (or its
// first group create). Neutron groups belong to a project, not a network: like every group the
// service creates without a VPC, it goes into the project's VPC named "default" in the region,
// else its first VPC, else a VPC named "default" made in the same write. All or nothing.
//
// This is the service-layer operation the front end needs and the ops do not offer yet
// (createInstance makes the default group only as a side effect); it goes through
// Service.write like the ops do, and belongs in src/control/ops/groups.ts (see the report).
import * as ops from '../../control/ops/groups.js';
import type { Principal, Service } from '../../control/service.js';
import type { GroupRecord, RegionRecord } from '../../control/world.js';

export function defaultGroupOf(r: RegionRecord, tenantId: string): GroupRecord | undefined {
  for (const g of r.groups.values()) if (g.meta.tenantId === tenantId && g.meta.name === 'default') return g;
  return undefined;
}

/**
 * The VPC a project's Neutron groups go into: the service's own choice for groups created
 * without a VPC (createGroup's placeGroup): its VPC named "default" in the region, else its
 * first; undefined when it has none (then one named "default" is made).
 */
export function projectVpc(r: RegionRecord, tenantId: string): string | undefined {
  const own = [...r.vpcs.values()].map((v) => v.value).filter((v) => v.tenantId === tenantId);
  return (own.find((v) => v.name === 'default') ?? own[0])?.id;
}

/**
 * Make the project's default group (and its VPC) unless it exists. Over the group quota the
 * default group is not made (a listing still answers; a create then fails with OverQuota).
 */
export async function ensureDefaultGroup(
  svc: Service,
  p: Principal & { role: 'tenant' },
  regionId: string,
): Promise<void> {
  const current = svc.world.regions.get(regionId);
  if (!current || defaultGroupOf(current, p.tenantId)) return;
  await ops.ensureDefaultGroup(svc, p, { regionId });
}
