// Real servers for the API tests: each on its own database (a SQLite file in a temp dir, or a
// fresh database on the PostgreSQL server `npm test` starts), listening on a free loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PalisadeClient } from '../../src/client/client.js';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/serve.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORES: StoreKind[] = ['sqlite', 'postgres'];

/** Shared by every server of a test run, as several servers of one database must share it. */
export const TEST_ENV = {
  PALISADE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  PALISADE_ADMIN_KEY_ID: 'PKTESTADMIN',
  PALISADE_ADMIN_SECRET: 'test-admin-secret',
};

/** The environment a CLI process (or `palisade agent`) needs to reach a test server as the operator. */
export const operatorCliEnv = (url: string) => ({
  PALISADE_SERVER: url,
  PALISADE_ACCESS_KEY_ID: TEST_ENV.PALISADE_ADMIN_KEY_ID,
  PALISADE_ACCESS_KEY_SECRET: TEST_ENV.PALISADE_ADMIN_SECRET,
});

async function withAdmin<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env.PALISADE_TEST_POSTGRES_URL;
  if (!url)
    throw new Error(
      'PALISADE_TEST_POSTGRES_URL is not set: run the tests with `npm test`, which starts PostgreSQL',
    );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  location: string;
  drop(): Promise<void>;
}

export async function freshDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-api-'));
    return {
      location: join(dir, 'palisade.db'),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `palisade_api_${Math.random().toString(36).slice(2, 10)}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(process.env.PALISADE_TEST_POSTGRES_URL!);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    drop: () =>
      withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestServer {
  server: RunningServer;
  url: string;
  admin: PalisadeClient;
  close(): Promise<void>;
}

export async function startTestServer(
  database: TestDatabase,
  logger: boolean | object = false,
  extra: Partial<ServeOptions> = {},
): Promise<TestServer> {
  const server = await startServer({
    port: 0,
    database: database.location,
    logger,
    env: { ...TEST_ENV },
    // Every answer is checked against the OpenAPI document (src/server/response-check.ts).
    checkResponses: true,
    ...extra,
  });
  return {
    server,
    url: server.url,
    admin: new PalisadeClient(server.url, {
      keyId: TEST_ENV.PALISADE_ADMIN_KEY_ID,
      secret: TEST_ENV.PALISADE_ADMIN_SECRET,
    }),
    close: () => server.close(),
  };
}

/** A tenant with its own access key, and a client signing as it. */
export async function newTenant(admin: PalisadeClient, baseUrl: string, id: string): Promise<PalisadeClient> {
  await admin.post('/v1/tenants', { id, name: id });
  const key = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: id });
  return new PalisadeClient(baseUrl, { keyId: key.id, secret: key.secret });
}
