// A rule as users write it (the native API's body, a policy file's entry, what a front end
// translates its dialect into) and its one conversion into the model: shorthands for ports,
// one remote field of three, the profile's default priority. policy/schema.ts checks the
// same shape at the edges (its type is asserted equal to this one there).
import { cidrFamily } from './address.js';
import { type PortRange, type Profile, PROTOCOL_KEYWORDS, type Remote, type Rule } from './model.js';
import { TRAITS } from './profiles.js';
import type { Problems } from './validate.js';

export interface RuleInput {
  id?: string;
  direction: 'ingress' | 'egress';
  /** Default: the family of remoteIpPrefix, else IPv4. */
  ethertype?: 'IPv4' | 'IPv6';
  /** A protocol name (all, tcp, udp, icmp, icmpv6, gre, sctp) or an IP protocol number. */
  protocol: string | number;
  /** "22", 22, "80-82", "22,25,27" or ranges. Omitted: all ports. */
  ports?: string | number | PortRange[];
  /** Alibaba only. */
  sourcePorts?: string | number | PortRange[];
  icmpType?: number;
  icmpCode?: number;
  remoteIpPrefix?: string;
  remoteGroup?: string;
  remoteAddressGroup?: string;
  action?: 'allow' | 'deny';
  priority?: number;
  nicType?: 'intranet' | 'internet';
  description?: string;
}

/** "22", 22, "80-82", "22,25,27", [{from,to}] → ranges; malformed text is reported. */
export function parsePortList(input: string | number | PortRange[], at: string, p: Problems): PortRange[] {
  if (typeof input === 'number') return [{ from: input, to: input }];
  if (Array.isArray(input)) return input;
  const out: PortRange[] = [];
  for (const part of input.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) {
      p.add(at, 'INVALID_PORTS', `${at} "${input}": "${part}" is not a port or a range like 80-82`);
      continue;
    }
    out.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]) });
  }
  return out;
}

function remoteOf(r: RuleInput, at: string, p: Problems): Remote {
  const given = (['remoteIpPrefix', 'remoteGroup', 'remoteAddressGroup'] as const).filter(
    (k) => r[k] !== undefined,
  );
  if (given.length > 1)
    p.add(
      at,
      'REMOTE_CONFLICT',
      `${at} names ${given.join(' and ')}: a rule's remote is one CIDR, one group or one address group`,
    );
  if (r.remoteIpPrefix !== undefined) return { kind: 'cidr', cidr: r.remoteIpPrefix };
  if (r.remoteGroup !== undefined) return { kind: 'group', groupId: r.remoteGroup };
  if (r.remoteAddressGroup !== undefined)
    return { kind: 'addressGroup', addressGroupId: r.remoteAddressGroup };
  return { kind: 'any' };
}

export function toRule(profile: Profile, r: RuleInput, id: string, at: string, p: Problems): Rule {
  const rule: Rule = {
    id: r.id ?? id,
    direction: r.direction,
    ethertype: r.ethertype ?? (r.remoteIpPrefix ? (cidrFamily(r.remoteIpPrefix) ?? 'IPv4') : 'IPv4'),
    protocol: (typeof r.protocol === 'string' ? r.protocol.toLowerCase() : r.protocol) as Rule['protocol'],
    remote: remoteOf(r, at, p),
    action: r.action ?? 'allow',
    priority: r.priority ?? TRAITS[profile].defaultPriority,
    nicType: r.nicType ?? 'intranet',
  };
  // A keyword the model has no name for ("esp") is held as its number, the keyword kept beside it.
  const keyword = typeof rule.protocol === 'string' ? PROTOCOL_KEYWORDS.get(rule.protocol) : undefined;
  if (keyword !== undefined) {
    rule.protocolName = rule.protocol as string;
    rule.protocol = keyword;
  }
  if (r.ports !== undefined) rule.ports = parsePortList(r.ports, `${at}.ports`, p);
  if (r.sourcePorts !== undefined) rule.sourcePorts = parsePortList(r.sourcePorts, `${at}.sourcePorts`, p);
  if (r.icmpType !== undefined) rule.icmpType = r.icmpType;
  if (r.icmpCode !== undefined) rule.icmpCode = r.icmpCode;
  if (r.description !== undefined) rule.description = r.description;
  return rule;
}
