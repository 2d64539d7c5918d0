// Translation between profiles (issue 13 item 9) checked by sampling: for random policies of
// every profile translated into every other, each sampled packet's verdict under the reference
// evaluator differs between the source and the translation exactly when the translation reports
// it among the packets it could not express (lost or gained) for that port, direction and family.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetKeys } from '../../src/core/classifier/classifier.js';
import type { Direction, Packet, Profile, RegionState } from '../../src/core/model.js';
import { PROFILES } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { probeId } from '../../src/core/translate/equivalence.js';
import { Problems, validateGroup } from '../../src/core/validate.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';
import { translatedOrSkip } from '../support/translate.js';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];

/**
 * At most five rules a group: an allow-only target can need hundreds of rules for a few denies
 * (every protocol but one, a CIDR's complement), and the proof grows with them.
 */
const smaller = (a: fc.Arbitrary<RegionState>) =>
  a.map((s) => ({ ...s, groups: s.groups.map((g) => ({ ...g, rules: g.rules.slice(0, 5) })) }));

function expectReportedExactly(state: RegionState, profile: Profile, packets: Packet[]): void {
  const t = translatedOrSkip(state, profile);
  const before = new RegionIndex(t.source);
  const after = new RegionIndex(t.target);
  const ports = [...['p1', 'p2', 'p3', 'p4', 'p5'], ...state.groups.map((g) => probeId(g.id))];
  for (const g of t.groups) {
    const p = new Problems();
    validateGroup(
      g.group.vpcId === null ? { ...g.group, vpcId: 'vpc-1' } : g.group,
      { ...state.region, profile },
      p,
      g.sourceId,
    );
    const nic = p.list.filter(
      (e) => !(state.region.profile === 'alibaba' && e.code === 'NIC_TYPE_NOT_SUPPORTED'),
    );
    expect(nic, `${g.sourceId} → ${profile}`).toEqual([]);
  }
  for (const portId of ports)
    for (const direction of DIRECTIONS)
      for (const packet of packets) {
        const k = packetKeys(direction, packet);
        const was = referenceExplain(before, portId, direction, packet).verdict;
        const is = referenceExplain(after, portId, direction, packet).verdict;
        const reported = t.differences.some(
          (d) =>
            d.portId === portId &&
            d.direction === direction &&
            d.ethertype === packet.ethertype &&
            (d.lost.contains(k) || d.gained.contains(k)),
        );
        expect(reported, JSON.stringify({ portId, direction, packet, was, is })).toBe(was !== is);
      }
}

describe('translation between profiles agrees with the reference evaluator', () => {
  for (const kind of KINDS)
    for (const profile of PROFILES)
      it(`${kind} → ${profile}: a packet is reported exactly when its verdict changes`, () => {
        fc.assert(
          fc.property(
            smaller(regionArb(kind)),
            fc.array(packetArb, { minLength: 15, maxLength: 25 }),
            (state, packets) => expectReportedExactly(state, profile, packets),
          ),
          { numRuns: 10 },
        );
      });
});
