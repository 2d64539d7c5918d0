// A tenant's quotas as they bind it, with what it uses of each: per region, every quota's limit
// (its own override, else the region's), whether the limit is an override, and for the quotas
// counted over the whole tenant the count the next write is checked against. The per-object
// quotas (rules per group, groups per port...) are counted per object: the objects' own reads
// carry those counts (a group's ruleCount and memberCount, a port's groupIds).
import type { Quotas } from '../../core/model.js';
import { QUOTA_NAMES, tenantOverrides } from '../../core/quotas.js';
import { own } from '../../core/own.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { tenantAddressGroupCount, tenantGroupCount, tenantRuleCount } from '../quotas.js';
import type { ScopedRegion } from '../scope.js';
import type { Principal, Service } from '../service.js';

/** What a quota counts: the tenant's objects in the region, or each object's own. */
export type QuotaSubject = 'tenant' | 'group' | 'port' | 'addressGroup';

const SUBJECTS: ReadonlyMap<keyof Quotas, QuotaSubject> = new Map([
  ['groupsPerTenant', 'tenant'],
  ['rulesPerGroup', 'group'],
  ['rulesPerTenant', 'tenant'],
  ['groupsPerPort', 'port'],
  ['portsPerGroup', 'group'],
  ['groupReferenceRulesPerGroup', 'group'],
  ['rulesPerPort', 'port'],
  ['addressGroupsPerTenant', 'tenant'],
  ['entriesPerAddressGroup', 'addressGroup'],
]);

export interface QuotaState {
  name: keyof Quotas;
  /** 0: no limit. */
  limit: number;
  /** Whether the limit is the tenant's override in this region (else the region's). */
  overridden: boolean;
  per: QuotaSubject;
  /** For the tenant-wide quotas: how many the tenant has in the region now. */
  used?: number;
}

export interface RegionQuotas {
  regionId: string;
  quotas: QuotaState[];
}

/** What each tenant-wide quota counts: the counts the writes check (control/quotas.ts). */
function tenantUsage(r: ScopedRegion, tenantId: string): Map<keyof Quotas, number> {
  return new Map([
    ['groupsPerTenant', tenantGroupCount(r.record, tenantId)],
    ['rulesPerTenant', tenantRuleCount(r.record, tenantId)],
    ['addressGroupsPerTenant', tenantAddressGroupCount(r.record, tenantId)],
  ]);
}

/**
 * The quotas binding a tenant, per region (one region with `regionId`): a tenant key reads its
 * own tenant's; an operator names the tenant (`tenantId`, required for operator keys).
 */
export async function quotaUsage(
  svc: Service,
  p: Principal,
  q: { regionId?: string; tenantId?: string },
): Promise<{ tenantId: string; items: RegionQuotas[] }> {
  const tenantId = tenantOf(p, q.tenantId);
  const scope = await svc.read(p);
  const tenant = scope.tenant(tenantId);
  if (!tenant) throw notFound('tenant', tenantId);
  const regions =
    q.regionId === undefined ? scope.regions() : [scope.region(q.regionId) ?? throwMissingRegion(q.regionId)];
  const items = regions
    .map((r) => {
      const limits = r.quotasFor(tenantId);
      const overrides = tenantOverrides(tenant.value, r.id);
      const used = tenantUsage(r, tenantId);
      return {
        regionId: r.id,
        quotas: QUOTA_NAMES.map((name) => ({
          name,
          limit: own(limits, name) ?? 0,
          overridden: own(overrides, name) !== undefined,
          per: SUBJECTS.get(name)!,
          ...(used.has(name) ? { used: used.get(name)! } : {}),
        })),
      };
    })
    .sort((a, b) => (a.regionId < b.regionId ? -1 : a.regionId > b.regionId ? 1 : 0));
  return { tenantId, items };
}

/** Whose quotas: a tenant key's own tenant; the one an operator names. */
function tenantOf(p: Principal, requested: string | undefined): string {
  if (p.role === 'tenant') {
    if (requested !== undefined && requested !== p.tenantId)
      throw forbidden(`tenantId "${requested}": a tenant key reads its own tenant's quotas only`);
    return p.tenantId;
  }
  if (requested === undefined)
    throw badRequest('MISSING_FIELD', 'query.tenantId', 'query.tenantId is required for operator keys');
  return requested;
}

function throwMissingRegion(id: string): never {
  throw notFound('region', id);
}
