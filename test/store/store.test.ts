// Both stores, embedded SQLite and PostgreSQL: migrations, a region imported all-or-nothing and
// loaded back as the engine takes it. `npm test` starts the PostgreSQL server
// (scripts/with-postgres.mjs) and passes its URL in PALISADE_TEST_POSTGRES_URL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import type { RegionState } from '../../src/core/model.js';
import { loadPolicy } from '../../src/policy/load.js';
import { openStore, type Store } from '../../src/store/open.js';
import { importRegionState, loadRegionState } from '../../src/store/region-state.js';

const example = (name: string) => loadPolicy(readFileSync(`examples/${name}.yaml`, 'utf8')).state!;
const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
const normalized = (s: RegionState) => ({
  ...s,
  tenants: byId(s.tenants),
  vpcs: byId(s.vpcs),
  groups: byId(s.groups),
  addressGroups: byId(s.addressGroups),
  instances: byId(s.instances),
});

let store: Store | null = null;
const dirs: string[] = [];
const databases: string[] = [];
const postgresUrl = process.env.PALISADE_TEST_POSTGRES_URL;

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A store on a database of its own: in memory for SQLite, a fresh database for PostgreSQL. */
async function freshStore(kind: 'sqlite' | 'postgres'): Promise<Store> {
  if (kind === 'sqlite') return openStore(':memory:');
  if (!postgresUrl)
    throw new Error(
      'PALISADE_TEST_POSTGRES_URL is not set: run the tests with `npm test`, which starts PostgreSQL',
    );
  const name = `palisade_test_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return openStore(url.toString());
}

afterEach(async () => {
  await store?.close();
  store = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const name of databases.splice(0)) await admin((c) => c.query(`DROP DATABASE ${name}`));
});

describe.each(['sqlite', 'postgres'] as const)('%s store', (kind) => {
  it.each(['alibaba-basic', 'alibaba-advanced', 'alibaba-classic', 'huawei', 'openstack'])(
    '%s: imported and loaded back unchanged',
    async (name) => {
      store = await openStore(':memory:');
      const state = example(name);
      await importRegionState(store.db, state);
      const loaded = await loadRegionState(store.db, state.region.id);
      expect(normalized(loaded!)).toEqual(normalized(state));
      // And the engine answers the same on both.
      const probe = {
        ethertype: 'IPv4' as const,
        protocol: 6,
        src: '10.0.1.11',
        dst: '10.0.0.11',
        srcPort: 40000,
        dstPort: 25,
      };
      expect(new Engine(loaded!).checkFlow(probe)).toEqual(new Engine(state).checkFlow(probe));
    },
  );

  it('an import that fails part-way leaves nothing behind', async () => {
    store = await freshStore(kind);
    const state = example('huawei');
    state.instances.push(structuredClone(state.instances[0])); // duplicate instance id: fails late
    await expect(importRegionState(store.db, state)).rejects.toThrow(
      /UNIQUE constraint failed|duplicate key value/,
    );
    expect(await store.db.selectFrom('regions').selectAll().execute()).toEqual([]);
    expect(await store.db.selectFrom('rules').selectAll().execute()).toEqual([]);
    expect(await loadRegionState(store.db, state.region.id)).toBeNull();
  });

  it('records the import in the change stream with revision 1', async () => {
    store = await freshStore(kind);
    await importRegionState(store.db, example('openstack'));
    const changes = await store.db.selectFrom('changes').selectAll().execute();
    expect(changes).toEqual([
      expect.objectContaining({ revision: 1, region_id: 'eu-de', kind: 'regionImported' }),
    ]);
  });
});

describe('SQLite file store', () => {
  it('a file database is created, migrated once, reopened, and records the change with a revision', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
    dirs.push(dir);
    const file = join(dir, 'nested', 'palisade.db');
    store = await openStore(file);
    await importRegionState(store.db, example('openstack'));
    await store.close();
    store = await openStore(file);
    const changes = await store.db.selectFrom('changes').selectAll().execute();
    expect(changes).toEqual([
      expect.objectContaining({ revision: 1, region_id: 'eu-de', kind: 'regionImported' }),
    ]);
    expect((await loadRegionState(store.db, 'eu-de'))!.groups.map((g) => g.id).sort()).toEqual([
      'sg-AB',
      'stateless',
      'web',
    ]);
  });
});
