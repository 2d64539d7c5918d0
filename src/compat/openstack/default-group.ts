// Neutron's per-project default group, made on the project's first look at its groups (or its
// first group create), and the VPC a Neutron project's groups live in. Neutron groups belong to
// a project, not a network: Palisade puts them in the project's VPC of the region (the one
// holding its default group, else its first VPC by id, else a VPC named "default" made with
// the default group). One write, all or nothing.
//
// This is the service-layer operation the front end needs and the ops do not offer yet
// (createInstance makes the default group only as a side effect); it goes through
// Service.write like the ops do, and belongs in src/control/ops/groups.ts (see the report).
import { findDefaultGroup, makeDefaultGroup } from '../../core/defaults.js';
import type { Vpc } from '../../core/model.js';
import type { Event } from '../../control/events.js';
import { newId } from '../../control/ids.js';
import type { Principal, Service } from '../../control/service.js';
import type { GroupRecord, RegionRecord } from '../../control/world.js';

export function defaultGroupOf(r: RegionRecord, tenantId: string): GroupRecord | undefined {
  for (const g of r.groups.values()) if (g.meta.tenantId === tenantId && g.meta.name === 'default') return g;
  return undefined;
}

/** The VPC a project's Neutron groups are created in, if it has one. */
export function projectVpc(r: RegionRecord, tenantId: string): string | undefined {
  const dflt = defaultGroupOf(r, tenantId);
  if (dflt?.meta.vpcId) return dflt.meta.vpcId;
  return [...r.vpcs.values()]
    .filter((v) => v.value.tenantId === tenantId)
    .map((v) => v.value.id)
    .sort()[0];
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
  await svc.write(p, {}, (w) => {
    const r = w.regions.get(regionId)!;
    const tenantId = p.tenantId;
    const events: Event[] = [];
    const none = {
      action: 'group.create',
      regionId,
      tenantId,
      targetId: null,
      events,
      after: () => null,
      status: 200,
    };
    if (defaultGroupOf(r, tenantId) || !w.tenants.has(tenantId)) return none;
    let vpcId = projectVpc(r, tenantId);
    if (vpcId === undefined) {
      const vpc: Vpc = { id: newId('vpc'), tenantId, regionId, name: 'default' };
      events.push({ op: 'vpc.put', vpc });
      vpcId = vpc.id;
    }
    const groups = [...r.groups.values()].map((g) => ({ ...g.meta, rules: [] }));
    const quota = r.region.quotas.groupsPerTenant;
    const count = groups.filter((g) => g.tenantId === tenantId).length;
    if (findDefaultGroup(groups, tenantId, vpcId) || (quota > 0 && count + 1 > quota))
      return { ...none, targetId: vpcId, status: events.length ? 201 : 200 };
    const id = newId('sg');
    const made = makeDefaultGroup(r.region.profile, regionId, tenantId, vpcId, id);
    const createdAt = svc.timestamp();
    const { rules, ...meta } = made;
    events.push({
      op: 'group.put',
      group: { ...meta, description: 'Default security group', createdAt, updatedAt: createdAt },
    });
    rules.forEach((rule, seq) =>
      events.push({
        op: 'rule.put',
        regionId,
        groupId: id,
        seq,
        rule: { ...rule, id: newId('sgr'), createdAt },
      }),
    );
    return { ...none, targetId: id, status: 201 };
  });
}
