// Exposure lint across the groups of a region, from 001's usage notes: "Do not use one security
// group to manage all applications", "Do not set a separate security group for each instance",
// "If you add an ECS instance to multiple security groups, hundreds of rules may apply to the
// instance". Per tenant (a tenant's layout is its own): the group that is the only group of most
// of its ports, the groups of one instance each with near-identical rules, and the ports whose
// groups hold more rules than the policy allows. The per-group lint is exposure.ts.
import type { Instance, Profile, Rule, SecurityGroup } from '../model.js';
import { ruleIdentity } from '../validate.js';
import { type ExposureFinding, type ExposurePolicy, flag } from './exposure.js';

/** A rule's identity with its own group as a remote written "self": copies of a group compare equal. */
function ruleKey(profile: Profile, group: SecurityGroup, rule: Rule): string {
  const self = rule.remote.kind === 'group' && rule.remote.groupId === group.id;
  return ruleIdentity(profile, self ? { ...rule, remote: { kind: 'group', groupId: '(self)' } } : rule);
}

/** How many rules one group has that the other lacks, both ways (duplicates counted once). */
function difference(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const k of a) if (!b.has(k)) n++;
  for (const k of b) if (!a.has(k)) n++;
  return n;
}

export function regionExposure(
  profile: Profile,
  groups: readonly SecurityGroup[],
  instances: readonly Instance[],
  policy: ExposurePolicy,
): ExposureFinding[] {
  const out: (ExposureFinding | null)[] = [];
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const tenants = new Set(instances.map((i) => i.tenantId));
  for (const tenant of [...tenants].sort()) {
    const own = instances.filter((i) => i.tenantId === tenant);
    const ports = own.flatMap((i) => i.ports.map((port) => ({ port, instanceId: i.id })));

    // One group for everything: the only group of most of the tenant's ports.
    const alone = new Map<string, number>();
    for (const { port } of ports)
      if (port.groupIds.length === 1) alone.set(port.groupIds[0], (alone.get(port.groupIds[0]) ?? 0) + 1);
    if (ports.length >= policy.catchAllMinPorts)
      for (const [groupId, n] of [...alone].sort(([a], [b]) => (a < b ? -1 : 1)))
        if (n >= policy.catchAllShare * ports.length)
          out.push(
            flag(policy, {
              kind: 'catchAllGroup',
              groupId,
              count: n,
              fix: `the group is the only group of ${n} of the tenant's ${ports.length} ports here: give each tier (web, application, database) a group of its own with only what it needs`,
            }),
          );

    // A group per instance: groups whose members are the ports of one instance, alike in rules.
    const instancesOf = new Map<string, Set<string>>();
    for (const { port, instanceId } of ports)
      for (const g of port.groupIds) instancesOf.set(g, (instancesOf.get(g) ?? new Set()).add(instanceId));
    const single = [...instancesOf]
      .filter(([g, holders]) => holders.size === 1 && groupById.has(g))
      .map(([g]) => groupById.get(g)!)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const clusters: { keys: Set<string>; ids: string[] }[] = [];
    for (const g of single) {
      const keys = new Set(g.rules.map((r) => ruleKey(profile, g, r)));
      const near = clusters.find((c) => difference(c.keys, keys) <= policy.perInstanceDifference);
      if (near) near.ids.push(g.id);
      else clusters.push({ keys, ids: [g.id] });
    }
    for (const c of clusters)
      if (c.ids.length >= policy.perInstanceGroups)
        out.push(
          flag(policy, {
            kind: 'groupPerInstance',
            groupIds: c.ids,
            count: c.ids.length,
            fix: `${c.ids.length} groups each hold one instance and have near-identical rules: put instances with the same needs in one group`,
          }),
        );

    // Ports under more rules than the policy allows (every rule of every group they are in).
    for (const { port } of ports) {
      const n = port.groupIds.reduce((sum, g) => sum + (groupById.get(g)?.rules.length ?? 0), 0);
      if (n > policy.maxEffectiveRules)
        out.push(
          flag(policy, {
            kind: 'tooManyEffectiveRules',
            portId: port.id,
            count: n,
            fix: `the port's ${port.groupIds.length} groups hold ${n} rules: keep rules simple, merge groups or ranges; a change among many rules is easy to get wrong`,
          }),
        );
    }
  }
  return out.filter((f): f is ExposureFinding => f !== null);
}
