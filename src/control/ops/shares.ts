// Shares (Neutron's RBAC policies, action access_as_shared): the owner of a security group or
// an address group lets another tenant (operators: every tenant) use it, as a rule's remote
// and, for a group, on the tenant's ports. This is the one exception to tenant isolation; the
// validators ask it through RegionLookup.mayUse and reads through Scope's shared views. The
// rules follow Neutron's (neutron/objects/rbac_db.py, neutron/conf/policies/rbac.py): only the
// owner or an operator shares, only an operator shares with every tenant, a share is unique per
// object and target, and a share the target still depends on cannot be removed.
import { badRequest, conflict, forbidden, notFound } from '../errors.js';
import { EVERY_TENANT, type Event, type Share, type ShareObjectType } from '../events.js';
import { newId } from '../ids.js';
import { compareStrings } from '../paging.js';
import type { Scope } from '../scope.js';
import { deletion, type Principal, type Service, type WriteOptions } from '../service.js';
import { versioned } from '../views.js';
import type { RegionRecord, World } from '../world.js';

export interface ShareInput {
  objectType: ShareObjectType;
  objectId: string;
  /** A tenant id, or "*" (every tenant: operators only). */
  targetTenantId: string;
  /** The region the object must be in (a regional endpoint's). */
  regionId?: string;
}

/** The shared object, if `scope` may manage it (its owner, or an operator), and its region. */
function ownedObject(scope: Scope, type: ShareObjectType, id: string) {
  if (type === 'securityGroup') {
    const found = scope.group(id);
    return found && { r: found.r.record, tenantId: found.g.meta.tenantId };
  }
  const found = scope.addressGroup(id);
  return found && { r: found.r.record, tenantId: found.ag.value.tenantId };
}

const resourceOf = (type: ShareObjectType) => (type === 'securityGroup' ? 'group' : 'addressGroup');

function checkTarget(w: World, p: Principal, target: string): void {
  if (target === EVERY_TENANT) {
    if (p.role !== 'admin') throw forbidden('sharing with every tenant ("*") needs an operator (admin) key');
    return;
  }
  if (!w.tenants.has(target))
    throw badRequest(
      'UNKNOWN_TENANT',
      'body.targetTenantId',
      `body.targetTenantId "${target}" does not exist`,
      {
        value: target,
      },
    );
}

function checkUnique(w: World, objectId: string, target: string, except?: string): void {
  const twin = w.shares.of(objectId).find((s) => s.targetTenantId === target && s.id !== except);
  if (twin)
    throw conflict('ALREADY_EXISTS', `share ${twin.id} already shares ${objectId} with ${target}`, {
      resource: 'share',
      id: twin.id,
    });
}

/**
 * The tenants other than the owner that depend on the object now: for a group, those with a
 * port in it or a rule naming it; for an address group, those with a rule naming it.
 * (Neutron counts a group's ports only; a rule naming the group depends on the share as much,
 * and removing the share under it would leave a reference validation refuses.)
 */
export function tenantsUsing(r: RegionRecord, share: Share): Set<string> {
  const out = new Set<string>();
  const tenantOfGroup = (id: string) => r.groups.get(id)?.meta.tenantId;
  if (share.objectType === 'securityGroup') {
    for (const portId of r.groups.get(share.objectId)?.members ?? []) {
      const at = r.ports.get(portId);
      const tenant = at && r.instances.get(at.instanceId)?.value.tenantId;
      if (tenant !== undefined) out.add(tenant);
    }
    for (const id of r.groupsReferencing(share.objectId)) out.add(tenantOfGroup(id)!);
  } else {
    for (const id of r.groupsReferencingAddressGroup(share.objectId)) out.add(tenantOfGroup(id)!);
  }
  out.delete(share.tenantId);
  return out;
}

/** Neutron's _validate_rbac_policy_delete: whether taking `share` away strands a tenant. */
function checkNotInUse(w: World, r: RegionRecord, share: Share): void {
  if (share.targetTenantId === share.tenantId) return;
  const using = tenantsUsing(r, share);
  const others = w.shares.of(share.objectId).filter((s) => s.id !== share.id);
  const stillShared = (tenant: string) =>
    others.some((s) => s.targetTenantId === EVERY_TENANT || s.targetTenantId === tenant);
  const stranded = [...using].filter(
    (tenant) =>
      (share.targetTenantId === EVERY_TENANT || tenant === share.targetTenantId) && !stillShared(tenant),
  );
  if (stranded.length)
    throw conflict(
      'SHARE_IN_USE',
      `share ${share.id} of ${share.objectId} cannot be removed: tenant ${stranded.sort(compareStrings).join(', ')} still uses the object`,
      { resource: 'share', id: share.id },
    );
}

export function createShare(svc: Service, p: Principal, input: ShareInput, opts: WriteOptions = {}) {
  return svc.write(p, opts, (w, scope) => {
    const object = ownedObject(scope, input.objectType, input.objectId);
    // Another tenant's object (or another region's) is as missing as one that does not exist.
    if (!object || (input.regionId !== undefined && object.r.region.id !== input.regionId))
      throw notFound(resourceOf(input.objectType), input.objectId);
    checkTarget(w, p, input.targetTenantId);
    checkUnique(w, input.objectId, input.targetTenantId);
    const share: Share = {
      id: newId('share'),
      tenantId: object.tenantId,
      regionId: object.r.region.id,
      objectType: input.objectType,
      objectId: input.objectId,
      targetTenantId: input.targetTenantId,
      action: 'access_as_shared',
      createdAt: svc.timestamp(),
    };
    return {
      action: 'share.create',
      regionId: share.regionId,
      tenantId: share.tenantId,
      targetId: share.id,
      events: [{ op: 'share.put', share }],
      after: (rev) => versioned(share, rev),
    };
  });
}

function shareOrThrow(scope: Scope, id: string) {
  const found = scope.share(id);
  if (!found) throw notFound('share', id);
  return found;
}

export async function getShare(svc: Service, p: Principal, id: string) {
  const { share } = shareOrThrow(await svc.read(p), id);
  return versioned(share.value, share.revision);
}

/** The shares the principal manages (an operator: every one), by id; of one region if named. */
export async function listShares(svc: Service, p: Principal, q: { regionId?: string } = {}) {
  return (await svc.read(p))
    .shares()
    .filter((s) => q.regionId === undefined || s.value.regionId === q.regionId)
    .map((s) => versioned(s.value, s.revision))
    .sort((a, b) => compareStrings(a.id, b.id));
}

/** Change a share's target: refused if the old target still depends on it (Neutron: unless the new one is "*"). */
export function updateShare(
  svc: Service,
  p: Principal,
  id: string,
  input: { targetTenantId: string },
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, share } = shareOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, share.revision, `share ${id}`);
    const next: Share = { ...share.value, targetTenantId: input.targetTenantId };
    if (next.targetTenantId === share.value.targetTenantId)
      return {
        action: 'share.update',
        ...scopeOf(next),
        events: [],
        after: () => versioned(share.value, share.revision),
        status: 200,
      };
    checkTarget(w, p, next.targetTenantId);
    checkUnique(w, next.objectId, next.targetTenantId, id);
    if (next.targetTenantId !== EVERY_TENANT) checkNotInUse(w, r.record, share.value);
    return {
      action: 'share.update',
      ...scopeOf(next),
      events: [{ op: 'share.put', share: next }],
      before: share.value,
      after: (rev) => versioned(next, rev),
      status: 200,
    };
  });
}

const scopeOf = (s: Share) => ({ regionId: s.regionId, tenantId: s.tenantId, targetId: s.id });

export function deleteShare(svc: Service, p: Principal, id: string, opts: WriteOptions = {}) {
  return svc.write(p, opts, (w, scope) => {
    const { r, share } = shareOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, share.revision, `share ${id}`);
    checkNotInUse(w, r.record, share.value);
    return deletion(
      'share.delete',
      { regionId: share.value.regionId, tenantId: share.value.tenantId },
      id,
      { op: 'share.delete', regionId: share.value.regionId, id },
      share.value,
    );
  });
}

/** The events removing an object's shares, for the write that deletes the object. */
export function shareDeletions(w: World, objectId: string): Event[] {
  return w.shares.of(objectId).map((s) => ({ op: 'share.delete' as const, regionId: s.regionId, id: s.id }));
}

/** The events removing the shares that name a tenant as their target, for the tenant's deletion. */
export function sharesTargeting(w: World, tenantId: string): Event[] {
  return [...w.shares.byId.values()]
    .filter((s) => s.value.targetTenantId === tenantId)
    .map((s) => ({ op: 'share.delete' as const, regionId: s.value.regionId, id: s.value.id }));
}
