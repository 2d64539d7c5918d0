// Clearing 1,000 connections with one change: a huawei group of 100 member ports on one host
// holding 1,000 established inbound connections (10 per port, in the host's conntrack table as
// real traffic leaves them: ESTABLISHED, replied, assured), and a deny rule added to the group,
// which clears its members' inbound entries (SEMANTICS.md, 002). Timed from the API's answer to
// the agent enforcing the change, which it does only once all 1,000 are blocked in the kernel;
// each round then checks that the kernel's cleared sets hold every one of them. Ten changes.
// Needs root, nft and conntrack; the server runs in its own process, the agent in this one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../src/agent/agent.js';
import { available, run } from '../src/dataplane/exec.js';
import { parseTable } from '../src/dataplane/kernel-state.js';
import { CLEARED_SETS } from '../src/dataplane/nft.js';
import { TABLE } from '../src/dataplane/render.js';
import { benchAdmin, benchRegion, percentile, round, startBenchServer, stopBenchServer } from './support.js';

export interface ClearingFigures {
  /** p99 over the changes, ms from the API's answer to all 1,000 connections blocked. */
  clear1000Ms: number;
  clear1000P50Ms: number;
  clearChanges: number;
}

const NS = 'pbench-clear';
const MEMBERS = 100;
const PER_PORT = 10;
const CHANGES = 10;

const member = (n: number) => `172.20.${n >> 8}.${n & 255}`;
const remote = (n: number) => `10.77.${n >> 8}.${n & 255}`;

export async function benchClearing(): Promise<ClearingFigures | { skipped: string }> {
  if (process.getuid?.() !== 0 || !(await available('nft')) || !(await available('conntrack')))
    return { skipped: 'needs root with nft and conntrack' };
  const dir = mkdtempSync(join(tmpdir(), 'palisade-clear-bench-'));
  await run('ip', ['netns', 'delete', NS]).catch(() => undefined);
  await run('ip', ['netns', 'add', NS]);
  const server = await startBenchServer(join(dir, 'bench.db'));
  let agent: Agent | null = null;
  const inNs = (program: string, args: string[]) => run('ip', ['netns', 'exec', NS, program, ...args]);
  try {
    const admin = benchAdmin(server.url);
    const region = { id: 'clr', profile: 'huawei', quotas: { rulesPerGroup: 0 } };
    const { client: c, vpc, groups } = await benchRegion(admin, region, 1);
    const group = { id: groups[0] };
    await c.post(`/v1/security-groups/${group.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.77.0.0/16',
    });
    for (let n = 0; n < MEMBERS; n++)
      await c.post('/v1/instances', {
        regionId: 'clr',
        vpcId: vpc,
        name: `m${n}`,
        ports: [{ ipv4: [member(n)], host: 'h1', interface: `m${n}`, groupIds: [group.id] }],
      });
    // 1,000 established inbound connections, as the kernel tracks them after a handshake.
    const entries: string[] = [];
    for (let n = 0; n < MEMBERS * PER_PORT; n++)
      entries.push(
        `-I -p tcp -s ${remote(n)} -d ${member(n % MEMBERS)} --sport ${20000 + n} --dport 22 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 3600`,
      );
    const file = join(dir, 'entries');
    writeFileSync(file, `${entries.join('\n')}\n`);
    await inNs('conntrack', ['-R', file]);

    agent = new Agent(admin, {
      host: 'h1',
      netns: NS,
      driftCheckMs: 3_600_000,
      reportMs: 3_600_000,
      log: process.env.PALISADE_BENCH_LOG ? (m, f) => console.log(m, JSON.stringify(f)) : undefined,
    });
    await agent.start();
    const waitFor = async (revision: number) => {
      while (agent!.revision < revision) await new Promise((r) => setTimeout(r, 1));
    };
    const times: number[] = [];
    for (let n = 0; n < CHANGES; n++) {
      // Each round starts with the 1,000 connections live (nothing blocked yet).
      for (const set of Object.values(CLEARED_SETS)) await inNs('nft', ['flush', 'set', 'inet', TABLE, set]);
      const res = await c.request('POST', `/v1/security-groups/${group.id}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: String(30000 + n),
        action: 'deny',
      });
      const acked = performance.now();
      await waitFor(Number(res.headers.get('x-palisade-revision')));
      times.push(agent.enforcedAt - acked);
      const table = parseTable(await inNs('nft', ['-j', '-p', 'list', 'table', 'inet', TABLE]));
      if (table.blocked.length < MEMBERS * PER_PORT)
        throw new Error(`round ${n}: ${table.blocked.length} connections blocked, not ${MEMBERS * PER_PORT}`);
    }
    return {
      clear1000Ms: round(percentile(times, 99)),
      clear1000P50Ms: round(percentile(times, 50)),
      clearChanges: CHANGES,
    };
  } finally {
    await agent?.stop();
    await stopBenchServer(server);
    await run('ip', ['netns', 'delete', NS]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
