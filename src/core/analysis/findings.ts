// Rule findings for one port, from the exact decided sets (decided.ts), per direction and family:
// a rule is empty (it can match nothing, e.g. a remote group without members), shadowed (earlier
// entries take all it matches: they are named), partially shadowed (they take some of it),
// redundant (removing it changes no verdict: what it decides gets the same verdict from the
// entries after it or the default), or conflicting (a later entry of the other action matches
// packets it decides: their order decides those packets).
import type { Direction, Ethertype } from '../model.js';
import type { Entry } from '../order.js';
import type { RegionIndex } from '../region-index.js';
import { type DecidedEntry, type DecidedPolicy, decidedPolicy } from './decided.js';
import { OverlapIndex } from './overlap-index.js';
import type { PacketSet } from './space.js';

export type FindingKind = 'empty' | 'shadowed' | 'partiallyShadowed' | 'redundant' | 'conflicting';

export interface RuleFinding {
  kind: FindingKind;
  ruleId: string;
  groupId: string;
  direction: Direction;
  ethertype: Ethertype;
  /** The entries that cause it: rule ids, or "innerAccess:<group id>" for same-group access. */
  by: string[];
}

const FAMILIES: Ethertype[] = ['IPv4', 'IPv6'];
const DIRECTIONS: Direction[] = ['ingress', 'egress'];

const entryName = (e: Entry) => (e.kind === 'rule' ? e.rule.id : `innerAccess:${e.group.id}`);
const verdictOf = (e: Entry) => (e.kind === 'innerAccess' ? 'allow' : e.rule.action);

/**
 * How the entries that may share packets with a set are found: every entry in the range (the
 * plain scan, quadratic over a policy), or an overlap index's candidates. Both are then met
 * exactly, so the findings are the same; the plain scan is kept to test the index against.
 */
export type Neighbours = (set: PacketSet, from: number, to: number) => number[];

export function plainNeighbours(): Neighbours {
  return (_set, from, to) => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

export function indexedNeighbours(decided: DecidedPolicy): Neighbours {
  const index = new OverlapIndex(decided.entries.map((d) => d.matches.boxes[0] ?? null));
  return (set, from, to) => index.candidates(set.boxes, from, to);
}

/** The findings about the rules of one side's decided policy (entries of every group). */
export function decidedFindings(
  decided: DecidedPolicy,
  direction: Direction,
  ethertype: Ethertype,
  neighbours: Neighbours = indexedNeighbours(decided),
): RuleFinding[] {
  const out: RuleFinding[] = [];
  const entries = decided.entries;
  const meeting = (set: PacketSet, from: number, to: number) =>
    neighbours(set, from, to)
      .map((k) => entries[k])
      .filter((x) => x.matches.meetsSet(set));
  entries.forEach((d, i) => {
    if (d.entry.kind !== 'rule') return;
    const finding = (kind: FindingKind, by: DecidedEntry[]) =>
      out.push({
        kind,
        ruleId: (d.entry as Entry & { kind: 'rule' }).rule.id,
        groupId: d.entry.group.id,
        direction,
        ethertype,
        by: by.map((x) => entryName(x.entry)),
      });
    if (d.matches.isEmpty) return finding('empty', []);
    const earlier = meeting(d.matches, 0, i);
    if (d.decides.isEmpty) return finding('shadowed', earlier);
    if (earlier.length) finding('partiallyShadowed', earlier);
    const mine = verdictOf(d.entry);
    // Without this entry, its packets go on down the order: to later entries, then the default.
    const later = meeting(d.decides, i + 1, entries.length);
    let rest = d.decides;
    const overruling: DecidedEntry[] = [];
    for (const x of later) {
      if (!x.matches.meetsSet(rest)) continue;
      if (verdictOf(x.entry) !== mine) overruling.push(x);
      for (const b of x.matches.boxes) rest = rest.subtract(b);
      if (rest.isEmpty) break;
    }
    const defaultDiffers = !rest.isEmpty && decided.defaultVerdict !== mine;
    if (!overruling.length && !defaultDiffers) finding('redundant', later);
    const conflicts = later.filter((x) => verdictOf(x.entry) !== mine);
    if (conflicts.length) finding('conflicting', conflicts);
  });
  return out;
}

export function portFindings(
  index: RegionIndex,
  portId: string,
  how: 'indexed' | 'plain' = 'indexed',
): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const direction of DIRECTIONS)
    for (const ethertype of FAMILIES) {
      const decided = decidedPolicy(index, portId, direction, ethertype);
      const neighbours = how === 'indexed' ? indexedNeighbours(decided) : plainNeighbours();
      out.push(...decidedFindings(decided, direction, ethertype, neighbours));
    }
  return out;
}
