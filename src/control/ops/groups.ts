// Security groups: create (empty, with the profile's starting rules, or from a template),
// clone, rename and describe, delete (refused while in use), list with filters and cursors.
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
import { toRule } from '../../policy/load.js';
import type { RuleInput } from '../../policy/schema.js';
import { badRequest, conflict, invalid, notFound } from '../errors.js';
import type { Event, GroupMeta } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import { compareStrings, paginate } from '../paging.js';
import { quotasFor, tenantRuleCount } from '../quotas.js';
import { positionsOf } from '../rule-order.js';
import type { Scope } from '../scope.js';
import { deletion, type Plan, type Principal, type Service, type WriteOptions } from '../service.js';
import { groupView, ruleView } from '../views.js';
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

function templateRules(r: RegionRecord, input: GroupInput, groupId: string, type: GroupType): Rule[] {
  const profile = r.region.profile;
  const nextId = () => newId('sgr');
  if (input.template === 'empty') return [];
  if (input.template === undefined)
    return materializeRules(profile, groupId, newGroupRules(profile, type), nextId);
  const template = TEMPLATES.find((t) => t.id === input.template);
  if (!template || !template.profiles.includes(profile))
    throw badRequest(
      'UNKNOWN_TEMPLATE',
      'body.template',
      `body.template "${input.template}" is not a template of the ${profile} profile (${TEMPLATES.filter(
        (t) => t.profiles.includes(profile),
      )
        .map((t) => t.id)
        .concat('empty')
        .join(', ')})`,
    );
  return materializeRules(profile, groupId, template.rules, nextId);
}

/** The events and checks shared by create and clone: a new group with its rules. */
function newGroupPlan(
  svc: Service,
  w: World,
  r: RegionRecord,
  group: SecurityGroup,
  action: string,
  extra: Problems,
  newVpcs: Vpc[] = [],
): Plan<unknown> {
  const p = extra;
  const traits = TRAITS[r.region.profile];
  group.createdAt = group.updatedAt = svc.timestamp();
  for (const rule of group.rules) rule.createdAt = group.createdAt;
  const lookup = lookupIn(w, r, [group], newVpcs);
  validatePlacement(group, lookup, p, 'body');
  validateGroup(group, r.region, p, 'body');
  group.rules.forEach((rule, i) => validateRuleReferences(rule, group, lookup, p, `body.rules[${i}]`));
  const tenantGroups = [...r.groups.values()].filter((g) => g.meta.tenantId === group.tenantId);
  const q = quotasFor(w, r, group.tenantId);
  checkQuota(
    q,
    'groupsPerTenant',
    tenantGroups.length + 1,
    `security groups of tenant ${group.tenantId} in ${r.region.id}`,
    p,
    'body',
  );
  checkQuota(q, 'rulesPerGroup', group.rules.length, 'rules of the new group', p, 'body.rules');
  checkQuota(
    q,
    'rulesPerTenant',
    tenantRuleCount(r, group.tenantId) + group.rules.length,
    `rules of tenant ${group.tenantId} in ${r.region.id} (the new group's included)`,
    p,
    'body.rules',
  );
  if (
    traits.uniqueDefaultName &&
    group.name === 'default' &&
    tenantGroups.some((g) => g.meta.name === 'default')
  )
    p.add(
      'body.name',
      'DEFAULT_GROUP_EXISTS',
      `body.name: tenant ${group.tenantId} already has a group named default`,
    );
  if (p.list.length) throw invalid(p.list);
  const { rules, ...meta } = group;
  const events: Event[] = [
    ...newVpcs.map((vpc) => ({ op: 'vpc.put' as const, vpc })),
    { op: 'group.put', group: meta },
    ...rules.map((rule, seq) => ({
      op: 'rule.put' as const,
      regionId: r.region.id,
      groupId: group.id,
      seq,
      rule,
    })),
  ];
  const positions = positionsOf(
    r.region.profile,
    group.type,
    rules.map((rule, seq) => ({ rule, seq })),
  );
  return {
    action,
    regionId: r.region.id,
    tenantId: group.tenantId,
    targetId: group.id,
    events,
    after: (revision) => ({
      ...meta,
      revision,
      ruleCount: rules.length,
      memberCount: 0,
      rules: rules.map((rule) => ruleView(rule, group.id, positions.get(rule.id)!, revision)),
    }),
  };
}

export function createGroup(svc: Service, p: Principal, input: GroupInput, opts: WriteOptions) {
  return svc.write(p, opts, (w) => {
    const r = w.regions.get(input.regionId);
    if (!r)
      throw badRequest('UNKNOWN_REGION', 'body.regionId', `body.regionId "${input.regionId}" does not exist`);
    const tenantId = svc.tenantFor(p, input.tenantId);
    const profile = r.region.profile;
    const type = input.type ?? 'basic';
    const problems = new Problems();
    if (input.innerAccessPolicy !== undefined && !TRAITS[profile].innerAccessPolicy)
      problems.add(
        'body.innerAccessPolicy',
        'INNER_ACCESS_NOT_SUPPORTED',
        `body.innerAccessPolicy exists on the alibaba profile only, not ${profile}`,
      );
    const { vpcId, newVpcs } = placeGroup(r, tenantId, input.vpcId);
    const id = newId('sg');
    const rules = [
      ...templateRules(r, input, id, type),
      ...(input.rules ?? []).map((ri, i) => toRule(profile, ri, newId('sgr'), `body.rules[${i}]`, problems)),
    ];
    const group: SecurityGroup = {
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
    return newGroupPlan(svc, w, r, group, 'group.create', problems, newVpcs);
  });
}

/** The VPC a new group goes into; see GroupInput.vpcId. */
function placeGroup(
  r: RegionRecord,
  tenantId: string,
  requested: string | null | undefined,
): { vpcId: string | null; newVpcs: Vpc[] } {
  if (requested !== undefined) return { vpcId: requested, newVpcs: [] };
  const own = [...r.vpcs.values()].map((v) => v.value).filter((v) => v.tenantId === tenantId);
  const chosen = own.find((v) => v.name === 'default') ?? own[0];
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
    svc.checkRevision(opts.ifMatch, g.contentRevision, `security group ${id}`);
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
    meta.updatedAt = svc.timestamp();
    validateGroup({ ...meta, rules: [] }, r.region, problems, 'body');
    if (
      TRAITS[profile].uniqueDefaultName &&
      meta.name === 'default' &&
      g.meta.name !== 'default' &&
      [...r.groups.values()].some((o) => o.meta.tenantId === meta.tenantId && o.meta.name === 'default')
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

/**
 * Delete a group: refused while ports use it, and while other groups' rules name it unless
 * `cascade` (Neutron's semantics: those rules are deleted in the same write).
 */
/** Events deleting the rules of `groupIds` whose remote satisfies `names` (cascading deletes). */
export function deletionsOfRulesNaming(
  r: RegionRecord,
  groupIds: string[],
  names: (remote: Rule['remote']) => boolean,
): Event[] {
  return groupIds.flatMap((groupId) =>
    r.groups
      .get(groupId)!
      .ruleList()
      .filter((rule) => names(rule.remote))
      .map((rule) => ({ op: 'rule.delete' as const, regionId: r.region.id, groupId, id: rule.id })),
  );
}

export function deleteGroup(
  svc: Service,
  p: Principal,
  id: string,
  opts: WriteOptions & { cascade?: boolean } = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, g.contentRevision, `security group ${id}`);
    if (g.members.size > 0)
      throw conflict(
        'GROUP_IN_USE',
        `security group "${id}" is in use by ${g.members.size} port(s) (${[...g.members].slice(0, 5).join(', ')}); remove them from the group first`,
        { resource: 'group', id },
      );
    const referencing = r.groupsReferencing(id);
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
    );
    const owner = { regionId: r.region.id, tenantId: g.meta.tenantId };
    const plan = deletion(
      'group.delete',
      owner,
      id,
      { op: 'group.delete', regionId: r.region.id, id },
      g.toGroup(),
    );
    return { ...plan, events: [...ruleDeletes, ...plan.events] };
  });
}

/** Groups whose rules reference this group (Alibaba's DescribeSecurityGroupReferences). */
export async function groupReferences(svc: Service, p: Principal, id: string) {
  const scope = await svc.read(p);
  const found = scope.group(id);
  if (!found) throw notFound('group', id);
  // Another tenant's referencing group stays unseen (it cannot exist today: rules name own groups).
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
    const existing = own.find((g) => g.meta.name === 'default');
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
    events.push({ op: 'group.put', group: { ...meta, createdAt, updatedAt: createdAt } });
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
