// Palisade objects as the VPC v3 API shows them: SecurityGroup(Info), SecurityGroupRule and
// AddressGroup, with the project id (= the Palisade region id) and snake_case fields.
import type { AddressGroup, Rule } from '../../core/model.js';
import type { GroupMeta } from '../../control/events.js';
import type { GroupRecord } from '../../control/world.js';

/** Ports as Huawei's multiport: "22", "1-30", "22,3389,80", "80,500,600-800". */
export function multiportOf(rule: Rule): string | null {
  if (!rule.ports?.length) return null;
  return rule.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(',');
}

/** Protocol as Huawei shows it: null for all, the name, or the number as text. */
export function protocolText(rule: Rule): string | null {
  if (rule.protocol === 'all') return null;
  return String(rule.protocol);
}

export function ruleView(rule: Rule, groupId: string, projectId: string) {
  const at = rule.createdAt ?? null;
  return {
    id: rule.id,
    description: rule.description ?? '',
    security_group_id: groupId,
    direction: rule.direction,
    protocol: protocolText(rule),
    ethertype: rule.ethertype,
    multiport: multiportOf(rule),
    action: rule.action,
    priority: rule.priority,
    remote_group_id: rule.remote.kind === 'group' ? rule.remote.groupId : null,
    remote_ip_prefix: rule.remote.kind === 'cidr' ? rule.remote.cidr : null,
    remote_address_group_id: rule.remote.kind === 'addressGroup' ? rule.remote.addressGroupId : null,
    created_at: at,
    updated_at: at,
    project_id: projectId,
    enabled: true,
  };
}

export type RuleView = ReturnType<typeof ruleView>;

export function groupView(meta: GroupMeta, projectId: string) {
  return {
    id: meta.id,
    name: meta.name,
    description: meta.description ?? '',
    project_id: projectId,
    created_at: meta.createdAt ?? null,
    updated_at: meta.updatedAt ?? meta.createdAt ?? null,
    enterprise_project_id: '0',
    tags: Object.entries(meta.tags ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/** A group with its rules in creation order (SecurityGroupInfo). */
export function groupInfoView(g: GroupRecord, projectId: string) {
  return {
    ...groupView(g.meta, projectId),
    security_group_rules: g.ruleList().map((rule) => ruleView(rule, g.meta.id, projectId)),
  };
}

export function ipVersionOf(ag: AddressGroup): 4 | 6 {
  if (ag.ethertype) return ag.ethertype === 'IPv6' ? 6 : 4;
  return ag.entries.some((e) => e.includes(':')) ? 6 : 4;
}

/**
 * An IP address group. Palisade keeps no per-group capacity, remarks or timestamps for address
 * groups: max_capacity shows Huawei's default (20), remarks and times are null. An IP range given
 * at creation shows as the CIDR blocks it was stored as.
 */
/** CreateAddressGroupOption.max_capacity's default (the SDK's models: range 0-20, default 20). */
export const DEFAULT_ADDRESS_GROUP_CAPACITY = 20;

export function addressGroupView(ag: AddressGroup, r: { region: { id: string } }) {
  return {
    id: ag.id,
    name: ag.name,
    description: ag.description ?? '',
    max_capacity: ag.maxEntries ?? DEFAULT_ADDRESS_GROUP_CAPACITY,
    // As the client wrote them (an IP range stays a range), as Huawei shows them.
    ip_set: [...(ag.writtenEntries ?? ag.entries)],
    ip_extra_set: (ag.writtenEntries ?? ag.entries).map((ip) => ({ ip, remarks: null })),
    ip_version: ipVersionOf(ag),
    created_at: ag.createdAt ?? null,
    updated_at: ag.updatedAt ?? ag.createdAt ?? null,
    tenant_id: r.region.id,
    enterprise_project_id: '0',
    tags: [],
    status: 'NORMAL',
    status_message: '',
  };
}
