// `npm run bench`: measure everything and rewrite bench/results.json (keys stay stable).
// `npm run bench -- --only dataplane,api` measures those suites and keeps the others' figures.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAnalysis } from './analysis.js';
import { benchApi } from './api.js';
import { benchConntrack } from './conntrack.js';
import { benchConsole } from './console.js';
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
const SUITES: [name: string, title: string, run: () => Promise<unknown>][] = [
  [
    'dataplane',
    '500 ports x 5 groups x 100 rules, remote groups of 1,000 members; packet path with and without the table',
    benchDataplane,
  ],
  ['engine', 'W1-W3, compiled vs reference on a 1,000,000-packet trace', benchEngine],
  ['conntrack', '1,000,000 live IPv4 connections', benchConntrack],
  ['api', 'signed single-rule creates and 100-rule pages of a 100,000-rule group, per store', benchApi],
  [
    'analysis',
    "exact decided sets and rule findings of W1-W3's port and of a port in one 1,000-rule group, against 100,000 sampled packets; heap of the sets",
    benchAnalysis,
  ],
  [
    'console',
    "the group page of a 1,000-rule group in headless chromium (time to rows, to answering a click); the app's gzipped JavaScript and CSS",
    benchConsole,
  ],
];

const flag = process.argv.indexOf('--only');
const only = flag >= 0 ? new Set((process.argv[flag + 1] ?? '').split(',')) : null;
const unknown = [...(only ?? [])].filter((name) => !SUITES.some(([n]) => n === name));
if (unknown.length) throw new Error(`--only: no suite named ${unknown.join(', ')}`);

const measured: Record<string, unknown> = {};
for (const [name, title, run] of SUITES) {
  if (only && !only.has(name)) continue;
  console.log(`${name}: ${title} ...`);
  measured[name] = await run();
  // A table of rows (engine's workloads, api's stores) or a single row of figures, where a
  // group of figures (dataplane's packetPath) gets a row of its own.
  const value = measured[name] as Record<string, unknown>;
  const group = (v: unknown) => typeof v === 'object';
  if (Object.values(value).every(group)) console.table(value);
  else {
    console.table([Object.fromEntries(Object.entries(value).filter(([, v]) => !group(v)))]);
    for (const [key, row] of Object.entries(value).filter(([, v]) => group(v))) {
      console.log(`${name}.${key}`);
      console.table([row]);
    }
  }
}

const results = {
  ...previous,
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  ...measured,
};
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out}`);
