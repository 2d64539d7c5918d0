// Rules: add one or a batch (all or nothing), modify, delete, list in evaluation order.
import type { Rule } from '../../core/model.js';
import { TRAITS } from '../../core/profiles.js';
import {
  checkQuota,
  Problems,
  ruleIdentity,
  validateRule,
  validateRuleReferences,
} from '../../core/validate.js';
import { toRule } from '../../policy/load.js';
import type { RuleInput } from '../../policy/schema.js';
import { badRequest, invalid, notFound } from '../errors.js';
import type { Event } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import { compareTuples, paginate } from '../paging.js';
import { orderedRules, positionAmong, positionOfNew, positionsOf } from '../rule-order.js';
import type { Scope } from '../scope.js';
import type { Principal, Service, WriteOptions } from '../service.js';
import { ruleInputOf, ruleView } from '../views.js';
import { quotasFor, tenantRuleCount } from '../quotas.js';
import type { GroupRecord, RegionRecord, World } from '../world.js';
import { groupOrThrow } from './groups.js';

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
  checkQuota(
    q,
    'rulesPerTenant',
    tenantRuleCount(r, g.meta.tenantId) - g.rules.size + count,
    `rules of tenant ${g.meta.tenantId} in ${r.region.id}`,
    p,
    'body',
  );
  if (r.region.profile === 'alibaba' && g.meta.type === 'basic')
    checkQuota(
      q,
      'groupReferenceRulesPerGroup',
      rules().filter((x) => x.remote.kind === 'group').length,
      `group-reference rules of ${g.meta.id}`,
      p,
      'body',
    );
  for (const portId of g.members) {
    const located = r.ports.get(portId);
    const owner = located && r.instances.get(located.instanceId)?.value.tenantId;
    const pq = owner === undefined ? q : quotasFor(w, r, owner);
    if (pq.rulesPerPort <= 0) continue;
    const total = (located?.port.groupIds ?? []).reduce(
      (n, id) => n + (id === g.meta.id ? count : (r.groups.get(id)?.rules.size ?? 0)),
      0,
    );
    checkQuota(pq, 'rulesPerPort', total, `rules over the groups of port ${portId}`, p, 'body');
    if (p.list.length) return;
  }
}

export function addRules(
  svc: Service,
  p: Principal,
  groupId: string,
  inputs: RuleInput[],
  opts: WriteOptions & { single?: boolean },
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, groupId);
    svc.checkRevision(opts.ifMatch, g.contentRevision, `security group ${groupId}`);
    const profile = r.region.profile;
    const traits = TRAITS[profile];
    const lookup = lookupIn(w, r);
    const problems = new Problems();
    const at = (i: number) => (opts.single ? 'body' : `body.rules[${i}]`);
    const batch = new Map<string, string>();
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
      const identity = ruleIdentity(rule);
      const existing = g.identities.get(identity) ?? batch.get(identity);
      if (existing !== undefined) {
        if (traits.duplicateRuleIsConflict)
          problems.add(at(i), 'DUPLICATE_RULE', `${at(i)} is the same rule as ${existing} of ${groupId}`, {
            existingRuleId: existing,
          });
        answers.push(existing);
        return;
      }
      batch.set(identity, rule.id);
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
    const fresh = added.map((rule, k) => ({ rule, seq: seq0 + k }));
    return {
      action: opts.single ? 'rule.create' : 'rule.batchCreate',
      regionId: r.region.id,
      tenantId: g.meta.tenantId,
      targetId: opts.single ? (answers[0] ?? groupId) : groupId,
      events,
      after: (revision) => {
        // One new rule: its place from the group's counts per rank, no sort and no scan.
        if (opts.single && fresh.length === 1)
          return ruleView(fresh[0].rule, groupId, positionOfNew(profile, g, fresh[0].rule), revision);
        const all = [...g.rules.values(), ...fresh];
        const byId = new Map(all.map((x) => [x.rule.id, x]));
        const positions = positionsOf(profile, g.meta.type, all);
        const views = answers.map((id) =>
          ruleView(byId.get(id)!.rule, groupId, positions.get(id)!, g.rules.get(id)?.revision ?? revision),
        );
        return opts.single ? views[0] : { rules: views };
      },
      status: added.length ? 201 : 200,
    };
  });
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
    svc.checkRevision(opts.ifMatch, stored.revision, `rule ${ruleId}`);
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
    const twin = g.identities.get(ruleIdentity(rule));
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
    return {
      action: 'rule.update',
      regionId: r.region.id,
      tenantId: g.meta.tenantId,
      targetId: ruleId,
      events: [{ op: 'rule.put', regionId: r.region.id, groupId, seq: stored.seq, rule }],
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
    svc.checkRevision(
      opts.ifMatch,
      single ? g.rules.get(ruleIds[0])!.revision : g.contentRevision,
      single ? `rule ${ruleIds[0]}` : `security group ${groupId}`,
    );
    const unique = [...new Set(ruleIds)];
    return {
      action: single ? 'rule.delete' : 'rule.batchDelete',
      regionId: r.region.id,
      tenantId: g.meta.tenantId,
      targetId: single ? ruleIds[0] : groupId,
      events: unique.map((id) => ({ op: 'rule.delete' as const, regionId: r.region.id, groupId, id })),
      before: unique.map((id) => ruleInputOf(g.rules.get(id)!.rule)),
      after: () => null,
      status: 204,
    };
  });
}
