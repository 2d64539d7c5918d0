// A server in its own process, for the crash test to kill: `node --import tsx
// test/support/crash-server.ts <database>` starts it on a free loopback port with the test keys,
// prints its URL as one JSON line, and runs until it is killed (or stops cleanly on stdin's end).
import { startServer } from '../../src/server/serve.js';
import { TEST_ENV } from './servers.js';

const database = process.argv[2];
if (!database) {
  process.stderr.write('usage: crash-server.ts <sqlite file or postgres:// url>\n');
  process.exit(2);
}
const server = await startServer({ port: 0, database, logger: false, env: { ...TEST_ENV } });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
