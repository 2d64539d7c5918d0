// SQLite commits the writes that arrive together in one transaction, a savepoint each: every
// write is still all or nothing, revisions follow arrival order without gaps, a refused write
// uses up its nonce, and a batch that fails to commit is undone in memory as in the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyService } from '../../src/control/auth/keys.js';
import { MasterKey } from '../../src/control/auth/secrets.js';
import { type Principal, Service } from '../../src/control/service.js';
import { createTenant } from '../../src/control/ops/tenancy.js';
import { openStore, type Store } from '../../src/store/open.js';

const admin: Principal = { role: 'admin', keyId: 'PKADMIN' };

describe('batched writes on SQLite', () => {
  let dir: string;
  let store: Store;
  let svc: Service;
  let statements: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-batch-'));
    store = await openStore(join(dir, 'palisade.db'));
    svc = await Service.open(store);
    statements = [];
    const connection = store.connection!;
    const execute = connection.execute.bind(connection);
    connection.execute = (q) => (statements.push(q.sql), execute(q));
  });
  afterEach(async () => {
    await svc.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tenant = (id: string, opts = {}) => createTenant(svc, admin, { id, name: id }, opts);
  const changeLog = async () =>
    (
      await store.db.selectFrom('change_log').select(['revision', 'target_id']).orderBy('revision').execute()
    ).map((r) => [Number(r.revision), r.target_id]);

  it('commits the writes that arrive together once, in arrival order, each all or nothing', async () => {
    const results = await Promise.allSettled([tenant('a'), tenant('b'), tenant('a'), tenant('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason.code).toBe('ALREADY_EXISTS');
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.revision : null))).toEqual([1, 2, null, 3]);
    expect(statements.filter((s) => s === 'commit')).toHaveLength(1);
    expect(await changeLog()).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(svc.world.revision).toBe(3);
  });

  it('records the nonce of every write of a batch, refused ones too, and refuses a nonce used twice', async () => {
    const nonce = (n: string) => ({ nonce: { keyId: 'PKADMIN', nonce: n, expiresAt: Date.now() + 60_000 } });
    const results = await Promise.allSettled([
      tenant('a', nonce('n1')),
      tenant('a', nonce('n2')),
      tenant('b', nonce('n1')),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? r.reason.code : 'ok'))).toEqual([
      'ok',
      'ALREADY_EXISTS',
      'REPLAYED_REQUEST',
    ]);
    const nonces = await store.db.selectFrom('nonces').select('nonce').orderBy('nonce').execute();
    expect(nonces.map((n) => n.nonce)).toEqual(['n1', 'n2']);
    expect(svc.world.tenants.has('b')).toBe(false);
  });

  it('runs a write with its own rows (an access key) alone, in its place in the order', async () => {
    const keys = new KeyService(svc, MasterKey.fromBase64(Buffer.alloc(32, 3).toString('base64'), 'test'));
    const [, { body: key }] = await Promise.all([
      tenant('a'),
      keys.create(admin, { role: 'admin' }),
      tenant('b'),
    ]);
    expect(await changeLog()).toEqual([
      [1, 'a'],
      [2, key.id],
      [3, 'b'],
    ]);
    expect((await keys.list(admin)).map((k) => k.id)).toEqual([key.id]);
  });

  it('undoes a batch that fails to commit, in memory as in the store, and answers each write with the error', async () => {
    await tenant('before');
    const connection = store.connection!;
    const execute = connection.execute;
    connection.execute = (q) => {
      if (q.sql === 'commit') {
        connection.execute = execute;
        throw new Error('disk I/O error');
      }
      return execute(q);
    };
    const results = await Promise.allSettled([tenant('a'), tenant('b')]);
    expect(results.map((r) => r.status === 'rejected' && r.reason.message)).toEqual([
      'disk I/O error',
      'disk I/O error',
    ]);
    expect(svc.world.revision).toBe(1);
    expect([...svc.world.tenants.keys()]).toEqual(['before']);
    expect(store.connection!.inTransaction).toBe(false);
    // The revisions the failed batch took are free again: the sequence stays gap-free.
    expect((await tenant('c')).revision).toBe(2);
    expect(await changeLog()).toEqual([
      [1, 'before'],
      [2, 'c'],
    ]);
  });
});
