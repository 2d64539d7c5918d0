// The overlap index only narrows which entries the findings meet: on random policies of every
// profile, the findings computed with it are exactly those of the plain scan over every entry
// (same findings, same order, same rules named), and the index never leaves out an entry whose
// box meets the query.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidedPolicy } from '../../src/core/analysis/decided.js';
import { portFindings } from '../../src/core/analysis/findings.js';
import { OverlapIndex } from '../../src/core/analysis/overlap-index.js';
import type { Direction, Ethertype, RegionState } from '../../src/core/model.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { KINDS, regionArb } from '../support/arbitraries.js';

const PORTS = ['p1', 'p2', 'p3', 'p4', 'p5'];

function expectSameFindings(state: RegionState): void {
  const index = new RegionIndex(state);
  for (const portId of PORTS)
    expect(portFindings(index, portId, 'indexed'), portId).toEqual(portFindings(index, portId, 'plain'));
}

function expectNoMissedCandidate(state: RegionState): void {
  const index = new RegionIndex(state);
  for (const portId of PORTS)
    for (const direction of ['ingress', 'egress'] as Direction[])
      for (const family of ['IPv4', 'IPv6'] as Ethertype[]) {
        const { entries } = decidedPolicy(index, portId, direction, family);
        const overlap = new OverlapIndex(entries.map((e) => e.matches.boxes[0] ?? null));
        entries.forEach((e, i) => {
          const want = entries.flatMap((x, k) => (x.matches.meetsSet(e.matches) ? [k] : []));
          const got = new Set(overlap.candidates(e.matches.boxes));
          expect(
            want.filter((k) => !got.has(k)),
            JSON.stringify({ portId, direction, family, i }),
          ).toEqual([]);
        });
      }
}

describe('findings with the overlap index', () => {
  for (const kind of KINDS) {
    it(`${kind}: the same findings as the plain scan`, () => {
      fc.assert(fc.property(regionArb(kind), expectSameFindings), { numRuns: 80 });
    });
    it(`${kind}: every entry that meets a query is a candidate`, () => {
      fc.assert(fc.property(regionArb(kind), expectNoMissedCandidate), { numRuns: 40 });
    });
  }
});
