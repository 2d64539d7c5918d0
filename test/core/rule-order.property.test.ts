// The position of a rule created now, from a group's counts per rank, is the one counting
// every rule gives (positionAmong), whatever puts, modifies and deletes came before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GroupType, Profile, Rule } from '../../src/core/model.js';
import { positionAmong, positionOfNew } from '../../src/control/rule-order.js';
import { GroupRecord } from '../../src/control/world.js';

const ruleArb = (id: string) =>
  fc
    .record({
      direction: fc.constantFrom('ingress' as const, 'egress' as const),
      action: fc.constantFrom('allow' as const, 'deny' as const),
      priority: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(110)),
    })
    .map((r): Rule => ({
      id,
      ...r,
      ethertype: 'IPv4',
      protocol: 'tcp',
      remote: { kind: 'cidr', cidr: '0.0.0.0/0' },
      nicType: 'intranet',
    }));

/** Puts of new or existing rules (by index into those put so far) and deletes. */
const opsArb = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('put' as const), target: fc.nat(), rule: ruleArb('') }),
    fc.record({ op: fc.constant('delete' as const), target: fc.nat() }),
  ),
  { maxLength: 60 },
);

const KINDS: [Profile, GroupType][] = [
  ['huawei', 'basic'],
  ['alibaba', 'basic'],
  ['alibaba', 'advanced'],
  ['openstack', 'basic'],
];

describe('position of a new rule', () => {
  it.each(KINDS)('%s %s: counts per rank agree with counting every rule', (profile, type) => {
    fc.assert(
      fc.property(opsArb, ruleArb('new'), (ops, candidate) => {
        const g = new GroupRecord(profile, { id: 'g', type } as GroupRecord['meta'], 1);
        const ids: string[] = [];
        ops.forEach((o, i) => {
          if (o.op === 'delete') {
            if (ids.length) g.deleteRule(ids[o.target % ids.length], i + 2);
            return;
          }
          // Half the puts modify a rule put before (it keeps its seq), half add one.
          const existing = ids.length && o.target % 2 ? g.rules.get(ids[o.target % ids.length]) : undefined;
          const id = existing?.rule.id ?? `r${i}`;
          if (!existing) ids.push(id);
          const seq = existing?.seq ?? g.nextSeq;
          g.putRule({ rule: { ...o.rule, id }, groupId: 'g', seq, revision: i + 2 });
        });
        const fresh = { rule: candidate, seq: g.nextSeq };
        expect(positionOfNew(profile, g, candidate)).toBe(
          positionAmong(profile, type, g.rules.values(), fresh),
        );
      }),
      { numRuns: 300 },
    );
  });
});
