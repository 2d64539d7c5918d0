// IP address groups: create, list, show, update, delete (refused while rules use the group) and
// force delete (the rules that use it go too). Palisade's address groups hold addresses and CIDR
// blocks: an IP range ("a-b") is stored as the fewest CIDR blocks that cover exactly it; per-entry
// remarks have no place in the model and are refused with the cloud's invalid-ip_set error.
import type { FastifyInstance } from 'fastify';
import {
  createAddressGroup,
  deleteAddressGroup,
  updateAddressGroup,
} from '../../control/ops/address-groups.js';
import type { ScopedRegion } from '../../control/scope.js';
import ipaddr from 'ipaddr.js';
import { canonicalCidr, cidrFamily, ipFamily } from '../../core/address.js';
import type { AddressGroup } from '../../core/model.js';
import type { Context } from '../../http/context.js';
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
import { dryRunPassed, invalid, notFound, requestIdOf } from './errors.js';
import { addressGroupView, DEFAULT_ADDRESS_GROUP_CAPACITY, ipVersionOf } from './views.js';

/** CreateAddressGroupOption.max_capacity: range 0-20, default 20 (the SDK's models). */
const DEFAULT_CAPACITY = DEFAULT_ADDRESS_GROUP_CAPACITY;
const MAX_CAPACITY = 20;

const toBig = (ip: ipaddr.IPv4 | ipaddr.IPv6) =>
  ip.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);

function fromBig(n: bigint, bits: 32 | 128): string {
  const bytes: number[] = [];
  for (let i = bits / 8 - 1; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * An IP range "first-last" as the fewest CIDR blocks that cover exactly it, in address order;
 * a block of one address is written as the address. Null when it is not a range of one family.
 */
export function rangeToCidrs(range: string): { family: 'IPv4' | 'IPv6'; cidrs: string[] } | null {
  const parts = range.split('-').map((x) => x.trim());
  if (parts.length !== 2) return null;
  const [a, b] = parts;
  const family = ipFamily(a);
  if (family === null || ipFamily(b) !== family) return null;
  const bits = family === 'IPv6' ? 128 : 32;
  let first = toBig(ipaddr.parse(a));
  const last = toBig(ipaddr.parse(b));
  if (first > last) return null;
  const cidrs: string[] = [];
  while (first <= last) {
    // The largest aligned block starting at first that does not go past last.
    let size = 0;
    while (
      size < bits &&
      ((first >> BigInt(size)) & 1n) === 0n &&
      first + (1n << BigInt(size + 1)) - 1n <= last
    )
      size++;
    const prefix = bits - size;
    cidrs.push(prefix === bits ? fromBig(first, bits) : `${fromBig(first, bits)}/${prefix}`);
    first += 1n << BigInt(size);
  }
  return { family, cidrs };
}

function agIn(r: ScopedRegion, id: string): AddressGroup {
  const ag = r.addressGroup(id)?.value;
  if (!ag) throw notFound(`Address_group ${id} could not be found.`);
  return ag;
}

/**
 * ip_set or ip_extra_set → entries. Each entry must be an address, a CIDR block or an IP range
 * ("first-last") of the group's IP version, given once; a range becomes the CIDR blocks that
 * cover exactly it. A remark is refused (the model cannot hold it).
 */
function parseEntries(
  o: Json,
  at: string,
  version: 4 | 6,
): { entries: string[]; writtenEntries?: string[] } | undefined {
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
  const out = new Set<string>();
  for (const e of entries) {
    if (e.includes('-')) {
      const range = rangeToCidrs(e);
      if (range === null)
        throw invalid(
          `Invalid ip_set:${e} parameter in request body: an IP range is first-last, both of one IP version, first not after last`,
        );
      if (range.family !== family)
        throw invalid(
          `Invalid ip_set:${e} parameter in request body: the address group's ip_version is ${version}`,
        );
      const key = range.cidrs.join(',');
      if (seen.has(key)) throw invalid(`Duplicate ip_set in request body ${e}.`);
      seen.add(key);
      range.cidrs.forEach((c) => out.add(c));
      continue;
    }
    const fam = cidrFamily(e);
    if (fam === null) throw invalid(`Invalid ip_set:${e} parameter in request body.`);
    if (fam !== family)
      throw invalid(
        `Invalid ip_set:${e} parameter in request body: the address group's ip_version is ${version}`,
      );
    const key = canonicalCidr(e);
    if (seen.has(key)) throw invalid(`Duplicate ip_set in request body ${e}.`);
    seen.add(key);
    out.add(e);
  }
  // The model holds the CIDR blocks; the entries as given (a range is one, for max_capacity too)
  // are kept where a range made them differ.
  const ranged = entries.some((e) => e.includes('-'));
  return { entries: [...out], ...(ranged ? { writtenEntries: [...entries] } : {}) };
}

function parseCapacity(o: Json, at: string): number | undefined {
  const v = o.max_capacity;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_CAPACITY)
    throw invalid(
      `Invalid ${at}.max_capacity ${String(v)} parameter in request body: an integer from 0 to ${MAX_CAPACITY}`,
    );
  return v;
}

export function addressGroupRoutes(app: FastifyInstance, { svc }: Context): void {
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
    const parsed = parseEntries(inner, at, version);
    const result = await createAddressGroup(
      svc,
      p,
      {
        regionId: r.region.id,
        name,
        ethertype: version === 6 ? 'IPv6' : 'IPv4',
        entries: parsed?.entries ?? [],
        ...(parsed?.writtenEntries ? { writtenEntries: parsed.writtenEntries } : {}),
        maxEntries: parseCapacity(inner, at) ?? DEFAULT_CAPACITY,
        ...(description !== undefined ? { description } : {}),
      },
      { ...writeOpts(req), dryRun },
    );
    if (dryRun) return reply.code(202).send(dryRunPassed(req));
    const ag = result.body;
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
    const patch: Parameters<typeof updateAddressGroup>[3] = {};
    if (inner.name !== undefined && inner.name !== null) patch.name = checkName(inner.name, at);
    const description = checkDescription(optString(inner, 'description', at), at);
    if (description !== undefined) patch.description = description;
    const parsed = parseEntries(inner, at, ipVersionOf(current));
    if (parsed !== undefined) Object.assign(patch, parsed);
    const capacity = parseCapacity(inner, at);
    if (capacity !== undefined) patch.maxEntries = capacity;
    const result = await updateAddressGroup(svc, p, id, patch, { ...writeOpts(req), dryRun });
    if (dryRun) return reply.code(202).send(dryRunPassed(req));
    return { request_id: requestIdOf(req), address_group: addressGroupView(result.body, r) };
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
