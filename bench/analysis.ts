// The analysis on the engine's workloads: the decided sets of the port under test (effective
// rules, both directions, IPv4) and its rule findings, plus a port in one 1,000-rule group: its
// findings by the plain scan too (the ratio shows the overlap index), and the group's compaction
// with its proof. Each figure is the median of a few runs in this process; boxes are the decided
// sets' size. For comparison, the same question answered by brute force: 100,000 sampled packets
// through the reference scan, tallying which entry decides each (slower, and it misses entries
// whose packets the sample never hit). Memory: the heap the decided sets hold, after collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decidedPolicy } from '../src/core/analysis/decided.js';
import { compactGroup } from '../src/core/analysis/compact.js';
import { portFindings } from '../src/core/analysis/findings.js';
import { RegionIndex } from '../src/core/region-index.js';
import { prepareLinearScan } from '../src/core/reference.js';
import { benchPolicyDiff } from './analysis-diff.js';
import { makeTrace } from './engine.js';
import { benchReachability } from './reachability.js';
import { median, round } from './support.js';
import { PORT_UNDER_TEST, WORKLOADS, buildWorkload, type WorkloadSpec } from './workloads.js';

const GROUP_1000: WorkloadSpec = {
  name: 'group1000',
  groups: 1,
  rulesPerGroup: 1000,
  remoteGroups: 0,
  membersPerRemoteGroup: 0,
  addressGroupEntries: 0,
};

function timed(runs: number, f: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return round(median(ms));
}

const SAMPLES = 100_000;

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Ingress IPv4 of the port under test: entries deciding something, exactly and by sampling. */
function againstSampling(index: RegionIndex, spec: WorkloadSpec) {
  let exact = 0;
  const exactMs = timed(3, () => {
    const d = decidedPolicy(index, PORT_UNDER_TEST, 'ingress', 'IPv4');
    exact = d.entries.filter((e) => !e.decides.isEmpty).length;
  });
  const trace = makeTrace(buildWorkload(spec), SAMPLES);
  let sampled = 0;
  const sampledMs = timed(1, () => {
    const scan = prepareLinearScan(index, PORT_UNDER_TEST, 'ingress', 'IPv4')!;
    const hit = new Set<number>();
    for (let i = 0; i < trace.length; i++)
      hit.add(
        scan({
          protocol: trace.protocol[i],
          l4: trace.l4[i],
          srcPort: trace.srcPort[i],
          addr: trace.addr[i],
        }),
      );
    hit.delete(-1);
    sampled = hit.size;
  });
  return {
    decidingEntries: exact,
    sampledDecidingEntries: sampled,
    sampled100kMs: round(sampledMs),
    samplingVsExactRatio: round(sampledMs / exactMs, 2),
  };
}

/** Heap held by the decided sets of both directions and families, in KiB (ten copies kept, so
 * that the collector's noise is a tenth). */
function decidedSetsKiB(index: RegionIndex): number {
  const copies = 10;
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: copies }, () =>
    (['ingress', 'egress'] as const).flatMap((direction) =>
      (['IPv4', 'IPv6'] as const).map((family) => decidedPolicy(index, PORT_UNDER_TEST, direction, family)),
    ),
  );
  collect();
  const bytes = (process.memoryUsage().heapUsed - before) / kept.length;
  return round(bytes / 1024);
}

export async function benchAnalysis() {
  const out: Record<string, Record<string, number>> = {};
  for (const spec of [...WORKLOADS, GROUP_1000]) {
    const index = new RegionIndex(buildWorkload(spec));
    let boxes = 0;
    const effectiveRulesMs = timed(3, () => {
      boxes = 0;
      for (const direction of ['ingress', 'egress'] as const) {
        const d = decidedPolicy(index, PORT_UNDER_TEST, direction, 'IPv4');
        boxes += d.entries.reduce((n, e) => n + e.decides.boxes.length, d.unmatched.boxes.length);
      }
    });
    let findings = 0;
    const findingsMs = timed(3, () => {
      findings = portFindings(index, PORT_UNDER_TEST).length;
    });
    const row: Record<string, number> = {
      effectiveRulesMs,
      findingsMs,
      decidedBoxes: boxes,
      findings,
      ...againstSampling(index, spec),
      decidedSetsKiB: decidedSetsKiB(index),
    };
    if (spec === GROUP_1000) {
      // The same findings by the plain scan over every earlier and later rule, for the ratio.
      row.findingsPlainMs = timed(3, () => portFindings(index, PORT_UNDER_TEST, 'plain'));
      // Compaction of the group (its one member port and the group alone), proof included.
      let after = 0;
      row.compactMs = timed(3, () => {
        after = compactGroup(index.state, 'g0').counts.after;
      });
      row.compactedRules = after;
    }
    out[spec.name] = row;
  }
  out.diffW2 = benchPolicyDiff();
  out.reachability = benchReachability();
  return out;
}
