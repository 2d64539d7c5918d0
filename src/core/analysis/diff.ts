// The exact difference of two policies of a region (issue 13, item 5): per port, direction and
// family, the packets the "after" policy allows that the "before" one denied (newly allowed) and
// the reverse (newly denied), from the decided sets (decided.ts). Each difference comes in pieces
// with one deciding entry per side: a piece is what one entry decides before intersected with
// what one entry decides after, so every box of it is explained by a rule (or a default) on each
// side. Ports whose policy inputs are the same on both sides are not computed at all.
import type { Direction, Ethertype, Port, Rule, SecurityGroup } from '../model.js';
import { entrySpans } from '../reference.js';
import { privateAddresses, type RegionIndex } from '../region-index.js';
import { type DecidedPolicy, decidedPolicy, entryBox, newRemoteCache, type RemoteCache } from './decided.js';
import { type Box, PacketSet, type Spans, spansOf } from './space.js';

/** What decides a packet on one side of the difference. */
export type DiffDecider =
  | { kind: 'rule'; ruleId: string; groupId: string; action: 'allow' | 'deny' }
  | { kind: 'innerAccess'; groupId: string }
  | { kind: 'default'; verdict: 'allow' | 'deny' }
  /** Port security off: everything passes. */
  | { kind: 'unsecured' }
  /** The port exists but its policy cannot be computed (no group, a missing group): fail-closed. */
  | { kind: 'closed' }
  /** The port does not exist on this side. */
  | { kind: 'portAbsent' };

export interface DiffPiece {
  packets: PacketSet;
  before: DiffDecider;
  after: DiffDecider;
}

export interface PortDiff {
  portId: string;
  direction: Direction;
  ethertype: Ethertype;
  /** Allowed after, denied before; in pieces by the deciding entries of both sides. */
  newlyAllowed: DiffPiece[];
  /** Allowed before, denied after. */
  newlyDenied: DiffPiece[];
}

export interface PolicyDiff {
  /** No packet of any port gets another verdict. */
  equivalent: boolean;
  /** Only the port, direction and family combinations that differ. */
  ports: PortDiff[];
}

const DIRECTIONS: Direction[] = ['ingress', 'egress'];
const FAMILIES: Ethertype[] = ['IPv4', 'IPv6'];

interface Part {
  decider: DiffDecider;
  allows: boolean;
  packets: PacketSet;
}

/** One side's decided sets, each with its decider and verdict: the whole packet space, partitioned. */
function partition(index: RegionIndex, d: DecidedPolicy, portId: string): Part[] {
  if (d.kind !== 'policy') {
    const decider: DiffDecider =
      d.kind === 'unsecured'
        ? { kind: 'unsecured' }
        : index.ports.has(portId)
          ? { kind: 'closed' }
          : { kind: 'portAbsent' };
    return [{ decider, allows: d.kind === 'unsecured', packets: d.unmatched }];
  }
  const parts: Part[] = d.entries
    .filter((x) => !x.decides.isEmpty)
    .map(({ entry, decides }) =>
      entry.kind === 'innerAccess'
        ? { decider: { kind: 'innerAccess', groupId: entry.group.id }, allows: true, packets: decides }
        : {
            decider: {
              kind: 'rule',
              ruleId: entry.rule.id,
              groupId: entry.group.id,
              action: entry.rule.action,
            },
            allows: entry.rule.action === 'allow',
            packets: decides,
          },
    );
  if (!d.unmatched.isEmpty)
    parts.push({
      decider: { kind: 'default', verdict: d.defaultVerdict },
      allows: d.defaultVerdict === 'allow',
      packets: d.unmatched,
    });
  return parts;
}

/** The difference one way: what `to` allows out of what `from` denies, by deciding pair. */
function pieces(from: Part[], to: Part[], fromIsBefore: boolean): DiffPiece[] {
  const out: DiffPiece[] = [];
  for (const f of from) {
    if (f.allows) continue;
    for (const t of to) {
      if (!t.allows || !f.packets.meetsSet(t.packets)) continue;
      const packets = mergeBoxes(f.packets.intersectSet(t.packets));
      if (packets.isEmpty) continue;
      out.push(
        fromIsBefore
          ? { packets, before: f.decider, after: t.decider }
          : { packets, before: t.decider, after: f.decider },
      );
    }
  }
  return out;
}

/**
 * One port's difference for a direction and family. `within`: only these packets can differ (the
 * caller knows the others keep their verdict), so only they are decided on either side.
 */
export function portDiff(
  before: RegionIndex,
  after: RegionIndex,
  portId: string,
  direction: Direction,
  ethertype: Ethertype,
  within?: PacketSet,
  caches: { before: RemoteCache; after: RemoteCache } = { before: newRemoteCache(), after: newRemoteCache() },
): PortDiff {
  const decide = (index: RegionIndex, cache: RemoteCache) =>
    partition(index, decidedPolicy(index, portId, direction, ethertype, within, cache), portId);
  const b = decide(before, caches.before);
  const a = decide(after, caches.after);
  return { portId, direction, ethertype, newlyAllowed: pieces(b, a, true), newlyDenied: pieces(a, b, false) };
}

export function policyDiff(
  before: RegionIndex,
  after: RegionIndex,
  opts: { ports?: Iterable<string> } = {},
): PolicyDiff {
  const ids = opts.ports ? new Set(opts.ports) : new Set([...before.ports.keys(), ...after.ports.keys()]);
  const same = new SameInputs(before, after);
  const ports: PortDiff[] = [];
  // Remote sets are parsed once per side and family for all the ports (the indexes do not change meanwhile).
  const caches = new Map(FAMILIES.map((f) => [f, { before: newRemoteCache(), after: newRemoteCache() }]));
  for (const portId of [...ids].sort()) {
    if (same.port(portId)) continue;
    const changed = same.onlyRulesChanged(portId);
    for (const direction of DIRECTIONS)
      for (const ethertype of FAMILIES) {
        // Only rules changed: a packet none of them matches (old or new) meets the same rules in
        // the same order on both sides, so only the packets they match are decided.
        // Only rules changed: the remote sets are the same on both sides, one parse serves both.
        const cache = caches.get(ethertype)!;
        const within = changed && changedPackets(before, after, changed, direction, ethertype, cache.before);
        if (within && within.isEmpty) continue;
        const d = within
          ? portDiff(before, after, portId, direction, ethertype, within, {
              before: cache.before,
              after: cache.before,
            })
          : portDiff(before, after, portId, direction, ethertype, undefined, cache);
        if (d.newlyAllowed.length || d.newlyDenied.length) ports.push(d);
      }
  }
  return { equivalent: ports.length === 0, ports };
}

/**
 * Whether a port's policy has the same inputs on both sides: the profile, the port's own fields
 * that evaluation reads, its groups (rules and all), the private addresses of every group its
 * rules name as remote or whose same-group access applies (members join and leave elsewhere),
 * and the entries of the address groups its rules name. Same inputs, same decided sets.
 */
class SameInputs {
  private readonly groups = new Map<string, boolean>();
  private readonly members = new Map<string, boolean>();
  private readonly addressGroups = new Map<string, boolean>();
  private readonly sameProfile: boolean;
  /** Each rule's comparison key, made once: port() and onlyRulesChanged() compare the same rules. */
  private readonly ruleKeys = new WeakMap<Rule, string>();
  /** Per side, each group's members' private addresses as compared, from one pass over the ports. */
  private readonly memberKeys = new Map<RegionIndex, Map<string, string>>();

  constructor(
    private readonly before: RegionIndex,
    private readonly after: RegionIndex,
  ) {
    this.sameProfile = before.state.region.profile === after.state.region.profile;
  }

  port(portId: string): boolean {
    const b = this.before.ports.get(portId)?.port;
    const a = this.after.ports.get(portId)?.port;
    if (!this.sameProfile || !b || !a || !samePortFields(b, a)) return false;
    return b.groupIds.every((g) => this.group(g));
  }

  /**
   * For a port whose inputs differ only in its groups' rules (same port fields, same groups in
   * the same order with the same settings, same members, same remote sets on both sides, and
   * the rules both sides hold unchanged in the same relative order): the rules that differ.
   * Otherwise null: the whole packet space is decided.
   */
  onlyRulesChanged(portId: string): ChangedRules | null {
    const b = this.before.ports.get(portId)?.port;
    const a = this.after.ports.get(portId)?.port;
    if (!this.sameProfile || !b || !a || !samePortFields(b, a)) return null;
    const out: ChangedRules = { before: [], after: [] };
    for (const id of b.groupIds) {
      const gb = this.before.groups.get(id);
      const ga = this.after.groups.get(id);
      if (!gb || !ga || JSON.stringify(settings(gb)) !== JSON.stringify(settings(ga))) return null;
      if (!this.memberAddresses(id)) return null;
      const keysAfter = new Map(ga.rules.map((r) => [r.id, this.ruleKey(r)]));
      const keysBefore = new Map(gb.rules.map((r) => [r.id, this.ruleKey(r)]));
      const kept = (r: Rule, other: Map<string, string>, own: Map<string, string>) =>
        other.get(r.id) === own.get(r.id);
      const keptBefore = gb.rules.filter((r) => kept(r, keysAfter, keysBefore)).map((r) => r.id);
      const keptAfter = ga.rules.filter((r) => kept(r, keysBefore, keysAfter)).map((r) => r.id);
      if (keptBefore.join('\n') !== keptAfter.join('\n')) return null;
      for (const r of gb.rules) if (!kept(r, keysAfter, keysBefore)) out.before.push({ rule: r, group: gb });
      for (const r of ga.rules) if (!kept(r, keysBefore, keysAfter)) out.after.push({ rule: r, group: ga });
      // Every remote either side names must hold the same addresses on both.
      if (![...gb.rules, ...ga.rules].every((r) => this.remote(r.remote))) return null;
    }
    return out;
  }

  private group(id: string): boolean {
    let same = this.groups.get(id);
    if (same !== undefined) return same;
    const b = this.before.groups.get(id);
    const a = this.after.groups.get(id);
    same = !!b && !!a && this.evaluated(b) === this.evaluated(a);
    // Set before the remotes: a group naming itself is settled by its own comparison.
    this.groups.set(id, same);
    if (same) same = this.memberAddresses(id) && b!.rules.every((r) => this.remote(r.remote));
    this.groups.set(id, same);
    return same;
  }

  private remote(remote: SecurityGroup['rules'][number]['remote']): boolean {
    if (remote.kind === 'group') return this.memberAddresses(remote.groupId);
    if (remote.kind !== 'addressGroup') return true;
    const id = remote.addressGroupId;
    let same = this.addressGroups.get(id);
    if (same === undefined) {
      const b = this.before.addressGroups.get(id)?.entries;
      const a = this.after.addressGroups.get(id)?.entries;
      same = JSON.stringify(b ?? null) === JSON.stringify(a ?? null);
      this.addressGroups.set(id, same);
    }
    return same;
  }

  private memberAddresses(groupId: string): boolean {
    let same = this.members.get(groupId);
    if (same === undefined) {
      same = this.memberKey(this.before, groupId) === this.memberKey(this.after, groupId);
      this.members.set(groupId, same);
    }
    return same;
  }

  /** A group's members' private addresses of both families, sorted, as one string. */
  private memberKey(index: RegionIndex, groupId: string): string {
    let keys = this.memberKeys.get(index);
    if (!keys) {
      // One pass over the ports for every group (a policy names several, each asked on both sides).
      const addresses = new Map<string, string[][]>();
      for (const { port } of index.ports.values())
        for (const g of new Set(port.groupIds)) {
          const of = addresses.get(g) ?? FAMILIES.map((): string[] => []);
          addresses.set(g, of);
          FAMILIES.forEach((f, i) => of[i].push(...privateAddresses(port, f)));
        }
      keys = new Map([...addresses].map(([g, of]) => [g, JSON.stringify(of.map((xs) => xs.sort()))]));
      this.memberKeys.set(index, keys);
    }
    return keys.get(groupId) ?? JSON.stringify(FAMILIES.map(() => []));
  }

  private ruleKey(rule: Rule): string {
    let key = this.ruleKeys.get(rule);
    if (key === undefined) this.ruleKeys.set(rule, (key = ruleKey(rule)));
    return key;
  }

  /** A group as evaluation reads it: not its name, tags, description or timestamps. */
  private evaluated(g: SecurityGroup): string {
    return JSON.stringify({ ...settings(g), rules: g.rules.map((r) => this.ruleKey(r)) });
  }
}

/** The rules that differ between the sides, with their groups, for a port whose groups changed only in rules. */
interface ChangedRules {
  before: { rule: Rule; group: SecurityGroup }[];
  after: { rule: Rule; group: SecurityGroup }[];
}

/** Every packet of the direction and family that a changed rule matches, on either side. */
function changedPackets(
  before: RegionIndex,
  after: RegionIndex,
  changed: ChangedRules,
  direction: Direction,
  ethertype: Ethertype,
  /** The remote sets parsed so far (the same on both sides here). */
  cache: RemoteCache,
): PacketSet {
  let out = PacketSet.empty();
  const add = (index: RegionIndex, { rule, group }: { rule: Rule; group: SecurityGroup }) => {
    if (rule.direction !== direction || rule.ethertype !== ethertype) return;
    const spans = entrySpans(index, { kind: 'rule', rule, group, seq: 0 }, ethertype, cache.parsed);
    const box = entryBox(spans, ethertype);
    // Kept disjoint: what earlier changed rules already cover is not added twice.
    out = out.unionDisjoint(PacketSet.of(box).subtractSet(out));
  };
  for (const x of changed.before) add(before, x);
  for (const x of changed.after) add(after, x);
  return out;
}

const ruleKey = ({ description: _d, createdAt: _c, changeCount: _n, protocolName: _p, ...r }: Rule) =>
  JSON.stringify(r);

/** A group's settings that evaluation reads, besides its rules. */
const settings = (g: SecurityGroup) => ({
  vpcId: g.vpcId,
  type: g.type,
  stateful: g.stateful,
  innerAccessPolicy: g.innerAccessPolicy,
});

function samePortFields(b: Port, a: Port): boolean {
  return (
    b.nicType === a.nicType &&
    (b.securityEnabled !== false) === (a.securityEnabled !== false) &&
    b.groupIds.length === a.groupIds.length &&
    b.groupIds.every((g, i) => g === a.groupIds[i])
  );
}

const sameSpans = (a: Spans, b: Spans) =>
  a.length === b.length && a.every((s, i) => s[0] === b[i][0] && s[1] === b[i][1]);

/**
 * Fewer boxes for the same packets: two disjoint boxes equal in every dimension but one are
 * their union with that dimension's spans joined. Repeated until no pair merges (exact: the
 * union of the two is exactly the merged box).
 */
/** The union of two boxes as one box, when they differ in exactly one dimension. */
function mergedBox(a: Box, b: Box): Box | null {
  let union: Box | null = null;
  for (const d of ['protocol', 'l4', 'srcPort', 'addr'] as const) {
    if (sameSpans(a[d], b[d])) continue;
    if (union) return null;
    union = { ...a, [d]: spansOf([...a[d], ...b[d]]) };
  }
  return union;
}

export function mergeBoxes(set: PacketSet, limit = 200): PacketSet {
  // Pairwise merging is quadratic per pass: past `limit` boxes the set is shown as cut.
  if (set.boxes.length > limit) return set;
  let boxes: Box[] = [...set.boxes];
  for (let merged = true; merged && boxes.length > 1;) {
    merged = false;
    outer: for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const union = mergedBox(boxes[i], boxes[j]);
        if (!union) continue;
        boxes = [...boxes.slice(0, i), union, ...boxes.slice(i + 1, j), ...boxes.slice(j + 1)];
        merged = true;
        break outer;
      }
  }
  return boxes.reduce((acc, b) => acc.unionDisjoint(PacketSet.of(b)), PacketSet.empty());
}
