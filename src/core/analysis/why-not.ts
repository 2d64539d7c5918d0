// Why a packet from one endpoint to another does not pass, and the smallest rule change that
// would let it: per side (the sender's egress, the receiver's ingress; each only where a port
// owns the address), what decided (no allow matched and the default denied, a deny rule, a port
// that fails closed), and rules to add or remove, in the profile's terms: allow-only profiles
// get an allow rule; where a deny rule decided, an allow placed before it (a higher priority,
// or an earlier group in Huawei's group sequence) or the deny's removal. Every suggestion is
// applied to a copy of the region and kept only if the side then allows the packet.
import type { Packet, RegionState, Rule, SecurityGroup } from '../model.js';
import { ICMP_PROTOCOLS, PORTED_PROTOCOLS, PROTOCOL_NUMBERS, type Direction } from '../model.js';
import { resolvePolicy } from '../policy.js';
import { TRAITS } from '../profiles.js';
import { referenceExplain } from '../reference.js';
import { RegionIndex } from '../region-index.js';
import { type RuleInput, toRule } from '../rule-input.js';
import { lookupOf, Problems, validateRule, validateRuleReferences } from '../validate.js';
import type { Explanation } from '../verdict.js';

export type SideReason =
  | { kind: 'outside' }
  | { kind: 'unsecured' }
  | { kind: 'allowedByRule'; ruleId: string; groupId: string }
  | { kind: 'allowedByInnerAccess'; groupId: string }
  | { kind: 'allowedByDefault'; detail: string }
  | { kind: 'noAllowMatched'; detail: string }
  | { kind: 'denyRule'; ruleId: string; groupId: string; priority: number }
  | { kind: 'closed'; detail: string };

export type Suggestion =
  | { kind: 'addRule'; groupId: string; rule: RuleInput; text: string }
  | { kind: 'removeRule'; groupId: string; ruleId: string; text: string };

export interface WhyNotSide {
  direction: Direction;
  /** null: no Palisade port owns the address, so no policy applies on this side. */
  portId: string | null;
  verdict: 'allow' | 'deny';
  reason: SideReason;
  /** For a side that denies: changes that make it allow the packet, each verified; the narrowest first. */
  suggestions: Suggestion[];
}

export interface WhyNot {
  verdict: 'allow' | 'deny';
  egress: WhyNotSide;
  ingress: WhyNotSide;
  /** Whether applying the first suggestion of every denying side lets the packet through (null: nothing to apply). */
  reachableAfterSuggestions: boolean | null;
}

const PROTOCOL_NAMES = new Map(Object.entries(PROTOCOL_NUMBERS).map(([name, n]) => [n, name]));

function reasonOf(e: Explanation, closed: boolean, unsecured: boolean): SideReason {
  if (unsecured) return { kind: 'unsecured' };
  const d = e.decidedBy;
  if (d.kind === 'innerAccess') return { kind: 'allowedByInnerAccess', groupId: d.groupId };
  if (d.kind === 'rule')
    return d.action === 'allow'
      ? { kind: 'allowedByRule', ruleId: d.ruleId, groupId: d.groupId }
      : { kind: 'denyRule', ruleId: d.ruleId, groupId: d.groupId, priority: d.priority };
  if (closed) return { kind: 'closed', detail: d.reason };
  return e.verdict === 'allow'
    ? { kind: 'allowedByDefault', detail: d.reason }
    : { kind: 'noAllowMatched', detail: d.reason };
}

/** The narrowest allow rule matching the packet on this side: its protocol, port or ICMP type/code. */
function allowInput(
  direction: Direction,
  packet: Packet,
  remote: Pick<RuleInput, 'remoteIpPrefix' | 'remoteGroup'>,
) {
  const input: RuleInput = {
    direction,
    ethertype: packet.ethertype,
    protocol: PROTOCOL_NAMES.get(packet.protocol) ?? packet.protocol,
    action: 'allow',
    ...remote,
  };
  if (PORTED_PROTOCOLS.has(packet.protocol)) input.ports = String(packet.dstPort ?? 0);
  if (ICMP_PROTOCOLS.has(packet.protocol) && packet.icmpType !== undefined) {
    input.icmpType = packet.icmpType;
    if (packet.icmpCode !== undefined) input.icmpCode = packet.icmpCode;
  }
  return input;
}

const describeRule = (r: RuleInput, groupId: string) => {
  const what = [
    `${r.direction} allow ${r.protocol}`,
    r.ports !== undefined ? `port ${String(r.ports)}` : '',
    r.icmpType !== undefined ? `type ${r.icmpType}${r.icmpCode !== undefined ? `/${r.icmpCode}` : ''}` : '',
    `${r.direction === 'ingress' ? 'from' : 'to'} ${r.remoteIpPrefix ?? `group ${r.remoteGroup}`}`,
    r.priority !== undefined ? `at priority ${r.priority}` : '',
  ];
  return `add ${what.filter(Boolean).join(' ')} to group ${groupId}`;
};

function withGroup(
  state: RegionState,
  groupId: string,
  edit: (g: SecurityGroup) => SecurityGroup,
): RegionState {
  return { ...state, groups: state.groups.map((g) => (g.id === groupId ? edit(g) : g)) };
}

/** The region with a suggestion applied, or null when the rule would not be accepted in this profile. */
function applied(state: RegionState, s: Suggestion): RegionState | null {
  if (s.kind === 'removeRule')
    return withGroup(state, s.groupId, (g) => ({ ...g, rules: g.rules.filter((r) => r.id !== s.ruleId) }));
  const group = state.groups.find((g) => g.id === s.groupId);
  if (!group) return null;
  const p = new Problems();
  const rule: Rule = toRule(state.region.profile, s.rule, 'suggested-rule', 'rule', p);
  validateRule(rule, group, state.region.profile, p, 'rule');
  validateRuleReferences(rule, group, lookupOf(state), p, 'rule');
  if (p.list.length) return null;
  return withGroup(state, s.groupId, (g) => ({ ...g, rules: [...g.rules, rule] }));
}

function sideAllows(state: RegionState, portId: string, direction: Direction, packet: Packet): boolean {
  return referenceExplain(new RegionIndex(state), portId, direction, packet).verdict === 'allow';
}

/** Candidate changes for a denying side, narrowest first, before verification. */
function candidates(
  index: RegionIndex,
  portId: string,
  direction: Direction,
  packet: Packet,
  reason: SideReason,
): Suggestion[] {
  const resolved = resolvePolicy(index, portId);
  if (!('policy' in resolved)) return [];
  const { policy, port } = resolved;
  const profile = policy.profile;
  const traits = TRAITS[profile];
  const owner = index.ports.get(portId)!.instance.tenantId;
  const groups = policy.groups;
  const own = groups.filter((g) => g.tenantId === owner);
  // The far end: the packet's other address, and (for a port) its groups, as remotes.
  const farAddress = direction === 'ingress' ? packet.src : packet.dst;
  const farPort = index.portOwning(farAddress);
  const hostPrefix = `${farAddress}/${packet.ethertype === 'IPv4' ? 32 : 128}`;
  const remotes: Pick<RuleInput, 'remoteIpPrefix' | 'remoteGroup'>[] = [{ remoteIpPrefix: hostPrefix }];
  for (const g of farPort ? (index.ports.get(farPort)?.port.groupIds ?? []) : [])
    remotes.push({ remoteGroup: g });
  const classic = (g: SecurityGroup) =>
    g.vpcId === null && port.nicType === 'internet' ? { nicType: 'internet' as const } : {};
  const ordered = policy.style === 'firstMatch' && traits.priorities && policy.groupType === 'basic';
  const add = (g: SecurityGroup, priority?: number): Suggestion[] =>
    remotes.map((remote) => {
      const rule = {
        ...allowInput(direction, packet, remote),
        ...classic(g),
        ...(priority !== undefined && { priority }),
      };
      return { kind: 'addRule', groupId: g.id, rule, text: describeRule(rule, g.id) };
    });
  if (reason.kind === 'noAllowMatched') {
    // Nothing matched: an allow anywhere in the port's groups decides the packet.
    const g = own[0] ?? groups[0];
    return g ? add(g) : [];
  }
  if (reason.kind !== 'denyRule') return [];
  const out: Suggestion[] = [];
  const denyGroup = groups.find((g) => g.id === reason.groupId);
  const seq = groups.findIndex((g) => g.id === reason.groupId);
  if (ordered && denyGroup) {
    // An allow before the deny: a higher priority (deny goes first at equal priority), in the
    // deny's group; where groups are ordered by sequence (Huawei), any earlier group also does.
    if (reason.priority > 1) out.push(...add(denyGroup, Math.min(reason.priority - 1, 100)));
    if (!traits.mergesGroups)
      for (const g of groups.slice(0, Math.max(0, seq))) if (g.tenantId === owner) out.push(...add(g));
  }
  if (denyGroup)
    out.push({
      kind: 'removeRule',
      groupId: reason.groupId,
      ruleId: reason.ruleId,
      text: `delete deny rule ${reason.ruleId} of group ${reason.groupId}, or narrow it so it no longer matches this packet`,
    });
  return out;
}

function side(
  state: RegionState,
  index: RegionIndex,
  portId: string | null,
  direction: Direction,
  packet: Packet,
): WhyNotSide {
  if (portId === null)
    return { direction, portId, verdict: 'allow', reason: { kind: 'outside' }, suggestions: [] };
  const resolved = resolvePolicy(index, portId);
  const e = referenceExplain(index, portId, direction, packet);
  const reason = reasonOf(e, 'failure' in resolved, 'unsecured' in resolved);
  if (e.verdict === 'allow') return { direction, portId, verdict: 'allow', reason, suggestions: [] };
  const suggestions = candidates(index, portId, direction, packet, reason).filter((s) => {
    const next = applied(state, s);
    return next !== null && sideAllows(next, portId, direction, packet);
  });
  return { direction, portId, verdict: 'deny', reason, suggestions };
}

/** Why the packet is (not) delivered, side by side, with verified changes that would deliver it. */
export function whyNot(state: RegionState, packet: Packet): WhyNot {
  const index = new RegionIndex(state);
  const egress = side(state, index, index.portOwning(packet.src), 'egress', packet);
  const ingress = side(state, index, index.portOwning(packet.dst), 'ingress', packet);
  const verdict = egress.verdict === 'allow' && ingress.verdict === 'allow' ? 'allow' : 'deny';
  let reachableAfterSuggestions: boolean | null = null;
  const denying = [egress, ingress].filter((s) => s.verdict === 'deny');
  if (denying.length && denying.every((s) => s.suggestions.length)) {
    let next: RegionState | null = state;
    for (const s of denying) next = next && applied(next, s.suggestions[0]);
    const after = next && new RegionIndex(next);
    reachableAfterSuggestions =
      after !== null &&
      [egress, ingress].every(
        (s) =>
          s.portId === null || referenceExplain(after, s.portId, s.direction, packet).verdict === 'allow',
      );
  }
  return { verdict, egress, ingress, reachableAfterSuggestions };
}
