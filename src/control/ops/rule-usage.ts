// Rule hit history, for "which rules has nothing hit for N days" (issue 13, unused rules).
// Agents report cumulative packet counters per kernel rule; a counter restarts when the agent
// rewrites the chains holding the rule or its table (restart, drift repair). Each report is
// compared with the host's previous one (host_status holds it): the difference is the hits
// since, and a counter that went down restarted, so its whole value is new hits. Per rule the
// store keeps since when it is measured, the first and last hit and per UTC day the hits of
// that day, for RULE_HIT_WINDOWS days. A report is one transaction: the host's previous
// report, locked on PostgreSQL so that two servers given reports of one host count each hit
// once, then one upsert per table in rule id order (concurrent reports of hosts sharing rules
// lock rows in the same order), the old windows dropped, and the report itself.
import { CompiledQuery, type Kysely, type QueryResult, sql } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { GroupRecord } from '../world.js';
import { notFound } from '../errors.js';
import type { Principal, Service } from '../service.js';
import { groupOrThrow } from './groups.js';

export const DAY_MS = 86_400_000;
/** How many daily windows of hits are kept per rule: the longest period `days` may ask about. */
export const RULE_HIT_WINDOWS = 90;
/** Rows per statement: far below either database's limit on bound parameters. */
const CHUNK = 500;

/** The start (ms) of the UTC day holding `t`. */
export const windowStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

/** One rule's new hits since the host's previous report, counting a counter that went down as restarted. */
export function hitsSince(previous: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>) {
  const out = new Map<string, { hits: number; firstSeen: boolean }>();
  for (const [rule, now] of current) {
    const before = previous.get(rule);
    if (before === undefined) out.set(rule, { hits: now, firstSeen: true });
    else out.set(rule, { hits: now >= before ? now - before : now, firstSeen: false });
  }
  return out;
}

/** The counters of a stored report (its body is the JSON the agent sent). */
export function countersOf(body: string | undefined): Map<string, number> {
  if (body === undefined) return new Map();
  const parsed = JSON.parse(body) as { ruleHits?: Record<string, number> };
  return new Map(Object.entries(parsed.ruleHits ?? {}));
}

/**
 * The stored hits plus the new ones, stopping at 2^53 - 1 (what reads back as a number) and
 * never overflowing the 64-bit column, whatever counts agents send.
 */
const saturatedSum = (table: 'rule_usage' | 'rule_hit_windows') =>
  sql<number>`case when ${sql.ref(`${table}.hits`)} > ${Number.MAX_SAFE_INTEGER} - excluded.hits then ${Number.MAX_SAFE_INTEGER} else ${sql.ref(`${table}.hits`)} + excluded.hits end`;

type Steps = Generator<CompiledQuery, void, QueryResult<unknown>>;

/**
 * The statements of one report, in order; each is given the previous one's result. `known`
 * says whether a rule id names a rule (counters of unknown ids are stored with the report but
 * start no history: an agent cannot make the store keep rows for rules that do not exist).
 */
export function* reportSteps(
  db: Kysely<Database>,
  postgres: boolean,
  at: number,
  report: { host: string; revision: number; body: string; counters: Map<string, number> },
  known: (ruleId: string) => boolean,
): Steps {
  const { host } = report;
  const reportedAt = new Date(at).toISOString();
  // A row to lock on PostgreSQL (the first report of a host); replaced below in any case.
  yield db
    .insertInto('host_status')
    .values({ host, revision: report.revision, body: '{}', reported_at: reportedAt })
    .onConflict((oc) => oc.column('host').doNothing())
    .compile();
  const select = db.selectFrom('host_status').select('body').where('host', '=', host);
  const previous = (yield (postgres ? select.forUpdate() : select).compile()).rows as { body: string }[];
  const previousCounters = countersOf(previous[0]?.body);
  const since = hitsSince(previousCounters, report.counters);
  const day = windowStart(at);
  const usage = [...since]
    .filter(([rule, d]) => known(rule) && (d.firstSeen || d.hits > 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < usage.length; i += CHUNK) {
    const rows = usage.slice(i, i + CHUNK).map(([rule_id, d]) => ({
      rule_id,
      measured_since: at,
      first_hit: d.hits > 0 ? at : null,
      last_hit: d.hits > 0 ? at : null,
      hits: d.hits,
    }));
    yield db
      .insertInto('rule_usage')
      .values(rows)
      .onConflict((oc) =>
        oc.column('rule_id').doUpdateSet({
          first_hit: sql`coalesce(rule_usage.first_hit, excluded.first_hit)`,
          last_hit: sql`coalesce(excluded.last_hit, rule_usage.last_hit)`,
          hits: saturatedSum('rule_usage'),
        }),
      )
      .compile();
  }
  const hit = usage.filter(([, d]) => d.hits > 0);
  for (let i = 0; i < hit.length; i += CHUNK) {
    const rows = hit
      .slice(i, i + CHUNK)
      .map(([rule_id, d]) => ({ rule_id, window_start: day, hits: d.hits }));
    yield db
      .insertInto('rule_hit_windows')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['rule_id', 'window_start']).doUpdateSet({ hits: saturatedSum('rule_hit_windows') }),
      )
      .compile();
  }
  yield db
    .deleteFrom('rule_hit_windows')
    .where('window_start', '<', day - (RULE_HIT_WINDOWS - 1) * DAY_MS)
    .compile();
  // A rule the previous report counted that is gone from this one and from the world was
  // deleted: its history goes with it (the store keeps history for rules that exist).
  const gone = [...previousCounters.keys()]
    .filter((rule) => !report.counters.has(rule) && !known(rule))
    .sort();
  for (let i = 0; i < gone.length; i += CHUNK) {
    const ids = gone.slice(i, i + CHUNK);
    yield db.deleteFrom('rule_usage').where('rule_id', 'in', ids).compile();
    yield db.deleteFrom('rule_hit_windows').where('rule_id', 'in', ids).compile();
  }
  yield db
    .updateTable('host_status')
    .set({ revision: report.revision, body: report.body, reported_at: reportedAt })
    .where('host', '=', host)
    .compile();
}

/**
 * Run the steps in one transaction. SQLite: synchronously on the server's own connection (the
 * service's batched writes use it the same way), once no Kysely transaction holds it.
 * PostgreSQL: a transaction of its own.
 */
export async function runTransaction(svc: Service, steps: () => Steps): Promise<void> {
  const connection = svc.store.connection;
  if (!connection) {
    await svc.db.transaction().execute(async (tx) => {
      const it = steps();
      for (let next = it.next(); !next.done;) next = it.next(await tx.executeQuery(next.value));
    });
    return;
  }
  // A write with a side effect holds the connection in a Kysely transaction: wait for it.
  while (connection.inTransaction) await sql`select 1`.execute(svc.db);
  const run = (text: string) => connection.execute(CompiledQuery.raw(text));
  run('begin');
  try {
    const it = steps();
    for (let next = it.next(); !next.done;) next = it.next(connection.execute(next.value));
    run('commit');
  } catch (e) {
    if (connection.inTransaction) run('rollback');
    throw e;
  }
}

interface UsageRow {
  measuredSince: number;
  firstHit: number | null;
  lastHit: number | null;
  hits: number;
  hitsInPeriod: number;
}

/** The stored history of these rules, with their hits in the windows from `from` on. */
async function usageOf(db: Kysely<Database>, ruleIds: string[], from: number) {
  const out = new Map<string, UsageRow>();
  for (let i = 0; i < ruleIds.length; i += CHUNK) {
    const ids = ruleIds.slice(i, i + CHUNK);
    const rows = await db.selectFrom('rule_usage').selectAll().where('rule_id', 'in', ids).execute();
    for (const r of rows)
      out.set(r.rule_id, {
        measuredSince: Number(r.measured_since),
        firstHit: r.first_hit === null ? null : Number(r.first_hit),
        lastHit: r.last_hit === null ? null : Number(r.last_hit),
        hits: Number(r.hits),
        hitsInPeriod: 0,
      });
    const windows = await db
      .selectFrom('rule_hit_windows')
      .select(['rule_id', (eb) => eb.fn.sum<number>('hits').as('hits')])
      .where('rule_id', 'in', ids)
      .where('window_start', '>=', from)
      .groupBy('rule_id')
      .execute();
    for (const w of windows) {
      const u = out.get(w.rule_id);
      if (u) u.hitsInPeriod = Number(w.hits);
    }
  }
  return out;
}

/** The rules some host's latest report counts: those an agent enforces now. */
async function enforcedRules(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db.selectFrom('host_status').select('body').execute();
  const out = new Set<string>();
  for (const r of rows) for (const id of countersOf(r.body).keys()) out.add(id);
  return out;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** Which of these groups' rules nothing hit for `days` days, which were hit, which cannot be measured. */
async function unusedAmong(svc: Service, groups: GroupRecord[], days: number) {
  const now = svc.now();
  const rules = groups.flatMap((g) => [...g.rules.values()]);
  const from = windowStart(now) - (days - 1) * DAY_MS;
  const [usage, enforced] = await Promise.all([
    usageOf(
      svc.db,
      rules.map((s) => s.rule.id),
      from,
    ),
    enforcedRules(svc.db),
  ]);
  const unused = [];
  const used = [];
  const notMeasured = [];
  for (const { rule, groupId } of rules) {
    const u = usage.get(rule.id);
    const base = { ruleId: rule.id, groupId, direction: rule.direction };
    if (!u) {
      notMeasured.push({
        ...base,
        reason: enforced.has(rule.id)
          ? 'an agent enforces it and has not reported since'
          : 'no agent enforces it: no port holding the group is on a host with an agent',
      });
      continue;
    }
    // Measured since an agent first counted it, or since it was made if that is later.
    const created = rule.createdAt ? Date.parse(rule.createdAt) : NaN;
    const since = Number.isFinite(created) ? Math.max(u.measuredSince, created) : u.measuredSince;
    const entry = {
      ...base,
      measuredSince: new Date(since).toISOString(),
      measuredForDays: Math.floor((now - since) / DAY_MS),
      firstHit: iso(u.firstHit),
      lastHit: iso(u.lastHit),
      hits: u.hits,
      hitsInPeriod: u.hitsInPeriod,
      enforcedNow: enforced.has(rule.id),
    };
    if (u.lastHit !== null && u.lastHit > now - days * DAY_MS) used.push(entry);
    else unused.push(entry);
  }
  return { days, asOf: new Date(now).toISOString(), unused, used, notMeasured };
}

/** The rules of one of the caller's groups that nothing hit for `days` days. */
export async function unusedGroupRules(svc: Service, p: Principal, groupId: string, days: number) {
  const scope = await svc.read(p);
  const { g } = groupOrThrow(scope, groupId);
  return { groupId, revision: scope.revision, ...(await unusedAmong(svc, [g], days)) };
}

/** The rules of a port's groups that nothing hit for `days` days (hits are counted per rule, over every port holding it). */
export async function unusedPortRules(svc: Service, p: Principal, portId: string, days: number) {
  const scope = await svc.read(p);
  const found = scope.port(portId);
  if (!found) throw notFound('port', portId);
  const groups = found.port.port.groupIds
    .map((id) => found.r.readableGroup(id))
    .filter((g): g is GroupRecord => g !== undefined);
  return { portId, revision: scope.revision, ...(await unusedAmong(svc, groups, days)) };
}
