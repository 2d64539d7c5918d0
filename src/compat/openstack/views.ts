// Palisade objects as Neutron shows them: security groups, rules and address groups with the
// standard attributes (created_at, updated_at, revision_number, tags, description).
import type { AddressGroup, Rule } from '../../core/model.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { GroupRecord, StoredRule, Versioned } from '../../control/world.js';
import { normalizedCidr } from './cidr.js';
import { fromModelProtocol } from './protocols.js';

export type Dict = Record<string, unknown>;

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

export function ruleDict(g: GroupRecord, stored: StoredRule): Dict {
  const rule: Rule = stored.rule;
  const icmp =
    rule.protocol === 'icmp' || rule.protocol === 'icmpv6' || rule.protocol === 1 || rule.protocol === 58;
  let min: number | null = null;
  let max: number | null = null;
  if (icmp) {
    min = rule.icmpType ?? null;
    max = rule.icmpCode ?? null;
  } else if (rule.ports?.length) {
    // Neutron holds one range; a native multi-range rule shows its first.
    min = rule.ports[0].from;
    max = rule.ports[0].to;
  }
  const cidr = rule.remote.kind === 'cidr' ? rule.remote.cidr : null;
  const tenant = g.meta.tenantId;
  return {
    id: rule.id,
    project_id: tenant,
    tenant_id: tenant,
    security_group_id: g.meta.id,
    ethertype: rule.ethertype,
    direction: rule.direction,
    protocol: fromModelProtocol(rule.protocol),
    port_range_min: min,
    port_range_max: max,
    remote_ip_prefix: cidr,
    remote_group_id: rule.remote.kind === 'group' ? rule.remote.groupId : null,
    remote_address_group_id: rule.remote.kind === 'addressGroup' ? rule.remote.addressGroupId : null,
    // str(netaddr.IPNetwork(remote_ip_prefix).cidr), as Neutron writes it.
    normalized_cidr: cidr === null ? null : normalizedCidr(cidr),
    belongs_to_default_sg: g.meta.name === 'default',
    description: rule.description ?? '',
    tags: [],
    created_at: rule.createdAt ?? null,
    updated_at: rule.createdAt ?? null,
    revision_number: stored.revision,
  };
}

export function groupDict(g: GroupRecord): Dict {
  const tenant = g.meta.tenantId;
  return {
    id: g.meta.id,
    name: g.meta.name,
    description: g.meta.description ?? '',
    stateful: g.meta.stateful,
    tenant_id: tenant,
    project_id: tenant,
    shared: false,
    security_group_rules: [...g.rules.values()].map((s) => ruleDict(g, s)),
    tags: tagList(g.meta.tags),
    created_at: g.meta.createdAt ?? null,
    updated_at: g.meta.updatedAt ?? g.meta.createdAt ?? null,
    revision_number: g.contentRevision,
  };
}

export function addressGroupDict(ag: Versioned<AddressGroup>): Dict {
  return {
    id: ag.value.id,
    name: ag.value.name,
    description: ag.value.description ?? '',
    project_id: ag.value.tenantId,
    tenant_id: ag.value.tenantId,
    // Neutron keeps each address as f"{net.network}/{net.prefixlen}".
    addresses: ag.value.entries.map((e) => normalizedCidr(e) ?? e),
    revision_number: ag.revision,
  };
}

/** Every rule of the groups a project sees in a region, in group then creation order. */
export function tenantRules(r: ScopedRegion): Dict[] {
  const out: Dict[] = [];
  for (const g of r.groups()) for (const s of g.rules.values()) out.push(ruleDict(g, s));
  return out;
}
