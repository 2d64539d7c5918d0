// IP address groups (Huawei, OpenStack) and prefix lists (Alibaba): named CIDR sets that rules
// reference; changing the entries changes what every referencing rule matches.
import { canonicalCidr, cidrFamily } from '../../core/address.js';
import type { AddressGroup, Ethertype } from '../../core/model.js';
import { checkQuota, Problems, validateAddressGroup } from '../../core/validate.js';
import { badRequest, conflict, invalid, notFound } from '../errors.js';
import { quotasFor, tenantAddressGroupCount } from '../quotas.js';
import { newId } from '../ids.js';
import { compareStrings, paginate } from '../paging.js';
import type { Scope } from '../scope.js';
import { deletion, type Principal, type Service, type WriteOptions } from '../service.js';
import { versioned } from '../views.js';
import type { RegionRecord, World } from '../world.js';
import { deletionsOfRulesNaming } from './groups.js';
import { shareDeletions } from './shares.js';

export interface AddressGroupInput {
  regionId: string;
  name: string;
  ethertype?: Ethertype;
  entries?: string[];
  description?: string;
  /** The most entries the group may ever hold (an ECS prefix list's MaxEntries). */
  maxEntries?: number;
  /** `entries` as the client wrote them, when the front end wrote some as several CIDRs. */
  writtenEntries?: string[];
  tenantId?: string;
}

/**
 * What a change of entries adds to an address group's change count: one per entry added or
 * removed, as Neutron's revision_number counts them (its plugin writes each address in a
 * transaction of its own, and each bumps the group). A rename or new description counts one.
 */
function entryChanges(before: string[], after: string[]): number {
  const key = (e: string) => (cidrFamily(e) ? canonicalCidr(e) : e);
  const was = new Set(before.map(key));
  const is = new Set(after.map(key));
  return [...is].filter((e) => !was.has(e)).length + [...was].filter((e) => !is.has(e)).length;
}

function check(
  w: World,
  r: RegionRecord,
  ag: AddressGroup,
  p: Problems,
  isNew: boolean,
  entryAt?: (i: number) => string,
): void {
  validateAddressGroup(ag, 'body', p, (id) => w.tenants.has(id), entryAt);
  const q = quotasFor(w, r, ag.tenantId);
  checkQuota(q, 'entriesPerAddressGroup', ag.entries.length, `entries of ${ag.id}`, p, 'body.entries');
  // The group's own limit (counting entries as the client wrote them), reported as the same
  // quota with the group's smaller limit.
  const given = (ag.writtenEntries ?? ag.entries).length;
  if (ag.maxEntries !== undefined && given > ag.maxEntries)
    p.add(
      'body.entries',
      'QUOTA_EXCEEDED',
      `entries of ${ag.id}: ${given} exceeds the group's maxEntries of ${ag.maxEntries}`,
      { quota: 'entriesPerAddressGroup', limit: ag.maxEntries },
    );
  if (isNew) {
    const count = tenantAddressGroupCount(r, ag.tenantId) + 1;
    checkQuota(q, 'addressGroupsPerTenant', count, `address groups of tenant ${ag.tenantId}`, p, 'body');
  }
  if (p.list.length) throw invalid(p.list);
}

/** Entries without repeats (the first of each kept), each with its place in `field`. */
function withPlaces(entries: readonly string[], field: string): { entry: string; at: string }[] {
  const seen = new Set<string>();
  const out: { entry: string; at: string }[] = [];
  entries.forEach((entry, i) => {
    if (seen.has(entry)) return;
    seen.add(entry);
    out.push({ entry, at: `${field}[${i}]` });
  });
  return out;
}

export function createAddressGroup(svc: Service, p: Principal, input: AddressGroupInput, opts: WriteOptions) {
  return svc.write(p, opts, (w) => {
    const r = w.regions.get(input.regionId);
    if (!r)
      throw badRequest('UNKNOWN_REGION', 'body.regionId', `body.regionId "${input.regionId}" does not exist`);
    const tenantId = svc.tenantFor(p, input.tenantId);
    const given = withPlaces(input.entries ?? [], 'body.entries');
    const ag: AddressGroup = {
      id: newId('ag'),
      tenantId,
      regionId: r.region.id,
      name: input.name,
      ...(input.ethertype ? { ethertype: input.ethertype } : {}),
      entries: given.map((x) => x.entry),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.maxEntries !== undefined ? { maxEntries: input.maxEntries } : {}),
      ...(input.writtenEntries !== undefined ? { writtenEntries: input.writtenEntries } : {}),
    };
    ag.createdAt = ag.updatedAt = svc.timestamp();
    ag.changeCount = entryChanges([], ag.entries);
    check(w, r, ag, new Problems(), true, (i) => given[i]!.at);
    return {
      action: 'addressGroup.create',
      regionId: r.region.id,
      tenantId,
      targetId: ag.id,
      events: [{ op: 'addressGroup.put', addressGroup: ag }],
      after: (rev) => versioned(ag, rev),
    };
  });
}

function agOrThrow(scope: Scope, id: string) {
  const found = scope.addressGroup(id);
  if (!found) throw notFound('addressGroup', id);
  return { r: found.r.record, ag: found.ag };
}

export async function getAddressGroup(svc: Service, p: Principal, id: string) {
  const { ag } = agOrThrow(await svc.read(p), id);
  return versioned(ag.value, ag.revision);
}

/**
 * The caller's rules that name the address group as their remote, group by group: what keeps it
 * from being deleted (409 ADDRESS_GROUP_IN_USE). `otherTenants`: groups of tenants it is shared
 * with that use it too, counted only.
 */
export async function addressGroupReferences(svc: Service, p: Principal, id: string) {
  const found = (await svc.read(p)).addressGroup(id);
  if (!found) throw notFound('addressGroup', id);
  const all = found.r.record.groupsReferencingAddressGroup(id);
  const visible = found.r.groupsReferencingAddressGroup(id);
  const referencedBy = visible.sort(compareStrings).map((groupId) => {
    const g = found.r.group(groupId)!;
    const ruleIds = [...g.rules.values()]
      .filter(({ rule }) => rule.remote.kind === 'addressGroup' && rule.remote.addressGroupId === id)
      .map(({ rule }) => rule.id)
      .sort(compareStrings);
    return { groupId, groupName: g.meta.name, ruleIds };
  });
  return { addressGroupId: id, referencedBy, otherTenants: all.length - visible.length };
}

export async function listAddressGroups(
  svc: Service,
  p: Principal,
  q: { regionId?: string; name?: string; cursor?: string; limit?: number },
) {
  const all = (await svc.read(p))
    .regions()
    .filter((r) => q.regionId === undefined || r.id === q.regionId)
    .flatMap((r) => r.addressGroups())
    .filter((a) => q.name === undefined || a.value.name === q.name)
    .map((a) => versioned(a.value, a.revision))
    .sort((a, b) => compareStrings(a.id, b.id));
  return paginate(all, (a) => a.id, compareStrings, q.cursor, q.limit);
}

/** Rename, describe, and add or remove entries, in one write. */
export function updateAddressGroup(
  svc: Service,
  p: Principal,
  id: string,
  input: {
    name?: string;
    description?: string;
    add?: string[];
    remove?: string[];
    entries?: string[];
    writtenEntries?: string[];
    maxEntries?: number;
  },
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, ag } = agOrThrow(scope, id);
    svc.checkVersion(
      opts,
      { revision: ag.revision, changeCount: ag.value.changeCount },
      `address group ${id}`,
    );
    const problems = new Problems();
    const key = (e: string) => (cidrFamily(e) ? canonicalCidr(e) : e);
    // Each entry with where the request gave it, so that a refused one is named as sent:
    // body.entries[i] (its place in the request, repeats included) or body.add[j].
    let given = input.entries
      ? withPlaces(input.entries, 'body.entries')
      : withPlaces(ag.value.entries, 'entries');
    (input.remove ?? []).forEach((e, i) => {
      if (!given.some((x) => key(x.entry) === key(e)))
        problems.add(`body.remove[${i}]`, 'UNKNOWN_ENTRY', `body.remove[${i}] ${e} is not an entry of ${id}`);
    });
    const removed = new Set((input.remove ?? []).map(key));
    given = given.filter((x) => !removed.has(key(x.entry)));
    (input.add ?? []).forEach((e, j) => {
      if (!given.some((x) => key(x.entry) === key(e))) given.push({ entry: e, at: `body.add[${j}]` });
    });
    const entries = given.map((x) => x.entry);
    const entryAt = (i: number) => given[i]!.at;
    const { writtenEntries: _written, ...rest } = ag.value;
    const next: AddressGroup = {
      ...rest,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.maxEntries !== undefined ? { maxEntries: input.maxEntries } : {}),
      entries,
    };
    // Entries as written stay while nothing changes them entry by entry; a new list brings its own.
    if (input.entries !== undefined) {
      if (input.writtenEntries !== undefined) next.writtenEntries = input.writtenEntries;
    } else if (!input.add?.length && !input.remove?.length && ag.value.writtenEntries)
      next.writtenEntries = ag.value.writtenEntries;
    const renamed = next.name !== ag.value.name || next.description !== ag.value.description;
    const changes = (renamed ? 1 : 0) + entryChanges(ag.value.entries, next.entries);
    next.changeCount = (ag.value.changeCount ?? 0) + changes;
    if (changes || next.maxEntries !== ag.value.maxEntries) next.updatedAt = svc.timestamp();
    check(w, r, next, problems, false, entryAt);
    return {
      action: 'addressGroup.update',
      regionId: r.region.id,
      tenantId: next.tenantId,
      targetId: id,
      events: [{ op: 'addressGroup.put', addressGroup: next }],
      before: ag.value,
      after: (rev) => versioned(next, rev),
      status: 200,
    };
  });
}

/**
 * Delete an address group: refused while rules name it, unless `force`, which deletes those
 * rules in the same write (Huawei's force delete).
 */
export function deleteAddressGroup(
  svc: Service,
  p: Principal,
  id: string,
  opts: WriteOptions & { force?: boolean } = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, ag } = agOrThrow(scope, id);
    svc.checkVersion(
      opts,
      { revision: ag.revision, changeCount: ag.value.changeCount },
      `address group ${id}`,
    );
    const users = r.groupsReferencingAddressGroup(id);
    // Another tenant's rules (through a share) are not the owner's to delete, even by force.
    if (users.some((groupId) => scope.group(groupId) === undefined))
      throw conflict(
        'ADDRESS_GROUP_IN_USE',
        `address group "${id}" is shared and another tenant's rules name it; they must go first`,
        { resource: 'addressGroup', id, referencedBy: users.filter((groupId) => scope.group(groupId)) },
      );
    if (users.length && !opts.force)
      throw conflict(
        'ADDRESS_GROUP_IN_USE',
        `address group "${id}" is referenced by rules of ${users.slice(0, 5).join(', ')}; delete those rules first`,
        { resource: 'addressGroup', id, referencedBy: users },
      );
    const ruleDeletes = deletionsOfRulesNaming(
      r,
      users,
      (remote) => remote.kind === 'addressGroup' && remote.addressGroupId === id,
      svc.timestamp(),
    );
    const owner = { regionId: r.region.id, tenantId: ag.value.tenantId };
    const plan = deletion(
      'addressGroup.delete',
      owner,
      id,
      { op: 'addressGroup.delete', regionId: r.region.id, id },
      ag.value,
    );
    return { ...plan, events: [...ruleDeletes, ...shareDeletions(w, id), ...plan.events] };
  });
}
