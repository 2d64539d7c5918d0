// Real packets for the data-plane tests: probes (test/support/netprobe.mjs) run inside the
// dev-net namespaces, and agents followed until they enforce a given revision.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Agent } from '../../src/agent/agent.js';
import { available, run } from '../../src/dataplane/exec.js';
import { instanceNs } from '../../src/dataplane/devnet.js';

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

const netnsArgs = (instance: string, args: string[]) => ['netns', 'exec', instanceNs(instance), ...args];

export function exchange(from: string, proto: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const child = spawn('ip', netnsArgs(from, [process.execPath, PROBE, 'once', proto, host, String(port)]), {
      stdio: 'ignore',
    });
    child.on('exit', (code) => done(code === 0));
  });
}

export const ping = (from: string, host: string) =>
  run('ip', netnsArgs(from, ['ping', '-c1', '-W1', host])).then(
    () => true,
    () => false,
  );

export interface Background {
  child: ChildProcess;
  lines: AsyncIterableIterator<string>;
  stop(): void;
}

function background(instance: string, args: string[]): Background {
  const child = spawn('ip', netnsArgs(instance, [process.execPath, PROBE, ...args]), {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, stop: () => child.kill('SIGKILL') };
}

export async function echoServer(instance: string, proto: 'tcp' | 'udp', port: number): Promise<Background> {
  const server = background(instance, ['server', proto, String(port)]);
  const first = await server.lines.next();
  if (first.value !== 'ready') throw new Error(`echo server in ${instance} said ${first.value}`);
  return server;
}

/** One long-lived TCP connection; send() answers whether the echo came back. */
export async function connection(instance: string, host: string, port: number) {
  const client = background(instance, ['client', 'tcp', host, String(port)]);
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

/** Wait until every agent enforces at least `revision`. */
export async function enforced(agents: Agent[], revision: number, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (agents.some((a) => a.revision < revision)) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`agents stuck at ${agents.map((a) => a.revision)} < ${revision}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
