// `npm run bench`: measure everything and rewrite bench/results.json (keys stay stable).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchApi } from './api.js';
import { benchConntrack } from './conntrack.js';
import { benchDataplane } from './dataplane.js';
import { benchEngine } from './engine.js';

const out = fileURLToPath(new URL('../../bench/results.json', import.meta.url));
let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  // first run
}

// The data plane first, while this process's heap is small: later benchmarks leave gigabytes
// behind whose collection would show up as agent latency.
console.log('dataplane: 500 ports x 5 groups x 100 rules, remote groups of 1,000 members ...');
const dataplane = await benchDataplane();
console.table([dataplane]);

console.log('engine: W1-W3, compiled vs reference on a 1,000,000-packet trace ...');
const engine = await benchEngine();
console.table(engine);
console.log('conntrack: 1,000,000 live IPv4 connections ...');
const conntrack = await benchConntrack();
console.table([conntrack]);

console.log('api: signed single-rule creates and 100-rule pages of a 100,000-rule group, per store ...');
const api = await benchApi();
console.table(api);

const results = {
  ...previous,
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  engine,
  conntrack,
  api,
  dataplane,
};
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out}`);
