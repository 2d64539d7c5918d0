// Port security (Neutron's port_security_enabled) in the core: a port with it off has no
// policy and passes everything; turning it on applies the port's policy and, like a port
// joining its groups, clears its inbound connections; the agent sees the toggle as a change.
import { describe, expect, it } from 'vitest';
import { coreChanges } from '../../src/control/core-changes.js';
import { Engine } from '../../src/core/engine.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { referenceExplain } from '../../src/core/reference.js';
import { Simulator } from '../../src/sim/simulator.js';
import { egress, group, pkt, port, region } from '../support/build.js';

function world() {
  const open = { ...port('O', '10.0.0.5', []), securityEnabled: false };
  return region(
    'openstack',
    [group('cli', [egress('all', { id: 'out', from: '0.0.0.0/0' })])],
    [open, port('C', '10.0.0.2', ['cli']), port('E', '10.0.0.3', [])],
  );
}

describe('port security off', () => {
  it('allows everything both ways, in the compiled engine and the reference evaluator alike', () => {
    const state = world();
    const engine = new Engine(state);
    const index = new RegionIndex(state);
    for (const [direction, packet] of [
      ['ingress', pkt('tcp', '192.0.2.9:40000', '10.0.0.5:22')],
      ['egress', pkt('udp', '10.0.0.5:5353', '198.51.100.1:53')],
    ] as const) {
      expect(engine.allows('O', direction, packet)).toBe(true);
      const explained = engine.explain('O', direction, packet);
      expect(explained.verdict).toBe('allow');
      expect(explained.decidedBy).toMatchObject({
        kind: 'default',
        reason: expect.stringContaining('port security'),
      });
      expect(referenceExplain(index, 'O', direction, packet).verdict).toBe('allow');
      // A port with port security on and no group stays closed.
      expect(engine.allows('E', direction, { ...packet, dst: '10.0.0.3', src: '10.0.0.3' })).toBe(false);
    }
  });

  it('clears the inbound connections of a port whose port security is turned on', () => {
    const sim = new Simulator(world());
    expect(sim.send('192.0.2.9', 'O', { protocol: 'tcp', srcPort: 40000, dstPort: 22 }).delivered).toBe(true);
    expect(
      sim.send('O', '192.0.2.9', { protocol: 'tcp', srcPort: 22, dstPort: 40000, flags: 'SA' }).delivered,
    ).toBe(true);
    expect(
      sim.send('192.0.2.9', 'O', { protocol: 'tcp', srcPort: 40000, dstPort: 22, flags: 'A' }).delivered,
    ).toBe(true);
    const report = sim.apply({ kind: 'portSecurityChanged', portId: 'O', enabled: true });
    expect([...report.plan.clearInbound]).toEqual(['O']);
    // Now in no group with port security on: closed, and the live connection is cut.
    expect(
      sim.send('192.0.2.9', 'O', { protocol: 'tcp', srcPort: 40000, dstPort: 22, flags: 'A' }).delivered,
    ).toBe(false);
    // Turned off again, nothing needs cutting and new connections pass.
    const off = sim.apply({ kind: 'portSecurityChanged', portId: 'O', enabled: false });
    expect(off.plan.clearInbound.size + off.plan.reevaluate.size).toBe(0);
    expect(sim.send('192.0.2.10', 'O', { protocol: 'tcp', srcPort: 40001, dstPort: 22 }).delivered).toBe(
      true,
    );
  });

  it("is a change the agent derives from an instance's new version", () => {
    const state = world();
    const before = new RegionIndex(state);
    const instance = state.instances.find((i) => i.ports[0].id === 'O')!;
    const { securityEnabled: _off, ...secured } = instance.ports[0];
    const changes = coreChanges(before, [
      { op: 'instance.put', instance: { ...instance, ports: [secured] } },
    ]);
    expect(changes).toEqual([{ kind: 'portSecurityChanged', portId: 'O', enabled: true }]);
  });
});
