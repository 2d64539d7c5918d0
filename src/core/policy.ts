// A port's effective policy: its groups in membership order under the region's profile.
// A port whose policy cannot be computed is closed (deny), never opened. A port whose port
// security is off (Neutron's port_security_enabled=false) has no policy: all its traffic passes.
import type { Direction, Port, SecurityGroup } from './model.js';
import { type PortPolicy, portPolicy } from './order.js';
import type { RegionIndex } from './region-index.js';
import { TRAITS } from './profiles.js';
import type { Explanation } from './verdict.js';

export type ResolvedPolicy =
  | { policy: PortPolicy; port: Port }
  | { failure: (direction: Direction) => Explanation; reason: string }
  | { unsecured: (direction: Direction) => Explanation };

/** Whether a port's traffic is filtered at all (absent securityEnabled means it is). */
export const isSecured = (port: Port): boolean => port.securityEnabled !== false;

export function resolvePolicy(index: RegionIndex, portId: string): ResolvedPolicy {
  const info = index.ports.get(portId);
  const fail = (reason: string): ResolvedPolicy => ({
    reason,
    failure: (direction) => ({
      portId,
      direction,
      verdict: 'deny',
      decidedBy: { kind: 'default', reason: `fail-closed: ${reason}` },
      matched: [],
    }),
  });
  if (!info) return fail(`port ${portId} does not exist`);
  if (!isSecured(info.port))
    return {
      unsecured: (direction) => ({
        portId,
        direction,
        verdict: 'allow',
        decidedBy: {
          kind: 'default',
          reason: `port security is disabled on port ${portId}: all its traffic is allowed`,
        },
        matched: [],
      }),
    };
  if (info.port.groupIds.length === 0) return fail(`port ${portId} belongs to no security group`);
  const groups: SecurityGroup[] = [];
  for (const id of info.port.groupIds) {
    const g = index.groups.get(id);
    if (!g) return fail(`security group ${id} of port ${portId} does not exist`);
    groups.push(g);
  }
  return { policy: portPolicy(index.state.region.profile, groups), port: info.port };
}

export function defaultReason(policy: PortPolicy, direction: Direction): string {
  const names = policy.groups.map((g) => g.id).join(', ');
  const where = `no ${direction} rule of ${names} matched`;
  return `${where}; ${TRAITS[policy.profile].unmatchedNote[policy.groupType]}`;
}
