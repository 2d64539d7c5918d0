// The server under load, in its own process so the load generator does not share its core:
// started by bench/api.ts, prints its URL as one JSON line, stops on stdin's end. Its limits
// come from the PALISADE_* environment bench/api.ts gives it (defaults, or some turned off).
import { startServer } from '../src/server/serve.js';
import { BENCH_ENV } from './support.js';

const database = process.argv[2];
const server = await startServer({
  port: 0,
  database,
  logger: false,
  env: { ...process.env, ...BENCH_ENV },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
