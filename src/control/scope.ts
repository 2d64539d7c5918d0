// A principal's view of the world, and the one way every API reads it (the native routes,
// Alibaba, Huawei, Neutron, Keystone). It hands out only what the principal may see: the
// regions, and its own tenant's objects (every tenant's for operators). Isolation is a property
// of the view, not a check each handler has to remember. The one exception is explicit and
// narrow: `sharedGroup` / `sharedAddressGroup` (and the `readable…` views built on them) hand
// out, read-only, what another tenant shares with the principal's (ops/shares.ts); `group` and
// the other accessors a write plans with never do. Reads get a view from Service.read,
// which first catches up with the change log (so a write through another server is seen);
// writes get one over the world they plan against.
import type { AddressGroup, Instance, Profile, Quotas, Region, Tenant, Vpc } from '../core/model.js';
import { EVERY_TENANT, type Share } from './events.js';
import type { RegionLookup } from '../core/validate.js';
import { lookupIn } from './lookup.js';
import { quotasFor } from './quotas.js';
import type { Principal } from './service.js';
import type { GroupRecord, RegionRecord, Versioned, World } from './world.js';

/** Whether `p` may see an object of this tenant: operators every tenant's, a tenant its own. */
export function sees(p: Principal, tenantId: string | null): boolean {
  return p.role === 'admin' || p.tenantId === tenantId;
}

export class Scope {
  constructor(
    private readonly world: World,
    readonly principal: Principal,
  ) {}

  /** The revision this view shows. */
  get revision(): number {
    return this.world.revision;
  }

  get isAdmin(): boolean {
    return this.principal.role === 'admin';
  }

  /** Whether an object of this tenant is visible (operators see every tenant's). */
  sees(tenantId: string | null): boolean {
    return sees(this.principal, tenantId);
  }

  /** Every region (regions are shared), or those of one profile (a compatible API's). */
  regions(profile?: Profile): ScopedRegion[] {
    const out: ScopedRegion[] = [];
    for (const r of this.world.regions.values())
      if (profile === undefined || r.region.profile === profile)
        out.push(new ScopedRegion(r, this, this.world));
    return out;
  }

  region(id: string, profile?: Profile): ScopedRegion | undefined {
    const r = this.world.regions.get(id);
    return r && (profile === undefined || r.region.profile === profile)
      ? new ScopedRegion(r, this, this.world)
      : undefined;
  }

  tenants(): Versioned<Tenant>[] {
    return [...this.world.tenants.values()].filter((t) => this.sees(t.value.id));
  }

  tenant(id: string): Versioned<Tenant> | undefined {
    const t = this.world.tenants.get(id);
    return t && this.sees(id) ? t : undefined;
  }

  /** A visible group by id, wherever it is. */
  group(id: string): { r: ScopedRegion; g: GroupRecord } | undefined {
    const r = this.located('group', id);
    const g = r?.group(id);
    return r && g ? { r, g } : undefined;
  }

  vpc(id: string): { r: ScopedRegion; vpc: Versioned<Vpc> } | undefined {
    const r = this.located('vpc', id);
    const vpc = r?.vpc(id);
    return r && vpc ? { r, vpc } : undefined;
  }

  addressGroup(id: string): { r: ScopedRegion; ag: Versioned<AddressGroup> } | undefined {
    const r = this.located('addressGroup', id);
    const ag = r?.addressGroup(id);
    return r && ag ? { r, ag } : undefined;
  }

  instance(id: string): { r: ScopedRegion; instance: Versioned<Instance> } | undefined {
    const r = this.located('instance', id);
    const instance = r?.instance(id);
    return r && instance ? { r, instance } : undefined;
  }

  port(id: string): { r: ScopedRegion; port: NonNullable<ReturnType<ScopedRegion['port']>> } | undefined {
    const r = this.located('port', id);
    const port = r?.port(id);
    return r && port ? { r, port } : undefined;
  }

  /** The shares the principal manages: its tenant's (operators: all). Targets do not see them, as in Neutron. */
  shares(): Versioned<Share>[] {
    return [...this.world.shares.byId.values()].filter((s) => this.sees(s.value.tenantId));
  }

  share(id: string): { r: ScopedRegion; share: Versioned<Share> } | undefined {
    const share = this.world.shares.byId.get(id);
    const r = share && this.sees(share.value.tenantId) ? this.located('share', id) : undefined;
    return r && share ? { r, share } : undefined;
  }

  /** Whether another tenant's object is shared with the principal's tenant (never for operators: they see all). */
  isSharedWithMe(objectId: string, ownerTenantId: string): boolean {
    const p = this.principal;
    return (
      p.role === 'tenant' &&
      p.tenantId !== ownerTenantId &&
      this.world.shares.isSharedWith(objectId, p.tenantId)
    );
  }

  /** Whether the object is shared with the principal's tenant or every tenant (Neutron's `shared` field). */
  sharedWithCaller(objectId: string): boolean {
    const p = this.principal;
    return p.role === 'tenant'
      ? this.world.shares.isSharedWith(objectId, p.tenantId)
      : this.world.shares.targetsOf(objectId).has(EVERY_TENANT);
  }

  private located(kind: Parameters<World['locate']>[0], id: string): ScopedRegion | undefined {
    const r = this.world.locate(kind, id);
    return r ? new ScopedRegion(r, this, this.world) : undefined;
  }
}

/** One region as a principal sees it: its settings, and the visible objects in it. */
export class ScopedRegion {
  constructor(
    /** The whole region, for the service layer's own checks (quotas, address uniqueness). */
    readonly record: RegionRecord,
    private readonly scope: Scope,
    private readonly world: World,
  ) {}

  /**
   * The region as the service's validators see it (a check such as "is this remote group
   * this tenant's" needs every group): for checks a front end runs before a write (dry runs).
   */
  lookup(): RegionLookup {
    return lookupIn(this.world, this.record);
  }

  get region(): Region {
    return this.record.region;
  }

  /** The quotas binding a tenant here: its overrides where set, else the region's. */
  quotasFor(tenantId: string): Quotas {
    return quotasFor(this.world, this.record, tenantId);
  }

  get id(): string {
    return this.record.region.id;
  }

  get profile(): Profile {
    return this.record.region.profile;
  }

  group(id: string): GroupRecord | undefined {
    const g = this.record.groups.get(id);
    return g && this.scope.sees(g.meta.tenantId) ? g : undefined;
  }

  groups(): GroupRecord[] {
    return [...this.record.groups.values()].filter((g) => this.scope.sees(g.meta.tenantId));
  }

  vpc(id: string): Versioned<Vpc> | undefined {
    const v = this.record.vpcs.get(id);
    return v && this.scope.sees(v.value.tenantId) ? v : undefined;
  }

  vpcs(): Versioned<Vpc>[] {
    return [...this.record.vpcs.values()].filter((v) => this.scope.sees(v.value.tenantId));
  }

  /** Read-only: another tenant's group shared with the principal's tenant (never one to write). */
  sharedGroup(id: string): GroupRecord | undefined {
    const g = this.record.groups.get(id);
    return g && this.scope.isSharedWithMe(id, g.meta.tenantId) ? g : undefined;
  }

  /** Read-only: the visible groups and those shared with the principal's tenant. */
  readableGroup(id: string): GroupRecord | undefined {
    return this.group(id) ?? this.sharedGroup(id);
  }

  readableGroups(): GroupRecord[] {
    return [...this.record.groups.values()].filter(
      (g) => this.scope.sees(g.meta.tenantId) || this.scope.isSharedWithMe(g.meta.id, g.meta.tenantId),
    );
  }

  sharedAddressGroup(id: string): Versioned<AddressGroup> | undefined {
    const a = this.record.addressGroups.get(id);
    return a && this.scope.isSharedWithMe(id, a.value.tenantId) ? a : undefined;
  }

  readableAddressGroup(id: string): Versioned<AddressGroup> | undefined {
    return this.addressGroup(id) ?? this.sharedAddressGroup(id);
  }

  readableAddressGroups(): Versioned<AddressGroup>[] {
    return [...this.record.addressGroups.values()].filter(
      (a) => this.scope.sees(a.value.tenantId) || this.scope.isSharedWithMe(a.value.id, a.value.tenantId),
    );
  }

  /** Whether the object is shared with the principal's tenant or every tenant (Neutron's `shared`). */
  sharedWithCaller(objectId: string): boolean {
    return this.scope.sharedWithCaller(objectId);
  }

  /** The owner of a group the principal may read (its own, or one shared with it): id and name. */
  ownerOfReadableGroup(id: string): Tenant | undefined {
    const g = this.readableGroup(id);
    return g && this.world.tenants.get(g.meta.tenantId)?.value;
  }

  addressGroup(id: string): Versioned<AddressGroup> | undefined {
    const a = this.record.addressGroups.get(id);
    return a && this.scope.sees(a.value.tenantId) ? a : undefined;
  }

  addressGroups(): Versioned<AddressGroup>[] {
    return [...this.record.addressGroups.values()].filter((a) => this.scope.sees(a.value.tenantId));
  }

  instance(id: string): Versioned<Instance> | undefined {
    const i = this.record.instances.get(id);
    return i && this.scope.sees(i.value.tenantId) ? i : undefined;
  }

  instances(): Versioned<Instance>[] {
    return [...this.record.instances.values()].filter((i) => this.scope.sees(i.value.tenantId));
  }

  /** A visible port (its instance's tenant decides) and the instance holding it. */
  port(id: string) {
    const at = this.record.ports.get(id);
    const instance = at ? this.instance(at.instanceId) : undefined;
    return at && instance ? { port: at.port, instance } : undefined;
  }

  /** The visible group holding a rule, by the rule's id. */
  groupOfRule(ruleId: string): GroupRecord | undefined {
    const groupId = this.record.ruleGroup.get(ruleId);
    return groupId === undefined ? undefined : this.group(groupId);
  }

  /** Visible groups whose rules name this group as their remote. */
  groupsReferencing(groupId: string): string[] {
    return this.record.groupsReferencing(groupId).filter((id) => this.group(id) !== undefined);
  }

  groupsReferencingAddressGroup(addressGroupId: string): string[] {
    return this.record
      .groupsReferencingAddressGroup(addressGroupId)
      .filter((id) => this.group(id) !== undefined);
  }
}
