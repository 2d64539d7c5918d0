// The native domain model: a superset of the three clouds' security-group objects
// (../shared/SEMANTICS.md, "Domain model"). Plain data, no behaviour: the compiler,
// the validator, the store and every API front end share these shapes.

import { own } from './own.js';

export type Profile = 'alibaba' | 'huawei' | 'openstack';
export const PROFILES: readonly Profile[] = ['alibaba', 'huawei', 'openstack'];

export type Direction = 'ingress' | 'egress';
export type Ethertype = 'IPv4' | 'IPv6';
export type Action = 'allow' | 'deny';
export type NicType = 'intranet' | 'internet';
export type GroupType = 'basic' | 'advanced';
export type InnerAccessPolicy = 'Accept' | 'Drop';
export type NetworkType = 'vpc' | 'classic';

/** Named protocols; any other IP protocol is given by its number (0-255). */
export type ProtocolName = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre' | 'sctp';
export type Protocol = ProtocolName | number;

/** An inclusive port range; a single port has from === to. */
export interface PortRange {
  from: number;
  to: number;
}

/** What a rule's far side is: at most one of these; none means "any address". */
export type Remote =
  | { kind: 'any' }
  | { kind: 'cidr'; cidr: string }
  | { kind: 'group'; groupId: string }
  | { kind: 'addressGroup'; addressGroupId: string };

export interface Rule {
  id: string;
  direction: Direction;
  ethertype: Ethertype;
  protocol: Protocol;
  /**
   * The keyword the client named a protocol by that the model holds as a number ("esp" for
   * 50; see PROTOCOL_KEYWORDS): shown back as given. Evaluation and identity use `protocol`.
   */
  protocolName?: string;
  /** Destination ports (tcp/udp/sctp). Empty or absent: all ports. Several ranges are one rule. */
  ports?: PortRange[];
  /** Alibaba only: source port ranges. Empty or absent: all. */
  sourcePorts?: PortRange[];
  /** icmp/icmpv6 only. Absent: any type (and then any code). */
  icmpType?: number;
  icmpCode?: number;
  remote: Remote;
  action: Action;
  /** 1 (highest) .. 100; Alibaba default-group rules use 110. Absent on openstack. */
  priority: number;
  /** Alibaba classic network only; VPC rules are always intranet. */
  nicType: NicType;
  description?: string;
  /** When the rule was created (ISO 8601); set by the control plane. */
  createdAt?: string;
  /** Writes that modified the rule since it was made (Neutron's revision_number); absent: 0. */
  changeCount?: number;
}

export interface SecurityGroup {
  id: string;
  tenantId: string;
  regionId: string;
  /** null: Alibaba classic network. */
  vpcId: string | null;
  name: string;
  description?: string;
  type: GroupType;
  stateful: boolean;
  innerAccessPolicy: InnerAccessPolicy;
  rules: Rule[];
  /** Key/value tags (Alibaba Tag.N, Huawei tags; an OpenStack tag is a key with an empty value). */
  tags?: Record<string, string>;
  /** Set by the control plane (ISO 8601). */
  createdAt?: string;
  updatedAt?: string;
  /**
   * Writes that changed the group or its rules, the one that made it counting once if it gave
   * it rules (Neutron's revision_number: a new group with its default rules is at 1). Kept by
   * the service layer, whatever API the write came through; absent: 0.
   */
  changeCount?: number;
}

/** IP address group (Huawei/OpenStack) or prefix list (Alibaba): a named set of CIDRs. */
export interface AddressGroup {
  id: string;
  tenantId: string;
  regionId: string;
  name: string;
  /** When set, every entry must be of this family. */
  ethertype?: Ethertype;
  entries: string[];
  description?: string;
  /** The most entries it may hold (ECS prefix lists' MaxEntries); the region quota applies too. */
  maxEntries?: number;
  /** Writes that changed it since it was made, the making one counting once if it gave it entries; absent: 0. */
  changeCount?: number;
  /**
   * The entries as the client wrote them, where a front end wrote some in a form the model turns
   * into several CIDRs (a Huawei IP range "10.0.0.10-10.0.0.20"): shown back as written, and
   * what maxEntries counts. Absent once the entries are changed entry by entry.
   */
  writtenEntries?: string[];
  /** Set by the control plane (ISO 8601). */
  createdAt?: string;
  updatedAt?: string;
}

export interface Port {
  id: string;
  instanceId: string;
  /** Private addresses: the only ones a remote-group rule matches. */
  ipv4: string[];
  ipv6: string[];
  publicIpv4?: string;
  /** Virtual IPs carried by the port (keepalived etc.): never matched by remote groups (002). */
  virtualIps: string[];
  /** Classic network: which NIC this is. VPC ports are intranet. */
  nicType: NicType;
  /** Ordered memberships: the index is the Huawei group sequence (0 first). */
  groupIds: string[];
  /** The hypervisor host that carries the port, and its interface there (what host agents enforce). */
  host?: string;
  interface?: string;
  /**
   * Neutron's port_security_enabled; absent means true. False: the port holds no groups and
   * no virtual IPs, and all its traffic is allowed both ways (no policy applies to it).
   */
  securityEnabled?: boolean;
  /** The port's own name and MAC address, where the API that made it gives ports these (Neutron). */
  name?: string;
  macAddress?: string;
  /** What the port is attached to, as Neutron's device_id and device_owner name it (set through Neutron). */
  device?: { id: string; owner: string };
  /** Set by the control plane (ISO 8601). */
  createdAt?: string;
  updatedAt?: string;
}

export interface Instance {
  id: string;
  tenantId: string;
  regionId: string;
  /** null: Alibaba classic network. */
  vpcId: string | null;
  name: string;
  ports: Port[];
}

/** An address range of a VPC (a Neutron subnet): where its ports' fixed addresses come from. */
export interface Subnet {
  id: string;
  name: string;
  cidr: string;
  ipVersion: 4 | 6;
  /** null: the subnet has no gateway. */
  gatewayIp: string | null;
  createdAt?: string;
}

export interface Vpc {
  id: string;
  tenantId: string;
  regionId: string;
  name: string;
  cidr?: string;
  /** Its subnets, in creation order (a Neutron network's). */
  subnets?: Subnet[];
  /** Set by the control plane (ISO 8601) where the API that made it shows it (Neutron). */
  createdAt?: string;
}

export interface Tenant {
  id: string;
  name: string;
  /** Free text (Keystone's project description). */
  description?: string;
  /** The operator's overrides of a region's quotas for this tenant, by region id (core/quotas.ts). */
  quotas?: Record<string, Partial<Quotas>>;
}

export interface Quotas {
  groupsPerTenant: number;
  rulesPerGroup: number;
  /** Rules over all of a tenant's groups in the region (Neutron's security_group_rule). 0: no limit. */
  rulesPerTenant: number;
  groupsPerPort: number;
  portsPerGroup: number;
  /** Alibaba: a basic group holds at most this many group-reference rules. */
  groupReferenceRulesPerGroup: number;
  /** Sum of rules over a port's groups (Alibaba's newer figure is 1,000). 0: no limit. */
  rulesPerPort: number;
  addressGroupsPerTenant: number;
  entriesPerAddressGroup: number;
}

/** Idle timeouts in seconds, per tracked state (SEMANTICS.md "Statefulness"). */
export interface ConntrackTimeouts {
  tcpSynSent: number;
  tcpSynRecv: number;
  tcpEstablished: number;
  tcpFinWait: number;
  tcpCloseWait: number;
  tcpLastAck: number;
  tcpTimeWait: number;
  tcpClose: number;
  icmp: number;
  /** Other protocols (udp, gre, ...) while packets were seen one way only. */
  otherOneWay: number;
  /** Other protocols once packets were seen both ways. */
  otherBothWays: number;
}

export interface Region {
  id: string;
  name?: string;
  profile: Profile;
  quotas: Quotas;
  conntrackTimeouts: ConntrackTimeouts;
}

/** Everything one region holds: the unit the engine compiles and the simulator runs. */
export interface RegionState {
  region: Region;
  tenants: Tenant[];
  vpcs: Vpc[];
  groups: SecurityGroup[];
  addressGroups: AddressGroup[];
  instances: Instance[];
}

/** A packet as the evaluator sees it. Addresses are textual IPv4 or IPv6. */
export interface Packet {
  ethertype: Ethertype;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 47 gre, ...). */
  protocol: number;
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
}

export const PROTOCOL_NUMBERS: Record<Exclude<ProtocolName, 'all'>, number> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
  gre: 47,
  sctp: 132,
};

/**
 * IP protocols the model has no name of its own for, by the keywords /etc/protocols and
 * neutron-lib's IP_PROTOCOL_MAP give them: a rule given one holds its number and keeps the
 * keyword as protocolName. A Map: the keys come from requests.
 */
export const PROTOCOL_KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['ah', 51],
  ['dccp', 33],
  ['egp', 8],
  ['esp', 50],
  ['hopopt', 0],
  ['igmp', 2],
  ['ip', 0],
  ['ipip', 4],
  ['ipv6-encap', 41],
  ['ipv6-frag', 44],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['ipv6-route', 43],
  ['ospf', 89],
  ['pgm', 113],
  ['rsvp', 46],
  ['udplite', 136],
  ['vrrp', 112],
]);

/** Protocols whose rules carry port ranges. */
export const PORTED_PROTOCOLS = new Set<number>([6, 17, 132]);
/** Protocols whose rules carry ICMP type/code. */
export const ICMP_PROTOCOLS = new Set<number>([1, 58]);

/**
 * The IP protocol number of a rule's protocol, or null for 'all'. A name that is not a
 * protocol (even "constructor") gives undefined, which validateRule reports.
 */
export function protocolNumber(protocol: Protocol): number | null {
  if (protocol === 'all') return null;
  return typeof protocol === 'number' ? protocol : (own(PROTOCOL_NUMBERS, protocol) as number);
}
