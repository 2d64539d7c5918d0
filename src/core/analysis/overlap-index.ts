// Which entries of a policy can share packets with a given box, without meeting every entry:
// the question findings and compaction ask once per entry, which made them quadratic. Each box is
// reduced to two numeric intervals that contain it: protocol and L4 key laid out as one line
// (protocol × (largest L4 key + 1) + L4 key, so "TCP port 22" is one point and "any protocol" the
// whole line), and the remote address range. Boxes that meet have meeting intervals, so the
// index only ever answers a superset; callers still meet the candidates exactly. The intervals
// on the line sit in a static interval tree (sorted by start, each node knowing the furthest end
// below it), so a query costs the log of the entry count plus the candidates it finds.
import { ICMP_MAX_KEY } from '../classifier/keys.js';
import type { Box } from './space.js';

const L4_WIDTH = Math.max(65535, ICMP_MAX_KEY) + 1;

interface Bounds {
  lineLo: number;
  lineHi: number;
  addrLo: number;
  addrHi: number;
}

/**
 * Number(bigint) rounds to the nearest double, which keeps order (a ≤ b gives Number(a) ≤
 * Number(b)), so intervals that meet still meet after the conversion, IPv6 addresses included.
 */
function boundsOf(box: Box): Bounds {
  const first = <T>(xs: readonly T[]) => xs[0];
  const last = <T>(xs: readonly T[]) => xs[xs.length - 1];
  return {
    lineLo: Number(first(box.protocol)[0]) * L4_WIDTH + Number(first(box.l4)[0]),
    lineHi: Number(last(box.protocol)[1]) * L4_WIDTH + Number(last(box.l4)[1]),
    addrLo: Number(first(box.addr)[0]),
    addrHi: Number(last(box.addr)[1]),
  };
}

/** A query's bounds: those of every box of a set (null: the set is empty). */
export function setBounds(boxes: readonly Box[]): Bounds | null {
  if (!boxes.length) return null;
  const out = boundsOf(boxes[0]);
  for (let k = 1; k < boxes.length; k++) {
    const b = boundsOf(boxes[k]);
    if (b.lineLo < out.lineLo) out.lineLo = b.lineLo;
    if (b.lineHi > out.lineHi) out.lineHi = b.lineHi;
    if (b.addrLo < out.addrLo) out.addrLo = b.addrLo;
    if (b.addrHi > out.addrHi) out.addrHi = b.addrHi;
  }
  return out;
}

export class OverlapIndex {
  private readonly count: number;
  /** In order of the line interval's start: each entry's position and bounds. */
  private readonly position: Int32Array;
  private readonly lineLo: Float64Array;
  private readonly lineHi: Float64Array;
  private readonly addrLo: Float64Array;
  private readonly addrHi: Float64Array;
  /** Over the sorted entries: the furthest line end in each implicit subtree (node 1: all). */
  private readonly maxEnd: Float64Array;
  private readonly stack: Int32Array;

  /** `boxes[i]`: the box entry i matches, or null when it matches nothing (never a candidate). */
  constructor(boxes: readonly (Box | null)[]) {
    const bounds = boxes.map((b) => (b ? boundsOf(b) : null));
    const order = bounds.flatMap((b, i) => (b ? [i] : []));
    order.sort((a, b) => bounds[a]!.lineLo - bounds[b]!.lineLo);
    const n = (this.count = order.length);
    this.position = Int32Array.from(order);
    this.lineLo = Float64Array.from(order, (i) => bounds[i]!.lineLo);
    this.lineHi = Float64Array.from(order, (i) => bounds[i]!.lineHi);
    this.addrLo = Float64Array.from(order, (i) => bounds[i]!.addrLo);
    this.addrHi = Float64Array.from(order, (i) => bounds[i]!.addrHi);
    this.maxEnd = new Float64Array(Math.max(1, 4 * n));
    this.stack = new Int32Array(3 * 64);
    if (n) this.build(1, 0, n);
  }

  private build(node: number, lo: number, hi: number): number {
    if (hi - lo === 1) return (this.maxEnd[node] = this.lineHi[lo]);
    const mid = (lo + hi) >> 1;
    return (this.maxEnd[node] = Math.max(this.build(2 * node, lo, mid), this.build(2 * node + 1, mid, hi)));
  }

  /**
   * Positions in [from, to) of the entries whose box may meet one of `boxes`, ascending. A
   * superset of those that do: meet each exactly.
   */
  candidates(boxes: readonly Box[], from = 0, to = Infinity): number[] {
    const q = setBounds(boxes);
    const out: number[] = [];
    if (!q || !this.count) return out;
    const { stack, maxEnd, lineLo } = this;
    // Depth-first over (node, lo, hi); the tree is balanced, so its depth is the log of the count.
    let top = 0;
    stack[top++] = 1;
    stack[top++] = 0;
    stack[top++] = this.count;
    while (top) {
      const hi = stack[--top];
      const lo = stack[--top];
      const node = stack[--top];
      // Nothing below ends at or after the query's start, or everything below starts after its end.
      if (maxEnd[node] < q.lineLo || lineLo[lo] > q.lineHi) continue;
      if (hi - lo === 1) {
        const i = this.position[lo];
        if (i >= from && i < to && this.addrLo[lo] <= q.addrHi && q.addrLo <= this.addrHi[lo]) out.push(i);
        continue;
      }
      const mid = (lo + hi) >> 1;
      stack[top++] = 2 * node + 1;
      stack[top++] = mid;
      stack[top++] = hi;
      stack[top++] = 2 * node;
      stack[top++] = lo;
      stack[top++] = mid;
    }
    return out.sort((a, b) => a - b);
  }
}
