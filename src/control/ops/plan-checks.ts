// Plan and apply: the region after a plan, and every check a write of it must pass, as for any
// other write: the objects it makes or changes are validated against the region after it
// (references, placements, memberships, addresses), what it deletes must be unused by what
// stays, and no quota of the tenant's may be exceeded, nor an exceeded one grow.
import { isDefaultGroup } from '../../core/defaults.js';
import type { Quotas, RegionState, SecurityGroup } from '../../core/model.js';
import { TRAITS } from '../../core/profiles.js';
import {
  checkQuota,
  type Problems,
  type RegionLookup,
  validateAddressGroup,
  validateGroup,
  validatePlacement,
  validatePort,
  validateRuleReferences,
} from '../../core/validate.js';
import { quotasFor } from '../quotas.js';
import { ownedAddresses, type RegionRecord, type World } from '../world.js';
import type { Matched } from './plan-match.js';

/** The whole region as it will be once the plan is applied (every tenant's objects). */
export function regionAfter(w: World, r: RegionRecord, m: Matched): RegionState {
  const before = w.regionState(r.region.id)!;
  const replace = <T extends { id: string }>(xs: T[], puts: T[], deleted: Set<string>) => {
    const byId = new Map(puts.map((x) => [x.id, x]));
    const out = xs.filter((x) => !deleted.has(x.id)).map((x) => byId.get(x.id) ?? x);
    const present = new Set(xs.map((x) => x.id));
    return [...out, ...puts.filter((x) => !present.has(x.id))];
  };
  // Stored groups the plan does not mention keep their rules; those it does have them as planned.
  const groups = replace(
    before.groups,
    m.groups.map((x) => x.group),
    new Set(m.deletedGroups.map((g) => g.id)),
  );
  return {
    ...before,
    vpcs: [...before.vpcs, ...m.vpcs],
    addressGroups: replace(
      before.addressGroups,
      m.addressGroups.map((x) => x.ag),
      new Set(m.deletedAddressGroups.map((a) => a.id)),
    ),
    groups,
    instances: replace(
      before.instances,
      m.instances.map((x) => x.instance),
      new Set(m.deletedInstances.map((i) => i.id)),
    ),
  };
}

/** The validators' view of the region after the plan; shares still let a tenant use another's objects. */
function lookupAfter(w: World, after: RegionState, storedIds: (id: string) => boolean): RegionLookup {
  const vpcs = new Map(after.vpcs.map((v) => [v.id, v]));
  const groups = new Map(after.groups.map((g) => [g.id, g]));
  const ags = new Map(after.addressGroups.map((a) => [a.id, a]));
  return {
    region: after.region,
    hasTenant: (id) => w.tenants.has(id),
    vpc: (id) => vpcs.get(id),
    group: (id) => groups.get(id),
    addressGroup: (id) => ags.get(id),
    mayUse: (kind, id, tenantId) => {
      const owner = (kind === 'group' ? groups.get(id) : ags.get(id))?.tenantId;
      if (owner === undefined) return false;
      return owner === tenantId || (storedIds(id) && w.shares.isSharedWith(id, tenantId));
    },
  };
}

export function checkPlan(
  w: World,
  r: RegionRecord,
  m: Matched,
  after: RegionState,
  tenants: Set<string>,
  p: Problems,
): void {
  const region = r.region;
  const lookup = lookupAfter(w, after, (id) => r.groups.has(id) || r.addressGroups.has(id));
  const quotas = new Map<string, Quotas>();
  const q = (tenantId: string) => {
    let found = quotas.get(tenantId);
    if (!found) quotas.set(tenantId, (found = quotasFor(w, r, tenantId)));
    return found;
  };
  /** A quota the plan may not exceed, nor grow once exceeded. */
  const bound = (
    tenantId: string,
    quota: keyof Quotas,
    count: number,
    was: number,
    what: string,
    at: string,
  ) => {
    if (count > was) checkQuota(q(tenantId), quota, count, what, p, at);
  };
  const afterGroups = new Map(after.groups.map((g) => [g.id, g]));
  /** Another tenant's objects are not named to the caller: that they exist is all it learns. */
  const named = (tenantId: string, what: string, id: string) =>
    tenants.has(tenantId) ? `${what} ${id}` : `a ${what} of another tenant (through a share)`;

  for (const { ag, at, created } of m.addressGroups) {
    validateAddressGroup(ag, at, p, (id) => w.tenants.has(id));
    const was = created ? 0 : (r.addressGroups.get(ag.id)?.value.entries.length ?? 0);
    bound(
      ag.tenantId,
      'entriesPerAddressGroup',
      ag.entries.length,
      was,
      `entries of ${ag.name}`,
      `${at}.entries`,
    );
  }
  const rulesPut = new Set(m.rulePuts.map((x) => x.groupId));
  for (const { group, at, created, metaChanged } of m.groups) {
    if (!created && !metaChanged && !rulesPut.has(group.id)) continue;
    if (created) validatePlacement(group, lookup, p, at);
    validateGroup(group, region, p, at);
    group.rules.forEach((rule, k) => validateRuleReferences(rule, group, lookup, p, `${at}.rules[${k}]`));
    const was = r.groups.get(group.id);
    bound(
      group.tenantId,
      'rulesPerGroup',
      group.rules.length,
      was?.rules.size ?? 0,
      `rules of ${group.name} (a multi-port rule counts once)`,
      `${at}.rules`,
    );
    if (group.type === 'basic')
      bound(
        group.tenantId,
        'groupReferenceRulesPerGroup',
        group.rules.filter((x) => x.remote.kind === 'group').length,
        was?.ruleList().filter((x) => x.remote.kind === 'group').length ?? 0,
        `group-reference rules of ${group.name}`,
        `${at}.rules`,
      );
  }

  // What is deleted must be unused by what stays (another tenant's rules and ports included).
  const deletedGroups = new Set(m.deletedGroups.map((g) => g.id));
  const deletedAgs = new Set(m.deletedAddressGroups.map((a) => a.id));
  for (const g of after.groups)
    for (const rule of g.rules) {
      if (rule.remote.kind === 'group' && deletedGroups.has(rule.remote.groupId))
        p.add(
          'groups',
          'GROUP_REFERENCED',
          `group ${rule.remote.groupId} is deleted, but ${named(g.tenantId, 'rule', rule.id)} names it`,
          {
            resource: 'group',
            id: rule.remote.groupId,
          },
        );
      if (rule.remote.kind === 'addressGroup' && deletedAgs.has(rule.remote.addressGroupId))
        p.add(
          'addressGroups',
          'ADDRESS_GROUP_IN_USE',
          `address group ${rule.remote.addressGroupId} is deleted, but ${named(g.tenantId, 'rule', rule.id)} names it`,
          { resource: 'addressGroup', id: rule.remote.addressGroupId },
        );
    }
  const changedInstances = new Map(m.instances.map((x) => [x.instance.id, x]));
  const addressOwner = new Map<string, string>();
  const members = new Map<string, number>();
  // Ports the plan leaves alone hold their addresses first: a planned port is the one refused.
  const ordered = [...after.instances].sort(
    (a, b) => Number(changedInstances.has(a.id)) - Number(changedInstances.has(b.id)),
  );
  for (const inst of ordered)
    inst.ports.forEach((port, k) => {
      for (const g of new Set(port.groupIds)) members.set(g, (members.get(g) ?? 0) + 1);
      const planned = changedInstances.get(inst.id);
      const pat = planned ? `${planned.at}.ports[${k}]` : 'groups';
      for (const ip of ownedAddresses(port)) {
        const owner = addressOwner.get(ip);
        if (owner !== undefined && planned)
          p.add(pat, 'ADDRESS_IN_USE', `${pat}: address ${ip} is already used by ${owner}`, {
            value: ip,
          });
        addressOwner.set(ip, named(inst.tenantId, 'port', port.id));
      }
      for (const g of port.groupIds)
        if (deletedGroups.has(g))
          p.add(
            'groups',
            'GROUP_IN_USE',
            `group ${g} is deleted, but ${named(inst.tenantId, 'port', port.id)} is a member`,
            {
              resource: 'group',
              id: g,
            },
          );
      // A port the plan touches, or one in a group whose rules it changes: its memberships and rule count.
      const touched = planned !== undefined || port.groupIds.some((g) => m.rulesChanged.has(g));
      if (!touched) return;
      if (planned) validatePort(port, inst, pat, p, lookup, region.profile);
      const storedPort = r.ports.get(port.id)?.port;
      const rules = (groups: string[], of: (id: string) => number) => groups.reduce((n, g) => n + of(g), 0);
      bound(
        inst.tenantId,
        'groupsPerPort',
        port.groupIds.length,
        storedPort?.groupIds.length ?? 0,
        `groups of ${named(inst.tenantId, 'port', port.id)}`,
        `${pat}.groups`,
      );
      bound(
        inst.tenantId,
        'rulesPerPort',
        rules(port.groupIds, (g) => afterGroups.get(g)?.rules.length ?? 0),
        rules(storedPort?.groupIds ?? [], (g) => r.groups.get(g)?.rules.size ?? 0),
        `rules over the groups of ${named(inst.tenantId, 'port', port.id)}`,
        `${pat}.groups`,
      );
    });
  for (const g of after.groups) {
    if (g.type !== 'basic') continue;
    bound(
      g.tenantId,
      'portsPerGroup',
      members.get(g.id) ?? 0,
      r.groups.get(g.id)?.members.size ?? 0,
      `ports in ${g.name}`,
      'instances',
    );
  }
  for (const tenantId of tenants) checkTenantTotals(r, after, tenantId, q(tenantId), p);
}

function checkTenantTotals(
  r: RegionRecord,
  after: RegionState,
  tenantId: string,
  q: Quotas,
  p: Problems,
): void {
  const mine = (g: { tenantId: string }) => g.tenantId === tenantId;
  const groupsBefore = [...r.groups.values()].filter((g) => mine(g.meta));
  const groupsAfter = after.groups.filter(mine);
  const over = (quota: keyof Quotas, count: number, was: number, what: string, at: string) => {
    if (count > was) checkQuota(q, quota, count, what, p, at);
  };
  over(
    'groupsPerTenant',
    groupsAfter.length,
    groupsBefore.length,
    `security groups of tenant ${tenantId} in ${r.region.id}`,
    'groups',
  );
  const rules = (gs: { rules: unknown[] | Map<string, unknown> }[]) =>
    gs.reduce((n, g) => n + (Array.isArray(g.rules) ? g.rules.length : g.rules.size), 0);
  over(
    'rulesPerTenant',
    rules(groupsAfter),
    rules(groupsBefore),
    `rules of tenant ${tenantId} in ${r.region.id}`,
    'groups',
  );
  over(
    'addressGroupsPerTenant',
    after.addressGroups.filter(mine).length,
    [...r.addressGroups.values()].filter((a) => mine(a.value)).length,
    `address groups of tenant ${tenantId} in ${r.region.id}`,
    'addressGroups',
  );
  if (TRAITS[r.region.profile].uniqueDefaultName) {
    const defaults = groupsAfter.filter((g: SecurityGroup) => isDefaultGroup(g));
    if (defaults.length > 1 && defaults.length > groupsBefore.filter((g) => isDefaultGroup(g.meta)).length)
      p.add(
        'groups',
        'DEFAULT_GROUP_EXISTS',
        `tenant ${tenantId} would have ${defaults.length} groups named default`,
      );
  }
}
