// Palisade objects as Neutron shows them: security groups, rules and address groups with the
// standard attributes (created_at, updated_at, revision_number, tags, description).
import { isDefaultGroup } from '../../core/defaults.js';
import type { AddressGroup, Rule } from '../../core/model.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { GroupRecord, StoredRule, Versioned } from '../../control/world.js';
import { normalizedCidr } from './cidr.js';
import { neutronProtocol } from './protocols.js';
import { type Dict, type Item, View } from './query.js';

export type { Dict } from './query.js';

/** A tag is a key with an empty value; a native key=value tag shows as "key=value". */
export function tagList(tags: Record<string, string> | undefined): string[] {
  return Object.entries(tags ?? {})
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .sort();
}

/** Tags as Neutron sets them, keeping native key=value tags the client sent back unchanged. */
export function tagRecord(
  list: string[],
  existing: Record<string, string> | undefined,
): Record<string, string> {
  const out = new Map<string, string>();
  const native = new Map(
    Object.entries(existing ?? {})
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [`${k}=${v}`, [k, v] as const]),
  );
  for (const t of list) out.set(...(native.get(t) ?? [t, '']));
  return Object.fromEntries(out);
}

/** A rule and its group: what a rule's attributes are read from. */
export interface RuleAt {
  g: GroupRecord;
  stored: StoredRule;
}

const isIcmp = (rule: Rule) =>
  rule.protocol === 'icmp' || rule.protocol === 'icmpv6' || rule.protocol === 1 || rule.protocol === 58;

/** port_range_min/max: ICMP type and code, or the port range (a native multi-range rule shows its first). */
function rangeEnd(rule: Rule, end: 'min' | 'max'): number | null {
  if (isIcmp(rule)) return (end === 'min' ? rule.icmpType : rule.icmpCode) ?? null;
  if (!rule.ports?.length) return null;
  return end === 'min' ? rule.ports[0].from : rule.ports[0].to;
}

const cidrOf = (rule: Rule) => (rule.remote.kind === 'cidr' ? rule.remote.cidr : null);

/** The attributes Neutron's duplicate key (rule-input.ts ruleKey) reads, as ruleDict shows them. */
export function ruleKeyFields(stored: StoredRule) {
  const rule = stored.rule;
  return {
    direction: rule.direction,
    ethertype: rule.ethertype,
    protocol: neutronProtocol(rule),
    port_range_min: rangeEnd(rule, 'min'),
    port_range_max: rangeEnd(rule, 'max'),
    remote_ip_prefix: cidrOf(rule),
    remote_group_id: rule.remote.kind === 'group' ? rule.remote.groupId : null,
    remote_address_group_id: rule.remote.kind === 'addressGroup' ? rule.remote.addressGroupId : null,
    security_group_id: stored.groupId,
  };
}

/** A rule's attributes one by one, in the order ruleDict writes them. */
export const RULE_VIEW = new View<RuleAt>([
  ['id', ({ stored }) => stored.rule.id],
  ['project_id', ({ g }) => g.meta.tenantId],
  ['tenant_id', ({ g }) => g.meta.tenantId],
  ['security_group_id', ({ g }) => g.meta.id],
  ['ethertype', ({ stored }) => stored.rule.ethertype],
  ['direction', ({ stored }) => stored.rule.direction],
  ['protocol', ({ stored }) => neutronProtocol(stored.rule)],
  ['port_range_min', ({ stored }) => rangeEnd(stored.rule, 'min')],
  ['port_range_max', ({ stored }) => rangeEnd(stored.rule, 'max')],
  ['remote_ip_prefix', ({ stored }) => cidrOf(stored.rule)],
  ['remote_group_id', ({ stored: { rule } }) => (rule.remote.kind === 'group' ? rule.remote.groupId : null)],
  [
    'remote_address_group_id',
    ({ stored: { rule } }) => (rule.remote.kind === 'addressGroup' ? rule.remote.addressGroupId : null),
  ],
  // str(netaddr.IPNetwork(remote_ip_prefix).cidr), as Neutron writes it.
  [
    'normalized_cidr',
    ({ stored }) => {
      const cidr = cidrOf(stored.rule);
      return cidr === null ? null : normalizedCidr(cidr);
    },
  ],
  ['belongs_to_default_sg', ({ g }) => isDefaultGroup(g.meta)],
  ['description', ({ stored }) => stored.rule.description ?? ''],
  ['tags', () => []],
  ['created_at', ({ stored }) => stored.rule.createdAt ?? null],
  ['updated_at', ({ stored }) => stored.rule.createdAt ?? null],
  // Neutron's per-object counter (a new rule is at 0), not the store's revision.
  ['revision_number', ({ stored }) => stored.rule.changeCount ?? 0],
]);

export function ruleDict(g: GroupRecord, stored: StoredRule): Dict {
  return RULE_VIEW.dict({ g, stored });
}

/**
 * A group's attributes one by one, for one caller: its rules are rendered only when they are
 * asked for; `shared` is Neutron's (a share names the caller's project or every project).
 */
export const groupView = (r: Pick<ScopedRegion, 'sharedWithCaller'>) =>
  new View<GroupRecord>([
    ['id', (g) => g.meta.id],
    ['name', (g) => g.meta.name],
    ['description', (g) => g.meta.description ?? ''],
    ['stateful', (g) => g.meta.stateful],
    ['tenant_id', (g) => g.meta.tenantId],
    ['project_id', (g) => g.meta.tenantId],
    ['shared', (g) => r.sharedWithCaller(g.meta.id)],
    ['security_group_rules', (g) => [...g.rules.values()].map((s) => ruleDict(g, s))],
    ['tags', (g) => tagList(g.meta.tags)],
    ['created_at', (g) => g.meta.createdAt ?? null],
    ['updated_at', (g) => g.meta.updatedAt ?? g.meta.createdAt ?? null],
    ['revision_number', (g) => g.meta.changeCount ?? 0],
  ]);

export function groupDict(r: Pick<ScopedRegion, 'sharedWithCaller'>, g: GroupRecord): Dict {
  return groupView(r).dict(g);
}

export function addressGroupDict(
  r: Pick<ScopedRegion, 'sharedWithCaller'>,
  ag: Versioned<AddressGroup>,
): Dict {
  return {
    id: ag.value.id,
    name: ag.value.name,
    description: ag.value.description ?? '',
    project_id: ag.value.tenantId,
    tenant_id: ag.value.tenantId,
    // Neutron keeps each address as f"{net.network}/{net.prefixlen}".
    addresses: ag.value.entries.map((e) => normalizedCidr(e) ?? e),
    // The RBAC mixin's to_dict adds it: shared with the caller's project or every project.
    shared: r.sharedWithCaller(ag.value.id),
    revision_number: ag.value.changeCount ?? 0,
  };
}

/**
 * The rules of the groups a project sees in a region (of `groupIds` only, when given), in group
 * then creation order, as items a list renders only as far as it needs.
 */
export function tenantRules(r: ScopedRegion, groupIds?: string[]): Item[] {
  const groups = groupIds ? [...new Set(groupIds)].flatMap((id) => r.group(id) ?? []) : r.groups();
  const out: Item[] = [];
  for (const g of groups) for (const stored of g.rules.values()) out.push(RULE_VIEW.item({ g, stored }));
  return out;
}
