// A tenant's quotas in a region: its own override of a figure where it has one there, else the
// region's; and the per-tenant rule quota as the offline validator counts it.
import { describe, expect, it } from 'vitest';
import type { Region, Tenant } from '../../src/core/model.js';
import { DEFAULT_QUOTAS } from '../../src/core/profiles.js';
import { effectiveQuotas } from '../../src/core/quotas.js';
import { validateRegionState } from '../../src/core/validate.js';
import { egress, group, ingress, region } from '../support/build.js';

const one: Region = region('openstack', [], []).region;

describe('effective quotas', () => {
  it("takes the tenant's override in this region, and the region's figure for the rest", () => {
    const tenant: Tenant = {
      id: 'acme',
      name: 'acme',
      quotas: { [one.id]: { groupsPerTenant: 3, rulesPerTenant: 9 }, elsewhere: { rulesPerGroup: 1 } },
    };
    const q = effectiveQuotas(one, tenant);
    expect(q.groupsPerTenant).toBe(3);
    expect(q.rulesPerTenant).toBe(9);
    expect(q.rulesPerGroup).toBe(one.quotas.rulesPerGroup);
    // An override may raise a figure as well as lower it, and 0 lifts the limit.
    const raised = effectiveQuotas(one, {
      ...tenant,
      quotas: { [one.id]: { rulesPerGroup: 500, groupsPerTenant: 0 } },
    });
    expect(raised.rulesPerGroup).toBe(500);
    expect(raised.groupsPerTenant).toBe(0);
    expect(effectiveQuotas(one, undefined)).toEqual(one.quotas);
  });

  it('reads a region stored before rulesPerTenant existed as no limit on it', () => {
    const { rulesPerTenant: _gone, ...older } = DEFAULT_QUOTAS.openstack;
    const stored = { ...one, quotas: older } as Region;
    expect(effectiveQuotas(stored, undefined).rulesPerTenant).toBe(0);
    // A region id such as "constructor" finds no inherited override.
    expect(
      effectiveQuotas({ ...one, id: 'constructor' }, { id: 't', name: 't', quotas: {} }).groupsPerTenant,
    ).toBe(one.quotas.groupsPerTenant);
  });
});

describe('rulesPerTenant in a region state', () => {
  it("counts the rules over a tenant's groups", () => {
    const state = region(
      'openstack',
      [
        group('a', [ingress('tcp', { id: 'r1', ports: '22' }), egress('all', { id: 'r2' })]),
        group('b', [ingress('tcp', { id: 'r3', ports: '80' })]),
      ],
      [],
    );
    expect(validateRegionState(state)).toEqual([]);
    // A copy: the builder's region shares the profile's default quotas.
    state.region = { ...state.region, quotas: { ...state.region.quotas, rulesPerTenant: 2 } };
    expect(validateRegionState(state)).toEqual([
      expect.objectContaining({ path: 'groups', code: 'QUOTA_EXCEEDED' }),
    ]);
  });
});
