// The tracker with 1,000,000 live IPv4 connections: established-packet lookups per second
// (both directions, random order, numeric fast path) and bytes per entry.
import { Bench } from 'tinybench';
import { ConnectionTracker, NEW } from '../src/conntrack/tracker.js';
import { ACK, SYN } from '../src/conntrack/tcp.js';
import { DEFAULT_TIMEOUTS } from '../src/core/profiles.js';
import { rng } from './workloads.js';

export interface ConntrackFigures {
  liveEntries: number;
  lookupsPerSec: number;
  bytesPerEntry: number;
}

export async function benchConntrack(live = 1_000_000, probes = 1_000_000): Promise<ConntrackFigures> {
  const rand = rng(11);
  const t = new ConnectionTracker(DEFAULT_TIMEOUTS);
  const src = new Uint32Array(live);
  const dst = new Uint32Array(live);
  const sport = new Uint16Array(live);
  const dport = new Uint16Array(live);
  const zone = new Uint16Array(live);
  for (let i = 0; i < live; i++) {
    src[i] = (0x0a000000 + Math.floor(rand() * 0x00ffffff)) >>> 0;
    dst[i] = (0xac100000 + Math.floor(rand() * 0x000fffff)) >>> 0;
    sport[i] = 1024 + Math.floor(rand() * 60000);
    dport[i] = [22, 80, 443, 5432, 6379][i % 5];
    zone[i] = i % 500;
    t.commitV4(zone[i], 6, src[i], dst[i], sport[i], dport[i], SYN, 'outbound', 0);
    t.trackV4(zone[i], 6, dst[i], src[i], dport[i], sport[i], SYN | ACK, 0);
    t.trackV4(zone[i], 6, src[i], dst[i], sport[i], dport[i], ACK, 0);
  }
  if (t.size !== live) throw new Error(`expected ${live} live entries, have ${t.size}`);
  // The packet stream: live connections in random order, half of them reply-direction packets.
  const ps = new Uint32Array(probes);
  const pd = new Uint32Array(probes);
  const pp = new Uint32Array(probes);
  const pz = new Uint16Array(probes);
  for (let p = 0; p < probes; p++) {
    const i = Math.floor(rand() * live);
    const reply = rand() < 0.5;
    ps[p] = reply ? dst[i] : src[i];
    pd[p] = reply ? src[i] : dst[i];
    pp[p] = reply ? (dport[i] << 16) | sport[i] : (sport[i] << 16) | dport[i];
    pz[p] = zone[i];
  }
  let misses = 0;
  const bench = new Bench({ time: 2000, iterations: 5, warmup: true });
  bench.add('lookup', () => {
    for (let p = 0; p < probes; p++) {
      const ports = pp[p];
      if (t.trackV4(pz[p], 6, ps[p], pd[p], ports >>> 16, ports & 0xffff, ACK, 1) === NEW) misses++;
    }
  });
  await bench.run();
  if (misses > 0) throw new Error(`${misses} established packets were not found`);
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error('conntrack benchmark did not complete');
  return {
    liveEntries: t.size,
    lookupsPerSec: Math.round((probes / r.latency.mean) * 1000),
    bytesPerEntry: Math.round(t.bytesPerEntry()),
  };
}
