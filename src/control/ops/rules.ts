// Rules: add one or a batch (all or nothing), modify, delete, list in evaluation order.
import type { Profile, Rule } from '../../core/model.js';
import { TRAITS } from '../../core/profiles.js';
import {
  checkQuota,
  Problems,
  ruleIdentity,
  validateRule,
  validateRuleReferences,
} from '../../core/validate.js';
import { toRule } from '../../core/rule-input.js';
import type { RuleInput } from '../../core/rule-input.js';
import { badRequest, invalid, notFound } from '../errors.js';
import type { Event } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import { compareTuples, paginate } from '../paging.js';
import { orderedRules, positionAmong, positionOfNew, positionsOf } from '../rule-order.js';
import type { Scope } from '../scope.js';
import type { Plan, Principal, Service, WriteOptions } from '../service.js';
import { quotasFor, tenantRuleCount } from '../quotas.js';
import { ruleInputOf, type RuleView, ruleView } from '../views.js';
import type { GroupRecord, RegionRecord, StoredRule, World } from '../world.js';
import { changedMeta, groupOrThrow, groupVersion } from './groups.js';

/** What a write's If-Match options are checked against for one rule. */
const ruleVersion = (stored: StoredRule) => ({
  revision: stored.revision,
  changeCount: stored.rule.changeCount,
});

/**
 * Quotas a group's rule count touches: per group, per tenant, group references (Alibaba), per
 * port (each port's tenant's quota).
 */
function checkRuleQuotas(
  w: World,
  r: RegionRecord,
  g: GroupRecord,
  rules: () => Rule[],
  count: number,
  p: Problems,
): void {
  const q = quotasFor(w, r, g.meta.tenantId);
  checkQuota(q, 'rulesPerGroup', count, `rules of ${g.meta.id} (a multi-port rule counts once)`, p, 'body');
  // Counted only where the quota is set: the count walks the region's groups.
  if (q.rulesPerTenant > 0)
    checkQuota(
      q,
      'rulesPerTenant',
      tenantRuleCount(r, g.meta.tenantId) - g.rules.size + count,
      `rules of tenant ${g.meta.tenantId} in ${r.region.id}`,
      p,
      'body',
    );
  // Basic groups only (001); a profile without the limit has the quota 0, and then the group's
  // rules are not even counted (a create's cost must not grow with the group).
  if (g.meta.type === 'basic' && q.groupReferenceRulesPerGroup > 0)
    checkQuota(
      q,
      'groupReferenceRulesPerGroup',
      rules().filter((x) => x.remote.kind === 'group').length,
      `group-reference rules of ${g.meta.id}`,
      p,
      'body',
    );
  for (const portId of g.members) {
    const at = r.ports.get(portId);
    // Each port counts against its own tenant's quota (a port of a tenant the group is shared
    // with counts too, but is not named to the owner).
    const owner = at && r.instances.get(at.instanceId)?.value.tenantId;
    const pq = owner === undefined ? q : quotasFor(w, r, owner);
    if (pq.rulesPerPort <= 0) continue;
    const total = (at?.port.groupIds ?? []).reduce(
      (n, id) => n + (id === g.meta.id ? count : (r.groups.get(id)?.rules.size ?? 0)),
      0,
    );
    const what = owner === g.meta.tenantId ? `port ${portId}` : 'a port of a tenant the group is shared with';
    checkQuota(pq, 'rulesPerPort', total, `rules over the groups of ${what}`, p, 'body');
    if (p.list.length) return;
  }
}

export interface AddOptions extends WriteOptions {
  /** Inputs that repeat an existing rule are dropped instead of refused (Huawei's ignore_duplicate). */
  skipExisting?: boolean;
}

/** One rule (the request body is the rule): its view. */
export function addRule(svc: Service, p: Principal, groupId: string, input: RuleInput, opts: AddOptions) {
  return svc.write(p, opts, (w, scope): Plan<RuleView> => {
    const plan = planAdd(svc, w, scope, groupId, [input], opts, true);
    return { ...plan, after: (revision) => plan.after(revision).rules[0] };
  });
}

/** A batch, all or nothing: the views of the rules that answer for the inputs, in order. */
export function addRules(svc: Service, p: Principal, groupId: string, inputs: RuleInput[], opts: AddOptions) {
  return svc.write(p, opts, (w, scope) => planAdd(svc, w, scope, groupId, inputs, opts, false));
}

/** The duplicate key of a rule as written: a request that names one rule twice has two equal keys. */
export function inputIdentity(profile: Profile, input: RuleInput): string {
  return ruleIdentity(profile, toRule(profile, input, '', '', new Problems()));
}

/**
 * The id of the group's rule that is the same rule as `input` (ruleIdentity under the region's
 * profile), if there is one: how a front end finds a rule named by its fields (Alibaba's revoke).
 */
export function sameRuleAs(g: GroupRecord, input: RuleInput): string | undefined {
  return g.identities.get(inputIdentity(g.profile, input));
}

function planAdd(
  svc: Service,
  w: World,
  scope: Scope,
  groupId: string,
  inputs: RuleInput[],
  opts: AddOptions,
  single: boolean,
): Plan<{ rules: RuleView[] }> {
  const { r, g } = groupOrThrow(scope, groupId);
  svc.checkVersion(opts, groupVersion(g), `security group ${groupId}`);
  const profile = r.region.profile;
  const traits = TRAITS[profile];
  const lookup = lookupIn(w, r);
  const problems = new Problems();
  const at = (i: number) => (single ? 'body' : `body.rules[${i}]`);
  /** identity → index of the input that first had it. */
  const batch = new Map<string, number>();
  const added: Rule[] = [];
  /** Alibaba accepts an identical rule as a no-op: the existing rule answers for it. */
  const answers: string[] = [];
  const createdAt = svc.timestamp();
  const group = { ...g.meta, rules: [] };
  inputs.forEach((input, i) => {
    if (input.id !== undefined)
      problems.add(`${at(i)}.id`, 'READ_ONLY_FIELD', `${at(i)}.id is assigned by the server`);
    // Set in place: a copy by spread made every rule object slower to use (V8 shapes).
    const rule = toRule(profile, input, newId('sgr'), at(i), problems);
    rule.createdAt = createdAt;
    validateRule(rule, group, profile, problems, at(i));
    validateRuleReferences(rule, g.meta, lookup, problems, at(i));
    const identity = ruleIdentity(profile, rule);
    const existing = g.identities.get(identity);
    const earlier = batch.get(identity);
    if (existing !== undefined && opts.skipExisting) return;
    if (existing !== undefined || earlier !== undefined) {
      if (traits.duplicateRuleIsConflict)
        problems.add(
          at(i),
          'DUPLICATE_RULE',
          existing !== undefined
            ? `${at(i)} is the same rule as ${existing} of ${groupId}`
            : `${at(i)} is the same rule as ${at(earlier!)}`,
          existing !== undefined ? { existingRuleId: existing } : { sameAsEntry: earlier },
        );
      answers.push(existing ?? answers[earlier!]);
      return;
    }
    batch.set(identity, answers.length);
    added.push(rule);
    answers.push(rule.id);
  });
  if (!problems.list.length)
    checkRuleQuotas(w, r, g, () => [...g.ruleList(), ...added], g.rules.size + added.length, problems);
  if (problems.list.length) throw invalid(problems.list);

  const seq0 = g.nextSeq;
  const events: Event[] = added.map((rule, k) => ({
    op: 'rule.put',
    regionId: r.region.id,
    groupId,
    seq: seq0 + k,
    rule,
  }));
  // New rules change their group once, however many (Neutron bumps it once per request).
  if (added.length) events.push({ op: 'group.put', group: changedMeta(g.meta, createdAt) });
  const fresh = added.map((rule, k) => ({ rule, seq: seq0 + k }));
  return {
    action: single ? 'rule.create' : 'rule.batchCreate',
    regionId: r.region.id,
    tenantId: g.meta.tenantId,
    targetId: single ? (answers[0] ?? groupId) : groupId,
    events,
    after: (revision) => {
      // One new rule: its place from the group's counts per rank, no sort and no scan.
      if (answers.length === 1 && fresh.length === 1) {
        const rule = fresh[0].rule;
        return { rules: [ruleView(rule, groupId, positionOfNew(profile, g, rule), revision)] };
      }
      const all = [...g.rules.values(), ...fresh];
      const byId = new Map(all.map((x) => [x.rule.id, x]));
      const positions = positionsOf(profile, g.meta.type, all);
      const views = answers.map((id) =>
        ruleView(byId.get(id)!.rule, groupId, positions.get(id)!, g.rules.get(id)?.revision ?? revision),
      );
      return { rules: views };
    },
    status: added.length ? 201 : 200,
  };
}

function ruleOrThrow(scope: Scope, groupId: string, ruleId: string) {
  const { r, g } = groupOrThrow(scope, groupId);
  const stored = g.rules.get(ruleId);
  if (!stored) throw notFound('rule', ruleId, `rule of security group ${groupId}`);
  return { r, g, stored };
}

export async function getRule(svc: Service, p: Principal, groupId: string, ruleId: string) {
  const { r, g, stored } = ruleOrThrow(await svc.read(p), groupId, ruleId);
  const position = positionAmong(r.region.profile, g.meta.type, g.rules.values(), stored);
  return ruleView(stored.rule, groupId, position, stored.revision);
}

export interface RuleListQuery {
  direction?: 'ingress' | 'egress';
  cursor?: string;
  limit?: number;
}

export async function listRules(svc: Service, p: Principal, groupId: string, q: RuleListQuery) {
  const { r, g } = groupOrThrow(await svc.read(p), groupId);
  let ordered = orderedRules(r.region.profile, g);
  if (q.direction) ordered = ordered.filter((o) => o.stored.rule.direction === q.direction);
  const page = paginate(ordered, (o) => o.key, compareTuples, q.cursor, q.limit);
  return {
    items: page.items.map((o) => ruleView(o.stored.rule, groupId, o.position, o.stored.revision)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** Fields of a rule a PATCH may set: any input field; the remote fields replace the remote. */
export function modifyRule(
  svc: Service,
  p: Principal,
  groupId: string,
  ruleId: string,
  patch: Partial<RuleInput>,
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g, stored } = ruleOrThrow(scope, groupId, ruleId);
    svc.checkVersion(opts, ruleVersion(stored), `rule ${ruleId}`);
    if (patch.id !== undefined && patch.id !== ruleId)
      throw badRequest('READ_ONLY_FIELD', 'body.id', 'body.id is assigned by the server and cannot change');
    const profile = r.region.profile;
    const base: Record<string, unknown> = { ...ruleInputOf(stored.rule) };
    const remoteKeys = ['remoteIpPrefix', 'remoteGroup', 'remoteAddressGroup'] as const;
    if (remoteKeys.some((k) => patch[k] !== undefined)) for (const k of remoteKeys) delete base[k];
    // A new protocol drops fields that belonged to the old one unless the patch restates them.
    if (patch.protocol !== undefined)
      for (const k of ['ports', 'sourcePorts', 'icmpType', 'icmpCode']) delete base[k];
    const input = { ...base, ...patch } as RuleInput;
    const problems = new Problems();
    const rule = toRule(profile, input, ruleId, 'body', problems);
    if (stored.rule.createdAt !== undefined) rule.createdAt = stored.rule.createdAt;
    validateRule(rule, { ...g.meta, rules: [] }, profile, problems, 'body');
    validateRuleReferences(rule, g.meta, lookupIn(w, r), problems, 'body');
    const twin = g.identities.get(ruleIdentity(profile, rule));
    if (twin !== undefined && twin !== ruleId && TRAITS[profile].duplicateRuleIsConflict)
      problems.add('body', 'DUPLICATE_RULE', `body: the modified rule would be the same rule as ${twin}`, {
        existingRuleId: twin,
      });
    if (!problems.list.length)
      checkRuleQuotas(
        w,
        r,
        g,
        () => g.ruleList().map((x) => (x.id === ruleId ? rule : x)),
        g.rules.size,
        problems,
      );
    if (problems.list.length) throw invalid(problems.list);
    const next = { rule, seq: stored.seq };
    const events: Event[] = [{ op: 'rule.put', regionId: r.region.id, groupId, seq: stored.seq, rule }];
    // The rule counts a change that changed anything; its group, one that changed what it matches
    // (Neutron: a new description bumps the rule alone).
    const changed = JSON.stringify(ruleInputOf(rule)) !== JSON.stringify(ruleInputOf(stored.rule));
    rule.changeCount = (stored.rule.changeCount ?? 0) + (changed ? 1 : 0);
    if (ruleIdentity(profile, rule) !== ruleIdentity(profile, stored.rule))
      events.push({ op: 'group.put', group: changedMeta(g.meta, svc.timestamp()) });
    return {
      action: 'rule.update',
      regionId: r.region.id,
      tenantId: g.meta.tenantId,
      targetId: ruleId,
      events,
      before: ruleInputOf(stored.rule),
      // positionAmong skips the rule's own (old) entry and places the new one.
      after: (revision) =>
        ruleView(rule, groupId, positionAmong(profile, g.meta.type, g.rules.values(), next), revision),
      status: 200,
    };
  });
}

export function deleteRules(
  svc: Service,
  p: Principal,
  groupId: string,
  ruleIds: string[],
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, groupId);
    for (const id of ruleIds)
      if (!g.rules.has(id)) throw notFound('rule', id, `rule of security group ${groupId}`);
    const single = ruleIds.length === 1;
    svc.checkVersion(
      opts,
      single ? ruleVersion(g.rules.get(ruleIds[0])!) : groupVersion(g),
      single ? `rule ${ruleIds[0]}` : `security group ${groupId}`,
    );
    const unique = [...new Set(ruleIds)];
    const events: Event[] = [
      ...unique.map((id) => ({ op: 'rule.delete' as const, regionId: r.region.id, groupId, id })),
      { op: 'group.put', group: changedMeta(g.meta, svc.timestamp()) },
    ];
    return {
      action: single ? 'rule.delete' : 'rule.batchDelete',
      regionId: r.region.id,
      tenantId: g.meta.tenantId,
      targetId: single ? ruleIds[0] : groupId,
      events,
      before: unique.map((id) => ruleInputOf(g.rules.get(id)!.rule)),
      after: () => null,
      status: 204,
    };
  });
}
