// The statements writes run, as SQL text per dialect. Building them with Kysely's query builder
// costs more than running them on SQLite; they never change, so they are written once.
import { CompiledQuery } from 'kysely';
import type { Dialect } from './migrations/index.js';

const quote = (name: string) => `"${name}"`;
/** The placeholder of the i-th parameter (1-based). */
const mark = (dialect: Dialect, i: number) => (dialect === 'postgres' ? `$${i}` : '?');

function insert(dialect: Dialect, table: string, columns: string[], tail = ''): string {
  const marks = columns.map((_, i) => mark(dialect, i + 1));
  return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${marks.join(', ')})${tail}`;
}

const OBJECT_COLUMNS = ['id', 'kind', 'region_id', 'tenant_id', 'parent_id', 'seq', 'revision', 'body'];
const CHANGE_COLUMNS = [
  'revision',
  'region_id',
  'tenant_id',
  'actor',
  'action',
  'target_id',
  'events',
  'before',
  'after',
  'created_at',
];

function statements(dialect: Dialect) {
  return {
    upsertObject: insert(
      dialect,
      'objects',
      OBJECT_COLUMNS,
      ' on conflict ("kind", "id") do update set "body" = excluded."body", "revision" = excluded."revision", "seq" = excluded."seq", "parent_id" = excluded."parent_id"',
    ),
    deleteObject: `delete from "objects" where "kind" = ${mark(dialect, 1)} and "id" = ${mark(dialect, 2)}`,
    /** A group's rules. */
    deleteRules: `delete from "objects" where "kind" = 'rule' and "parent_id" = ${mark(dialect, 1)}`,
    insertChange: insert(dialect, 'change_log', CHANGE_COLUMNS),
    /** PostgreSQL only: the change-log entry and a notification of it (sent at commit), in one round trip. */
    insertChangeAndNotify: `with entry as (${insert(dialect, 'change_log', CHANGE_COLUMNS)}) select pg_notify(${mark(dialect, CHANGE_COLUMNS.length + 1)}, ${mark(dialect, CHANGE_COLUMNS.length + 2)})`,
    insertNonce: insert(
      dialect,
      'nonces',
      ['key_id', 'nonce', 'expires_at'],
      ' on conflict ("key_id", "nonce") do nothing',
    ),
    selectIdempotency: `select * from "idempotency" where "principal" = ${mark(dialect, 1)} and "key" = ${mark(dialect, 2)}`,
    upsertIdempotency: insert(
      dialect,
      'idempotency',
      ['principal', 'key', 'request_hash', 'status', 'response', 'created_at', 'revision'],
      ' on conflict ("principal", "key") do update set "request_hash" = excluded."request_hash", "status" = excluded."status", "response" = excluded."response", "created_at" = excluded."created_at", "revision" = excluded."revision"',
    ),
  };
}

export type StatementName = keyof ReturnType<typeof statements>;

const BY_DIALECT = new Map<Dialect, Map<StatementName, string>>(
  (['sqlite', 'postgres'] as const).map((d) => [
    d,
    new Map(Object.entries(statements(d)) as [StatementName, string][]),
  ]),
);

export function statement(dialect: Dialect, name: StatementName, parameters: unknown[]): CompiledQuery {
  return CompiledQuery.raw(BY_DIALECT.get(dialect)!.get(name)!, parameters);
}
