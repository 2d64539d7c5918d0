// Instances, ports and the agents' enforcement status as the native API answers them, and the
// calls the instance, port and member pages make (GET /v1/instances, /v1/ports, /v1/status).
import { type Client, type Page, query, type Region, seg } from '../api';

export interface Port {
  id: string;
  instanceId: string;
  regionId: string;
  name?: string;
  ipv4: string[];
  ipv6: string[];
  publicIpv4?: string;
  virtualIps: string[];
  nicType: string;
  /** Ordered: the index is the group sequence where order matters (Huawei). */
  groupIds: string[];
  host?: string;
  interface?: string;
  securityEnabled?: boolean;
  macAddress?: string;
  revision: number;
}

export type InstancePort = Omit<Port, 'regionId' | 'revision'>;

export interface Instance {
  id: string;
  tenantId: string;
  regionId: string;
  vpcId: string | null;
  name: string;
  ports: InstancePort[];
  revision: number;
}

export interface RegionWithTraits extends Region {
  traits: { groupOrderMatters: boolean };
}

export interface HostStatus {
  host: string;
  ports: number;
  enforcedRevision: number | null;
  upToDate: boolean;
  reportedAt: string | null;
  closed: { portId: string; reason: string }[];
}

export interface RegionStatus {
  regionId: string;
  revision: number;
  enforcedEverywhere: boolean;
  hosts: HostStatus[];
}

export interface PortFilter {
  regionId?: string;
  vpcId?: string;
  host?: string;
  groupId?: string;
  match?: string;
}

export const instancesOf = (api: Client, filter: { regionId?: string; cursor?: string; limit: number }) =>
  api.get<Page<Instance>>(`/v1/instances${query({ ...filter, limit: String(filter.limit) })}`);

export const instanceOf = (api: Client, id: string) => api.get<Instance>(`/v1/instances/${seg(id)}`);

export const portsOf = (api: Client, filter: PortFilter & { cursor?: string; limit: number }) =>
  api.get<Page<Port>>(`/v1/ports${query({ ...filter, limit: String(filter.limit) })}`);

export const portOf = (api: Client, id: string) => api.get<Port>(`/v1/ports/${seg(id)}`);

export const regionOf = (api: Client, id: string) => api.get<RegionWithTraits>(`/v1/regions/${seg(id)}`);

export async function regionStatus(api: Client, regionId: string): Promise<RegionStatus | undefined> {
  const answer = await api.get<{ regions: RegionStatus[] }>(`/v1/status${query({ regionId })}`);
  return answer.regions.find((r) => r.regionId === regionId);
}

export const joinGroup = (api: Client, portId: string, groupId: string, sequence?: number) =>
  api.post<Port>(
    `/v1/ports/${seg(portId)}/groups`,
    sequence === undefined ? { groupId } : { groupId, sequence },
  );

export const leaveGroup = (api: Client, portId: string, groupId: string) =>
  api.delete<Port>(`/v1/ports/${seg(portId)}/groups/${seg(groupId)}`);

export const setGroups = (api: Client, portId: string, groupIds: string[]) =>
  api.put<Port>(`/v1/ports/${seg(portId)}/groups`, { groupIds });

/** A port's addresses in one line: IPv4, IPv6, then the public address. */
export const addressesOf = (port: InstancePort) =>
  [...port.ipv4, ...port.ipv6, ...(port.publicIpv4 ? [`${port.publicIpv4} (public)`] : [])].join(', ');

/** What the agents report about one port: its host, whether it is up to date, closed. */
export type Enforcement =
  | { kind: 'no-host' }
  | { kind: 'not-reported'; host: string }
  | { kind: 'reported'; host: string; status: HostStatus; region: RegionStatus; closed?: string };

export function enforcementOf(port: InstancePort, region: RegionStatus | undefined): Enforcement {
  if (!port.host) return { kind: 'no-host' };
  const status = region?.hosts.find((h) => h.host === port.host);
  if (!region || !status || status.reportedAt === null) return { kind: 'not-reported', host: port.host };
  const closed = status.closed.find((c) => c.portId === port.id)?.reason;
  return { kind: 'reported', host: port.host, status, region, ...(closed !== undefined ? { closed } : {}) };
}
