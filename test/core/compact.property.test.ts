// Compaction decides every packet the same: on random policies of every profile, for each group,
// every sampled packet gets the same verdict from the reference evaluator before and after, on
// every port holding the group and on a port whose only group it is; the proposal is never
// larger. The drops must not rest on what remote groups and address groups hold now: the same
// proposal stays equivalent when ports' addresses and address groups' entries change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactGroup } from '../../src/core/analysis/compact.js';
import { aloneContexts } from '../../src/core/analysis/group-contexts.js';
import type { Direction, Packet, RegionState, Rule, SecurityGroup } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { KINDS, packetArb, regionArb, V4_POOL, V6_POOL } from '../support/arbitraries.js';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];

const withRules = (state: RegionState, groupId: string, rules: Rule[]): RegionState => ({
  ...state,
  groups: state.groups.map((g): SecurityGroup => (g.id === groupId ? { ...g, rules } : g)),
});

/** Ports' addresses and address groups' entries from `other`; groups and memberships kept. */
function otherContents(state: RegionState, other: RegionState): RegionState {
  const addresses = new Map(other.instances.flatMap((i) => i.ports.map((p) => [p.id, p] as const)));
  return {
    ...state,
    addressGroups: other.addressGroups,
    instances: state.instances.map((i) => ({
      ...i,
      ports: i.ports.map((p) => ({ ...p, ipv4: addresses.get(p.id)!.ipv4, ipv6: addresses.get(p.id)!.ipv6 })),
    })),
  };
}

/** Every port on addresses packets are drawn from, every address group holding more. */
function fullContents(state: RegionState): RegionState {
  let k = 0;
  return {
    ...state,
    addressGroups: state.addressGroups.map((ag) => ({
      ...ag,
      entries: [...ag.entries, '10.0.0.0/8', '2001:db8::/32'],
    })),
    instances: state.instances.map((i) => ({
      ...i,
      ports: i.ports.map((p) => ({ ...p, ipv4: [V4_POOL[k]], ipv6: [V6_POOL[k++]] })),
    })),
  };
}

function expectSameVerdicts(before: RegionState, after: RegionState, groupId: string, packets: Packet[]) {
  const contexts = (s: RegionState) => {
    const index = new RegionIndex(s);
    return [...index.membersOf(groupId).map((p) => ({ index, portId: p.id })), ...aloneContexts(s, groupId)];
  };
  const a = contexts(before);
  const b = contexts(after);
  expect(b.map((c) => c.portId)).toEqual(a.map((c) => c.portId));
  a.forEach((x, k) => {
    for (const direction of DIRECTIONS)
      for (const packet of packets) {
        const want = referenceExplain(x.index, x.portId, direction, packet).verdict;
        const got = referenceExplain(b[k].index, x.portId, direction, packet).verdict;
        expect(got, JSON.stringify({ groupId, port: x.portId, direction, packet })).toBe(want);
      }
  });
}

function expectEquivalent(state: RegionState, other: RegionState, packets: Packet[]): void {
  for (const group of state.groups) {
    const c = compactGroup(state, group.id);
    expect(c.rules.length).toBeLessThanOrEqual(group.rules.length);
    expect(c.counts.after).toBe(c.rules.length);
    expect(c.proof.every((p) => p.equivalent)).toBe(true);
    expectSameVerdicts(state, withRules(state, group.id, c.rules), group.id, packets);
    for (const moved of [otherContents(state, other), fullContents(state)])
      expectSameVerdicts(moved, withRules(moved, group.id, c.rules), group.id, packets);
  }
}

describe('compaction decides the same', () => {
  for (const kind of KINDS)
    it(`${kind}: random policies, every group, sampled packets`, () => {
      fc.assert(
        fc.property(
          regionArb(kind),
          regionArb(kind),
          fc.array(packetArb, { minLength: 30, maxLength: 50 }),
          expectEquivalent,
        ),
        { numRuns: 25 },
      );
    });
});
