// The reference evaluator: a linear scan of the evaluation order with the most literal
// matching there is. Slow on purpose; property tests prove the compiled classifier agrees.
import { canonicalIp, cidrContains, cidrFamily } from './address.js';
import type { PacketKeys } from './classifier/classifier.js';
import { type AddrKey, cidrKeys, icmpRuleSpan } from './classifier/keys.js';
import type { Direction, Packet } from './model.js';
import { ICMP_PROTOCOLS, protocolNumber } from './model.js';
import { type Entry, type PortPolicy, evaluationOrder, policyDefault } from './order.js';
import type { RegionIndex } from './region-index.js';
import type { Decider, Explanation, RuleRef } from './verdict.js';
import { defaultReason, resolvePolicy } from './policy.js';

function remoteAddress(direction: Direction, packet: Packet): string {
  return direction === 'ingress' ? packet.src : packet.dst;
}

function inRanges(value: number | undefined, ranges: { from: number; to: number }[] | undefined): boolean {
  if (!ranges || ranges.length === 0) return true;
  return value !== undefined && ranges.some((r) => r.from <= value && value <= r.to);
}

export function entryMatches(
  index: RegionIndex,
  entry: Entry,
  direction: Direction,
  packet: Packet,
): boolean {
  const remote = canonicalIp(remoteAddress(direction, packet));
  const memberOf = (groupId: string) => index.isMemberAddress(groupId, packet.ethertype, remote);
  if (entry.kind === 'innerAccess') return memberOf(entry.group.id);

  const rule = entry.rule;
  if (rule.ethertype !== packet.ethertype) return false;
  const proto = protocolNumber(rule.protocol);
  if (proto !== null && proto !== packet.protocol) return false;
  if (!inRanges(packet.dstPort, rule.ports)) return false;
  if (!inRanges(packet.srcPort, rule.sourcePorts)) return false;
  if (rule.icmpType !== undefined && packet.icmpType !== rule.icmpType) return false;
  if (rule.icmpCode !== undefined && packet.icmpCode !== rule.icmpCode) return false;
  switch (rule.remote.kind) {
    case 'any':
      return true;
    case 'cidr':
      return cidrContains(rule.remote.cidr, remote);
    case 'group':
      return memberOf(rule.remote.groupId);
    case 'addressGroup': {
      const ag = index.addressGroups.get(rule.remote.addressGroupId);
      return !!ag && ag.entries.some((cidr) => cidrContains(cidr, remote));
    }
  }
}

export function ruleRef(entry: Entry & { kind: 'rule' }, position: number): RuleRef {
  return {
    groupId: entry.group.id,
    groupName: entry.group.name,
    groupSequence: entry.seq,
    ruleId: entry.rule.id,
    priority: entry.rule.priority,
    action: entry.rule.action,
    position,
  };
}

/** Verdict and explanation from the ordered entries and the indices of those that matched. */
export function explainFromMatches(
  policy: PortPolicy,
  portId: string,
  direction: Direction,
  entries: Entry[],
  matchedIdx: number[],
): Explanation {
  const matched: RuleRef[] = [];
  for (const i of matchedIdx) {
    const e = entries[i];
    if (e.kind === 'rule') matched.push(ruleRef(e, i));
  }
  if (matchedIdx.length === 0) {
    const verdict = policyDefault(policy, direction);
    return {
      portId,
      direction,
      verdict,
      decidedBy: { kind: 'default', reason: defaultReason(policy, direction) },
      matched,
    };
  }
  const first = entries[matchedIdx[0]];
  const decidedBy: Decider =
    first.kind === 'innerAccess'
      ? { kind: 'innerAccess', groupId: first.group.id, groupName: first.group.name, policy: 'Accept' }
      : { kind: 'rule', ...ruleRef(first, matchedIdx[0]) };
  // firstMatch: the first match decides; anyAllow: only allow rules exist, so any match allows.
  const verdict = first.kind === 'innerAccess' ? 'allow' : first.rule.action;
  return { portId, direction, verdict, decidedBy, matched };
}

/** Explain one side's decision by scanning every entry in order. */
export function referenceExplain(
  index: RegionIndex,
  portId: string,
  direction: Direction,
  packet: Packet,
): Explanation {
  const resolved = resolvePolicy(index, portId);
  if ('failure' in resolved) return resolved.failure(direction);
  if ('unsecured' in resolved) return resolved.unsecured(direction);
  const { policy, port } = resolved;
  const entries = evaluationOrder(policy, port, direction, packet.ethertype);
  const matchedIdx: number[] = [];
  entries.forEach((entry, i) => {
    if (entryMatches(index, entry, direction, packet)) matchedIdx.push(i);
  });
  return explainFromMatches(policy, portId, direction, entries, matchedIdx);
}

/**
 * The reference order as a prepared linear scan: each entry's fields parsed to numbers once,
 * then checked one by one like an iptables chain. The benchmark's baseline; property tests
 * hold it to the same answers as the literal reference above.
 */
export function prepareLinearScan(
  index: RegionIndex,
  portId: string,
  direction: Direction,
  ethertype: Packet['ethertype'],
): ((k: PacketKeys) => number) | null {
  const resolved = resolvePolicy(index, portId);
  if (!('policy' in resolved)) return null;
  const entries = evaluationOrder(resolved.policy, resolved.port, direction, ethertype);
  const remotes = new Map<string, [AddrKey, AddrKey][]>();
  const matchers = entries.map((e) => entrySpans(index, e, ethertype, remotes));
  const within = (v: AddrKey, ranges: [AddrKey, AddrKey][]) => ranges.some(([lo, hi]) => lo <= v && v <= hi);
  return (k) => {
    for (let i = 0; i < matchers.length; i++) {
      const m = matchers[i];
      if (m.proto !== null && m.proto !== k.protocol) continue;
      if (m.l4 && !within(k.l4, m.l4)) continue;
      if (m.src && !within(k.srcPort, m.src)) continue;
      if (m.addr && !within(k.addr, m.addr)) continue;
      return i;
    }
    return -1;
  };
}

/**
 * What one entry matches, as spans of the packet keys (classifier/keys.ts): protocol (null: any),
 * L4 key spans (destination port, or the ICMP key), source-port spans and remote-address spans
 * (null: any). The linear scan checks packets against them; the analysis takes their product as
 * the entry's box of packet space.
 */
export interface EntrySpans {
  proto: number | null;
  l4: [number, number][] | null;
  src: [number, number][] | null;
  addr: [AddrKey, AddrKey][] | null;
}

export function entrySpans(
  index: RegionIndex,
  e: Entry,
  ethertype: Packet['ethertype'],
  /** Remote sets already parsed, by group or address group (many entries name the same one). */
  remotes: Map<string, [AddrKey, AddrKey][]> = new Map(),
): EntrySpans {
  const spans = (cidrs: string[]) => cidrs.map((c) => cidrKeys(ethertype, c));
  const once = (key: string, make: () => [AddrKey, AddrKey][]) => {
    let found = remotes.get(key);
    if (!found) remotes.set(key, (found = make()));
    return found;
  };
  const members = (g: string) => once(`group:${g}`, () => spans(index.memberAddresses(g, ethertype)));
  if (e.kind === 'innerAccess') return { proto: null, l4: null, src: null, addr: members(e.group.id) };
  const r = e.rule;
  const proto = protocolNumber(r.protocol);
  const l4: [number, number][] | null =
    proto !== null && ICMP_PROTOCOLS.has(proto)
      ? [icmpRuleSpan(r.icmpType, r.icmpCode)]
      : r.ports?.length
        ? r.ports.map((p) => [p.from, p.to])
        : null;
  const src: [number, number][] | null = r.sourcePorts?.length
    ? r.sourcePorts.map((p) => [p.from, p.to])
    : null;
  const rm = r.remote;
  const addr =
    rm.kind === 'any'
      ? null
      : rm.kind === 'cidr'
        ? once(`cidr:${rm.cidr}`, () => spans([rm.cidr]))
        : rm.kind === 'group'
          ? members(rm.groupId)
          : once(`ag:${rm.addressGroupId}`, () =>
              spans(
                (index.addressGroups.get(rm.addressGroupId)?.entries ?? []).filter(
                  (c) => cidrFamily(c) === ethertype,
                ),
              ),
            );
  return { proto, l4, src, addr };
}
