// The change log read three ways: the watch (events after a revision, in order, then live),
// the snapshot (the whole desired state at a revision, where a follower starts), and the
// audit log (who changed what, before and after).
import { type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../store/schema.js';
import { ServiceError } from '../errors.js';
import type { ChangeRecord } from '../events.js';
import { decodeCursor, encodeCursor, isRevision, MAX_LIMIT } from '../paging.js';
import { sees } from '../scope.js';
import type { Principal, Service } from '../service.js';
import { World } from '../world.js';

export interface WatchFilter {
  regionId?: string;
  /** Only regions where this host has ports (what a host agent needs: members on other hosts included). */
  host?: string;
}

type LogQuery = SelectQueryBuilder<Database, 'change_log', Database['change_log']>;

/** Tenants see their own changes and region changes; admins see everything. */
function scoped<Q extends LogQuery>(q: Q, p: Principal): Q {
  if (p.role === 'admin') return q;
  return q.where((eb) => eb.or([eb('tenant_id', '=', p.tenantId), eb('action', 'like', 'region.%')])) as Q;
}

function regionsOfHost(svc: Service, host: string): string[] {
  const out: string[] = [];
  for (const r of svc.world.regions.values())
    for (const { port } of r.ports.values())
      if (port.host === host) {
        out.push(r.region.id);
        break;
      }
  return out;
}

/** Committed changes after `fromRevision`, in revision order, at most `limit`. */
export async function readChanges(
  svc: Service,
  p: Principal,
  fromRevision: number,
  filter: WatchFilter,
  limit = 500,
): Promise<ChangeRecord[]> {
  let q = scoped(svc.db.selectFrom('change_log').selectAll().where('revision', '>', fromRevision), p);
  if (filter.regionId !== undefined) q = q.where('region_id', '=', filter.regionId);
  if (filter.host !== undefined) {
    await svc.sync();
    const regions = regionsOfHost(svc, filter.host);
    if (!regions.length) return [];
    q = q.where('region_id', 'in', regions);
  }
  const rows = await q.orderBy('revision').limit(limit).execute();
  return rows.map((row) => ({
    revision: Number(row.revision),
    regionId: row.region_id,
    tenantId: row.tenant_id,
    action: row.action,
    events: JSON.parse(row.events),
    at: row.created_at,
  }));
}

/** The desired state at a revision (default: the latest), as a follower starts from it. */
export async function snapshot(svc: Service, p: Principal, q: { regionId?: string; revision?: number }) {
  await svc.sync();
  const world = q.revision === undefined ? svc.world : await worldAt(svc, q.revision, 'query.revision');
  const visible = <T extends { tenantId: string }>(xs: T[]) => xs.filter((x) => sees(p, x.tenantId));
  const regions = [...world.regions.values()]
    .filter((r) => q.regionId === undefined || r.region.id === q.regionId)
    .map((r) => {
      const state = world.regionState(r.region.id)!;
      return {
        region: state.region,
        vpcs: visible(state.vpcs),
        groups: visible(state.groups),
        addressGroups: visible(state.addressGroups),
        instances: visible(state.instances),
      };
    });
  const tenants = [...world.tenants.values()].map((t) => t.value).filter((t) => sees(p, t.id));
  return { revision: world.revision, tenants, regions };
}

/**
 * The world at a committed revision (0 to the latest), replayed from the change log; the latest
 * is the live world. `path` names the parameter in a refusal. The caller has synced.
 */
export async function worldAt(svc: Service, revision: number, path: string): Promise<World> {
  const latest = svc.world;
  if (revision === latest.revision) return latest;
  if (revision > latest.revision || revision < 0)
    throw new ServiceError(
      400,
      'INVALID_REVISION',
      `revision ${revision} is not between 0 and the latest, ${latest.revision}`,
      [{ path, code: 'INVALID_REVISION', message: `not between 0 and ${latest.revision}` }],
    );
  return replay(svc, revision);
}

async function replay(svc: Service, revision: number): Promise<World> {
  const world = new World();
  let after = 0;
  for (;;) {
    const rows = await svc.db
      .selectFrom('change_log')
      .select(['revision', 'events'])
      .where('revision', '>', after)
      .where('revision', '<=', revision)
      .orderBy('revision')
      .limit(1000)
      .execute();
    for (const row of rows) world.applyWrite(Number(row.revision), JSON.parse(row.events));
    if (rows.length < 1000) return world;
    after = Number(rows[rows.length - 1].revision);
  }
}

export interface AuditQuery {
  regionId?: string;
  tenantId?: string;
  targetId?: string;
  /** Writes to the group or to its rules (a single rule's write targets the rule). */
  groupId?: string;
  action?: string;
  actor?: string;
  cursor?: string;
  limit?: number;
}

/**
 * A write with an event of the group's rules: every rule event names its group (`"groupId":...`
 * in the events as stored, JSON.stringify's compact text), and nothing else carries that key
 * (memberships are `groupIds`). The id's LIKE wildcards are escaped.
 */
function mentionsGroup(groupId: string) {
  const text = `"groupId":${JSON.stringify(groupId)}`.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`events like ${`%${text}%`} escape '\\'`;
}

/** The audit log, newest first. */
export async function listAudit(svc: Service, p: Principal, a: AuditQuery) {
  const limit = Math.min(a.limit ?? 100, MAX_LIMIT);
  let q = scoped(svc.db.selectFrom('change_log').selectAll(), p);
  if (a.regionId !== undefined) q = q.where('region_id', '=', a.regionId);
  if (a.tenantId !== undefined) q = q.where('tenant_id', '=', a.tenantId);
  if (a.targetId !== undefined) q = q.where('target_id', '=', a.targetId);
  if (a.groupId !== undefined) {
    const groupId = a.groupId;
    q = q.where((eb) => eb.or([eb('target_id', '=', groupId), mentionsGroup(groupId)]));
  }
  if (a.action !== undefined) q = q.where('action', '=', a.action);
  if (a.actor !== undefined) q = q.where('actor', '=', a.actor);
  const before = decodeCursor(a.cursor, isRevision);
  if (before !== undefined) q = q.where('revision', '<', before);
  const rows = await q
    .orderBy('revision', 'desc')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((row) => ({
    revision: Number(row.revision),
    at: row.created_at,
    actor: row.actor,
    action: row.action,
    regionId: row.region_id,
    tenantId: row.tenant_id,
    targetId: row.target_id,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
  }));
  return rows.length > limit
    ? { items, nextCursor: encodeCursor(items[items.length - 1].revision) }
    : { items };
}
