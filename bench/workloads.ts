// Benchmark workloads W1-W3 and a ClassBench-like packet trace: rules drawn from a realistic
// mix (well-known ports, ranges, prefixes of varied lengths, some deny), packets synthesized
// mostly from rules so most of them hit one, like ClassBench's trace generator.
import { numberToV4 } from '../src/core/address.js';
import type { Instance, Port, Protocol, RegionState, Rule, SecurityGroup } from '../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../src/core/profiles.js';

export interface WorkloadSpec {
  name: string;
  groups: number;
  rulesPerGroup: number;
  remoteGroups: number;
  membersPerRemoteGroup: number;
  addressGroupEntries: number;
}

export const WORKLOADS: WorkloadSpec[] = [
  {
    name: 'W1',
    groups: 3,
    rulesPerGroup: 50,
    remoteGroups: 2,
    membersPerRemoteGroup: 500,
    addressGroupEntries: 0,
  },
  {
    name: 'W2',
    groups: 5,
    rulesPerGroup: 100,
    remoteGroups: 2,
    membersPerRemoteGroup: 1000,
    addressGroupEntries: 1000,
  },
  {
    name: 'W3',
    groups: 16,
    rulesPerGroup: 200,
    remoteGroups: 0,
    membersPerRemoteGroup: 0,
    addressGroupEntries: 0,
  },
];

/** Deterministic PRNG (mulberry32) so every run measures the same workload. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WELL_KNOWN = [22, 25, 53, 80, 110, 143, 443, 993, 1433, 3306, 3389, 5432, 6379, 8080, 8443, 9200];

export const PORT_UNDER_TEST = 'target';

/** A huawei region (group sequence, priorities, deny) holding the workload around one port. */
export function buildWorkload(spec: WorkloadSpec, seed = 1): RegionState {
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const groups: SecurityGroup[] = [];
  const instances: Instance[] = [];
  const group = (id: string, rules: Rule[]): SecurityGroup => ({
    id,
    tenantId: 't1',
    regionId: 'bench',
    vpcId: 'vpc',
    name: id,
    type: 'basic',
    stateful: true,
    innerAccessPolicy: 'Accept',
    rules,
  });

  // Remote groups and their members: 172.16.0.0/12 addresses, one port each.
  for (let g = 0; g < spec.remoteGroups; g++) {
    groups.push(group(`remote-${g}`, []));
    for (let m = 0; m < spec.membersPerRemoteGroup; m++) {
      const ip = numberToV4(0xac100000 + g * 65536 + m + 1);
      instances.push(instance(`m-${g}-${m}`, ip, [`remote-${g}`]));
    }
  }
  const addressGroups =
    spec.addressGroupEntries > 0
      ? [
          {
            id: 'ag',
            tenantId: 't1',
            regionId: 'bench',
            name: 'ag',
            entries: Array.from(
              { length: spec.addressGroupEntries },
              (_, i) => `${numberToV4(0x64400000 + i * 256)}/24`,
            ),
          },
        ]
      : [];

  for (let g = 0; g < spec.groups; g++) {
    const rules: Rule[] = [];
    for (let r = 0; r < spec.rulesPerGroup; r++) {
      const roll = rand();
      const protocol: Protocol = roll < 0.6 ? 'tcp' : roll < 0.85 ? 'udp' : roll < 0.92 ? 'icmp' : 'all';
      const rule: Rule = {
        id: `g${g}-r${r}`,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol,
        remote: { kind: 'cidr', cidr: randomPrefix(rand) },
        action: rand() < 0.2 ? 'deny' : 'allow',
        priority: 1 + Math.floor(rand() * 100),
        nicType: 'intranet',
      };
      if (protocol === 'tcp' || protocol === 'udp') {
        const p = rand();
        if (p < 0.55)
          rule.ports = [{ from: pick(WELL_KNOWN), to: 0 }].map((x) => ({ from: x.from, to: x.from }));
        else if (p < 0.85) {
          const from = 1024 + Math.floor(rand() * 60000);
          rule.ports = [{ from, to: Math.min(65535, from + Math.floor(rand() * 2000)) }];
        } else if (p < 0.95)
          rule.ports = [
            { from: pick(WELL_KNOWN), to: 0 },
            { from: pick(WELL_KNOWN), to: 0 },
          ].map((x) => ({ from: x.from, to: x.from }));
      }
      if (protocol === 'icmp' && rand() < 0.5) rule.icmpType = pick([0, 3, 8, 11]);
      const remoteRoll = rand();
      if (spec.remoteGroups > 0 && remoteRoll < 0.15) {
        rule.remote = { kind: 'group', groupId: `remote-${Math.floor(rand() * spec.remoteGroups)}` };
      } else if (addressGroups.length > 0 && remoteRoll < 0.25) {
        rule.remote = { kind: 'addressGroup', addressGroupId: 'ag' };
      }
      rules.push(rule);
    }
    groups.push(group(`g${g}`, rules));
  }
  instances.push(
    instance(
      PORT_UNDER_TEST,
      '10.0.0.10',
      groups.filter((g) => !g.id.startsWith('remote-')).map((g) => g.id),
    ),
  );
  const profile = 'huawei';
  return {
    region: {
      id: 'bench',
      profile,
      quotas: { ...DEFAULT_QUOTAS[profile], rulesPerGroup: 0, groupsPerPort: 0 },
      conntrackTimeouts: DEFAULT_TIMEOUTS,
    },
    tenants: [{ id: 't1', name: 't1' }],
    vpcs: [{ id: 'vpc', tenantId: 't1', regionId: 'bench', name: 'vpc' }],
    groups,
    addressGroups,
    instances,
  };
}

function instance(id: string, ip: string, groupIds: string[]): Instance {
  const port: Port = {
    id,
    instanceId: `i-${id}`,
    ipv4: [ip],
    ipv6: [],
    virtualIps: [],
    nicType: 'intranet',
    groupIds,
  };
  return { id: `i-${id}`, tenantId: 't1', regionId: 'bench', vpcId: 'vpc', name: id, ports: [port] };
}

/** ClassBench-like prefix lengths: mostly /8-/24 with some hosts and a few wildcards. */
function randomPrefix(rand: () => number): string {
  const lengths = [0, 8, 12, 16, 16, 20, 24, 24, 24, 28, 32, 32];
  const len = lengths[Math.floor(rand() * lengths.length)];
  const base = len === 0 ? 0 : (0x0a000000 + Math.floor(rand() * 0x00ffffff)) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${numberToV4((base & mask) >>> 0)}/${len}`;
}

/** A trace in columnar form (the classifier's numeric inputs). */
export interface Trace {
  length: number;
  protocol: Uint8Array;
  l4: Int32Array;
  srcPort: Int32Array;
  addr: Float64Array;
}
