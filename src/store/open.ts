// Open the store: embedded SQLite (WAL) by default, PostgreSQL for a postgres:// URL; migrate
// to the latest schema before anything else touches it.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type Dialect, migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The URL or file path it was opened with. */
  location: string;
  close(): Promise<void>;
}

export const DEFAULT_SQLITE_PATH = './data/palisade.db';

/** `location`: a postgres:// URL, a SQLite file path, or ":memory:". */
export async function openStore(location: string = DEFAULT_SQLITE_PATH): Promise<Store> {
  const postgres = /^postgres(ql)?:\/\//.test(location);
  let db: Kysely<Database>;
  if (postgres) {
    // Revisions are bigint columns; they stay far below 2^53, so read them as numbers.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location }) }),
    });
  } else {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    const sqlite = new SQLite(location);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // WAL + NORMAL: a crash cannot corrupt the database; a power cut may lose the last commits.
    sqlite.pragma('synchronous = NORMAL');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const dialect: Dialect = postgres ? 'postgres' : 'sqlite';
  const { error, results } = await new Migrator({ db, provider: migrations(dialect) }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(
      `store migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { db, dialect, location, close: () => db.destroy() };
}
