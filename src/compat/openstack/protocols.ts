// Neutron's protocol vocabulary (neutron-lib constants.IP_PROTOCOL_MAP) and its mapping to the
// native model, which holds a protocol as its own name or a number and keeps any other name
// the client gave beside the number, so that a rule shows its protocol as it was sent.
import type { Rule } from '../../core/model.js';
import type { RuleInput } from '../../core/rule-input.js';

/**
 * Insertion order is neutron-lib's, which its error message prints. A Map: the names come
 * from requests, and "constructor" or "__proto__" must not be protocols.
 */
export const IP_PROTOCOL_MAP = new Map<string, number>(
  Object.entries({
    ah: 51,
    dccp: 33,
    egp: 8,
    esp: 50,
    gre: 47,
    hopopt: 0,
    icmp: 1,
    igmp: 2,
    ip: 0,
    ipip: 4,
    'ipv6-encap': 41,
    'ipv6-frag': 44,
    'ipv6-icmp': 58,
    icmpv6: 58,
    'ipv6-nonxt': 59,
    'ipv6-opts': 60,
    'ipv6-route': 43,
    ospf: 89,
    pgm: 113,
    rsvp: 46,
    sctp: 132,
    tcp: 6,
    udp: 17,
    udplite: 136,
    vrrp: 112,
  }),
);

/** Python's repr of neutron's sg_supported_protocols tuple. */
export const SUPPORTED_PROTOCOLS_TEXT = `(None, 'any', ${[...IP_PROTOCOL_MAP.keys()]
  .map((k) => `'${k}'`)
  .join(', ')})`;

/** Protocols whose rules carry port ranges in Neutron (and the subset the model can hold). */
export const PORT_PROTOCOLS = new Set([33, 132, 6, 17, 136]);
export const MODEL_PORT_PROTOCOLS = new Set([6, 17, 132]);
export const ICMP_NUMBERS = new Set([1, 58]);

/** Names only valid on IPv6 rules (_validate_ethertype_and_protocol). */
export const IPV6_ONLY = new Set([
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  '41',
  '44',
  '58',
  '59',
  '60',
  '43',
]);

/** The IP protocol number of a converted Neutron protocol (a name or "0".."255"), null for any. */
export function protocolNumberOf(protocol: string | null): number | null {
  if (protocol === null) return null;
  return /^\d+$/.test(protocol) ? Number(protocol) : (IP_PROTOCOL_MAP.get(protocol) as number);
}

/**
 * A converted Neutron protocol as the service takes it: the model's own names stay names, a
 * number stays a number, and any other name ("esp") is passed as the keyword it is, which the
 * model holds as its number with the name kept beside it (Rule.protocolName).
 */
export function toModelProtocol(protocol: string | null): RuleInput['protocol'] {
  if (protocol === null) return 'all';
  if (/^\d+$/.test(protocol)) return Number(protocol);
  return protocol === 'ipv6-icmp' ? 'icmpv6' : protocol;
}

/** A rule's protocol as Neutron shows it: as it was sent (a name, a number as a string), null for any. */
export function neutronProtocol(rule: Pick<Rule, 'protocol' | 'protocolName'>): string | null {
  if (rule.protocolName !== undefined) return rule.protocolName;
  if (rule.protocol === 'all') return null;
  if (rule.protocol === 'icmpv6') return 'ipv6-icmp';
  return String(rule.protocol);
}

/** neutron-lib IP_PROTOCOL_NUM_TO_NAME_MAP: one name per number, the map's last (58: ipv6-icmp). */
const NUM_TO_NAME = new Map(
  [...IP_PROTOCOL_MAP].filter(([name]) => name !== 'icmpv6').map(([name, n]) => [String(n), name]),
);

/**
 * securitygroups_db._get_ip_proto_name_and_num, as the duplicate key writes it: a name and its
 * number, so "ah" and "51" are one protocol (but "hopopt" is not "0", which names "ip").
 */
export function protocolKey(protocol: string | null, ethertype: string): string | null {
  if (protocol === null) return null;
  let p = protocol;
  if (ethertype === 'IPv6') {
    if (p === 'icmp' || p === 'icmpv6') p = 'ipv6-icmp';
    else if (p === '1') p = '58';
  }
  const number = IP_PROTOCOL_MAP.get(p);
  if (number !== undefined) return `['${p}', '${number}']`;
  const name = NUM_TO_NAME.get(p);
  return name !== undefined ? `['${name}', '${p}']` : `['${p}', '${p}']`;
}
