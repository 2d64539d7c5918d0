// Real packets for the data-plane tests: probes (test/support/netprobe.mjs) run inside the
// dev-net namespaces, and agents followed until they enforce a given revision.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent } from '../../src/agent/agent.js';
import type { PalisadeClient } from '../../src/client/client.js';
import { available, run } from '../../src/dataplane/exec.js';
import { devNetDown, devNetUp, type DevPort, hostNs, instanceNs } from '../../src/dataplane/devnet.js';
import { startServer } from '../../src/server/serve.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  TEST_ENV,
  type TestDatabase,
  type TestServer,
} from './servers.js';

const PROBE = resolve('test/support/netprobe.mjs');

/** Root with nft, conntrack and ip: what the data-plane tests need (.ci/run installs them). */
export async function canRunDataplane(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  for (const tool of ['nft', 'conntrack', 'ip']) if (!(await available(tool))) return false;
  return run('ip', ['netns', 'list']).then(
    () => true,
    () => false,
  );
}

const netnsArgs = (instance: string, args: string[], prefix?: string) => [
  'netns',
  'exec',
  instanceNs(instance, prefix),
  ...args,
];

export function exchange(
  from: string,
  proto: 'tcp' | 'udp',
  host: string,
  port: number,
  waitMs = 1000,
  prefix?: string,
): Promise<boolean> {
  return new Promise((done) => {
    const child = spawn(
      'ip',
      netnsArgs(from, [process.execPath, PROBE, 'once', proto, host, String(port), String(waitMs)], prefix),
      {
        stdio: 'ignore',
      },
    );
    child.on('exit', (code) => done(code === 0));
  });
}

export const ping = (from: string, host: string, prefix?: string) =>
  run('ip', netnsArgs(from, ['ping', '-c1', '-W1', host], prefix)).then(
    () => true,
    () => false,
  );

export interface Background {
  child: ChildProcess;
  lines: AsyncIterableIterator<string>;
  stop(): void;
}

function background(instance: string, args: string[], prefix?: string): Background {
  const child = spawn('ip', netnsArgs(instance, [process.execPath, PROBE, ...args], prefix), {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, stop: () => child.kill('SIGKILL') };
}

export async function echoServer(
  instance: string,
  proto: Listen[0],
  port: number,
  delayMs = 0,
  prefix?: string,
): Promise<Background> {
  const server = background(instance, ['server', proto, String(port), String(delayMs)], prefix);
  const first = await server.lines.next();
  if (first.value !== 'ready') throw new Error(`echo server in ${instance} said ${first.value}`);
  return server;
}

/** One long-lived TCP connection; send() answers whether the echo came back. */
export async function connection(instance: string, host: string, port: number, prefix?: string) {
  const client = background(instance, ['client', 'tcp', host, String(port)], prefix);
  const first = await client.lines.next();
  if (first.value !== 'connected')
    throw new Error(`connection from ${instance} to ${host}:${port}: ${first.value}`);
  return {
    async send(): Promise<string> {
      client.child.stdin!.write('hello\n');
      return (await client.lines.next()).value as string;
    },
    stop: client.stop,
  };
}

/** One UDP datagram; whether `n` answers came back within `ms`. */
export function replies(from: string, host: string, port: number, n: number, ms: number, prefix?: string) {
  return new Promise<boolean>((done) => {
    const args = [process.execPath, PROBE, 'replies', 'udp', host, String(port), String(n), String(ms)];
    spawn('ip', netnsArgs(from, args, prefix), { stdio: 'ignore' }).on('exit', (code) => done(code === 0));
  });
}

/** `n` long-lived TCP connections; probe() answers how many of them echoed within a second. */
export async function connections(instance: string, host: string, port: number, n: number, prefix?: string) {
  const client = background(instance, ['many', 'tcp', host, String(port), String(n)], prefix);
  const first = await client.lines.next();
  if (first.value !== `connected ${n}`) throw new Error(`${n} connections from ${instance}: ${first.value}`);
  return {
    async probe(): Promise<number> {
      client.child.stdin!.write('probe\n');
      return Number((await client.lines.next()).value);
    },
    stop: client.stop,
  };
}

/** Poll until `check` answers true (then true), or false after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) if (await check()) return true;
  return false;
}

/** Wait until every agent enforces at least `revision`. */
export async function enforced(agents: Agent[], revision: number, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (agents.some((a) => a.revision < revision)) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`agents stuck at ${agents.map((a) => a.revision)} < ${revision}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Fixture {
  t: TestServer;
  c: PalisadeClient;
  vpc: string;
  agents: Agent[];
  /** A write through the API, then wait until every host enforces it. */
  write<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  group(name: string, rules: unknown[], extra?: Record<string, unknown>): Promise<any>;
  /** Instances (one port each), the namespaces they live in, and an agent per host. */
  boot(instances: DevInstance[], listen?: Listen[]): Promise<Record<string, any>>;
  /**
   * For ports made otherwise (through a compatible API): the namespaces of their instances,
   * an agent per host and the listeners, as boot does after making its instances.
   */
  attach(ports: DevPort[], listen?: Listen[]): Promise<void>;
  close(): Promise<void>;
  /** Stop the server, run `whileDown`, start it again on the same port and database. */
  restartServer(whileDown: () => Promise<void>): Promise<void>;
  /** The namespace of a host of this fixture (each fixture has its own prefix, so test files run side by side). */
  hostNs(host: string): string;
  exchange(from: string, proto: 'tcp' | 'udp', host: string, port: number, waitMs?: number): Promise<boolean>;
  ping(from: string, host: string): Promise<boolean>;
  /** The connection-tracking table of a host, as conntrack -L prints it. */
  conntrack(host: string): Promise<string>;
  connection(from: string, host: string, port: number): ReturnType<typeof connection>;
  connections(from: string, host: string, port: number, n: number): ReturnType<typeof connections>;
  replies(from: string, host: string, port: number, n: number, ms: number): Promise<boolean>;
  /** An agent for a host of this fixture (started by the caller). */
  agent(host: string): Agent;
}

/** A listener: tcp or udp echo (udp answering after the delay), or udp2 (at once and again after it). */
export type Listen = readonly ['tcp' | 'udp' | 'udp2', number, number?];

export interface DevInstance {
  name: string;
  host: string;
  ipv4: string;
  ipv6?: string;
  groups: string[];
}

export async function dataplaneFixture(region: Record<string, unknown>): Promise<Fixture> {
  const db: TestDatabase = await freshDatabase('sqlite');
  const t = await startTestServer(db);
  const regionId = String(region.id);
  await t.admin.post('/v1/regions', region);
  const c = await newTenant(t.admin, t.url, 'dp');
  const vpc = (await c.post<any>('/v1/vpcs', { regionId, name: 'v' })).id;
  const agents: Agent[] = [];
  const servers: Background[] = [];
  const prefix = `t${Math.random().toString(36).slice(2, 7)}-`;
  const fixture: Fixture = {
    hostNs: (host) => hostNs(host, prefix),
    exchange: (from, proto, host, port, waitMs = 1000) => exchange(from, proto, host, port, waitMs, prefix),
    ping: (from, host) => ping(from, host, prefix),
    conntrack: (host) =>
      run('ip', ['netns', 'exec', hostNs(host, prefix), 'conntrack', '-L']).catch(() => ''),
    connection: (from, host, port) => connection(from, host, port, prefix),
    connections: (from, host, port, n) => connections(from, host, port, n, prefix),
    replies: (from, host, port, n, ms) => replies(from, host, port, n, ms, prefix),
    agent: (host) =>
      new Agent(t.admin, {
        host,
        netns: hostNs(host, prefix),
        driftCheckMs: 300,
        reportMs: 300,
        // PALISADE_TEST_AGENT_LOG=1 prints what each agent does.
        ...(process.env.PALISADE_TEST_AGENT_LOG
          ? { log: (m, x) => console.log(host, m, JSON.stringify(x)) }
          : {}),
      }),
    t,
    c,
    vpc,
    agents,
    async write(method, path, body) {
      const res = await c.request<any>(method, path, body);
      await enforced(agents, Number(res.headers.get('x-palisade-revision')));
      return res.body;
    },
    group: (name, rules, extra = {}) =>
      c.post<any>('/v1/security-groups', { regionId, vpcId: vpc, name, template: 'empty', rules, ...extra }),
    async boot(
      instances,
      listen = [
        ['tcp', 22],
        ['tcp', 80],
        ['udp', 53],
      ],
    ) {
      const ports: Record<string, any> = {};
      for (const i of instances)
        ports[i.name] = (
          await c.post<any>('/v1/instances', {
            regionId,
            vpcId: vpc,
            name: i.name,
            ports: [
              {
                ipv4: [i.ipv4],
                ipv6: i.ipv6 ? [i.ipv6] : [],
                host: i.host,
                interface: `tap${i.name}`,
                groupIds: i.groups,
              },
            ],
          })
        ).ports[0];
      await fixture.attach(
        instances.map((i) => ({
          host: i.host,
          interface: `tap${i.name}`,
          instance: i.name,
          ipv4: [i.ipv4],
          ipv6: i.ipv6 ? [i.ipv6] : [],
        })),
        listen,
      );
      return ports;
    },
    async attach(
      devPorts,
      listen = [
        ['tcp', 22],
        ['tcp', 80],
        ['udp', 53],
      ],
    ) {
      const hosts = [...new Set(devPorts.map((p) => p.host))];
      await devNetUp({ prefix, hosts, ports: devPorts });
      for (const host of hosts) {
        const agent = fixture.agent(host);
        await agent.start();
        agents.push(agent);
      }
      for (const p of devPorts)
        for (const [proto, port, delay] of listen)
          servers.push(await echoServer(p.instance, proto, port, delay, prefix));
    },
    async restartServer(whileDown) {
      const port = Number(new URL(t.url).port);
      await t.server.close();
      await whileDown();
      const server = await startServer({ port, database: db.location, logger: false, env: { ...TEST_ENV } });
      t.server = server;
      t.close = () => server.close();
    },
    async close() {
      for (const s of servers) s.stop();
      for (const a of agents) await a.stop();
      await devNetDown(prefix);
      await t.close();
      await db.drop();
    },
  };
  return fixture;
}
