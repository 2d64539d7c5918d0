// Open the store: embedded SQLite (WAL) by default, PostgreSQL for a postgres:// URL; migrate
// to the latest schema before anything else touches it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  type QueryResult,
  SqliteDialect,
} from 'kysely';
import pg from 'pg';
import { type Dialect, migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The URL or file path it was opened with. */
  location: string;
  /** SQLite only: the same connection, run synchronously (see Service's batched writes). */
  connection?: SyncConnection;
  close(): Promise<void>;
}

/** A SQLite connection that runs a statement at once and answers as Kysely's driver does. */
export interface SyncConnection {
  execute(query: CompiledQuery): QueryResult<unknown>;
  readonly inTransaction: boolean;
}

export const DEFAULT_SQLITE_PATH = './data/palisade.db';

/** `location`: a postgres:// URL, a SQLite file path, or ":memory:". */
export async function openStore(location: string = DEFAULT_SQLITE_PATH): Promise<Store> {
  const postgres = /^postgres(ql)?:\/\//.test(location);
  let db: Kysely<Database>;
  let releaseLock = () => {};
  let connection: SyncConnection | undefined;
  if (postgres) {
    // Revisions are bigint columns; they stay far below 2^53, so read them as numbers.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: location });
    // An idle connection the database ends (restart, failover, admin) is replaced on next use;
    // without a listener its error would crash the process.
    pool.on('error', () => undefined);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    if (location !== ':memory:') {
      mkdirSync(dirname(location), { recursive: true });
      releaseLock = lockFile(`${location}.lock`);
    }
    const sqlite = new SQLite(location);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // WAL + NORMAL: a crash cannot corrupt the database; a power cut may lose the last commits.
    sqlite.pragma('synchronous = NORMAL');
    // Checkpoint every ~40 MB of WAL rather than 4 MB: fewer checkpoint syncs under small writes.
    sqlite.pragma('wal_autocheckpoint = 10000');
    // Temporary files in memory: above all the statement journal of the savepoint each batched
    // write runs in, which past 64 KiB in a transaction would go to a file, a write call per page.
    sqlite.pragma('temp_store = MEMORY');
    const cached = withStatementCache(sqlite);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
    connection = syncConnection(cached);
  }
  const dialect: Dialect = postgres ? 'postgres' : 'sqlite';
  const { error, results } = await new Migrator({ db, provider: migrations(dialect) }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    releaseLock();
    throw new Error(
      `store migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    db,
    dialect,
    location,
    ...(connection ? { connection } : {}),
    close: async () => {
      await db.destroy();
      releaseLock();
    },
  };
}

/**
 * One server per SQLite file: its in-memory state is authoritative only if no other process
 * writes the file. A lock file names the owner; a stale one (its process gone) is taken over.
 */
function lockFile(path: string): () => void {
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  } catch {
    const owner = Number(readFileSync(path, 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner))
      throw new Error(
        `${path}: process ${owner} already serves this database; use PostgreSQL for several servers`,
      );
    writeFileSync(path, String(process.pid));
  }
  return () => rmSync(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement.
 * Statements are reusable (better-sqlite3 is synchronous), so keep one per SQL text. Queries
 * built with varying SQL (IN lists of different lengths) are few, so the cache stays small.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver);
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = target.prepare(sql);
          if (cache.size < 1000) cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/** What Kysely's SQLite driver does for one query, without the promise. */
function syncConnection(sqlite: SQLite.Database): SyncConnection {
  return {
    execute({ sql, parameters }) {
      const stmt = sqlite.prepare(sql);
      if (stmt.reader) return { rows: stmt.all(parameters) };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    },
    get inTransaction() {
      return sqlite.inTransaction;
    },
  };
}
