// The exact difference of two policies agrees with the reference evaluator: for random pairs of
// policies of every profile (the second one often sharing the first's groups, ports or address
// groups, so that only part of the region changed, or only some rules, and sometimes missing a
// port), a sampled
// packet lies in "newly allowed" exactly when the reference denies it before and allows it
// after, in "newly denied" for the reverse, and in the piece whose two deciders are the entries
// the reference names on each side. Reordering every group's rules changes no verdict under any
// profile (sorting by priority and action is stable), and the difference says "equivalent".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DiffDecider, type DiffPiece, mergeBoxes, policyDiff } from '../../src/core/analysis/diff.js';
import { PacketSet, universe } from '../../src/core/analysis/space.js';
import { packetKeys } from '../../src/core/classifier/classifier.js';
import type { Direction, Ethertype, Packet, RegionState } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import type { Decider } from '../../src/core/verdict.js';
import { KINDS, type Kind, packetArb, regionArb } from '../support/arbitraries.js';

const PORTS = ['p1', 'p2', 'p3', 'p4', 'p5'];
const DIRECTIONS: Direction[] = ['ingress', 'egress'];
const FAMILIES: Ethertype[] = ['IPv4', 'IPv6'];

/** A second policy: parts of a random one over the first, and sometimes without port p5. */
const pairArb = (kind: Kind) =>
  fc
    .record({
      before: regionArb(kind),
      other: regionArb(kind),
      groups: fc.boolean(),
      instances: fc.boolean(),
      addressGroups: fc.boolean(),
      dropPort: fc.boolean(),
      /** Only rules change: per group, how many of its rules stay and how many of the other's join. */
      rulesOnly: fc.option(fc.array(fc.tuple(fc.nat(4), fc.nat(3)), { minLength: 4, maxLength: 4 }), {
        nil: undefined,
      }),
    })
    .map(({ before, other, rulesOnly, ...take }): [RegionState, RegionState] => {
      if (rulesOnly) {
        const groups = before.groups.map((g, i) => ({
          ...g,
          rules: [...g.rules.slice(0, rulesOnly[i][0]), ...other.groups[i].rules.slice(0, rulesOnly[i][1])],
        }));
        return [before, { ...before, groups }];
      }
      const instances = (take.instances ? other : before).instances;
      const after: RegionState = {
        ...before,
        groups: (take.groups ? other : before).groups,
        addressGroups: (take.addressGroups ? other : before).addressGroups,
        instances: take.dropPort ? instances.filter((i) => !i.ports.some((p) => p.id === 'p5')) : instances,
      };
      return [before, after];
    });

/** Whether a diff decider names what the reference says decided. */
function names(d: DiffDecider, want: Decider): boolean {
  if (want.kind === 'rule') return d.kind === 'rule' && d.ruleId === want.ruleId;
  if (want.kind === 'innerAccess') return d.kind === 'innerAccess' && d.groupId === want.groupId;
  return ['default', 'closed', 'unsecured', 'portAbsent'].includes(d.kind);
}

function expectAgreement([before, after]: [RegionState, RegionState], packets: Packet[]): void {
  const b = new RegionIndex(before);
  const a = new RegionIndex(after);
  const diff = policyDiff(b, a);
  expect(diff.equivalent).toBe(diff.ports.length === 0);
  for (const portId of PORTS)
    for (const direction of DIRECTIONS)
      for (const ethertype of FAMILIES) {
        const d = diff.ports.find(
          (x) => x.portId === portId && x.direction === direction && x.ethertype === ethertype,
        );
        for (const packet of packets.filter((p) => p.ethertype === ethertype)) {
          const k = packetKeys(direction, packet);
          const was = referenceExplain(b, portId, direction, packet);
          const now = referenceExplain(a, portId, direction, packet);
          const where = JSON.stringify({ portId, direction, packet, was: was.decidedBy, now: now.decidedBy });
          const holding = (ps: DiffPiece[] | undefined) => (ps ?? []).filter((p) => p.packets.contains(k));
          const allowedNow = holding(d?.newlyAllowed);
          const deniedNow = holding(d?.newlyDenied);
          expect(allowedNow.length, where).toBe(was.verdict === 'deny' && now.verdict === 'allow' ? 1 : 0);
          expect(deniedNow.length, where).toBe(was.verdict === 'allow' && now.verdict === 'deny' ? 1 : 0);
          for (const piece of [...allowedNow, ...deniedNow]) {
            expect(names(piece.before, was.decidedBy), where).toBe(true);
            expect(names(piece.after, now.decidedBy), where).toBe(true);
          }
        }
      }
}

describe('policy differences agree with the reference evaluator', () => {
  for (const kind of KINDS)
    it(`${kind}: random pairs of policies, sampled packets`, () => {
      fc.assert(
        fc.property(pairArb(kind), fc.array(packetArb, { minLength: 20, maxLength: 40 }), expectAgreement),
        { numRuns: 60 },
      );
    });

  for (const kind of KINDS)
    it(`${kind}: a policy against itself and against its rules reordered is equivalent`, () => {
      fc.assert(
        fc.property(regionArb(kind), (state) => {
          expect(policyDiff(new RegionIndex(state), new RegionIndex(structuredClone(state))).equivalent).toBe(
            true,
          );
          const reordered: RegionState = {
            ...state,
            groups: state.groups.map((g) => ({ ...g, rules: [...g.rules].reverse() })),
            instances: [...state.instances].reverse(),
          };
          expect(policyDiff(new RegionIndex(state), new RegionIndex(reordered)).equivalent).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
});

describe('merging boxes', () => {
  it('joins boxes that differ in one dimension, and keeps exactly the same packets', () => {
    const all = universe('IPv4');
    const tcp = (from: bigint, to: bigint) => ({
      ...all,
      protocol: [[6n, 6n]] as const,
      l4: [[from, to]] as const,
    });
    const cut = PacketSet.of(tcp(20n, 30n)).unionDisjoint(PacketSet.of(tcp(31n, 40n)));
    const merged = mergeBoxes(cut);
    expect(merged.boxes).toHaveLength(1);
    expect(merged.equals(cut)).toBe(true);
    const apart = PacketSet.of(tcp(20n, 30n)).unionDisjoint(
      PacketSet.of({ ...tcp(50n, 60n), protocol: [[17n, 17n]] }),
    );
    expect(mergeBoxes(apart).boxes).toHaveLength(2);
  });
});
