// Who reaches whom in a region, exactly: a first packet from port A to port B passes when A's
// egress policy allows it towards the destination address and B's ingress policy allows it from
// the source address (engine.ts checkFlow: the port owning each address decides its side;
// nothing else stands between two ports in Palisade's model, a VPC boundary included). For each
// policy class (ports with the same groups, NIC type and port security share one policy) each
// side's allowed packets are computed once (decided.ts), cut by deciding entry; an address
// then selects the pieces whose remote spans hold it (addresses held by the same span sets
// select alike: selections are made per address class). Ports whose addresses select the same
// pieces under every class are interchangeable, so the matrix is computed per class of sources
// times class of destinations, not per pair of ports; and a cell combines what two selections
// let through once per distinct pair of such service sets, whatever rules decide them.
import { ipFamily } from '../address.js';
import { addrKey } from '../classifier/keys.js';
import type { Direction, Ethertype, Port } from '../model.js';
import { isSecured } from '../policy.js';
import type { RegionIndex } from '../region-index.js';
import { decidedPolicy, newRemoteCache, type RemoteCache } from './decided.js';
import { type Box, boxesMeet, PacketSet, type Spans, universe } from './space.js';

export const FAMILIES: readonly Ethertype[] = ['IPv4', 'IPv6'];

/** What lets one side's packets through. */
export type PathDecider =
  | { kind: 'rule'; ruleId: string; groupId: string }
  | { kind: 'innerAccess'; groupId: string }
  | { kind: 'default' }
  | { kind: 'unsecured' };

/** The packets of one address pair that one decider on each side lets through. */
export interface Path {
  ethertype: Ethertype;
  fromAddress: string;
  toAddress: string;
  egress: PathDecider;
  ingress: PathDecider;
  /** Protocol, L4 key and source port (the address dimension is every address). */
  services: PacketSet;
}

/** A port as an endpoint: its policy class and the addresses that deliver to it, per family. */
interface Endpoint {
  port: Port;
  classKey: string;
  addresses: Map<Ethertype, { ip: string; key: bigint; index: number }[]>;
}

/** One piece of a side's allowed packets: what one decider lets through, over the remote spans `set`. */
interface Piece {
  decider: PathDecider;
  /** The piece's packets with the address dimension opened to every address. */
  services: Box;
  set: number;
}

/** The pieces a side applies to one remote address; equal selections of a side are one object. */
interface Selection {
  /** Unique over all sides. */
  uid: number;
  pieces: Piece[];
  /**
   * What the pieces let through, whoever decides: selections of any side with the same boxes
   * share this id, so the matrix (which needs no deciders) combines each pair of them once.
   */
  services: number;
}

interface SideTable {
  ethertype: Ethertype;
  pieces: Piece[];
  /** The distinct remote span sets of the pieces, and the pieces over each. */
  sets: { set: number; pieces: Piece[] }[];
  /** Selections by address class, and by which pieces they hold. */
  at: Map<number, Selection>;
  byPieces: Map<string, Selection>;
}

/** What one source address may send to one destination address: per pair of pieces, and all of it. */
interface PairResult {
  paths: { egress: Piece; ingress: Piece; services: PacketSet }[];
  services: PacketSet;
}

const EMPTY = PacketSet.empty();

/** Pair keys are egress uid × this + ingress uid: exact as long as uids stay below it. */
const UID_BOUND = 2 ** 26;

/** Distinct remote span sets of one family, with which endpoint addresses each holds. */
class SpanSets {
  private readonly ids = new Map<string, number>();
  readonly spans: Spans[] = [];
  private readonly holderClassLists: (number[] | undefined)[] = [];
  /** Address indices in address order. */
  private readonly order: number[];

  constructor(private readonly addresses: readonly bigint[]) {
    this.order = addresses
      .map((_, i) => i)
      .sort((a, b) => (addresses[a] < addresses[b] ? -1 : addresses[a] > addresses[b] ? 1 : 0));
  }

  id(spans: Spans): number {
    const key = spans.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.spans.length;
      this.ids.set(key, id);
      this.spans.push(spans);
      this.holderClassLists.push(undefined);
    }
    return id;
  }

  /** The addresses set `id` holds: per span, a binary search for its first address, then a walk. */
  holders(id: number): number[] {
    const out: number[] = [];
    const n = this.order.length;
    for (const [lo, hi] of this.spans[id]) {
      let a = 0;
      let b = n;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (this.addresses[this.order[mid]] < lo) a = mid + 1;
        else b = mid;
      }
      for (; a < n && this.addresses[this.order[a]] <= hi; a++) out.push(this.order[a]);
    }
    return out;
  }

  /** The address classes (see classes()) whose addresses set `id` holds. */
  holderClasses(id: number, of: Int32Array): number[] {
    let found = this.holderClassLists[id];
    if (!found) this.holderClassLists[id] = found = [...new Set(this.holders(id).map((i) => of[i]))];
    return found;
  }

  /**
   * Addresses held by exactly the same sets are interchangeable on every side whose pieces
   * these sets are: a class id per address, and one address of each class.
   */
  classes(): { of: Int32Array; representative: number[] } {
    const held: number[][] = this.addresses.map(() => []);
    for (let id = 0; id < this.spans.length; id++) for (const i of this.holders(id)) held[i].push(id);
    const byKey = new Map<string, number>();
    const of = new Int32Array(this.addresses.length);
    const representative: number[] = [];
    held.forEach((ids, i) => {
      const key = ids.join(',');
      let c = byKey.get(key);
      if (c === undefined) {
        c = representative.length;
        byKey.set(key, c);
        representative.push(i);
      }
      of[i] = c;
    });
    return { of, representative };
  }
}

/** The ports considered, as equivalence classes of sources (rows) and destinations (columns). */
export interface ReachMatrix {
  rows: string[][];
  cols: string[][];
  /** Cells that allow something, per family (a family missing: nothing of it). */
  cells: { row: number; col: number; services: Map<Ethertype, PacketSet> }[];
}

const policyClass = (port: Port) =>
  `${isSecured(port) ? 'secured' : 'unsecured'}|${port.nicType}|${port.groupIds.join(',')}`;

/** Every address that delivers to the port (private, public, virtual), as the engine resolves owners. */
function portAddresses(index: RegionIndex, port: Port, ethertype: Ethertype): string[] {
  const all = [...port.ipv4, ...port.ipv6, ...port.virtualIps, ...(port.publicIpv4 ? [port.publicIpv4] : [])];
  return [...new Set(all)].filter((ip) => ipFamily(ip) === ethertype && index.portOwning(ip) === port.id);
}

/** The union of two packet sets (the result's boxes are disjoint). */
export function union(a: PacketSet, b: PacketSet): PacketSet {
  return a.isEmpty ? b : b.isEmpty ? a : a.unionDisjoint(b.subtractSet(a));
}

export class Reachability {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly representative = new Map<string, string>();
  private readonly sets = new Map<Ethertype, SpanSets>();
  /** Per class: its four sides (ingress/egress × IPv4/IPv6), made on first use. */
  private readonly tables = new Map<string, (SideTable | undefined)[]>();
  private readonly pairCache = new Map<number, PairResult>();
  private readonly classesOf = new Map<Ethertype, { of: Int32Array; representative: number[] }>();
  private readonly remoteCaches = new Map<Ethertype, RemoteCache>(FAMILIES.map((f) => [f, newRemoteCache()]));
  /** Distinct service sets (boxes written out as their key), and what pairs of them share. */
  private readonly serviceIds = new Map<string, number>();
  private readonly serviceBoxes: Box[][] = [];
  private readonly serviceCache = new Map<number, PacketSet>();
  /** Every selection, by uid. */
  private readonly byUid: Selection[] = [];
  private matrixCache: ReachMatrix | undefined;

  /** `portIds`: the ports to consider (default: every port of the region); the region decides everything else. */
  constructor(
    readonly index: RegionIndex,
    portIds?: Iterable<string>,
  ) {
    const ids = portIds ? [...portIds] : [...index.ports.keys()];
    const addressLists = new Map<Ethertype, bigint[]>(FAMILIES.map((f) => [f, []]));
    for (const id of ids) {
      const port = index.ports.get(id)?.port;
      if (!port || this.endpoints.has(id)) continue;
      const classKey = policyClass(port);
      if (!this.representative.has(classKey)) this.representative.set(classKey, id);
      const addresses = new Map(
        FAMILIES.map((f) => {
          const list = addressLists.get(f)!;
          return [
            f,
            portAddresses(index, port, f).map((ip) => {
              const key = BigInt(addrKey(f, ip));
              list.push(key);
              return { ip, key, index: list.length - 1 };
            }),
          ];
        }),
      );
      this.endpoints.set(id, { port, classKey, addresses });
    }
    for (const f of FAMILIES) this.sets.set(f, new SpanSets(addressLists.get(f)!));
  }

  get ports(): string[] {
    return [...this.endpoints.keys()];
  }

  /** One side of a policy class: its allowed packets cut by decider, each piece with its remote span set. */
  private table(classKey: string, direction: Direction, ethertype: Ethertype): SideTable {
    let sides = this.tables.get(classKey);
    if (!sides) this.tables.set(classKey, (sides = []));
    const at = (direction === 'egress' ? 2 : 0) + (ethertype === 'IPv6' ? 1 : 0);
    const t = sides[at];
    if (t) return t;
    const sets = this.sets.get(ethertype)!;
    const all = universe(ethertype);
    const d = decidedPolicy(
      this.index,
      this.representative.get(classKey)!,
      direction,
      ethertype,
      undefined,
      this.remoteCaches.get(ethertype),
    );
    const pieces: Piece[] = [];
    const add = (decider: PathDecider, set: PacketSet) => {
      for (const box of set.boxes)
        pieces.push({ decider, services: { ...box, addr: all.addr }, set: sets.id(box.addr) });
    };
    if (d.kind === 'unsecured') add({ kind: 'unsecured' }, d.allowed);
    for (const e of d.entries) {
      if (e.entry.kind === 'innerAccess') add({ kind: 'innerAccess', groupId: e.entry.group.id }, e.decides);
      else if (e.entry.rule.action === 'allow')
        add({ kind: 'rule', ruleId: e.entry.rule.id, groupId: e.entry.group.id }, e.decides);
    }
    if (d.kind === 'policy' && d.defaultVerdict === 'allow') add({ kind: 'default' }, d.unmatched);
    const bySet = new Map<number, Piece[]>();
    for (const piece of pieces) {
      const list = bySet.get(piece.set);
      if (list) list.push(piece);
      else bySet.set(piece.set, [piece]);
    }
    const table: SideTable = {
      ethertype,
      pieces,
      sets: [...bySet].map(([set, over]) => ({ set, pieces: over })),
      at: new Map(),
      byPieces: new Map(),
    };
    sides[at] = table;
    return table;
  }

  /** The pieces of a side that apply to one remote address. */
  private select(t: SideTable, addressIndex: number): Selection {
    const { of } = this.addressClasses(t.ethertype);
    if (!t.at.size) this.selectAll(t);
    return t.at.get(of[addressIndex])!;
  }

  /** Every address class's selection on one side: the pieces over the span sets holding it. */
  private selectAll(t: SideTable): void {
    const { of, representative } = this.addressClasses(t.ethertype);
    const sets = this.sets.get(t.ethertype)!;
    const held: number[][] = representative.map(() => []);
    t.sets.forEach((x, i) => {
      for (const c of sets.holderClasses(x.set, of)) held[c].push(i);
    });
    held.forEach((h, cls) => {
      const key = h.join(',');
      let s = t.byPieces.get(key);
      if (!s) {
        if (this.byUid.length >= UID_BOUND)
          throw new RangeError('too many distinct selections to key pairs exactly');
        const pieces = h.flatMap((i) => t.sets[i].pieces);
        s = {
          uid: this.byUid.length,
          pieces,
          services: this.servicesId(
            t.ethertype,
            pieces.map((x) => x.services),
          ),
        };
        this.byUid.push(s);
        t.byPieces.set(key, s);
      }
      t.at.set(cls, s);
    });
  }

  /**
   * Address classes of a family, once every side is made (so that every span set is known):
   * selections are made per class of addresses, not per address.
   */
  private addressClasses(ethertype: Ethertype): { of: Int32Array; representative: number[] } {
    let found = this.classesOf.get(ethertype);
    if (!found) {
      for (const classKey of this.representative.keys())
        for (const direction of ['ingress', 'egress'] as const) this.table(classKey, direction, ethertype);
      found = this.sets.get(ethertype)!.classes();
      this.classesOf.set(ethertype, found);
    }
    return found;
  }

  private endpoint(portId: string): Endpoint {
    const e = this.endpoints.get(portId);
    if (!e) throw new RangeError(`port ${portId} is not among the ports analysed`);
    return e;
  }

  /** An id per packet set object, for sharing what is made of the same sets. */
  private readonly setIds = new WeakMap<PacketSet, number>();
  private setId(set: PacketSet): number {
    let id = this.setIds.get(set);
    if (id === undefined) this.setIds.set(set, (id = ++this.lastSetId));
    return id;
  }
  private lastSetId = 0;

  private servicesId(ethertype: Ethertype, boxes: Box[]): number {
    const key = `${ethertype}:${boxes
      .map((b) => `${b.protocol.join(' ')}/${b.l4.join(' ')}/${b.srcPort.join(' ')}`)
      .sort()
      .join('|')}`;
    let id = this.serviceIds.get(key);
    if (id === undefined) {
      id = this.serviceBoxes.length;
      this.serviceIds.set(key, id);
      this.serviceBoxes.push(boxes);
    }
    return id;
  }

  /** What an egress selection and an ingress selection both let through (boxes disjoint). */
  private combineServices(e: Selection, i: Selection): PacketSet {
    const key = e.services * UID_BOUND + i.services;
    let out = this.serviceCache.get(key);
    if (!out) {
      out = PacketSet.empty();
      for (const be of this.serviceBoxes[e.services])
        for (const bi of this.serviceBoxes[i.services])
          if (boxesMeet(be, bi)) out = out.unionDisjoint(PacketSet.of(be).intersect(bi));
      this.serviceCache.set(key, out);
    }
    return out;
  }

  /** What one source address may send to one destination address, piece by piece. */
  private addressPair(from: Endpoint, to: Endpoint, ethertype: Ethertype, a: number, b: number): PairResult {
    const e = this.select(this.table(from.classKey, 'egress', ethertype), b);
    const i = this.select(this.table(to.classKey, 'ingress', ethertype), a);
    return this.combine(e, i);
  }

  private combine(e: Selection, i: Selection): PairResult {
    const key = e.uid * UID_BOUND + i.uid;
    let out = this.pairCache.get(key);
    if (!out) {
      out = { paths: [], services: PacketSet.empty() };
      for (const pe of e.pieces)
        for (const pi of i.pieces) {
          if (!boxesMeet(pe.services, pi.services)) continue;
          const services = PacketSet.of(pe.services).intersect(pi.services);
          out.paths.push({ egress: pe, ingress: pi, services });
          // Pieces of one side are disjoint at one address, so these are too.
          out.services = out.services.unionDisjoint(services);
        }
      this.pairCache.set(key, out);
    }
    return out;
  }

  /** The allowed paths from one port to another, per address pair and pair of deciders. */
  paths(fromId: string, toId: string): Path[] {
    const from = this.endpoint(fromId);
    const to = this.endpoint(toId);
    const out: Path[] = [];
    for (const ethertype of FAMILIES)
      for (const a of from.addresses.get(ethertype)!)
        for (const b of to.addresses.get(ethertype)!) {
          // Within one address pair, pieces of one side are disjoint: merge per pair of deciders.
          const byDeciders = new Map<string, Path>();
          for (const x of this.addressPair(from, to, ethertype, a.index, b.index).paths) {
            const k = JSON.stringify([x.egress.decider, x.ingress.decider]);
            const found = byDeciders.get(k);
            if (found) found.services = found.services.unionDisjoint(x.services);
            else
              byDeciders.set(k, {
                ethertype,
                fromAddress: a.ip,
                toAddress: b.ip,
                egress: x.egress.decider,
                ingress: x.ingress.decider,
                services: x.services,
              });
          }
          out.push(...byDeciders.values());
        }
    return out;
  }

  /** What the port may send to the other over any of their address pairs, per family. */
  services(fromId: string, toId: string): Map<Ethertype, PacketSet> {
    const from = this.endpoint(fromId);
    const to = this.endpoint(toId);
    const out = new Map<Ethertype, PacketSet>();
    for (const ethertype of FAMILIES) {
      let set = PacketSet.empty();
      for (const a of from.addresses.get(ethertype)!)
        for (const b of to.addresses.get(ethertype)!)
          set = union(set, this.addressPair(from, to, ethertype, a.index, b.index).services);
      if (!set.isEmpty) out.set(ethertype, set);
    }
    return out;
  }

  /**
   * Which pieces a port's addresses select on one side of every class, per family (uids by class
   * index; one uid per address): ports with equal selections and class are interchangeable there.
   */
  private selectionsOf(e: Endpoint, direction: Direction, classes: string[]): Map<Ethertype, number[][]> {
    const out = new Map<Ethertype, number[][]>();
    for (const ethertype of FAMILIES) {
      const addresses = e.addresses.get(ethertype)!;
      if (!addresses.length) continue;
      out.set(
        ethertype,
        classes.map((c) => {
          const t = this.table(c, direction, ethertype);
          return [...new Set(addresses.map((a) => this.select(t, a.index).uid))].sort((x, y) => x - y);
        }),
      );
    }
    return out;
  }

  /**
   * The matrix over classes of interchangeable ports: a source's row is fixed by its class and
   * by which ingress pieces of every class its addresses select; a destination's column likewise
   * with egress pieces. Every ordered pair of distinct ports (row, column) gets the cell's services.
   */
  matrix(): ReachMatrix {
    if (this.matrixCache) return this.matrixCache;
    const classes = [...this.representative.keys()];
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    interface Line {
      ids: string[];
      cls: number;
      sel: Map<Ethertype, number[][]>;
    }
    const lines = (direction: Direction): Line[] => {
      // Ports of one class whose addresses fall in the same address classes select alike:
      // their selections are looked up once.
      const alike = new Map<string, { e: Endpoint; ids: string[] }>();
      for (const [id, e] of this.endpoints) {
        const k = [
          e.classKey,
          ...FAMILIES.map((f) => {
            const addresses = e.addresses.get(f)!;
            // A family the port has no address of makes no side (a region without IPv6 decides none).
            if (!addresses.length) return '';
            const { of } = this.addressClasses(f);
            return [...new Set(addresses.map((a) => of[a.index]))].sort((x, y) => x - y).join(',');
          }),
        ].join('\u0000');
        const found = alike.get(k);
        if (found) found.ids.push(id);
        else alike.set(k, { e, ids: [id] });
      }
      const byKey = new Map<string, Line>();
      for (const { e, ids } of alike.values()) {
        const sel = this.selectionsOf(e, direction, classes);
        const k = `${e.classKey}\u0000${JSON.stringify([...sel])}`;
        const line = byKey.get(k);
        if (line) line.ids.push(...ids);
        else byKey.set(k, { ids: [...ids], cls: classIndex.get(e.classKey)!, sel });
      }
      return [...byKey.values()];
    };
    // A source's row: its class (egress) and what its addresses select in every class's ingress.
    const rows = lines('ingress');
    const cols = lines('egress');
    const cells: ReachMatrix['cells'] = [];
    const shared = new Map<number, Map<Ethertype, PacketSet>>();
    rows.forEach((row, r) =>
      cols.forEach((col, c) => {
        // A pair of distinct ports of the cell, if it has one.
        const from = row.ids[0];
        const to = col.ids[0] !== from ? col.ids[0] : (col.ids[1] ?? null);
        const pair = to !== null ? [from, to] : row.ids.length > 1 ? [row.ids[1], col.ids[0]] : null;
        if (!pair) return;
        // Cells whose answers are the same cached sets share one map of them.
        const found: PacketSet[] = [];
        for (const ethertype of FAMILIES) {
          const a = row.sel.get(ethertype)?.[col.cls];
          const b = col.sel.get(ethertype)?.[row.cls];
          found.push(
            !a || !b
              ? EMPTY
              : a.length === 1 && b.length === 1
                ? // One selection each side: the pair's answer is the cached combination.
                  this.combineServices(this.byUid[b[0]], this.byUid[a[0]])
                : (this.services(pair[0], pair[1]).get(ethertype) ?? EMPTY),
          );
        }
        if (found.every((x) => x.isEmpty)) return;
        const key = this.setId(found[0]) * UID_BOUND + this.setId(found[1]);
        let services = shared.get(key);
        if (!services) {
          services = new Map(FAMILIES.flatMap((f, i) => (found[i].isEmpty ? [] : [[f, found[i]] as const])));
          shared.set(key, services);
        }
        if (services.size) cells.push({ row: r, col: c, services });
      }),
    );
    this.matrixCache = { rows: rows.map((l) => l.ids), cols: cols.map((l) => l.ids), cells };
    return this.matrixCache;
  }

  /** Every ordered pair of distinct ports that allows something, with its services (from the matrix). */
  allowedPairs(limit = Infinity): { from: string; to: string; services: Map<Ethertype, PacketSet> }[] {
    const m = this.matrix();
    const out: { from: string; to: string; services: Map<Ethertype, PacketSet> }[] = [];
    for (const cell of m.cells)
      for (const from of m.rows[cell.row])
        for (const to of m.cols[cell.col]) {
          if (out.length >= limit) return out;
          if (from !== to) out.push({ from, to, services: cell.services });
        }
    return out;
  }

  /** How many ordered pairs of distinct ports allow something (counted per cell, not listed). */
  get allowedCount(): number {
    const m = this.matrix();
    let n = 0;
    for (const cell of m.cells) {
      const col = new Set(m.cols[cell.col]);
      const row = m.rows[cell.row];
      n += row.length * col.size - row.filter((id) => col.has(id)).length;
    }
    return n;
  }

  /** How many ordered pairs of distinct ports there are. */
  get pairCount(): number {
    return this.endpoints.size * (this.endpoints.size - 1);
  }

  /**
   * Group to group: over the ordered pairs of distinct ports (a member of `from`, a member of
   * `to`), how many allow something, what some pair allows (the union) and what every pair
   * allows (the intersection), per family.
   */
  groups(members: Map<string, string[]>): GroupReach[] {
    const m = this.matrix();
    const rowOf = new Map<string, number>();
    const colOf = new Map<string, number>();
    m.rows.forEach((ids, r) => ids.forEach((id) => rowOf.set(id, r)));
    m.cols.forEach((ids, c) => ids.forEach((id) => colOf.set(id, c)));
    const cellAt = new Map(m.cells.map((cell) => [`${cell.row}:${cell.col}`, cell.services]));
    const present = (ids: string[]) => ids.filter((id) => this.endpoints.has(id));
    const out: GroupReach[] = [];
    for (const [fromGroup, fromIds] of members)
      for (const [toGroup, toIds] of members) {
        const sources = present(fromIds);
        const targets = new Set(present(toIds));
        // Count per (row, column) how many pairs of distinct ports fall there.
        const counts = new Map<string, number>();
        const bump = (k: string, n: number) => counts.set(k, (counts.get(k) ?? 0) + n);
        const targetCols = new Map<number, number>();
        for (const id of targets) targetCols.set(colOf.get(id)!, (targetCols.get(colOf.get(id)!) ?? 0) + 1);
        for (const id of sources) {
          const r = rowOf.get(id)!;
          for (const [c, n] of targetCols) bump(`${r}:${c}`, n);
          if (targets.has(id)) bump(`${r}:${colOf.get(id)!}`, -1);
        }
        const total = sources.length * targets.size - sources.filter((id) => targets.has(id)).length;
        let allowed = 0;
        const some = new Map<Ethertype, PacketSet>();
        let every: Map<Ethertype, PacketSet> | null = null;
        for (const [k, n] of counts) {
          if (n <= 0) continue;
          const services = cellAt.get(k) ?? new Map<Ethertype, PacketSet>();
          if (services.size) allowed += n;
          for (const [f, s] of services) some.set(f, union(some.get(f) ?? PacketSet.empty(), s));
          const prev: Map<Ethertype, PacketSet> | null = every;
          const kept = new Map<Ethertype, PacketSet>();
          for (const f of FAMILIES) {
            const s = services.get(f);
            const both: PacketSet | undefined = prev === null ? s : s && prev.get(f)?.intersectSet(s);
            if (both && !both.isEmpty) kept.set(f, both);
          }
          every = kept;
        }
        if (allowed > 0)
          out.push({ from: fromGroup, to: toGroup, allowed, total, some, every: every ?? new Map() });
      }
    return out;
  }
}

export interface GroupReach {
  from: string;
  to: string;
  /** Ordered pairs of distinct member ports that allow something, of `total`. */
  allowed: number;
  total: number;
  some: Map<Ethertype, PacketSet>;
  every: Map<Ethertype, PacketSet>;
}
