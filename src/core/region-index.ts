// Lookup tables over a RegionState: the questions both evaluators and the engine ask
// (who is this port, what are its groups, which private addresses does a group hold).
import { canonicalIp, ipFamily } from './address.js';
import type { AddressGroup, Ethertype, Instance, Port, RegionState, SecurityGroup } from './model.js';

export interface PortInfo {
  port: Port;
  instance: Instance;
}

export class RegionIndex {
  readonly groups = new Map<string, SecurityGroup>();
  readonly addressGroups = new Map<string, AddressGroup>();
  readonly ports = new Map<string, PortInfo>();
  /** Any address a port answers to (private, public, virtual) → port id: who receives a packet. */
  readonly portByAddress = new Map<string, string>();

  constructor(readonly state: RegionState) {
    for (const g of state.groups) this.groups.set(g.id, g);
    for (const a of state.addressGroups) this.addressGroups.set(a.id, a);
    for (const instance of state.instances) {
      for (const port of instance.ports) this.addPort(port, instance);
    }
  }

  addPort(port: Port, instance: Instance): void {
    this.invalidate();
    this.ports.set(port.id, { port, instance });
    for (const ip of allAddresses(port)) this.portByAddress.set(canonicalIp(ip), port.id);
  }

  removePort(portId: string): void {
    this.invalidate();
    const info = this.ports.get(portId);
    if (!info) return;
    for (const ip of allAddresses(info.port)) {
      const key = canonicalIp(ip);
      if (this.portByAddress.get(key) === portId) this.portByAddress.delete(key);
    }
    this.ports.delete(portId);
  }

  portOwning(address: string): string | null {
    return this.portByAddress.get(canonicalIp(address)) ?? null;
  }

  /** Ports whose membership includes the group, in no particular order. */
  membersOf(groupId: string): Port[] {
    const out: Port[] = [];
    for (const { port } of this.ports.values()) if (port.groupIds.includes(groupId)) out.push(port);
    return out;
  }

  /** Private addresses of the group's members (never public or virtual IPs; seed 002). */
  memberAddresses(groupId: string, ethertype: Ethertype): string[] {
    const out: string[] = [];
    for (const port of this.membersOf(groupId)) out.push(...privateAddresses(port, ethertype));
    return out;
  }

  private readonly memberSets = new Map<string, Set<string>>();

  /** Whether an address is a private address of a member; cached until the next invalidate(). */
  isMemberAddress(groupId: string, ethertype: Ethertype, address: string): boolean {
    const key = `${groupId}|${ethertype}`;
    let set = this.memberSets.get(key);
    if (!set) {
      set = new Set(this.memberAddresses(groupId, ethertype).map(canonicalIp));
      this.memberSets.set(key, set);
    }
    return set.has(canonicalIp(address));
  }

  /** Forget cached memberships after ports or memberships changed. */
  invalidate(): void {
    this.memberSets.clear();
  }
}

export function privateAddresses(port: Port, ethertype: Ethertype): string[] {
  return ethertype === 'IPv4' ? port.ipv4 : port.ipv6;
}

function allAddresses(port: Port): string[] {
  const out = [...port.ipv4, ...port.ipv6, ...port.virtualIps];
  if (port.publicIpv4) out.push(port.publicIpv4);
  return out.filter((ip) => ipFamily(ip) !== null);
}
