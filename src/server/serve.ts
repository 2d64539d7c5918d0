// Start the server: open the store (SQLite file by default, PostgreSQL for a postgres:// URL),
// load the world, make sure an operator key exists, listen, and shut down gracefully.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { IdentityService } from '../control/auth/identity.js';
import { KeyService } from '../control/auth/keys.js';
import { MasterKey } from '../control/auth/secrets.js';
import { Service } from '../control/service.js';
import { DEFAULT_SQLITE_PATH, openStore } from '../store/open.js';
import { AuthGuard } from '../control/auth/guard.js';
import { buildApp } from './app.js';
import { type ConnectionStats, limitConnections } from './connections.js';
import { limitsFromEnv, type ServerLimits } from '../http/limits.js';

/** A server that cannot start as configured (wrong master key, database in use): the message says why. */
export class StartupError extends Error {}

export interface ServeOptions {
  host?: string;
  port?: number;
  /** A postgres:// URL or a SQLite file path. */
  database?: string;
  masterKeyFile?: string;
  /** pino options, or false for silence (tests). */
  logger?: boolean | object;
  env?: NodeJS.ProcessEnv;
  /** Abuse limits; default: from the environment (PALISADE_*), else the defaults of limits.ts. */
  limits?: ServerLimits;
  /** Tests: answer 500 RESPONSE_NOT_DOCUMENTED for any answer the OpenAPI document does not describe. */
  checkResponses?: boolean;
  /** The service's clock (ms since the epoch); tests move it to see days pass. Default Date.now. */
  now?: () => number;
}

export interface RunningServer {
  app: FastifyInstance;
  service: Service;
  keys: KeyService;
  identity: IdentityService;
  url: string;
  /** Open, idle, shed and refused connections so far. */
  connections: () => ConnectionStats;
  /** Set when this start created the operator key: shown once. */
  createdAdmin?: { id: string; secret: string };
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  const database = opts.database ?? env.PALISADE_DATABASE_URL ?? DEFAULT_SQLITE_PATH;
  const postgres = /^postgres(ql)?:\/\//.test(database);
  const keyFile =
    opts.masterKeyFile ??
    (postgres
      ? './data/master.key'
      : join(dirname(database === ':memory:' ? DEFAULT_SQLITE_PATH : database), 'master.key'));
  const master = MasterKey.load(env.PALISADE_MASTER_KEY, keyFile);
  const store = await openStore(database).catch((e: Error) => {
    throw new StartupError(e.message);
  });
  const service = await Service.open(store, opts.now);
  const limits = opts.limits ?? limitsFromEnv(env);
  // One guard for every API: a source's failures count wherever it fails.
  const guard = new AuthGuard(limits.auth);
  const keys = new KeyService(service, master, guard);
  const identity = new IdentityService(service, guard);
  try {
    await keys.verifyMasterKey();
  } catch (e) {
    await service.close();
    await store.close();
    throw new StartupError((e as Error).message);
  }

  let createdAdmin: RunningServer['createdAdmin'];
  if (env.PALISADE_ADMIN_KEY_ID && env.PALISADE_ADMIN_SECRET) {
    await keys.ensureAdmin(env.PALISADE_ADMIN_KEY_ID, env.PALISADE_ADMIN_SECRET);
  } else if (!(await keys.hasAdmin())) {
    createdAdmin = {
      id: `PKADMIN${randomBytes(6).toString('hex').toUpperCase()}`,
      secret: randomBytes(30).toString('base64url'),
    };
    await keys.ensureAdmin(createdAdmin.id, createdAdmin.secret);
  }

  const app = await buildApp(
    { svc: service, keys, identity, limits },
    // maxParamLength: Neutron tags (up to 255 characters) travel in the path.
    {
      logger: opts.logger ?? { level: env.PALISADE_LOG_LEVEL ?? 'info' },
      routerOptions: { maxParamLength: 300 },
    },
    { checkResponses: opts.checkResponses },
  );
  const host = opts.host ?? env.PALISADE_HOST ?? '127.0.0.1';
  const port = opts.port ?? Number(env.PALISADE_PORT ?? 8080);
  const connections = limitConnections(app.server, limits.connections);
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await service.close();
      await app.close();
      await store.close();
    })());
  return { app, service, keys, identity, url, connections, createdAdmin, close };
}
