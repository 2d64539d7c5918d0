// Packet sets as people read them: each box as protocol, port (or ICMP type/code), source-port
// and remote-address ranges. The keys are the classifier's (classifier/keys.ts), decoded back.
import { ICMP_MAX_KEY } from '../classifier/keys.js';
import { ICMP_PROTOCOLS, PORTED_PROTOCOLS, type Ethertype } from '../model.js';
import type { Box, PacketSet, Spans } from './space.js';
import { universe } from './space.js';

export interface BoxView {
  /** IP protocol numbers ("6", "0-255"). */
  protocols: string[];
  /** Destination ports of TCP/UDP/SCTP ("22", "1024-65535"), "any" when unrestricted. */
  ports: string[];
  /** ICMP types and codes ("8/0", "8/any", "any") where the protocols are ICMP. */
  icmp: string[];
  /** Source ports (Alibaba), "any" when unrestricted. */
  sourcePorts: string[];
  /** Remote address ranges ("10.0.0.0-10.0.0.255", "any"). */
  remote: string[];
}

const same = (a: Spans, b: Spans) =>
  a.length === b.length && a.every((s, i) => s[0] === b[i][0] && s[1] === b[i][1]);
const ranges = (s: Spans, show: (v: bigint) => string) =>
  s.map(([lo, hi]) => (lo === hi ? show(lo) : `${show(lo)}-${show(hi)}`));

function address(ethertype: Ethertype, v: bigint): string {
  if (ethertype === 'IPv4') return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 255n)).join('.');
  const words = Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return words.join(':');
}

/** ICMP key → "type/code": 0 is any type, then 1 + type*257 + (code + 1, or 0 for any code). */
function icmpText(k: bigint): string {
  if (k === 0n) return 'any';
  const n = Number(k) - 1;
  const type = Math.floor(n / 257);
  const code = n % 257;
  return code === 0 ? `${type}/any` : `${type}/${code - 1}`;
}

export function boxView(box: Box, ethertype: Ethertype): BoxView {
  const all = universe(ethertype);
  const protocols = box.protocol.flatMap(([lo, hi]) => (lo === hi ? [Number(lo)] : []));
  const onlyPorted =
    protocols.length === box.protocol.length && protocols.every((p) => PORTED_PROTOCOLS.has(p));
  const onlyIcmp = protocols.length === box.protocol.length && protocols.every((p) => ICMP_PROTOCOLS.has(p));
  const l4Any = same(box.l4, all.l4) || (onlyIcmp && same(box.l4, [[0n, BigInt(ICMP_MAX_KEY)]]));
  return {
    protocols: ranges(box.protocol, String),
    ports: onlyPorted && !l4Any ? ranges(box.l4, String) : ['any'],
    icmp:
      onlyIcmp && !l4Any
        ? box.l4.flatMap(([lo, hi]) => (lo === hi ? [icmpText(lo)] : [`${icmpText(lo)}..${icmpText(hi)}`]))
        : ['any'],
    sourcePorts: same(box.srcPort, all.srcPort) ? ['any'] : ranges(box.srcPort, String),
    remote: same(box.addr, all.addr) ? ['any'] : ranges(box.addr, (v) => address(ethertype, v)),
  };
}

/** At most `limit` boxes of a set, and whether there were more. */
export function setView(
  set: PacketSet,
  ethertype: Ethertype,
  limit = 20,
): { boxes: BoxView[]; more: number } {
  return {
    boxes: set.boxes.slice(0, limit).map((b) => boxView(b, ethertype)),
    more: Math.max(0, set.boxes.length - limit),
  };
}
