// Analysis of one group (issue 13 items 2 and 10): its rule findings over every port that holds
// it, and its compaction — a smaller rule set proven to decide every packet the same, answered,
// or written in one write. The group must be the caller's (operators: any). Ports of tenants the
// group is shared with are counted, not named.
import { type Compaction, compactGroup } from '../../core/analysis/compact.js';
import { groupFindings } from '../../core/analysis/group-findings.js';
import type { Rule } from '../../core/model.js';
import { RegionIndex } from '../../core/region-index.js';
import { Problems, validateRule, validateRuleReferences } from '../../core/validate.js';
import { invalid } from '../errors.js';
import type { Event } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import type { Scope } from '../scope.js';
import type { Principal, Service, WriteOptions } from '../service.js';
import { ruleInputOf } from '../views.js';
import { changedMeta, groupOrThrow, groupVersion } from './groups.js';

/** Whether the caller may see a port's id: its own (operators: any). */
const seesPort = (scope: Scope) => (portId: string) => scope.port(portId) !== undefined;

export async function groupFindingsOf(svc: Service, p: Principal, groupId: string) {
  const scope = await svc.read(p);
  const { r } = groupOrThrow(scope, groupId);
  const state = svc.world.regionState(r.region.id)!;
  const { members, findings } = groupFindings(new RegionIndex(state), groupId);
  const sees = seesPort(scope);
  const shown = (ports: string[]) => ({
    ports: ports.filter(sees),
    otherTenantsPorts: ports.filter((x) => !sees(x)).length,
  });
  return {
    groupId,
    revision: scope.revision,
    members: shown(members),
    findings: findings.map((f) => ({ ...f, ...shown(f.ports) })),
  };
}

const proposed = (rule: Rule) => ({ id: rule.id, ...ruleInputOf(rule) });

function compactionView(c: Compaction, scope: Scope, revision: number, applied: boolean) {
  const sees = seesPort(scope);
  return {
    groupId: c.groupId,
    revision,
    applied,
    outcome: c.outcome,
    counts: c.counts,
    rules: c.rules.map(proposed),
    removed: c.reasons,
    added: c.added.map((a) => ({ rule: proposed(a.rule), from: a.from })),
    proof: {
      equivalent: c.proof.every((x) => x.equivalent),
      checks: c.proof.map((x) => ({
        ...x,
        portId: x.alone ? '(the group alone)' : sees(x.portId) ? x.portId : '(a port of another tenant)',
      })),
    },
  };
}

/** The proposal only: nothing is written. */
export async function proposeCompaction(svc: Service, p: Principal, groupId: string) {
  const scope = await svc.read(p);
  const { r } = groupOrThrow(scope, groupId);
  const c = compactGroup(svc.world.regionState(r.region.id)!, groupId);
  return compactionView(c, scope, scope.revision, false);
}

/**
 * Compute the compaction on the world the write sees and write it in one write: the rules it
 * removes deleted, the merged rules added with ids of their own. The rule count only shrinks
 * and a merge never names a remote another rule did not, so no quota can be exceeded; the new
 * rules are still validated as any rule is. Nothing to compact: nothing is written.
 */
export function applyCompaction(svc: Service, p: Principal, groupId: string, opts: WriteOptions) {
  return svc.write(p, opts, (w, scope) => {
    const { r, g } = groupOrThrow(scope, groupId);
    svc.checkVersion(opts, groupVersion(g), `security group ${groupId}`);
    const c = compactGroup(w.regionState(r.region.id)!, groupId);
    if (c.outcome === 'unchanged' || !c.proof.every((x) => x.equivalent))
      return {
        action: 'group.compact',
        regionId: r.region.id,
        tenantId: g.meta.tenantId,
        targetId: groupId,
        events: [],
        after: (revision: number) => compactionView(c, scope, revision, false),
        status: 200,
      };
    const profile = r.region.profile;
    const lookup = lookupIn(w, r);
    const problems = new Problems();
    const createdAt = svc.timestamp();
    /** The proposal's "new:<n>" id → the rule written for it. */
    const made = new Map<string, Rule>();
    const added = c.added.map((a, k) => {
      const rule: Rule = { ...a.rule, id: newId('sgr'), createdAt };
      made.set(a.rule.id, rule);
      validateRule(rule, { ...g.meta, rules: [] }, profile, problems, `added[${k}]`);
      validateRuleReferences(rule, g.meta, lookup, problems, `added[${k}]`);
      return rule;
    });
    if (problems.list.length) throw invalid(problems.list);
    const seq0 = g.nextSeq;
    const events: Event[] = [
      ...c.removed.map((id) => ({ op: 'rule.delete' as const, regionId: r.region.id, groupId, id })),
      ...added.map((rule, k) => ({
        op: 'rule.put' as const,
        regionId: r.region.id,
        groupId,
        seq: seq0 + k,
        rule,
      })),
      { op: 'group.put', group: changedMeta(g.meta, createdAt) },
    ];
    const written: Compaction = {
      ...c,
      rules: c.rules.map((rule) => made.get(rule.id) ?? rule),
      added: c.added.map((a, k) => ({ rule: added[k], from: a.from })),
      reasons: c.reasons.map((x) => ({ ...x, into: x.into.map((id) => made.get(id)?.id ?? id) })),
    };
    return {
      action: 'group.compact',
      regionId: r.region.id,
      tenantId: g.meta.tenantId,
      targetId: groupId,
      events,
      before: c.removed.map((id) => ruleInputOf(g.rules.get(id)!.rule)),
      after: (revision: number) => compactionView(written, scope, revision, true),
      status: 200,
    };
  });
}
