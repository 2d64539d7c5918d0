// Every row of SEMANTICS.md's clearing table, played in the simulator with live connections:
// which connections a change cuts, which survive, and 003's wait before a cleared flow returns.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/changes.js';
import type { Profile, RegionState } from '../../src/core/model.js';
import { Simulator } from '../../src/sim/simulator.js';
import { addressGroup, egress, group, ingress, port, region } from '../support/build.js';

/**
 * Server S (group "srv", SSH open to the clients' group and to an address group) and client C
 * (group "cli"). S also holds an outbound connection to an outside host.
 */
function world(profile: Profile): { sim: Simulator; state: RegionState } {
  const allowAll = profile === 'alibaba' ? [] : [egress('all', { id: 'out', from: '0.0.0.0/0' })];
  const state = region(
    profile,
    [
      group(
        'srv',
        [
          ingress('tcp', { id: 'ssh', ports: '22', from: 'sg:cli' }),
          ingress('tcp', { id: 'admin', ports: '2222', from: 'ag:admins' }),
          ...allowAll,
        ],
        { innerAccessPolicy: 'Drop' },
      ),
      group('cli', [...allowAll], { innerAccessPolicy: 'Drop' }),
      group('spare', [...allowAll], { innerAccessPolicy: 'Drop' }),
    ],
    [port('S', '10.0.0.1', ['srv']), port('C', '10.0.0.2', ['cli']), port('N', '10.0.0.3', ['spare'])],
    [addressGroup('admins', ['192.168.1.0/24'])],
  );
  return { sim: new Simulator(state), state };
}

/** Open: C → S:22 (inbound at S), 192.168.1.5 → S:2222 (inbound at S), S → 8.8.8.8:443 (outbound at S). */
function open(sim: Simulator) {
  const ssh = sim.send('C', 'S', { protocol: 'tcp', srcPort: 50000, dstPort: 22 });
  const admin = sim.send('192.168.1.5', 'S', { protocol: 'tcp', srcPort: 50001, dstPort: 2222 });
  const out = sim.send('S', '8.8.8.8', { protocol: 'tcp', srcPort: 50002, dstPort: 443 });
  expect([ssh.delivered, admin.delivered, out.delivered]).toEqual([true, true, true]);
  // Replies complete the handshakes.
  expect(sim.send('S', 'C', { protocol: 'tcp', srcPort: 22, dstPort: 50000, flags: 'SA' }).delivered).toBe(
    true,
  );
  expect(
    sim.send('S', '192.168.1.5', { protocol: 'tcp', srcPort: 2222, dstPort: 50001, flags: 'SA' }).delivered,
  ).toBe(true);
  expect(
    sim.send('8.8.8.8', 'S', { protocol: 'tcp', srcPort: 443, dstPort: 50002, flags: 'SA' }).delivered,
  ).toBe(true);
}

/** Whether each of the three connections still passes its next packet (mid-stream ACKs). */
function alive(sim: Simulator) {
  return {
    ssh: sim.send('C', 'S', { protocol: 'tcp', srcPort: 50000, dstPort: 22, flags: 'A' }).delivered,
    admin: sim.send('192.168.1.5', 'S', { protocol: 'tcp', srcPort: 50001, dstPort: 2222, flags: 'A' })
      .delivered,
    out: sim.send('S', '8.8.8.8', { protocol: 'tcp', srcPort: 50002, dstPort: 443, flags: 'A' }).delivered,
  };
}

const denyAllIn = ingress('all', { id: 'deny-in', action: 'deny', priority: 1, from: '0.0.0.0/0' });
const denyOut = egress('tcp', {
  id: 'deny-out',
  action: 'deny',
  priority: 1,
  ports: '9999',
  from: '0.0.0.0/0',
});
const allowIn = ingress('udp', { id: 'dns', ports: '53', from: '0.0.0.0/0' });

interface Row {
  name: string;
  profile: Profile;
  change: (s: RegionState) => Change;
  expectCleared: boolean;
}

const srvRule = (s: RegionState, id: string) =>
  s.groups.find((g) => g.id === 'srv')!.rules.find((r) => r.id === id)!;

const rows: Row[] = [
  {
    name: 'add a deny rule (inbound)',
    profile: 'huawei',
    change: () => ({
      kind: 'ruleAdded',
      groupId: 'srv',
      rule: { ...denyAllIn, ports: [{ from: 9, to: 9 }], protocol: 'udp' },
    }),
    expectCleared: true,
  },
  {
    name: 'add a deny rule (outbound)',
    profile: 'huawei',
    change: () => ({ kind: 'ruleAdded', groupId: 'srv', rule: denyOut }),
    expectCleared: true,
  },
  {
    name: 'add an allow rule',
    profile: 'huawei',
    change: () => ({ kind: 'ruleAdded', groupId: 'srv', rule: allowIn }),
    expectCleared: false,
  },
  {
    name: 'add an allow rule',
    profile: 'openstack',
    change: () => ({ kind: 'ruleAdded', groupId: 'srv', rule: allowIn }),
    expectCleared: true,
  },
  {
    name: 'delete an inbound allow rule (another one)',
    profile: 'huawei',
    change: () => ({ kind: 'ruleRemoved', groupId: 'srv', ruleId: 'admin' }),
    expectCleared: true,
  },
  {
    name: 'delete an inbound allow rule (another one)',
    profile: 'openstack',
    change: () => ({ kind: 'ruleRemoved', groupId: 'srv', ruleId: 'admin' }),
    expectCleared: true,
  },
  {
    name: 'delete an outbound allow rule',
    profile: 'huawei',
    change: () => ({ kind: 'ruleRemoved', groupId: 'cli', ruleId: 'out' }),
    expectCleared: false,
  },
  {
    name: 'modify an inbound rule (port)',
    profile: 'huawei',
    change: (s) => ({
      kind: 'ruleModified',
      groupId: 'srv',
      rule: { ...srvRule(s, 'admin'), ports: [{ from: 2223, to: 2223 }] },
    }),
    expectCleared: true,
  },
  {
    name: 'modify an inbound rule (port)',
    profile: 'openstack',
    change: (s) => ({
      kind: 'ruleModified',
      groupId: 'srv',
      rule: { ...srvRule(s, 'admin'), ports: [{ from: 2223, to: 2223 }] },
    }),
    expectCleared: true,
  },
  {
    name: 'modify an inbound rule (description only)',
    profile: 'huawei',
    change: (s) => ({
      kind: 'ruleModified',
      groupId: 'srv',
      rule: { ...srvRule(s, 'ssh'), description: 'ssh' },
    }),
    expectCleared: false,
  },
  {
    name: 'modify an outbound rule',
    profile: 'huawei',
    change: (s) => ({
      kind: 'ruleModified',
      groupId: 'srv',
      rule: { ...srvRule(s, 'out'), remote: { kind: 'cidr', cidr: '8.0.0.0/8' } },
    }),
    expectCleared: false,
  },
  {
    name: 'address group used by an inbound rule changes',
    profile: 'huawei',
    change: () => ({
      kind: 'addressGroupEntriesChanged',
      addressGroupId: 'admins',
      added: ['172.16.0.0/16'],
      removed: [],
    }),
    expectCleared: true,
  },
  {
    name: 'address group used by an inbound rule changes',
    profile: 'openstack',
    change: () => ({
      kind: 'addressGroupEntriesChanged',
      addressGroupId: 'admins',
      added: ['172.16.0.0/16'],
      removed: [],
    }),
    expectCleared: true,
  },
  {
    name: 'a member joins the group',
    profile: 'huawei',
    change: () => ({ kind: 'memberAdded', groupId: 'srv', portId: 'N' }),
    expectCleared: true,
  },
  {
    name: 'a member joins the group',
    profile: 'openstack',
    change: () => ({ kind: 'memberAdded', groupId: 'srv', portId: 'N' }),
    expectCleared: true,
  },
];

describe('clearing table: huawei (002) and openstack (003)', () => {
  it.each(rows)(
    '$profile: $name → inbound cleared: $expectCleared; outbound survives',
    ({ profile, change, expectCleared }) => {
      const { sim, state } = world(profile);
      open(sim);
      const report = sim.apply(change(state));
      expect(report.cleared).toBe(expectCleared ? 2 : 0);
      // Still-allowed inbound connections are cut when cleared; the outbound one always survives.
      const now = alive(sim);
      expect(now.ssh).toBe(!expectCleared);
      expect(now.out).toBe(true);
    },
  );

  it('a member leaving clears the inbound entries of the remaining members too', () => {
    const { sim } = world('huawei');
    sim.apply({ kind: 'memberAdded', groupId: 'srv', portId: 'N' });
    open(sim);
    const report = sim.apply({ kind: 'memberRemoved', groupId: 'srv', portId: 'N' });
    expect(report.plan.clearInbound).toEqual(new Set(['S', 'N']));
    expect(alive(sim).ssh).toBe(false);
  });

  it('a membership change of a remote group clears the inbound entries of groups that name it', () => {
    const { sim } = world('openstack');
    open(sim);
    const report = sim.apply({ kind: 'memberAdded', groupId: 'cli', portId: 'N' });
    expect(report.plan.clearInbound.has('S')).toBe(true);
    expect(alive(sim)).toMatchObject({ ssh: false, out: true });
  });
});

describe('a cleared flow waits for its timeout (003)', () => {
  it('a persistent ping cut by a rule change is re-established 30 s later, under the new rules', () => {
    const state = region(
      'huawei',
      [
        group('srv', [
          ingress('icmp', { id: 'ping', from: '0.0.0.0/0' }),
          egress('all', { from: '0.0.0.0/0' }),
        ]),
      ],
      [port('S', '10.0.0.1', ['srv'])],
    );
    const sim = new Simulator(state);
    const ping = () =>
      sim.send('203.0.113.9', 'S', { protocol: 'icmp', icmpType: 8, srcPort: 7, dstPort: 7 }).delivered;
    expect(ping()).toBe(true);
    sim.apply({ kind: 'ruleAdded', groupId: 'srv', rule: { ...allowIn, id: 'noise' } }); // allow: nothing on huawei
    expect(ping()).toBe(true);
    sim.apply({
      kind: 'ruleAdded',
      groupId: 'srv',
      rule: ingress('tcp', { id: 'deny-x', action: 'deny', ports: '9', from: '0.0.0.0/0' }),
    });
    // Cleared: the ping is still allowed by the rules but its flow must wait out the 30 s.
    for (let t = 0; t < 29; t++) {
      expect(ping()).toBe(false);
      sim.advance(1);
    }
    sim.advance(1.5);
    expect(ping()).toBe(true);
  });
});

describe('alibaba: changes re-evaluate live connections (000)', () => {
  it('a new deny rule drops exactly the connections it now denies; others continue', () => {
    const { sim } = world('alibaba');
    open(sim);
    const report = sim.apply({
      kind: 'ruleAdded',
      groupId: 'srv',
      rule: ingress('tcp', { id: 'no-admin', action: 'deny', ports: '2222', from: '0.0.0.0/0' }),
    });
    expect(report.dropped).toBe(1);
    expect(report.cleared).toBe(0);
    expect(alive(sim)).toEqual({ ssh: true, admin: false, out: true });
  });

  it('an added allow rule drops nothing', () => {
    const { sim } = world('alibaba');
    open(sim);
    expect(sim.apply({ kind: 'ruleAdded', groupId: 'srv', rule: allowIn }).dropped).toBe(0);
    expect(alive(sim)).toEqual({ ssh: true, admin: true, out: true });
  });

  it('an outbound drop rule cuts the outbound connection it now denies', () => {
    const { sim } = world('alibaba');
    open(sim);
    sim.apply({
      kind: 'ruleAdded',
      groupId: 'srv',
      rule: egress('tcp', { id: 'no-443', action: 'deny', ports: '443', from: '0.0.0.0/0' }),
    });
    expect(alive(sim)).toEqual({ ssh: true, admin: true, out: false });
  });

  it('a client leaving the referenced group loses its connection; prefix-list changes re-evaluate', () => {
    const { sim } = world('alibaba');
    open(sim);
    sim.apply({ kind: 'memberAdded', groupId: 'spare', portId: 'C' });
    sim.apply({ kind: 'memberRemoved', groupId: 'cli', portId: 'C' });
    expect(alive(sim).ssh).toBe(false);
    sim.apply({
      kind: 'addressGroupEntriesChanged',
      addressGroupId: 'admins',
      added: [],
      removed: ['192.168.1.0/24'],
    });
    expect(alive(sim)).toEqual({ ssh: false, admin: false, out: true });
  });
});

describe('other changes', () => {
  it('alibaba: switching innerAccessPolicy to Drop re-evaluates members and cuts same-group connections', () => {
    const state = region(
      'alibaba',
      [group('sg', [], { innerAccessPolicy: 'Accept' })],
      [port('A', '10.0.0.1', ['sg']), port('B', '10.0.0.2', ['sg'])],
    );
    const sim = new Simulator(state);
    expect(sim.send('A', 'B', { protocol: 'tcp', dstPort: 5432 }).delivered).toBe(true);
    const report = sim.apply({ kind: 'groupUpdated', groupId: 'sg', innerAccessPolicy: 'Drop' });
    expect(report.dropped).toBe(1); // B's inbound entry; A's outbound one is still allowed (egress default)
    expect(sim.send('A', 'B', { protocol: 'tcp', dstPort: 5432, flags: 'A' }).delivered).toBe(false);
  });

  it("removing an instance forgets its connections and clears its peers' inbound entries", () => {
    const { sim } = world('huawei');
    open(sim);
    const report = sim.apply({ kind: 'instanceRemoved', instanceId: 'i-C' });
    expect(report.plan.forget).toEqual(new Set(['C']));
    expect(report.plan.clearInbound.has('S')).toBe(true); // C left cli, which srv's rule names
    expect(sim.connections().some((c) => c.portId === 'C')).toBe(false);
  });
});
