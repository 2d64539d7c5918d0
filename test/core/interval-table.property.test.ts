// The interval table's bucket index must find the same row as a plain scan, after any splits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalTable } from '../../src/core/classifier/interval-table.js';

function rowByScan(bounds: number[], key: number): number {
  let row = 0;
  while (row + 1 < bounds.length && bounds[row + 1] <= key) row++;
  return row;
}

describe('interval table', () => {
  it.each([
    ['ports', 65535],
    ['ICMP keys', 65792],
    ['IPv4', 0xffffffff],
  ])('%s: find agrees with a scan after random cuts and splits', (_name, max) => {
    const key = fc.oneof(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: Math.min(max, 70000) }));
    fc.assert(
      fc.property(
        fc.array(key, { maxLength: 40 }),
        fc.array(key, { maxLength: 40 }),
        fc.array(key, { minLength: 1, maxLength: 40 }),
        (cuts, splits, probes) => {
          const table = new IntervalTable<number>(1, 0, max, cuts);
          for (const s of splits) {
            table.split(s);
            expect(table.bounds).toEqual([...table.bounds].sort((a, b) => a - b));
          }
          for (const k of [...probes, 0, max, ...table.bounds])
            expect(table.find(k)).toBe(rowByScan(table.bounds, k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("splitting copies the cut row's vector and cover() returns the rows of a range", () => {
    const t = new IntervalTable<number>(1, 0, 65535, [100]);
    t.setRange(100, 65535, 3);
    const [first, last] = t.cover(200, 300);
    expect(t.bounds).toEqual([0, 100, 200, 301]);
    expect([first, last]).toEqual([2, 2]);
    expect([...t.vecs.slice(0, 4)]).toEqual([0, 8, 8, 8]);
  });
});
