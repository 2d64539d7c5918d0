// Plan and apply (issue 13, item 8): match a loaded policy file against what a region stores
// and compute the objects to create, change and delete. Matching, for the file's tenants only:
// - a VPC, address group, group or instance matches the tenant's stored object whose id is the
//   file's id, else the one whose name is the file's name (which defaults to the id); a name
//   two stored objects share is ambiguous and refused;
// - a rule of a matched group matches the stored rule whose id the file gives, else the stored
//   rule that is the same rule (ruleIdentity under the region's profile), so an unchanged rule
//   keeps its id; a port of a matched instance matches by id, else by its place
//   (plan-instances.ts);
// - what the loader made on its own (the tenant's VPC when the file lists none, the default
//   group of a port without groups) matches the tenant's VPC and default group as the service
//   would pick them, and a stored default group the file does not describe is left as it is.
// A kind the file leaves out entirely (no `addressGroups`, `groups` or `instances` key) is not
// managed: its stored objects stay. Of a kind the file has, the tenant's stored objects the
// file does not name are deleted (the tenant's "default" groups excepted). VPCs are made when
// missing and never deleted. References in the file (remote groups, address groups, port
// memberships) name the file's ids and are mapped to the stored ids.
import { isDefaultGroup } from '../../core/defaults.js';
import type { AddressGroup, Instance, RegionState, Rule, SecurityGroup, Vpc } from '../../core/model.js';
import { TRAITS } from '../../core/profiles.js';
import { type Problems, ruleIdentity } from '../../core/validate.js';
import type { GroupMeta } from '../events.js';
import { ruleInputOf } from '../views.js';
import type { GroupRecord, RegionRecord } from '../world.js';

/** What the file says beyond its loaded state: which kinds it has, what the loader made itself. */
export interface FileFacts {
  declares: { addressGroups: boolean; groups: boolean; instances: boolean };
  /** Ids of VPCs and groups the loader made (not written in the file). */
  implicitVpcs: Set<string>;
  implicitGroups: Set<string>;
}

export type ChangeKind = 'vpc' | 'addressGroup' | 'group' | 'rule' | 'instance' | 'port';
export type ChangeAction = 'create' | 'update' | 'delete';

/** One object-level change of a plan. */
export interface PlannedChange {
  kind: ChangeKind;
  action: ChangeAction;
  /** The object's id in the file (created and updated objects). */
  ref?: string;
  /** Where the file gives it ("groups[1].rules[0]"). */
  at?: string;
  /** The stored object's id (updated and deleted objects). */
  id?: string;
  name?: string;
  /** A rule's group, a port's instance: the stored id, or the file's for a new one. */
  parent?: string;
  /** An update: the fields that change. */
  fields?: string[];
  /** A rule: what it is (remote ids as stored, or "new:<file id>" for objects made now). */
  rule?: ReturnType<typeof ruleInputOf>;
  /** A port: its groups after the change. */
  groups?: string[];
}

/** The region after the plan, and what it takes to get there. */
export interface Matched {
  changes: PlannedChange[];
  vpcs: Vpc[];
  addressGroups: { ag: AddressGroup; at: string; created: boolean }[];
  deletedAddressGroups: AddressGroup[];
  groups: { group: SecurityGroup; at: string; created: boolean; metaChanged: boolean }[];
  /** Rules of kept groups: created/modified (with seq) and deleted. */
  rulePuts: { groupId: string; seq: number; rule: Rule }[];
  ruleDeletes: { groupId: string; id: string }[];
  deletedGroups: GroupMeta[];
  /** Every instance of the file: created, changed (put again) or as stored. */
  instances: { instance: Instance; at: string; created: boolean; changed: boolean }[];
  deletedInstances: Instance[];
  /** Whether the plan changes the rules of a stored group (its meta is put once more). */
  rulesChanged: Set<string>;
}

export type MakeId = (prefix: string, ref: string) => string;

export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** By id, else by name, among the tenant's stored objects; an ambiguous name is a problem. */
/** The objects of one tenant. */
export const owned = <T extends { tenantId: string }>(xs: Iterable<T>, tenantId: string) =>
  [...xs].filter((x) => x.tenantId === tenantId);

export function matchOne<T extends { id: string; name: string }>(
  stored: T[],
  want: { id: string; name: string },
  p: Problems,
  at: string,
  what: string,
  taken: Set<string>,
): T | undefined {
  const byId = stored.find((s) => s.id === want.id && !taken.has(s.id));
  if (byId) return byId;
  const byName = stored.filter((s) => s.name === want.name && !taken.has(s.id));
  if (byName.length > 1)
    p.add(
      `${at}.name`,
      'AMBIGUOUS_MATCH',
      `${at}.name "${want.name}" names ${byName.length} stored ${what}s (${byName
        .map((s) => s.id)
        .slice(0, 5)
        .join(', ')}): give the stored id as the file's id`,
    );
  return byName[0];
}

export function matchPolicy(
  r: RegionRecord,
  file: RegionState,
  facts: FileFacts,
  tenants: Set<string>,
  makeId: MakeId,
  now: string,
  p: Problems,
): { m: Matched; groupIds: Map<string, string>; vpcOf: (id: string | null) => string | null } {
  const profile = r.region.profile;
  const traits = TRAITS[profile];
  const changes: PlannedChange[] = [];
  const m: Matched = {
    changes,
    vpcs: [],
    addressGroups: [],
    deletedAddressGroups: [],
    groups: [],
    rulePuts: [],
    ruleDeletes: [],
    deletedGroups: [],
    instances: [],
    deletedInstances: [],
    rulesChanged: new Set(),
  };

  // Names are what match: two objects of a kind one tenant's file names alike would match one
  // stored object, or make two that no later apply could tell apart.
  uniqueNames(file.vpcs, 'vpcs', (v) => `${v.tenantId}|${v.name}`, p);
  uniqueNames(file.addressGroups, 'addressGroups', (a) => `${a.tenantId}|${a.name}`, p);
  uniqueNames(file.groups, 'groups', (g) => `${g.tenantId}|${g.vpcId}|${g.name}`, p);
  uniqueNames(file.instances, 'instances', (i) => `${i.tenantId}|${i.name}`, p);

  // ---- VPCs ----
  const vpcIds = new Map<string, string>();
  const storedVpcs = [...r.vpcs.values()].map((v) => v.value);
  const takenVpcs = new Set<string>();
  file.vpcs.forEach((v, i) => {
    const mine = owned(storedVpcs, v.tenantId);
    const at = `vpcs[${i}]`;
    const found = facts.implicitVpcs.has(v.id)
      ? (mine.find((x) => isDefaultGroup(x)) ?? mine[0])
      : matchOne(mine, v, p, at, 'VPC', takenVpcs);
    if (found) {
      vpcIds.set(v.id, found.id);
      takenVpcs.add(found.id);
      return;
    }
    const vpc: Vpc = {
      id: makeId('vpc', v.id),
      tenantId: v.tenantId,
      regionId: r.region.id,
      name: v.name,
      ...(v.cidr !== undefined && { cidr: v.cidr }),
    };
    vpcIds.set(v.id, vpc.id);
    m.vpcs.push(vpc);
    changes.push({
      kind: 'vpc',
      action: 'create',
      ref: v.id,
      at: facts.implicitVpcs.has(v.id) ? undefined : at,
      name: v.name,
    });
  });
  const vpcOf = (id: string | null) => (id === null ? null : (vpcIds.get(id) ?? id));

  // ---- address groups ----
  const agIds = new Map<string, string>();
  const storedAgs = [...r.addressGroups.values()].map((a) => a.value);
  const takenAgs = new Set<string>();
  file.addressGroups.forEach((a, i) => {
    const at = `addressGroups[${i}]`;
    const found = matchOne(owned(storedAgs, a.tenantId), a, p, at, 'address group', takenAgs);
    if (!found) {
      const ag: AddressGroup = {
        ...a,
        id: makeId('ag', a.id),
        regionId: r.region.id,
        createdAt: now,
        updatedAt: now,
        changeCount: a.entries.length ? 1 : 0,
      };
      agIds.set(a.id, ag.id);
      m.addressGroups.push({ ag, at, created: true });
      changes.push({ kind: 'addressGroup', action: 'create', ref: a.id, at, name: a.name });
      return;
    }
    takenAgs.add(found.id);
    agIds.set(a.id, found.id);
    const fields: string[] = [];
    if (found.name !== a.name) fields.push('name');
    if (found.ethertype !== a.ethertype) fields.push('ethertype');
    if (!sameJson([...found.entries].sort(), [...a.entries].sort())) fields.push('entries');
    if (a.description !== undefined && a.description !== found.description) fields.push('description');
    if (!fields.length) return;
    const ag: AddressGroup = {
      ...found,
      name: a.name,
      entries: fields.includes('entries') ? a.entries : found.entries,
      updatedAt: now,
      changeCount: (found.changeCount ?? 0) + 1,
    };
    if (a.ethertype === undefined) delete ag.ethertype;
    else ag.ethertype = a.ethertype;
    if (a.description !== undefined) ag.description = a.description;
    if (fields.includes('entries')) delete ag.writtenEntries;
    m.addressGroups.push({ ag, at, created: false });
    changes.push({
      kind: 'addressGroup',
      action: 'update',
      ref: a.id,
      at,
      id: found.id,
      name: a.name,
      fields,
    });
  });
  if (facts.declares.addressGroups)
    for (const a of storedAgs)
      if (tenants.has(a.tenantId) && !takenAgs.has(a.id)) {
        m.deletedAddressGroups.push(a);
        changes.push({ kind: 'addressGroup', action: 'delete', id: a.id, name: a.name });
      }

  // ---- groups: first every file group's stored id, so rules can name any of them ----
  const groupIds = new Map<string, string>();
  const storedGroups = [...r.groups.values()];
  const takenGroups = new Set<string>();
  const matchedGroup = new Map<string, GroupRecord | undefined>();
  file.groups.forEach((g, i) => {
    const at = `groups[${i}]`;
    const mine = storedGroups.filter((s) => s.meta.tenantId === g.tenantId && !takenGroups.has(s.meta.id));
    const vpcId = vpcOf(g.vpcId);
    let found: GroupRecord | undefined;
    if (facts.implicitGroups.has(g.id))
      found = mine.find(
        (s) => isDefaultGroup(s.meta) && (traits.uniqueDefaultName || s.meta.vpcId === vpcId),
      );
    else {
      const metas = mine.map((s) => s.meta);
      // The same name in several VPCs (Alibaba): the group in the file's VPC is the one.
      const inVpc = metas.filter((s) => s.vpcId === vpcId);
      const pick =
        metas.find((s) => s.id === g.id) ??
        (inVpc.some((s) => s.name === g.name)
          ? matchOne(inVpc, g, p, at, 'group', takenGroups)
          : matchOne(metas, g, p, at, 'group', takenGroups));
      found = pick && r.groups.get(pick.id);
    }
    matchedGroup.set(g.id, found);
    if (found) takenGroups.add(found.meta.id);
    groupIds.set(g.id, found ? found.meta.id : makeId('sg', g.id));
  });
  const remoteOf = (rule: Rule): Rule['remote'] =>
    rule.remote.kind === 'group'
      ? { kind: 'group', groupId: groupIds.get(rule.remote.groupId) ?? rule.remote.groupId }
      : rule.remote.kind === 'addressGroup'
        ? {
            kind: 'addressGroup',
            addressGroupId: agIds.get(rule.remote.addressGroupId) ?? rule.remote.addressGroupId,
          }
        : rule.remote;

  file.groups.forEach((g, i) => {
    const at = `groups[${i}]`;
    const found = matchedGroup.get(g.id);
    const id = groupIds.get(g.id)!;
    const vpcId = vpcOf(g.vpcId);
    const rules = g.rules.map((rule, k) => ({
      ...rule,
      id: makeId('sgr', `${at}.rules[${k}]`),
      remote: remoteOf(rule),
      createdAt: now,
    }));
    if (!found) {
      const group: SecurityGroup = {
        ...g,
        id,
        regionId: r.region.id,
        vpcId,
        rules,
        createdAt: now,
        updatedAt: now,
        changeCount: rules.length ? 1 : 0,
      };
      m.groups.push({ group, at, created: true, metaChanged: true });
      changes.push({
        kind: 'group',
        action: 'create',
        ref: g.id,
        at: facts.implicitGroups.has(g.id) ? undefined : at,
        name: g.name,
      });
      rules.forEach((rule, k) =>
        changes.push({
          kind: 'rule',
          action: 'create',
          at: `${at}.rules[${k}]`,
          parent: g.id,
          rule: ruleInputOf(rule),
        }),
      );
      return;
    }
    // A default group the file does not describe stays as it is.
    if (facts.implicitGroups.has(g.id)) return;
    const meta = found.meta;
    if (meta.type !== g.type)
      p.add(
        `${at}.type`,
        'INVALID_FIELD',
        `${at}.type: group ${meta.id} is ${meta.type}; a group's type cannot change`,
      );
    if (!traits.groupsSpanVpcs && meta.vpcId !== vpcId)
      p.add(
        `${at}.vpc`,
        'INVALID_FIELD',
        `${at}.vpc: group ${meta.id} is in ${meta.vpcId ?? 'the classic network'}; a group cannot move to another VPC`,
      );
    const fields: string[] = [];
    if (meta.name !== g.name) fields.push('name');
    if (g.description !== undefined && g.description !== meta.description) fields.push('description');
    if (meta.stateful !== g.stateful) fields.push('stateful');
    if (traits.innerAccessPolicy && meta.innerAccessPolicy !== g.innerAccessPolicy)
      fields.push('innerAccessPolicy');
    if (fields.includes('stateful') && found.members.size > 0)
      p.add(
        `${at}.stateful`,
        'GROUP_IN_USE',
        `${at}.stateful: group ${meta.id} has ${found.members.size} member ports; stateful can change only while it has none`,
        { resource: 'group', id: meta.id },
      );
    // Rules: a given stored id first, then the same rule; what is left of the stored ones goes.
    const left = new Map(found.rules);
    const byIdentity = new Map<string, string>();
    for (const s of found.rules.values()) byIdentity.set(ruleIdentity(profile, s.rule), s.rule.id);
    let seq = found.nextSeq;
    const kept: Rule[] = [];
    rules.forEach((rule, k) => {
      const rat = `${at}.rules[${k}]`;
      const given = g.rules[k].id;
      const identity = ruleIdentity(profile, rule);
      const twin = byIdentity.get(identity);
      const stored =
        (given !== undefined ? left.get(given) : undefined) ??
        (twin !== undefined ? left.get(twin) : undefined);
      if (!stored) {
        m.rulePuts.push({ groupId: id, seq: seq++, rule });
        m.rulesChanged.add(id);
        kept.push(rule);
        changes.push({ kind: 'rule', action: 'create', at: rat, parent: id, rule: ruleInputOf(rule) });
        return;
      }
      left.delete(stored.rule.id);
      const next: Rule = { ...rule, id: stored.rule.id };
      if (stored.rule.createdAt !== undefined) next.createdAt = stored.rule.createdAt;
      else delete next.createdAt;
      // A description the file leaves out stays.
      if (g.rules[k].description === undefined && stored.rule.description !== undefined)
        next.description = stored.rule.description;
      kept.push(next);
      if (sameJson(ruleInputOf(next), ruleInputOf(stored.rule))) {
        kept[kept.length - 1] = stored.rule;
        return;
      }
      next.changeCount = (stored.rule.changeCount ?? 0) + 1;
      m.rulePuts.push({ groupId: id, seq: stored.seq, rule: next });
      if (ruleIdentity(profile, next) !== ruleIdentity(profile, stored.rule)) m.rulesChanged.add(id);
      changes.push({
        kind: 'rule',
        action: 'update',
        at: rat,
        id: stored.rule.id,
        parent: id,
        fields: changedRuleFields(stored.rule, next),
        rule: ruleInputOf(next),
      });
    });
    for (const s of left.values()) {
      m.ruleDeletes.push({ groupId: id, id: s.rule.id });
      m.rulesChanged.add(id);
      changes.push({ kind: 'rule', action: 'delete', id: s.rule.id, parent: id, rule: ruleInputOf(s.rule) });
    }
    if (!fields.length && !m.rulesChanged.has(id)) {
      m.groups.push({ group: { ...meta, rules: kept }, at, created: false, metaChanged: false });
      return;
    }
    const group: SecurityGroup = {
      ...meta,
      name: g.name,
      stateful: g.stateful,
      ...(traits.innerAccessPolicy ? { innerAccessPolicy: g.innerAccessPolicy } : {}),
      ...(g.description !== undefined ? { description: g.description } : {}),
      rules: kept,
      updatedAt: now,
      changeCount: (meta.changeCount ?? 0) + 1,
    };
    m.groups.push({ group, at, created: false, metaChanged: true });
    if (fields.length)
      changes.push({ kind: 'group', action: 'update', ref: g.id, at, id: meta.id, name: g.name, fields });
  });
  if (facts.declares.groups)
    for (const s of storedGroups)
      if (tenants.has(s.meta.tenantId) && !takenGroups.has(s.meta.id) && !isDefaultGroup(s.meta)) {
        m.deletedGroups.push(s.meta);
        changes.push({ kind: 'group', action: 'delete', id: s.meta.id, name: s.meta.name });
      }

  return { m, groupIds, vpcOf };
}

function uniqueNames<T extends { name: string }>(
  items: T[],
  kind: string,
  key: (x: T) => string,
  p: Problems,
): void {
  const first = new Map<string, number>();
  items.forEach((x, i) => {
    const k = key(x);
    const earlier = first.get(k);
    if (earlier === undefined) first.set(k, i);
    else
      p.add(
        `${kind}[${i}].name`,
        'DUPLICATE_NAME',
        `${kind}[${i}].name "${x.name}" is also ${kind}[${earlier}]'s: names match stored objects, so they must differ`,
      );
  });
}

const RULE_FIELDS = [
  'direction',
  'ethertype',
  'protocol',
  'ports',
  'sourcePorts',
  'icmpType',
  'icmpCode',
  'remoteIpPrefix',
  'remoteGroup',
  'remoteAddressGroup',
  'action',
  'priority',
  'nicType',
  'description',
] as const;

function changedRuleFields(before: Rule, after: Rule): string[] {
  const a = ruleInputOf(before);
  const b = ruleInputOf(after);
  return RULE_FIELDS.filter((f) => !sameJson(a[f], b[f]));
}
