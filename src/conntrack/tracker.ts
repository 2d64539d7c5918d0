// Connection tracking for the simulator (and any caller with a virtual clock): per-port zones,
// replies matched in both directions, per-state idle timeouts from the region, and the two ways
// a change ends connections: clearing (the flow stays blocked until its timeout passes, 003)
// and dropping (the next packet is simply new).
import { numberToV4, v4ToNumber, v6ToWords, wordsToV6, type V6 } from '../core/address.js';
import type { ConntrackTimeouts, Packet } from '../core/model.js';
import { CLEARED, ConnTable, FIN_BY_REPLY, INBOUND, OPENER_LOW, SEEN_REPLY } from './table.js';
import { State, STATE_NAMES, type TcpFlags, initialState, nextTcpState, timeoutOf } from './tcp.js';

export type Origin = 'inbound' | 'outbound';

export type TrackResult =
  | { kind: 'new' }
  | { kind: 'established'; direction: 'original' | 'reply'; origin: Origin }
  | { kind: 'blocked' };

/** A tracked connection as callers see it; `packet` is its first packet's direction. */
export interface TrackedConnection {
  zone: number;
  origin: Origin;
  packet: Packet;
  state: string;
  cleared: boolean;
  expiresIn: number;
}

/** Result codes of the numeric fast path. */
export const NEW = 0;
export const ORIGINAL = 1;
export const REPLY = 2;
export const BLOCKED = 3;

export class ConnectionTracker {
  private readonly v4 = new ConnTable(1);
  private readonly v6 = new ConnTable(4);
  private readonly key4 = new Uint32Array(4);
  private readonly key6 = new Uint32Array(10);

  constructor(
    readonly timeouts: ConntrackTimeouts,
    /** Longest timeout the region's profile allows (Alibaba: 910 s). */
    maxSessionTimeout = Infinity,
  ) {
    const bad = Object.entries(timeouts).filter(
      ([, v]) => !(Number.isFinite(v) && v > 0 && v <= maxSessionTimeout),
    );
    if (bad.length > 0) {
      const limit = Number.isFinite(maxSessionTimeout) ? ` and at most ${maxSessionTimeout} s` : '';
      throw new RangeError(
        `conntrack timeouts must be positive${limit}: ${bad.map(([k, v]) => `${k}=${v}`).join(', ')}`,
      );
    }
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Typed-array bytes per live connection. */
  bytesPerEntry(): number {
    return this.size === 0 ? 0 : (this.v4.bytes + this.v6.bytes) / this.size;
  }

  /** The numeric IPv4 fast path: look a packet up, advance its state; NEW, ORIGINAL, REPLY or BLOCKED. */
  trackV4(
    zone: number,
    protocol: number,
    src: number,
    dst: number,
    sport: number,
    dport: number,
    flags: TcpFlags,
    now: number,
  ): number {
    const srcLow = src < dst || (src === dst && sport <= dport);
    const ports = (srcLow ? (sport << 16) | dport : (dport << 16) | sport) >>> 0;
    const table = this.v4;
    const i = table.find4(srcLow ? src : dst, srcLow ? dst : src, ports, ((zone << 8) | protocol) >>> 0);
    if (i < 0) return NEW;
    const meta = table.slots[(i << 3) + 4];
    // The common case: an established TCP packet without FIN/SYN/RST only refreshes the timeout.
    if ((meta & (0xff | CLEARED)) === State.Established && (flags & 0x07) === 0 && protocol === 6) {
      const at = (i << 2) + 3;
      if (table.expiry[at] <= now) return this.advanceSlot(table, i, srcLow, protocol, flags, now);
      table.expiry[at] = now + this.timeouts.tcpEstablished;
      const reply = srcLow !== ((meta & OPENER_LOW) !== 0);
      if (reply && (meta & SEEN_REPLY) === 0) table.slots[(i << 3) + 4] = meta | SEEN_REPLY;
      return reply ? REPLY : ORIGINAL;
    }
    return this.advanceSlot(table, i, srcLow, protocol, flags, now);
  }

  commitV4(
    zone: number,
    protocol: number,
    src: number,
    dst: number,
    sport: number,
    dport: number,
    flags: TcpFlags,
    origin: Origin,
    now: number,
  ): void {
    const srcLow = this.keyV4(zone, protocol, src, dst, sport, dport);
    this.insert(this.v4, this.key4, srcLow, protocol, flags, origin, now);
  }

  track(zone: number, packet: Packet, flags: TcpFlags, now: number): TrackResult {
    const [table, key, srcLow] = this.keyOf(zone, packet);
    const code = this.advance(table, key, srcLow, packet.protocol, flags, now);
    if (code === NEW) return { kind: 'new' };
    if (code === BLOCKED) return { kind: 'blocked' };
    const i = table.find(key);
    return {
      kind: 'established',
      direction: code === REPLY ? 'reply' : 'original',
      origin: table.meta(i) & INBOUND ? 'inbound' : 'outbound',
    };
  }

  commit(zone: number, packet: Packet, flags: TcpFlags, origin: Origin, now: number): void {
    const [table, key, srcLow] = this.keyOf(zone, packet);
    this.insert(table, key, srcLow, packet.protocol, flags, origin, now);
  }

  /** Whether the flow has a live entry (cleared or not), without touching it. */
  has(zone: number, packet: Packet, now: number): boolean {
    const [table, key] = this.keyOf(zone, packet);
    const i = table.find(key);
    return i >= 0 && table.expiresAt(i) > now;
  }

  /**
   * Clear live entries of the zones with the given origin: each becomes a marker that blocks
   * its flow until the timeout of the state it was in has passed (003). Returns how many.
   */
  clear(zones: ReadonlySet<number>, origin: Origin | 'all', now: number): number {
    let n = 0;
    for (const table of [this.v4, this.v6]) {
      this.scan(table, (i, zone) => {
        const meta = table.meta(i);
        if (!zones.has(zone) || meta & CLEARED || table.expiresAt(i) <= now) return;
        if (origin !== 'all' && (meta & INBOUND ? 'inbound' : 'outbound') !== origin) return;
        table.setMeta(i, meta | CLEARED);
        table.setExpiry(i, now + timeoutOf(this.timeouts, meta & 0xff, (meta & SEEN_REPLY) !== 0));
        n++;
      });
    }
    return n;
  }

  /** Remove the entries a predicate picks at once (their flows' next packets are new). */
  drop(pick: (c: TrackedConnection) => boolean, now = 0): number {
    let n = 0;
    for (const table of [this.v4, this.v6]) {
      const doomed: Uint32Array[] = [];
      this.scan(table, (i) => {
        if (pick(this.describe(table, i, now))) doomed.push(table.keyOf(i, new Uint32Array(table.keyWords)));
      });
      for (const key of doomed) {
        table.remove(table.find(key));
        n++;
      }
    }
    return n;
  }

  list(now: number): TrackedConnection[] {
    const out: TrackedConnection[] = [];
    for (const table of [this.v4, this.v6]) {
      this.scan(table, (i) => {
        if (table.expiresAt(i) > now) out.push(this.describe(table, i, now));
      });
    }
    return out;
  }

  /** Reclaim expired entries. */
  sweep(now: number): number {
    let n = 0;
    for (const table of [this.v4, this.v6]) {
      for (let i = 0; i < table.capacity;) {
        if (table.meta(i) !== 0 && table.expiresAt(i) <= now) {
          table.remove(i); // a follower may shift into i: look at it again
          n++;
        } else i++;
      }
    }
    return n;
  }

  private advance(
    table: ConnTable,
    key: Uint32Array,
    srcLow: boolean,
    protocol: number,
    flags: TcpFlags,
    now: number,
  ): number {
    const i = table.find(key);
    return i < 0 ? NEW : this.advanceSlot(table, i, srcLow, protocol, flags, now);
  }

  private advanceSlot(
    table: ConnTable,
    i: number,
    srcLow: boolean,
    protocol: number,
    flags: TcpFlags,
    now: number,
  ): number {
    if (table.expiresAt(i) <= now) {
      table.remove(i);
      return NEW;
    }
    let meta = table.meta(i);
    if (meta & CLEARED) return BLOCKED;
    const reply = srcLow !== ((meta & OPENER_LOW) !== 0);
    if (reply) meta |= SEEN_REPLY;
    let state: State = meta & 0xff;
    if (protocol === 6) {
      const next = nextTcpState(state, flags, reply, (meta & FIN_BY_REPLY) !== 0);
      if (next === State.FinWait && state !== State.FinWait)
        meta = reply ? meta | FIN_BY_REPLY : meta & ~FIN_BY_REPLY;
      state = next;
    }
    table.setMeta(i, (meta & ~0xff) | state);
    table.setExpiry(i, now + timeoutOf(this.timeouts, state, (meta & SEEN_REPLY) !== 0));
    return reply ? REPLY : ORIGINAL;
  }

  private insert(
    table: ConnTable,
    key: Uint32Array,
    srcLow: boolean,
    protocol: number,
    flags: TcpFlags,
    origin: Origin,
    now: number,
  ): void {
    const existing = table.find(key);
    if (existing >= 0) table.remove(existing);
    const state = initialState(protocol, flags);
    const meta = state | (srcLow ? OPENER_LOW : 0) | (origin === 'inbound' ? INBOUND : 0);
    table.insert(key, meta, now + timeoutOf(this.timeouts, state, false));
  }

  /** Fill key4 in canonical endpoint order; returns whether the source is the lower endpoint. */
  private keyV4(
    zone: number,
    protocol: number,
    src: number,
    dst: number,
    sport: number,
    dport: number,
  ): boolean {
    const srcLow = src < dst || (src === dst && sport <= dport);
    const k = this.key4;
    k[0] = srcLow ? src : dst;
    k[1] = srcLow ? dst : src;
    k[2] = srcLow ? (sport << 16) | dport : (dport << 16) | sport;
    k[3] = (zone << 8) | protocol;
    return srcLow;
  }

  private keyOf(zone: number, p: Packet): [ConnTable, Uint32Array, boolean] {
    const sport = p.srcPort ?? 0;
    const dport = p.dstPort ?? 0;
    if (p.ethertype === 'IPv4') {
      const srcLow = this.keyV4(zone, p.protocol, v4ToNumber(p.src), v4ToNumber(p.dst), sport, dport);
      return [this.v4, this.key4, srcLow];
    }
    const s = v6ToWords(p.src);
    const d = v6ToWords(p.dst);
    const cmp = compareV6(s, d);
    const srcLow = cmp < 0 || (cmp === 0 && sport <= dport);
    const k = this.key6;
    k.set(srcLow ? s : d, 0);
    k.set(srcLow ? d : s, 4);
    k[8] = srcLow ? (sport << 16) | dport : (dport << 16) | sport;
    k[9] = (zone << 8) | p.protocol;
    return [this.v6, k, srcLow];
  }

  private scan(table: ConnTable, visit: (slot: number, zone: number) => void): void {
    const zoneAt = table.keyWords - 1;
    for (let i = 0; i < table.capacity; i++) {
      if (table.meta(i) === 0) continue;
      visit(i, table.slots[i * table.stride + zoneAt] >>> 8);
    }
  }

  private describe(table: ConnTable, i: number, now: number): TrackedConnection {
    const k = table.keyOf(i, new Uint32Array(table.keyWords));
    const meta = table.meta(i);
    const a = table.addrWords;
    const addr = (at: number) =>
      a === 1 ? numberToV4(k[at]) : wordsToV6([k[at], k[at + 1], k[at + 2], k[at + 3]] as V6);
    const low = { ip: addr(0), port: k[2 * a] >>> 16 };
    const high = { ip: addr(a), port: k[2 * a] & 0xffff };
    const [from, to] = meta & OPENER_LOW ? [low, high] : [high, low];
    const protocol = k[2 * a + 1] & 0xff;
    const packet: Packet = { ethertype: a === 1 ? 'IPv4' : 'IPv6', protocol, src: from.ip, dst: to.ip };
    if (from.port || to.port) Object.assign(packet, { srcPort: from.port, dstPort: to.port });
    return {
      zone: k[2 * a + 1] >>> 8,
      origin: meta & INBOUND ? 'inbound' : 'outbound',
      packet,
      state: meta & CLEARED ? 'CLEARED' : STATE_NAMES[meta & 0xff],
      cleared: (meta & CLEARED) !== 0,
      expiresIn: Math.max(0, table.expiresAt(i) - now),
    };
  }
}

function compareV6(a: V6, b: V6): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
