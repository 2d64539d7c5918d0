// Address arithmetic for the engine. IPv4 addresses become unsigned 32-bit numbers;
// IPv6 addresses become four such words (most significant first). Parsing uses ipaddr.js.
import ipaddr from 'ipaddr.js';
import type { Ethertype } from './model.js';

export type V6 = [number, number, number, number];

export function isValidIp(text: string): boolean {
  return ipaddr.isValid(text);
}

export function ipFamily(text: string): Ethertype | null {
  const ip = parsedIp(text);
  return ip === null ? null : ip.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
}

/** A CIDR's family, or null if it is not a valid CIDR in canonical or host form. */
export function cidrFamily(text: string): Ethertype | null {
  if (plainV4Cidr(text)) return 'IPv4';
  const parsed = parseCidrText(text);
  return parsed ? (parsed[0].kind() === 'ipv4' ? 'IPv4' : 'IPv6') : null;
}

const PLAIN_V4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\/(\d{1,2}))?$/;

/**
 * An IPv4 address or CIDR in plain dotted decimal ("10.0.0.0/8", "10.0.0.1"), as its address
 * number and prefix length; null for anything else, which parseCidrText decides. Remote sets of
 * thousands of addresses are parsed on every analysis, and ipaddr.parseCIDR tries IPv6 first
 * (an exception per IPv4 text) and builds objects: this path gives the same answer for the
 * text it accepts (no leading zeros, which ipaddr.js would read as octal; octets up to 255;
 * prefix up to 32) and leaves every other form to ipaddr.js.
 */
function plainV4Cidr(text: string): [number, number] | null {
  const m = PLAIN_V4.exec(text);
  if (!m) return null;
  const octets = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 32 || octets.some((o) => o > 255)) return null;
  return [((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, bits];
}

function parseCidrText(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (!text.includes('/')) {
      const ip = ipaddr.parse(text);
      return [ip, ip.kind() === 'ipv4' ? 32 : 128];
    }
    return ipaddr.parseCIDR(text);
  } catch {
    return null;
  }
}

export function v4ToNumber(text: string): number {
  const bytes = ipaddr.IPv4.parse(text).octets;
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

export function numberToV4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function v6ToWords(text: string): V6 {
  const parts = ipaddr.IPv6.parse(text).parts;
  return [
    ((parts[0] << 16) | parts[1]) >>> 0,
    ((parts[2] << 16) | parts[3]) >>> 0,
    ((parts[4] << 16) | parts[5]) >>> 0,
    ((parts[6] << 16) | parts[7]) >>> 0,
  ];
}

export function wordsToV6(w: V6): string {
  const parts: number[] = [];
  for (const word of w) parts.push(word >>> 16, word & 0xffff);
  return new ipaddr.IPv6(parts).toString();
}

/** Inclusive IPv4 range of a CIDR (or single address). */
export function v4Range(cidr: string): [number, number] {
  const plain = plainV4Cidr(cidr);
  if (plain) {
    const size = 2 ** (32 - plain[1]);
    const lo = Math.floor(plain[0] / size) * size;
    return [lo, lo + size - 1];
  }
  const parsed = parseCidrText(cidr);
  if (!parsed || parsed[0].kind() !== 'ipv4') throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const base = v4ToNumber(parsed[0].toString());
  const bits = parsed[1];
  const size = 2 ** (32 - bits);
  const lo = Math.floor(base / size) * size;
  return [lo, lo + size - 1];
}

/** Inclusive IPv6 range of a CIDR (or single address), as word arrays. */
export function v6Range(cidr: string): [V6, V6] {
  const parsed = parseCidrText(cidr);
  if (!parsed || parsed[0].kind() !== 'ipv6') throw new Error(`not an IPv6 CIDR: ${cidr}`);
  const w = v6ToWords(parsed[0].toString());
  const bits = parsed[1];
  const lo = [...w] as V6;
  const hi = [...w] as V6;
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(32, bits - 32 * i));
    const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    lo[i] = (w[i] & mask) >>> 0;
    hi[i] = (lo[i] | (~mask >>> 0)) >>> 0;
  }
  return [lo, hi];
}

/** Parsing is the reference evaluator's main cost; remember recent results (bounded). */
function memo<T>(fn: (text: string) => T, limit = 50_000): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined) {
      if (cache.size >= limit) cache.clear();
      v = fn(text);
      cache.set(text, v);
    }
    return v;
  };
}
const parsedCidr = memo(parseCidrText);
const parsedIp = memo((text) => (ipaddr.isValid(text) ? ipaddr.parse(text) : null));

/** Whether an address lies inside a CIDR of the same family. */
export function cidrContains(cidr: string, ip: string): boolean {
  const c = parsedCidr(cidr);
  const addr = parsedIp(ip);
  if (!c || !addr || addr.kind() !== c[0].kind()) return false;
  return (addr as ipaddr.IPv4).match(c as [ipaddr.IPv4, number]);
}

/** Canonical text of an address (so that "::1" and "0::1" compare equal). */
export const canonicalIp = memo((text: string): string => ipaddr.parse(text).toString());

/** Canonical text of a CIDR: network address and prefix length. */
export function canonicalCidr(text: string): string {
  const parsed = parseCidrText(text);
  if (!parsed) throw new Error(`not a CIDR: ${text}`);
  const [ip, bits] = parsed;
  if (ip.kind() === 'ipv4') {
    const [lo] = v4Range(text);
    return `${numberToV4(lo)}/${bits}`;
  }
  const [lo] = v6Range(text);
  return `${wordsToV6(lo)}/${bits}`;
}

/** Whether a CIDR's host bits are all zero (Huawei and Neutron accept either; we normalize). */
export function isNetworkAligned(text: string): boolean {
  const parsed = parseCidrText(text);
  if (!parsed) return false;
  return canonicalIp(parsed[0].toString()) === canonicalCidr(text).split('/')[0];
}
