// The four cloud formats, checked by sampling: a random policy of every profile translated for a
// format, written as its document and read back (as an export's proof does) allows, on every
// port and every group alone, what the source allows, except exactly where the proof reports a
// difference (ICMP types in the Alibaba and Huawei documents, a Neutron rule's second port range,
// source ports outside Alibaba's, ... are what they report).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODECS } from '../../src/compat/formats/index.js';
import { packetKeys } from '../../src/core/classifier/classifier.js';
import type { Direction, Packet, RegionState } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { allowedDifferences, probeId, withProbes } from '../../src/core/translate/equivalence.js';
import { translatedOrSkip } from '../support/translate.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];
const smaller = (a: fc.Arbitrary<RegionState>) =>
  a.map((s) => ({ ...s, groups: s.groups.map((g) => ({ ...g, rules: g.rules.slice(0, 5) })) }));

describe('a document read back is proven port by port', () => {
  for (const kind of KINDS)
    for (const [format, codec] of CODECS)
      it(`${kind} as ${format}: the proof reports exactly the packets whose verdict the document changes`, () => {
        fc.assert(
          fc.property(
            smaller(regionArb(kind)),
            fc.array(packetArb, { minLength: 15, maxLength: 25 }),
            (state, packets: Packet[]) => {
              const t = translatedOrSkip(state, codec.profile);
              const doc = codec.render(
                { groups: t.groups.map((g) => g.group), addressGroups: t.addressGroups },
                'r1',
              );
              const back = codec.parse(JSON.parse(JSON.stringify(doc)));
              expect(back.problems.list).toEqual([]);
              const ids = state.groups.map((g) => g.id);
              const source = withProbes(state, ids);
              const read = withProbes(
                { ...state, region: { ...state.region, profile: codec.profile }, ...back.policy },
                ids,
              );
              const ports = ['p1', 'p2', 'p3', 'p4', 'p5', ...ids.map(probeId)];
              const differences = allowedDifferences(source, read, ports);
              const a = new RegionIndex(source);
              const b = new RegionIndex(read);
              for (const portId of ports)
                for (const direction of DIRECTIONS)
                  for (const packet of packets) {
                    const k = packetKeys(direction, packet);
                    const changed =
                      referenceExplain(a, portId, direction, packet).verdict !==
                      referenceExplain(b, portId, direction, packet).verdict;
                    const reported = differences.some(
                      (d) =>
                        d.portId === portId &&
                        d.direction === direction &&
                        d.ethertype === packet.ethertype &&
                        (d.lost.contains(k) || d.gained.contains(k)),
                    );
                    expect(reported, JSON.stringify({ portId, direction, packet })).toBe(changed);
                  }
            },
          ),
          { numRuns: 6 },
        );
      });
});
