// The reference evaluator: a linear scan of the evaluation order with the most literal
// matching there is. Slow on purpose; property tests prove the compiled classifier agrees.
import { canonicalIp, cidrContains } from './address.js';
import type { Direction, Packet } from './model.js';
import { protocolNumber } from './model.js';
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

export function entryMatches(index: RegionIndex, entry: Entry, direction: Direction, packet: Packet): boolean {
  const remote = canonicalIp(remoteAddress(direction, packet));
  const memberOf = (groupId: string) =>
    index.memberAddresses(groupId, packet.ethertype).some((ip) => canonicalIp(ip) === remote);
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
      decidedBy: { kind: 'default', reason: defaultReason(policy, direction, verdict) },
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
  const { policy, port } = resolved;
  const entries = evaluationOrder(policy, port, direction, packet.ethertype);
  const matchedIdx: number[] = [];
  entries.forEach((entry, i) => {
    if (entryMatches(index, entry, direction, packet)) matchedIdx.push(i);
  });
  return explainFromMatches(policy, portId, direction, entries, matchedIdx);
}
