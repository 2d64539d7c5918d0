// /v2.0/address-groups with the add_addresses / remove_addresses member actions.
import type { FastifyInstance } from 'fastify';
import {
  createAddressGroup,
  deleteAddressGroup,
  updateAddressGroup,
} from '../../control/ops/address-groups.js';
import type { AddressGroup } from '../../core/model.js';
import type { Versioned } from '../../control/world.js';
import type { Context } from '../../http/context.js';
import {
  addressGroupInUse,
  addressGroupNotFound,
  badRequest,
  NeutronError,
  policyNotAuthorized,
  preconditionFailed,
  pyList,
} from './errors.js';
import { ifMatch, noContent, projectFor, resourceBody, selfUrl, session, type Session } from './http.js';
import { asInteger, asText, type CollectionSpec, listResponse, queryOf, trim } from './query.js';
import { isValidSubnet, normalizedCidr } from './cidr.js';
import { checkAttributes, checkString, py } from './rule-input.js';
import { addressGroupDict } from './views.js';

const AG_ATTRS: [string, boolean][] = [
  ['id', false],
  ['name', true],
  ['description', true],
  ['project_id', true],
  ['tenant_id', true],
  ['addresses', true],
  ['shared', false],
  ['revision_number', false],
  ['created_at', false],
  ['updated_at', false],
];

const AG_SPEC: CollectionSpec = {
  collection: 'address_groups',
  filters: {
    id: asText,
    name: asText,
    description: asText,
    project_id: asText,
    tenant_id: asText,
    revision_number: asInteger,
  },
  sortKeys: new Set(['id', 'name', 'description', 'project_id', 'tenant_id', 'revision_number']),
  tags: false,
};

function agOf(s: Session, id: string): Versioned<AddressGroup> {
  const ag = s.r.addressGroup(id);
  if (!ag) throw addressGroupNotFound(id);
  return ag;
}

/** An address group the caller may read: its project's, or one shared with it (rbac-address-group). */
function readableAgOf(s: Session, id: string): Versioned<AddressGroup> {
  const ag = s.r.readableAddressGroup(id);
  if (!ag) throw addressGroupNotFound(id);
  return ag;
}

/** One the caller may change: a shared one is readable, so the refusal is the policy's 403. */
function writableAgOf(s: Session, id: string, rule: string): Versioned<AddressGroup> {
  if (s.r.sharedAddressGroup(id)) throw policyNotAuthorized(rule);
  return agOf(s, id);
}

const notAList = (v: unknown) => badRequest(`Invalid input for addresses. Reason: '${py(v)}' is not a list.`);
const notASubnet = (item: unknown) =>
  badRequest(`Invalid input for addresses. Reason: '${py(item)}' is not a valid IP subnet.`);

/** POST's type:subnet_list (neutron-lib validate_subnet), then the "network/prefixlen" form, deduplicated. */
function checkAddresses(v: unknown): string[] {
  if (!Array.isArray(v)) throw notAList(v);
  const out: string[] = [];
  for (const item of v) {
    if (!isValidSubnet(item)) throw notASubnet(item);
    const normal = normalizedCidr(item as string)!;
    if (!out.includes(normal)) out.push(normal);
  }
  return out;
}

/**
 * The add_addresses / remove_addresses body, which Neutron does not validate: the plugin's
 * _process_requested_addresses reads each item with netaddr.IPNetwork, so a bare address is
 * its /32 or /128 and host bits are dropped ("network/prefixlen"), duplicates merged. Where
 * netaddr refuses an item Neutron answers 500; this answers 400 as for a create.
 */
function requestedAddresses(v: unknown): string[] {
  if (!Array.isArray(v)) throw notAList(v);
  const out: string[] = [];
  for (const item of v) {
    const normal = typeof item === 'string' ? normalizedCidr(item) : null;
    if (normal === null) throw notASubnet(item);
    if (!out.includes(normal)) out.push(normal);
  }
  return out;
}

/** An address group's entry as Neutron shows it (and compares it). */
const entryKey = (e: string) => normalizedCidr(e) ?? e;

export function addressGroupRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/address-groups';
  const view = (s: Session, id: string) => ({ address_group: addressGroupDict(s.r, agOf(s, id)) });

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    const all = s.r.readableAddressGroups().map((ag) => addressGroupDict(s.r, ag));
    return listResponse(AG_SPEC, all, queryOf(req.url), selfUrl(req));
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    return {
      address_group: trim(
        addressGroupDict(s.r, readableAgOf(s, (req.params as { id: string }).id)),
        queryOf(req.url),
      ),
    };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const b = resourceBody(req.body, 'address_group');
    const owner = projectFor(s, b);
    checkAttributes(b, AG_ATTRS, owner, true);
    const name = b.name === undefined ? '' : checkString('name', b.name, 255);
    const description = b.description === undefined ? '' : checkString('description', b.description, 255);
    const entries = b.addresses === undefined || b.addresses === null ? [] : checkAddresses(b.addresses);
    const result = await createAddressGroup(
      svc,
      s.p,
      { regionId: s.r.region.id, tenantId: owner, name, description, entries },
      {},
    );
    reply.code(201);
    return view(s, result.body.id);
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'address_group');
    checkAttributes(b, AG_ATTRS, s.tenantId, false, new Set(['name', 'description']));
    const patch: { name?: string; description?: string } = {};
    if (b.name !== undefined) patch.name = checkString('name', b.name, 255);
    if (b.description !== undefined) patch.description = checkString('description', b.description, 255);
    const expected = ifMatch(req);
    const ag = writableAgOf(s, id, 'update_address_group');
    const count = ag.value.changeCount ?? 0;
    if (expected !== undefined && expected !== count) throw preconditionFailed(expected, count);
    await updateAddressGroup(svc, s.p, id, patch, expected === undefined ? {} : { ifChangeCount: expected });
    return view(s, id);
  });

  for (const action of ['add_addresses', 'remove_addresses'] as const)
    app.put(`${base}/:id/${action}`, async (req) => {
      const s = await session(ctx, req);
      const id = (req.params as { id: string }).id;
      const body = req.body as { addresses?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !('addresses' in body)) throw notAList(body?.addresses);
      const addresses = requestedAddresses(body.addresses);
      const ag = writableAgOf(s, id, action);
      const present = new Set(ag.value.entries.map(entryKey));
      if (action === 'add_addresses') {
        const dup = addresses.filter((a) => present.has(a));
        if (dup.length)
          throw new NeutronError(
            400,
            'AddressesAlreadyExist',
            `Addresses ${pyList(dup)} already exist in the address group ${id}.`,
          );
        await updateAddressGroup(svc, s.p, id, { add: addresses }, {});
      } else {
        const missing = addresses.filter((a) => !present.has(a));
        if (missing.length)
          throw new NeutronError(
            404,
            'AddressesNotFound',
            `Addresses ${pyList(missing)} not found in the address group ${id}.`,
          );
        await updateAddressGroup(svc, s.p, id, { remove: addresses }, {});
      }
      return view(s, id);
    });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const expected = ifMatch(req);
    const ag = writableAgOf(s, id, 'delete_address_group');
    if (s.r.groupsReferencingAddressGroup(id).length) throw addressGroupInUse(id);
    const count = ag.value.changeCount ?? 0;
    if (expected !== undefined && expected !== count) throw preconditionFailed(expected, count);
    await deleteAddressGroup(svc, s.p, id, expected === undefined ? {} : { ifChangeCount: expected });
    return noContent(reply);
  });
}
