import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnTable } from '../../src/conntrack/table.js';
import { ACK, FIN, RST, SYN, parseTcpFlags } from '../../src/conntrack/tcp.js';
import { BLOCKED, ConnectionTracker, NEW, ORIGINAL, REPLY } from '../../src/conntrack/tracker.js';
import type { Packet } from '../../src/core/model.js';
import { DEFAULT_TIMEOUTS, TRAITS } from '../../src/core/profiles.js';

const tcp = (src: string, sport: number, dst: string, dport: number): Packet => ({
  ethertype: src.includes(':') ? 'IPv6' : 'IPv4',
  protocol: 6,
  src,
  dst,
  srcPort: sport,
  dstPort: dport,
});
const rev = (p: Packet): Packet => ({ ...p, src: p.dst, dst: p.src, srcPort: p.dstPort, dstPort: p.srcPort });

describe('connection tracker', () => {
  it('matches replies in both directions, for IPv4 and IPv6', () => {
    for (const p of [tcp('10.0.0.1', 40000, '10.0.0.2', 22), tcp('2001:db8::9', 40000, '2001:db8::1', 22)]) {
      const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
      expect(t.track(0, p, SYN, 0)).toEqual({ kind: 'new' });
      t.commit(0, p, SYN, 'outbound', 0);
      expect(t.track(0, rev(p), SYN | ACK, 1)).toEqual({
        kind: 'established',
        direction: 'reply',
        origin: 'outbound',
      });
      expect(t.track(0, p, ACK, 2)).toEqual({
        kind: 'established',
        direction: 'original',
        origin: 'outbound',
      });
      expect(t.list(2)[0]).toMatchObject({
        state: 'ESTABLISHED',
        packet: { src: p.src, dst: p.dst, srcPort: 40000, dstPort: 22 },
      });
    }
  });

  it('zones keep ports apart; protocols and ports are part of the identity', () => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    const p = tcp('10.0.0.1', 40000, '10.0.0.2', 22);
    t.commit(1, p, SYN, 'inbound', 0);
    expect(t.track(2, p, ACK, 0).kind).toBe('new');
    expect(t.track(1, { ...p, protocol: 17 }, 0, 0).kind).toBe('new');
    expect(t.track(1, { ...p, dstPort: 23 }, ACK, 0).kind).toBe('new');
    expect(t.track(1, p, ACK, 0)).toMatchObject({ kind: 'established', origin: 'inbound' });
  });

  it('TCP states follow the handshake and teardown; RST closes', () => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    const p = tcp('10.0.0.1', 40000, '10.0.0.2', 22);
    const state = () => t.list(0)[0]?.state;
    t.commit(0, p, SYN, 'outbound', 0);
    expect(state()).toBe('SYN_SENT');
    t.track(0, rev(p), SYN | ACK, 0);
    expect(state()).toBe('SYN_RECV');
    t.track(0, p, ACK, 0);
    expect(state()).toBe('ESTABLISHED');
    t.track(0, p, FIN | ACK, 0);
    expect(state()).toBe('FIN_WAIT');
    t.track(0, rev(p), ACK, 0);
    expect(state()).toBe('CLOSE_WAIT');
    t.track(0, rev(p), FIN | ACK, 0);
    expect(state()).toBe('LAST_ACK');
    t.track(0, p, ACK, 0);
    expect(state()).toBe('TIME_WAIT');
    t.track(0, p, SYN, 0);
    expect(state()).toBe('SYN_SENT'); // port reuse reopens
    t.track(0, rev(p), RST, 0);
    expect(state()).toBe('CLOSE');
  });

  it('a mid-stream packet of an untracked flow is picked up as established (loose)', () => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    t.commit(0, tcp('10.0.0.1', 1, '10.0.0.2', 2), ACK, 'inbound', 0);
    expect(t.list(0)[0].state).toBe('ESTABLISHED');
  });

  it.each([
    ['SYN_SENT', 'tcpSynSent', (t: ConnectionTracker, p: Packet) => t.commit(0, p, SYN, 'outbound', 0)],
    [
      'SYN_RECV',
      'tcpSynRecv',
      (t: ConnectionTracker, p: Packet) => (
        t.commit(0, p, SYN, 'outbound', 0),
        t.track(0, rev(p), SYN | ACK, 0)
      ),
    ],
    [
      'TIME_WAIT',
      'tcpTimeWait',
      (t: ConnectionTracker, p: Packet) => {
        t.commit(0, p, ACK, 'outbound', 0);
        t.track(0, p, FIN, 0);
        t.track(0, rev(p), FIN | ACK, 0);
        t.track(0, p, ACK, 0);
      },
    ],
    [
      'CLOSE',
      'tcpClose',
      (t: ConnectionTracker, p: Packet) => (t.commit(0, p, ACK, 'outbound', 0), t.track(0, p, RST, 0)),
    ],
    [
      'LAST_ACK',
      'tcpLastAck',
      (t: ConnectionTracker, p: Packet) => (
        t.commit(0, p, ACK, 'outbound', 0),
        t.track(0, p, FIN, 0),
        t.track(0, rev(p), FIN | ACK, 0)
      ),
    ],
    [
      'CLOSE_WAIT',
      'tcpCloseWait',
      (t: ConnectionTracker, p: Packet) => (
        t.commit(0, p, ACK, 'outbound', 0),
        t.track(0, p, FIN, 0),
        t.track(0, rev(p), ACK, 0)
      ),
    ],
  ] as const)('%s lasts %s seconds idle (Linux default)', (_name, key, setup) => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    const p = tcp('10.0.0.1', 40000, '10.0.0.2', 22);
    setup(t, p);
    const limit = DEFAULT_TIMEOUTS[key];
    expect(t.has(0, p, limit - 0.1)).toBe(true);
    expect(t.has(0, p, limit + 0.1)).toBe(false);
  });

  it('timeouts are validated; Alibaba regions refuse any above 910 s', () => {
    expect(() => new ConnectionTracker({ ...DEFAULT_TIMEOUTS, icmp: 0 })).toThrow(/icmp=0/);
    expect(
      () =>
        new ConnectionTracker(
          { ...DEFAULT_TIMEOUTS, tcpEstablished: 3600 },
          TRAITS.alibaba.maxSessionTimeout,
        ),
    ).toThrow(/at most 910 s: tcpEstablished=3600/);
    expect(
      () =>
        new ConnectionTracker({ ...DEFAULT_TIMEOUTS, tcpEstablished: 3600 }, TRAITS.huawei.maxSessionTimeout),
    ).not.toThrow();
  });

  it('clearing by origin: inbound entries are blocked until their timeout, outbound ones survive', () => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    const inbound = tcp('1.1.1.1', 5000, '10.0.0.1', 22);
    const outbound = tcp('10.0.0.1', 6000, '8.8.8.8', 443);
    const ping: Packet = {
      ethertype: 'IPv4',
      protocol: 1,
      src: '2.2.2.2',
      dst: '10.0.0.1',
      srcPort: 9,
      dstPort: 9,
    };
    t.commit(7, inbound, ACK, 'inbound', 0);
    t.commit(7, outbound, ACK, 'outbound', 0);
    t.commit(7, ping, 0, 'inbound', 95); // ICMP lives 30 s: still alive at 100
    t.commit(8, inbound, ACK, 'inbound', 0);
    expect(t.clear(new Set([7]), 'inbound', 100)).toBe(2); // the TCP and ICMP inbound ones
    expect(t.track(7, inbound, ACK, 101)).toEqual({ kind: 'blocked' });
    expect(t.track(7, rev(inbound), ACK, 101)).toEqual({ kind: 'blocked' });
    expect(t.track(7, outbound, ACK, 101).kind).toBe('established');
    expect(t.track(8, inbound, ACK, 101).kind).toBe('established');
    // The ICMP flow waits 30 s from the clear (packets do not extend it), TCP 600 s.
    expect(t.track(7, ping, 0, 129).kind).toBe('blocked');
    expect(t.track(7, ping, 0, 130.5).kind).toBe('new');
    expect(t.track(7, inbound, ACK, 699).kind).toBe('blocked');
    expect(t.track(7, inbound, ACK, 700.5).kind).toBe('new');
  });

  it('drop removes entries at once; sweep reclaims expired ones', () => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    for (let i = 0; i < 50; i++)
      t.commit(i % 5, tcp('10.0.0.1', 1000 + i, '10.0.0.2', 80), ACK, i % 2 ? 'inbound' : 'outbound', 0);
    expect(t.drop((c) => c.zone === 3)).toBe(10);
    expect(t.size).toBe(40);
    expect(t.list(0).every((c) => c.zone !== 3)).toBe(true);
    expect(t.sweep(DEFAULT_TIMEOUTS.tcpEstablished + 1)).toBe(40);
    expect(t.size).toBe(0);
  });

  it('the numeric fast path agrees with the packet path', () => {
    const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
    t.commitV4(3, 6, 0x0a000001, 0x0a000002, 40000, 22, SYN, 'outbound', 0);
    expect(t.trackV4(3, 6, 0x0a000002, 0x0a000001, 22, 40000, SYN | ACK, 1)).toBe(REPLY);
    expect(t.trackV4(3, 6, 0x0a000001, 0x0a000002, 40000, 22, ACK, 2)).toBe(ORIGINAL);
    expect(t.track(3, tcp('10.0.0.2', 22, '10.0.0.1', 40000), ACK, 3)).toMatchObject({
      kind: 'established',
      direction: 'reply',
    });
    expect(t.trackV4(3, 6, 0x0a000001, 0x0a000002, 40000, 22, ACK, 3 + 601)).toBe(NEW);
    t.commitV4(3, 6, 0x0a000001, 0x0a000002, 40000, 22, ACK, 'inbound', 700);
    t.clear(new Set([3]), 'all', 700);
    expect(t.trackV4(3, 6, 0x0a000001, 0x0a000002, 40000, 22, ACK, 701)).toBe(BLOCKED);
  });

  it('parses TCP flags and rejects unknown ones', () => {
    expect(parseTcpFlags('SA')).toBe(SYN | ACK);
    expect(parseTcpFlags('fa')).toBe(FIN | ACK);
    expect(() => parseTcpFlags('SX')).toThrow(/unknown TCP flag "X"/);
  });
});

describe('connection table (model-based)', () => {
  it('behaves like a Map under random inserts, finds and removals, through growth and backward shifts', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), k: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('del' as const), k: fc.integer({ min: 0, max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 3000 }), (ops) => {
        const table = new ConnTable(1, 16);
        const model = new Map<number, number>();
        const key = (k: number) => Uint32Array.of(k * 2654435761, k & 7, k >>> 3, 6);
        for (const { kind, k } of ops) {
          const i = table.find(key(k));
          expect(i >= 0).toBe(model.has(k));
          if (kind === 'put' && i < 0) {
            table.insert(key(k), k & 0xff, k);
            model.set(k, k);
          } else if (kind === 'del' && i >= 0) {
            table.remove(i);
            model.delete(k);
          }
          expect(table.size).toBe(model.size);
        }
        for (let k = 0; k <= 400; k++) {
          const i = table.find(key(k));
          expect(i >= 0).toBe(model.has(k));
          if (i >= 0) expect(table.expiresAt(i)).toBe(k);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('hash4 is the same function as hash for IPv4 keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }),
        ([a, b, c, d]) => {
          expect(ConnTable.hash4(a, b, c, d)).toBe(ConnTable.hash(Uint32Array.of(a, b, c, d), 4));
        },
      ),
    );
  });
});
