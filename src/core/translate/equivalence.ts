// Whether two versions of a region's policy allow the same packets, port by port: the proof a
// translation is checked by. Each port's allowed set of each direction and family is compared
// exactly (decided.ts); what one allows and the other does not is the difference. Groups no port
// holds are checked on a probe: a port of no address holding that group alone.
import { decidedPolicy } from '../analysis/decided.js';
import type { PacketSet } from '../analysis/space.js';
import type { Direction, Ethertype, Instance, RegionState } from '../model.js';
import { RegionIndex } from '../region-index.js';

export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
export const FAMILIES: readonly Ethertype[] = ['IPv4', 'IPv6'];

/** The port id of a group's probe (never stored: it exists in the analysis' states only). */
export const probeId = (groupId: string) => `probe:${groupId}`;

export interface AllowedDifference {
  portId: string;
  /** The group a probe stands for; absent for a real port. */
  groupId?: string;
  direction: Direction;
  ethertype: Ethertype;
  /** Allowed by the source, not by the target. */
  lost: PacketSet;
  /** Allowed by the target, not by the source. */
  gained: PacketSet;
}

/** A probe port per group: no address (it changes no group's members), the group alone. */
export function withProbes(
  state: RegionState,
  groupIds: readonly string[],
  address: (groupId: string, i: number) => { ipv4: string[]; ipv6: string[] } = () => ({
    ipv4: [],
    ipv6: [],
  }),
): RegionState {
  const probes: Instance[] = groupIds.map((groupId, i) => {
    const group = state.groups.find((g) => g.id === groupId);
    return {
      id: `probe-instance:${groupId}`,
      tenantId: group?.tenantId ?? '',
      regionId: state.region.id,
      vpcId: group?.vpcId ?? null,
      name: `probe of ${groupId}`,
      ports: [
        {
          id: probeId(groupId),
          instanceId: `probe-instance:${groupId}`,
          ...address(groupId, i),
          virtualIps: [],
          nicType: 'intranet',
          groupIds: [groupId],
        },
      ],
    };
  });
  return { ...state, instances: [...state.instances, ...probes] };
}

/**
 * The differences of the allowed sets of `portIds` between two states (the same ports and
 * memberships, other rules or profile): empty when the two are equivalent on those ports.
 */
export function allowedDifferences(
  source: RegionState,
  target: RegionState,
  portIds: readonly string[],
  groupOfProbe: (portId: string) => string | undefined = () => undefined,
): AllowedDifference[] {
  const a = new RegionIndex(source);
  const b = new RegionIndex(target);
  const out: AllowedDifference[] = [];
  for (const portId of portIds)
    for (const direction of DIRECTIONS)
      for (const ethertype of FAMILIES) {
        const before = decidedPolicy(a, portId, direction, ethertype).allowed;
        const after = decidedPolicy(b, portId, direction, ethertype).allowed;
        const lost = before.subtractSet(after);
        const gained = after.subtractSet(before);
        if (lost.isEmpty && gained.isEmpty) continue;
        const groupId = groupOfProbe(portId);
        out.push({ portId, ...(groupId ? { groupId } : {}), direction, ethertype, lost, gained });
      }
  return out;
}
