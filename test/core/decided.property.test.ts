// The exact packet sets of the analysis agree with the reference evaluator: for random policies
// of every profile, each sampled packet lies in the decided set of exactly the entry the
// reference scan picks (or in the unmatched rest when none matches), and in the allowed set
// exactly when the reference allows it. Each entry's matched set holds a packet exactly when the
// entry's own match (the reference scan's spans) takes it, shadowed or not: the entries after
// everything is decided work theirs out only when read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidedPolicy } from '../../src/core/analysis/decided.js';
import { PacketSet, universe } from '../../src/core/analysis/space.js';
import { type PacketKeys, packetKeys } from '../../src/core/classifier/classifier.js';
import type { Direction, Ethertype, Packet, RegionState } from '../../src/core/model.js';
import type { Entry } from '../../src/core/order.js';
import { entrySpans, prepareLinearScan, referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';

const PORTS = ['p1', 'p2', 'p3', 'p4', 'p5'];
const DIRECTIONS: Direction[] = ['ingress', 'egress'];

function expectAgreement(state: RegionState, packets: Packet[]): void {
  const index = new RegionIndex(state);
  for (const portId of PORTS)
    for (const direction of DIRECTIONS)
      for (const family of ['IPv4', 'IPv6'] as Ethertype[]) {
        const sets = decidedPolicy(index, portId, direction, family);
        const scan = prepareLinearScan(index, portId, direction, family);
        for (const packet of packets.filter((p) => p.ethertype === family)) {
          const k = packetKeys(direction, packet);
          const deciding = sets.entries.flatMap((e, i) => (e.decides.contains(k) ? [i] : []));
          const where = JSON.stringify({ portId, direction, packet });
          // Decided sets are disjoint, and the one holding the packet is the scan's first match.
          expect(deciding.length, where).toBeLessThanOrEqual(1);
          if (scan) expect(deciding[0] ?? -1, where).toBe(scan(k));
          expect(sets.unmatched.contains(k), where).toBe(deciding.length === 0);
          const want = referenceExplain(index, portId, direction, packet).verdict === 'allow';
          expect(sets.allowed.contains(k), where).toBe(want);
          const matching = sets.entries.map((e) => e.matches.contains(k));
          expect(matching, where).toEqual(sets.entries.map((e) => spansTake(index, e.entry, family, k)));
        }
      }
}

/** Whether an entry by itself matches the keys, as the reference scan tests it. */
function spansTake(index: RegionIndex, entry: Entry, family: Ethertype, k: PacketKeys): boolean {
  const m = entrySpans(index, entry, family);
  const within = <T>(v: T, ranges: [T, T][]) => ranges.some(([lo, hi]) => lo <= v && v <= hi);
  return (
    (m.proto === null || m.proto === k.protocol) &&
    (!m.l4 || within(k.l4, m.l4)) &&
    (!m.src || within(k.srcPort, m.src)) &&
    (!m.addr || within(k.addr, m.addr))
  );
}

describe('decided packet sets agree with the reference evaluator', () => {
  for (const kind of KINDS)
    it(`${kind}: random policies and packets`, () => {
      fc.assert(
        fc.property(regionArb(kind), fc.array(packetArb, { minLength: 20, maxLength: 40 }), expectAgreement),
        { numRuns: 60 },
      );
    });
});

describe('packet-set arithmetic', () => {
  const all = universe('IPv4');
  const tcp = (from: number, to: number) => ({
    ...all,
    protocol: [[6n, 6n]] as const,
    l4: [[BigInt(from), BigInt(to)]] as const,
  });

  it('a rule inside an earlier, broader one decides nothing; one that overlaps keeps the rest', () => {
    let remaining = PacketSet.of(all);
    remaining = remaining.subtract(tcp(20, 30));
    expect(remaining.intersect(tcp(22, 22)).isEmpty).toBe(true);
    const left = remaining.intersect(tcp(25, 40));
    expect(left.isEmpty).toBe(false);
    const keys = (port: number) => ({ protocol: 6, l4: port, srcPort: 1000, addr: 0x0a000001 });
    expect(left.contains(keys(31))).toBe(true);
    expect(left.contains(keys(30))).toBe(false);
    expect(left.contains(keys(41))).toBe(false);
  });

  it('subtracting everything leaves nothing, and the pieces of a subtraction are disjoint', () => {
    expect(PacketSet.of(all).subtract(all).isEmpty).toBe(true);
    const pieces = PacketSet.of(all).subtract(tcp(80, 80)).boxes;
    const probe = { protocol: 17, l4: 80, srcPort: 1, addr: 1 };
    const holding = pieces.filter((b) => PacketSet.of(b).contains(probe));
    expect(holding).toHaveLength(1);
  });
});
