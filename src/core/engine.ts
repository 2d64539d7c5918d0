// The engine: a region's policies compiled per distinct port policy (ports with the same
// groups and NIC share one compiled form), evaluated fast, explained on demand, and kept
// current under changes: rule edits recompile the policies that hold the group; membership
// and address-group changes only edit the address rows of the classifiers that name the set.
import { privateAddresses, RegionIndex } from './region-index.js';
import { AddressSets, addressGroupSet, groupSet } from './classifier/address-sets.js';
import { Classifier, packetKeys } from './classifier/classifier.js';
import type { Change } from './changes.js';
import type { Direction, Ethertype, Packet, Port, RegionState, SecurityGroup } from './model.js';
import { type PortPolicy, evaluationOrder, policyDefault } from './order.js';
import { isSecured, resolvePolicy } from './policy.js';
import { explainFromMatches } from './reference.js';
import type { Explanation, FlowCheck } from './verdict.js';

/** One direction and family of a compiled policy, with each entry's verdict precomputed. */
export interface CompiledSide {
  classifier: Classifier;
  /** 1 where entry i allows, 0 where it denies. */
  allows: Uint8Array;
  defaultAllows: boolean;
}

interface CompiledPolicy {
  policy: PortPolicy;
  nicType: Port['nicType'];
  sides: Map<string, CompiledSide>;
  ports: number;
}

const sideKey = (direction: Direction, ethertype: Ethertype) => `${direction}|${ethertype}`;

export class Engine {
  readonly index: RegionIndex;
  private readonly sets = new AddressSets();
  private readonly policies = new Map<string, CompiledPolicy>();
  private readonly policyOfPort = new Map<string, string>();
  /** Ports with port security off: they have no policy, and everything passes. */
  private readonly unsecured = new Set<string>();
  /** Classifiers built so far: tests use it to prove updates are incremental. */
  compiledClassifiers = 0;

  constructor(state: RegionState) {
    this.index = new RegionIndex(structuredClone(state));
    for (const info of this.index.ports.values()) this.trackPort(info.port);
    for (const ag of this.index.state.addressGroups) this.sets.add(addressGroupSet(ag.id), ag.entries);
  }

  get state(): RegionState {
    return this.index.state;
  }

  /** The compiled side for a port, or null when the port's policy cannot be computed. */
  side(portId: string, direction: Direction, ethertype: Ethertype): CompiledSide | null {
    const key = this.policyOfPort.get(portId);
    const compiled = key === undefined ? undefined : this.policies.get(key);
    if (!compiled) return null;
    const k = sideKey(direction, ethertype);
    let side = compiled.sides.get(k);
    if (!side) {
      const entries = evaluationOrder(compiled.policy, { nicType: compiled.nicType }, direction, ethertype);
      const classifier = new Classifier(entries, ethertype, this.sets);
      this.compiledClassifiers++;
      const allows = Uint8Array.from(entries, (e) =>
        e.kind === 'innerAccess' || e.rule.action === 'allow' ? 1 : 0,
      );
      side = { classifier, allows, defaultAllows: policyDefault(compiled.policy, direction) === 'allow' };
      compiled.sides.set(k, side);
    }
    return side;
  }

  /** Fast verdict for one side; failing closed where the policy cannot be computed. */
  allows(portId: string, direction: Direction, packet: Packet): boolean {
    const side = this.side(portId, direction, packet.ethertype);
    if (!side) return this.unsecured.has(portId);
    const k = packetKeys(direction, packet);
    const i = side.classifier.decide(k.protocol, k.l4, k.srcPort, k.addr);
    return i < 0 ? side.defaultAllows : side.allows[i] === 1;
  }

  explain(portId: string, direction: Direction, packet: Packet): Explanation {
    const resolved = resolvePolicy(this.index, portId);
    if ('failure' in resolved) return resolved.failure(direction);
    if ('unsecured' in resolved) return resolved.unsecured(direction);
    const side = this.side(portId, direction, packet.ethertype)!;
    const matched = side.classifier.matchAll(packetKeys(direction, packet));
    return explainFromMatches(resolved.policy, portId, direction, side.classifier.entries, matched);
  }

  /** A packet through the sender's egress and the receiver's ingress policy, where they are ports. */
  checkFlow(packet: Packet): FlowCheck {
    const from = this.index.portOwning(packet.src);
    const to = this.index.portOwning(packet.dst);
    const egress = from ? this.explain(from, 'egress', packet) : null;
    const ingress = to ? this.explain(to, 'ingress', packet) : null;
    const denied = egress?.verdict === 'deny' || ingress?.verdict === 'deny';
    return {
      verdict: denied ? 'deny' : 'allow',
      egress: { portId: from, explanation: egress },
      ingress: { portId: to, explanation: ingress },
    };
  }

  apply(change: Change): void {
    const state = this.index.state;
    switch (change.kind) {
      case 'groupAdded':
        state.groups.push(change.group);
        this.index.groups.set(change.group.id, change.group);
        return this.invalidateGroup(change.group.id);
      case 'groupRemoved':
        state.groups = state.groups.filter((g) => g.id !== change.groupId);
        this.index.groups.delete(change.groupId);
        return this.invalidateGroup(change.groupId);
      case 'groupUpdated':
        return this.replaceGroup(change.groupId, (g) => ({
          ...g,
          ...(change.name !== undefined && { name: change.name }),
          ...(change.description !== undefined && { description: change.description }),
          ...(change.innerAccessPolicy !== undefined && { innerAccessPolicy: change.innerAccessPolicy }),
        }));
      case 'ruleAdded':
        return this.replaceGroup(change.groupId, (g) => ({ ...g, rules: [...g.rules, change.rule] }));
      case 'ruleRemoved':
        return this.replaceGroup(change.groupId, (g) => ({
          ...g,
          rules: g.rules.filter((r) => r.id !== change.ruleId),
        }));
      case 'ruleModified':
        return this.replaceGroup(change.groupId, (g) => ({
          ...g,
          rules: g.rules.map((r) => (r.id === change.rule.id ? change.rule : r)),
        }));
      case 'memberAdded':
        return this.changeMembership(change.portId, (ids) => {
          if (ids.includes(change.groupId)) return ids;
          const at = Math.min(change.position ?? ids.length, ids.length);
          return [...ids.slice(0, at), change.groupId, ...ids.slice(at)];
        });
      case 'memberRemoved':
        return this.changeMembership(change.portId, (ids) => ids.filter((id) => id !== change.groupId));
      case 'portSecurityChanged': {
        const port = this.index.ports.get(change.portId)?.port;
        if (!port) return;
        if (change.enabled) delete port.securityEnabled;
        else port.securityEnabled = false;
        return this.bindPolicy(port);
      }
      case 'addressGroupAdded':
        state.addressGroups.push(change.addressGroup);
        this.index.addressGroups.set(change.addressGroup.id, change.addressGroup);
        return this.applyDeltas(
          this.sets.add(addressGroupSet(change.addressGroup.id), change.addressGroup.entries),
        );
      case 'addressGroupRemoved': {
        const ag = this.index.addressGroups.get(change.addressGroupId);
        state.addressGroups = state.addressGroups.filter((a) => a.id !== change.addressGroupId);
        this.index.addressGroups.delete(change.addressGroupId);
        if (ag) this.applyDeltas(this.sets.remove(addressGroupSet(ag.id), ag.entries));
        return;
      }
      case 'addressGroupEntriesChanged': {
        const ag = this.index.addressGroups.get(change.addressGroupId);
        if (!ag) return;
        const removed = new Set(change.removed);
        const entries = [...ag.entries.filter((e) => !removed.has(e)), ...change.added];
        const next = { ...ag, entries: [...new Set(entries)] };
        state.addressGroups = state.addressGroups.map((a) => (a.id === ag.id ? next : a));
        this.index.addressGroups.set(ag.id, next);
        return this.applyDeltas(this.sets.replace(addressGroupSet(ag.id), next.entries));
      }
      case 'instanceAdded':
        state.instances.push(change.instance);
        for (const port of change.instance.ports) {
          this.index.addPort(port, change.instance);
          this.trackPort(port);
        }
        return;
      case 'instanceRemoved': {
        const instance = state.instances.find((i) => i.id === change.instanceId);
        if (!instance) return;
        state.instances = state.instances.filter((i) => i !== instance);
        for (const port of instance.ports) {
          this.untrackPort(port);
          this.index.removePort(port.id);
        }
        return;
      }
    }
  }

  private replaceGroup(groupId: string, edit: (g: SecurityGroup) => SecurityGroup): void {
    const group = this.index.groups.get(groupId);
    if (!group) return;
    const next = edit(group);
    this.index.state.groups = this.index.state.groups.map((g) => (g.id === groupId ? next : g));
    this.index.groups.set(groupId, next);
    this.invalidateGroup(groupId);
  }

  /** Rule-level changes recompile the policies holding the group (lazily, on next use). */
  private invalidateGroup(groupId: string): void {
    const affected = [...this.index.ports.values()].filter(({ port }) => port.groupIds.includes(groupId));
    for (const { port } of affected) this.policyOfPort.delete(port.id);
    for (const [key, compiled] of this.policies) {
      if (compiled.policy.groups.some((g) => g.id === groupId)) this.policies.delete(key);
    }
    for (const { port } of affected) this.bindPolicy(port);
  }

  private changeMembership(portId: string, edit: (ids: string[]) => string[]): void {
    const info = this.index.ports.get(portId);
    if (!info) return;
    const port = info.port;
    const before = port.groupIds;
    port.groupIds = edit(before);
    this.index.invalidate();
    const addresses = portAddresses(port);
    for (const id of before.filter((g) => !port.groupIds.includes(g))) {
      this.applyDeltas(this.sets.remove(groupSet(id), addresses));
    }
    for (const id of port.groupIds.filter((g) => !before.includes(g))) {
      this.applyDeltas(this.sets.add(groupSet(id), addresses));
    }
    this.bindPolicy(port);
  }

  /** Register a port: its addresses join its groups' sets, and it is bound to a compiled policy. */
  private trackPort(port: Port): void {
    for (const id of port.groupIds) this.applyDeltas(this.sets.add(groupSet(id), portAddresses(port)));
    this.bindPolicy(port);
  }

  private untrackPort(port: Port): void {
    for (const id of port.groupIds) this.applyDeltas(this.sets.remove(groupSet(id), portAddresses(port)));
    this.releasePolicy(port.id);
  }

  private bindPolicy(port: Port): void {
    this.releasePolicy(port.id);
    if (!isSecured(port)) {
      this.unsecured.add(port.id);
      return;
    }
    const key = `${port.nicType}|${port.groupIds.join(',')}`;
    let compiled = this.policies.get(key);
    if (!compiled) {
      const resolved = resolvePolicy(this.index, port.id);
      if (!('policy' in resolved)) return;
      compiled = { policy: resolved.policy, nicType: port.nicType, sides: new Map(), ports: 0 };
      this.policies.set(key, compiled);
    }
    compiled.ports++;
    this.policyOfPort.set(port.id, key);
  }

  private releasePolicy(portId: string): void {
    this.unsecured.delete(portId);
    const key = this.policyOfPort.get(portId);
    if (key === undefined) return;
    this.policyOfPort.delete(portId);
    const compiled = this.policies.get(key);
    if (compiled && --compiled.ports === 0) this.policies.delete(key);
  }

  private applyDeltas(deltas: ReturnType<AddressSets['add']>): void {
    if (deltas.length === 0) return;
    // Additions first: they cut the rows at the set's new edges, so that every row is wholly
    // inside or outside the set when removals test it.
    const ordered = [
      ...deltas.map((d) => ({ ...d, removed: [] })),
      ...deltas.map((d) => ({ ...d, added: [] })),
    ];
    for (const compiled of this.policies.values()) {
      for (const side of compiled.sides.values()) {
        for (const d of ordered) side.classifier.applySetDelta(d, this.sets);
      }
    }
  }
}

function portAddresses(port: Port): string[] {
  return [...privateAddresses(port, 'IPv4'), ...privateAddresses(port, 'IPv6')];
}
