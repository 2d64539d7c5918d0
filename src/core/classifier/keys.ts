// Packet fields as classifier keys: IPv4 addresses are numbers, IPv6 addresses bigints;
// ICMP type/code share one key space so a single table serves "any type", "type" and "type+code".
import { v4Range, v4ToNumber, v6Range, v6ToWords, type V6 } from '../address.js';
import type { Ethertype } from '../model.js';

export type AddrKey = number | bigint;

export const MAX_V4 = 0xffffffff;
export const MAX_V6 = (1n << 128n) - 1n;

export function wordsToBig(w: V6): bigint {
  return (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);
}

export function addrKey(ethertype: Ethertype, ip: string): AddrKey {
  return ethertype === 'IPv4' ? v4ToNumber(ip) : wordsToBig(v6ToWords(ip));
}

export function cidrKeys(ethertype: Ethertype, cidr: string): [AddrKey, AddrKey] {
  if (ethertype === 'IPv4') return v4Range(cidr);
  const [lo, hi] = v6Range(cidr);
  return [wordsToBig(lo), wordsToBig(hi)];
}

export function minMaxKey(ethertype: Ethertype): [AddrKey, AddrKey] {
  return ethertype === 'IPv4' ? [0, MAX_V4] : [0n, MAX_V6];
}

/** ICMP key: 0 = no type given; otherwise 1 + type*257 + (code given ? code+1 : 0). */
export const ICMP_MAX_KEY = 1 + 255 * 257 + 256;

export function icmpKey(type: number | undefined, code: number | undefined): number {
  if (type === undefined) return 0;
  return 1 + type * 257 + (code === undefined ? 0 : code + 1);
}

/** Keys an ICMP rule covers: all, one type (any code, or none given), or one type and code. */
export function icmpRuleSpan(type: number | undefined, code: number | undefined): [number, number] {
  if (type === undefined) return [0, ICMP_MAX_KEY];
  const base = 1 + type * 257;
  return code === undefined ? [base, base + 256] : [base + code + 1, base + code + 1];
}
