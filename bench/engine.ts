// Compiled verdicts per second against the linear-scan reference, on the same trace, in the
// same run, on one core (ratios, not absolute times, are what the targets compare).
import { Bench } from 'tinybench';
import { numberToV4, v4Range, v4ToNumber } from '../src/core/address.js';
import { icmpKey } from '../src/core/classifier/keys.js';
import { Engine } from '../src/core/engine.js';
import type { Packet, RegionState, Rule } from '../src/core/model.js';
import { RegionIndex } from '../src/core/region-index.js';
import { prepareLinearScan, referenceExplain } from '../src/core/reference.js';
import { PORT_UNDER_TEST, type Trace, WORKLOADS, buildWorkload, rng } from './workloads.js';

const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };

/** 90% of packets synthesized from a random rule of the port, 10% uniformly random. */
export function makeTrace(state: RegionState, length: number, seed = 7): Trace {
  const rand = rng(seed);
  const port = state.instances.flatMap((i) => i.ports).find((p) => p.id === PORT_UNDER_TEST)!;
  const rules = state.groups.filter((g) => port.groupIds.includes(g.id)).flatMap((g) => g.rules);
  const members = new Map<string, number[]>();
  for (const i of state.instances) {
    for (const p of i.ports)
      for (const g of p.groupIds) (members.get(g) ?? members.set(g, []).get(g)!).push(v4ToNumber(p.ipv4[0]));
  }
  const ag = state.addressGroups[0]?.entries.map((c) => v4Range(c)) ?? [];
  const trace: Trace = {
    length,
    protocol: new Uint8Array(length),
    l4: new Int32Array(length),
    srcPort: new Int32Array(length),
    addr: new Float64Array(length),
  };
  const within = ([lo, hi]: [number, number]) => lo + Math.floor(rand() * (hi - lo + 1));
  for (let i = 0; i < length; i++) {
    const r: Rule | undefined = rand() < 0.9 ? rules[Math.floor(rand() * rules.length)] : undefined;
    const proto = r ? (PROTO[String(r.protocol)] ?? 6) : [6, 17, 1][Math.floor(rand() * 3)];
    trace.protocol[i] = proto;
    trace.srcPort[i] = 1024 + Math.floor(rand() * 64000);
    if (proto === 1) trace.l4[i] = icmpKey(r?.icmpType ?? [0, 8, 3][Math.floor(rand() * 3)], 0);
    else if (r?.ports?.length) trace.l4[i] = within([r.ports[0].from, r.ports[0].to]);
    else trace.l4[i] = 1 + Math.floor(rand() * 65535);
    let addr = Math.floor(rand() * 0xffffffff);
    if (r?.remote.kind === 'cidr') addr = within(v4Range(r.remote.cidr));
    else if (r?.remote.kind === 'group') {
      const m = members.get(r.remote.groupId)!;
      addr = m[Math.floor(rand() * m.length)];
    } else if (r?.remote.kind === 'addressGroup') addr = within(ag[Math.floor(rand() * ag.length)]);
    trace.addr[i] = addr;
  }
  return trace;
}

/** The trace's first packets as the reference evaluator takes them (textual addresses). */
function tracePackets(trace: Trace, n: number): Packet[] {
  return Array.from({ length: n }, (_, i) => {
    const protocol = trace.protocol[i];
    const p: Packet = { ethertype: 'IPv4', protocol, src: numberToV4(trace.addr[i]), dst: '10.0.0.10' };
    if (protocol === 1) {
      p.icmpType = Math.floor((trace.l4[i] - 1) / 257);
      p.icmpCode = 0;
    } else {
      p.srcPort = trace.srcPort[i];
      p.dstPort = trace.l4[i];
    }
    return p;
  });
}

export interface EngineFigures {
  compiledPerSec: number;
  /** The reference evaluator of the property tests (literal linear scan with explanation). */
  referencePerSec: number;
  ratio: number;
  /** A prepared first-match linear scan (numbers, stops at the first match): iptables-like. */
  linearScanPerSec: number;
  linearScanRatio: number;
  rules: number;
  addressIntervals: number;
  matchedShare: number;
}

export async function benchEngine(traceLength = 1_000_000): Promise<Record<string, EngineFigures>> {
  const out: Record<string, EngineFigures> = {};
  for (const spec of WORKLOADS) {
    const state = buildWorkload(spec);
    const engine = new Engine(state);
    const side = engine.side(PORT_UNDER_TEST, 'ingress', 'IPv4')!;
    const cls = side.classifier;
    const scan = prepareLinearScan(new RegionIndex(state), PORT_UNDER_TEST, 'ingress', 'IPv4')!;
    const trace = makeTrace(state, traceLength);
    const refSlice = Math.min(trace.length, 20_000);
    const index = new RegionIndex(state);
    const packets = tracePackets(trace, 1_000);
    let sink = 0;
    let matched = 0;
    for (let i = 0; i < trace.length; i++) {
      if (cls.decide(trace.protocol[i], trace.l4[i], trace.srcPort[i], trace.addr[i]) >= 0) matched++;
    }
    const bench = new Bench({ time: 1000, iterations: 3, warmup: true });
    bench.add('compiled', () => {
      const { allows, defaultAllows } = side;
      for (let i = 0; i < trace.length; i++) {
        const hit = cls.decide(trace.protocol[i], trace.l4[i], trace.srcPort[i], trace.addr[i]);
        sink += (hit < 0 ? defaultAllows : allows[hit] === 1) ? 1 : 0;
      }
    });
    bench.add('reference', () => {
      for (const p of packets)
        sink += referenceExplain(index, PORT_UNDER_TEST, 'ingress', p).verdict === 'allow' ? 1 : 0;
    });
    bench.add('linearScan', () => {
      for (let i = 0; i < refSlice; i++) {
        sink += scan({
          protocol: trace.protocol[i],
          l4: trace.l4[i],
          srcPort: trace.srcPort[i],
          addr: trace.addr[i],
        });
      }
    });
    await bench.run();
    const perSec = (name: string, n: number) => {
      const r = bench.tasks.find((t) => t.name === name)!.result;
      if (r.state !== 'completed') throw new Error(`${name} did not complete`);
      return Math.round((n / r.latency.mean) * 1000);
    };
    const compiledPerSec = perSec('compiled', trace.length);
    const referencePerSec = perSec('reference', packets.length);
    const linearScanPerSec = perSec('linearScan', refSlice);
    out[spec.name] = {
      compiledPerSec,
      referencePerSec,
      ratio: Math.round((compiledPerSec / referencePerSec) * 10) / 10,
      linearScanPerSec,
      linearScanRatio: Math.round((compiledPerSec / linearScanPerSec) * 10) / 10,
      rules: cls.entries.length,
      addressIntervals: cls.stats().addressIntervals,
      matchedShare: Math.round((matched / trace.length) * 1000) / 1000,
    };
    if (sink === -1) console.log(sink);
  }
  return out;
}
