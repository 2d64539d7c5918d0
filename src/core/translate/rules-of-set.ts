// A set of packets (disjoint boxes, analysis/space.ts) written back as allow rules of a profile:
// each box becomes the rules that match exactly its packets, where the profile's rules can say
// so. What no rule can say (source ports where the profile has none, ICMP packets of a type with
// no code given alone, port 0) is left out, and so shows in the translation's differences.
import { numberToV4, wordsToV6 } from '../address.js';
import { type Box, type Spans, intersectSpans, subtractSpans, universe } from '../analysis/space.js';
import { ICMP_MAX_KEY } from '../classifier/keys.js';
import type { Direction, Ethertype, PortRange, Protocol, Remote, Rule } from '../model.js';
import { ICMP_PROTOCOLS, PORTED_PROTOCOLS } from '../model.js';

export type RuleShape = Omit<Rule, 'id' | 'priority' | 'nicType'>;

export const sameSpans = (a: Spans, b: Spans) =>
  a.length === b.length && a.every((s, i) => s[0] === b[i][0] && s[1] === b[i][1]);

const NAMES = new Map<number, Protocol>([
  [6, 'tcp'],
  [17, 'udp'],
  [47, 'gre'],
  [132, 'sctp'],
]);

/** The ICMP protocol of the family; the other family's ICMP number has no rule of its own. */
const icmpOf = (ethertype: Ethertype) => (ethertype === 'IPv4' ? 1 : 58);

function address(ethertype: Ethertype, v: bigint): string {
  if (ethertype === 'IPv4') return numberToV4(Number(v));
  return wordsToV6(
    [96n, 64n, 32n, 0n].map((sh) => Number((v >> sh) & 0xffffffffn)) as [number, number, number, number],
  );
}

/** Address spans as the fewest aligned CIDR blocks. */
export function spansToCidrs(ethertype: Ethertype, spans: Spans): string[] {
  const bits = ethertype === 'IPv4' ? 32n : 128n;
  const out: string[] = [];
  for (const [lo0, hi] of spans) {
    let lo = lo0;
    while (lo <= hi) {
      let size = 0n;
      while (size < bits && (lo & ((1n << (size + 1n)) - 1n)) === 0n && lo + (1n << (size + 1n)) - 1n <= hi)
        size++;
      out.push(`${address(ethertype, lo)}/${bits - size}`);
      lo += 1n << size;
    }
  }
  return out;
}

const ranges = (s: Spans): PortRange[] => s.map(([lo, hi]) => ({ from: Number(lo), to: Number(hi) }));

/** The ICMP keys of a span as (type, code) matches: whole types, single codes; the rest is lost. */
function icmpMatches(s: Spans): { icmpType?: number; icmpCode?: number }[] {
  const out: { icmpType?: number; icmpCode?: number }[] = [];
  for (const [lo, hi] of s) {
    for (let type = 0; type <= 255; type++) {
      const base = BigInt(1 + type * 257);
      const end = base + 256n;
      if (end < lo || base > hi) continue;
      if (lo <= base && end <= hi) {
        out.push({ icmpType: type });
        continue;
      }
      // Codes one by one (base itself, the type with no code given, cannot stand alone).
      const from = lo > base + 1n ? lo : base + 1n;
      const to = hi < end ? hi : end;
      for (let k = from; k <= to; k++) out.push({ icmpType: type, icmpCode: Number(k - base - 1n) });
    }
  }
  return out;
}

/**
 * Allow rules matching the packets of one box. `remote` is the remote to name when the box's
 * addresses are exactly its set; otherwise the box's addresses (less `phantom`, addresses that
 * stand for members to come and are no real packet's) become CIDRs.
 */
export function boxRules(
  box: Box,
  direction: Direction,
  ethertype: Ethertype,
  remote: Remote | null,
  sourcePorts: boolean,
  phantom: Spans,
): RuleShape[] {
  const all = universe(ethertype);
  const remotes: Remote[] = remote
    ? [remote]
    : sameSpans(box.addr, all.addr)
      ? [{ kind: 'any' }]
      : spansToCidrs(ethertype, subtractSpans(box.addr, phantom)).map((cidr) => ({ kind: 'cidr', cidr }));
  if (!remotes.length) return [];
  const base = { direction, ethertype, action: 'allow' as const };
  const out: RuleShape[] = [];
  const emit = (protocol: Protocol, extra: Partial<RuleShape>) => {
    for (const r of remotes) out.push({ ...base, protocol, remote: r, ...extra });
  };
  const allSrc = sameSpans(box.srcPort, all.srcPort);
  if (sameSpans(box.protocol, all.protocol) && sameSpans(box.l4, all.l4) && allSrc) {
    emit('all', {});
    return out;
  }
  for (const [lo, hi] of box.protocol)
    for (let n = Number(lo); n <= Number(hi); n++) {
      const protocol =
        NAMES.get(n) ?? (n === icmpOf(ethertype) ? (ethertype === 'IPv4' ? 'icmp' : 'icmpv6') : n);
      if (PORTED_PROTOCOLS.has(n)) {
        const l4 = intersectSpans(box.l4, [[0n, 65535n]]);
        const src = intersectSpans(box.srcPort, [[0n, 65535n]]);
        if (!l4.length || !src.length) continue;
        const anyPort = sameSpans(l4, [[0n, 65535n]]);
        const anySrc = sameSpans(src, [[0n, 65535n]]);
        if (!anySrc && !sourcePorts) continue;
        const srcPart = anySrc ? {} : { sourcePorts: ranges(subtractSpans(src, [[0n, 0n]])) };
        if (!anySrc && !srcPart.sourcePorts?.length) continue;
        if (anyPort) emit(protocol, srcPart);
        else
          for (const r of ranges(subtractSpans(l4, [[0n, 0n]]))) emit(protocol, { ports: [r], ...srcPart });
      } else if (ICMP_PROTOCOLS.has(n)) {
        if (n !== icmpOf(ethertype)) continue;
        if (!intersectSpans(box.srcPort, [[0n, 0n]]).length) continue;
        const l4 = intersectSpans(box.l4, [[0n, BigInt(ICMP_MAX_KEY)]]);
        if (sameSpans(l4, [[0n, BigInt(ICMP_MAX_KEY)]])) emit(protocol, {});
        else for (const m of icmpMatches(l4)) emit(protocol, m);
      } else if (
        intersectSpans(box.l4, [[0n, 0n]]).length &&
        intersectSpans(box.srcPort, [[0n, 0n]]).length
      ) {
        emit(protocol, {});
      }
    }
  return out;
}
