// Compaction of a group (issue 13 item 10): a smaller rule set that decides every packet the
// same, on every port that holds the group and for the group alone (group-contexts.ts), so a
// group fits its quota. Two steps, then a proof:
//  1. drop: walking the group's rules from the last to the first, a rule goes when, on every
//     port, the packets it decides get its verdict anyway from the rules after it that are kept
//     (or from the default). Going backwards keeps each check exact: what a rule decides depends
//     only on the rules before it, which are all still there. Rules naming a remote group or an
//     address group (and Alibaba's same-group access) are read as if they could hold any
//     addresses, so a drop stays right when members join or leave and entries change: a rule
//     is never dropped because a remote group is empty now.
//  2. merge: rules that agree on everything but their ports merge their port ranges (into one
//     multi-port rule where the profile shows such rules, else adjacent and overlapping ranges
//     only), and rules that agree on everything but their CIDR merge their address ranges into
//     the fewest CIDRs. Merged rules share direction, family, action and priority, so they sit
//     together in the evaluation order: a block of one action, where which of them matches
//     first does not change the verdict.
//  3. proof: on every context and both directions and families, the allowed sets before and
//     after are equal (PacketSet.equals). A proposal that fails it is never answered: the drops
//     alone are tried, then no change.
import { numberToV4, wordsToV6, type V6 } from '../address.js';
import { cidrKeys } from '../classifier/keys.js';
import type { Direction, Ethertype, PortRange, RegionState, Rule, SecurityGroup } from '../model.js';
import type { Entry } from '../order.js';
import { TRAITS } from '../profiles.js';
import { RegionIndex } from '../region-index.js';
import { entrySpans } from '../reference.js';
import { decidedPolicy, entryBox } from './decided.js';
import { aloneContexts, type GroupContext, memberClasses } from './group-contexts.js';
import { OverlapIndex } from './overlap-index.js';
import { PacketSet, spansOf, universe } from './space.js';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];
const FAMILIES: Ethertype[] = ['IPv4', 'IPv6'];

export interface EquivalenceCheck {
  /** A member port, or the lone port of the group alone. */
  portId: string;
  alone: boolean;
  direction: Direction;
  ethertype: Ethertype;
  equivalent: boolean;
}

export interface Compaction {
  groupId: string;
  /** compacted: a smaller rule set, proven equivalent; unchanged: none was found. */
  outcome: 'compacted' | 'unchanged';
  /** The proposed rules: kept rules as they are, merged ones with ids "new:<n>" until written. */
  rules: Rule[];
  /** Ids of the group's rules that are not in the proposal (dropped, or merged into a new rule). */
  removed: string[];
  /** The proposal's new rules (merges), each with the group's rules it stands for. */
  added: { rule: Rule; from: string[] }[];
  /** For each removed rule, why: dropped (its packets keep their verdict without it), or merged into new rules. */
  reasons: { ruleId: string; reason: 'dropped' | 'merged'; into: string[] }[];
  /** Rules before and after; how many were dropped, merged into new rules, and made by merges. */
  counts: { before: number; after: number; dropped: number; merged: number; added: number };
  /** Every context, direction and family compared; all equivalent. */
  proof: EquivalenceCheck[];
}

const verdictOf = (e: Entry) => (e.kind === 'innerAccess' ? 'allow' : e.rule.action);

/**
 * Entries whose addresses are a remote group's members or an address group's entries: these
 * change without the group changing, so no drop may rest on what they hold now.
 */
const followsMembers = (e: Entry) =>
  e.kind === 'innerAccess' || e.rule.remote.kind === 'group' || e.rule.remote.kind === 'addressGroup';

/**
 * One side of one context, for the drop step, read so that its answers hold whatever remote
 * groups and address groups hold: such an entry covers nothing when it would keep a verdict,
 * and every address when it would overrule one or take packets from the entries after it.
 */
interface Side {
  entries: Entry[];
  /** What each entry matches now (used for entries of fixed addresses). */
  matches: PacketSet[];
  /** What it could match with any members: every address for member-following entries. */
  widest: PacketSet[];
  /** The most each entry could decide: its widest match less the fixed-address entries before it. */
  mostDecided: PacketSet[];
  defaultVerdict: 'allow' | 'deny';
  overlap: OverlapIndex;
  /** Rule id → position. */
  at: Map<string, number>;
  removed: Set<number>;
}

function sideOf(c: GroupContext, direction: Direction, ethertype: Ethertype): Side | null {
  const decided = decidedPolicy(c.index, c.portId, direction, ethertype);
  if (decided.kind !== 'policy') return null;
  const entries = decided.entries.map((d) => d.entry);
  const anyAddress = universe(ethertype).addr;
  const remotes: Parameters<typeof entrySpans>[3] = new Map();
  const matches = decided.entries.map((d) => d.matches);
  const widest = entries.map((e, i) =>
    followsMembers(e)
      ? PacketSet.of(entryBox(entrySpans(c.index, e, ethertype, remotes), ethertype, anyAddress))
      : matches[i],
  );
  let remaining = PacketSet.of(universe(ethertype));
  const mostDecided = entries.map((e, i) => {
    const most = remaining.intersectSet(widest[i]);
    if (!followsMembers(e)) remaining = remaining.subtractSet(matches[i]);
    return most;
  });
  const at = new Map<string, number>();
  entries.forEach((e, i) => e.kind === 'rule' && at.set(e.rule.id, i));
  const overlap = new OverlapIndex(widest.map((m) => m.boxes[0] ?? null));
  return {
    entries,
    matches,
    widest,
    mostDecided,
    defaultVerdict: decided.defaultVerdict,
    overlap,
    at,
    removed: new Set(),
  };
}

/** Whether, without the entry at i and those already removed, its packets keep its verdict. */
function keepsVerdictWithout(side: Side, i: number): boolean {
  const mine = verdictOf(side.entries[i]);
  let rest = side.mostDecided[i];
  if (rest.isEmpty) return true;
  for (const k of side.overlap.candidates(rest.boxes, i + 1)) {
    if (side.removed.has(k)) continue;
    const same = verdictOf(side.entries[k]) === mine;
    if (followsMembers(side.entries[k])) {
      if (!same && side.widest[k].meetsSet(rest)) return false;
      continue;
    }
    const x = side.matches[k];
    if (!x.meetsSet(rest)) continue;
    if (!same) return false;
    rest = rest.subtractSet(x);
    if (rest.isEmpty) return true;
  }
  return side.defaultVerdict === mine;
}

/** Step 1: the ids of the group's rules that can go, all together. */
function droppable(index: RegionIndex, groupId: string): Set<string> {
  const alone = aloneContexts(index.state, groupId);
  // One port per class of ports with the same policy (group-contexts.ts).
  const contexts = [...memberClasses(index, groupId).map((c) => ({ index, portId: c.portId })), ...alone];
  const dropped = new Set<string>();
  for (const direction of DIRECTIONS)
    for (const ethertype of FAMILIES) {
      const sides = contexts.map((c) => sideOf(c, direction, ethertype));
      const live = sides.flatMap((s) => s ?? []);
      // The group's rules in evaluation order on each lone port (one per NIC type): the same
      // relative order as on every member port, whatever its other groups.
      for (const lone of sides.slice(contexts.length - alone.length)) {
        if (!lone) continue;
        const ids = lone.entries.flatMap((e) => (e.kind === 'rule' ? [e.rule.id] : []));
        for (const id of ids.reverse()) {
          const holding = live.filter((s) => s.at.has(id));
          if (!holding.every((s) => keepsVerdictWithout(s, s.at.get(id)!))) continue;
          dropped.add(id);
          for (const s of holding) s.removed.add(s.at.get(id)!);
        }
      }
    }
  return dropped;
}

// ---- step 2: merges ----

const rangesText = (rs: PortRange[] | undefined) => (rs ?? []).map((r) => `${r.from}-${r.to}`).join(',');
const remoteText = (r: Rule) =>
  r.remote.kind === 'cidr'
    ? `cidr:${r.remote.cidr}`
    : r.remote.kind === 'group'
      ? `group:${r.remote.groupId}`
      : r.remote.kind === 'addressGroup'
        ? `ag:${r.remote.addressGroupId}`
        : 'any';
/** What two rules must share to merge at all: all but ports and remote. */
const baseKey = (r: Rule) =>
  [
    r.direction,
    r.ethertype,
    r.action,
    r.priority,
    r.nicType,
    r.protocol,
    rangesText(r.sourcePorts),
    r.icmpType,
    r.icmpCode,
  ].join('|');

function mergedRanges(rules: Rule[]): PortRange[] {
  return spansOf(rules.flatMap((r) => (r.ports ?? []).map((p) => [p.from, p.to] as const))).map(
    ([lo, hi]) => ({
      from: Number(lo),
      to: Number(hi),
    }),
  );
}

/** The fewest CIDRs covering exactly [lo, hi]: the largest aligned block at each step. */
function rangeCidrs(ethertype: Ethertype, lo: bigint, hi: bigint): string[] {
  const bits = ethertype === 'IPv4' ? 32n : 128n;
  const out: string[] = [];
  while (lo <= hi) {
    let size = 0n;
    while (size < bits && (lo & ((1n << (size + 1n)) - 1n)) === 0n && lo + (1n << (size + 1n)) - 1n <= hi)
      size++;
    out.push(`${addressText(ethertype, lo)}/${bits - size}`);
    lo += 1n << size;
  }
  return out;
}

function addressText(ethertype: Ethertype, v: bigint): string {
  if (ethertype === 'IPv4') return numberToV4(Number(v));
  const w = [96n, 64n, 32n, 0n].map((sh) => Number((v >> sh) & 0xffffffffn)) as V6;
  return wordsToV6(w);
}

function mergeCidrs(rules: Rule[], ethertype: Ethertype): string[] {
  const spans = spansOf(
    rules.map(
      (r) => cidrKeys(ethertype, (r.remote as { cidr: string }).cidr).map(BigInt) as [bigint, bigint],
    ),
  );
  return spans.flatMap(([lo, hi]) => rangeCidrs(ethertype, lo, hi));
}

/** A rule of the proposal and the group's rules it stands for (itself, for a kept rule). */
interface Item {
  rule: Rule;
  from: string[];
}

interface Merged {
  rules: Rule[];
  added: { rule: Rule; from: string[] }[];
}

function buckets(items: Item[], key: (r: Rule) => string | null): { groups: Item[][]; alone: Item[] } {
  const map = new Map<string, Item[]>();
  const alone: Item[] = [];
  for (const item of items) {
    const k = key(item.rule);
    if (k === null) alone.push(item);
    else map.set(k, [...(map.get(k) ?? []), item]);
  }
  return { groups: [...map.values()], alone };
}

/** Step 2 over the kept rules: each bucket of mergeable rules replaced only when it shrinks. */
function merge(rules: Rule[], multiPort: boolean): Merged {
  let next = 0;
  const made = (group: Item[], patches: Partial<Rule>[]): Item[] => {
    if (group.length < 2 || patches.length >= group.length) return group;
    const from = group.flatMap((x) => x.from);
    return patches.map((patch) => {
      const rule: Rule = { ...group[0].rule, ...patch, id: `new:${++next}` };
      delete rule.createdAt;
      delete rule.changeCount;
      // Within every cloud's description limit (Huawei's 255 is the shortest).
      const named = `merged from ${from.join(', ')}`;
      rule.description = named.length <= 255 ? named : `merged from ${from.length} rules`;
      return { rule, from };
    });
  };
  let items: Item[] = rules.map((rule) => ({ rule, from: [rule.id] }));
  // CIDRs of rules alike in all but the CIDR.
  const byCidr = buckets(items, (r) =>
    r.remote.kind === 'cidr' ? `${baseKey(r)}|${rangesText(r.ports)}` : null,
  );
  items = [
    ...byCidr.alone,
    ...byCidr.groups.flatMap((g) =>
      made(
        g,
        mergeCidrs(
          g.map((x) => x.rule),
          g[0].rule.ethertype,
        ).map((cidr) => ({ remote: { kind: 'cidr', cidr } })),
      ),
    ),
  ];
  // Ports of rules alike in all but the ports (only rules that name ports: none is all ports).
  const byPorts = buckets(items, (r) => (r.ports?.length ? `${baseKey(r)}|${remoteText(r)}` : null));
  items = [
    ...byPorts.alone,
    ...byPorts.groups.flatMap((g) => {
      const ranges = mergedRanges(g.map((x) => x.rule));
      return made(g, multiPort ? [{ ports: ranges }] : ranges.map((range) => ({ ports: [range] })));
    }),
  ];
  return {
    rules: items.map((x) => x.rule),
    added: items.filter((x) => x.rule.id.startsWith('new:')),
  };
}

// ---- step 3: the proof ----

function withRules(state: RegionState, groupId: string, rules: Rule[]): RegionState {
  return {
    ...state,
    groups: state.groups.map((g): SecurityGroup => (g.id === groupId ? { ...g, rules } : g)),
  };
}

/** Compare the allowed sets of the region before and after, on every context of the group. */
export function proveEquivalent(
  before: RegionState,
  after: RegionState,
  groupId: string,
): EquivalenceCheck[] {
  const a = new RegionIndex(before);
  const b = new RegionIndex(after);
  const contexts = (index: RegionIndex) => [
    ...memberClasses(index, groupId).map((c): GroupContext => ({ index, portId: c.portId })),
    ...aloneContexts(index.state, groupId),
  ];
  const ca = contexts(a);
  const cb = contexts(b);
  const out: EquivalenceCheck[] = [];
  ca.forEach((x, k) => {
    const y = cb[k];
    for (const direction of DIRECTIONS)
      for (const ethertype of FAMILIES) {
        const left = decidedPolicy(x.index, x.portId, direction, ethertype).allowed;
        const right = decidedPolicy(y.index, y.portId, direction, ethertype).allowed;
        out.push({
          portId: x.portId,
          alone: x.alone !== undefined,
          direction,
          ethertype,
          equivalent: y.portId === x.portId && left.equals(right),
        });
      }
  });
  return out;
}

export function compactGroup(state: RegionState, groupId: string): Compaction {
  const group = state.groups.find((g) => g.id === groupId);
  if (!group) throw new Error(`no group ${groupId} in the region`);
  const index = new RegionIndex(state);
  const dropped = droppable(index, groupId);
  const kept = group.rules.filter((r) => !dropped.has(r.id));
  const merged = merge(kept, TRAITS[state.region.profile].multiPortRules);
  // The merges are right by construction and the proof checks it; should one ever fail it, the
  // drops alone are proposed, and failing that nothing.
  const attempts: [Rule[], Merged | null][] = [
    [merged.rules, merged],
    [kept, null],
  ];
  for (const [rules, m] of attempts) {
    if (rules.length >= group.rules.length) continue;
    const proof = proveEquivalent(state, withRules(state, groupId, rules), groupId);
    if (!proof.every((p) => p.equivalent)) continue;
    const ids = new Set(rules.map((r) => r.id));
    const removed = group.rules.filter((r) => !ids.has(r.id)).map((r) => r.id);
    const reasons = removed.map((ruleId) => {
      const into = (m?.added ?? []).filter((x) => x.from.includes(ruleId)).map((x) => x.rule.id);
      return { ruleId, reason: into.length ? ('merged' as const) : ('dropped' as const), into };
    });
    const added = m?.added ?? [];
    return {
      groupId,
      outcome: 'compacted',
      rules,
      removed,
      added,
      reasons,
      counts: {
        before: group.rules.length,
        after: rules.length,
        dropped: reasons.filter((x) => x.reason === 'dropped').length,
        merged: reasons.filter((x) => x.reason === 'merged').length,
        added: added.length,
      },
      proof,
    };
  }
  return {
    groupId,
    outcome: 'unchanged',
    rules: group.rules,
    removed: [],
    added: [],
    reasons: [],
    counts: { before: group.rules.length, after: group.rules.length, dropped: 0, merged: 0, added: 0 },
    proof: proveEquivalent(state, state, groupId),
  };
}
