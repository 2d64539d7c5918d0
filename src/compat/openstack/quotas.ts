// Neutron's quotas extension for the resources Palisade has: /v2.0/quotas[/{project_id}
// [/details|/default]] and /v2.0/quotas/project. Neutron's security_group is the tenant's
// groupsPerTenant in this region and security_group_rule its rulesPerTenant (rules over all its
// groups); Neutron's -1 (no limit) is Palisade's 0. A PUT sets the project's overrides of this
// region's quotas (ops/tenancy setTenantQuotas), a DELETE drops them: the region's quotas bind
// it again. Reading another project's quotas, and every write, is an admin's.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setTenantQuotas } from '../../control/ops/tenancy.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { Quotas } from '../../core/model.js';
import { effectiveQuotas, tenantOverrides } from '../../core/quotas.js';
import { own } from '../../core/own.js';
import type { Context } from '../../http/context.js';
import { badRequest, invalidInput, NeutronError } from './errors.js';
import { noContent, resourceBody, session, type Session } from './http.js';
import { py } from './rule-input.js';

/** Neutron's quota resources and the Palisade quotas they are. */
const RESOURCES = new Map<string, keyof Quotas>([
  ['security_group', 'groupsPerTenant'],
  ['security_group_rule', 'rulesPerTenant'],
]);

/** neutron_lib's DB_INTEGER_MAX_VALUE, the top of a quota's range. */
const MAX_LIMIT = 2 ** 31 - 1;

const policyRefused = (action: string) =>
  new NeutronError(403, 'PolicyNotAuthorized', `rule:${action} is disallowed by policy`);

/** What each resource uses in the region: the project's groups, and the rules they hold. */
function usage(r: ScopedRegion, projectId: string): Map<string, number> {
  let count = 0;
  let rules = 0;
  for (const g of r.groups())
    if (g.meta.tenantId === projectId) {
      count++;
      rules += g.rules.size;
    }
  return new Map([
    ['security_group', count],
    ['security_group_rule', rules],
  ]);
}

/** Neutron's figure for a Palisade limit (0, no limit, is -1). */
const neutronLimit = (limit: number | undefined) => (limit ? limit : -1);

function limits(q: Quotas): Record<string, number> {
  return Object.fromEntries([...RESOURCES].map(([name, quota]) => [name, neutronLimit(own(q, quota))]));
}

/** The caller may read this project's quotas: its own, or any for an admin. */
function mayRead(s: Session, projectId: string): void {
  if (projectId !== s.tenantId && s.p.role !== 'admin') throw policyRefused('get_quota');
}

function mayWrite(s: Session, action: 'update_quota' | 'delete_quota'): void {
  if (s.p.role !== 'admin') throw policyRefused(action);
}

/** neutron_lib converters.convert_to_int, then validators.validate_range(-1, MAX). */
function neutronQuota(name: string, v: unknown): number {
  const n =
    typeof v === 'number' && Number.isInteger(v)
      ? v
      : typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)
        ? Number(v)
        : typeof v === 'boolean'
          ? Number(v)
          : undefined;
  if (n === undefined) throw invalidInput(`'${py(v)}' is not an integer`);
  if (n < -1)
    throw badRequest(`Invalid input for ${name}. Reason: '${n}' is too small - must be at least '-1'.`);
  if (n > MAX_LIMIT)
    throw badRequest(
      `Invalid input for ${name}. Reason: '${n}' is too large - must be no larger than '${MAX_LIMIT}'.`,
    );
  return n;
}

export function quotaRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/quotas';
  const projectOf = (req: FastifyRequest) => (req.params as { project: string }).project;

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    if (s.p.role !== 'admin') throw policyRefused('get_quota');
    const scope = await svc.read(s.p);
    const quotas = scope
      .tenants()
      .filter((t) => Object.keys(tenantOverrides(t.value, s.r.id)).length > 0)
      .map((t) => ({ ...limits(s.r.quotasFor(t.value.id)), project_id: t.value.id, tenant_id: t.value.id }));
    return { quotas };
  });
  // The token's own project (Neutron's collection actions).
  app.get(`${base}/project`, async (req) => {
    const s = await session(ctx, req);
    return { project: { project_id: s.tenantId } };
  });
  app.get(`${base}/tenant`, async (req) => {
    const s = await session(ctx, req);
    return { tenant: { tenant_id: s.tenantId } };
  });

  app.get(`${base}/:project`, async (req) => {
    const s = await session(ctx, req);
    const project = projectOf(req);
    mayRead(s, project);
    return { quota: limits(s.r.quotasFor(project)) };
  });
  app.get(`${base}/:project/default`, async (req) => {
    const s = await session(ctx, req);
    const project = projectOf(req);
    mayRead(s, project);
    return { quota: limits(effectiveQuotas(s.r.region, undefined)) };
  });
  // quota_details: each resource's limit, what the project uses, and what is reserved (Palisade
  // reserves nothing: a create is checked and written in one step).
  app.get(`${base}/:project/details`, async (req) => {
    const s = await session(ctx, req);
    const project = projectOf(req);
    mayRead(s, project);
    const used = usage(s.r, project);
    const limit = limits(s.r.quotasFor(project));
    return {
      quota: Object.fromEntries(
        [...RESOURCES.keys()].map((name) => [
          name,
          { limit: own(limit, name), used: used.get(name) ?? 0, reserved: 0 },
        ]),
      ),
    };
  });

  app.put(`${base}/:project`, async (req) => {
    const s = await session(ctx, req);
    const project = projectOf(req);
    mayWrite(s, 'update_quota');
    const body = { ...resourceBody(req.body, 'quota') };
    const checkLimit = body.check_limit;
    delete body.force;
    delete body.check_limit;
    const extra = Object.keys(body).filter((k) => !RESOURCES.has(k));
    if (extra.length) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    const set = new Map<keyof Quotas, number>();
    const used = usage(s.r, project);
    for (const [name, raw] of Object.entries(body)) {
      const n = neutronQuota(name, raw);
      // Palisade's 0 is no limit: a quota of none cannot be kept.
      if (n === 0)
        throw badRequest(
          `Invalid input for ${name}. Reason: Palisade keeps no quota of 0 (its 0 means no limit); use 1 or more, or -1.`,
        );
      if (checkLimit === true && n !== -1 && (used.get(name) ?? 0) > n)
        throw badRequest(
          `Quota limit ${n} for ${name} must be greater than or equal to already used ${used.get(name) ?? 0}`,
        );
      set.set(RESOURCES.get(name)!, n === -1 ? 0 : n);
    }
    if (set.size)
      await setTenantQuotas(svc, s.p, {
        tenantId: project,
        regionId: s.r.id,
        quotas: Object.fromEntries(set) as Partial<Quotas>,
      });
    return { quota: limits((await session(ctx, req)).r.quotasFor(project)) };
  });

  app.delete(`${base}/:project`, async (req, reply) => {
    const s = await session(ctx, req);
    const project = projectOf(req);
    mayWrite(s, 'delete_quota');
    const tenant = (await svc.read(s.p)).tenant(project)?.value;
    if (Object.keys(tenantOverrides(tenant, s.r.id)).length === 0)
      throw new NeutronError(404, 'TenantQuotaNotFound', `Quota for tenant ${project} could not be found.`);
    await setTenantQuotas(svc, s.p, { tenantId: project, regionId: s.r.id, quotas: null });
    return noContent(reply);
  });
}
