// The reachability matrix of 1,000 ports in 50 groups (a Huawei region: group sequence,
// priorities, deny rules, remote groups, same-group rules; a fifth of the ports in two groups),
// exactly (core/analysis/reachability.ts), against the same question answered by brute force:
// the compiled engine on both sides of a pair for a fixed set of probe packets. Brute force
// runs on a sample of pairs and is scaled to all pairs; even then it only samples packet space.
import { numberToV4 } from '../src/core/address.js';
import { Reachability } from '../src/core/analysis/reachability.js';
import { Engine } from '../src/core/engine.js';
import type { Instance, Packet, RegionState, Rule, SecurityGroup } from '../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../src/core/profiles.js';
import { RegionIndex } from '../src/core/region-index.js';
import { median, round } from './support.js';
import { rng } from './workloads.js';

const PORTS = 1000;
const GROUPS = 50;
const SERVICE_PORTS = [22, 53, 80, 443, 3306, 5432, 6379, 8080, 9200, 27017];

export function reachabilityWorkload(seed = 7): RegionState {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  let n = 0;
  const rule = (r: Partial<Rule>): Rule => ({
    id: `r${n++}`,
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: 'tcp',
    remote: { kind: 'any' },
    action: 'allow',
    priority: 50,
    nicType: 'intranet',
    ...r,
  });
  const groups: SecurityGroup[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const id = `g${g}`;
    const rules: Rule[] = [rule({ protocol: 'all', remote: { kind: 'group', groupId: id }, priority: 100 })];
    // A tenth of the groups only talk to the web and to two other groups; the rest send anything.
    if (g % 10 === 0) {
      rules.push(rule({ direction: 'egress', ports: [{ from: 443, to: 443 }] }));
      for (let k = 0; k < 2; k++)
        rules.push(
          rule({
            direction: 'egress',
            protocol: 'all',
            remote: { kind: 'group', groupId: `g${Math.floor(rand() * GROUPS)}` },
          }),
        );
    } else rules.push(rule({ direction: 'egress', protocol: 'all', priority: 100 }));
    for (let k = 0; k < 6; k++) {
      const p = pick(SERVICE_PORTS);
      rules.push(
        rule({
          ports: [{ from: p, to: p }],
          remote: { kind: 'group', groupId: `g${Math.floor(rand() * GROUPS)}` },
        }),
      );
    }
    rules.push(
      rule({
        ports: [{ from: 8000, to: 8100 }],
        remote: { kind: 'cidr', cidr: `10.0.${Math.floor(rand() * 4)}.0/24` },
      }),
    );
    rules.push(rule({ protocol: 'icmp', remote: { kind: 'cidr', cidr: '10.0.0.0/8' } }));
    rules.push(
      rule({
        action: 'deny',
        ports: [{ from: 22, to: 22 }],
        remote: { kind: 'cidr', cidr: `10.0.${Math.floor(rand() * 4)}.0/25` },
        priority: 10,
      }),
    );
    groups.push({
      id,
      tenantId: 't1',
      regionId: 'bench',
      vpcId: 'vpc',
      name: id,
      type: 'basic',
      stateful: true,
      innerAccessPolicy: 'Drop',
      rules,
    });
  }
  // Addresses in four /24s, shuffled: a group's members are scattered, as subnets hand them out.
  const hosts = Array.from({ length: PORTS }, (_, i) => i);
  for (let i = hosts.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [hosts[i], hosts[j]] = [hosts[j], hosts[i]];
  }
  const instances: Instance[] = hosts.map((h, i) => {
    const first = `g${i % GROUPS}`;
    const groupIds =
      rand() < 0.2
        ? [first, `g${Math.floor(rand() * GROUPS)}`].filter((g, k, a) => a.indexOf(g) === k)
        : [first];
    const id = `p${i}`;
    return {
      id: `i-${id}`,
      tenantId: 't1',
      regionId: 'bench',
      vpcId: 'vpc',
      name: id,
      ports: [
        {
          id,
          instanceId: `i-${id}`,
          ipv4: [numberToV4(0x0a000000 + (Math.floor(h / 250) << 8) + (h % 250) + 2)],
          ipv6: [],
          virtualIps: [],
          nicType: 'intranet',
          groupIds,
        },
      ],
    };
  });
  return {
    region: {
      id: 'bench',
      profile: 'huawei',
      quotas: { ...DEFAULT_QUOTAS.huawei, rulesPerGroup: 0, groupsPerPort: 0 },
      conntrackTimeouts: DEFAULT_TIMEOUTS,
    },
    tenants: [{ id: 't1', name: 't1' }],
    vpcs: [{ id: 'vpc', tenantId: 't1', regionId: 'bench', name: 'vpc' }],
    groups,
    addressGroups: [],
    instances,
  };
}

/** The probes brute force tries per pair: each service port and a few others over TCP, DNS, ping. */
const PROBES: Omit<Packet, 'src' | 'dst'>[] = [
  ...[...SERVICE_PORTS, 8000, 8050, 8100, 8101, 1024, 65535].map((dstPort) => ({
    ethertype: 'IPv4' as const,
    protocol: 6,
    srcPort: 40000,
    dstPort,
  })),
  { ethertype: 'IPv4', protocol: 17, srcPort: 40000, dstPort: 53 },
  { ethertype: 'IPv4', protocol: 1, icmpType: 8, icmpCode: 0 },
];

export function benchReachability(): Record<string, number> {
  const state = reachabilityWorkload();
  // The median of three runs, each from a fresh index (nothing cached between runs).
  let reach = new Reachability(new RegionIndex(state));
  let m = reach.matrix();
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    reach = new Reachability(new RegionIndex(state));
    m = reach.matrix();
    runs.push(performance.now() - t0);
  }
  const matrixMs = median(runs);
  const allowedPairs = reach.allowedPairs().length;

  // Brute force on a sample of pairs, scaled to every pair.
  const engine = new Engine(state);
  const ports = state.instances.map((i) => i.ports[0]);
  const rand = rng(11);
  const sample = 10000;
  const t1 = performance.now();
  let passed = 0;
  for (let s = 0; s < sample; s++) {
    const a = ports[Math.floor(rand() * ports.length)];
    const b = ports[Math.floor(rand() * ports.length)];
    if (a === b) continue;
    for (const probe of PROBES) {
      const packet = { ...probe, src: a.ipv4[0], dst: b.ipv4[0] } as Packet;
      if (engine.allows(a.id, 'egress', packet) && engine.allows(b.id, 'ingress', packet)) passed++;
    }
  }
  const pairs = PORTS * (PORTS - 1);
  const bruteForceMs = ((performance.now() - t1) / sample) * pairs;
  return {
    ports: PORTS,
    groups: GROUPS,
    rows: m.rows.length,
    cols: m.cols.length,
    cells: m.cells.length,
    allowedPairs,
    matrixMs: round(matrixMs),
    probesPerPair: PROBES.length,
    bruteForceMsScaled: round(bruteForceMs),
    ratio: round(bruteForceMs / matrixMs),
    sampledPasses: passed,
  };
}
