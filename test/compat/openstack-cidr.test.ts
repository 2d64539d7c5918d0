// cidr.ts against netaddr: IPNetwork(text) as Neutron calls it, str() of it and of its .cidr,
// and neutron-lib's validate_subnet. The expectations are netaddr's behaviour as its source
// and changelog describe it (parse_ip_network, strategy.ipv4.expand_partial_address, glibc's
// inet_pton/inet_ntop underneath); the rows were also checked against netaddr 0.8.0 (Debian's
// python3-netaddr) and 1.3.0 themselves. Columns: input, str(IPNetwork(x)) and
// str(IPNetwork(x).cidr) under netaddr 0.8.0-0.10.1 (null: AddrFormatError, InvalidCIDR in
// Neutron), then str(IPNetwork(x)) under netaddr 1.3.0 (no partial expansion).
import { describe, expect, it } from 'vitest';
import {
  ipNetworkText,
  isValidSubnet,
  NETADDR_EXPAND_PARTIAL,
  normalizedCidr,
  parseIPNetwork,
  pyInt,
} from '../../src/compat/openstack/cidr.js';

const ROWS: [string, string | null, string | null, string | null][] = [
  ['10', '10.0.0.0/32', '10.0.0.0/32', null],
  ['1.2.3', '1.2.3.0/32', '1.2.3.0/32', null],
  ['010.1.1.1', '10.1.1.1/32', '10.1.1.1/32', null],
  ['256', null, null, null],
  ['0x7f000001', null, null, null],
  ['10.0.0.1', '10.0.0.1/32', '10.0.0.1/32', '10.0.0.1/32'],
  ['1.2.3.4/24', '1.2.3.4/24', '1.2.3.0/24', '1.2.3.4/24'],
  ['10/8', '10.0.0.0/8', '10.0.0.0/8', null],
  ['127.1', '127.1.0.0/32', '127.1.0.0/32', null],
  ['1.2.3.04', '1.2.3.4/32', '1.2.3.4/32', null],
  ['1.2.3.4/024', '1.2.3.4/24', '1.2.3.0/24', '1.2.3.4/24'],
  ['10/255.0.0.0', '10.0.0.0/8', '10.0.0.0/8', null],
  ['1.2.3.4/0.0.0.255', '1.2.3.4/24', '1.2.3.0/24', '1.2.3.4/24'],
  ['1.2.3.4/255.255.255.255', '1.2.3.4/32', '1.2.3.4/32', '1.2.3.4/32'],
  ['1.2.3.4/0.0.0.0', '1.2.3.4/0', '0.0.0.0/0', '1.2.3.4/0'],
  ['1.2.3.4/255.0.255.0', null, null, null],
  ['1.2.3.4/33', null, null, null],
  ['1.2.3.4/-1', null, null, null],
  ['1.2.3.4/-0', '1.2.3.4/0', '0.0.0.0/0', '1.2.3.4/0'],
  ['1.2.3.4/', null, null, null],
  ['/24', null, null, null],
  ['  ', null, null, null],
  [' 1.2.3.4', '1.2.3.4/32', '1.2.3.4/32', null],
  ['1.2.3.4 ', '1.2.3.4/32', '1.2.3.4/32', null],
  ['-0.1.2.3', '0.1.2.3/32', '0.1.2.3/32', null],
  ['+1.2.3.4', '1.2.3.4/32', '1.2.3.4/32', null],
  ['1_0.1.1.1', '10.1.1.1/32', '10.1.1.1/32', null],
  ['1__0.1.1.1', null, null, null],
  ['1.2.3.4/2_4', '1.2.3.4/24', '1.2.3.0/24', '1.2.3.4/24'],
  ['1.2.3.4/ 24 ', '1.2.3.4/24', '1.2.3.0/24', '1.2.3.4/24'],
  ['\u0661\u0660.1.1.1', '10.1.1.1/32', '10.1.1.1/32', null],
  ['1.2.3.4/\u0662\u0664', '1.2.3.4/24', '1.2.3.0/24', '1.2.3.4/24'],
  ['\uff11.2.3.4', '1.2.3.4/32', '1.2.3.4/32', null],
  ['1.2.3.4.5', null, null, null],
  ['1..2', null, null, null],
  ['.1', null, null, null],
  ['1.', null, null, null],
  ['0', '0.0.0.0/32', '0.0.0.0/32', null],
  ['0/0', '0.0.0.0/0', '0.0.0.0/0', null],
  ['255.255.255.255', '255.255.255.255/32', '255.255.255.255/32', '255.255.255.255/32'],
  ['4294967295', null, null, null],
  ['1.2.3.4/0x18', null, null, null],
  ['1.2.3.4/1e1', null, null, null],
  ['999', null, null, null],
  ['1.65536', null, null, null],
  ['0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0'],
  ['1.2.3.4/8/8', null, null, null],
  ['a.b.c.d', null, null, null],
  ['\u001f1.2.3.4', null, null, null],
  ['1.2.3.4\u00a0', '1.2.3.4/32', '1.2.3.4/32', null],
  ['1.2.3.4\u0000', null, null, null],
  ['::', '::/128', '::/128', '::/128'],
  ['::/0', '::/0', '::/0', '::/0'],
  ['::1', '::1/128', '::1/128', '::1/128'],
  ['::1/128', '::1/128', '::1/128', '::1/128'],
  ['::1.2.3.4', '::1.2.3.4/128', '::1.2.3.4/128', '::1.2.3.4/128'],
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4/128', '::ffff:1.2.3.4/128', '::ffff:1.2.3.4/128'],
  ['::ffff:0:0', '::ffff:0.0.0.0/128', '::ffff:0.0.0.0/128', '::ffff:0.0.0.0/128'],
  ['::0.0.0.1', '::1/128', '::1/128', '::1/128'],
  ['::0.1.0.0', '::0.1.0.0/128', '::0.1.0.0/128', '::0.1.0.0/128'],
  ['1::', '1::/128', '1::/128', '1::/128'],
  ['1:::', null, null, null],
  ['1:', null, null, null],
  ['::1:', null, null, null],
  ['2001:db8::1/64', '2001:db8::1/64', '2001:db8::/64', '2001:db8::1/64'],
  ['2001:DB8::/32', '2001:db8::/32', '2001:db8::/32', '2001:db8::/32'],
  ['2001:db8:0:0:0:0:0:1', '2001:db8::1/128', '2001:db8::1/128', '2001:db8::1/128'],
  ['1:0:0:1:0:0:0:1', '1:0:0:1::1/128', '1:0:0:1::1/128', '1:0:0:1::1/128'],
  ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0/128', '::1:0:0:1:0:0/128', '::1:0:0:1:0:0/128'],
  ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8/128', '1:2:3:4:5:6:7:8/128', '1:2:3:4:5:6:7:8/128'],
  ['1:2:3:4:5:6:7:8:9', null, null, null],
  ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0/128', '1:2:3:4:5:6:7:0/128', '1:2:3:4:5:6:7:0/128'],
  ['1::2:3:4:5:6:7:8', null, null, null],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304/128', '1:2:3:4:5:6:102:304/128', '1:2:3:4:5:6:102:304/128'],
  ['1:2:3:4:5:6:7:1.2.3.4', null, null, null],
  ['::01.2.3.4', null, null, null],
  ['00000::', null, null, null],
  ['fe80::1%eth0', null, null, null],
  ['::1/129', null, null, null],
  ['::1/ffff::', '::1/16', '::/16', '::1/16'],
  ['::1/::ffff', '::1/112', '::/112', '::1/112'],
  ['::1/1.2.3.4', null, null, null],
  ['1.2.3.4/::', null, null, null],
  ['::ffff:1.2.3.4/120', '::ffff:1.2.3.4/120', '::ffff:1.2.3.0/120', '::ffff:1.2.3.4/120'],
  ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4/128', '::ffff:1.2.3.4/128', '::ffff:1.2.3.4/128'],
  ['1:2::3:4:5:6:7', '1:2:0:3:4:5:6:7/128', '1:2:0:3:4:5:6:7/128', '1:2:0:3:4:5:6:7/128'],
  ['1.2.3.4:80', null, null, null],
  ['[::1]', null, null, null],
  ['::1/+64', '::1/64', '::/64', '::1/64'],
  ['::1/064', '::1/64', '::/64', '::1/64'],
  [' ::1', null, null, null],
  ['::1 ', null, null, null],
  ['1.2.3.4/255.255.255.254', '1.2.3.4/31', '1.2.3.4/31', '1.2.3.4/31'],
  ['1.2.3.4/127.255.255.255', '1.2.3.4/1', '0.0.0.0/1', '1.2.3.4/1'],
  ['1.2.3.4/0.0.0.1', '1.2.3.4/31', '1.2.3.4/31', '1.2.3.4/31'],
];

const SUBNETS: [unknown, boolean][] = [
  ['10.0.0.0/8', true],
  ['10.0.0.5/24', true], // IPv4 host bits are allowed: str() gives the same text back
  ['10/8', false], // str() is 10.0.0.0/8
  ['010.0.0.0/8', false],
  ['10.0.0.5', false], // no '/'
  ['2001:DB8::1/64', true], // IPv6 is not compared with its str()
  ['2001:db8::1', false],
  [' 10.0.0.0/8', false], // validate_no_whitespace
  ['10.0.0.0/08', false],
  ['::/0', true],
  ['10.0.0.0/255.0.0.0', false],
  ['::/ffff::', true], // an IPv6 netmask is /16 and, being IPv6, not compared
  ['2001:db8::/ 64', false],
  ['10.0.0.0/8\u00a0', false], // re's \s is Unicode whitespace
  ['0.0.0.0/0', true],
  ['::ffff:1.2.3.4/120', true],
  ['10.0.0.0/33', false],
  ['', false],
  ['1.2.3.4/32', true],
  [10, false],
  [null, false],
  [['10.0.0.0/8'], false],
];

describe('netaddr.IPNetwork as cidr.ts reads it', () => {
  it('follows netaddr 0.8.0-0.10.1 by default', () => {
    expect(NETADDR_EXPAND_PARTIAL).toBe(true);
  });

  it.each(ROWS)('%j: str %j, cidr %j (netaddr 1.3.0: %j)', (input, str, cidr, strict) => {
    expect(ipNetworkText(input)).toBe(str);
    expect(normalizedCidr(input)).toBe(cidr);
    expect(ipNetworkText(input, { expandPartial: true })).toBe(str);
    expect(ipNetworkText(input, { expandPartial: false })).toBe(strict);
  });

  it('knows the family and the integer value', () => {
    expect(parseIPNetwork('010.1.1.1/8')).toEqual({ version: 4, value: 0x0a010101n, prefixlen: 8 });
    expect(parseIPNetwork('::1.2.3.4')).toEqual({ version: 6, value: 0x01020304n, prefixlen: 128 });
    expect(parseIPNetwork('::ffff:1.2.3.4/96')).toEqual({
      version: 6,
      value: 0xffff01020304n,
      prefixlen: 96,
    });
  });

  it.each(SUBNETS)('validate_subnet(%j) is %j', (input, valid) => {
    expect(isValidSubnet(input)).toBe(valid);
    expect(isValidSubnet(input, { expandPartial: false })).toBe(valid);
  });

  it("reads numbers as Python's int() does", () => {
    const cases: [string, bigint | null][] = [
      ['10', 10n],
      ['010', 10n],
      [' 10\t', 10n],
      ['+10', 10n],
      ['-0', 0n],
      ['-1', -1n],
      ['1_0', 10n],
      ['1__0', null],
      ['_1', null],
      ['1_', null],
      ['\u0661\u0660', 10n], // Arabic-Indic digits
      ['\uff11', 1n], // fullwidth digit
      ['\u{1d7d9}', 1n], // mathematical double-struck digit one
      ['1\u3000', 1n], // ideographic space
      ['\x1f1', null], // ASCII is parsed as is: \x1f is not int()'s whitespace
      ['0x10', null],
      ['1e1', null],
      ['', null],
      [' ', null],
      ['1 0', null],
      ['0'.repeat(4300), 0n],
      ['0'.repeat(4301), null], // sys.get_int_max_str_digits() since Python 3.11
    ];
    for (const [text, value] of cases) expect(pyInt(text), JSON.stringify(text)).toBe(value);
  });
});
