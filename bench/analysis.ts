// The analysis on the engine's workloads: the decided sets of the port under test (effective
// rules, both directions, IPv4) and its rule findings, plus a port in one 1,000-rule group. Each
// figure is the median of a few runs in this process; boxes are the decided sets' size.
import { decidedPolicy } from '../src/core/analysis/decided.js';
import { portFindings } from '../src/core/analysis/findings.js';
import { RegionIndex } from '../src/core/region-index.js';
import { benchPolicyDiff } from './analysis-diff.js';
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
    out[spec.name] = { effectiveRulesMs, findingsMs, decidedBoxes: boxes, findings };
  }
  out.diffW2 = benchPolicyDiff();
  return out;
}
