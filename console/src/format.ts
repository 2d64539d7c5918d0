// How the tables show a rule's fields.
import type { PortRange, Rule } from './api';

export function portsText(rule: Rule): string {
  if (rule.protocol === 'icmp' || rule.protocol === 'icmpv6') {
    if (rule.icmpType === undefined) return 'all types';
    return rule.icmpCode === undefined
      ? `type ${rule.icmpType}`
      : `type ${rule.icmpType} code ${rule.icmpCode}`;
  }
  if (!rule.ports || rule.ports.length === 0) return 'all';
  return rule.ports.map(rangeText).join(', ');
}

const rangeText = ({ from, to }: PortRange) => (from === to ? String(from) : `${from}-${to}`);

/** The rule's far side: an address prefix, a group, an address group, or any address. */
export function remoteOf(rule: Rule): { kind: 'cidr' | 'group' | 'addressGroup' | 'any'; text: string } {
  if (rule.remoteIpPrefix !== undefined) return { kind: 'cidr', text: rule.remoteIpPrefix };
  if (rule.remoteGroup !== undefined) return { kind: 'group', text: rule.remoteGroup };
  if (rule.remoteAddressGroup !== undefined) return { kind: 'addressGroup', text: rule.remoteAddressGroup };
  return { kind: 'any', text: rule.ethertype === 'IPv6' ? 'any (::/0)' : 'any (0.0.0.0/0)' };
}
