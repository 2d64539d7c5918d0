// Who reaches whom in a region, exactly: a first packet from port A to port B passes when A's
// egress policy allows it towards the destination address and B's ingress policy allows it from
// the source address (engine.ts checkFlow: the port owning each address decides its side;
// nothing else stands between two ports in Palisade's model, a VPC boundary included). For each
// policy class (ports with the same groups, NIC type and port security share one policy) each
// side's allowed packets are computed once (decided.ts), cut by deciding entry; an address
// then selects the pieces whose remote spans hold it. Ports whose addresses select the same
// pieces under every class are interchangeable, so the matrix is computed per class of sources
// times class of destinations, not per pair of ports.
import { ipFamily } from '../address.js';
import { addrKey } from '../classifier/keys.js';
import type { Direction, Ethertype, Port } from '../model.js';
import { isSecured } from '../policy.js';
import type { RegionIndex } from '../region-index.js';
import { decidedPolicy } from './decided.js';
import { type Box, PacketSet, type Spans, universe } from './space.js';

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

/** The pieces a side applies to one remote address, and a key naming that selection. */
interface Selection {
  key: string;
  pieces: Piece[];
}

interface SideTable {
  id: number;
  ethertype: Ethertype;
  pieces: Piece[];
  /** Selections by address index. */
  at: Map<number, Selection>;
}

/** Distinct remote span sets of one family, with which endpoint addresses each holds. */
class SpanSets {
  private readonly ids = new Map<string, number>();
  readonly spans: Spans[] = [];
  private readonly members: (Uint8Array | undefined)[] = [];

  constructor(private readonly addresses: readonly bigint[]) {}

  id(spans: Spans): number {
    const key = spans.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.spans.length;
      this.ids.set(key, id);
      this.spans.push(spans);
      this.members.push(undefined);
    }
    return id;
  }

  /** Whether address `index` lies in set `id`: one merge walk per set over the sorted addresses. */
  holds(id: number, index: number): boolean {
    let m = this.members[id];
    if (!m) {
      m = new Uint8Array(this.addresses.length);
      const spans = this.spans[id];
      const order = this.sortedOrder();
      let s = 0;
      for (const i of order) {
        const v = this.addresses[i];
        while (s < spans.length && spans[s][1] < v) s++;
        if (s < spans.length && spans[s][0] <= v) m[i] = 1;
      }
      this.members[id] = m;
    }
    return m[index] === 1;
  }

  private order: number[] | undefined;
  private sortedOrder(): number[] {
    this.order ??= this.addresses
      .map((_, i) => i)
      .sort((a, b) =>
        this.addresses[a] < this.addresses[b] ? -1 : this.addresses[a] > this.addresses[b] ? 1 : 0,
      );
    return this.order;
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
  private readonly tables = new Map<string, SideTable>();
  private readonly pairCache = new Map<string, { egress: Piece; ingress: Piece; services: PacketSet }[]>();
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
    const key = `${classKey}\u0000${direction}\u0000${ethertype}`;
    let t = this.tables.get(key);
    if (t) return t;
    const sets = this.sets.get(ethertype)!;
    const all = universe(ethertype);
    const d = decidedPolicy(this.index, this.representative.get(classKey)!, direction, ethertype);
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
    t = { id: this.tables.size, ethertype, pieces, at: new Map() };
    this.tables.set(key, t);
    return t;
  }

  /** The pieces of a side that apply to one remote address. */
  private select(t: SideTable, addressIndex: number): Selection {
    let s = t.at.get(addressIndex);
    if (!s) {
      const sets = this.sets.get(t.ethertype)!;
      const chosen: number[] = [];
      t.pieces.forEach((p, i) => {
        if (sets.holds(p.set, addressIndex)) chosen.push(i);
      });
      s = { key: chosen.join(','), pieces: chosen.map((i) => t.pieces[i]) };
      t.at.set(addressIndex, s);
    }
    return s;
  }

  private endpoint(portId: string): Endpoint {
    const e = this.endpoints.get(portId);
    if (!e) throw new RangeError(`port ${portId} is not among the ports analysed`);
    return e;
  }

  /** What one source address may send to one destination address, piece by piece. */
  private addressPair(from: Endpoint, to: Endpoint, ethertype: Ethertype, a: number, b: number) {
    const egress = this.table(from.classKey, 'egress', ethertype);
    const ingress = this.table(to.classKey, 'ingress', ethertype);
    const e = this.select(egress, b);
    const i = this.select(ingress, a);
    const key = `${egress.id}:${e.key}|${ingress.id}:${i.key}`;
    let out = this.pairCache.get(key);
    if (!out) {
      out = [];
      for (const pe of e.pieces)
        for (const pi of i.pieces) {
          const services = PacketSet.of(pe.services).intersect(pi.services);
          if (!services.isEmpty) out.push({ egress: pe, ingress: pi, services });
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
          for (const x of this.addressPair(from, to, ethertype, a.index, b.index)) {
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
        for (const b of to.addresses.get(ethertype)!) {
          let pair = PacketSet.empty();
          for (const x of this.addressPair(from, to, ethertype, a.index, b.index))
            pair = pair.unionDisjoint(x.services);
          set = union(set, pair);
        }
      if (!set.isEmpty) out.set(ethertype, set);
    }
    return out;
  }

  /** What selects a port's pieces on one side of every class: ports with equal keys are interchangeable there. */
  private signature(e: Endpoint, direction: Direction): string {
    const parts = [e.classKey];
    for (const classKey of this.representative.keys())
      for (const ethertype of FAMILIES) {
        const t = this.table(classKey, direction, ethertype);
        const keys = new Set(e.addresses.get(ethertype)!.map((a) => this.select(t, a.index).key));
        parts.push([...keys].sort().join(';'));
      }
    return parts.join('\u0000');
  }

  /**
   * The matrix over classes of interchangeable ports: a source's row is fixed by its class and
   * by which ingress pieces of every class its addresses select; a destination's column likewise
   * with egress pieces. Every ordered pair of distinct ports (row, column) gets the cell's services.
   */
  matrix(): ReachMatrix {
    if (this.matrixCache) return this.matrixCache;
    const group = (direction: Direction) => {
      const byKey = new Map<string, string[]>();
      for (const [id, e] of this.endpoints) {
        const k = this.signature(e, direction);
        const list = byKey.get(k);
        if (list) list.push(id);
        else byKey.set(k, [id]);
      }
      return [...byKey.values()];
    };
    // A source's row depends on the ingress of the destinations' classes, and its class's egress.
    const rows = group('ingress');
    const cols = group('egress');
    const cells: ReachMatrix['cells'] = [];
    rows.forEach((row, r) =>
      cols.forEach((col, c) => {
        const from = row[0];
        const to = col[0] !== from ? col[0] : (col[1] ?? null);
        const pair: [string, string] | null =
          to !== null ? [from, to] : row.length > 1 ? [row[1], col[0]] : null;
        if (!pair) return;
        const services = this.services(pair[0], pair[1]);
        if (services.size) cells.push({ row: r, col: c, services });
      }),
    );
    this.matrixCache = { rows, cols, cells };
    return this.matrixCache;
  }

  /** Every ordered pair of distinct ports that allows something, with its services (from the matrix). */
  allowedPairs(): { from: string; to: string; services: Map<Ethertype, PacketSet> }[] {
    const m = this.matrix();
    const out: { from: string; to: string; services: Map<Ethertype, PacketSet> }[] = [];
    for (const cell of m.cells)
      for (const from of m.rows[cell.row])
        for (const to of m.cols[cell.col]) if (from !== to) out.push({ from, to, services: cell.services });
    return out;
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
