// Neutron's per-project default group, made on the project's first look at its groups (or its
// first group create) by the service's ensureDefaultGroup: one write, in the VPC any group made
// without one goes into (see GroupInput.vpcId).
import * as ops from '../../control/ops/groups.js';
import type { Principal, Service } from '../../control/service.js';
import type { GroupRecord, RegionRecord } from '../../control/world.js';

function defaultGroupOf(r: RegionRecord, tenantId: string): GroupRecord | undefined {
  for (const g of r.groups.values()) if (g.meta.tenantId === tenantId && g.meta.name === 'default') return g;
  return undefined;
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
