// A server for the fuzz suites: the test server of test/support/servers.ts (same environment,
// same database helpers) with the abuse limits out of reach. The fuzz sends hundreds of bad
// signatures, unknown keys and guessed tokens from one address on purpose; with the default
// lockouts (a few dozen failures a minute) every later case, valid ones included, would answer
// 429 and never reach a handler. The limits themselves have their own tests.
import { type RunningServer, startServer } from '../../../src/server/serve.js';
import { TEST_ENV, type TestDatabase } from '../servers.js';

export const FUZZ_ENV = {
  PALISADE_AUTH_FAILURES_PER_CREDENTIAL: '100000000',
  PALISADE_AUTH_FAILURES_PER_SOURCE: '100000000',
  PALISADE_RATE_PER_CREDENTIAL: '0',
  PALISADE_RATE_PER_SOURCE: '0',
};

export interface FuzzServer {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

export async function startFuzzServer(database: TestDatabase): Promise<FuzzServer> {
  const server = await startServer({
    port: 0,
    database: database.location,
    logger: false,
    env: { ...TEST_ENV, ...FUZZ_ENV },
  });
  return { server, url: server.url, close: () => server.close() };
}
