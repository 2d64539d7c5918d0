// Exact set arithmetic over the first packets of one direction and family: a packet is four
// keys (classifier/keys.ts: protocol, L4 key — destination port or ICMP type/code —, source
// port, remote address), a box is a product of one span set per key, and a set of packets is a
// list of disjoint boxes. Subtraction splits a box one dimension at a time, so results stay
// disjoint and exact; nothing is sampled. Keys are bigints so IPv6 addresses fit.
import type { PacketKeys } from '../classifier/classifier.js';
import { ICMP_MAX_KEY, MAX_V4, MAX_V6 } from '../classifier/keys.js';
import type { Ethertype } from '../model.js';

/** Sorted, disjoint, non-adjacent inclusive intervals. */
export type Spans = readonly (readonly [bigint, bigint])[];

export const DIMENSIONS = ['protocol', 'l4', 'srcPort', 'addr'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Box = Readonly<Record<Dimension, Spans>>;

/** The largest key of each dimension (the L4 key spans ports and the ICMP key alike). */
export function universe(ethertype: Ethertype): Box {
  return {
    protocol: [[0n, 255n]],
    l4: [[0n, BigInt(Math.max(65535, ICMP_MAX_KEY))]],
    srcPort: [[0n, 65535n]],
    addr: [[0n, ethertype === 'IPv4' ? BigInt(MAX_V4) : MAX_V6]],
  };
}

/** Spans from any intervals (unsorted, overlapping): sorted and merged. */
export function spansOf(intervals: Iterable<readonly [bigint | number, bigint | number]>): Spans {
  const sorted = [...intervals]
    .map(([lo, hi]) => [BigInt(lo), BigInt(hi)] as const)
    .filter(([lo, hi]) => lo <= hi)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

export function intersectSpans(a: Spans, b: Spans): Spans {
  const out: [bigint, bigint][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
    const hi = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

export function subtractSpans(a: Spans, b: Spans): Spans {
  const out: [bigint, bigint][] = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    while (j < b.length && b[j][1] < lo) j++;
    let k = j;
    while (k < b.length && b[k][0] <= hi) {
      if (b[k][0] > lo) out.push([lo, b[k][0] - 1n]);
      lo = b[k][1] + 1n;
      if (lo > hi) break;
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

export const spansContain = (s: Spans, v: bigint) => s.some(([lo, hi]) => lo <= v && v <= hi);

/** Whether two span sets share a value: a merge walk, nothing allocated. */
function spansMeet(a: Spans, b: Spans): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i][1] < b[j][0]) i++;
    else if (b[j][1] < a[i][0]) j++;
    else return true;
  }
  return false;
}

/** Whether two boxes share a packet (the cheap question most pairs of rules answer "no" to). */
export const boxesMeet = (a: Box, b: Box) =>
  spansMeet(a.protocol, b.protocol) &&
  spansMeet(a.l4, b.l4) &&
  spansMeet(a.srcPort, b.srcPort) &&
  spansMeet(a.addr, b.addr);

function intersectBox(a: Box, b: Box): Box | null {
  // Most boxes a policy's walk intersects are disjoint: nothing is allocated for those.
  if (!boxesMeet(a, b)) return null;
  const out: Record<Dimension, Spans> = { ...a };
  for (const d of DIMENSIONS) out[d] = intersectSpans(a[d], b[d]);
  return out;
}

/** a − b as disjoint boxes: peel off, dimension by dimension, what lies outside b. */
function subtractBox(a: Box, b: Box): Box[] {
  if (!boxesMeet(a, b)) return [a];
  const out: Box[] = [];
  let rest: Box = a;
  for (const d of DIMENSIONS) {
    const outside = subtractSpans(rest[d], b[d]);
    if (outside.length) out.push({ ...rest, [d]: outside });
    rest = { ...rest, [d]: intersectSpans(rest[d], b[d]) };
  }
  return out;
}

/** A set of packets: disjoint boxes. */
export class PacketSet {
  private constructor(readonly boxes: readonly Box[]) {}

  static empty(): PacketSet {
    return new PacketSet([]);
  }

  static of(box: Box | null): PacketSet {
    return new PacketSet(box && DIMENSIONS.every((d) => box[d].length) ? [box] : []);
  }

  get isEmpty(): boolean {
    return this.boxes.length === 0;
  }

  meets(box: Box): boolean {
    for (const b of this.boxes) if (boxesMeet(b, box)) return true;
    return false;
  }

  meetsSet(other: PacketSet): boolean {
    for (const b of other.boxes) if (this.meets(b)) return true;
    return false;
  }

  intersect(box: Box): PacketSet {
    return new PacketSet(this.boxes.flatMap((x) => intersectBox(x, box) ?? []));
  }

  intersectSet(other: PacketSet): PacketSet {
    return new PacketSet(other.boxes.flatMap((b) => this.intersect(b).boxes));
  }

  subtract(box: Box): PacketSet {
    return this.meets(box) ? new PacketSet(this.boxes.flatMap((x) => subtractBox(x, box))) : this;
  }

  subtractSet(other: PacketSet): PacketSet {
    let out = new PacketSet(this.boxes);
    for (const b of other.boxes) {
      if (out.isEmpty) break;
      out = out.subtract(b);
    }
    return out;
  }

  /** Whether the two sets hold the same packets (however their boxes are cut). */
  equals(other: PacketSet): boolean {
    return this.subtractSet(other).isEmpty && other.subtractSet(this).isEmpty;
  }

  /** The union of two disjoint sets (what one ordered scan hands out is always disjoint). */
  unionDisjoint(other: PacketSet): PacketSet {
    return new PacketSet([...this.boxes, ...other.boxes]);
  }

  contains(k: PacketKeys): boolean {
    const keys: Record<Dimension, bigint> = {
      protocol: BigInt(k.protocol),
      l4: BigInt(k.l4),
      srcPort: BigInt(k.srcPort),
      addr: BigInt(k.addr),
    };
    return this.boxes.some((b) => DIMENSIONS.every((d) => spansContain(b[d], keys[d])));
  }
}
