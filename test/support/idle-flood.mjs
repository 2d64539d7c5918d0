/* global URL, setInterval */
// Idle clients for the connection-limit test: `node idle-flood.mjs <url> <n>` opens n TCP
// connections that never send anything, prints {"opened": n} once all have connected (or
// been refused), and holds them until killed.
import { connect } from 'node:net';

const [url, count] = process.argv.slice(2);
const { hostname, port } = new URL(url);
const sockets = [];
let settled = 0;
let opened = 0;
for (let i = 0; i < Number(count); i++) {
  const s = connect(Number(port), hostname);
  const done = (ok) => {
    if (ok) opened++;
    if (++settled === Number(count)) process.stdout.write(`${JSON.stringify({ opened })}\n`);
  };
  s.once('connect', () => done(true));
  s.once('error', () => done(false));
  s.on('close', () => undefined);
  sockets.push(s);
}
setInterval(() => undefined, 60_000);
