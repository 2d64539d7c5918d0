// What a change does to live connections (SEMANTICS.md "What a change does to live
// connections"): a pure function from a change, seen against the state before it, to the
// ports whose inbound entries are cleared (huawei, openstack) or whose connections are
// re-evaluated against the new policy (alibaba).
import type { Change } from './changes.js';
import type { Profile, Rule } from './model.js';
import { TRAITS } from './profiles.js';
import type { RegionIndex } from './region-index.js';

export interface ClearingPlan {
  /** Ports whose inbound-originated entries are cleared; outbound ones survive. */
  clearInbound: Set<string>;
  /** Ports whose live connections are checked against the new policy; denied ones are dropped. */
  reevaluate: Set<string>;
  /** Ports that no longer exist: all their entries go. */
  forget: Set<string>;
  reason: string;
}

/** Fields whose change alters what a rule matches or decides (not its description). */
function significant(a: Rule, b: Rule): boolean {
  const strip = ({ description: _d, ...r }: Rule) => JSON.stringify(r);
  return strip(a) !== strip(b);
}

export function clearingPlan(profile: Profile, before: RegionIndex, change: Change): ClearingPlan {
  const plan: ClearingPlan = {
    clearInbound: new Set(),
    reevaluate: new Set(),
    forget: new Set(),
    reason: 'no effect on live connections',
  };
  const traits = TRAITS[profile].clearing;
  const members = (groupId: string) => before.membersOf(groupId).map((p) => p.id);
  /** Groups whose rules (inbound only, or any) name this remote group or address group. */
  const referencing = (pred: (r: Rule) => boolean, inboundOnly: boolean) =>
    before.state.groups.filter((g) =>
      g.rules.some((r) => pred(r) && (!inboundOnly || r.direction === 'ingress')),
    );
  const touch = (ports: string[], reason: string) => {
    const target = traits.reevaluate ? plan.reevaluate : plan.clearInbound;
    for (const p of ports) target.add(p);
    if (ports.length > 0) plan.reason = reason;
  };
  const oldRule = (groupId: string, ruleId: string) =>
    before.groups.get(groupId)?.rules.find((r) => r.id === ruleId);

  switch (change.kind) {
    case 'ruleAdded': {
      const r = change.rule;
      if (traits.onlyWhenNarrowing && r.action !== 'deny') break; // 002: only a new deny rule clears
      touch(members(change.groupId), `rule ${r.id} added to ${change.groupId}`);
      break;
    }
    case 'ruleRemoved': {
      const r = oldRule(change.groupId, change.ruleId);
      if (!r) break;
      if (traits.onlyWhenNarrowing && !(r.action === 'allow' && r.direction === 'ingress')) break; // 002
      touch(members(change.groupId), `rule ${r.id} removed from ${change.groupId}`);
      break;
    }
    case 'ruleModified': {
      const r = oldRule(change.groupId, change.rule.id);
      if (!r || !significant(r, change.rule)) break;
      // 002: only inbound modifications clear (outbound connections keep their verdict);
      // 003: any rule change clears the inbound entries, outbound ones survive.
      if (traits.onlyWhenNarrowing && r.direction !== 'ingress' && change.rule.direction !== 'ingress') break;
      touch(members(change.groupId), `rule ${r.id} of ${change.groupId} modified`);
      break;
    }
    case 'groupUpdated':
      if (TRAITS[profile].innerAccessPolicy && change.innerAccessPolicy !== undefined) {
        touch(members(change.groupId), `innerAccessPolicy of ${change.groupId} changed`);
      }
      break;
    case 'addressGroupEntriesChanged': {
      const id = change.addressGroupId;
      const uses = (r: Rule) => r.remote.kind === 'addressGroup' && r.remote.addressGroupId === id;
      for (const g of referencing(uses, !traits.reevaluate)) {
        touch(members(g.id), `entries of address group ${id} changed`);
      }
      break;
    }
    case 'memberAdded':
    case 'memberRemoved':
      membershipChanged(change.groupId, [change.portId]);
      break;
    case 'portSecurityChanged':
      // Decision: turned on, the port's policy now applies where none did, as if it had
      // joined its groups; turned off, everything passes and no connection needs cutting.
      if (change.enabled) touch([change.portId], `port security of ${change.portId} turned on`);
      break;
    case 'instanceAdded':
      for (const port of change.instance.ports)
        for (const g of port.groupIds) membershipChanged(g, [port.id]);
      break;
    case 'instanceRemoved': {
      const instance = before.state.instances.find((i) => i.id === change.instanceId);
      for (const port of instance?.ports ?? []) {
        plan.forget.add(port.id);
        for (const g of port.groupIds) membershipChanged(g, []);
      }
      for (const p of plan.forget) {
        plan.clearInbound.delete(p);
        plan.reevaluate.delete(p);
      }
      break;
    }
    default:
      break;
  }
  return plan;

  /**
   * 003: adding or removing a member clears the inbound entries of all members (the joining or
   * leaving port included). Decision: the members of groups whose inbound rules name the group
   * as remote are cleared too, since their rules' meaning changed like an address group's would.
   */
  function membershipChanged(groupId: string, ports: string[]): void {
    const reason = `membership of ${groupId} changed`;
    touch([...members(groupId), ...ports], reason);
    const uses = (r: Rule) => r.remote.kind === 'group' && r.remote.groupId === groupId;
    for (const g of referencing(uses, !traits.reevaluate)) touch(members(g.id), reason);
  }
}
