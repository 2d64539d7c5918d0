// What the kernel of one host should hold, computed from the shared core: one nftables table
// with a chain per distinct port policy (ports with the same groups share it, so rules grow
// with rules plus ports, not their product), named sets for remote groups (member addresses)
// and address groups (CIDRs), and verdict maps that dispatch each port's interface to its
// policy's chains. Pure: the agent diffs two models and writes the difference. Rules are
// structures (matches, mark, verdict, comment); nft.ts prints them in one last step, so the
// diff, the drift check and the tests work on structure, never on edited text.
import type {
  ConntrackTimeouts,
  Ethertype,
  Port,
  Profile,
  RegionState,
  Rule,
  SecurityGroup,
} from '../core/model.js';
import { protocolNumber } from '../core/model.js';
import { type Entry, evaluationOrder, policyDefault, type PortPolicy } from '../core/order.js';
import { TRAITS } from '../core/profiles.js';
import { isSecured, resolvePolicy } from '../core/policy.js';
import { RegionIndex, privateAddresses } from '../core/region-index.js';

export const TABLE = 'palisade';

export interface SetModel {
  type: 'ipv4_addr' | 'ipv6_addr' | 'ifname';
  /** CIDR sets (address groups) are interval sets; member-address sets are plain hash sets. */
  interval: boolean;
  elements: Set<string>;
}

/** The address family of a match: nft's `ip` or `ip6` payload. */
export type AddressFamily = 'ip' | 'ip6';

export type Match =
  | { kind: 'family'; family: AddressFamily }
  | { kind: 'protocol'; protocol: number }
  | { kind: 'ports'; field: 'dport' | 'sport'; ranges: { from: number; to: number }[] }
  | { kind: 'icmp'; family: AddressFamily; type: number; code?: number }
  | { kind: 'address'; family: AddressFamily; field: 'saddr' | 'daddr'; cidr: string }
  | { kind: 'addressSet'; family: AddressFamily; field: 'saddr' | 'daddr'; set: string }
  /** An earlier group chain allowed the packet (the DECIDED packet-mark bit is set). */
  | { kind: 'decided' };

export type Verdict = { kind: 'return' } | { kind: 'drop' } | { kind: 'jump'; chain: string };

export interface NftRule {
  match: Match[];
  counter?: boolean;
  /** Set (a group allowed) or clear the DECIDED packet-mark bit before the verdict. */
  mark?: 'decide' | 'undecide';
  verdict?: Verdict;
  /** The rule id (hit counts are read by it), "inner <group>", or "default". */
  comment?: string;
}

export interface KernelModel {
  sets: Map<string, SetModel>;
  /** Policy chains: name → rules, in evaluation order. */
  chains: Map<string, NftRule[]>;
  /** Interface → verdict (a jump to the policy's chain, or drop) for traffic leaving (egress) and entering (ingress) a port. */
  egress: Map<string, Verdict>;
  ingress: Map<string, Verdict>;
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
const familyOf = (f: Ethertype): AddressFamily => (f === 'IPv4' ? 'ip' : 'ip6');
const RETURN: Verdict = { kind: 'return' };
const DROP: Verdict = { kind: 'drop' };
const jump = (chain: string): Verdict => ({ kind: 'jump', chain });

/**
 * The rule of one evaluation-order entry: an allow returns to the calling chain (marking the
 * packet decided when it sits in a group chain, `decides`), a deny drops.
 */
function statement(
  entry: Entry,
  direction: 'ingress' | 'egress',
  ethertype: Ethertype,
  need: (name: string, set: SetModel) => void,
  sets: SetSource,
  decides: boolean,
): NftRule {
  const field = direction === 'ingress' ? 'saddr' : 'daddr';
  const family = familyOf(ethertype);
  const allow = (match: Match[], comment: string): NftRule => ({
    match,
    counter: true,
    ...(decides ? { mark: 'decide' as const } : {}),
    verdict: RETURN,
    comment,
  });
  if (entry.kind === 'innerAccess') {
    const set = groupSetName(entry.group.id, ethertype);
    need(set, sets.group(entry.group.id, ethertype));
    return allow(
      [
        { kind: 'family', family },
        { kind: 'addressSet', family, field, set },
      ],
      `inner ${entry.group.id}`,
    );
  }
  const r: Rule = entry.rule;
  const match: Match[] = [{ kind: 'family', family }];
  const proto = protocolNumber(r.protocol);
  if (proto !== null) match.push({ kind: 'protocol', protocol: proto });
  if (r.ports?.length) match.push({ kind: 'ports', field: 'dport', ranges: r.ports });
  if (r.sourcePorts?.length) match.push({ kind: 'ports', field: 'sport', ranges: r.sourcePorts });
  if (r.icmpType !== undefined)
    match.push({
      kind: 'icmp',
      family,
      type: r.icmpType,
      ...(r.icmpCode !== undefined ? { code: r.icmpCode } : {}),
    });
  if (r.remote.kind === 'cidr') match.push({ kind: 'address', family, field, cidr: r.remote.cidr });
  if (r.remote.kind === 'group') {
    const set = groupSetName(r.remote.groupId, ethertype);
    need(set, sets.group(r.remote.groupId, ethertype));
    match.push({ kind: 'addressSet', family, field, set });
  }
  if (r.remote.kind === 'addressGroup') {
    const set = addressSetName(r.remote.addressGroupId, ethertype);
    need(set, sets.addressGroup(r.remote.addressGroupId, ethertype));
    match.push({ kind: 'addressSet', family, field, set });
  }
  return r.action === 'allow' ? allow(match, r.id) : { match, counter: true, verdict: DROP, comment: r.id };
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

/**
 * The kernel model for the ports of `host` across the given regions. States are values: a
 * group's rule list is replaced when a rule changes, never edited in place (group chains are
 * kept per rule list).
 */
export function renderHost(
  host: string,
  regions: RegionState[],
  indexOf: (state: RegionState) => RegionIndex = (state) => new RegionIndex(state),
): KernelModel {
  const model = emptyModel();
  const policyChains = new Map<string, string>();
  for (const state of regions) {
    const index = indexOf(state);
    const sets = setSource(index);
    const need = (name: string, set: SetModel) => model.sets.set(name, set);
    for (const { port } of index.ports.values()) {
      if (port.host !== host || !port.interface) continue;
      // Port security off: no policy and no dispatch entry, so the base chain's accept applies.
      if (!isSecured(port)) continue;
      model.timeouts ??= state.region.conntrackTimeouts;
      // Ports with the same groups and NIC type share a policy: it is resolved once, not per port.
      const key = `${state.region.id}|${port.nicType}|${port.groupIds.join(',')}`;
      let base = policyChains.get(key);
      const resolved = base ? null : resolvePolicy(index, port.id);
      if (resolved && !('policy' in resolved)) {
        // Fail closed: the port's traffic is dropped both ways, and the reason is reported.
        model.egress.set(port.interface, DROP);
        model.ingress.set(port.interface, DROP);
        model.closed.set(port.id, 'reason' in resolved ? resolved.reason : 'no policy');
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
              ? { match: [], verdict: RETURN }
              : { match: [], counter: true, verdict: DROP, comment: 'default' },
          );
          model.chains.set(name, rules);
        }
      }
      model.egress.set(port.interface, jump(`${base}_out`));
      model.ingress.set(port.interface, jump(`${base}_in`));
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
const groupWise = (profile: Profile) => !TRAITS[profile].mergesGroups;

/** An allowing group marks the packet decided and returns; the policy chain returns on the mark. */
const UNDECIDE: NftRule = { match: [], mark: 'undecide' };
const RETURN_IF_DECIDED: NftRule = { match: [{ kind: 'decided' }], mark: 'undecide', verdict: RETURN };

function mergedRules(
  policy: PortPolicy,
  port: Port,
  direction: 'ingress' | 'egress',
  chain: string,
  model: KernelModel,
  need: (name: string, set: SetModel) => void,
  sets: SetSource,
): NftRule[] {
  const rules: NftRule[] = [];
  for (const family of FAMILIES)
    for (const entry of evaluationOrder(policy, port, direction, family)) {
      rules.push(statement(entry, direction, family, need, sets, false));
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
): NftRule[] {
  const rules = [UNDECIDE];
  for (const group of groups) {
    const name = `sg_${safe(group.id)}_${direction === 'egress' ? 'out' : 'in'}`;
    if (!model.chains.has(name)) {
      const chain = groupChain(group, port, direction, policy);
      for (const ref of chain.sets)
        need(
          ref.name,
          ref.kind === 'group' ? sets.group(ref.id, ref.family) : sets.addressGroup(ref.id, ref.family),
        );
      writeGroupChain(model, name, chain.entries);
    }
    rules.push({ match: [], verdict: jump(name) }, RETURN_IF_DECIDED);
  }
  return rules;
}

interface GroupChain {
  entries: ChainEntry[];
  /** The sets its rules look up (their elements are filled per render: members change alone). */
  sets: { name: string; kind: 'group' | 'addressGroup'; id: string; family: Ethertype }[];
}

/**
 * A group's chain depends only on its rules (a list kept, unchanged, until one of them changes),
 * its inner-access policy and the port's NIC type: it is built once per rule list, so a
 * membership or address change renders no rule again, and the diff finds the same objects.
 */
const groupChainCache = new WeakMap<readonly Rule[], Map<string, GroupChain>>();

function groupChain(
  group: SecurityGroup,
  port: Port,
  direction: 'ingress' | 'egress',
  policy: PortPolicy,
): GroupChain {
  const key = `${group.id}|${direction}|${port.nicType}|${policy.profile}|${policy.style}|${group.innerAccessPolicy}`;
  let byKey = groupChainCache.get(group.rules);
  if (!byKey) groupChainCache.set(group.rules, (byKey = new Map()));
  const cached = byKey.get(key);
  if (cached) return cached;
  const chain: GroupChain = { entries: [], sets: [] };
  const sets: SetSource = {
    group: (id, family) => (
      chain.sets.push({ name: groupSetName(id, family), kind: 'group', id, family }),
      NO_SET
    ),
    addressGroup: (id, family) => (
      chain.sets.push({ name: addressSetName(id, family), kind: 'addressGroup', id, family }),
      NO_SET
    ),
  };
  const single = { ...policy, groups: [group] };
  for (const family of FAMILIES)
    for (const entry of evaluationOrder(single, port, direction, family))
      chain.entries.push({
        id: entry.kind === 'rule' ? entry.rule.id : `inner ${entry.group.id}`,
        isRule: entry.kind === 'rule',
        rule: statement(entry, direction, family, () => undefined, sets, true),
      });
  byKey.set(key, chain);
  return chain;
}

/** A placeholder: a cached chain records which sets it needs, the render fills them. */
const NO_SET: SetModel = { type: 'ipv4_addr', interval: false, elements: new Set() };

interface ChainEntry {
  id: string;
  /** A rule of the group (counted for hits), not its inner-access entry. */
  isRule: boolean;
  rule: NftRule;
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
function writeGroupChain(model: KernelModel, name: string, entries: ChainEntry[]): void {
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
  const place = (chain: string, part: ChainEntry[]) => {
    model.chains.set(
      chain,
      part.map((e) => e.rule),
    );
    for (const e of part) if (e.isRule) holds(model, e.id, chain);
  };
  if (chunks.length === 1) return place(name, entries);
  const body: NftRule[] = [];
  chunks.forEach((chunk, i) => {
    place(chunk.name, chunk.entries);
    body.push({ match: [], verdict: jump(chunk.name) });
    if (i < chunks.length - 1) body.push({ match: [{ kind: 'decided' }], verdict: RETURN });
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
