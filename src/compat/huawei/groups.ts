// Security groups: create (with the profile's four starting rules), list, show, update (name,
// description), delete. A Huawei group is not tied to a VPC; a Palisade group is, so a group
// made here lives in the tenant's first VPC of the region (one named "default" is made when the
// tenant has none).
import type { FastifyInstance } from 'fastify';
import { createGroup, deleteGroup, updateGroup } from '../../control/ops/groups.js';
import type { ScopedRegion } from '../../control/scope.js';
import { checkQuota, Problems } from '../../core/validate.js';
import { invalid as serviceInvalid } from '../../control/errors.js';
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
import { dryRunPassed, invalid, requestIdOf } from './errors.js';
import { groupIn } from './rules.js';
import { groupInfoView, groupView } from './views.js';

/** ResourceTag[] → the model's tags; keys 1-128 characters, values up to 255, keys unique. */
function parseTags(v: unknown, at: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 20)
    throw invalid(`Invalid ${at}.tags: an array of at most 20 {key, value}`);
  const tags = new Map<string, string>();
  v.forEach((t, i) => {
    if (!isObject(t) || typeof t.key !== 'string' || t.key.length < 1 || t.key.length > 128)
      throw invalid(`Invalid ${at}.tags[${i}].key: 1 to 128 characters`);
    const value = t.value ?? '';
    if (typeof value !== 'string' || value.length > 255)
      throw invalid(`Invalid ${at}.tags[${i}].value: a string of at most 255 characters`);
    if (tags.has(t.key)) throw invalid(`Invalid ${at}.tags: the key "${t.key}" is given twice`);
    tags.set(t.key, value);
  });
  return Object.fromEntries(tags);
}

/** The quota check createGroup makes, before anything (a VPC) is created for the request. */
function checkGroupQuota(r: ScopedRegion, tenantId: string): void {
  const problems = new Problems();
  const count = r.groups().filter((g) => g.meta.tenantId === tenantId).length + 1;
  checkQuota(
    r.quotasFor(tenantId),
    'groupsPerTenant',
    count,
    `security_group (tenant ${tenantId})`,
    problems,
    'body',
  );
  if (problems.list.length) throw serviceInvalid(problems.list);
}

/** The group as the write just left it. */
function currentGroup(r: ScopedRegion, id: string) {
  return r.group(id)!;
}

export function groupRoutes(app: FastifyInstance, { svc, keys }: Context): void {
  app.post('/:project_id/vpc/security-groups', async (req, reply) => {
    const { inner, dryRun } = wrapped(req.body, 'security_group');
    const at = 'security_group';
    const name = checkName(inner.name, at);
    const description = checkDescription(optString(inner, 'description', at), at);
    checkEnterpriseProject(inner, at);
    const tags = parseTags(inner.tags, at);
    const r = regionOf(req);
    const p: TenantPrincipal = principalOf(req);
    checkGroupQuota(r, p.tenantId);
    if (dryRun) {
      if (req.nonce) await keys.recordNonce(req.nonce);
      return reply.code(202).send(dryRunPassed(req));
    }
    const result = await createGroup(
      svc,
      p,
      {
        // No vpcId: the service picks the tenant's VPC (or makes one in the same write).
        regionId: r.region.id,
        name,
        ...(description !== undefined ? { description } : {}),
        ...(tags !== undefined ? { tags } : {}),
      },
      writeOpts(req),
    );
    const id = (result.body as { id: string }).id;
    return reply.code(201).send({
      request_id: requestIdOf(req),
      security_group: groupInfoView(currentGroup(r, id), r.region.id),
    });
  });

  app.get('/:project_id/vpc/security-groups', async (req) => {
    const q = req.query as Json;
    const r = regionOf(req);
    const ids = queryList(q, 'id');
    const names = queryList(q, 'name');
    const descriptions = queryList(q, 'description');
    const ep = queryOne(q, 'enterprise_project_id');
    const epMatches = ep === undefined || ep === '0' || ep === 'all_granted_eps';
    const all = r
      .groups()
      .filter(() => epMatches)
      .map((g) => groupView(g.meta, r.region.id))
      .filter((v) => matches(ids, v.id) && matches(names, v.name) && matches(descriptions, v.description));
    const { items, pageInfo } = page(all, q);
    return { request_id: requestIdOf(req), security_groups: items, page_info: pageInfo };
  });

  app.get('/:project_id/vpc/security-groups/:id', async (req) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const g = groupIn(r, id);
    return { request_id: requestIdOf(req), security_group: groupInfoView(g, r.region.id) };
  });

  app.put('/:project_id/vpc/security-groups/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const { inner, dryRun } = wrapped(req.body, 'security_group');
    const at = 'security_group';
    const patch: { name?: string; description?: string } = {};
    if (inner.name !== undefined && inner.name !== null) patch.name = checkName(inner.name, at);
    const description = checkDescription(optString(inner, 'description', at), at);
    if (description !== undefined) patch.description = description;
    const r = regionOf(req);
    const p = principalOf(req);
    groupIn(r, id);
    if (dryRun) {
      if (req.nonce) await keys.recordNonce(req.nonce);
      return reply.code(202).send(dryRunPassed(req));
    }
    await updateGroup(svc, p, id, patch, writeOpts(req));
    return {
      request_id: requestIdOf(req),
      security_group: groupInfoView(currentGroup(r, id), r.region.id),
    };
  });

  app.delete('/:project_id/vpc/security-groups/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const p = principalOf(req);
    groupIn(r, id);
    await deleteGroup(svc, p, id, writeOpts(req));
    return reply.code(204).send();
  });
}
