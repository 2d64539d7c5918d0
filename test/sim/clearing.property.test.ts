// Invariants of the clearing policies under random traffic and random changes:
// huawei/openstack never clear an outbound-originated connection; alibaba leaves no connection
// alive on an affected port that the new policy would deny.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/changes.js';
import type { Direction, Rule } from '../../src/core/model.js';
import { Simulator } from '../../src/sim/simulator.js';
import { type Kind, V4_POOL, regionArb, setChangeArb } from '../support/arbitraries.js';

const PORTS = ['p1', 'p2', 'p3', 'p4', 'p5'];
const GROUPS = ['sg-a', 'sg-b', 'sg-c', 'sg-d'];

const flowArb = fc.record({
  from: fc.constantFrom(...PORTS, '8.8.8.8', '192.168.3.4'),
  to: fc.constantFrom(...PORTS, '8.8.8.8', '10.0.1.9'),
  protocol: fc.constantFrom('tcp' as const, 'udp' as const),
  srcPort: fc.constantFrom(1000, 1005, 40000),
  dstPort: fc.constantFrom(22, 80, 443, 1000),
});

function ruleChangeArb(kind: Kind): fc.Arbitrary<Change> {
  const withDeny = kind !== 'openstack' && kind !== 'alibaba-advanced';
  const rule = fc
    .record({
      direction: fc.constantFrom('ingress' as const, 'egress' as const),
      action: withDeny ? fc.constantFrom('allow' as const, 'deny' as const) : fc.constant('allow' as const),
      port: fc.constantFrom(22, 80, 443, 1000),
      cidr: fc.constantFrom('0.0.0.0/0', '10.0.0.0/24', '8.8.8.8/32'),
      n: fc.nat(1_000_000),
    })
    .map(({ direction, action, port, cidr, n }): Rule => ({
      id: `new-${n}`,
      direction,
      ethertype: 'IPv4',
      protocol: 'tcp',
      ports: [{ from: port, to: port }],
      remote: { kind: 'cidr', cidr },
      action,
      priority: 1,
      nicType: 'intranet',
    }));
  return fc.oneof(
    fc
      .record({ groupId: fc.constantFrom(...GROUPS), rule })
      .map((c): Change => ({ kind: 'ruleAdded', ...c })),
    fc
      .record({ groupId: fc.constantFrom(...GROUPS), i: fc.nat(12) })
      .map((c): Change => ({ kind: 'ruleRemoved', groupId: c.groupId, ruleId: `${c.groupId}-r${c.i}` })),
    setChangeArb,
  );
}

describe('clearing invariants under random changes', () => {
  for (const kind of ['huawei', 'openstack', 'alibaba-basic', 'alibaba-advanced'] as const) {
    it(`${kind}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          regionArb(kind),
          fc.array(flowArb, { minLength: 5, maxLength: 25 }),
          fc.array(ruleChangeArb(kind), { minLength: 1, maxLength: 4 }),
          async (state, flows, changes) => {
            await new Promise((r) => setImmediate(r));
            const sim = new Simulator(state);
            // Flows between endpoints that have an IPv4 address.
            const ipv4 = (endpoint: string) =>
              V4_POOL.includes(endpoint) || sim.engine.index.ports.get(endpoint)?.port.ipv4.length;
            for (const f of flows)
              if (ipv4(f.from) && ipv4(f.to) && f.from !== f.to) sim.send(f.from, f.to, f);
            for (const change of changes) {
              const before = sim.connections().filter((c) => c.state !== 'CLEARED');
              const report = sim.apply(change);
              const after = sim.connections();
              const key = (c: (typeof after)[number]) =>
                `${c.portId}|${c.protocol}|${c.src}|${c.srcPort}|${c.dst}|${c.dstPort}`;
              const cleared = new Set(after.filter((c) => c.state === 'CLEARED').map(key));
              if (kind === 'huawei' || kind === 'openstack') {
                expect(report.dropped).toBe(0);
                for (const c of before) if (c.origin === 'outbound') expect(cleared.has(key(c))).toBe(false);
              } else {
                expect(report.cleared).toBe(0);
                for (const c of after) {
                  if (!report.plan.reevaluate.has(c.portId)) continue;
                  const direction: Direction = c.origin === 'inbound' ? 'ingress' : 'egress';
                  const packet = {
                    ethertype: 'IPv4' as const,
                    protocol: c.protocol,
                    src: c.src,
                    dst: c.dst,
                    srcPort: c.srcPort,
                    dstPort: c.dstPort,
                  };
                  expect(sim.engine.allows(c.portId, direction, packet)).toBe(true);
                }
              }
            }
          },
        ),
        { numRuns: 120 },
      );
    });
  }
});
