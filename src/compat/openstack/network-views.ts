// Palisade VPCs, subnets and ports as Neutron shows networks, subnets and ports.
//
// device_id / device_owner: a port made through Neutron shows the ones it was given (empty when
// none); a port of an instance made natively (or through another cloud's API) shows its
// Palisade instance id as device_id and "compute:palisade" as device_owner.
// mac_address: the one given at creation, else fa:16:3e and three bytes of a hash of the port
// id (Neutron's base_mac prefix): the same port always shows the same address.
import { createHash } from 'node:crypto';
import { cidrFamily, numberToV4, v4Range, v4ToNumber } from '../../core/address.js';
import type { Instance, Port, Subnet, Vpc } from '../../core/model.js';
import { subnetOf } from '../../control/ops/subnets.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { Versioned } from '../../control/world.js';
import { View } from './query.js';

export const NATIVE_DEVICE_OWNER = 'compute:palisade';

export function macOf(port: Port): string {
  if (port.macAddress !== undefined) return port.macAddress;
  const h = createHash('sha256').update(port.id).digest();
  return ['fa', '16', '3e', ...[h[0], h[1], h[2]].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Nova's name for a port's tap device: "tap" and the first 11 characters of the port id. */
export const tapInterface = (portId: string) => `tap${portId.slice(0, 11)}`;

export const NETWORK_VIEW = new View<Versioned<Vpc>>([
  ['id', (v) => v.value.id],
  ['name', (v) => v.value.name],
  ['tenant_id', (v) => v.value.tenantId],
  ['project_id', (v) => v.value.tenantId],
  ['admin_state_up', () => true],
  ['status', () => 'ACTIVE'],
  ['subnets', (v) => (v.value.subnets ?? []).map((s) => s.id)],
  ['shared', () => false],
  ['port_security_enabled', () => true],
  ['router:external', () => false],
  ['availability_zone_hints', () => []],
  ['availability_zones', () => []],
  ['ipv4_address_scope', () => null],
  ['ipv6_address_scope', () => null],
  ['mtu', () => 1500],
  ['description', () => ''],
  ['tags', () => []],
  ['created_at', (v) => v.value.createdAt ?? null],
  ['updated_at', (v) => v.value.createdAt ?? null],
  ['revision_number', (v) => v.revision],
]);

export interface SubnetAt {
  vpc: Versioned<Vpc>;
  subnet: Subnet;
}

/** Neutron's default pools: the CIDR's hosts (IPv4: but the broadcast address) around the gateway. */
function allocationPools(s: Subnet): { start: string; end: string }[] {
  if (cidrFamily(s.cidr) !== 'IPv4') return [];
  const [lo, hi] = v4Range(s.cidr);
  const small = Number(s.cidr.split('/')[1]) >= 31;
  const first = small ? lo : lo + 1;
  const last = small ? hi : hi - 1;
  const gw = s.gatewayIp === null ? null : v4ToNumber(s.gatewayIp);
  const ranges: [number, number][] =
    gw === null || gw < first || gw > last
      ? [[first, last]]
      : [
          [first, gw - 1],
          [gw + 1, last],
        ];
  return ranges.filter(([a, b]) => a <= b).map(([a, b]) => ({ start: numberToV4(a), end: numberToV4(b) }));
}

export const SUBNET_VIEW = new View<SubnetAt>([
  ['id', ({ subnet }) => subnet.id],
  ['name', ({ subnet }) => subnet.name],
  ['network_id', ({ vpc }) => vpc.value.id],
  ['tenant_id', ({ vpc }) => vpc.value.tenantId],
  ['project_id', ({ vpc }) => vpc.value.tenantId],
  ['ip_version', ({ subnet }) => subnet.ipVersion],
  ['cidr', ({ subnet }) => subnet.cidr],
  ['gateway_ip', ({ subnet }) => subnet.gatewayIp],
  ['allocation_pools', ({ subnet }) => allocationPools(subnet)],
  // Palisade serves no DHCP.
  ['enable_dhcp', () => false],
  ['dns_nameservers', () => []],
  ['host_routes', () => []],
  ['ipv6_ra_mode', () => null],
  ['ipv6_address_mode', () => null],
  ['subnetpool_id', () => null],
  ['service_types', () => []],
  ['description', () => ''],
  ['tags', () => []],
  ['created_at', ({ subnet }) => subnet.createdAt ?? null],
  ['updated_at', ({ subnet }) => subnet.createdAt ?? null],
  ['revision_number', ({ vpc }) => vpc.revision],
]);

/** The subnets a project sees in a region, network by network. */
export function tenantSubnets(r: ScopedRegion): SubnetAt[] {
  return r.vpcs().flatMap((vpc) => (vpc.value.subnets ?? []).map((subnet) => ({ vpc, subnet })));
}

export interface PortAt {
  instance: Versioned<Instance>;
  port: Port;
  vpc: Vpc | undefined;
}

export const PORT_VIEW = new View<PortAt>([
  ['id', ({ port }) => port.id],
  ['name', ({ port }) => port.name ?? ''],
  ['network_id', ({ instance }) => instance.value.vpcId],
  ['tenant_id', ({ instance }) => instance.value.tenantId],
  ['project_id', ({ instance }) => instance.value.tenantId],
  ['mac_address', ({ port }) => macOf(port)],
  ['admin_state_up', () => true],
  // Bound to a host, the port's agent enforces it; unbound, it carries no traffic.
  ['status', ({ port }) => (port.host ? 'ACTIVE' : 'DOWN')],
  [
    'fixed_ips',
    ({ port, vpc }) =>
      [...port.ipv4, ...port.ipv6].map((ip) => ({
        subnet_id: subnetOf(vpc, ip)?.id ?? null,
        ip_address: ip,
      })),
  ],
  ['device_id', ({ port }) => port.device?.id ?? port.instanceId],
  ['device_owner', ({ port }) => port.device?.owner ?? NATIVE_DEVICE_OWNER],
  ['security_groups', ({ port }) => [...port.groupIds]],
  ['port_security_enabled', ({ port }) => port.securityEnabled !== false],
  [
    'allowed_address_pairs',
    ({ port }) => port.virtualIps.map((ip) => ({ ip_address: ip, mac_address: macOf(port) })),
  ],
  ['binding:host_id', ({ port }) => port.host ?? ''],
  ['binding:vnic_type', () => 'normal'],
  ['description', () => ''],
  ['tags', () => []],
  ['created_at', ({ port }) => port.createdAt ?? null],
  ['updated_at', ({ port }) => port.updatedAt ?? port.createdAt ?? null],
  ['revision_number', ({ instance }) => instance.revision],
]);

/** The ports a project sees in a region. */
export function tenantPorts(r: ScopedRegion): PortAt[] {
  return r.instances().flatMap((instance) => {
    const vpc = instance.value.vpcId === null ? undefined : r.vpc(instance.value.vpcId)?.value;
    return instance.value.ports.map((port) => ({ instance, port, vpc }));
  });
}

/** One visible port as a PortAt. */
export function portAt(r: ScopedRegion, id: string): PortAt | undefined {
  const found = r.port(id);
  if (!found) return undefined;
  const vpcId = found.instance.value.vpcId;
  return {
    instance: found.instance,
    port: found.port,
    vpc: vpcId === null ? undefined : r.vpc(vpcId)?.value,
  };
}
