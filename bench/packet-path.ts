// Packet path cost (issue 11): what the 500-port ruleset costs the traffic a host forwards. One
// dev-net host carries the Palisade table of 500 ports (5 huawei groups x 100 rules, remote
// groups of 1,000 members); two of the ports are real instances (a client and a server, each in
// its own namespace, both on that host), so their traffic crosses the host's forward hook where
// the table lives. New TCP connections per second and single-stream throughput are measured with
// the table and with the table deleted (the bare topology), alternating, in one run; the ratios
// are of the medians. Nothing else in the bare host asks for connection tracking, so it runs none:
// the ratios price the table's conntrack as well as its rules; a third mode ("tracked": a table
// that only tracks connections) tells the two apart. Both instances sit on one host, so
// the figures are a single host's forward path on this (2-core) machine: client, server and the
// host's softirq share the cores, and other load on the machine moves them.
// Also the kernel memory the ruleset takes, per port and per rule.
// Needs root, nft, conntrack and ip; iperf3 for throughput (skipped without it).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, worldOf } from '../src/agent/agent.js';
import { PalisadeClient } from '../src/client/client.js';
import { devNetDown, devNetUp, hostNs, instanceNs } from '../src/dataplane/devnet.js';
import { available, inNetns, run } from '../src/dataplane/exec.js';
import { fullScript } from '../src/dataplane/nft.js';
import { type KernelModel, renderHost, TABLE } from '../src/dataplane/render.js';
import { startServer } from '../src/server/serve.js';
import { BENCH_ENV, benchAdmin, benchRegion, median, round } from './support.js';

const SELF = fileURLToPath(import.meta.url);
const log = process.env.PALISADE_BENCH_LOG
  ? (m: string, f: Record<string, unknown>) => console.log(m, JSON.stringify(f))
  : undefined;
const PREFIX = 'pbpp-';
const HOST = 'h1';
const HOST_NS = hostNs(HOST, PREFIX);
const CLIENT = { instance: 'client', interface: 't1', ip: '172.16.0.1' };
const SERVER = { instance: 'server', interface: 't2', ip: '172.16.0.2' };
const CLIENT_NS = instanceNs(CLIENT.instance, PREFIX);
const SERVER_NS = instanceNs(SERVER.instance, PREFIX);
const IPERF_PORT = 5201;
const CONNECT_PORT = 5300;
const PORTS_HERE = 500;
const PORTS_ELSEWHERE = 500;
const GROUPS = 5;
const RULES_PER_GROUP = 100;
const ALLOWING_GROUP = 2;
const benchRule = { protocol: 'tcp', ports: `${IPERF_PORT},${CONNECT_PORT}`, priority: 50 };
const ROUNDS = 5;
const TRACKED_TABLE = 'pp_tracked';
const TRACKED_SCRIPT = `table inet ${TRACKED_TABLE} {\n  chain forward { type filter hook forward priority filter; policy accept; ct state established,related accept; }\n}\n`;
const CONNECT_SECONDS = 3;
const CONCURRENCY = 64;
const IPERF_SECONDS = 3;
const MEMORY_LOADS = 5;
const MEMORY_COPIES = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Skipped = { skipped: string };
/** What bench/dataplane.ts adds to its figures (packetPath alone, skipped, without the tools). */
export type PacketPathFigures = Measured | { packetPath: Skipped };
interface Measured {
  packetPath: {
    rounds: number;
    newConnectionsPerSec: number;
    newConnectionsPerSecBare: number;
    newConnectionsRatio: number;
    throughputMbps: number | Skipped;
    throughputMbpsBare: number | Skipped;
    throughputRatio: number | Skipped;
    /** With connection tracking only (no Palisade table): the share of the cost that is the table's own. */
    newConnectionsPerSecTracked: number;
    newConnectionsRatioVsTracked: number;
    throughputMbpsTracked: number | Skipped;
    throughputRatioVsTracked: number | Skipped;
  };
  kernelBytesTable: number;
  kernelBytesPerPort: number;
  kernelBytesPerRule: number;
}

/** The 500-port region, built through the API; returns the ids of the rules that allow the benchmark. */
async function buildRegion(admin: PalisadeClient): Promise<{ allowIds: string[] }> {
  const region = { id: 'pp', profile: 'huawei', quotas: { rulesPerGroup: 0, groupsPerPort: 10 } };
  const { client: c, vpc, groups } = await benchRegion(admin, region, GROUPS);
  // The rules of bench/dataplane.ts: ports, CIDRs and references to the other groups.
  let allowIds: string[] = [];
  for (const [i, g] of groups.entries()) {
    const rules: Record<string, unknown>[] = Array.from({ length: RULES_PER_GROUP }, (_, n) => ({
      direction: n % 4 === 3 ? 'egress' : 'ingress',
      protocol: n % 3 ? 'tcp' : 'udp',
      ports: String(1000 + n),
      priority: 1 + (n % 100),
      ...(n % 5 === 0 ? { remoteGroup: groups[(i + 1) % GROUPS] } : { remoteIpPrefix: `10.${i}.${n}.0/24` }),
    }));
    // Huawei decides group by group, each by priority. The benchmark's traffic is allowed halfway
    // down the evaluation order, its typical place: in the middle group (of five), after the rules
    // of priority up to 50, so each SYN is compared with two whole groups' chains and half of the
    // third (62 egress rules before its allow on the way out, 188 ingress rules on the way in).
    const allowing = i === ALLOWING_GROUP;
    if (allowing)
      rules.push(
        { direction: 'egress', ...benchRule, remoteIpPrefix: `${SERVER.ip}/32` },
        { direction: 'ingress', ...benchRule, remoteIpPrefix: `${CLIENT.ip}/32` },
      );
    const created = await c.post<{ rules: { id: string }[] }>(`/v1/security-groups/${g}/rules/batch`, {
      rules,
    });
    if (allowing) allowIds = created.rules.slice(RULES_PER_GROUP).map((r) => r.id);
  }
  for (let n = 0; n < PORTS_HERE + PORTS_ELSEWHERE; n++) {
    const here = n < PORTS_HERE;
    await c.post('/v1/instances', {
      regionId: 'pp',
      vpcId: vpc,
      name: `vm${n}`,
      ports: [
        {
          ipv4: [`172.16.${n >> 8}.${n & 255}`],
          host: here ? HOST : 'h2',
          // Ports 1 and 2 are the dev net's client and server; the other interfaces do not exist.
          interface: `t${n}`,
          groupIds: groups,
        },
      ],
    });
  }
  return { allowIds };
}

/** A child of this file in a namespace (see the bottom: listen, connect), with this process's loader flags. */
function child(ns: string, args: string[]) {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, ...process.execArgv, SELF, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Stop a child and wait until it is gone (its port is free again). */
async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = once(proc, 'exit');
  proc.kill();
  await gone;
}

async function firstLine(proc: ChildProcess, match: (line: string) => boolean): Promise<string> {
  for await (const line of createInterface({ input: proc.stdout! })) if (match(line)) return line;
  throw new Error('child exited before answering');
}

/** Connections per second from the client instance to a listener in the server instance. */
async function connectionRate(): Promise<number> {
  const listener = child(SERVER_NS, ['listen', String(CONNECT_PORT)]);
  try {
    await firstLine(listener, (l) => l === 'ready');
    const gen = child(CLIENT_NS, [
      'connect',
      SERVER.ip,
      String(CONNECT_PORT),
      String(CONNECT_SECONDS),
      String(CONCURRENCY),
    ]);
    const result = JSON.parse(await firstLine(gen, (l) => l.startsWith('{'))) as {
      completed: number;
      failed: number;
      perSec: number;
    };
    // A failed connection (a dropped SYN waits a second for its retry) would measure the setup.
    if (result.failed > result.completed / 1000)
      throw new Error(`packet path: ${result.failed} of ${result.completed} connections failed`);
    return result.perSec;
  } finally {
    await stop(listener);
  }
}

/** Single-stream TCP throughput from the client instance to the server instance (iperf3). */
async function throughput(): Promise<number> {
  const server = spawn(
    'ip',
    ['netns', 'exec', SERVER_NS, 'iperf3', '-s', '-1', '-p', String(IPERF_PORT), '--forceflush'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await firstLine(server, (l) => l.includes('listening'));
    // One second of warm-up (slow start) is left out of the figure.
    const out = await inNetns(CLIENT_NS, 'iperf3', [
      '-c',
      SERVER.ip,
      '-p',
      String(IPERF_PORT),
      '-t',
      String(IPERF_SECONDS),
      '-O',
      '1',
      '-J',
    ]);
    return (JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received
      .bits_per_second;
  } finally {
    await stop(server);
  }
}

const nftHost = (args: string[], input?: string) => inNetns(HOST_NS, 'nft', args, input);

/** Packets the allowing rules counted: proof that the SYNs went down the chains to them. */
async function allowHits(ids: string[]): Promise<number> {
  const listing = JSON.parse(await nftHost(['-j', 'list', 'table', 'inet', TABLE])) as {
    nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[];
  };
  let packets = 0;
  for (const { rule } of listing.nftables)
    if (rule?.comment && ids.includes(rule.comment))
      packets += rule.expr.find((e) => e.counter)?.counter?.packets ?? 0;
  return packets;
}

/**
 * Kernel memory, from /proc/meminfo: Slab + VmallocUsed + Percpu before and after `nft -f` of
 * MEMORY_COPIES copies of the table (renamed) into a scratch namespace, a second after the last
 * deletion so its deferred frees are done; the median of MEMORY_LOADS loads, per copy. Loading
 * several copies at once lifts the figure above the machine's background slab churn; on a quiet
 * machine loads agree within about 3%. Percpu moves only when a new per-cpu chunk is populated, so
 * the rules' per-cpu counters (16 bytes per CPU each) are mostly not in the figure.
 */
async function kernelBytes(script: string): Promise<number> {
  const ns = `${PREFIX}mem`;
  const meminfo = () => {
    const text = readFileSync('/proc/meminfo', 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)![1]);
    return (kb('Slab') + kb('VmallocUsed') + kb('Percpu')) * 1024;
  };
  const copies = Array.from({ length: MEMORY_COPIES }, (_, k) => `${TABLE}_m${k}`);
  const all = copies.map((name) => script.replaceAll(`inet ${TABLE}`, `inet ${name}`)).join('');
  // The namespace is this bench's alone: one left by an interrupted run is replaced.
  await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
  await run('ip', ['netns', 'add', ns]);
  try {
    const loads: number[] = [];
    for (let i = 0; i < MEMORY_LOADS; i++) {
      await sleep(1000);
      const before = meminfo();
      await inNetns(ns, 'nft', ['-f', '-'], all);
      await sleep(500);
      loads.push((meminfo() - before) / MEMORY_COPIES);
      for (const name of copies) await inNetns(ns, 'nft', ['delete', 'table', 'inet', name]);
    }
    return median(loads);
  } finally {
    await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
  }
}

/**
 * Per rule: the table with its chains but empty sets and dispatch maps, over the policy's rules
 * (so the chunk jumps, the group and policy chains and the base chains are spread over them).
 * Per port: what one more port on the host adds: its two dispatch-map entries (the full table
 * less the one without dispatch, over the ports here) and its address in its groups' member sets
 * (the sets' elements, over the 1,000 member ports).
 */
async function kernelMemory(model: KernelModel, policyRules: number) {
  const noDispatch: KernelModel = { ...model, egress: new Map(), ingress: new Map() };
  const rulesOnly: KernelModel = {
    ...noDispatch,
    sets: new Map([...model.sets].map(([name, set]) => [name, { ...set, elements: new Set<string>() }])),
  };
  const full = await kernelBytes(fullScript(model));
  const withSets = await kernelBytes(fullScript(noDispatch));
  const rules = await kernelBytes(fullScript(rulesOnly));
  return {
    kernelBytesTable: Math.round(full),
    kernelBytesPerPort: Math.round(
      (full - withSets) / PORTS_HERE + (withSets - rules) / (PORTS_HERE + PORTS_ELSEWHERE),
    ),
    kernelBytesPerRule: Math.round(rules / policyRules),
  };
}

export async function benchPacketPath(): Promise<PacketPathFigures> {
  if (process.getuid?.() !== 0) return { packetPath: { skipped: 'needs root' } };
  for (const tool of ['nft', 'conntrack', 'ip'])
    if (!(await available(tool))) return { packetPath: { skipped: `needs ${tool}` } };
  const iperf = await available('iperf3');
  const dir = mkdtempSync(join(tmpdir(), 'palisade-pp-bench-'));
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let agent: Agent | null = null;
  try {
    await devNetUp({
      prefix: PREFIX,
      hosts: [HOST],
      ports: [CLIENT, SERVER].map((p) => ({
        host: HOST,
        interface: p.interface,
        instance: p.instance,
        ipv4: [p.ip],
        ipv6: [],
      })),
    });
    // Whoever closes first holds TIME_WAIT: the server does (the client's ports come free at
    // once); reuse and the widest port range are there in case the client ever holds it.
    for (const [key, value] of [
      ['net.ipv4.tcp_tw_reuse', '1'],
      ['net.ipv4.ip_local_port_range', '1024 65535'],
    ])
      await inNetns(CLIENT_NS, 'sysctl', ['-qw', `${key}=${value}`]);
    server = await startServer({
      port: 0,
      database: join(dir, 'bench.db'),
      logger: false,
      env: { ...process.env, ...BENCH_ENV },
    });
    const admin = benchAdmin(server.url);
    const { allowIds } = await buildRegion(admin);
    // No drift checks: the bare measurements delete the table, and the agent must not put it back.
    agent = new Agent(admin, { host: HOST, netns: HOST_NS, driftCheckMs: 3_600_000, reportMs: 3_600_000 });
    await agent.start();

    const figures = {
      bare: { conn: [] as number[], mbps: [] as number[] },
      tracked: { conn: [] as number[], mbps: [] as number[] },
      table: { conn: [] as number[], mbps: [] as number[] },
    };
    // "tracked": no Palisade table, only connection tracking (what any stateful filter pays), so
    // that the table's own cost can be told from conntrack's.
    const dropTables = async () => {
      await nftHost(['delete', 'table', 'inet', TABLE]).catch(() => undefined);
      await nftHost(['delete', 'table', 'inet', TRACKED_TABLE]).catch(() => undefined);
    };
    for (let r = 0; r < ROUNDS; r++)
      for (const mode of ['bare', 'tracked', 'table'] as const) {
        await dropTables();
        if (mode === 'tracked') await nftHost(['-f', '-'], TRACKED_SCRIPT);
        // The agent's own repair writes the table back: the same whole-table write as at start.
        if (mode === 'table' && !(await agent.checkDrift()))
          throw new Error('packet path: the table was not rewritten');
        // Each measurement starts with an empty conntrack table (its size is never the limit:
        // a round leaves fewer entries than nf_conntrack_max).
        await inNetns(HOST_NS, 'conntrack', ['-F']).catch(() => undefined);
        figures[mode].conn.push(await connectionRate());
        if (iperf) figures[mode].mbps.push((await throughput()) / 1e6);
        log?.(`packet path round ${r} ${mode}`, {
          conn: figures[mode].conn.at(-1),
          mbps: figures[mode].mbps.at(-1),
          conntrackEntries: (await inNetns(HOST_NS, 'conntrack', ['-C']).catch(() => '')).trim(),
        });
        if (mode === 'table' && !(await allowHits(allowIds)))
          throw new Error('packet path: the allowing rules counted nothing');
      }

    const snap = await admin.get<Parameters<typeof worldOf>[0]>('/v1/snapshot');
    const world = worldOf(snap);
    const model = renderHost(
      HOST,
      [...world.regions.keys()].map((id) => world.regionState(id)!),
    );
    const conn = median(figures.table.conn);
    const connBare = median(figures.bare.conn);
    const connTracked = median(figures.tracked.conn);
    const mbps = iperf ? median(figures.table.mbps) : null;
    const mbpsBare = iperf ? median(figures.bare.mbps) : null;
    const mbpsTracked = iperf ? median(figures.tracked.mbps) : null;
    const noIperf = { skipped: 'needs iperf3' };
    return {
      packetPath: {
        rounds: ROUNDS,
        newConnectionsPerSec: Math.round(conn),
        newConnectionsPerSecBare: Math.round(connBare),
        newConnectionsRatio: round(conn / connBare, 3),
        throughputMbps: mbps === null ? noIperf : Math.round(mbps),
        throughputMbpsBare: mbpsBare === null ? noIperf : Math.round(mbpsBare),
        throughputRatio: mbps === null || mbpsBare === null ? noIperf : round(mbps / mbpsBare, 3),
        newConnectionsPerSecTracked: Math.round(connTracked),
        newConnectionsRatioVsTracked: round(conn / connTracked, 3),
        throughputMbpsTracked: mbpsTracked === null ? noIperf : Math.round(mbpsTracked),
        throughputRatioVsTracked:
          mbps === null || mbpsTracked === null ? noIperf : round(mbps / mbpsTracked, 3),
      },
      ...(await kernelMemory(model, GROUPS * RULES_PER_GROUP + allowIds.length)),
    };
  } finally {
    await agent?.stop();
    await server?.close();
    await devNetDown(PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Open connections to host:port with `concurrency` in flight for `seconds`; each one completes
 * the handshake and exchanges a byte each way (conntrack creates and confirms its entry), and the
 * server closes it.
 */
async function generate(host: string, port: number, seconds: number, concurrency: number) {
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let completed = 0;
  let failed = 0;
  const worker = () =>
    new Promise<void>((done) => {
      const next = () => {
        if (performance.now() >= until) return done();
        let answered = false;
        const s = connect({ host, port });
        s.on('connect', () => s.write('x'));
        s.on('data', () => (answered = true));
        s.on('error', () => undefined);
        s.on('close', () => {
          if (answered) completed++;
          else failed++;
          next();
        });
      };
      next();
    });
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, failed, perSec: completed / ((performance.now() - t0) / 1000) };
}

// The child roles, run inside the instance namespaces.
if (process.argv[1] === SELF) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'listen') {
    // Answer each connection's byte with one and close first (TIME_WAIT stays on this side).
    createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end('x'));
    }).listen({ port: Number(args[0]), backlog: 4096 }, () => console.log('ready'));
  } else if (mode === 'connect') {
    const [host, port, seconds, concurrency] = args;
    console.log(JSON.stringify(await generate(host, Number(port), Number(seconds), Number(concurrency))));
  } else {
    console.log(JSON.stringify(await benchPacketPath(), null, 2));
  }
}
