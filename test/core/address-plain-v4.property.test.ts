// IPv4 CIDRs in plain dotted decimal are parsed without ipaddr.js (address.ts, plainV4Cidr):
// for every text, plain or not (leading zeros that ipaddr.js reads as octal, octets past 255,
// prefixes past 32, short and hex forms, IPv6), v4Range and cidrFamily answer what ipaddr.js's
// own parse gives, or throw where it does not parse as IPv4.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { cidrFamily, v4Range } from '../../src/core/address.js';

/** What ipaddr.js says: the inclusive range of an IPv4 CIDR or address, its family, or null. */
function byIpaddr(text: string): { family: 'IPv4' | 'IPv6'; range?: [number, number] } | null {
  try {
    const [ip, bits] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), -1];
    if (ip.kind() === 'ipv6') return { family: 'IPv6' };
    const prefix = bits === -1 ? 32 : bits;
    const o = (ip as ipaddr.IPv4).octets;
    const base = ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
    const size = 2 ** (32 - prefix);
    const lo = Math.floor(base / size) * size;
    return { family: 'IPv4', range: [lo, lo + size - 1] };
  } catch {
    return null;
  }
}

const octet = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.integer({ min: 0, max: 999 }).map(String),
  fc.integer({ min: 0, max: 77 }).map((n) => `0${n}`),
  fc.integer({ min: 0, max: 255 }).map((n) => `0x${n.toString(16)}`),
);
const prefix = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 0, max: 40 }).map((n) => `/${n}`),
  fc.integer({ min: 0, max: 9 }).map((n) => `/0${n}`),
);
const text = fc.oneof(
  fc.tuple(fc.array(octet, { minLength: 4, maxLength: 4 }), prefix).map(([o, p]) => o.join('.') + p),
  fc.tuple(fc.array(octet, { minLength: 1, maxLength: 5 }), prefix).map(([o, p]) => o.join('.') + p),
  fc.constantFrom('::/0', '2001:db8::/32', '::ffff:10.0.0.1', '10.0.0.0/8 ', ' 10.0.0.0/8', '10..0.0/8', ''),
);

describe('plain IPv4 CIDRs parsed without ipaddr.js', () => {
  it('agree with ipaddr.js on every text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const want = byIpaddr(t);
        expect(cidrFamily(t)).toBe(want?.family ?? null);
        if (want?.range) expect(v4Range(t)).toEqual(want.range);
        else expect(() => v4Range(t)).toThrow();
      }),
      { numRuns: 5000 },
    );
  });
});
