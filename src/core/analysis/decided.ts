// What each entry of a port's policy really decides, exactly: walking the evaluation order
// (order.ts) for one direction and family, an entry decides the packets it matches that no
// earlier entry took; what no entry takes falls to the default verdict. This is the set form of
// the reference evaluator (reference.ts), and the foundation of effective rules, shadowing,
// policy differences and reachability.
import type { Direction, Ethertype } from '../model.js';
import { type Entry, policyDefault } from '../order.js';
import { evaluationOrder } from '../order.js';
import { resolvePolicy } from '../policy.js';
import { entrySpans, type EntrySpans } from '../reference.js';
import type { RegionIndex } from '../region-index.js';
import { type Box, PacketSet, spansOf, universe } from './space.js';

export interface DecidedEntry {
  entry: Entry;
  /** The packets this entry matches (of `within`, where decidedPolicy was given one). */
  matches: PacketSet;
  /** The packets it decides: those it matches that no earlier entry took (empty: shadowed). */
  decides: PacketSet;
}

export interface DecidedPolicy {
  /** In evaluation order; absent when the port has no policy (see `kind`). */
  entries: DecidedEntry[];
  /** What no entry takes, and the verdict it gets. */
  unmatched: PacketSet;
  defaultVerdict: 'allow' | 'deny';
  /** Every packet the side allows. */
  allowed: PacketSet;
  /** policy: the port's groups decide; unsecured: port security off (all allowed); closed: fail-closed. */
  kind: 'policy' | 'unsecured' | 'closed';
}

/** An entry's match as a box of the family's packet space (`addr`: its remote's spans, if known). */
export function entryBox(spans: EntrySpans, ethertype: Ethertype, addr?: Box['addr']): Box {
  const all = universe(ethertype);
  return {
    protocol: spans.proto === null ? all.protocol : spansOf([[spans.proto, spans.proto]]),
    l4: spans.l4 === null ? all.l4 : spansOf(spans.l4),
    srcPort: spans.src === null ? all.srcPort : spansOf(spans.src),
    addr: addr ?? (spans.addr === null ? all.addr : spansOf(spans.addr)),
  };
}

/** What names an entry's remote set, where many entries share one (a group's members, an address group). */
function sharedRemote(entry: Entry): string | null {
  if (entry.kind === 'innerAccess') return `group:${entry.group.id}`;
  const r = entry.rule.remote;
  return r.kind === 'group'
    ? `group:${r.groupId}`
    : r.kind === 'addressGroup'
      ? `ag:${r.addressGroupId}`
      : null;
}

/** Remote groups' and address groups' addresses, parsed and merged: valid for one index and family
 * (a difference or a reachability matrix decides many policies of one index). */
export interface RemoteCache {
  parsed: NonNullable<Parameters<typeof entrySpans>[3]>;
  remotes: Map<string, Box['addr']>;
}
export const newRemoteCache = (): RemoteCache => ({ parsed: new Map(), remotes: new Map() });

/**
 * An entry's box, or null when `within` is given and the entry cannot match any of it. The
 * ports and protocols are looked at first: an entry whose remote is the only thing left to
 * decide has its addresses parsed (a remote group's members or an address group's entries:
 * thousands on the engine's workloads), and only once per remote for all entries and policies
 * sharing the cache.
 */
function matchBox(
  index: RegionIndex,
  entry: Entry,
  ethertype: Ethertype,
  { remotes, parsed }: RemoteCache,
  within?: PacketSet,
): Box | null {
  // The match with any remote address (a rule's remote stood in for by any, which parses nothing).
  const anyRemote: Entry =
    entry.kind === 'rule' ? { ...entry, rule: { ...entry.rule, remote: { kind: 'any' } } } : entry;
  const rest = entryBox(
    entry.kind === 'rule' ? entrySpans(index, anyRemote, ethertype) : ANY_RULE,
    ethertype,
  );
  if (within && entry.kind === 'rule' && !within.meets(rest)) return null;
  // A remote group's or address group's addresses are parsed, sorted and merged once, not per rule.
  const shared = sharedRemote(entry);
  let addr = shared === null ? undefined : remotes.get(shared);
  if (addr === undefined) {
    const spans = entrySpans(index, entry, ethertype, parsed).addr;
    addr = spans === null ? universe(ethertype).addr : spansOf(spans);
    if (shared !== null) remotes.set(shared, addr);
  }
  return { ...rest, addr };
}

/** An entry matching every packet of its direction and family (same-group access apart from its addresses). */
const ANY_RULE: EntrySpans = { proto: null, l4: null, src: null, addr: null };

export function decidedPolicy(
  index: RegionIndex,
  portId: string,
  direction: Direction,
  ethertype: Ethertype,
  /** Decide only these packets (a policy difference looks where a changed rule matches); default: all. */
  within?: PacketSet,
  /** Remote sets already parsed for this index and family (many ports name the same ones). */
  remoteCache: RemoteCache = newRemoteCache(),
): DecidedPolicy {
  const everything = within ?? PacketSet.of(universe(ethertype));
  const resolved = resolvePolicy(index, portId);
  if ('failure' in resolved)
    return {
      entries: [],
      unmatched: everything,
      defaultVerdict: 'deny',
      allowed: PacketSet.empty(),
      kind: 'closed',
    };
  if ('unsecured' in resolved)
    return {
      entries: [],
      unmatched: everything,
      defaultVerdict: 'allow',
      allowed: everything,
      kind: 'unsecured',
    };
  const { policy, port } = resolved;
  let remaining = everything;
  let allowed = PacketSet.empty();
  const matchesOf = (box: Box | null) =>
    box === null ? PacketSet.empty() : within ? within.intersect(box) : PacketSet.of(box);
  const entries = evaluationOrder(policy, port, direction, ethertype).map((entry): DecidedEntry => {
    if (remaining.isEmpty) {
      // Nothing is left to decide, so this entry decides nothing whatever it matches; what it
      // matches is worked out when first read. A difference never reads it (findings do), and
      // most entries come after everything is decided: W2's port is decided by its first 15
      // entries of 500, and the rest would build boxes and parse remote sets for nothing.
      // Read from the index as it is then: no caller changes an index it is analysing.
      let matches: PacketSet | undefined;
      return {
        entry,
        decides: PacketSet.empty(),
        get matches() {
          return (matches ??= matchesOf(matchBox(index, entry, ethertype, remoteCache, within)));
        },
      };
    }
    const box = matchBox(index, entry, ethertype, remoteCache, within);
    if (box === null) return { entry, matches: PacketSet.empty(), decides: PacketSet.empty() };
    const decides = remaining.intersect(box);
    remaining = remaining.subtract(box);
    const allows = entry.kind === 'innerAccess' || entry.rule.action === 'allow';
    if (allows) allowed = allowed.unionDisjoint(decides);
    return { entry, matches: matchesOf(box), decides };
  });
  const defaultVerdict = policyDefault(policy, direction);
  if (defaultVerdict === 'allow') allowed = allowed.unionDisjoint(remaining);
  return { entries, unmatched: remaining, defaultVerdict, allowed, kind: 'policy' };
}
