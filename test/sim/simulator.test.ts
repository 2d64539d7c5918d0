// Stateful behaviour end to end in the simulator: replies, stateless groups, the timeouts of
// SEMANTICS.md on the virtual clock, and the issue's own story.
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/core/model.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';
import { Simulator } from '../../src/sim/simulator.js';
import { egress, group, ingress, port, region } from '../support/build.js';

/** A may send anything out; B accepts TCP 22 and UDP 53 from anywhere and sends nothing itself. */
function pair(profile: Profile, stateful = true) {
  const out = egress('all', { from: '0.0.0.0/0' });
  const state = region(
    profile,
    [
      group('ga', profile === 'alibaba' ? [] : [out], { innerAccessPolicy: 'Drop', stateful }),
      group(
        'gb',
        [
          ingress('tcp', { id: 'ssh', ports: '22', from: '0.0.0.0/0' }),
          ingress('udp', { id: 'dns', ports: '53', from: '0.0.0.0/0' }),
          ingress('icmp', { id: 'ping', from: '0.0.0.0/0' }),
        ],
        {
          innerAccessPolicy: 'Drop',
          stateful,
        },
      ),
    ],
    [port('A', '10.0.0.1', ['ga']), port('B', '10.0.0.2', ['gb'])],
  );
  return new Simulator(state);
}

const syn = { protocol: 'tcp' as const, srcPort: 40000, dstPort: 22 };
const reply = (flags: string) => ({ protocol: 'tcp' as const, srcPort: 22, dstPort: 40000, flags });

describe('the simulator story', () => {
  it.each(['huawei', 'openstack'] as const)(
    "%s: A opens TCP to B:22, B replies, the rule is deleted, A's next packet is dropped",
    (profile) => {
      const sim = pair(profile);
      const open = sim.send('A', 'B', syn);
      expect(open).toMatchObject({
        delivered: true,
        egress: { via: 'rules' },
        ingress: { via: 'rules', explanation: { decidedBy: { ruleId: 'ssh' } } },
      });
      const back = sim.send('B', 'A', reply('SA'));
      expect(back).toMatchObject({
        delivered: true,
        egress: { via: 'conntrack', direction: 'reply' },
        ingress: { via: 'conntrack', direction: 'reply' },
      });
      expect(sim.send('A', 'B', { ...syn, flags: 'A' })).toMatchObject({
        delivered: true,
        ingress: { via: 'conntrack', direction: 'original' },
      });
      sim.apply({ kind: 'ruleRemoved', groupId: 'gb', ruleId: 'ssh' });
      const next = sim.send('A', 'B', { ...syn, flags: 'A' });
      expect(next.delivered).toBe(false);
      expect(next.ingress).toMatchObject({ portId: 'B', verdict: 'deny' });
    },
  );

  it('alibaba: deleting the rule re-evaluates the connection and drops it; the next packet meets the rules', () => {
    const sim = pair('alibaba');
    sim.send('A', 'B', syn);
    sim.send('B', 'A', reply('SA'));
    // Only B's inbound entry is now denied; A's outbound entry is still allowed by A's policy.
    expect(sim.apply({ kind: 'ruleRemoved', groupId: 'gb', ruleId: 'ssh' }).dropped).toBe(1);
    expect(sim.send('A', 'B', { ...syn, flags: 'A' })).toMatchObject({
      delivered: false,
      ingress: { via: 'rules', verdict: 'deny' },
    });
  });
});

describe('statefulness', () => {
  it('replies pass regardless of rules (B has no egress rule at all)', () => {
    const sim = pair('openstack');
    sim.send('A', 'B', { protocol: 'udp', srcPort: 5353, dstPort: 53 });
    expect(sim.send('B', 'A', { protocol: 'udp', srcPort: 53, dstPort: 5353 }).delivered).toBe(true);
    // A new connection from B is not a reply: B's egress allow-list drops it.
    expect(sim.send('B', 'A', { protocol: 'udp', srcPort: 53, dstPort: 9999 })).toMatchObject({
      delivered: false,
      egress: { portId: 'B', verdict: 'deny' },
    });
  });

  it('stateless groups (openstack stateful=false) track nothing: replies need rules', () => {
    const sim = pair('openstack', false);
    expect(sim.send('A', 'B', syn)).toMatchObject({ delivered: true, ingress: { via: 'stateless' } });
    expect(sim.send('B', 'A', reply('SA'))).toMatchObject({
      delivered: false,
      egress: { via: 'stateless', verdict: 'deny' },
    });
    expect(sim.connections()).toHaveLength(0);
  });

  it('lists live connections per port with their origin and state', () => {
    const sim = pair('huawei');
    sim.send('A', 'B', syn);
    sim.send('B', 'A', reply('SA'));
    sim.send('A', 'B', { ...syn, flags: 'A' });
    const conns = sim.connections();
    expect(conns).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          portId: 'A',
          origin: 'outbound',
          src: '10.0.0.1',
          dst: '10.0.0.2',
          dstPort: 22,
          state: 'ESTABLISHED',
        }),
        expect.objectContaining({
          portId: 'B',
          origin: 'inbound',
          src: '10.0.0.1',
          dstPort: 22,
          state: 'ESTABLISHED',
        }),
      ]),
    );
  });
});

describe('timeouts on the virtual clock (003 and decisions)', () => {
  /** After a connection goes idle for t seconds, does B's reply still count as a reply at A? */
  function replyAfter(setup: (sim: Simulator) => void, idle: number, next: Parameters<Simulator['send']>[2]) {
    const sim = pair('huawei');
    setup(sim);
    sim.advance(idle);
    return sim.send('B', 'A', next).delivered;
  }
  const tcpEstablished = (sim: Simulator) => {
    sim.send('A', 'B', syn);
    sim.send('B', 'A', reply('SA'));
    sim.send('A', 'B', { ...syn, flags: 'A' });
  };

  it('TCP established: 600 s', () => {
    expect(replyAfter(tcpEstablished, DEFAULT_TIMEOUTS.tcpEstablished - 0.5, reply('A'))).toBe(true);
    expect(replyAfter(tcpEstablished, DEFAULT_TIMEOUTS.tcpEstablished + 0.5, reply('A'))).toBe(false);
  });

  it('TCP FIN-WAIT: 30 s', () => {
    const closing = (sim: Simulator) => {
      tcpEstablished(sim);
      sim.send('A', 'B', { ...syn, flags: 'FA' });
    };
    expect(replyAfter(closing, 29.5, reply('A'))).toBe(true);
    expect(replyAfter(closing, 30.5, reply('A'))).toBe(false);
  });

  it('TCP SYN-SENT: 120 s', () => {
    const half = (sim: Simulator) => sim.send('A', 'B', syn);
    expect(replyAfter(half, 119.5, reply('SA'))).toBe(true);
    expect(replyAfter(half, 120.5, reply('SA'))).toBe(false);
  });

  it('ICMP: 30 s', () => {
    const ping = (sim: Simulator) =>
      sim.send('A', 'B', { protocol: 'icmp', icmpType: 8, srcPort: 3, dstPort: 3 });
    const pong = { protocol: 'icmp' as const, icmpType: 0, srcPort: 3, dstPort: 3 };
    expect(replyAfter(ping, 29.5, pong)).toBe(true);
    expect(replyAfter(ping, 30.5, pong)).toBe(false);
  });

  it('other protocols: 30 s while one way, 180 s once seen both ways', () => {
    const oneWay = (sim: Simulator) => sim.send('A', 'B', { protocol: 'udp', srcPort: 5353, dstPort: 53 });
    const back = { protocol: 'udp' as const, srcPort: 53, dstPort: 5353 };
    expect(replyAfter(oneWay, 29.5, back)).toBe(true);
    expect(replyAfter(oneWay, 30.5, back)).toBe(false);
    const bothWays = (sim: Simulator) => {
      oneWay(sim);
      sim.send('B', 'A', back);
    };
    expect(replyAfter(bothWays, 179.5, back)).toBe(true);
    expect(replyAfter(bothWays, 180.5, back)).toBe(false);
  });

  it('per-region timeouts replace the defaults', () => {
    const sim = pair('huawei');
    const state = sim.engine.state;
    const fast = new Simulator({
      ...state,
      region: { ...state.region, conntrackTimeouts: { ...DEFAULT_TIMEOUTS, otherOneWay: 5 } },
    });
    fast.send('A', 'B', { protocol: 'udp', srcPort: 5353, dstPort: 53 });
    fast.advance(5.5);
    expect(fast.send('B', 'A', { protocol: 'udp', srcPort: 53, dstPort: 5353 }).delivered).toBe(false);
  });
});
