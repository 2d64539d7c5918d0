// A whole region in and out of the store: import a validated RegionState in one transaction
// (all or nothing), and load the state the engine compiles.
import type { Kysely, Transaction } from 'kysely';
import type { AddressGroup, Instance, Port, RegionState, Rule, SecurityGroup } from '../core/model.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function importRegionState(db: Kysely<Database>, state: RegionState): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const r = state.region;
    await tx
      .insertInto('regions')
      .values({
        id: r.id,
        name: r.name ?? null,
        profile: r.profile,
        quotas: JSON.stringify(r.quotas),
        conntrack_timeouts: JSON.stringify(r.conntrackTimeouts),
      })
      .execute();
    for (const t of state.tenants) {
      const exists = await tx.selectFrom('tenants').select('id').where('id', '=', t.id).executeTakeFirst();
      if (!exists) await tx.insertInto('tenants').values({ id: t.id, name: t.name }).execute();
    }
    for (const v of state.vpcs)
      await tx
        .insertInto('vpcs')
        .values({
          id: v.id,
          tenant_id: v.tenantId,
          region_id: v.regionId,
          name: v.name,
          cidr: v.cidr ?? null,
        })
        .execute();
    for (const g of state.groups) await insertGroup(tx, g);
    for (const a of state.addressGroups) await insertAddressGroup(tx, a);
    for (const i of state.instances) await insertInstance(tx, i);
    await tx
      .insertInto('changes')
      .values({
        region_id: r.id,
        tenant_id: null,
        kind: 'regionImported',
        body: JSON.stringify({ groups: state.groups.length, instances: state.instances.length }),
        created_at: new Date().toISOString(),
      })
      .execute();
  });
}

async function insertGroup(tx: Db, g: SecurityGroup): Promise<void> {
  await tx
    .insertInto('security_groups')
    .values({
      id: g.id,
      tenant_id: g.tenantId,
      region_id: g.regionId,
      vpc_id: g.vpcId,
      name: g.name,
      description: g.description ?? null,
      type: g.type,
      stateful: g.stateful ? 1 : 0,
      inner_access_policy: g.innerAccessPolicy,
    })
    .execute();
  for (const [position, rule] of g.rules.entries()) await insertRule(tx, g.id, position, rule);
}

export async function insertRule(tx: Db, groupId: string, position: number, rule: Rule): Promise<void> {
  await tx
    .insertInto('rules')
    .values({
      id: rule.id,
      group_id: groupId,
      position,
      direction: rule.direction,
      ethertype: rule.ethertype,
      protocol: String(rule.protocol),
      action: rule.action,
      priority: rule.priority,
      body: JSON.stringify(rule),
    })
    .execute();
}

async function insertAddressGroup(tx: Db, a: AddressGroup): Promise<void> {
  await tx
    .insertInto('address_groups')
    .values({
      id: a.id,
      tenant_id: a.tenantId,
      region_id: a.regionId,
      name: a.name,
      ethertype: a.ethertype ?? null,
      description: a.description ?? null,
    })
    .execute();
  for (const [position, cidr] of a.entries.entries())
    await tx.insertInto('address_group_entries').values({ address_group_id: a.id, position, cidr }).execute();
}

async function insertInstance(tx: Db, i: Instance): Promise<void> {
  await tx
    .insertInto('instances')
    .values({ id: i.id, tenant_id: i.tenantId, region_id: i.regionId, vpc_id: i.vpcId, name: i.name })
    .execute();
  for (const p of i.ports) {
    await tx
      .insertInto('ports')
      .values({
        id: p.id,
        instance_id: i.id,
        ipv4: JSON.stringify(p.ipv4),
        ipv6: JSON.stringify(p.ipv6),
        public_ipv4: p.publicIpv4 ?? null,
        virtual_ips: JSON.stringify(p.virtualIps),
        nic_type: p.nicType,
      })
      .execute();
    for (const [sequence, groupId] of p.groupIds.entries())
      await tx.insertInto('memberships').values({ port_id: p.id, group_id: groupId, sequence }).execute();
  }
}

/** The region as the engine takes it, or null if there is no such region. */
export async function loadRegionState(db: Db, regionId: string): Promise<RegionState | null> {
  const r = await db.selectFrom('regions').selectAll().where('id', '=', regionId).executeTakeFirst();
  if (!r) return null;
  const groups = await db
    .selectFrom('security_groups')
    .selectAll()
    .where('region_id', '=', regionId)
    .orderBy('id')
    .execute();
  const rules = await db
    .selectFrom('rules')
    .innerJoin('security_groups', 'security_groups.id', 'rules.group_id')
    .select(['rules.group_id', 'rules.body'])
    .where('security_groups.region_id', '=', regionId)
    .orderBy('rules.group_id')
    .orderBy('rules.position')
    .execute();
  const addressGroups = await db
    .selectFrom('address_groups')
    .selectAll()
    .where('region_id', '=', regionId)
    .orderBy('id')
    .execute();
  const entries = await db
    .selectFrom('address_group_entries')
    .innerJoin('address_groups', 'address_groups.id', 'address_group_entries.address_group_id')
    .select(['address_group_entries.address_group_id', 'address_group_entries.cidr'])
    .where('address_groups.region_id', '=', regionId)
    .orderBy('address_group_entries.position')
    .execute();
  const instances = await db
    .selectFrom('instances')
    .selectAll()
    .where('region_id', '=', regionId)
    .orderBy('id')
    .execute();
  const ports = await db
    .selectFrom('ports')
    .innerJoin('instances', 'instances.id', 'ports.instance_id')
    .selectAll('ports')
    .where('instances.region_id', '=', regionId)
    .orderBy('ports.id')
    .execute();
  const memberships = await db
    .selectFrom('memberships')
    .innerJoin('ports', 'ports.id', 'memberships.port_id')
    .innerJoin('instances', 'instances.id', 'ports.instance_id')
    .select(['memberships.port_id', 'memberships.group_id'])
    .where('instances.region_id', '=', regionId)
    .orderBy('memberships.sequence')
    .execute();
  const tenantIds = new Set([...groups, ...instances, ...addressGroups].map((x) => x.tenant_id));
  const vpcs = await db
    .selectFrom('vpcs')
    .selectAll()
    .where('region_id', '=', regionId)
    .orderBy('id')
    .execute();
  for (const v of vpcs) tenantIds.add(v.tenant_id);
  const tenants = tenantIds.size
    ? await db
        .selectFrom('tenants')
        .selectAll()
        .where('id', 'in', [...tenantIds])
        .orderBy('id')
        .execute()
    : [];

  const rulesOf = group(rules, (x) => x.group_id);
  const entriesOf = group(entries, (x) => x.address_group_id);
  const groupsOf = group(memberships, (x) => x.port_id);
  const portsOf = group(ports, (x) => x.instance_id);
  return {
    region: {
      id: r.id,
      ...(r.name !== null && { name: r.name }),
      profile: r.profile as RegionState['region']['profile'],
      quotas: JSON.parse(r.quotas),
      conntrackTimeouts: JSON.parse(r.conntrack_timeouts),
    },
    tenants: tenants.map((t) => ({ id: t.id, name: t.name })),
    vpcs: vpcs.map((v) => ({
      id: v.id,
      tenantId: v.tenant_id,
      regionId: v.region_id,
      name: v.name,
      ...(v.cidr !== null && { cidr: v.cidr }),
    })),
    groups: groups.map((g) => ({
      id: g.id,
      tenantId: g.tenant_id,
      regionId: g.region_id,
      vpcId: g.vpc_id,
      name: g.name,
      ...(g.description !== null && { description: g.description }),
      type: g.type as SecurityGroup['type'],
      stateful: g.stateful === 1,
      innerAccessPolicy: g.inner_access_policy as SecurityGroup['innerAccessPolicy'],
      rules: (rulesOf.get(g.id) ?? []).map((x) => JSON.parse(x.body) as Rule),
    })),
    addressGroups: addressGroups.map((a) => ({
      id: a.id,
      tenantId: a.tenant_id,
      regionId: a.region_id,
      name: a.name,
      ...(a.ethertype !== null && { ethertype: a.ethertype as AddressGroup['ethertype'] }),
      entries: (entriesOf.get(a.id) ?? []).map((e) => e.cidr),
      ...(a.description !== null && { description: a.description }),
    })),
    instances: instances.map((i) => ({
      id: i.id,
      tenantId: i.tenant_id,
      regionId: i.region_id,
      vpcId: i.vpc_id,
      name: i.name,
      ports: (portsOf.get(i.id) ?? []).map((p): Port => ({
        id: p.id,
        instanceId: i.id,
        ipv4: JSON.parse(p.ipv4),
        ipv6: JSON.parse(p.ipv6),
        ...(p.public_ipv4 !== null && { publicIpv4: p.public_ipv4 }),
        virtualIps: JSON.parse(p.virtual_ips),
        nicType: p.nic_type as Port['nicType'],
        groupIds: (groupsOf.get(p.id) ?? []).map((m) => m.group_id),
      })),
    })),
  };
}

function group<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) (out.get(key(row)) ?? out.set(key(row), []).get(key(row))!).push(row);
  return out;
}
