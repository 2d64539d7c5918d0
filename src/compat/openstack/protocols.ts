// Neutron's protocol vocabulary (neutron-lib constants.IP_PROTOCOL_MAP) and its mapping to the
// native model: the names the model has stay names, every other protocol becomes its number.
import type { Protocol } from '../../core/model.js';

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

/** A converted Neutron protocol as the model stores it. */
export function toModelProtocol(protocol: string | null): Protocol {
  if (protocol === null) return 'all';
  if (/^\d+$/.test(protocol)) return Number(protocol);
  switch (protocol) {
    case 'tcp':
    case 'udp':
    case 'icmp':
    case 'gre':
    case 'sctp':
      return protocol;
    case 'ipv6-icmp':
    case 'icmpv6':
      return 'icmpv6';
    default:
      return IP_PROTOCOL_MAP.get(protocol) as number;
  }
}

/** The model's protocol as Neutron shows it: names, numbers as strings, null for any. */
export function fromModelProtocol(protocol: Protocol): string | null {
  if (protocol === 'all') return null;
  if (protocol === 'icmpv6') return 'ipv6-icmp';
  return String(protocol);
}
