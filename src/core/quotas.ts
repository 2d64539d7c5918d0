// A tenant's quotas in a region. The region's quotas are every tenant's default; an operator may
// override any of them for one tenant in one region (Tenant.quotas[regionId], what Neutron's
// PUT /v2.0/quotas/{project} at that region's endpoint sets), and the override then replaces
// the region's figure for that tenant there, higher or lower. 0 is "no limit" in both places.
import type { Quotas, Region, Tenant } from './model.js';
import { own } from './own.js';

export const QUOTA_NAMES: readonly (keyof Quotas)[] = [
  'groupsPerTenant',
  'rulesPerGroup',
  'rulesPerTenant',
  'groupsPerPort',
  'portsPerGroup',
  'groupReferenceRulesPerGroup',
  'rulesPerPort',
  'addressGroupsPerTenant',
  'entriesPerAddressGroup',
];

export const isQuotaName = (v: string): v is keyof Quotas => (QUOTA_NAMES as readonly string[]).includes(v);

/** The quotas that bind `tenant` in `region`: its overrides where set, else the region's. */
export function effectiveQuotas(region: Region, tenant: Tenant | undefined): Quotas {
  // A region stored before rulesPerTenant existed has none: no limit.
  const overrides = tenantOverrides(tenant, region.id);
  const set = QUOTA_NAMES.flatMap((name) => {
    const value = own(overrides, name);
    return value === undefined ? [] : [[name, value] as const];
  });
  return {
    ...region.quotas,
    rulesPerTenant: region.quotas.rulesPerTenant ?? 0,
    ...(Object.fromEntries(set) as Partial<Quotas>),
  };
}

/** The tenant's overrides in one region ({} when it has none). */
export function tenantOverrides(tenant: Tenant | undefined, regionId: string): Partial<Quotas> {
  return (tenant?.quotas && own(tenant.quotas, regionId)) ?? {};
}
