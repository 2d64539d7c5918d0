// Terse builders for hand-written test regions: rules read like the seeds' tables.
import type {
  AddressGroup,
  Direction,
  Ethertype,
  Packet,
  Port,
  Profile,
  Protocol,
  RegionState,
  Remote,
  Rule,
  SecurityGroup,
} from '../../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';

let ruleSeq = 0;

export interface RuleOpts {
  id?: string;
  ethertype?: Ethertype;
  ports?: string; // "22", "80-82", "22,25,27"
  sourcePorts?: string;
  icmpType?: number;
  icmpCode?: number;
  from?: string; // CIDR, "sg:<id>", "ag:<id>" or "any"
  action?: 'allow' | 'deny';
  priority?: number;
  nic?: 'intranet' | 'internet';
}

export function parsePorts(text: string): { from: number; to: number }[] {
  return text.split(',').map((part) => {
    const [a, b] = part.split('-').map(Number);
    return { from: a, to: b ?? a };
  });
}

function remoteOf(text: string | undefined): Remote {
  if (!text || text === 'any') return { kind: 'any' };
  if (text.startsWith('sg:')) return { kind: 'group', groupId: text.slice(3) };
  if (text.startsWith('ag:')) return { kind: 'addressGroup', addressGroupId: text.slice(3) };
  return { kind: 'cidr', cidr: text };
}

export function rule(direction: Direction, protocol: Protocol, opts: RuleOpts = {}): Rule {
  const r: Rule = {
    id: opts.id ?? `rule-${++ruleSeq}`,
    direction,
    ethertype:
      opts.ethertype ??
      (opts.from?.includes(':') && !opts.from.startsWith('sg:') && !opts.from.startsWith('ag:')
        ? 'IPv6'
        : 'IPv4'),
    protocol,
    remote: remoteOf(opts.from),
    action: opts.action ?? 'allow',
    priority: opts.priority ?? 1,
    nicType: opts.nic ?? 'intranet',
  };
  if (opts.ports) r.ports = parsePorts(opts.ports);
  if (opts.sourcePorts) r.sourcePorts = parsePorts(opts.sourcePorts);
  if (opts.icmpType !== undefined) r.icmpType = opts.icmpType;
  if (opts.icmpCode !== undefined) r.icmpCode = opts.icmpCode;
  return r;
}

export const ingress = (protocol: Protocol, opts?: RuleOpts) => rule('ingress', protocol, opts);
export const egress = (protocol: Protocol, opts?: RuleOpts) => rule('egress', protocol, opts);

export function group(id: string, rules: Rule[], extra: Partial<SecurityGroup> = {}): SecurityGroup {
  return {
    id,
    tenantId: 't1',
    regionId: 'r1',
    vpcId: 'vpc-1',
    name: id,
    type: 'basic',
    stateful: true,
    innerAccessPolicy: 'Accept',
    rules,
    ...extra,
  };
}

export interface PortOpts {
  ipv6?: string[];
  vips?: string[];
  publicIp?: string;
  nic?: 'intranet' | 'internet';
  classic?: boolean;
}

export function port(
  id: string,
  ipv4: string | string[],
  groupIds: string[],
  opts: PortOpts = {},
): Port & { classic?: boolean } {
  return {
    id,
    instanceId: `i-${id}`,
    ipv4: Array.isArray(ipv4) ? ipv4 : [ipv4],
    ipv6: opts.ipv6 ?? [],
    virtualIps: opts.vips ?? [],
    ...(opts.publicIp && { publicIpv4: opts.publicIp }),
    nicType: opts.nic ?? 'intranet',
    groupIds,
    ...(opts.classic && { classic: true }),
  };
}

export function addressGroup(id: string, entries: string[]): AddressGroup {
  return { id, tenantId: 't1', regionId: 'r1', name: id, entries };
}

export function region(
  profile: Profile,
  groups: SecurityGroup[],
  ports: (Port & { classic?: boolean })[],
  addressGroups: AddressGroup[] = [],
): RegionState {
  return {
    region: { id: 'r1', profile, quotas: DEFAULT_QUOTAS[profile], conntrackTimeouts: DEFAULT_TIMEOUTS },
    tenants: [{ id: 't1', name: 't1' }],
    vpcs: [{ id: 'vpc-1', tenantId: 't1', regionId: 'r1', name: 'vpc-1' }],
    groups,
    addressGroups,
    instances: ports.map(({ classic, ...p }) => ({
      id: p.instanceId,
      tenantId: 't1',
      regionId: 'r1',
      vpcId: classic ? null : 'vpc-1',
      name: p.instanceId,
      ports: [p],
    })),
  };
}

/** A packet from "src[:port]" to "dst[:port]" ("tcp", "udp", "icmp", or a number). */
export function pkt(proto: string | number, src: string, dst: string, extra: Partial<Packet> = {}): Packet {
  const split = (s: string): [string, number | undefined] => {
    const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
    return m ? [m[1], Number(m[2])] : [s, undefined];
  };
  const [sa, sp] = split(src);
  const [da, dp] = split(dst);
  const ethertype: Ethertype = sa.includes(':') ? 'IPv6' : 'IPv4';
  const numbers: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, gre: 47, sctp: 132 };
  const protocol = typeof proto === 'number' ? proto : numbers[proto];
  const p: Packet = { ethertype, protocol, src: sa, dst: da, ...extra };
  if (sp !== undefined) p.srcPort = sp;
  if (dp !== undefined) p.dstPort = dp;
  if ((protocol === 6 || protocol === 17) && p.srcPort === undefined) p.srcPort = 40000;
  return p;
}
