// What the native API returns for each object: the model plus its revision (the ETag), and
// for rules the input shape (remoteIpPrefix / remoteGroup / remoteAddressGroup) plus the
// rule's position in its group's evaluation order.
import type { Profile, Rule } from '../core/model.js';
import type { RuleInput } from '../core/rule-input.js';
import { orderedRules } from './rule-order.js';
import type { GroupRecord } from './world.js';

export type RuleView = Omit<RuleInput, 'ports' | 'sourcePorts'> & {
  id: string;
  groupId: string;
  ethertype: Rule['ethertype'];
  ports?: Rule['ports'];
  sourcePorts?: Rule['sourcePorts'];
  action: Rule['action'];
  priority: number;
  nicType: Rule['nicType'];
  position: number;
  revision: number;
  createdAt?: string;
};

/** A rule as the API takes it: the model's remote flattened into the three remote fields. */
export function ruleInputOf(
  rule: Rule,
): RuleInput & { ports?: Rule['ports']; sourcePorts?: Rule['sourcePorts'] } {
  const out: RuleInput & { ports?: Rule['ports']; sourcePorts?: Rule['sourcePorts'] } = {
    direction: rule.direction,
    ethertype: rule.ethertype,
    // A keyword the client gave ("esp") comes back as given, not as the number held.
    protocol: rule.protocolName ?? rule.protocol,
    action: rule.action,
    priority: rule.priority,
    nicType: rule.nicType,
  };
  if (rule.ports?.length) out.ports = rule.ports;
  if (rule.sourcePorts?.length) out.sourcePorts = rule.sourcePorts;
  if (rule.icmpType !== undefined) out.icmpType = rule.icmpType;
  if (rule.icmpCode !== undefined) out.icmpCode = rule.icmpCode;
  if (rule.remote.kind === 'cidr') out.remoteIpPrefix = rule.remote.cidr;
  if (rule.remote.kind === 'group') out.remoteGroup = rule.remote.groupId;
  if (rule.remote.kind === 'addressGroup') out.remoteAddressGroup = rule.remote.addressGroupId;
  if (rule.description !== undefined) out.description = rule.description;
  return out;
}

export function ruleView(rule: Rule, groupId: string, position: number, revision: number): RuleView {
  const view = { id: rule.id, groupId, ...ruleInputOf(rule), position, revision } as RuleView;
  if (rule.createdAt !== undefined) view.createdAt = rule.createdAt;
  return view;
}

export function groupView(profile: Profile, g: GroupRecord, withRules: boolean) {
  const view = {
    ...g.meta,
    revision: g.contentRevision,
    ruleCount: g.rules.size,
    memberCount: g.members.size,
  };
  if (!withRules) return view;
  const rules = orderedRules(profile, g).map((o) =>
    ruleView(o.stored.rule, g.meta.id, o.position, o.stored.revision),
  );
  return { ...view, rules };
}

export const versioned = <T extends object>(value: T, revision: number) => ({ ...value, revision });
