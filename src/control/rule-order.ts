// A group's rules in the order its profile evaluates them (SEMANTICS.md): each rule's
// position within its direction is what the API shows and what "list rules" pages through.
import type { GroupType, Profile, Rule } from '../core/model.js';
import { evaluationStyle } from '../core/profiles.js';
import type { GroupRecord, StoredRule } from './world.js';

export interface Sortable {
  rule: Rule;
  seq: number;
}

/** First-match evaluation orders rules: by priority, deny first at equal priority, then by creation. */
const ordersRules = (profile: Profile, type: GroupType) => evaluationStyle(profile, type) === 'firstMatch';

/** A rule's rank within its direction where the profile orders rules: priority, then deny first. */
export const rankOf = (rule: Rule) => rule.priority * 2 + (rule.action === 'deny' ? 0 : 1);

/** The sort key: direction, then (where the profile orders rules) priority and deny-first, then creation. */
export function orderKey(profile: Profile, type: GroupType, r: Sortable): number[] {
  const direction = r.rule.direction === 'ingress' ? 0 : 1;
  return ordersRules(profile, type)
    ? [direction, r.rule.priority, r.rule.action === 'deny' ? 0 : 1, r.seq]
    : [direction, 0, 0, r.seq];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export interface OrderedRule {
  stored: StoredRule;
  key: number[];
  /** 1-based position among the group's rules of the same direction. */
  position: number;
}

const memo = new WeakMap<GroupRecord, { revision: number; list: OrderedRule[] }>();

export function orderedRules(profile: Profile, group: GroupRecord): OrderedRule[] {
  const cached = memo.get(group);
  if (cached?.revision === group.contentRevision && cached.list.length === group.rules.size)
    return cached.list;
  const list = [...group.rules.values()]
    .map((stored) => ({ stored, key: orderKey(profile, group.meta.type, stored), position: 0 }))
    .sort((a, b) => compareKeys(a.key, b.key));
  let ingress = 0;
  let egress = 0;
  for (const r of list) r.position = r.stored.rule.direction === 'ingress' ? ++ingress : ++egress;
  memo.set(group, { revision: group.contentRevision, list });
  return list;
}

/** Positions of `targets` among `all` (which includes them): one sort, for batches and new groups. */
export function positionsOf(profile: Profile, type: GroupType, all: Sortable[]): Map<string, number> {
  const sorted = all
    .map((r) => ({ r, key: orderKey(profile, type, r) }))
    .sort((a, b) => compareKeys(a.key, b.key));
  const out = new Map<string, number>();
  let ingress = 0;
  let egress = 0;
  for (const { r } of sorted) out.set(r.rule.id, r.rule.direction === 'ingress' ? ++ingress : ++egress);
  return out;
}

/** Position of one rule among `all` (its own entry, if there, is skipped): counts, no sort, no allocation. */
export function positionAmong(
  profile: Profile,
  type: GroupType,
  all: Iterable<Sortable>,
  target: Sortable,
): number {
  const ordered = ordersRules(profile, type);
  const t = target.rule;
  const tAction = t.action === 'deny' ? 0 : 1;
  let before = 0;
  for (const r of all) {
    const x = r.rule;
    if (x.direction !== t.direction || x.id === t.id) continue;
    if (ordered) {
      if (x.priority !== t.priority) {
        if (x.priority < t.priority) before++;
        continue;
      }
      const xAction = x.action === 'deny' ? 0 : 1;
      if (xAction !== tAction) {
        if (xAction < tAction) before++;
        continue;
      }
    }
    if (r.seq < target.seq) before++;
  }
  return before + 1;
}

export { compareKeys };

/**
 * Position of a rule about to be added to the group, after all of its rules (the greatest seq):
 * every rule of its direction at a lower or equal rank comes before it. Counts per rank, no scan.
 */
export function positionOfNew(profile: Profile, group: GroupRecord, rule: Rule): number {
  const ordered = ordersRules(profile, group.meta.type);
  const rank = rankOf(rule);
  let before = 0;
  for (const [r, n] of group.ranks(rule.direction)) if (!ordered || r <= rank) before += n;
  return before + 1;
}
