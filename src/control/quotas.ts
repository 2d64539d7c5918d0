// The quotas a write is checked against: the tenant's own in the region (core/quotas.ts), read
// from the world the write plans on. Every quota check of the service layer starts here.
import type { Quotas } from '../core/model.js';
import { effectiveQuotas } from '../core/quotas.js';
import type { RegionRecord, World } from './world.js';

export function quotasFor(w: World, r: RegionRecord, tenantId: string): Quotas {
  return effectiveQuotas(r.region, w.tenants.get(tenantId)?.value);
}

/** How many rules a tenant's groups in the region hold (the rulesPerTenant quota's count). */
export function tenantRuleCount(r: RegionRecord, tenantId: string): number {
  let n = 0;
  for (const g of r.groups.values()) if (g.meta.tenantId === tenantId) n += g.rules.size;
  return n;
}

/** How many security groups a tenant has in the region (the groupsPerTenant quota's count). */
export function tenantGroupCount(r: RegionRecord, tenantId: string): number {
  let n = 0;
  for (const g of r.groups.values()) if (g.meta.tenantId === tenantId) n++;
  return n;
}

/** How many address groups a tenant has in the region (the addressGroupsPerTenant quota's count). */
export function tenantAddressGroupCount(r: RegionRecord, tenantId: string): number {
  let n = 0;
  for (const a of r.addressGroups.values()) if (a.value.tenantId === tenantId) n++;
  return n;
}
