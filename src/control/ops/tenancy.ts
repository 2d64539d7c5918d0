// Tenants, regions and VPCs: the places security groups live in.
import { cidrFamily } from '../../core/address.js';
import type { ConntrackTimeouts, Profile, Quotas, Region, Tenant, Vpc } from '../../core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../../core/profiles.js';
import { isQuotaName, tenantOverrides } from '../../core/quotas.js';
import { Problems, validateRegion } from '../../core/validate.js';
import { badRequest, conflict, invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { compareStrings, paginate } from '../paging.js';
import type { Scope } from '../scope.js';
import { deletion, type Principal, type Service, type WriteOptions } from '../service.js';
import type { Event } from '../events.js';
import { versioned } from '../views.js';
import { regionTraits } from '../../core/rule-traits.js';
import type { RegionRecord, World } from '../world.js';
import { sharesTargeting } from './shares.js';

const byId = <T extends { id: string }>(xs: T[]) => xs.sort((a, b) => compareStrings(a.id, b.id));

// ---- tenants (operator only) ----

export function createTenant(
  svc: Service,
  p: Principal,
  /** uniqueName: Keystone's rule that a domain's project names are unique (its project create). */
  input: { id?: string; name: string; description?: string; uniqueName?: boolean },
  opts: WriteOptions,
) {
  svc.requireAdmin(p);
  return svc.write(p, opts, (w) => {
    const id = input.id ?? newId('t');
    if (w.tenants.has(id)) throw conflict('ALREADY_EXISTS', `tenant "${id}" already exists`);
    if (input.uniqueName && [...w.tenants.values()].some((t) => t.value.name === input.name))
      throw conflict('ALREADY_EXISTS', `a tenant named "${input.name}" already exists`, {
        value: input.name,
      });
    const tenant: Tenant = {
      id,
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
    };
    return {
      action: 'tenant.create',
      regionId: null,
      tenantId: id,
      targetId: id,
      events: [{ op: 'tenant.put', tenant }],
      after: (rev) => versioned(tenant, rev),
    };
  });
}

/** Tenants are the operator's, as documented: a tenant key reading them is refused (403). */
export async function listTenants(svc: Service, p: Principal, cursor?: string, limit?: number) {
  svc.requireAdmin(p);
  const all = byId((await svc.read(p)).tenants().map((t) => versioned(t.value, t.revision)));
  return paginate(all, (t) => t.id, compareStrings, cursor, limit);
}

export async function getTenant(svc: Service, p: Principal, id: string) {
  svc.requireAdmin(p);
  const t = (await svc.read(p)).tenant(id);
  if (!t) throw notFound('tenant', id);
  return versioned(t.value, t.revision);
}

export function updateTenant(
  svc: Service,
  p: Principal,
  id: string,
  input: { name?: string; description?: string },
  opts: WriteOptions = {},
) {
  svc.requireAdmin(p);
  return svc.write(p, opts, (w) => {
    const t = w.tenants.get(id);
    if (!t) throw notFound('tenant', id);
    svc.checkRevision(opts.ifMatch, t.revision, `tenant ${id}`);
    const { description: _old, ...rest } = t.value;
    const description = input.description ?? t.value.description;
    const tenant: Tenant = {
      ...rest,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(description ? { description } : {}),
    };
    return {
      action: 'tenant.update',
      regionId: null,
      tenantId: id,
      targetId: id,
      events: [{ op: 'tenant.put', tenant }],
      before: t.value,
      after: (rev) => versioned(tenant, rev),
      status: 200,
    };
  });
}

/**
 * Set a tenant's overrides of one region's quotas (merged into those it has), or with null drop
 * them all: the region's quotas bind it again. Operators only (Neutron's quota admin calls).
 */
export function setTenantQuotas(
  svc: Service,
  p: Principal,
  input: { tenantId: string; regionId: string; quotas: Partial<Quotas> | null },
  opts: WriteOptions = {},
) {
  svc.requireAdmin(p);
  const problems = new Problems();
  for (const [name, value] of Object.entries(input.quotas ?? {})) {
    // The native PUT's body is the quotas object itself (Neutron's front end checks its own first).
    const at = `body.${name}`;
    if (!isQuotaName(name)) problems.add(at, 'UNKNOWN_FIELD', `${at} is not a quota`);
    else if (!Number.isInteger(value) || (value as number) < 0)
      problems.add(at, 'INVALID_QUOTA', `${at} must be a non-negative integer (0 = unlimited), got ${value}`);
  }
  if (problems.list.length) throw invalid(problems.list);
  return svc.write(p, opts, (w) => {
    const t = w.tenants.get(input.tenantId);
    if (!t) throw notFound('tenant', input.tenantId);
    regionOrThrow(w, input.regionId);
    const others = Object.entries(t.value.quotas ?? {}).filter(([regionId]) => regionId !== input.regionId);
    const merged = input.quotas && { ...tenantOverrides(t.value, input.regionId), ...input.quotas };
    const quotas = Object.fromEntries(merged ? [...others, [input.regionId, merged]] : others);
    const { quotas: _old, ...rest } = t.value;
    const tenant: Tenant = Object.keys(quotas).length ? { ...rest, quotas } : rest;
    return {
      action: input.quotas ? 'tenant.setQuotas' : 'tenant.resetQuotas',
      regionId: input.regionId,
      tenantId: t.value.id,
      targetId: t.value.id,
      events: [{ op: 'tenant.put', tenant }],
      before: t.value,
      after: (rev) => versioned(tenant, rev),
      status: 200,
    };
  });
}

/**
 * Delete a tenant. It must own nothing; with dropUnusedVpcs (Keystone's project delete, whose
 * Neutron callers never made the VPC their groups were placed in) its VPCs that nothing uses
 * go with it, in the same write.
 */
export function deleteTenant(
  svc: Service,
  p: Principal,
  id: string,
  opts: WriteOptions = {},
  how: { dropUnusedVpcs?: boolean } = {},
) {
  svc.requireAdmin(p);
  return svc.write(p, opts, (w) => {
    const t = w.tenants.get(id);
    if (!t) throw notFound('tenant', id);
    const dropped: Event[] = [];
    for (const r of w.regions.values()) {
      const owns = (xs: Iterable<{ tenantId: string }>) => [...xs].some((x) => x.tenantId === id);
      if (
        (!how.dropUnusedVpcs && owns([...r.vpcs.values()].map((v) => v.value))) ||
        owns([...r.groups.values()].map((g) => g.meta)) ||
        owns([...r.instances.values()].map((i) => i.value)) ||
        owns([...r.addressGroups.values()].map((a) => a.value))
      )
        throw conflict(
          'TENANT_IN_USE',
          `tenant "${id}" still owns objects in region ${r.region.id}; delete them first`,
        );
      // Nothing of the tenant's is left in the region, so nothing uses its VPCs.
      for (const v of r.vpcs.values())
        if (v.value.tenantId === id)
          dropped.push({ op: 'vpc.delete', regionId: r.region.id, id: v.value.id });
    }
    const plan = deletion(
      'tenant.delete',
      { regionId: null, tenantId: id },
      id,
      { op: 'tenant.delete', id },
      t.value,
    );
    return {
      ...plan,
      // Shares naming it as their target go with it: a later tenant of the same id gets none.
      events: [...dropped, ...sharesTargeting(w, id), ...plan.events],
      // Its credentials go with it, in the same write: a tenant created later with the same
      // id must not inherit the old one's keys, users or tokens.
      sideEffect: async (tx) => {
        const keys = tx.selectFrom('access_keys').select('id').where('tenant_id', '=', id);
        await tx.deleteFrom('tokens').where('key_id', 'in', keys).execute();
        await tx.deleteFrom('access_keys').where('tenant_id', '=', id).execute();
        const users = tx.selectFrom('identity_users').select('id').where('tenant_id', '=', id);
        await tx.deleteFrom('identity_tokens').where('user_id', 'in', users).execute();
        await tx.deleteFrom('app_credentials').where('user_id', 'in', users).execute();
        await tx.deleteFrom('identity_role_assignments').where('user_id', 'in', users).execute();
        await tx.deleteFrom('identity_role_assignments').where('project_id', '=', id).execute();
        await tx.deleteFrom('identity_users').where('tenant_id', '=', id).execute();
      },
    };
  });
}

// ---- regions (operator manages; everyone reads) ----

export interface RegionInput {
  id: string;
  name?: string;
  profile: Profile;
  quotas?: Partial<Quotas>;
  conntrackTimeouts?: Partial<ConntrackTimeouts>;
}

function checkRegion(region: Region): void {
  const p = new Problems();
  validateRegion(region, p, 'body');
  if (p.list.length) throw invalid(p.list);
}

export function createRegion(svc: Service, p: Principal, input: RegionInput, opts: WriteOptions) {
  svc.requireAdmin(p);
  return svc.write(p, opts, (w) => {
    if (w.regions.has(input.id)) throw conflict('ALREADY_EXISTS', `region "${input.id}" already exists`);
    const region: Region = {
      id: input.id,
      ...(input.name !== undefined ? { name: input.name } : {}),
      profile: input.profile,
      quotas: { ...DEFAULT_QUOTAS[input.profile], ...input.quotas },
      conntrackTimeouts: { ...DEFAULT_TIMEOUTS, ...input.conntrackTimeouts },
    };
    checkRegion(region);
    return {
      action: 'region.create',
      regionId: region.id,
      tenantId: null,
      targetId: region.id,
      events: [{ op: 'region.put', region }],
      after: (rev) => regionAnswer(region, rev),
    };
  });
}

/** A region as the API answers it: with its profile's rule traits, so clients need not know profiles. */
function regionAnswer(region: Region, revision: number) {
  return { ...versioned(region, revision), traits: regionTraits(region.profile) };
}

export async function listRegions(svc: Service, p: Principal) {
  const regions = (await svc.read(p)).regions();
  return { items: byId(regions.map((r) => regionAnswer(r.region, r.record.revision))) };
}

export function regionOrThrow(world: World, id: string): RegionRecord {
  const r = world.regions.get(id);
  if (!r) throw notFound('region', id);
  return r;
}

export async function getRegion(svc: Service, p: Principal, id: string) {
  const r = (await svc.read(p)).region(id);
  if (!r) throw notFound('region', id);
  return regionAnswer(r.region, r.record.revision);
}

export function updateRegion(
  svc: Service,
  p: Principal,
  id: string,
  input: Omit<Partial<RegionInput>, 'id' | 'profile'>,
  opts: WriteOptions = {},
) {
  svc.requireAdmin(p);
  return svc.write(p, opts, (w) => {
    const r = regionOrThrow(w, id);
    svc.checkRevision(opts.ifMatch, r.revision, `region ${id}`);
    const region: Region = {
      ...r.region,
      ...(input.name !== undefined ? { name: input.name } : {}),
      quotas: { ...r.region.quotas, ...input.quotas },
      conntrackTimeouts: { ...r.region.conntrackTimeouts, ...input.conntrackTimeouts },
    };
    checkRegion(region);
    return {
      action: 'region.update',
      regionId: id,
      tenantId: null,
      targetId: id,
      events: [{ op: 'region.put', region }],
      before: r.region,
      after: (rev) => regionAnswer(region, rev),
      status: 200,
    };
  });
}

export function deleteRegion(svc: Service, p: Principal, id: string, opts: WriteOptions = {}) {
  svc.requireAdmin(p);
  return svc.write(p, opts, (w) => {
    const r = regionOrThrow(w, id);
    const held = r.vpcs.size + r.groups.size + r.instances.size + r.addressGroups.size;
    if (held > 0)
      throw conflict('REGION_IN_USE', `region "${id}" still holds ${held} objects; delete them first`);
    return deletion(
      'region.delete',
      { regionId: id, tenantId: null },
      id,
      { op: 'region.delete', id },
      r.region,
    );
  });
}

// ---- VPCs ----

export interface VpcInput {
  regionId: string;
  name: string;
  cidr?: string;
  tenantId?: string;
}

export function createVpc(svc: Service, p: Principal, input: VpcInput, opts: WriteOptions) {
  return svc.write(p, opts, (w) => {
    const r = w.regions.get(input.regionId);
    if (!r)
      throw badRequest('UNKNOWN_REGION', 'body.regionId', `body.regionId "${input.regionId}" does not exist`);
    const tenantId = svc.tenantFor(p, input.tenantId);
    if (input.cidr !== undefined && !cidrFamily(input.cidr))
      throw badRequest('INVALID_CIDR', 'body.cidr', `body.cidr "${input.cidr}" is not a valid CIDR`, {
        value: input.cidr,
      });
    const vpc: Vpc = {
      id: newId('vpc'),
      tenantId,
      regionId: r.region.id,
      name: input.name,
      ...(input.cidr !== undefined ? { cidr: input.cidr } : {}),
      createdAt: svc.timestamp(),
    };
    return {
      action: 'vpc.create',
      regionId: r.region.id,
      tenantId,
      targetId: vpc.id,
      events: [{ op: 'vpc.put', vpc }],
      after: (rev) => versioned(vpc, rev),
    };
  });
}

function vpcOrThrow(scope: Scope, id: string) {
  const found = scope.vpc(id);
  if (!found) throw notFound('vpc', id);
  return { r: found.r.record, v: found.vpc };
}

export async function listVpcs(
  svc: Service,
  p: Principal,
  q: { regionId?: string; cursor?: string; limit?: number },
) {
  const all = (await svc.read(p))
    .regions()
    .filter((r) => q.regionId === undefined || r.id === q.regionId)
    .flatMap((r) => r.vpcs())
    .map((v) => versioned(v.value, v.revision));
  return paginate(byId(all), (v) => v.id, compareStrings, q.cursor, q.limit);
}

export async function getVpc(svc: Service, p: Principal, id: string) {
  const { v } = vpcOrThrow(await svc.read(p), id);
  return versioned(v.value, v.revision);
}

export function updateVpc(
  svc: Service,
  p: Principal,
  id: string,
  input: { name?: string },
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (_w, scope) => {
    const { v } = vpcOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, v.revision, `VPC ${id}`);
    const vpc = { ...v.value, ...(input.name !== undefined ? { name: input.name } : {}) };
    return {
      action: 'vpc.update',
      regionId: vpc.regionId,
      tenantId: vpc.tenantId,
      targetId: id,
      events: [{ op: 'vpc.put', vpc }],
      before: v.value,
      after: (rev) => versioned(vpc, rev),
      status: 200,
    };
  });
}

export function deleteVpc(svc: Service, p: Principal, id: string, opts: WriteOptions = {}) {
  return svc.write(p, opts, (_w, scope) => {
    const { r, v } = vpcOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, v.revision, `VPC ${id}`);
    const users = [
      ...[...r.groups.values()].filter((g) => g.meta.vpcId === id).map((g) => g.meta.id),
      ...[...r.instances.values()].filter((i) => i.value.vpcId === id).map((i) => i.value.id),
    ];
    if (users.length)
      throw conflict(
        'VPC_IN_USE',
        `VPC "${id}" is used by ${users.slice(0, 5).join(', ')}${users.length > 5 ? ', ...' : ''}`,
        { resource: 'vpc', id },
      );
    const owner = { regionId: r.region.id, tenantId: v.value.tenantId };
    return deletion('vpc.delete', owner, id, { op: 'vpc.delete', regionId: r.region.id, id }, v.value);
  });
}
