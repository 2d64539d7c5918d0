// Translation of a region's groups from one profile's semantics into another's (issue 13 item 9).
// Each group is first carried over rule by rule; where the target cannot say a rule (deny rules
// or priorities into an allow-only profile, source ports, Alibaba's inner access or its open
// egress default), or the carried rules would decide differently, the group's allowed set is
// computed exactly (analysis/decided.ts) and written back as allow rules (rules-of-set.ts).
// Either way the result is proven against the source port by port (equivalence.ts): what it
// cannot express is the exact set of packets the two disagree on.
import { numberToV4 } from '../address.js';
import { type DecidedPolicy, decidedPolicy } from '../analysis/decided.js';
import { PacketSet, type Spans, universe } from '../analysis/space.js';
import type {
  AddressGroup,
  Direction,
  Ethertype,
  Profile,
  Remote,
  RegionState,
  Rule,
  SecurityGroup,
} from '../model.js';
import { TRAITS } from '../profiles.js';
import { RegionIndex } from '../region-index.js';
import { Problems, ruleIdentity, validateRule } from '../validate.js';
import {
  type AllowedDifference,
  allowedDifferences,
  DIRECTIONS,
  FAMILIES,
  probeId,
  withProbes,
} from './equivalence.js';
import { boxRules, sameSpans } from './rules-of-set.js';

/** How a group was carried over: rule by rule, or computed from its allowed packets. */
export type TranslationMethod = 'direct' | 'computed';

export interface GroupTranslation {
  sourceId: string;
  method: TranslationMethod;
  group: SecurityGroup;
}

export interface Translation {
  profile: Profile;
  groups: GroupTranslation[];
  addressGroups: AddressGroup[];
  /** The source and the translation, each with a probe port per group: the states proven equal. */
  source: RegionState;
  target: RegionState;
  /** Where the two disagree (empty: equivalent on every port and every group's probe). */
  differences: AllowedDifference[];
}

// Addresses standing for members a group may gain and entries an address group may hold: a
// remote nobody is in yet still names its group in a computed rule. Reserved ranges (240/4,
// 100::/64) no real port holds; they never reach a written rule or a reported difference.
const PHANTOM_V4 = 0xf0000000;
const phantomSpans = (ethertype: Ethertype): Spans =>
  ethertype === 'IPv4'
    ? [[BigInt(PHANTOM_V4), BigInt(PHANTOM_V4 + 0x01ffffff)]]
    : [[0x100n << 112n, (0x100n << 112n) + (1n << 64n) - 1n]];
const phantomV6 = (n: number) => `100::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;

function withPhantoms(state: RegionState): RegionState {
  // Groups and address groups the rules name but the state does not hold (an imported document's
  // rules may name the region's own) get phantoms too: their rules must not vanish for want of members.
  const groups = new Set(state.groups.map((g) => g.id));
  const lists = new Set(state.addressGroups.map((a) => a.id));
  const remotes = state.groups.flatMap((g) => g.rules.map((r) => r.remote));
  const otherGroups = [
    ...new Set(remotes.flatMap((r) => (r.kind === 'group' && !groups.has(r.groupId) ? [r.groupId] : []))),
  ];
  const otherLists = [
    ...new Set(
      remotes.flatMap((r) =>
        r.kind === 'addressGroup' && !lists.has(r.addressGroupId) ? [r.addressGroupId] : [],
      ),
    ),
  ];
  const probed = withProbes(state, [...groups, ...otherGroups], (_, i) => ({
    ipv4: [numberToV4(PHANTOM_V4 + i + 1)],
    ipv6: [phantomV6(i + 1)],
  }));
  const stubs: AddressGroup[] = otherLists.map((id) => ({
    id,
    tenantId: '',
    regionId: state.region.id,
    name: id,
    entries: [],
  }));
  const addressGroups = [...state.addressGroups, ...stubs].map((ag, i) => ({
    ...ag,
    entries: [
      ...ag.entries,
      ...(ag.ethertype !== 'IPv6' ? [`${numberToV4(PHANTOM_V4 + 0x01000000 + i + 1)}/32`] : []),
      ...(ag.ethertype !== 'IPv4' ? [`${phantomV6(0x10000 + i + 1)}/128`] : []),
    ],
  }));
  return { ...probed, addressGroups };
}

/** The group's own attributes as the target profile has them. */
function groupShell(group: SecurityGroup, from: Profile, to: Profile): SecurityGroup {
  const t = TRAITS[to];
  const type = t.advancedGroups && group.type === 'advanced' ? 'advanced' : 'basic';
  // Inner access is Alibaba's alone: another profile's members reach each other only by rules.
  const inner = t.innerAccessPolicy
    ? TRAITS[from].innerAccessPolicy
      ? group.innerAccessPolicy
      : 'Drop'
    : type === 'advanced'
      ? 'Drop'
      : 'Accept';
  return {
    ...group,
    type,
    innerAccessPolicy: type === 'advanced' ? 'Drop' : inner,
    stateful: t.statelessGroups ? group.stateful : true,
    rules: [],
  };
}

function priorityIn(rule: Rule, from: Profile, shell: SecurityGroup, to: Profile): number {
  const t = TRAITS[to];
  if (!t.priorities || shell.type === 'advanced') return 1;
  if (!TRAITS[from].priorities) return t.defaultPriority;
  if (rule.priority === t.reservedPriority || (rule.priority >= 1 && rule.priority <= 100))
    return rule.priority;
  return 100;
}

/**
 * Where the target lets unmatched packets through (Alibaba basic egress) and the source does not,
 * a last rule refuses them: at the reserved priority (110, after every rule a user can write).
 */
const CLOSING_PRIORITY = 110;
const closesEgress = (direction: Direction, shell: SecurityGroup, to: Profile) =>
  direction === 'egress' &&
  TRAITS[to].allowsUnmatchedEgress[shell.type] &&
  TRAITS[to].reservedPriority === CLOSING_PRIORITY;
const closingRule = (direction: Direction, ethertype: Ethertype) => ({
  direction,
  ethertype,
  protocol: 'all' as const,
  remote: { kind: 'any' as const },
  action: 'deny' as const,
});
const opensEgress = (p: Profile, type: SecurityGroup['type']) => TRAITS[p].allowsUnmatchedEgress[type];

/** The group rule by rule in the target, or null when a rule has no counterpart there. */
function direct(group: SecurityGroup, from: Profile, to: Profile): SecurityGroup | null {
  const shell = groupShell(group, from, to);
  const p = new Problems();
  // A rule the same as an earlier one (under the target's identity) decides nothing: left out.
  const seen = new Set<string>();
  const rules: Rule[] = [];
  for (const rule of group.rules) {
    const out: Rule = { ...rule, priority: priorityIn(rule, from, shell, to) };
    validateRule(out, shell, to, p, 'rule');
    const key = ruleIdentity(to, out);
    if (!seen.has(key)) rules.push(out);
    seen.add(key);
  }
  if (!opensEgress(from, group.type))
    for (const ethertype of FAMILIES)
      if (closesEgress('egress', shell, to))
        rules.push({
          ...closingRule('egress', ethertype),
          id: `${group.id}/closing-${ethertype}`,
          priority: CLOSING_PRIORITY,
          nicType: 'intranet',
        });
  return p.list.length ? null : { ...shell, rules };
}

interface Piece {
  set: PacketSet;
  /** The remote of the entry the piece comes from, and that remote's addresses. */
  remote: Remote | null;
  whole?: Spans;
}

/**
 * A side's allowed packets in few, large pieces. Where unmatched packets are refused, each allow
 * entry passes what it matches less what an earlier deny took (what an earlier allow took passes
 * anyway); where they pass, everything passes but what a deny takes first.
 */
function allowedPieces(d: DecidedPolicy, ethertype: Ethertype): Piece[] {
  let denied = PacketSet.empty();
  let allowedFirst = PacketSet.empty();
  const out: Piece[] = [];
  for (const x of d.entries) {
    if (x.entry.kind === 'rule' && x.entry.rule.action === 'deny') {
      denied = denied.unionDisjoint(x.matches.subtractSet(denied).subtractSet(allowedFirst));
      continue;
    }
    if (d.defaultVerdict === 'allow') {
      allowedFirst = allowedFirst.unionDisjoint(x.matches.subtractSet(allowedFirst).subtractSet(denied));
      continue;
    }
    const set = x.matches.subtractSet(denied);
    const remote: Remote =
      x.entry.kind === 'innerAccess' ? { kind: 'group', groupId: x.entry.group.id } : x.entry.rule.remote;
    if (!set.isEmpty) out.push({ set, remote, whole: x.matches.boxes[0]?.addr });
  }
  if (d.defaultVerdict === 'allow')
    out.push({ set: PacketSet.of(universe(ethertype)).subtractSet(denied), remote: null });
  return out;
}

/** The group's allowed packets (on its probe, alone) as allow rules of the target. */
/** Thrown when a computed group needs more rules than the caller allows: nothing is proven then. */
export class TranslationTooLarge extends Error {
  constructor(
    readonly groupId: string,
    readonly limit: number,
  ) {
    super(`group ${groupId} needs more than ${limit} rules once translated`);
  }
}

function computed(
  group: SecurityGroup,
  index: RegionIndex,
  from: Profile,
  to: Profile,
  maxRules: number,
): SecurityGroup {
  const shell = groupShell(group, from, to);
  const t = TRAITS[to];
  const rules: Rule[] = [];
  const add = (r: Omit<Rule, 'id' | 'priority' | 'nicType'>, priority = t.defaultPriority) => {
    // Stop early: a few denies into an allow-only profile can need very many rules.
    if (rules.length >= maxRules) throw new TranslationTooLarge(group.id, maxRules);
    rules.push({
      ...r,
      id: `${group.id}/t${rules.length + 1}`,
      priority: shell.type === 'advanced' ? 1 : priority,
      nicType: 'intranet',
    });
  };
  for (const direction of DIRECTIONS)
    for (const ethertype of FAMILIES) {
      const d = decidedPolicy(index, probeId(group.id), direction, ethertype);
      const all = universe(ethertype);
      const pieces = allowedPieces(d, ethertype);
      for (const { set, remote, whole } of pieces)
        for (const box of set.boxes) {
          // A piece that keeps all of the rule's addresses keeps its remote (a group stays a group).
          const kept = remote && whole && sameSpans(box.addr, whole) ? remote : null;
          for (const r of boxRules(box, direction, ethertype, kept, t.sourcePorts, phantomSpans(ethertype)))
            add(r);
        }
      if (closesEgress(direction, shell, to) && !d.allowed.equals(PacketSet.of(all)))
        add(closingRule(direction, ethertype), CLOSING_PRIORITY);
    }
  // Pieces that differ only where no rule can tell them apart come out as the same rule: once.
  const seen = new Set<string>();
  return {
    ...shell,
    rules: rules.filter((r) => {
      const key = ruleIdentity(to, r);
      return !seen.has(key) && !!seen.add(key);
    }),
  };
}

/** Group sequence (Huawei: group by group) into merged priorities (Alibaba: one list). */
const sequenceIntoMerged = (from: Profile, to: Profile) =>
  TRAITS[from].evaluation.basic === 'firstMatch' &&
  !TRAITS[from].mergesGroups &&
  TRAITS[to].mergesGroups &&
  TRAITS[to].priorities;

/**
 * One order of the groups that agrees with every port's group sequence (a port's earlier group
 * before its later ones), or null when two ports hold two groups in opposite orders.
 */
function sequenceOrder(groupIds: string[], state: RegionState): string[] | null {
  const after = new Map(groupIds.map((id) => [id, new Set<string>()]));
  const before = new Map(groupIds.map((id) => [id, 0]));
  for (const i of state.instances)
    for (const port of i.ports)
      port.groupIds.forEach((a, k) => {
        for (const b of port.groupIds.slice(k + 1)) {
          const next = after.get(a);
          if (!next || !before.has(b) || next.has(b)) continue;
          next.add(b);
          before.set(b, before.get(b)! + 1);
        }
      });
  const ready = groupIds.filter((id) => before.get(id) === 0);
  const out: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    out.push(id);
    for (const b of after.get(id)!) {
      before.set(b, before.get(b)! - 1);
      if (before.get(b) === 0) ready.push(b);
    }
  }
  return out.length === groupIds.length ? out : null;
}

/**
 * Huawei decides group by group in a port's sequence; Alibaba merges all of a port's rules by
 * priority. Where one order of the groups agrees with every port's sequence, each group's
 * priorities are moved into a band of its own, in that order, keeping their order and ties
 * within the group: the merged list is then each port's sequence. The rules a user can write
 * have 100 priorities; when the bands need more, or no order agrees, priorities stay as they
 * are and the proof reports the ports where the sequence mattered.
 */
function bandBySequence(groups: GroupTranslation[], state: RegionState): void {
  const order = sequenceOrder(
    groups.map((g) => g.group.id),
    state,
  );
  if (!order) return;
  const byId = new Map(groups.map((g) => [g.group.id, g]));
  const levels = (g: GroupTranslation) =>
    [...new Set(g.group.rules.map((r) => r.priority).filter((p) => p !== CLOSING_PRIORITY))].sort(
      (a, b) => a - b,
    );
  const needed = order.reduce((n, id) => n + levels(byId.get(id)!).length, 0);
  if (needed > 100) return;
  let next = 1;
  for (const id of order) {
    const g = byId.get(id)!;
    const rank = new Map(levels(g).map((p, i) => [p, next + i]));
    next += rank.size;
    g.group = {
      ...g.group,
      rules: g.group.rules.map((r) => (rank.has(r.priority) ? { ...r, priority: rank.get(r.priority)! } : r)),
    };
  }
}

/** The most rules a computed group may have unless the caller says otherwise. */
export const DEFAULT_MAX_RULES = 10_000;

/**
 * Translate every group of `source` into `profile`, proving the result port by port. A group
 * whose computed rules would exceed `maxRules` throws TranslationTooLarge.
 */
export function translateRegion(
  source: RegionState,
  profile: Profile,
  maxRules = DEFAULT_MAX_RULES,
): Translation {
  const from = source.region.profile;
  const phantom = withPhantoms(source);
  const phantomSource = new RegionIndex(phantom);
  const ids = source.groups.map((g) => g.id);
  const asTarget = (groups: SecurityGroup[], state: RegionState): RegionState => ({
    ...state,
    region: { ...state.region, profile },
    groups,
  });
  // Carry each group over rule by rule where the target can say it and decides the same on the
  // group's own probe; compute it from its allowed set otherwise.
  const directs = source.groups.map((g) => direct(g, from, profile));
  const trial = asTarget(
    source.groups.map((g, i) => directs[i] ?? groupShell(g, from, profile)),
    phantom,
  );
  const failing = new Set(
    allowedDifferences(phantom, trial, ids.map(probeId), (p) => p.slice('probe:'.length)).map(
      (d) => d.groupId,
    ),
  );
  const groups: GroupTranslation[] = source.groups.map((g, i) => {
    const d = directs[i];
    return d && !failing.has(g.id)
      ? { sourceId: g.id, method: 'direct', group: d }
      : { sourceId: g.id, method: 'computed', group: computed(g, phantomSource, from, profile, maxRules) };
  });
  if (sequenceIntoMerged(from, profile)) bandBySequence(groups, source);
  const proven = withProbes(source, ids);
  const target = asTarget(
    groups.map((g) => g.group),
    proven,
  );
  const portIds = [...source.instances.flatMap((i) => i.ports.map((p) => p.id)), ...ids.map(probeId)];
  const groupOfProbe = (p: string) => (p.startsWith('probe:') ? p.slice('probe:'.length) : undefined);
  return {
    profile,
    groups,
    addressGroups: source.addressGroups,
    source: proven,
    target,
    differences: allowedDifferences(proven, target, portIds, groupOfProbe),
  };
}
