// Security groups: create (empty, with the profile's starting rules, or from a template),
// clone, rename and describe, delete (refused while in use), list with filters and cursors.
import { isDefaultGroup } from '../../core/defaults.js';
import { makeDefaultGroup } from '../../core/defaults.js';
import type { GroupType, InnerAccessPolicy, Rule, SecurityGroup, Vpc } from '../../core/model.js';
import { materializeRules, newGroupRules, TEMPLATES, TRAITS } from '../../core/profiles.js';
import {
  checkQuota,
  Problems,
  validateGroup,
  validatePlacement,
  validateRuleReferences,
} from '../../core/validate.js';
import { toRule } from '../../core/rule-input.js';
import type { RuleInput } from '../../core/rule-input.js';
import { badRequest, conflict, invalid, notFound } from '../errors.js';
import { type Event, type GroupMeta, groupEvents } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import { compareStrings, paginate } from '../paging.js';
import { quotasFor, tenantRuleCount } from '../quotas.js';
import { positionsOf } from '../rule-order.js';
import { shareDeletions } from './shares.js';
import type { Scope } from '../scope.js';
import { deletion, type Plan, type Principal, type Service, type WriteOptions } from '../service.js';
import { groupView, type RuleView, ruleView } from '../views.js';
import type { GroupRecord, RegionRecord, World } from '../world.js';

export interface GroupInput {
  regionId: string;
  /**
   * null: Alibaba's classic network. Undefined (the Huawei and OpenStack APIs, whose groups
   * belong to no VPC): the tenant's VPC named "default" in the region, else its first, else a
   * "default" VPC created in the same write.
   */
  vpcId?: string | null;
  name: string;
  description?: string;
  type?: GroupType;
  stateful?: boolean;
  innerAccessPolicy?: InnerAccessPolicy;
  /** A template id, "empty" for no rules; absent: the profile's starting rules. */
  template?: string;
  /** Rules added in the same write, after the template's. */
  rules?: RuleInput[];
  tenantId?: string;
  tags?: Record<string, string>;
}

/** A group the scope's principal sees, and its whole region (for the write's own checks). */
export function groupOrThrow(scope: Scope, id: string): { r: RegionRecord; g: GroupRecord } {
  const found = scope.group(id);
  if (!found) throw notFound('group', id);
  return { r: found.r.record, g: found.g };
}

/**
 * A group's document after a write that changed it or its rules: one change more, updated
 * now (Neutron bumps revision_number and updated_at of a group whose rules change). One small
 * row, whatever the number of rules.
 */
export function changedMeta(meta: GroupMeta, at: string): GroupMeta {
  return { ...meta, changeCount: (meta.changeCount ?? 0) + 1, updatedAt: at };
}

function templateRules(
  r: RegionRecord,
  input: NewGroup,
  groupId: string,
  type: GroupType,
  at: string,
): Rule[] {
  const profile = r.region.profile;
  const nextId = () => newId('sgr');
  if (input.template === 'empty') return [];
  if (input.template === undefined)
    return materializeRules(profile, groupId, newGroupRules(profile, type), nextId);
  const template = TEMPLATES.find((t) => t.id === input.template);
  if (!template || !template.profiles.includes(profile))
    throw badRequest(
      'UNKNOWN_TEMPLATE',
      `${at}.template`,
      `${at}.template "${input.template}" is not a template of the ${profile} profile (${TEMPLATES.filter(
        (t) => t.profiles.includes(profile),
      )
        .map((t) => t.id)
        .concat('empty')
        .join(', ')})`,
    );
  return materializeRules(profile, groupId, template.rules, nextId);
}

/** A new group as create and clone answer: the group, its counts and its rules. */
export type NewGroupView = GroupMeta & {
  revision: number;
  ruleCount: number;
  memberCount: number;
  rules: RuleView[];
};

/**
 * The events and checks shared by create, bulk create and clone: new groups with their rules,
 * in one write. `at(i)` is where the request gave the i-th group.
 */
function newGroupsPlan(
  svc: Service,
  w: World,
  r: RegionRecord,
  groups: SecurityGroup[],
  action: string,
  p: Problems,
  newVpcs: Vpc[] = [],
  at: (i: number) => string = () => 'body',
): Plan<NewGroupView[]> {
  const traits = TRAITS[r.region.profile];
  const createdAt = svc.timestamp();
  const lookup = lookupIn(w, r, groups, newVpcs);
  groups.forEach((group, i) => {
    group.createdAt = group.updatedAt = createdAt;
    // Neutron's count: the group is made at 0, and the rules made with it change it once.
    group.changeCount = group.rules.length ? 1 : 0;
    for (const rule of group.rules) {
      rule.createdAt = createdAt;
      delete rule.changeCount;
    }
    validatePlacement(group, lookup, p, at(i));
    validateGroup(group, r.region, p, at(i));
    group.rules.forEach((rule, k) => validateRuleReferences(rule, group, lookup, p, `${at(i)}.rules[${k}]`));
  });
  // One tenant's groups in one region: the quota counts the whole batch.
  const tenantId = groups[0].tenantId;
  const tenantGroups = [...r.groups.values()].filter((g) => g.meta.tenantId === tenantId);
  const q = quotasFor(w, r, tenantId);
  checkQuota(
    q,
    'groupsPerTenant',
    tenantGroups.length + groups.length,
    `security groups of tenant ${tenantId} in ${r.region.id}`,
    p,
    'body',
  );
  checkQuota(
    q,
    'rulesPerTenant',
    tenantRuleCount(r, tenantId) + groups.reduce((n, g) => n + g.rules.length, 0),
    `rules of tenant ${tenantId} in ${r.region.id} (the new groups' included)`,
    p,
    'body.rules',
  );
  let hasDefault = tenantGroups.some((g) => isDefaultGroup(g.meta));
  groups.forEach((group, i) => {
    checkQuota(q, 'rulesPerGroup', group.rules.length, 'rules of the new group', p, `${at(i)}.rules`);
    if (traits.uniqueDefaultName && isDefaultGroup(group)) {
      if (hasDefault)
        p.add(
          `${at(i)}.name`,
          'DEFAULT_GROUP_EXISTS',
          `${at(i)}.name: tenant ${tenantId} already has a group named default`,
        );
      hasDefault = true;
    }
  });
  if (p.list.length) throw invalid(p.list);
  const events: Event[] = [
    ...newVpcs.map((vpc) => ({ op: 'vpc.put' as const, vpc })),
    ...groups.flatMap((g) => groupEvents(r.region.id, g)),
  ];
  return {
    action,
    regionId: r.region.id,
    tenantId,
    targetId: groups.length === 1 ? groups[0].id : null,
    events,
    after: (revision) =>
      groups.map(({ rules, ...meta }) => {
        const positions = positionsOf(
          r.region.profile,
          meta.type,
          rules.map((rule, seq) => ({ rule, seq })),
        );
        return {
          ...meta,
          revision,
          ruleCount: rules.length,
          memberCount: 0,
          rules: rules.map((rule) => ruleView(rule, meta.id, positions.get(rule.id)!, revision)),
        };
      }),
  };
}

/** The same for one group, answering its view. */
function newGroupPlan(
  svc: Service,
  w: World,
  r: RegionRecord,
  group: SecurityGroup,
  action: string,
  extra: Problems,
  newVpcs: Vpc[] = [],
): Plan<NewGroupView> {
  const plan = newGroupsPlan(svc, w, r, [group], action, extra, newVpcs);
  return { ...plan, after: (revision) => plan.after(revision)[0] };
}

/** What one group of a create gives: a group's input without its region and owner. */
export type NewGroup = Omit<GroupInput, 'regionId' | 'tenantId'>;

/** A new group of `input`, its id, rules and VPC chosen; problems of its input go to `problems`. */
function groupFromInput(
  r: RegionRecord,
  tenantId: string,
  input: NewGroup,
  vpcId: string | null,
  problems: Problems,
  at: string,
): SecurityGroup {
  const profile = r.region.profile;
  const type = input.type ?? 'basic';
  if (input.innerAccessPolicy !== undefined && !TRAITS[profile].innerAccessPolicy)
    problems.add(
      `${at}.innerAccessPolicy`,
      'INNER_ACCESS_NOT_SUPPORTED',
      `${at}.innerAccessPolicy exists on the alibaba profile only, not ${profile}`,
    );
  const id = newId('sg');
  const rules = [
    ...templateRules(r, input, id, type, at),
    ...(input.rules ?? []).map((ri, i) => toRule(profile, ri, newId('sgr'), `${at}.rules[${i}]`, problems)),
  ];
  return {
    id,
    tenantId,
    regionId: r.region.id,
    vpcId,
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    type,
    stateful: input.stateful ?? true,
    innerAccessPolicy: input.innerAccessPolicy ?? (type === 'advanced' ? 'Drop' : 'Accept'),
    rules,
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
  };
}

function regionOrThrow(w: World, regionId: string): RegionRecord {
  const r = w.regions.get(regionId);
  if (!r) throw badRequest('UNKNOWN_REGION', 'body.regionId', `body.regionId "${regionId}" does not exist`);
  return r;
}

export function createGroup(svc: Service, p: Principal, input: GroupInput, opts: WriteOptions) {
  return svc.write(p, opts, (w) => {
    const r = regionOrThrow(w, input.regionId);
    const tenantId = svc.tenantFor(p, input.tenantId);
    const problems = new Problems();
    const { vpcId, newVpcs } = placeGroup(r, tenantId, input.vpcId);
    const group = groupFromInput(r, tenantId, input, vpcId, problems, 'body');
    return newGroupPlan(svc, w, r, group, 'group.create', problems, newVpcs);
  });
}

/**
 * Create several groups of one tenant in one region, all or nothing: one write (one
 * transaction, one change-log entry), each group as createGroup makes it (the profile's
 * starting rules included), the group quota counting the whole batch. A problem with any
 * group refuses them all; problems name `body.groups[i]`. Answers { groups: [...] } in the
 * order given.
 */
export function createGroups(
  svc: Service,
  p: Principal,
  batch: { regionId: string; tenantId?: string; groups: NewGroup[] },
  opts: WriteOptions,
) {
  return svc.write(p, opts, (w) => {
    const r = regionOrThrow(w, batch.regionId);
    const tenantId = svc.tenantFor(p, batch.tenantId);
    if (!batch.groups.length)
      throw badRequest('MISSING_FIELD', 'body.groups', 'body.groups must name at least one group');
    const problems = new Problems();
    // A VPC made for the first group that needs one serves the others too.
    const newVpcs: Vpc[] = [];
    const groups = batch.groups.map((input, i) => {
      const place = placeGroup(r, tenantId, input.vpcId, newVpcs);
      newVpcs.push(...place.newVpcs);
      return groupFromInput(r, tenantId, input, place.vpcId, problems, `body.groups[${i}]`);
    });
    const plan = newGroupsPlan(
      svc,
      w,
      r,
      groups,
      'group.batchCreate',
      problems,
      newVpcs,
      (i) => `body.groups[${i}]`,
    );
    return { ...plan, after: (revision) => ({ groups: plan.after(revision) }) };
  });
}

/** The VPC a new group goes into; see GroupInput.vpcId. */
export function placeGroup(
  r: RegionRecord,
  tenantId: string,
  requested: string | null | undefined,
  pending: Vpc[] = [],
): { vpcId: string | null; newVpcs: Vpc[] } {
  if (requested !== undefined) return { vpcId: requested, newVpcs: [] };
  const own = [...r.vpcs.values()]
    .map((v) => v.value)
    .concat(pending)
    .filter((v) => v.tenantId === tenantId);
  const chosen =
    own.find((v) => v.name === 'default') ??
    (TRAITS[r.region.profile].groupsInDefaultVpc ? undefined : own[0]);
  if (chosen) return { vpcId: chosen.id, newVpcs: [] };
  const vpc: Vpc = { id: newId('vpc'), tenantId, regionId: r.region.id, name: 'default' };
  return { vpcId: vpc.id, newVpcs: [vpc] };
}

export function cloneGroup(
  svc: Service,
  p: Principal,
  sourceId: string,
  input: { name: string; vpcId?: string | null; description?: string },
  opts: WriteOptions,
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, sourceId);
    const id = newId('sg');
    const rules = g.ruleList().map((rule) => ({
      ...rule,
      id: newId('sgr'),
      // A rule naming its own group names the clone in the clone.
      remote:
        rule.remote.kind === 'group' && rule.remote.groupId === sourceId
          ? { kind: 'group' as const, groupId: id }
          : rule.remote,
    }));
    const group: SecurityGroup = {
      ...g.meta,
      id,
      name: input.name,
      vpcId: input.vpcId === undefined ? g.meta.vpcId : input.vpcId,
      ...(input.description !== undefined ? { description: input.description } : {}),
      rules,
    };
    return newGroupPlan(svc, w, r, group, 'group.clone', new Problems());
  });
}

export async function getGroup(svc: Service, p: Principal, id: string) {
  const { r, g } = groupOrThrow(await svc.read(p), id);
  return groupView(r.region.profile, g, true);
}

export interface GroupFilter {
  regionId?: string;
  vpcId?: string;
  name?: string;
  /** Alibaba's basic or advanced groups (every other profile's are basic). */
  type?: GroupType;
  tenantId?: string;
  cursor?: string;
  limit?: number;
}

export async function listGroups(svc: Service, p: Principal, q: GroupFilter) {
  const all = (await svc.read(p))
    .regions()
    .filter((r) => q.regionId === undefined || r.id === q.regionId)
    .flatMap((r) =>
      r
        .groups()
        .filter(
          (g) =>
            (q.vpcId === undefined || g.meta.vpcId === q.vpcId) &&
            (q.name === undefined || g.meta.name === q.name) &&
            (q.type === undefined || g.meta.type === q.type) &&
            (q.tenantId === undefined || g.meta.tenantId === q.tenantId),
        )
        .map((g) => groupView(r.region.profile, g, false)),
    )
    .sort((a, b) => compareStrings(a.id, b.id));
  return paginate(all, (g) => g.id, compareStrings, q.cursor, q.limit);
}

export interface GroupPatch {
  name?: string;
  description?: string;
  innerAccessPolicy?: InnerAccessPolicy;
  stateful?: boolean;
  /** Replaces the group's tags. */
  tags?: Record<string, string>;
}

export function updateGroup(
  svc: Service,
  p: Principal,
  id: string,
  patch: GroupPatch,
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, id);
    svc.checkVersion(opts, groupVersion(g), `security group ${id}`);
    const profile = r.region.profile;
    const problems = new Problems();
    if (patch.innerAccessPolicy !== undefined && !TRAITS[profile].innerAccessPolicy)
      problems.add(
        'body.innerAccessPolicy',
        'INNER_ACCESS_NOT_SUPPORTED',
        `body.innerAccessPolicy exists on the alibaba profile only, not ${profile}`,
      );
    if (patch.stateful !== undefined && patch.stateful !== g.meta.stateful && g.members.size > 0)
      throw conflict(
        'GROUP_IN_USE',
        `security group "${id}" has ${g.members.size} member ports: stateful can change only while it has none`,
        { resource: 'group', id },
      );
    const meta: GroupMeta = { ...g.meta };
    if (patch.name !== undefined) meta.name = patch.name;
    if (patch.description !== undefined) meta.description = patch.description;
    if (patch.innerAccessPolicy !== undefined) meta.innerAccessPolicy = patch.innerAccessPolicy;
    if (patch.stateful !== undefined) meta.stateful = patch.stateful;
    if (patch.tags !== undefined) meta.tags = patch.tags;
    // A patch that sets what is already there is no change (Neutron bumps nothing for it).
    const tagsOf = (m: GroupMeta) => JSON.stringify(Object.entries(m.tags ?? {}).sort());
    const changed =
      meta.name !== g.meta.name ||
      meta.description !== g.meta.description ||
      meta.innerAccessPolicy !== g.meta.innerAccessPolicy ||
      meta.stateful !== g.meta.stateful ||
      tagsOf(meta) !== tagsOf(g.meta);
    if (changed) {
      meta.updatedAt = svc.timestamp();
      meta.changeCount = (g.meta.changeCount ?? 0) + 1;
    }
    validateGroup({ ...meta, rules: [] }, r.region, problems, 'body');
    if (
      TRAITS[profile].uniqueDefaultName &&
      isDefaultGroup(meta) &&
      !isDefaultGroup(g.meta) &&
      [...r.groups.values()].some((o) => o.meta.tenantId === meta.tenantId && isDefaultGroup(o.meta))
    )
      problems.add(
        'body.name',
        'DEFAULT_GROUP_EXISTS',
        `body.name: tenant ${meta.tenantId} already has a group named default`,
      );
    if (problems.list.length) throw invalid(problems.list);
    return {
      action: 'group.update',
      regionId: r.region.id,
      tenantId: meta.tenantId,
      targetId: id,
      events: [{ op: 'group.put', group: meta }],
      before: g.meta,
      after: (revision) => ({ ...meta, revision, ruleCount: g.rules.size, memberCount: g.members.size }),
      status: 200,
    };
  });
}

/** What a write's If-Match options are checked against: the group's ETag and its change count. */
export const groupVersion = (g: GroupRecord) => ({
  revision: g.contentRevision,
  changeCount: g.meta.changeCount,
});

/**
 * Events deleting the rules of `groupIds` whose remote satisfies `names` (cascading deletes),
 * each group that loses rules changed once.
 */
export function deletionsOfRulesNaming(
  r: RegionRecord,
  groupIds: string[],
  names: (remote: Rule['remote']) => boolean,
  at: string,
): Event[] {
  return groupIds.flatMap((groupId) => {
    const g = r.groups.get(groupId)!;
    const deletes = g
      .ruleList()
      .filter((rule) => names(rule.remote))
      .map((rule) => ({ op: 'rule.delete' as const, regionId: r.region.id, groupId, id: rule.id }));
    return deletes.length ? [{ op: 'group.put' as const, group: changedMeta(g.meta, at) }, ...deletes] : [];
  });
}

/**
 * Delete a group: refused while ports use it, and while other groups' rules name it unless
 * `cascade` (Neutron's semantics: those rules are deleted in the same write).
 */

export function deleteGroup(
  svc: Service,
  p: Principal,
  id: string,
  opts: WriteOptions & { cascade?: boolean } = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, id);
    svc.checkVersion(opts, groupVersion(g), `security group ${id}`);
    if (g.members.size > 0) {
      // Ports of a tenant the group is shared with count, but are not named to the owner.
      const seen = [...g.members].filter((portId) => scope.port(portId)).slice(0, 100);
      const named = seen.slice(0, 5);
      throw conflict(
        'GROUP_IN_USE',
        `security group "${id}" is in use by ${g.members.size} port(s)${named.length ? ` (${named.join(', ')})` : ''}; remove them from the group first`,
        { resource: 'group', id, ports: seen },
      );
    }
    const referencing = r.groupsReferencing(id).filter((other) => scope.group(other) !== undefined);
    // Another tenant's rules (through a share) are not the owner's to delete, even in a cascade.
    if (referencing.length < r.groupsReferencing(id).length)
      throw conflict(
        'GROUP_IN_USE',
        `security group "${id}" is shared and another tenant's rules name it; they must go first`,
        { resource: 'group', id },
      );
    if (referencing.length && !opts.cascade)
      throw conflict(
        'GROUP_REFERENCED',
        `security group "${id}" is referenced by rules of ${referencing.slice(0, 5).join(', ')}; delete those rules first`,
        { resource: 'group', id, referencedBy: referencing },
      );
    const ruleDeletes = deletionsOfRulesNaming(
      r,
      referencing,
      (remote) => remote.kind === 'group' && remote.groupId === id,
      svc.timestamp(),
    );
    const owner = { regionId: r.region.id, tenantId: g.meta.tenantId };
    const plan = deletion(
      'group.delete',
      owner,
      id,
      { op: 'group.delete', regionId: r.region.id, id },
      g.toGroup(),
    );
    return { ...plan, events: [...ruleDeletes, ...shareDeletions(w, id), ...plan.events] };
  });
}

/** Groups whose rules reference this group (Alibaba's DescribeSecurityGroupReferences). */
export async function groupReferences(svc: Service, p: Principal, id: string) {
  const scope = await svc.read(p);
  const found = scope.group(id);
  if (!found) throw notFound('group', id);
  // Another tenant's referencing group (through a share) stays unseen.
  return { groupId: id, referencedBy: found.r.groupsReferencing(id) };
}

/**
 * The tenant's group named "default" in a region, made unless it exists (OpenStack: on the
 * project's first look at its groups), with the profile's default-group rules, in the VPC
 * createGroup would pick (placeGroup), made in the same write if needed. Over the group quota
 * nothing is made. Answers the group's id, or null.
 */
export function ensureDefaultGroup(
  svc: Service,
  p: Principal,
  input: { regionId: string; tenantId?: string },
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w) => {
    const r = w.regions.get(input.regionId);
    if (!r)
      throw badRequest('UNKNOWN_REGION', 'body.regionId', `body.regionId "${input.regionId}" does not exist`);
    const tenantId = svc.tenantFor(p, input.tenantId);
    const own = [...r.groups.values()].filter((g) => g.meta.tenantId === tenantId);
    const events: Event[] = [];
    const plan = (targetId: string | null) => ({
      action: 'group.ensureDefault',
      regionId: r.region.id,
      tenantId,
      targetId,
      events,
      after: () => ({ groupId: targetId }),
      status: events.length ? 201 : 200,
    });
    const existing = own.find((g) => isDefaultGroup(g.meta));
    if (existing) return plan(existing.meta.id);
    const q = quotasFor(w, r, tenantId);
    if (q.groupsPerTenant > 0 && own.length + 1 > q.groupsPerTenant) return plan(null);
    const { vpcId, newVpcs } = placeGroup(r, tenantId, undefined);
    const id = newId('sg');
    const { rules, ...meta } = makeDefaultGroup(r.region.profile, r.region.id, tenantId, vpcId, id);
    if (q.rulesPerTenant > 0 && tenantRuleCount(r, tenantId) + rules.length > q.rulesPerTenant)
      return plan(null);
    events.push(...newVpcs.map((vpc) => ({ op: 'vpc.put' as const, vpc })));
    const createdAt = svc.timestamp();
    events.push({
      op: 'group.put',
      group: { ...meta, createdAt, updatedAt: createdAt, changeCount: rules.length ? 1 : 0 },
    });
    rules.forEach((rule, seq) =>
      events.push({
        op: 'rule.put',
        regionId: r.region.id,
        groupId: id,
        seq,
        rule: { ...rule, id: newId('sgr'), createdAt },
      }),
    );
    return plan(id);
  });
}
