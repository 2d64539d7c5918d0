// Plan and apply a policy file (issue 13, item 8). A plan says what applying the file to a
// region would create, change and delete (plan-match.ts says how file objects match stored
// ones, plan-instances.ts their instances), checked as the write itself would be
// (plan-checks.ts), at the store's revision; apply makes exactly that one write: one
// transaction, one change-log entry, all or nothing, refused when the region changed after the
// revision the caller planned at. A second apply of the same
// file finds nothing to change and writes nothing. A tenant's file holds only its own objects;
// an operator names the tenant (or the file lists the tenants it is for).
import type { RegionState } from '../../core/model.js';
import { QUOTA_NAMES } from '../../core/quotas.js';
import { Problems, type ValidationError } from '../../core/validate.js';
import { loadPolicy } from '../../policy/load.js';
import { badRequest, type ErrorCode, forbidden, notFound, ServiceError } from '../errors.js';
import { type Event, groupEvents } from '../events.js';
import { newId } from '../ids.js';
import type { Scope } from '../scope.js';
import type { Principal, Service, WriteOptions } from '../service.js';
import type { RegionRecord, World } from '../world.js';
import { checkPlan, regionAfter } from './plan-checks.js';
import { matchInstances } from './plan-instances.js';
import { type FileFacts, type Matched, matchPolicy, type PlannedChange } from './plan-match.js';
import { previewOf } from './preview.js';
import { shareDeletions } from './shares.js';

export type { PlannedChange } from './plan-match.js';

export interface PolicyRequest {
  /** The policy document (docs/policy-format.md), as parsed from YAML or JSON. */
  document: unknown;
  /** Operators: the tenant a file that lists no tenants is for. */
  tenantId?: string;
}

/** What a plan (and an apply) answers besides the packet difference. */
export interface PolicyPlan {
  regionId: string;
  /** The store's revision the plan was computed at: apply's If-Match refuses a region changed since. */
  revision: number;
  tenants: string[];
  changes: PlannedChange[];
  summary: { create: number; update: number; delete: number };
}

export interface Planned {
  plan: PolicyPlan;
  before: RegionState;
  after: RegionState;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Apply's If-Match: refused when the region changed after the plan's revision (or it is no revision yet). */
function checkUnchangedSince(w: World, r: RegionRecord, expected: number | undefined): void {
  if (expected === undefined) return;
  // The last write that changed anything in the region, any tenant's: what another tenant does
  // there can change what this file's objects do, or whether it fits.
  const actual = r.lastRevision;
  if (actual > expected || expected > w.revision)
    throw new ServiceError(
      412,
      'REVISION_MISMATCH',
      expected > w.revision
        ? `If-Match ${expected}: the store is at revision ${w.revision}; plan again`
        : `region ${r.region.id} changed at revision ${actual}, after the plan's revision ${expected}: plan again`,
      [],
      { expected, actual },
    );
}

/** Codes of problems with the state rather than the file: 409 when every problem is one. */
const CONFLICTS = new Set([
  'QUOTA_EXCEEDED',
  'DEFAULT_GROUP_EXISTS',
  'ADDRESS_IN_USE',
  'GROUP_IN_USE',
  'GROUP_REFERENCED',
  'ADDRESS_GROUP_IN_USE',
  'AMBIGUOUS_MATCH',
]);

// The core names a rule's remote as the model does; the file names it as a rule input does.
const FILE_NAMES: [RegExp, string][] = [
  [/\.remote\.cidr\b/g, '.remoteIpPrefix'],
  [/\.remote\.groupId\b/g, '.remoteGroup'],
  [/\.remote\.addressGroupId\b/g, '.remoteAddressGroup'],
];
const fileNames = (text: string) => FILE_NAMES.reduce((t, [re, to]) => t.replace(re, to), text);

/** The file's problems, each at its path in the body (the document), as the file spells it. */
function refused(problems: ValidationError[]): ServiceError {
  const errors = problems.map((e) => ({
    path: e.path ? `body.${fileNames(e.path)}` : 'body',
    code: e.code,
    message: fileNames(e.message),
  }));
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ServiceError(
    errors.every((e) => CONFLICTS.has(e.code)) ? 409 : 400,
    first.code as ErrorCode,
    `${first.message}${more}`,
    errors,
    problems[0].facts,
  );
}

/** The region, the loaded file for the caller's tenants, and what the loader made itself. */
function prepare(
  svc: Service,
  p: Principal,
  scope: Scope,
  w: World,
  regionId: string,
  req: PolicyRequest,
): { r: RegionRecord; file: RegionState; facts: FileFacts; tenants: Set<string> } {
  const r = w.regions.get(regionId);
  if (!r) throw notFound('region', regionId);
  const doc = req.document;
  if (!isObject(doc))
    throw badRequest(
      'INVALID_FIELD',
      'body',
      'body must be a policy document (an object; docs/policy-format.md)',
    );
  const region = doc.region;
  if (isObject(region)) {
    if (typeof region.id === 'string' && region.id !== regionId)
      throw badRequest(
        'INVALID_FIELD',
        'body.region.id',
        `body.region.id "${region.id}" is not the region the request names (${regionId})`,
      );
    if (typeof region.profile === 'string' && region.profile !== r.region.profile)
      throw badRequest(
        'INVALID_FIELD',
        'body.region.profile',
        `body.region.profile "${region.profile}": region ${regionId} is a ${r.region.profile} region`,
      );
  }
  let tenants: string[];
  if (!Object.hasOwn(doc, 'tenants')) tenants = [svc.tenantFor(p, req.tenantId)];
  else {
    const listed = Array.isArray(doc.tenants) ? doc.tenants : [];
    tenants = listed.flatMap((t) => (isObject(t) && typeof t.id === 'string' ? [t.id] : []));
    if (req.tenantId !== undefined && tenants.some((t) => t !== req.tenantId))
      throw badRequest(
        'INVALID_FIELD',
        'query.tenantId',
        `query.tenantId "${req.tenantId}": the file lists its own tenants (${tenants.join(', ')})`,
      );
    tenants.forEach((t, i) => {
      if (!scope.sees(t))
        throw forbidden(`body.tenants[${i}].id "${t}": a tenant key acts for its own tenant only`);
      if (!w.tenants.has(t))
        throw badRequest(
          'UNKNOWN_TENANT',
          `body.tenants[${i}].id`,
          `body.tenants[${i}].id "${t}" does not exist`,
        );
    });
  }
  // The stored region's quotas bind (plan-checks.ts), not the file's nor the profile's defaults.
  const loadable = {
    ...doc,
    // Listed tenants go to the loader as written, so that what is wrong with them is reported.
    tenants: Object.hasOwn(doc, 'tenants') ? doc.tenants : tenants.map((id) => ({ id })),
    ...(isObject(region) && {
      region: { ...region, quotas: Object.fromEntries(QUOTA_NAMES.map((q) => [q, 0])) },
    }),
  };
  const { state, errors } = loadPolicy(JSON.stringify(loadable), 'body');
  if (!state) throw refused(errors);
  // The loaded file is valid, so each listed object has an id.
  const declared = (list: unknown) =>
    new Set((Array.isArray(list) ? list : []).map((x) => (x as { id: string }).id));
  const vpcs = declared(doc.vpcs);
  const groups = declared(doc.groups);
  const facts: FileFacts = {
    declares: {
      addressGroups: Object.hasOwn(doc, 'addressGroups'),
      groups: Object.hasOwn(doc, 'groups'),
      instances: Object.hasOwn(doc, 'instances'),
    },
    implicitVpcs: new Set(state.vpcs.filter((v) => !vpcs.has(v.id)).map((v) => v.id)),
    implicitGroups: new Set(state.groups.filter((g) => !groups.has(g.id)).map((g) => g.id)),
  };
  return { r, file: state, facts, tenants: new Set(tenants) };
}

function build(
  svc: Service,
  p: Principal,
  scope: Scope,
  w: World,
  regionId: string,
  req: PolicyRequest,
  makeId: (prefix: string, ref: string) => string,
): { r: RegionRecord; m: Matched; planned: Planned } {
  const { r, file, facts, tenants } = prepare(svc, p, scope, w, regionId, req);
  const problems = new Problems();
  const now = svc.timestamp();
  const { m, groupIds, vpcOf } = matchPolicy(r, file, facts, tenants, makeId, now, problems);
  matchInstances(m, { r, file, facts, tenants, makeId, now, p: problems, groupIds, vpcOf });
  if (problems.list.length) throw refused(problems.list);
  const after = regionAfter(w, r, m);
  checkPlan(w, r, m, after, tenants, problems);
  if (problems.list.length) throw refused(problems.list);
  const count = (action: PlannedChange['action']) => m.changes.filter((c) => c.action === action).length;
  const summary = { create: count('create'), update: count('update'), delete: count('delete') };
  return {
    r,
    m,
    planned: {
      plan: { regionId, revision: w.revision, tenants: [...tenants], changes: m.changes, summary },
      before: w.regionState(regionId)!,
      after,
    },
  };
}

/**
 * What applying the file would change, checked as the write would be, with the packets it
 * newly allows and denies on the caller's ports and the live connections it will cut (the
 * change preview of its events, ops/preview.ts); nothing is written.
 */
export async function planPolicy(svc: Service, p: Principal, regionId: string, req: PolicyRequest) {
  const scope = await svc.read(p);
  const w = svc.world;
  // Objects made by the plan have no ids yet: they are named "new:" and where the file has them.
  const built = build(svc, p, scope, w, regionId, req, (_prefix, ref) => `new:${ref}`);
  const { plan, before } = built.planned;
  const events = eventsOf(w, built.r, built.m);
  const preview = await previewOf(svc, p, {
    revision: plan.revision,
    regionId,
    events,
    before,
    status: 200,
    body: plan,
  });
  return {
    ...built.planned,
    plan: { ...plan, equivalent: preview.equivalent, ports: preview.ports, connections: preview.connections },
  };
}

export interface AppliedPlan extends PolicyPlan {
  /** Whether anything was written (a second apply of the same file writes nothing). */
  applied: boolean;
}

/**
 * Apply the file in one write. `expectedRevision` (the plan's revision, sent as If-Match):
 * refused with 412 REVISION_MISMATCH when the region changed since, and nothing is written.
 */
export function applyPolicy(
  svc: Service,
  p: Principal,
  regionId: string,
  req: PolicyRequest & { expectedRevision?: number },
  opts: WriteOptions,
) {
  return svc.write(p, opts, (w, scope) => {
    const r = w.regions.get(regionId);
    if (!r) throw notFound('region', regionId);
    checkUnchangedSince(w, r, req.expectedRevision);
    const { m, planned } = build(svc, p, scope, w, regionId, req, (prefix) => newId(prefix));
    const events = eventsOf(w, r, m);
    const tenants = planned.plan.tenants;
    return {
      action: 'policy.apply',
      regionId,
      tenantId: tenants.length === 1 ? tenants[0] : null,
      targetId: regionId,
      events,
      status: 200,
      after: (revision: number): AppliedPlan => ({
        ...planned.plan,
        revision: events.length ? revision : planned.plan.revision,
        applied: events.length > 0,
      }),
    };
  });
}

/** The write's events, in an order the world and the store apply them in: what is named exists first. */
function eventsOf(w: World, r: RegionRecord, m: Matched): Event[] {
  const regionId = r.region.id;
  const events: Event[] = m.vpcs.map((vpc) => ({ op: 'vpc.put', vpc }));
  for (const { ag } of m.addressGroups) events.push({ op: 'addressGroup.put', addressGroup: ag });
  for (const { group, created, metaChanged } of m.groups) {
    if (!metaChanged) continue;
    const { rules: _rules, ...meta } = group;
    events.push(...(created ? groupEvents(regionId, group) : [{ op: 'group.put' as const, group: meta }]));
  }
  for (const put of m.rulePuts) events.push({ op: 'rule.put', regionId, ...put });
  for (const del of m.ruleDeletes) events.push({ op: 'rule.delete', regionId, ...del });
  for (const { instance, changed } of m.instances) if (changed) events.push({ op: 'instance.put', instance });
  for (const inst of m.deletedInstances) events.push({ op: 'instance.delete', regionId, id: inst.id });
  for (const g of m.deletedGroups)
    events.push(...shareDeletions(w, g.id), { op: 'group.delete', regionId, id: g.id });
  for (const a of m.deletedAddressGroups)
    events.push(...shareDeletions(w, a.id), { op: 'addressGroup.delete', regionId, id: a.id });
  return events;
}
