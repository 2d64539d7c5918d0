// The service layer's machinery: the one path every write takes, whatever front end it came
// through. A write runs under the store's write lock, on a world brought up to the latest
// revision, so validation and quotas see every committed change; it commits its rows, its
// change-log entry (the change stream and the audit log) and its idempotency record in one
// transaction, and only then becomes visible to requests. On SQLite the writes that arrive
// together share that transaction, each in a savepoint of its own (see enqueue).
import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely, type QueryResult, sql, type Transaction } from 'kysely';
import type { Profile, RegionState } from '../core/model.js';
import type { Store } from '../store/open.js';
import { statement } from '../store/statements.js';
import type { Database } from '../store/schema.js';
import { conflict, type ErrorCode, forbidden, ServiceError } from './errors.js';
import type { Event } from './events.js';
import { CHANNEL, ChangeFeed } from './feed.js';
import { loadWorld, loadWorldNow, persistStatements } from './persistence.js';
import { Scope } from './scope.js';
import type { World } from './world.js';

export type Principal =
  { role: 'admin'; keyId: string } | { role: 'tenant'; keyId: string; tenantId: string };

/** What a write will do, decided against the current world (throws ServiceError instead). */
export interface Plan<R> {
  action: string;
  regionId: string | null;
  tenantId: string | null;
  targetId: string | null;
  events: Event[];
  before?: unknown;
  /** The response (and the audit log's "after"), given the write's revision. */
  after: (revision: number) => R;
  status?: number;
  /** Rows outside the domain objects (access keys, tokens) written in the same transaction. */
  sideEffect?: (tx: Transaction<Database>) => Promise<void>;
}

export interface WriteOptions {
  /** A client's key for a retried create: the same key replays the first answer. */
  idempotencyKey?: string;
  /** Hash of method, path and body: a key reused for another request is refused. */
  requestHash?: string;
  /** Optimistic concurrency: the revision the client last read (If-Match). */
  ifMatch?: number;
  /**
   * The same on the object's own change count (changeCount: Neutron's revision_number), for
   * front ends whose clients name that instead of the store's revision.
   */
  ifChangeCount?: number;
  /** The signed request's nonce, recorded in the write's own transaction (one commit, not two). */
  nonce?: NonceUse;
  /**
   * Decide the write against the latest world (every check and quota, exactly as for real), answer
   * as it would, and store nothing: Huawei's dry_run. The nonce is still used up.
   */
  dryRun?: boolean;
  /**
   * A dry run whose answer is a preview of the change (ops/preview.ts): called with the write as
   * decided, after the write's steps, off the write lock; what it returns is the result's preview.
   */
  preview?: (planned: PlannedWrite) => Promise<unknown>;
}

/** A write decided and not stored: its events, and its region just before them. */
export interface PlannedWrite {
  revision: number;
  regionId: string | null;
  events: Event[];
  /** The region the write was decided against (a value: world states are never mutated). */
  before: RegionState | undefined;
  status: number;
  body: unknown;
}

export interface NonceUse {
  keyId: string;
  nonce: string;
  expiresAt: number;
  /** Set once recorded, so the server's safety net does not record it again. */
  recorded?: boolean;
}

export const replayed = (n: NonceUse) =>
  new ServiceError(
    401,
    'REPLAYED_REQUEST',
    `nonce ${n.nonce} was already used: a signed request is valid once`,
  );

/** Record a nonce; false when it was already there (a replay). */
export async function recordNonce(
  store: Store,
  db: Kysely<Database> | Transaction<Database>,
  n: NonceUse,
): Promise<boolean> {
  const result = await db.executeQuery(
    statement(store.dialect, 'insertNonce', [n.keyId, n.nonce, n.expiresAt]),
  );
  return Number(result.numAffectedRows ?? 0) > 0;
}

export interface WriteResult<R> {
  status: number;
  body: R;
  revision: number;
  replayed: boolean;
  /** WriteOptions.preview: the write as decided, and its preview (nothing was stored). */
  planned?: PlannedWrite;
  preview?: unknown;
}

/** A step of a write: a statement to run, taking the write lock, or the plan's sideEffect. */
type Step = CompiledQuery | typeof LOCK | ((tx: Transaction<Database>) => Promise<void>);

/** The step from which a write holds the write lock, on a world brought up to the latest revision. */
const LOCK = Symbol('write lock');

interface Outcome<R> {
  result: WriteResult<R>;
  /** What the write changed, for the world once stored (absent: nothing changed). */
  committed?: { revision: number; events: Event[] };
}

type Steps<R> = Generator<Step, Outcome<R>, QueryResult<unknown>>;

interface Queued {
  p: Principal;
  opts: WriteOptions;
  plan: (world: World, scope: Scope) => Plan<unknown>;
  resolve(result: WriteResult<unknown>): void;
  reject(error: unknown): void;
}

const NO_ROWS: QueryResult<unknown> = { rows: [] };
/** SQLite: the most writes one batch commits (a batch holds the event loop while it runs). */
const MAX_BATCH = 100;
/** Thrown by a batched write whose plan has a sideEffect: it runs in a transaction of its own. */
const NEEDS_TRANSACTION = Symbol('needs a transaction of its own');

/** Any number: the advisory lock every writer on a PostgreSQL store takes. */
const WRITE_LOCK = 0x70616c69;
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export class Service {
  readonly feed: ChangeFeed;
  private syncing: Promise<void> | null = null;
  /** SQLite: writes waiting for the next batch, in arrival order. */
  private queue: Queued[] = [];
  private draining = false;

  private constructor(
    readonly store: Store,
    public world: World,
    readonly now: () => number,
  ) {
    this.feed = new ChangeFeed(store);
  }

  static async open(store: Store, now: () => number = Date.now): Promise<Service> {
    const service = new Service(store, await loadWorld(store.db), now);
    // A notification of a revision this server has (its own write, mostly) needs no catch-up.
    await service.feed.start((revision) =>
      revision !== undefined && revision <= service.world.revision ? Promise.resolve() : service.sync(),
    );
    return service;
  }

  async close(): Promise<void> {
    await this.feed.stop();
  }

  get db(): Kysely<Database> {
    return this.store.db;
  }

  /**
   * Bring the world up to the latest committed revision (other servers' writes). A SQLite
   * store has one server (openStore locks the file), whose world is always current.
   */
  sync(): Promise<void> {
    if (this.store.dialect === 'sqlite') return Promise.resolve();
    this.syncing ??= this.catchUp(this.store.db).finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async catchUp(db: Kysely<Database> | Transaction<Database>): Promise<void> {
    for (;;) {
      const rows = await db
        .selectFrom('change_log')
        .select(['revision', 'events'])
        .where('revision', '>', this.world.revision)
        .orderBy('revision')
        .limit(1000)
        .execute();
      for (const row of rows) this.world.applyWrite(Number(row.revision), JSON.parse(row.events));
      if (rows.length < 1000) return;
    }
  }

  /**
   * What `p` may see, caught up with every committed write (other servers' too): every read of
   * every API starts here, so no read misses a write that was acknowledged before it.
   */
  async read(p: Principal): Promise<Scope> {
    await this.sync();
    return new Scope(this.world, p);
  }

  /** Whether a region of this profile exists (regions are public: discovery documents ask). */
  async hasRegion(id: string, profile: Profile): Promise<boolean> {
    await this.sync();
    return this.world.regions.get(id)?.region.profile === profile;
  }

  async write<R>(
    p: Principal,
    opts: WriteOptions,
    plan: (world: World, scope: Scope) => Plan<R>,
  ): Promise<WriteResult<R>> {
    try {
      const result = await (this.store.connection
        ? this.enqueue(p, opts, plan)
        : this.transact(p, opts, plan));
      if (opts.preview && result.planned) result.preview = await opts.preview(result.planned);
      return result;
    } catch (e) {
      // A refused write still uses up its nonce: replaying it later must not succeed.
      const n = opts.nonce;
      if (n && !n.recorded) {
        n.recorded = true;
        if (!(await recordNonce(this.store, this.store.db, n))) throw replayed(n);
      }
      throw e;
    }
  }

  /**
   * One write's work in order: every statement it runs is yielded to the caller, which runs it
   * (in a transaction it holds) and resumes the steps with the result. The same steps thus run
   * awaited, statement by statement (PostgreSQL), or synchronously in a batch (SQLite).
   */
  private *steps<R>(
    p: Principal,
    opts: WriteOptions,
    plan: (world: World, scope: Scope) => Plan<R>,
  ): Steps<R> {
    const dialect = this.store.dialect;
    const n = opts.nonce;
    if (n && !n.recorded) {
      const inserted = yield statement(dialect, 'insertNonce', [n.keyId, n.nonce, n.expiresAt]);
      if (!Number(inserted.numAffectedRows ?? 0)) {
        n.recorded = true;
        throw replayed(n);
      }
    }
    // The nonce needs neither the lock nor the latest world: the lock is held that much shorter.
    yield LOCK;
    const principal = principalId(p);
    if (opts.idempotencyKey && !opts.dryRun && !opts.preview) {
      const found = yield statement(dialect, 'selectIdempotency', [principal, opts.idempotencyKey]);
      const prior = found.rows[0] as Database['idempotency'] | undefined;
      if (prior && Number(prior.created_at) > this.now() - IDEMPOTENCY_TTL_MS) {
        if (prior.request_hash !== opts.requestHash)
          throw new ServiceError(
            422,
            'IDEMPOTENCY_KEY_REUSED',
            `Idempotency-Key "${opts.idempotencyKey}" was used for a different request`,
          );
        return {
          result: {
            status: prior.status,
            body: JSON.parse(prior.response) as R,
            revision: Number(prior.revision ?? 0),
            replayed: true,
          },
        };
      }
    }
    const decided = plan(this.world, new Scope(this.world, p));
    if (opts.dryRun || opts.preview) {
      const status = decided.status ?? (decided.events.length ? 201 : 200);
      const body = decided.after(this.world.revision);
      const revision = this.world.revision;
      const planned: PlannedWrite | undefined = opts.preview && {
        revision,
        regionId: decided.regionId,
        events: decided.events,
        before: decided.regionId === null ? undefined : this.world.regionState(decided.regionId),
        status,
        body,
      };
      return { result: { status, body, revision, replayed: false, ...(planned && { planned }) } };
    }
    if (decided.events.length === 0 && !decided.sideEffect)
      return {
        result: {
          status: decided.status ?? 200,
          body: decided.after(this.world.revision),
          revision: this.world.revision,
          replayed: false,
        },
      };
    // Revisions are allocated under the write lock: gap-free and in commit order.
    const revision = this.world.revision + 1;
    const body = decided.after(revision);
    yield* persistStatements(dialect, revision, decided.events);
    if (decided.sideEffect) yield decided.sideEffect;
    const response = JSON.stringify(body);
    const change = [
      revision,
      decided.regionId,
      decided.tenantId,
      p.keyId,
      decided.action,
      decided.targetId,
      JSON.stringify(decided.events),
      decided.before === undefined ? null : JSON.stringify(decided.before),
      response,
      new Date(this.now()).toISOString(),
    ];
    // PostgreSQL: other servers hear of the revision (at commit) from the same statement.
    yield dialect === 'postgres'
      ? statement(dialect, 'insertChangeAndNotify', [...change, CHANNEL, String(revision)])
      : statement(dialect, 'insertChange', change);
    const status = decided.status ?? 201;
    if (opts.idempotencyKey)
      yield statement(dialect, 'upsertIdempotency', [
        principal,
        opts.idempotencyKey,
        opts.requestHash ?? '',
        status,
        response,
        this.now(),
        revision,
      ]);
    return {
      result: { status, body, revision, replayed: false },
      committed: { revision, events: decided.events },
    };
  }

  /** A write in a transaction of its own (PostgreSQL; on SQLite, a write with a sideEffect). */
  private async transact<R>(
    p: Principal,
    opts: WriteOptions,
    plan: (world: World, scope: Scope) => Plan<R>,
  ): Promise<WriteResult<R>> {
    const outcome = await this.store.db.transaction().execute(async (tx) => {
      const steps = this.steps(p, opts, plan);
      for (let next = steps.next(); ;) {
        if (next.done) return next.value;
        next = steps.next(await this.run(tx, next.value));
      }
    });
    if (opts.nonce) opts.nonce.recorded = true;
    if (outcome.committed) {
      const { revision, events } = outcome.committed;
      this.world.applyWrite(revision, events);
      this.feed.notify(revision);
    }
    return outcome.result;
  }

  private async run(tx: Transaction<Database>, step: Step): Promise<QueryResult<unknown>> {
    if (step === LOCK) {
      // PostgreSQL: the advisory lock every writer takes, then the other servers' writes.
      if (this.store.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(tx);
        await this.catchUp(tx);
      }
      return NO_ROWS;
    }
    if (typeof step === 'function') {
      await step(tx);
      return NO_ROWS;
    }
    return tx.executeQuery(step);
  }

  /**
   * SQLite: queue the write for the next batch. The writes that arrive together (within one
   * turn of the event loop) commit together: one transaction, each write in a savepoint of its
   * own, so one write's failure undoes that write only. The batch runs synchronously, so no
   * request sees the world between a write and the commit that makes it durable; every write
   * is answered only after that commit.
   */
  private enqueue<R>(p: Principal, opts: WriteOptions, plan: (world: World, scope: Scope) => Plan<R>) {
    return new Promise<WriteResult<R>>((resolve, reject) => {
      this.queue.push({ p, opts, plan, resolve, reject } as Queued);
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    const [alone, ...after] = this.commitBatch(this.queue.splice(0, MAX_BATCH));
    if (alone) {
      // A write with a sideEffect runs in a Kysely transaction of its own; the writes behind it wait.
      this.queue.unshift(...after);
      await this.transact(alone.p, alone.opts, alone.plan).then(alone.resolve, alone.reject);
    }
    // The next batch after a turn of the event loop: answers go out, requests come in.
    if (this.queue.length) setImmediate(() => void this.drain());
    else this.draining = false;
  }

  /**
   * Run the writes in one transaction and commit it; answer each. Answers the writes from the
   * first one that needs a transaction of its own (a sideEffect), not run.
   */
  private commitBatch(batch: Queued[]): Queued[] {
    const connection = this.store.connection!;
    const run = (text: string) => connection.execute(CompiledQuery.raw(text));
    const done: { write: Queued; outcome?: Outcome<unknown>; error?: unknown }[] = [];
    let rest: Queued[] = [];
    let applied = false;
    try {
      run('begin');
      for (let i = 0; i < batch.length; i++) {
        const write = batch[i];
        let outcome: Outcome<unknown>;
        run('savepoint write');
        try {
          outcome = this.runNow(this.steps(write.p, write.opts, write.plan));
          run('release write');
        } catch (e) {
          // A statement that ended the transaction (I/O error, disk full) takes the batch with it.
          if (!connection.inTransaction) throw e;
          run('rollback to write');
          run('release write');
          if (e === NEEDS_TRANSACTION) {
            rest = batch.slice(i);
            break;
          }
          done.push({ write, error: e });
          continue;
        }
        // The next write of the batch is planned on a world that holds this one.
        if (outcome.committed) {
          applied = true;
          this.world.applyWrite(outcome.committed.revision, outcome.committed.events);
        }
        done.push({ write, outcome });
      }
      run('commit');
    } catch (e) {
      // Nothing of the batch is stored: answer every write with the error, and forget the batch
      // in memory too, before any request can read the world (should the store not even read
      // back, the error ends the process: its world is no longer the store's).
      for (const write of batch) write.reject(e);
      if (connection.inTransaction) run('rollback');
      if (applied) this.world = loadWorldNow(this.store.db, connection);
      return [];
    }
    for (const { write, outcome, error } of done) {
      if (!outcome) {
        write.reject(error);
        continue;
      }
      if (write.opts.nonce) write.opts.nonce.recorded = true;
      write.resolve(outcome.result);
    }
    if (applied) this.feed.notify(this.world.revision);
    return rest;
  }

  /** Run a write's steps synchronously; a sideEffect (Kysely, async) needs a transaction of its own. */
  private runNow<R>(steps: Steps<R>): Outcome<R> {
    const connection = this.store.connection!;
    for (let next = steps.next(); ;) {
      if (next.done) return next.value;
      const step = next.value;
      // The batch runs alone on the connection: it holds the lock, on the latest world.
      if (step === LOCK) next = steps.next(NO_ROWS);
      else if (typeof step === 'function') throw NEEDS_TRANSACTION;
      else next = steps.next(connection.execute(step));
    }
  }

  /** The time a write records on what it creates or changes (ISO 8601, whole seconds). */
  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  requireAdmin(p: Principal): void {
    if (p.role !== 'admin') throw forbidden('this operation needs an operator (admin) key');
  }

  /** The tenant a create acts for: the caller's own, or (admins) the one named. */
  tenantFor(p: Principal, requested: string | undefined): string {
    if (p.role === 'tenant') {
      if (requested !== undefined && requested !== p.tenantId)
        throw forbidden(`tenantId "${requested}": a tenant key acts for its own tenant only`);
      return p.tenantId;
    }
    if (requested === undefined)
      throw new ServiceError(
        400,
        'MISSING_FIELD',
        'tenantId is required when an admin key creates an object',
        [{ path: 'body.tenantId', code: 'MISSING_FIELD', message: 'tenantId is required for admin keys' }],
      );
    if (!this.world.tenants.has(requested))
      throw new ServiceError(400, 'UNKNOWN_TENANT', `tenantId "${requested}" does not exist`, [
        { path: 'body.tenantId', code: 'UNKNOWN_TENANT', message: `tenant "${requested}" does not exist` },
      ]);
    return requested;
  }

  /** Optimistic concurrency: the client's If-Match revision against the object's. */
  checkRevision(expected: number | undefined, actual: number, what: string): void {
    if (expected !== undefined && expected !== actual)
      throw new ServiceError(
        412,
        'REVISION_MISMATCH',
        `${what} is at revision ${actual}, not ${expected} as If-Match expects: it changed since you read it`,
        [],
        { expected, actual },
      );
  }

  /** Both optimistic-concurrency options of a write, against an object's revision and change count. */
  checkVersion(
    opts: Pick<WriteOptions, 'ifMatch' | 'ifChangeCount'>,
    object: { revision: number; changeCount: number | undefined },
    what: string,
  ): void {
    this.checkRevision(opts.ifMatch, object.revision, what);
    const count = object.changeCount ?? 0;
    if (opts.ifChangeCount !== undefined && opts.ifChangeCount !== count)
      throw new ServiceError(
        412,
        'REVISION_MISMATCH',
        `${what} has changed ${count} times, not ${opts.ifChangeCount} as the request expects: it changed since you read it`,
        [],
        { expected: opts.ifChangeCount, actual: count },
      );
  }

  inUse(code: ErrorCode, message: string): ServiceError {
    return conflict(code, message);
  }
}

/** The plan of deleting one object: 204, nothing after, the object as it was before. */
export function deletion(
  action: string,
  scope: { regionId: string | null; tenantId: string | null },
  id: string,
  event: Event,
  before: unknown,
): Plan<null> {
  return { action, ...scope, targetId: id, events: [event], before, after: () => null, status: 204 };
}

export const principalId = (p: Principal) =>
  p.role === 'admin' ? `admin:${p.keyId}` : `tenant:${p.tenantId}`;

export const requestHash = (method: string, url: string, body: string) =>
  createHash('sha256').update(`${method}\n${url}\n${body}`).digest('hex');
