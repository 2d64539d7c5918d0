// The server under load, in its own process so the load generator does not share its core:
// started by bench/api.ts, prints its URL as one JSON line, stops on stdin's end. Its limits
// come from the PALISADE_* environment bench/api.ts gives it (defaults, or some turned off).
import { startServer } from '../src/server/serve.js';

const database = process.argv[2];
const server = await startServer({
  port: 0,
  database,
  logger: false,
  env: {
    ...process.env,
    PALISADE_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
    PALISADE_ADMIN_KEY_ID: 'PKBENCH',
    PALISADE_ADMIN_SECRET: 'bench-secret',
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
