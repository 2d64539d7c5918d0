// The compiled form of one port policy for one direction and family: a bit-vector packet
// classifier. Entry i of the evaluation order owns bit i. Each dimension (L4 key per protocol,
// source port, remote address) maps a packet field to the bit vector of entries matching it;
// the AND of those vectors is the set of matching entries and its lowest bit is the decider,
// which is exactly "first match in evaluation order". Scanning words from the lowest bit stops
// at the first match, so the common case reads a word or two per dimension.
import type { Direction, Ethertype, Packet } from '../model.js';
import { ICMP_PROTOCOLS, PORTED_PROTOCOLS, protocolNumber } from '../model.js';
import type { Entry } from '../order.js';
import { type AddressSets, type SetDelta, type SetKey, addressGroupSet, groupSet } from './address-sets.js';
import { IntervalTable } from './interval-table.js';
import { type AddrKey, ICMP_MAX_KEY, addrKey, cidrKeys, icmpKey, icmpRuleSpan, minMaxKey } from './keys.js';

const PROTOCOLS = 256;

/** A packet's fields as numbers, ready for the classifier. */
export interface PacketKeys {
  protocol: number;
  l4: number;
  srcPort: number;
  addr: AddrKey;
}

export function packetKeys(direction: Direction, packet: Packet): PacketKeys {
  const remote = direction === 'ingress' ? packet.src : packet.dst;
  const l4 = PORTED_PROTOCOLS.has(packet.protocol)
    ? (packet.dstPort ?? 0)
    : ICMP_PROTOCOLS.has(packet.protocol)
      ? icmpKey(packet.icmpType, packet.icmpCode)
      : 0;
  return {
    protocol: packet.protocol,
    l4,
    srcPort: packet.srcPort ?? 0,
    addr: addrKey(packet.ethertype, remote),
  };
}

function remoteSet(entry: Entry): SetKey | null {
  if (entry.kind === 'innerAccess') return groupSet(entry.group.id);
  const r = entry.rule.remote;
  if (r.kind === 'group') return groupSet(r.groupId);
  if (r.kind === 'addressGroup') return addressGroupSet(r.addressGroupId);
  return null;
}

export class Classifier {
  readonly words: number;
  /** L4 table per protocol number; null: only protocol-agnostic entries can match. */
  private readonly l4: (IntervalTable<number> | null)[] = new Array(PROTOCOLS).fill(null);
  /** Source-port table per protocol, only where some entry restricts source ports (Alibaba). */
  private readonly srcPorts: (IntervalTable<number> | null)[] = new Array(PROTOCOLS).fill(null);
  /** Vector of the entries that match any protocol without a table of its own. */
  private readonly anyProtocol: Uint32Array;
  private readonly addr: IntervalTable<AddrKey>;
  /** Entries whose remote is an address set, by set. */
  readonly setRefs = new Map<SetKey, number[]>();

  constructor(
    readonly entries: Entry[],
    readonly ethertype: Ethertype,
    sets: AddressSets,
  ) {
    const n = entries.length;
    this.words = Math.max(1, Math.ceil(n / 32));
    this.anyProtocol = new Uint32Array(this.words);
    this.buildL4();
    this.addr = this.buildAddress(sets);
  }

  private buildL4(): void {
    const byProto = new Map<number, number[]>();
    const universal: number[] = [];
    this.entries.forEach((e, i) => {
      const p = e.kind === 'rule' ? protocolNumber(e.rule.protocol) : null;
      if (p === null) universal.push(i);
      else (byProto.get(p) ?? byProto.set(p, []).get(p)!).push(i);
    });
    for (const i of universal) this.anyProtocol[i >>> 5] |= 1 << (i & 31);
    for (const [proto, idx] of byProto) {
      const spans = idx.map((i) => [i, this.l4Span(this.entries[i], proto)] as const);
      const max = ICMP_PROTOCOLS.has(proto) ? ICMP_MAX_KEY : 65535;
      const cuts = spans.flatMap(([, ss]) => ss.flatMap(([lo, hi]) => [lo, hi + 1]));
      const table = new IntervalTable<number>(this.words, 0, max, cuts);
      for (const i of universal) table.setAll(i);
      for (const [i, ss] of spans) for (const [lo, hi] of ss) table.setRange(lo, hi, i);
      this.l4[proto] = table;
      this.srcPorts[proto] = this.buildSourcePorts(idx, universal);
    }
  }

  private l4Span(e: Entry, proto: number): [number, number][] {
    if (e.kind !== 'rule') return [[0, 65535]];
    const r = e.rule;
    if (ICMP_PROTOCOLS.has(proto)) return [icmpRuleSpan(r.icmpType, r.icmpCode)];
    if (PORTED_PROTOCOLS.has(proto) && r.ports?.length) return r.ports.map((p) => [p.from, p.to]);
    return [[0, ICMP_PROTOCOLS.has(proto) ? ICMP_MAX_KEY : 65535]];
  }

  private buildSourcePorts(idx: number[], universal: number[]): IntervalTable<number> | null {
    const restricted = idx.filter((i) => {
      const e = this.entries[i];
      return e.kind === 'rule' && (e.rule.sourcePorts?.length ?? 0) > 0;
    });
    if (restricted.length === 0) return null;
    const ranges = (i: number) => {
      const e = this.entries[i];
      return e.kind === 'rule' && e.rule.sourcePorts?.length
        ? e.rule.sourcePorts.map((p) => [p.from, p.to])
        : [[0, 65535]];
    };
    const cuts = restricted.flatMap((i) => ranges(i).flatMap(([lo, hi]) => [lo, hi + 1]));
    const table = new IntervalTable<number>(this.words, 0, 65535, cuts);
    for (const i of [...idx, ...universal]) for (const [lo, hi] of ranges(i)) table.setRange(lo, hi, i);
    return table;
  }

  private buildAddress(sets: AddressSets): IntervalTable<AddrKey> {
    const coverage: [number, [AddrKey, AddrKey][] | 'all'][] = this.entries.map((e, i) => {
      const set = remoteSet(e);
      if (set) {
        (this.setRefs.get(set) ?? this.setRefs.set(set, []).get(set)!).push(i);
        return [i, sets.ranges(set, this.ethertype)];
      }
      const r = e.kind === 'rule' ? e.rule.remote : null;
      if (r?.kind === 'cidr') return [i, [cidrKeys(this.ethertype, r.cidr)]];
      return [i, 'all'];
    });
    const [min, max] = minMaxKey(this.ethertype);
    const cuts: AddrKey[] = [];
    for (const [, spans] of coverage) {
      if (spans === 'all') continue;
      for (const [lo, hi] of spans) {
        cuts.push(lo);
        if (hi < max) cuts.push(typeof hi === 'bigint' ? hi + 1n : hi + 1);
      }
    }
    const table = new IntervalTable<AddrKey>(this.words, min, max, cuts);
    for (const [i, spans] of coverage) {
      if (spans === 'all') table.setAll(i);
      else for (const [lo, hi] of spans) table.setRange(lo, hi, i);
    }
    return table;
  }

  /** Index of the deciding entry (the first that matches), or -1 if none does. */
  decide(protocol: number, l4: number, srcPort: number, addr: AddrKey): number {
    const w = this.words;
    const t = this.l4[protocol];
    const v1 = t ? t.vecs : this.anyProtocol;
    const o1 = t ? t.find(l4) * w : 0;
    const a = this.addr;
    const v2 = a.vecs;
    const o2 = a.find(addr) * w;
    const s = this.srcPorts[protocol];
    if (!s) {
      for (let k = 0; k < w; k++) {
        const m = v1[o1 + k] & v2[o2 + k];
        if (m !== 0) return (k << 5) + 31 - Math.clz32(m & -m);
      }
      return -1;
    }
    const v3 = s.vecs;
    const o3 = s.find(srcPort) * w;
    for (let k = 0; k < w; k++) {
      const m = v1[o1 + k] & v2[o2 + k] & v3[o3 + k];
      if (m !== 0) return (k << 5) + 31 - Math.clz32(m & -m);
    }
    return -1;
  }

  /** Every matching entry, in evaluation order (for explanations). */
  matchAll(keys: PacketKeys): number[] {
    const w = this.words;
    const t = this.l4[keys.protocol];
    const v1 = t ? t.vecs : this.anyProtocol;
    const o1 = t ? t.find(keys.l4) * w : 0;
    const o2 = this.addr.find(keys.addr) * w;
    const s = this.srcPorts[keys.protocol];
    const o3 = s ? s.find(keys.srcPort) * w : 0;
    const out: number[] = [];
    for (let k = 0; k < w; k++) {
      let m = v1[o1 + k] & this.addr.vecs[o2 + k];
      if (s) m &= s.vecs[o3 + k];
      while (m !== 0) {
        const low = m & -m;
        out.push((k << 5) + 31 - Math.clz32(low));
        m ^= low;
      }
    }
    return out;
  }

  /** Apply an address-set change in place: only the rows of the ranges that changed. */
  applySetDelta(delta: SetDelta, sets: AddressSets): void {
    const bits = this.setRefs.get(delta.set);
    if (!bits || delta.ethertype !== this.ethertype) return;
    const table = this.addr;
    for (const [lo, hi] of delta.added) {
      const [first, last] = table.cover(lo, hi);
      for (let r = first; r <= last; r++) for (const b of bits) table.setBit(r, b);
    }
    for (const [lo, hi] of delta.removed) {
      const [first, last] = table.cover(lo, hi);
      for (let r = first; r <= last; r++) {
        // Rows are elementary: a row is inside a remaining CIDR of the set or wholly outside it.
        if (sets.covers(delta.set, this.ethertype, table.rowSpan(r)[0])) continue;
        for (const b of bits) table.clearBit(r, b);
      }
    }
  }

  /** Interval counts per dimension (for tests and benchmarks). */
  stats(): { entries: number; addressIntervals: number } {
    return { entries: this.entries.length, addressIntervals: this.addr.size };
  }
}
