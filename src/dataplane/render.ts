// What the kernel of one host should hold, computed from the shared core: one nftables table
// with a chain per distinct port policy (ports with the same groups share it, so rules grow
// with rules plus ports, not their product), named sets for remote groups (member addresses)
// and address groups (CIDRs), and verdict maps that dispatch each port's interface to its
// policy's chains. Pure: the agent diffs two models and writes the difference.
import type { ConntrackTimeouts, Ethertype, Port, RegionState, Rule, SecurityGroup } from '../core/model.js';
import { protocolNumber } from '../core/model.js';
import { type Entry, evaluationOrder, policyDefault, type PortPolicy } from '../core/order.js';
import { resolvePolicy } from '../core/policy.js';
import { RegionIndex, privateAddresses } from '../core/region-index.js';

export const TABLE = 'palisade';

export interface SetModel {
  type: 'ipv4_addr' | 'ipv6_addr';
  /** CIDR sets (address groups) are interval sets; member-address sets are plain hash sets. */
  interval: boolean;
  elements: Set<string>;
}

export interface KernelModel {
  sets: Map<string, SetModel>;
  /** Policy chains: name → rule statements, in evaluation order. */
  chains: Map<string, string[]>;
  /** Interface → verdict ("jump chain" or "drop") for traffic leaving (egress) and entering (ingress) a port. */
  egress: Map<string, string>;
  ingress: Map<string, string>;
  /** Interfaces and addresses of stateless ports (not tracked). */
  stateless: { ifnames: Set<string>; v4: Set<string>; v6: Set<string> };
  timeouts: ConntrackTimeouts | null;
  /** Rule id → the chains holding it (for hit counts). */
  ruleChains: Map<string, string[]>;
  /** Ports on the host that could not get a policy, and why (they are closed). */
  closed: Map<string, string>;
}

const safe = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
export const groupSetName = (groupId: string, family: Ethertype) =>
  `g_${safe(groupId)}_${family === 'IPv4' ? 4 : 6}`;
export const addressSetName = (id: string, family: Ethertype) => `a_${safe(id)}_${family === 'IPv4' ? 4 : 6}`;

const FAMILIES: Ethertype[] = ['IPv4', 'IPv6'];
const nfproto = (f: Ethertype) => (f === 'IPv4' ? 'meta nfproto ipv4' : 'meta nfproto ipv6');
const addrKey = (f: Ethertype) => (f === 'IPv4' ? 'ip' : 'ip6');

function ranges(rs: { from: number; to: number }[]): string {
  const parts = rs.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  return parts.length === 1 ? parts[0] : `{ ${parts.join(', ')} }`;
}

/** The nft statement of one evaluation-order entry (allow: return to the base chain; deny: drop). */
function statement(
  entry: Entry,
  direction: 'ingress' | 'egress',
  family: Ethertype,
  need: (name: string, set: SetModel) => void,
  sets: SetSource,
): string {
  const far = direction === 'ingress' ? 'saddr' : 'daddr';
  const fam = nfproto(family);
  if (entry.kind === 'innerAccess') {
    const name = groupSetName(entry.group.id, family);
    need(name, sets.group(entry.group.id, family));
    return `${fam} ${addrKey(family)} ${far} @${name} counter return comment "inner ${entry.group.id}"`;
  }
  const r: Rule = entry.rule;
  const parts = [fam];
  const proto = protocolNumber(r.protocol);
  if (proto !== null) parts.push(`meta l4proto ${proto}`);
  if (r.ports?.length) parts.push(`th dport ${ranges(r.ports)}`);
  if (r.sourcePorts?.length) parts.push(`th sport ${ranges(r.sourcePorts)}`);
  if (r.icmpType !== undefined) {
    const icmp = family === 'IPv4' ? 'icmp' : 'icmpv6';
    parts.push(`${icmp} type ${r.icmpType}`);
    if (r.icmpCode !== undefined) parts.push(`${icmp} code ${r.icmpCode}`);
  }
  if (r.remote.kind === 'cidr') parts.push(`${addrKey(family)} ${far} ${r.remote.cidr}`);
  if (r.remote.kind === 'group') {
    const name = groupSetName(r.remote.groupId, family);
    need(name, sets.group(r.remote.groupId, family));
    parts.push(`${addrKey(family)} ${far} @${name}`);
  }
  if (r.remote.kind === 'addressGroup') {
    const name = addressSetName(r.remote.addressGroupId, family);
    need(name, sets.addressGroup(r.remote.addressGroupId, family));
    parts.push(`${addrKey(family)} ${far} @${name}`);
  }
  parts.push('counter', r.action === 'allow' ? 'return' : 'drop', `comment "${r.id}"`);
  return parts.join(' ');
}

interface SetSource {
  group(id: string, family: Ethertype): SetModel;
  addressGroup(id: string, family: Ethertype): SetModel;
}

function setSource(index: RegionIndex): SetSource {
  // Each remote group's members are gathered once per family, however many rules name it.
  const members = new Map<string, SetModel>();
  return {
    group: (id, family) => {
      const key = `${id}|${family}`;
      let set = members.get(key);
      if (!set) {
        set = {
          type: family === 'IPv4' ? 'ipv4_addr' : 'ipv6_addr',
          interval: false,
          elements: new Set(index.memberAddresses(id, family)),
        };
        members.set(key, set);
      }
      return set;
    },
    addressGroup: (id, family) => ({
      type: family === 'IPv4' ? 'ipv4_addr' : 'ipv6_addr',
      interval: true,
      elements: new Set(
        (index.addressGroups.get(id)?.entries ?? []).filter((e) => e.includes(':') === (family === 'IPv6')),
      ),
    }),
  };
}

export function emptyModel(): KernelModel {
  return {
    sets: new Map(),
    chains: new Map(),
    egress: new Map(),
    ingress: new Map(),
    stateless: { ifnames: new Set(), v4: new Set(), v6: new Set() },
    timeouts: null,
    ruleChains: new Map(),
    closed: new Map(),
  };
}

/** The kernel model for the ports of `host` across the given regions. */
export function renderHost(host: string, regions: RegionState[]): KernelModel {
  const model = emptyModel();
  const policyChains = new Map<string, string>();
  for (const state of regions) {
    const index = new RegionIndex(state);
    const sets = setSource(index);
    const need = (name: string, set: SetModel) => model.sets.set(name, set);
    for (const { port } of index.ports.values()) {
      if (port.host !== host || !port.interface) continue;
      model.timeouts ??= state.region.conntrackTimeouts;
      // Ports with the same groups and NIC type share a policy: it is resolved once, not per port.
      const key = `${state.region.id}|${port.nicType}|${port.groupIds.join(',')}`;
      let base = policyChains.get(key);
      const resolved = base ? null : resolvePolicy(index, port.id);
      if (resolved && 'failure' in resolved) {
        // Fail closed: the port's traffic is dropped both ways, and the reason is reported.
        model.egress.set(port.interface, 'drop');
        model.ingress.set(port.interface, 'drop');
        model.closed.set(port.id, resolved.reason);
        continue;
      }
      if (!base && resolved) {
        base = `p${policyChains.size}`;
        policyChains.set(key, base);
        for (const direction of ['egress', 'ingress'] as const) {
          const name = `${base}_${direction === 'egress' ? 'out' : 'in'}`;
          const rules = groupWise(state.region.profile)
            ? groupChains(resolved.policy.groups, port, direction, model, need, sets, resolved.policy)
            : mergedRules(resolved.policy, port, direction, name, model, need, sets);
          rules.push(
            policyDefault(resolved.policy, direction) === 'allow'
              ? 'return'
              : 'counter drop comment "default"',
          );
          model.chains.set(name, rules);
        }
      }
      model.egress.set(port.interface, `jump ${base}_out`);
      model.ingress.set(port.interface, `jump ${base}_in`);
      if (port.groupIds.every((g) => index.groups.get(g)?.stateful === false)) addStateless(model, port);
    }
  }
  return model;
}

/**
 * Huawei and OpenStack decide group by group (sequence, then the group's own order), so each
 * group gets its own chain, shared by every policy that holds the group: a rule change rewrites
 * one group's chain, not every policy's. Alibaba merges all groups' rules by priority, so its
 * policies keep one merged chain.
 */
const groupWise = (profile: string) => profile === 'huawei' || profile === 'openstack';

/** An allowing group marks the packet and returns; the policy chain returns on the mark. */
const DECIDED = '0x10000000';
const CLEAR_DECIDED = 'meta mark set meta mark & 0xefffffff';

function mergedRules(
  policy: PortPolicy,
  port: Port,
  direction: 'ingress' | 'egress',
  chain: string,
  model: KernelModel,
  need: (name: string, set: SetModel) => void,
  sets: SetSource,
): string[] {
  const rules: string[] = [];
  for (const family of FAMILIES)
    for (const entry of evaluationOrder(policy, port, direction, family)) {
      rules.push(statement(entry, direction, family, need, sets));
      if (entry.kind === 'rule') holds(model, entry.rule.id, chain);
    }
  return rules;
}

function groupChains(
  groups: SecurityGroup[],
  port: Port,
  direction: 'ingress' | 'egress',
  model: KernelModel,
  need: (name: string, set: SetModel) => void,
  sets: SetSource,
  policy: PortPolicy,
): string[] {
  const rules = [CLEAR_DECIDED];
  for (const group of groups) {
    const name = `sg_${safe(group.id)}_${direction === 'egress' ? 'out' : 'in'}`;
    if (!model.chains.has(name)) {
      const entries: { id: string; rule: boolean; line: string }[] = [];
      const single = { ...policy, groups: [group] };
      for (const family of FAMILIES)
        for (const entry of evaluationOrder(single, port, direction, family)) {
          const line = statement(entry, direction, family, need, sets);
          entries.push({
            id: entry.kind === 'rule' ? entry.rule.id : `inner ${entry.group.id}`,
            rule: entry.kind === 'rule',
            line: line.replace(/ counter return /, ` counter meta mark set meta mark | ${DECIDED} return `),
          });
        }
      writeGroupChain(model, name, entries);
    }
    rules.push(`jump ${name}`, `meta mark & ${DECIDED} == ${DECIDED} ${CLEAR_DECIDED} return`);
  }
  return rules;
}

/** Rules per chunk chain, on average. */
const CHUNK = 8;

/**
 * A chunk of a group's chain ends after a rule whose id hashes to 0 modulo CHUNK (FNV-1a). The
 * boundaries follow the rules themselves, not their positions, so adding, removing or moving a
 * rule rewrites the one or two chunks it leaves and lands in (about CHUNK rules), never the
 * whole chain: nft's cost grows with the rules a transaction writes.
 */
function endsChunk(ruleId: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < ruleId.length; i++) h = Math.imul(h ^ ruleId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % CHUNK === 0;
}

/**
 * A group's chain: its rules in order when they form a single chunk; otherwise a jump to each
 * chunk's chain (named after the rule that ends it), returning as soon as a chunk allowed.
 */
function writeGroupChain(
  model: KernelModel,
  name: string,
  entries: { id: string; rule: boolean; line: string }[],
): void {
  const chunks: { name: string; entries: typeof entries }[] = [];
  let current: typeof entries = [];
  for (const e of entries) {
    current.push(e);
    if (endsChunk(e.id)) {
      chunks.push({ name: `${name}_${safe(e.id)}`, entries: current });
      current = [];
    }
  }
  if (current.length || !chunks.length) chunks.push({ name: `${name}_end`, entries: current });
  if (chunks.length === 1) {
    model.chains.set(
      name,
      entries.map((e) => e.line),
    );
    for (const e of entries) if (e.rule) holds(model, e.id, name);
    return;
  }
  const body: string[] = [];
  chunks.forEach((chunk, i) => {
    model.chains.set(
      chunk.name,
      chunk.entries.map((e) => e.line),
    );
    for (const e of chunk.entries) if (e.rule) holds(model, e.id, chunk.name);
    body.push(`jump ${chunk.name}`);
    if (i < chunks.length - 1) body.push(`meta mark & ${DECIDED} == ${DECIDED} return`);
  });
  model.chains.set(name, body);
}

function holds(model: KernelModel, ruleId: string, chain: string): void {
  const holders = model.ruleChains.get(ruleId) ?? [];
  if (!holders.includes(chain)) holders.push(chain);
  model.ruleChains.set(ruleId, holders);
}

function addStateless(model: KernelModel, port: Port): void {
  model.stateless.ifnames.add(port.interface!);
  for (const a of privateAddresses(port, 'IPv4')) model.stateless.v4.add(a);
  for (const a of privateAddresses(port, 'IPv6')) model.stateless.v6.add(a);
}
