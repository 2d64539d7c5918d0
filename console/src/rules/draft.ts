// A rule as its form holds it (text as typed: the API parses and judges it, and names the field
// it refuses), and the request bodies made from it: the rule of POST .../rules, the PATCH of an
// edit, and the rule of a simulation's addRule step.
import type { Rule } from '../api';
import type { RemoteKind, RuleFormTraits } from './traits';

export type Direction = 'ingress' | 'egress';

export interface Draft {
  direction: Direction;
  ethertype: 'IPv4' | 'IPv6';
  protocol: string;
  /** As a cloud console takes them: "22", "8000-8080", "22,25,27"; empty: all ports. */
  ports: string;
  icmpType: string;
  icmpCode: string;
  remoteKind: RemoteKind;
  /** A CIDR, a group id or an address group id; an empty CIDR: any address. */
  remote: string;
  action: 'allow' | 'deny';
  priority: string;
  description: string;
}

/** The rule fields the API names in its problems, in the form's order (body.ports, body.remote.cidr). */
export const DRAFT_FIELDS = [
  'ethertype',
  'protocol',
  'ports',
  'icmpType',
  'icmpCode',
  'remote',
  'remoteIpPrefix',
  'remoteGroup',
  'remoteAddressGroup',
  'action',
  'priority',
  'description',
] as const;

export const PORTED = new Set(['tcp', 'udp', 'sctp']);
export const ICMP = new Set(['icmp', 'icmpv6']);

export function emptyDraft(direction: Direction, traits: RuleFormTraits): Draft {
  return {
    direction,
    ethertype: 'IPv4',
    protocol: 'tcp',
    ports: '',
    icmpType: '',
    icmpCode: '',
    remoteKind: 'cidr',
    remote: '',
    action: 'allow',
    priority: String(traits.region.priority.default),
    description: '',
  };
}

const rangeText = ({ from, to }: { from: number; to: number }) =>
  from === to ? String(from) : `${from}-${to}`;

export function draftOf(rule: Rule): Draft {
  const remoteKind: RemoteKind =
    rule.remoteGroup !== undefined
      ? 'group'
      : rule.remoteAddressGroup !== undefined
        ? 'addressGroup'
        : 'cidr';
  return {
    direction: rule.direction,
    ethertype: rule.ethertype,
    protocol: rule.protocol,
    ports: (rule.ports ?? []).map(rangeText).join(','),
    icmpType: rule.icmpType === undefined ? '' : String(rule.icmpType),
    icmpCode: rule.icmpCode === undefined ? '' : String(rule.icmpCode),
    remoteKind,
    remote: rule.remoteGroup ?? rule.remoteAddressGroup ?? rule.remoteIpPrefix ?? '',
    action: rule.action,
    priority: String(rule.priority),
    description: rule.description ?? '',
  };
}

/** A whole number typed in a field, or the text itself (the API refuses it at the field). */
const numberOf = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text) : text);

/** The native rule body (POST .../rules, a simulation's addRule). */
export function bodyOf(d: Draft, traits: RuleFormTraits): Record<string, unknown> {
  const body: Record<string, unknown> = {
    direction: d.direction,
    ethertype: d.ethertype,
    protocol: d.protocol,
  };
  if (PORTED.has(d.protocol) && d.ports.trim() !== '') body.ports = d.ports.trim();
  if (ICMP.has(d.protocol)) {
    if (d.icmpType.trim() !== '') body.icmpType = numberOf(d.icmpType);
    if (d.icmpCode.trim() !== '') body.icmpCode = numberOf(d.icmpCode);
  }
  const remote = d.remote.trim();
  if (d.remoteKind === 'cidr') {
    if (remote !== '') body.remoteIpPrefix = remote;
  } else body[d.remoteKind === 'group' ? 'remoteGroup' : 'remoteAddressGroup'] = remote;
  if (traits.group.denyRules) body.action = d.action;
  if (traits.group.priorities && d.priority.trim() !== '') body.priority = numberOf(d.priority);
  if (d.description.trim() !== '') body.description = d.description;
  return body;
}

/**
 * The PATCH of an edit: every field of the form, so that what the form shows is what is stored
 * (the API drops the old protocol's ports and the old remote when a new one is named). An
 * emptied description is sent empty.
 */
export function patchOf(d: Draft, traits: RuleFormTraits, original: Rule): Record<string, unknown> {
  const body = bodyOf(d, traits);
  delete body.direction;
  body.description = d.description;
  // A PATCH keeps the old remote unless it names a new one: an emptied CIDR (any address) of a
  // rule that had a remote is sent as all addresses of its family.
  const hadRemote =
    original.remoteIpPrefix !== undefined ||
    original.remoteGroup !== undefined ||
    original.remoteAddressGroup !== undefined;
  if (hadRemote && d.remoteKind === 'cidr' && d.remote.trim() === '')
    body.remoteIpPrefix = d.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0';
  return body;
}

/** Common services for fast-add: one click fills the add form. */
export interface Service {
  name: string;
  protocol: 'tcp' | 'icmp';
  ports?: string;
  icmpType?: string;
  icmpCode?: string;
}

export const SERVICES: readonly Service[] = [
  { name: 'SSH', protocol: 'tcp', ports: '22' },
  { name: 'RDP', protocol: 'tcp', ports: '3389' },
  { name: 'HTTP', protocol: 'tcp', ports: '80' },
  { name: 'HTTPS', protocol: 'tcp', ports: '443' },
  // Echo requests (ping): type 8 code 0.
  { name: 'ICMP (echo)', protocol: 'icmp', icmpType: '8', icmpCode: '0' },
  { name: 'MySQL', protocol: 'tcp', ports: '3306' },
  { name: 'PostgreSQL', protocol: 'tcp', ports: '5432' },
  { name: 'SQL Server', protocol: 'tcp', ports: '1433' },
  { name: 'Redis', protocol: 'tcp', ports: '6379' },
  { name: 'MongoDB', protocol: 'tcp', ports: '27017' },
];

/** The add form's draft for a service, from the given remote (a CIDR). */
export function serviceDraft(base: Draft, service: Service, cidr: string): Draft {
  return {
    ...base,
    ethertype: cidr.includes(':') ? 'IPv6' : 'IPv4',
    protocol: service.protocol === 'icmp' && cidr.includes(':') ? 'icmpv6' : service.protocol,
    ports: service.ports ?? '',
    icmpType: service.protocol === 'icmp' && cidr.includes(':') ? '128' : (service.icmpType ?? ''),
    icmpCode: service.icmpCode ?? '',
    remoteKind: 'cidr',
    remote: cidr,
    description: service.name,
  };
}
