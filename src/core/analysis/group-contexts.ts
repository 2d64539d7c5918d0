// Where a group's rules take part in a decision: every port that holds it (each with its other
// groups, under the region's profile), and the group alone — a port whose only group it is — so
// that a group without members can be analysed too, and a change to a group can be proven for
// ports that will join it later as its only group. The lone port has no address, so it changes
// no group's member addresses; a classic-network group (Alibaba) gets one per NIC type, since
// its rules apply by NIC type.
import type { Instance, NicType, Port, RegionState } from '../model.js';
import { isSecured } from '../policy.js';
import { RegionIndex } from '../region-index.js';

export interface GroupContext {
  index: RegionIndex;
  portId: string;
  /** Absent for a real member port; the NIC type of the lone port otherwise. */
  alone?: NicType;
}

const LONE_PORT = '(the group alone)';

/** The region with one more port, on no address, whose only group is `groupId`. */
export function withLonePort(state: RegionState, groupId: string, nicType: NicType): GroupContext {
  const group = state.groups.find((g) => g.id === groupId);
  const portId = `${LONE_PORT} ${nicType}`;
  const port: Port = {
    id: portId,
    instanceId: portId,
    ipv4: [],
    ipv6: [],
    virtualIps: [],
    nicType,
    groupIds: [groupId],
  };
  const instance: Instance = {
    id: portId,
    tenantId: group?.tenantId ?? '',
    regionId: state.region.id,
    vpcId: group?.vpcId ?? null,
    name: portId,
    ports: [port],
  };
  return {
    index: new RegionIndex({ ...state, instances: [...state.instances, instance] }),
    portId,
    alone: nicType,
  };
}

/** The group's member ports (with port security on) in the given index. */
export function memberPorts(index: RegionIndex, groupId: string): string[] {
  return index
    .membersOf(groupId)
    .filter(isSecured)
    .map((p) => p.id)
    .sort();
}

/**
 * The member ports in classes of the same policy: a port's decision depends on it only through
 * its groups in order and its NIC type, so one port of each class answers for all of them.
 */
export function memberClasses(index: RegionIndex, groupId: string): { portId: string; ports: string[] }[] {
  const classes = new Map<string, string[]>();
  for (const portId of memberPorts(index, groupId)) {
    const port = index.ports.get(portId)!.port;
    const key = JSON.stringify([port.nicType, port.groupIds]);
    classes.set(key, [...(classes.get(key) ?? []), portId]);
  }
  return [...classes.values()].map((ports) => ({ portId: ports[0], ports }));
}

/** The group alone: one lone port, or one per NIC type for a classic-network group. */
export function aloneContexts(state: RegionState, groupId: string): GroupContext[] {
  const group = state.groups.find((g) => g.id === groupId);
  const nics: NicType[] = group && group.vpcId === null ? ['intranet', 'internet'] : ['intranet'];
  return nics.map((nic) => withLonePort(state, groupId, nic));
}

/** Every member port, then the group alone. */
export function groupContexts(index: RegionIndex, groupId: string): GroupContext[] {
  return [
    ...memberPorts(index, groupId).map((portId) => ({ index, portId })),
    ...aloneContexts(index.state, groupId),
  ];
}
