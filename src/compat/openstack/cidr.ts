// netaddr.IPNetwork(text) as Neutron calls it (no flags), and str() of the result: the parser
// behind a rule's remote_ip_prefix (convert_ip_prefix_to_cidr), its normalized_cidr
// (str(IPNetwork(x).cidr)), neutron-lib's validate_subnet (address groups' `addresses`) and
// the address group actions' f"{net.network}/{net.prefixlen}".
//
// Behaviour followed: netaddr 0.8.0 to 0.10.1 on Linux (OpenStack's upper constraints pin
// 0.8.0 for Zed and 2023.1 and 0.10.1 for 2024.1; 0.8.0 is Debian bookworm's python3-netaddr),
// taken from netaddr's source and changelog and checked against 0.8.0 itself. What it does:
// - IPv4 first. The address part (before the first '/') is parsed as inet_pton(AF_INET) does
//   (glibc: exactly four decimal octets 0-255, no empty octet, no sign, and no leading zero:
//   "010" is not an octet). If that fails, expand_partial_address: the part split on '.', each
//   piece read with Python's int() (surrounding whitespace, a sign, '_' between digits, any
//   Unicode decimal digit, leading zeros), one to four pieces, missing ones filled with 0, each
//   0-255. So "10" is 10.0.0.0, "1.2.3" is 1.2.3.0, "010.1.1.1" is 10.1.1.1, " 1.2.3.4" and
//   "-0.1.2.3" are accepted, and "256", "0x7f000001", "1.2.3.4.5" and "1..2" are refused. No
//   classful prefix: that was implicit_prefix=True, which Neutron never passes, so a bare or
//   partial address is always /32.
// - Then IPv6 (when the IPv4 reading fails at all, prefix included): inet_pton(AF_INET6) as
//   glibc does it (one "::", at most 4 hex digits a group, a trailing dotted quad, no zone), and
//   no partial expansion.
// - The prefix (after the first '/'): Python's int() of it, else a netmask or a hostmask written
//   as an address of the same family (inet_pton only), else refused; 0..32 or 0..128.
// - str(): IPv4 dotted decimal; IPv6 as glibc's inet_ntop (lowercase, the first longest run of
//   two or more zero groups as "::", "::a.b.c.d" and "::ffff:a.b.c.d" for the compatible and
//   mapped forms), then "/prefix". Host bits are kept.
// netaddr 1.1.0 and later (OpenStack 2025.1 on, netaddr 1.3.0) no longer expand partial
// addresses unless asked (expand_partial=True, which Neutron does not pass): with
// { expandPartial: false } this module does that instead, and "10", "1.2.3" and "010.1.1.1"
// are refused. ipaddr.js is not used: it reads inet_aton forms ("0x7f000001", "10") and
// misreads "::1.2.3.4" as a mapped address.

export interface IPNetwork {
  version: 4 | 6;
  /** The address as an unsigned integer (32 or 128 bits). */
  value: bigint;
  prefixlen: number;
}

export interface ParseOptions {
  /** netaddr < 1.1 (true, the default) or >= 1.1 without expand_partial (false). */
  expandPartial?: boolean;
}

/** What the front end follows (see the header): netaddr 0.8.0-0.10.1. */
export const NETADDR_EXPAND_PARTIAL = true;

/** Python's str.isspace() characters, which are also what re's \s matches in a str. */
const PY_SPACES = new Set(
  [
    [0x09, 0x0d],
    [0x1c, 0x20],
    [0x85, 0x85],
    [0xa0, 0xa0],
    [0x1680, 0x1680],
    [0x2000, 0x200a],
    [0x2028, 0x2029],
    [0x202f, 0x202f],
    [0x205f, 0x205f],
    [0x3000, 0x3000],
  ].flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => String.fromCodePoint(lo + i))),
);
const isPySpace = (ch: string) => PY_SPACES.has(ch);
const ND = /\p{Nd}/u;

/** The value of a Unicode decimal digit: Nd characters come in runs of ten from zero. */
function digitValue(ch: string): number {
  let cp = ch.codePointAt(0)!;
  const start = cp;
  while (cp > 0 && ND.test(String.fromCodePoint(cp - 1))) cp--;
  return (start - cp) % 10;
}

/** Python's int(text) (base 10), or null where it raises ValueError. */
export function pyInt(text: string): bigint | null {
  // As CPython does: ASCII stays, other whitespace becomes ' ' and other decimal digits their
  // ASCII digit (anything else fails), then the ASCII parse, whose whitespace is " \t\n\v\f\r".
  let ascii = '';
  for (const ch of text) {
    if (ch.codePointAt(0)! < 128) ascii += ch;
    else if (isPySpace(ch)) ascii += ' ';
    else if (ND.test(ch)) ascii += String(digitValue(ch));
    else return null;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)[ \t\n\v\f\r]*$/.exec(ascii);
  if (!m) return null;
  const digits = m[2].replaceAll('_', '');
  // Python 3.11 and later refuse more than 4300 digits (sys.get_int_max_str_digits()).
  if (digits.length > 4300) return null;
  const n = BigInt(digits);
  return m[1] === '-' ? -n : n;
}

/** glibc inet_pton4 over the whole string: four bytes, or null. */
function pton4(s: string): number[] | null {
  const out = [0];
  let sawDigit = false;
  for (const ch of s) {
    if (ch >= '0' && ch <= '9') {
      const last = out.length - 1;
      if (sawDigit && out[last] === 0) return null;
      const next = out[last] * 10 + Number(ch);
      if (next > 255) return null;
      out[last] = next;
      sawDigit = true;
    } else if (ch === '.' && sawDigit) {
      if (out.length === 4) return null;
      out.push(0);
      sawDigit = false;
    } else return null;
  }
  return out.length === 4 && sawDigit ? out : null;
}

/** glibc inet_pton6: sixteen bytes, or null. */
function pton6(s: string): number[] | null {
  const bytes: number[] = [];
  let colon = -1;
  let i = 0;
  if (s === '') return null;
  if (s[0] === ':') {
    if (s[1] !== ':') return null;
    i = 1;
  }
  let token = i;
  let digits = 0;
  let val = 0;
  for (; i < s.length; i++) {
    const ch = s[i];
    const d = /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : -1;
    if (d >= 0) {
      if (digits === 4) return null;
      val = (val << 4) | d;
      digits++;
      continue;
    }
    if (ch === ':') {
      token = i + 1;
      if (digits === 0) {
        if (colon >= 0) return null;
        colon = bytes.length;
        continue;
      }
      if (i + 1 === s.length) return null;
      if (bytes.length + 2 > 16) return null;
      bytes.push(val >> 8, val & 0xff);
      digits = 0;
      val = 0;
      continue;
    }
    if (ch === '.' && bytes.length + 4 <= 16) {
      const v4 = pton4(s.slice(token));
      if (v4) {
        bytes.push(...v4);
        digits = 0;
        break;
      }
    }
    return null;
  }
  if (digits > 0) {
    if (bytes.length + 2 > 16) return null;
    bytes.push(val >> 8, val & 0xff);
  }
  if (colon >= 0) {
    if (bytes.length === 16) return null;
    const tail = bytes.splice(colon);
    while (bytes.length + tail.length < 16) bytes.push(0);
    bytes.push(...tail);
  }
  return bytes.length === 16 ? bytes : null;
}

const toBig = (bytes: number[]) => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

/** netaddr.strategy.ipv4.expand_partial_address, then inet_pton of the result. */
function expandPartial(s: string): number[] | null {
  if (s.includes(':')) return null;
  const pieces = s.includes('.') ? s.split('.') : [s];
  if (pieces.length > 4) return null;
  const out: number[] = [];
  for (const p of pieces) {
    const n = pyInt(p);
    if (n === null || n < 0n || n > 255n) return null;
    out.push(Number(n));
  }
  while (out.length < 4) out.push(0);
  return out;
}

/** parse_ip_network for one family: [value, prefixlen] or null (AddrFormatError). */
function parseFamily(version: 4 | 6, text: string, expand: boolean): [bigint, number] | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefix = slash < 0 ? null : text.slice(slash + 1);
  const width = version === 4 ? 32 : 128;
  const pton = version === 4 ? pton4 : pton6;
  const bytes = pton(addr) ?? (version === 4 && expand ? expandPartial(addr) : null);
  if (!bytes) return null;
  let prefixlen: number;
  if (prefix === null) prefixlen = width;
  else {
    const n = pyInt(prefix);
    if (n !== null) {
      if (n < 0n || n > BigInt(width)) return null;
      prefixlen = Number(n);
    } else {
      const maskBytes = pton(prefix);
      if (!maskBytes) return null;
      const mask = toBig(maskBytes);
      const all = (1n << BigInt(width)) - 1n;
      const ones = (x: bigint) => x.toString(2).replace(/0/g, '').length;
      const isPow2 = (x: bigint) => (x & (x - 1n)) === 0n;
      if (isPow2((mask ^ all) + 1n)) prefixlen = ones(mask);
      else if (isPow2(mask + 1n)) prefixlen = width - ones(mask);
      else return null;
    }
  }
  return [toBig(bytes), prefixlen];
}

/** netaddr.IPNetwork(text): null where netaddr raises AddrFormatError. */
export function parseIPNetwork(text: string, opts: ParseOptions = {}): IPNetwork | null {
  const expand = opts.expandPartial ?? NETADDR_EXPAND_PARTIAL;
  const v4 = parseFamily(4, text, expand);
  if (v4) return { version: 4, value: v4[0], prefixlen: v4[1] };
  const v6 = parseFamily(6, text, expand);
  if (v6) return { version: 6, value: v6[0], prefixlen: v6[1] };
  return null;
}

/** str(IPAddress) of a value: dotted decimal, or glibc inet_ntop6. */
function addressText(version: 4 | 6, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The first longest run of zero words, if two or more long.
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) cur = cur.base < 0 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
    else if (cur.base >= 0) {
      if (cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base >= 0 && cur.len > best.len) best = cur;
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += addressText(4, value & 0xffffffffn);
      return out;
    }
    out += words[i].toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) out += ':';
  return out;
}

/** str(net): the address with its host bits, "/", the prefix length. */
export function networkText(net: IPNetwork): string {
  return `${addressText(net.version, net.value)}/${net.prefixlen}`;
}

/** net.cidr: the same network with the host bits cleared. */
export function cidrOf(net: IPNetwork): IPNetwork {
  const width = net.version === 4 ? 32 : 128;
  const host = (1n << BigInt(width - net.prefixlen)) - 1n;
  return { ...net, value: net.value & ~host };
}

/** str(netaddr.IPNetwork(text)), or null where netaddr refuses it. */
export function ipNetworkText(text: string, opts?: ParseOptions): string | null {
  const net = parseIPNetwork(text, opts);
  return net && networkText(net);
}

/** str(netaddr.IPNetwork(text).cidr), which is also f"{net.network}/{net.prefixlen}". */
export function normalizedCidr(text: string, opts?: ParseOptions): string | null {
  const net = parseIPNetwork(text, opts);
  return net && networkText(cidrOf(net));
}

/**
 * neutron-lib validators.validate_subnet: no whitespace anywhere, a network netaddr reads,
 * written with a '/', and for IPv4 written exactly as str() writes it back.
 */
export function isValidSubnet(data: unknown, opts?: ParseOptions): boolean {
  if (typeof data !== 'string') return false;
  if ([...data].some(isPySpace)) return false;
  const net = parseIPNetwork(data, opts);
  if (!net || !data.includes('/')) return false;
  return net.version === 6 || networkText(net) === data;
}
