// Events to rows and rows back to a world. Writes upsert whole documents by kind and id, so
// applying an event twice leaves the same rows; loading replays one put per stored object.
import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Dialect } from '../store/migrations/index.js';
import type { SyncConnection } from '../store/open.js';
import type { Database, ObjectKind } from '../store/schema.js';
import { statement } from '../store/statements.js';
import type { Event } from './events.js';
import { World } from './world.js';

type Row = Database['objects'];

function rowOf(e: Event, revision: number): Row | null {
  const row = (
    kind: ObjectKind,
    id: string,
    region: string | null,
    tenant: string | null,
    body: unknown,
  ) => ({
    id,
    kind,
    region_id: region,
    tenant_id: tenant,
    parent_id: null as string | null,
    seq: 0,
    revision,
    body: JSON.stringify(body),
  });
  switch (e.op) {
    case 'tenant.put':
      return row('tenant', e.tenant.id, null, e.tenant.id, e.tenant);
    case 'region.put':
      return row('region', e.region.id, null, null, e.region);
    case 'vpc.put':
      return row('vpc', e.vpc.id, e.vpc.regionId, e.vpc.tenantId, e.vpc);
    case 'group.put':
      return row('group', e.group.id, e.group.regionId, e.group.tenantId, e.group);
    case 'rule.put':
      return { ...row('rule', e.rule.id, e.regionId, null, e.rule), parent_id: e.groupId, seq: e.seq };
    case 'addressGroup.put':
      return row(
        'addressGroup',
        e.addressGroup.id,
        e.addressGroup.regionId,
        e.addressGroup.tenantId,
        e.addressGroup,
      );
    case 'instance.put':
      return row('instance', e.instance.id, e.instance.regionId, e.instance.tenantId, e.instance);
    case 'share.put':
      return row('share', e.share.id, e.share.regionId, e.share.tenantId, e.share);
    default:
      return null;
  }
}

/** The statements that store a write's events (in order), at the write's revision. */
export function persistStatements(dialect: Dialect, revision: number, events: Event[]): CompiledQuery[] {
  const out: CompiledQuery[] = [];
  for (const e of events) {
    const row = rowOf(e, revision);
    if (row) {
      const values = [
        row.id,
        row.kind,
        row.region_id,
        row.tenant_id,
        row.parent_id,
        row.seq,
        row.revision,
        row.body,
      ];
      out.push(statement(dialect, 'upsertObject', values));
      continue;
    }
    const kind = deletedKind(e);
    if (kind === null || !('id' in e)) continue;
    if (kind === 'group') out.push(statement(dialect, 'deleteRules', [e.id]));
    out.push(statement(dialect, 'deleteObject', [kind, e.id]));
  }
  return out;
}

/** The kind of object a delete event removes (objects are identified by kind and id). */
function deletedKind(e: Event): ObjectKind | null {
  switch (e.op) {
    case 'tenant.delete':
      return 'tenant';
    case 'region.delete':
      return 'region';
    case 'vpc.delete':
      return 'vpc';
    case 'group.delete':
      return 'group';
    case 'rule.delete':
      return 'rule';
    case 'addressGroup.delete':
      return 'addressGroup';
    case 'instance.delete':
      return 'instance';
    case 'share.delete':
      return 'share';
    default:
      return null;
  }
}

/** Parents before children, so that each put finds what it belongs to. */
const LOAD_ORDER: ObjectKind[] = [
  'tenant',
  'region',
  'vpc',
  'group',
  'addressGroup',
  'rule',
  'instance',
  'share',
];

/**
 * The queries that read the world back: the head revision, each region's last change (a
 * deletion leaves no object behind to say when it happened), then each kind of object in load
 * order.
 */
function worldQueries(db: Kysely<Database> | Transaction<Database>): CompiledQuery[] {
  return [
    db
      .selectFrom('change_log')
      .select((eb) => eb.fn.max('revision').as('max'))
      .compile(),
    db
      .selectFrom('change_log')
      .select((eb) => ['region_id', eb.fn.max('revision').as('max')])
      .where('region_id', 'is not', null)
      .groupBy('region_id')
      .compile(),
    ...LOAD_ORDER.map((kind) =>
      db.selectFrom('objects').selectAll().where('kind', '=', kind).orderBy('seq').orderBy('id').compile(),
    ),
  ];
}

function worldOf([head, lastChanges, ...kinds]: unknown[][]): World {
  const world = new World();
  for (const rows of kinds)
    for (const row of rows as Row[]) world.applyEvent(eventOf(row), Number(row.revision));
  for (const { region_id, max } of lastChanges as { region_id: string; max: number | string }[])
    world.regions.get(region_id)?.changedAt(Number(max));
  world.revision = Number((head[0] as { max: number | null } | undefined)?.max ?? 0);
  return world;
}

export async function loadWorld(db: Kysely<Database> | Transaction<Database>): Promise<World> {
  const results: unknown[][] = [];
  for (const query of worldQueries(db)) results.push((await db.executeQuery(query)).rows);
  return worldOf(results);
}

/** The same, at once, on a SQLite store (a batch of writes that failed to commit is undone in memory). */
export function loadWorldNow(db: Kysely<Database>, connection: SyncConnection): World {
  return worldOf(worldQueries(db).map((query) => connection.execute(query).rows));
}

function eventOf(row: Row): Event {
  const body = JSON.parse(row.body);
  switch (row.kind) {
    case 'tenant':
      return { op: 'tenant.put', tenant: body };
    case 'region':
      return { op: 'region.put', region: body };
    case 'vpc':
      return { op: 'vpc.put', vpc: body };
    case 'group':
      return { op: 'group.put', group: body };
    case 'rule':
      return {
        op: 'rule.put',
        regionId: row.region_id!,
        groupId: row.parent_id!,
        seq: Number(row.seq),
        rule: body,
      };
    case 'addressGroup':
      return { op: 'addressGroup.put', addressGroup: body };
    case 'instance':
      return { op: 'instance.put', instance: body };
    case 'share':
      return { op: 'share.put', share: body };
  }
}
