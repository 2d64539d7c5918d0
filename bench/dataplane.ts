// Data-plane propagation on a host with 500 ports, each in 5 groups of 100 rules whose remote
// groups have 1,000 members (500 ports here, 500 on another host): time from the API's answer
// to the kernel enforcing a rule change, and a membership change; the size of the kernel state.
// Needs root, nft and conntrack; the server runs in its own process, the agent in this one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../src/agent/agent.js';
import { available, run } from '../src/dataplane/exec.js';
import { TABLE } from '../src/dataplane/render.js';
import { benchClearing, type ClearingFigures } from './clearing.js';
import { benchPacketPath, type PacketPathFigures } from './packet-path.js';
import { benchAdmin, benchRegion, percentile, round, startBenchServer, stopBenchServer } from './support.js';

export interface DataplaneFigures {
  ports: number;
  propagationP50Ms: number;
  propagationP99Ms: number;
  memberUpdateMs: number;
  kernelRules: number;
  kernelSetElements: number;
  rulesInPolicy: number;
  initialApplyMs: number;
}

const NS = 'pbench-h1';
const PORTS_HERE = 500;
const PORTS_ELSEWHERE = 500;
const GROUPS = 5;
const RULES_PER_GROUP = 100;
const CHANGES = 100;

/** The propagation figures, and beside them clearing's and the packet path's (bench/clearing.ts, bench/packet-path.ts). */
export async function benchDataplane(): Promise<
  (DataplaneFigures & ClearingFigures & PacketPathFigures) | { skipped: string }
> {
  const figures = await propagation();
  if ('skipped' in figures) return figures;
  const clearing = await benchClearing();
  if ('skipped' in clearing) return clearing;
  return { ...figures, ...clearing, ...(await benchPacketPath()) };
}

async function propagation(): Promise<DataplaneFigures | { skipped: string }> {
  if (process.getuid?.() !== 0 || !(await available('nft')) || !(await available('conntrack')))
    return { skipped: 'needs root with nft and conntrack' };
  const dir = mkdtempSync(join(tmpdir(), 'palisade-dp-bench-'));
  await run('ip', ['netns', 'delete', NS]).catch(() => undefined);
  await run('ip', ['netns', 'add', NS]);
  const server = await startBenchServer(join(dir, 'bench.db'));
  let agent: Agent | null = null;
  try {
    const admin = benchAdmin(server.url);
    const region = { id: 'dp', profile: 'huawei', quotas: { rulesPerGroup: 0, groupsPerPort: 10 } };
    const { client: c, vpc, groups } = await benchRegion(admin, region, GROUPS);
    // 100 rules per group: ports, CIDRs, and references to the other groups (sets of 1,000 members).
    for (const [i, g] of groups.entries()) {
      const rules = Array.from({ length: RULES_PER_GROUP }, (_, n) => ({
        direction: n % 4 === 3 ? 'egress' : 'ingress',
        protocol: n % 3 ? 'tcp' : 'udp',
        ports: String(1000 + n),
        priority: 1 + (n % 100),
        ...(n % 5 === 0
          ? { remoteGroup: groups[(i + 1) % GROUPS] }
          : { remoteIpPrefix: `10.${i}.${n}.0/24` }),
      }));
      await c.post(`/v1/security-groups/${g}/rules/batch`, { rules });
    }
    const portsHere: string[] = [];
    for (let n = 0; n < PORTS_HERE + PORTS_ELSEWHERE; n++) {
      const here = n < PORTS_HERE;
      const inst = await c.post<{ ports: { id: string }[] }>('/v1/instances', {
        regionId: 'dp',
        vpcId: vpc,
        name: `vm${n}`,
        ports: [
          {
            ipv4: [`172.16.${n >> 8}.${n & 255}`],
            host: here ? 'h1' : 'h2',
            interface: `t${n}`,
            groupIds: groups,
          },
        ],
      });
      if (here) portsHere.push(inst.ports[0].id);
    }

    agent = new Agent(admin, {
      host: 'h1',
      netns: NS,
      driftCheckMs: 3_600_000,
      reportMs: 3_600_000,
      log: process.env.PALISADE_BENCH_LOG ? (m, f) => console.log(m, JSON.stringify(f)) : undefined,
    });
    const t0 = performance.now();
    await agent.start();
    const initialApplyMs = performance.now() - t0;

    const waitFor = async (revision: number, kernelOnly = false) => {
      const at = () => (kernelOnly ? agent!.kernelRevision : agent!.revision);
      // The agent stamps when each change reached the kernel and was enforced; polling (each
      // millisecond, not spinning: that would take the CPU nft needs) only finds out that it did.
      while (at() < revision) await new Promise((r) => setTimeout(r, 1));
    };
    const propagation: number[] = [];
    for (let n = 0; n < CHANGES; n++) {
      const res = await c.request('POST', `/v1/security-groups/${groups[n % GROUPS]}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: String(20000 + n),
        remoteIpPrefix: `192.168.${n}.0/24`,
      });
      const acked = performance.now();
      await waitFor(Number(res.headers.get('x-palisade-revision')));
      propagation.push(agent.enforcedAt - acked);
    }
    // A port elsewhere leaves one group and joins it again: set-element updates here.
    const member: number[] = [];
    const elsewhere = (
      await c.get<{ items: { ports: { id: string; host: string }[] }[] }>('/v1/instances?host=h2&limit=1')
    ).items[0].ports[0].id;
    for (let n = 0; n < 10; n++) {
      const ids = n % 2 ? groups : groups.slice(1);
      const res = await c.request('PUT', `/v1/ports/${elsewhere}/groups`, { groupIds: ids });
      const acked = performance.now();
      // "From a membership change to the set update": until the kernel's set holds it.
      await waitFor(Number(res.headers.get('x-palisade-revision')), true);
      member.push(agent.kernelAt - acked);
      await waitFor(Number(res.headers.get('x-palisade-revision')));
    }

    const listing = JSON.parse(
      await run('ip', ['netns', 'exec', NS, 'nft', '-j', 'list', 'table', 'inet', TABLE]),
    ) as {
      nftables: { rule?: unknown; set?: { elem?: unknown[] }; map?: { elem?: unknown[] } }[];
    };
    const kernelRules = listing.nftables.filter((x) => x.rule).length;
    const kernelSetElements = listing.nftables.reduce((n, x) => n + (x.set?.elem?.length ?? 0), 0);
    return {
      ports: PORTS_HERE,
      propagationP50Ms: round(percentile(propagation, 50)),
      propagationP99Ms: round(percentile(propagation, 99)),
      memberUpdateMs: round(percentile(member, 50)),
      kernelRules,
      kernelSetElements,
      rulesInPolicy: GROUPS * RULES_PER_GROUP,
      initialApplyMs: round(initialApplyMs),
    };
  } finally {
    await agent?.stop();
    await stopBenchServer(server);
    await run('ip', ['netns', 'delete', NS]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
