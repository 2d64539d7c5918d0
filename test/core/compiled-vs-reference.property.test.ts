// The compiled classifier must agree with the reference evaluator on every packet, for every
// profile, and keep agreeing while memberships and address groups change incrementally.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import type { Direction, Packet } from '../../src/core/model.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { packetKeys } from '../../src/core/classifier/classifier.js';
import { prepareLinearScan, referenceExplain } from '../../src/core/reference.js';
import { KINDS, packetArb, regionArb, setChangeArb } from '../support/arbitraries.js';

/** Let the test runner's messages through between runs (each run is synchronous work). */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

const PORTS = ['p1', 'p2', 'p3', 'p4', 'p5'];
const DIRECTIONS: Direction[] = ['ingress', 'egress'];

function expectAgreement(engine: Engine, packets: Packet[]): void {
  const index = new RegionIndex(engine.state);
  for (const packet of packets) {
    for (const portId of PORTS) {
      for (const direction of DIRECTIONS) {
        const want = referenceExplain(index, portId, direction, packet);
        const got = engine.explain(portId, direction, packet);
        expect(got, JSON.stringify({ portId, direction, packet })).toEqual(want);
        expect(engine.allows(portId, direction, packet)).toBe(want.verdict === 'allow');
        // The benchmark's linear-scan baseline picks the same deciding entry as the classifier.
        const side = engine.side(portId, direction, packet.ethertype);
        const scan = prepareLinearScan(index, portId, direction, packet.ethertype);
        const k = packetKeys(direction, packet);
        expect(scan === null ? null : scan(k)).toBe(
          side === null ? null : side.classifier.decide(k.protocol, k.l4, k.srcPort, k.addr),
        );
      }
    }
  }
}

describe('compiled classifier agrees with the reference evaluator', () => {
  for (const kind of KINDS) {
    it(`${kind}: random policies and packets`, () => {
      fc.assert(
        fc.property(
          regionArb(kind),
          fc.array(packetArb, { minLength: 20, maxLength: 40 }),
          (state, packets) => {
            expectAgreement(new Engine(state), packets);
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${kind}: after incremental membership and address-group changes`, async () => {
      await fc.assert(
        fc.asyncProperty(
          regionArb(kind),
          fc.array(setChangeArb, { minLength: 1, maxLength: 8 }),
          fc.array(packetArb, { minLength: 10, maxLength: 20 }),
          async (state, changes, packets) => {
            await breathe();
            const engine = new Engine(state);
            expectAgreement(engine, packets); // compile everything before the changes
            for (const change of changes) {
              engine.apply(change);
              expectAgreement(engine, packets);
            }
            // And the incrementally edited engine answers like one compiled from scratch.
            const fresh = new Engine(engine.state);
            for (const packet of packets) {
              for (const portId of PORTS) {
                for (const direction of DIRECTIONS) {
                  expect(engine.explain(portId, direction, packet)).toEqual(
                    fresh.explain(portId, direction, packet),
                  );
                }
              }
            }
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});
