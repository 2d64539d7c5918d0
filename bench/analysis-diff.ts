// The exact difference of two W2 policies that differ by 10 rules (5 actions flipped, 5 port
// ranges moved), against the same question answered by brute force: sampled packets (most drawn
// from the rules, so they land on rule edges, the rest uniform) through the reference evaluator
// on both sides, counting those whose verdict changed. Sampling can only find differences; the
// set arithmetic finds all of them and says "equivalent" when there are none.
import { policyDiff } from '../src/core/analysis/diff.js';
import { numberToV4, v4ToNumber } from '../src/core/address.js';
import type { Packet, RegionState, Rule } from '../src/core/model.js';
import { protocolNumber } from '../src/core/model.js';
import { decidedPolicy } from '../src/core/analysis/decided.js';
import { packetKeys } from '../src/core/classifier/classifier.js';
import { evaluationOrder, policyDefault } from '../src/core/order.js';
import { resolvePolicy } from '../src/core/policy.js';
import { prepareLinearScan } from '../src/core/reference.js';
import { RegionIndex } from '../src/core/region-index.js';
import { median, round } from './support.js';
import { PORT_UNDER_TEST, WORKLOADS, buildWorkload, rng } from './workloads.js';

const CHANGED_RULES = 10;
const SAMPLES = 100_000;

/**
 * The workload with 10 of the port's rules changed, among those that decide packets (most of
 * W2's rules are shadowed: changing those changes nothing): every other one flipped, the rest
 * moved by one port (or to another prefix).
 */
function changed(state: RegionState): RegionState {
  const deciding = decidedPolicy(new RegionIndex(state), PORT_UNDER_TEST, 'ingress', 'IPv4')
    .entries.filter((e) => e.entry.kind === 'rule' && !e.decides.isEmpty)
    .map((e) => (e.entry.kind === 'rule' ? e.entry.rule.id : ''));
  const after = structuredClone(state);
  const rules = new Map(after.groups.flatMap((g) => g.rules).map((r) => [r.id, r]));
  for (let i = 0; i < Math.min(CHANGED_RULES, deciding.length); i++) {
    const rule = rules.get(deciding[i])!;
    if (i % 2 === 0) rule.action = rule.action === 'allow' ? 'deny' : 'allow';
    else if (rule.ports?.length)
      rule.ports = rule.ports.map((p) => ({ from: p.from + 1, to: Math.min(65535, p.to + 1) }));
    else rule.remote = { kind: 'cidr', cidr: '10.200.0.0/16' };
  }
  return after;
}

/**
 * The reference order's verdict for the port's ingress (prepareLinearScan: the reference
 * evaluator with each entry parsed once, which property tests hold to the literal one; the
 * literal referenceExplain takes milliseconds per packet on W2's address group).
 */
function referenceVerdicts(index: RegionIndex) {
  const resolved = resolvePolicy(index, PORT_UNDER_TEST);
  if (!('policy' in resolved)) throw new Error('the port under test has no policy');
  const entries = evaluationOrder(resolved.policy, resolved.port, 'ingress', 'IPv4');
  const scan = prepareLinearScan(index, PORT_UNDER_TEST, 'ingress', 'IPv4')!;
  const fallback = policyDefault(resolved.policy, 'ingress');
  return (packet: Packet) => {
    const i = scan(packetKeys('ingress', packet));
    if (i < 0) return fallback;
    const e = entries[i];
    return e.kind === 'innerAccess' ? 'allow' : e.rule.action;
  };
}

/** A packet to the port under test: from a random rule (its protocol, a port of it, an address in its prefix), or uniform. */
function sampler(rules: Rule[], seed: number): () => Packet {
  const rand = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const dst = '10.0.0.10';
  return () => {
    const rule = rules[Math.floor(rand() * rules.length)];
    const fromRule = rand() < 0.8;
    const protocol = fromRule ? (protocolNumber(rule.protocol) ?? 6) : [6, 17, 1, 47][int(0, 3)];
    let src = numberToV4(0x0a000000 + int(0, 0xffffff));
    if (fromRule && rule.remote.kind === 'cidr') {
      const [base, len] = rule.remote.cidr.split('/');
      const size = 2 ** (32 - Number(len));
      src = numberToV4((v4ToNumber(base) + int(0, Math.min(size, 2 ** 31) - 1)) >>> 0);
    }
    const packet: Packet = { ethertype: 'IPv4', protocol, src, dst };
    if (protocol === 6 || protocol === 17) {
      const range = fromRule ? rule.ports?.[int(0, (rule.ports?.length ?? 1) - 1)] : undefined;
      packet.srcPort = int(1024, 65535);
      packet.dstPort = range
        ? int(Math.max(0, range.from - 1), Math.min(65535, range.to + 1))
        : int(0, 65535);
    }
    if (protocol === 1) Object.assign(packet, { icmpType: [0, 3, 8, 11][int(0, 3)], icmpCode: 0 });
    return packet;
  };
}

export function benchPolicyDiff() {
  const state = buildWorkload(WORKLOADS.find((w) => w.name === 'W2')!);
  const before = new RegionIndex(state);
  const after = new RegionIndex(changed(state));
  const runs: number[] = [];
  let diff = policyDiff(before, after);
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    diff = policyDiff(before, after);
    runs.push(performance.now() - t0);
  }
  const diffMs = round(median(runs));
  const pieces = diff.ports.reduce((n, d) => n + d.newlyAllowed.length + d.newlyDenied.length, 0);
  const boxes = diff.ports.reduce(
    (n, d) => n + [...d.newlyAllowed, ...d.newlyDenied].reduce((m, x) => m + x.packets.boxes.length, 0),
    0,
  );

  const rules = after.state.groups.flatMap((g) => g.rules);
  const next = sampler(rules, 7);
  let differing = 0;
  const t0 = performance.now();
  // Preparing the scans is part of the brute force's cost, as deciding the sets is of the exact one.
  const was = referenceVerdicts(before);
  const now = referenceVerdicts(after);
  for (let i = 0; i < SAMPLES; i++) {
    const packet = next();
    if (was(packet) !== now(packet)) differing++;
  }
  const bruteForceMs = round(performance.now() - t0);
  return {
    changedRules: CHANGED_RULES,
    diffMs,
    differingPorts: diff.ports.length,
    pieces,
    boxes,
    bruteForceSamples: SAMPLES,
    bruteForceMs,
    bruteForceDiffering: differing,
    bruteForceOverExact: round(bruteForceMs / Math.max(diffMs, 0.001)),
  };
}
