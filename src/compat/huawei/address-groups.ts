// IP address groups: create, list, show, update, delete (refused while rules use the group) and
// force delete (the rules that use it go too). Palisade's address groups hold addresses and CIDR
// blocks; Huawei's IP ranges ("a-b") and per-entry remarks have no place in the model and are
// refused with the cloud's invalid-ip_set error instead of being changed.
import type { FastifyInstance } from 'fastify';
import { invalid as serviceInvalid } from '../../control/errors.js';
import {
  createAddressGroup,
  deleteAddressGroup,
  updateAddressGroup,
} from '../../control/ops/address-groups.js';
import type { ScopedRegion } from '../../control/scope.js';
import { canonicalCidr, cidrFamily } from '../../core/address.js';
import type { AddressGroup } from '../../core/model.js';
import { checkQuota, Problems } from '../../core/validate.js';
import type { Context } from '../../server/app.js';
import {
  checkDescription,
  checkEnterpriseProject,
  checkName,
  isObject,
  type Json,
  matches,
  optString,
  page,
  principalOf,
  queryList,
  queryOne,
  regionOf,
  type TenantPrincipal,
  wrapped,
  writeOpts,
} from './context.js';
import { CODES, dryRunPassed, HuaweiError, invalid, notFound, requestIdOf } from './errors.js';
import { addressGroupView, ipVersionOf } from './views.js';

const DEFAULT_CAPACITY = 20;

function agIn(r: ScopedRegion, id: string): AddressGroup {
  const ag = r.addressGroup(id)?.value;
  if (!ag) throw notFound(`Address_group ${id} could not be found.`);
  return ag;
}

/**
 * ip_set or ip_extra_set → entries. Each entry must be an address or a CIDR block of the group's
 * IP version, given once; an IP range or a remark is refused (the model cannot hold it).
 */
function parseEntries(o: Json, at: string, version: 4 | 6): string[] | undefined {
  const set = o.ip_set;
  const extra = o.ip_extra_set;
  const hasSet = set !== undefined && set !== null;
  const hasExtra = extra !== undefined && extra !== null;
  if (hasSet && hasExtra) throw invalid(`Invalid ${at}: ip_set and ip_extra_set cannot both be given`);
  if (!hasSet && !hasExtra) return undefined;
  let entries: string[];
  if (hasSet) {
    if (!Array.isArray(set) || set.some((e) => typeof e !== 'string'))
      throw invalid(`Invalid ${at}.ip_set: an array of strings`);
    entries = set as string[];
  } else {
    if (!Array.isArray(extra)) throw invalid(`Invalid ${at}.ip_extra_set: an array of {ip, remarks}`);
    entries = extra.map((e, i) => {
      if (!isObject(e) || typeof e.ip !== 'string')
        throw invalid(`Invalid ${at}.ip_extra_set[${i}]: an object with ip (and remarks)`);
      if (e.remarks !== undefined && e.remarks !== null && e.remarks !== '')
        throw invalid(
          `Invalid ip_extra_set:${e.ip} parameter in request body: remarks are not supported by this server (entries carry no remarks)`,
        );
      return e.ip;
    });
  }
  const family = version === 6 ? 'IPv6' : 'IPv4';
  const seen = new Set<string>();
  for (const e of entries) {
    if (/^[^/]+-[^/]+$/.test(e))
      throw invalid(
        `Invalid ip_set:${e} parameter in request body: IP address ranges are not supported by this server; give addresses or CIDR blocks`,
      );
    const fam = cidrFamily(e);
    if (fam === null) throw invalid(`Invalid ip_set:${e} parameter in request body.`);
    if (fam !== family)
      throw invalid(
        `Invalid ip_set:${e} parameter in request body: the address group's ip_version is ${version}`,
      );
    const key = canonicalCidr(e);
    if (seen.has(key)) throw invalid(`Duplicate ip_set in request body ${e}.`);
    seen.add(key);
  }
  return entries;
}

function parseCapacity(o: Json, at: string, r: ScopedRegion): number | undefined {
  const v = o.max_capacity;
  if (v === undefined || v === null) return undefined;
  const max = r.region.quotas.entriesPerAddressGroup || 20000;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    throw invalid(`Invalid ${at}.max_capacity ${String(v)}: an integer from 1 to ${max}`);
  return v;
}

function checkCapacity(count: number, capacity: number): void {
  if (count > capacity)
    throw new HuaweiError(
      409,
      CODES.quota,
      `Quota exceeded for resources: ['address_group_contain_ipset'] (${count} entries, max_capacity ${capacity})`,
    );
}

export function addressGroupRoutes(app: FastifyInstance, { svc, keys }: Context): void {
  app.post('/:project_id/vpc/address-groups', async (req, reply) => {
    const { inner, dryRun } = wrapped(req.body, 'address_group');
    const at = 'address_group';
    const r = regionOf(req);
    const p: TenantPrincipal = principalOf(req);
    const name = checkName(inner.name, at);
    const description = checkDescription(optString(inner, 'description', at), at);
    checkEnterpriseProject(inner, at);
    const version = inner.ip_version;
    if (version !== 4 && version !== 6) throw invalid(`Invalid ${at}.ip_version ${String(version)}: 4 or 6`);
    const entries = parseEntries(inner, at, version) ?? [];
    checkCapacity(entries.length, parseCapacity(inner, at, r) ?? DEFAULT_CAPACITY);
    const problems = new Problems();
    const count = r.addressGroups().filter((a) => a.value.tenantId === p.tenantId).length + 1;
    checkQuota(r.region.quotas, 'addressGroupsPerTenant', count, "'address_group'", problems, 'body');
    if (problems.list.length) throw serviceInvalid(problems.list);
    if (dryRun) {
      if (req.nonce) await keys.recordNonce(req.nonce);
      return reply.code(202).send(dryRunPassed(req));
    }
    const result = await createAddressGroup(
      svc,
      p,
      {
        regionId: r.region.id,
        name,
        ethertype: version === 6 ? 'IPv6' : 'IPv4',
        entries,
        ...(description !== undefined ? { description } : {}),
      },
      writeOpts(req),
    );
    const ag = result.body as AddressGroup;
    return reply.code(201).send({ request_id: requestIdOf(req), address_group: addressGroupView(ag, r) });
  });

  app.get('/:project_id/vpc/address-groups', async (req) => {
    const q = req.query as Json;
    const r = regionOf(req);
    const ids = queryList(q, 'id');
    const names = queryList(q, 'name');
    const descriptions = queryList(q, 'description');
    const version = queryOne(q, 'ip_version');
    const ep = queryOne(q, 'enterprise_project_id');
    if (version !== undefined && version !== '4' && version !== '6')
      throw invalid(`Invalid ip_version "${version}": 4 or 6`);
    const all = r
      .addressGroups()
      .map((a) => a.value)
      .filter(
        (ag) =>
          (ep === undefined || ep === '0' || ep === 'all_granted_eps') &&
          (version === undefined || String(ipVersionOf(ag)) === version),
      )
      .map((ag) => addressGroupView(ag, r))
      .filter((v) => matches(ids, v.id) && matches(names, v.name) && matches(descriptions, v.description));
    const { items, pageInfo } = page(all, q);
    return { request_id: requestIdOf(req), address_groups: items, page_info: pageInfo };
  });

  app.get('/:project_id/vpc/address-groups/:id', async (req) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const ag = agIn(r, id);
    return { request_id: requestIdOf(req), address_group: addressGroupView(ag, r) };
  });

  app.put('/:project_id/vpc/address-groups/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const { inner, dryRun } = wrapped(req.body, 'address_group');
    const at = 'address_group';
    const r = regionOf(req);
    const p = principalOf(req);
    const current = agIn(r, id);
    const patch: { name?: string; description?: string; entries?: string[] } = {};
    if (inner.name !== undefined && inner.name !== null) patch.name = checkName(inner.name, at);
    const description = checkDescription(optString(inner, 'description', at), at);
    if (description !== undefined) patch.description = description;
    const entries = parseEntries(inner, at, ipVersionOf(current));
    if (entries !== undefined) patch.entries = entries;
    checkCapacity((entries ?? current.entries).length, parseCapacity(inner, at, r) ?? DEFAULT_CAPACITY);
    if (dryRun) {
      if (req.nonce) await keys.recordNonce(req.nonce);
      return reply.code(202).send(dryRunPassed(req));
    }
    const result = await updateAddressGroup(svc, p, id, patch, writeOpts(req));
    return { request_id: requestIdOf(req), address_group: addressGroupView(result.body as AddressGroup, r) };
  });

  app.delete('/:project_id/vpc/address-groups/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const p = principalOf(req);
    agIn(r, id);
    await deleteAddressGroup(svc, p, id, writeOpts(req));
    return reply.code(204).send();
  });

  app.delete('/:project_id/vpc/address-groups/:id/force', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const p = principalOf(req);
    agIn(r, id);
    // The rules that use it are deleted in the same write.
    await deleteAddressGroup(svc, p, id, { ...writeOpts(req), force: true });
    return reply.code(204).send();
  });
}
