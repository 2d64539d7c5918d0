// Reachability agrees with the reference evaluator: for random regions of every profile, a
// sampled packet between two ports (from an address of one to an address of the other) lies in
// the pair's allowed paths exactly when the reference evaluator passes both the sender's egress
// and the receiver's ingress, and the path holding it names the entries the reference says
// decided each side. The factored matrix gives every pair what the pair computed alone gives,
// and the group view is the union, intersection and count over member pairs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PathDecider, Reachability, union } from '../../src/core/analysis/reachability.js';
import { PacketSet } from '../../src/core/analysis/space.js';
import { packetKeys } from '../../src/core/classifier/classifier.js';
import { ipFamily } from '../../src/core/address.js';
import type { Ethertype, Packet, RegionState } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import type { Explanation } from '../../src/core/verdict.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';

/** The addresses the engine delivers to this port (written out here, not taken from the module). */
function owned(index: RegionIndex, portId: string, family: Ethertype): string[] {
  const p = index.ports.get(portId)!.port;
  const all = [...p.ipv4, ...p.ipv6, ...p.virtualIps, ...(p.publicIpv4 ? [p.publicIpv4] : [])];
  return [...new Set(all)].filter((ip) => ipFamily(ip) === family && index.portOwning(ip) === portId);
}

function sameDecider(path: PathDecider, e: Explanation, unsecured: boolean): boolean {
  if (unsecured) return path.kind === 'unsecured';
  const d = e.decidedBy;
  if (d.kind === 'rule')
    return path.kind === 'rule' && path.ruleId === d.ruleId && path.groupId === d.groupId;
  if (d.kind === 'innerAccess') return path.kind === 'innerAccess' && path.groupId === d.groupId;
  return path.kind === 'default';
}

function expectAgreement(state: RegionState, packets: Packet[]): void {
  const index = new RegionIndex(state);
  const reach = new Reachability(index);
  const ports = [...index.ports.keys()];
  for (const from of ports)
    for (const to of ports) {
      if (from === to) continue;
      const paths = reach.paths(from, to);
      for (const template of packets) {
        const family = template.ethertype;
        for (const src of owned(index, from, family))
          for (const dst of owned(index, to, family)) {
            const packet = { ...template, src, dst };
            const egress = referenceExplain(index, from, 'egress', packet);
            const ingress = referenceExplain(index, to, 'ingress', packet);
            const passes = egress.verdict === 'allow' && ingress.verdict === 'allow';
            const k = packetKeys('egress', packet);
            const holding = paths.filter(
              (p) =>
                p.ethertype === family &&
                p.fromAddress === src &&
                p.toAddress === dst &&
                p.services.contains(k),
            );
            const where = JSON.stringify({ from, to, packet });
            expect(holding.length, where).toBe(passes ? 1 : 0);
            if (passes) {
              const unsecured = (id: string) => index.ports.get(id)!.port.securityEnabled === false;
              expect(sameDecider(holding[0].egress, egress, unsecured(from)), where).toBe(true);
              expect(sameDecider(holding[0].ingress, ingress, unsecured(to)), where).toBe(true);
            }
            // The pair's services hold the packet when this address pair passes it.
            if (passes) expect(reach.services(from, to).get(family)?.contains(k), where).toBe(true);
          }
      }
    }
  // The matrix (computed per class of interchangeable ports) gives each pair its own services.
  const fromMatrix = new Map(reach.allowedPairs().map((p) => [`${p.from}>${p.to}`, p.services]));
  expect(reach.allowedCount).toBe(fromMatrix.size);
  for (const from of ports)
    for (const to of ports) {
      if (from === to) continue;
      const alone = reach.services(from, to);
      const factored = fromMatrix.get(`${from}>${to}`) ?? new Map();
      for (const f of ['IPv4', 'IPv6'] as const) {
        const a = alone.get(f) ?? PacketSet.empty();
        const b = factored.get(f) ?? PacketSet.empty();
        expect(a.equals(b), `${from}>${to} ${f}`).toBe(true);
      }
    }
  // Groups: counts, union and intersection over member pairs.
  const members = new Map(state.groups.map((g) => [g.id, index.membersOf(g.id).map((p) => p.id)]));
  const byGroups = new Map(reach.groups(members).map((g) => [`${g.from}>${g.to}`, g]));
  for (const [g, gm] of members)
    for (const [h, hm] of members) {
      let allowed = 0;
      let total = 0;
      const some = new Map<Ethertype, PacketSet>();
      for (const a of gm)
        for (const b of hm) {
          if (a === b) continue;
          total++;
          const s = reach.services(a, b);
          if (s.size) allowed++;
          for (const [f, set] of s) some.set(f, union(some.get(f) ?? PacketSet.empty(), set));
        }
      const got = byGroups.get(`${g}>${h}`);
      expect(got?.allowed ?? 0, `${g}>${h}`).toBe(allowed);
      if (got) {
        expect(got.total).toBe(total);
        for (const f of ['IPv4', 'IPv6'] as const)
          expect((got.some.get(f) ?? PacketSet.empty()).equals(some.get(f) ?? PacketSet.empty())).toBe(true);
        // What every pair allows lies in what each pair allows.
        for (const a of gm)
          for (const b of hm) {
            if (a === b) continue;
            const s = reach.services(a, b);
            for (const [f, set] of got.every)
              expect(set.subtractSet(s.get(f) ?? PacketSet.empty()).isEmpty).toBe(true);
          }
      }
    }
}

describe('reachability agrees with the reference evaluator', () => {
  for (const kind of KINDS)
    it(`${kind}: random regions, packets between every pair of ports`, () => {
      fc.assert(
        fc.property(regionArb(kind), fc.array(packetArb, { minLength: 10, maxLength: 20 }), expectAgreement),
        { numRuns: 30 },
      );
    });
});
