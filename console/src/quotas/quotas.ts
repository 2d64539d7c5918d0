// The quotas binding a tenant, with its usage (GET /v1/quotas): what the quota bars show.
import { type Client, query } from '../api';

export type QuotaName =
  | 'groupsPerTenant'
  | 'rulesPerGroup'
  | 'rulesPerTenant'
  | 'groupsPerPort'
  | 'portsPerGroup'
  | 'groupReferenceRulesPerGroup'
  | 'rulesPerPort'
  | 'addressGroupsPerTenant'
  | 'entriesPerAddressGroup';

export interface QuotaState {
  name: QuotaName;
  /** 0: no limit. */
  limit: number;
  /** The tenant's own override in the region (else the region's figure). */
  overridden: boolean;
  per: 'tenant' | 'group' | 'port' | 'addressGroup';
  /** Tenant-wide quotas: what the tenant has in the region now. */
  used?: number;
}

export interface RegionQuotas {
  regionId: string;
  quotas: QuotaState[];
}

export interface QuotaUsage {
  tenantId: string;
  items: RegionQuotas[];
}

/** A tenant key's own quotas; an operator names the tenant. */
export const readQuotas = (api: Client, filter: { tenantId?: string; regionId?: string } = {}) =>
  api.get<QuotaUsage>(`/v1/quotas${query(filter)}`);

export const quotaOf = (region: RegionQuotas | undefined, name: QuotaName) =>
  region?.quotas.find((q) => q.name === name);

/** What each quota is, in words. */
export const QUOTA_LABELS: ReadonlyMap<QuotaName, string> = new Map([
  ['groupsPerTenant', 'Security groups'],
  ['rulesPerGroup', 'Rules per group'],
  ['rulesPerTenant', 'Rules over all groups'],
  ['groupsPerPort', 'Groups per port'],
  ['portsPerGroup', 'Ports per group'],
  ['groupReferenceRulesPerGroup', 'Group-reference rules per group'],
  ['rulesPerPort', "Rules over a port's groups"],
  ['addressGroupsPerTenant', 'Address groups'],
  ['entriesPerAddressGroup', 'Entries per address group'],
]);
