// Connection tracking on the host: the region's timeouts for protocols nft timeout objects do
// not cover (ICMP, generic), the live entries as flows, and which of them a clearing plan cuts.
// One conntrack entry exists per flow on a host: its original direction tells inbound from
// outbound (inbound to a port: the port's address is the original destination). Cutting is
// done by the table (nft.ts blockScript), in one transaction, never by deleting entries one by one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConntrackTimeouts } from '../core/model.js';
import type { TrackedFlow } from '../conntrack/flows.js';
import { inNetns, run } from './exec.js';

// The flows and which of them a clearing cuts are pure (src/conntrack/flows.ts): the service's
// change preview predicts with the same function the agent cuts with.
export { flowsToCut, stateTimeout, type TrackedFlow } from '../conntrack/flows.js';

export class Conntrack {
  constructor(private readonly netns?: string) {}

  private tool(program: string, args: string[]): Promise<string> {
    return this.netns ? inNetns(this.netns, program, args) : run(program, args);
  }

  async setTimeouts(t: ConntrackTimeouts | null): Promise<void> {
    if (!t) return;
    for (const [key, value] of [
      ['net.netfilter.nf_conntrack_icmp_timeout', t.icmp],
      ['net.netfilter.nf_conntrack_icmpv6_timeout', t.icmp],
      ['net.netfilter.nf_conntrack_generic_timeout', t.otherBothWays],
    ] as const)
      await this.tool('sysctl', ['-qw', `${key}=${value}`]).catch(() => undefined);
  }

  /** Every live entry (one listing of the table). */
  async list(): Promise<TrackedFlow[]> {
    const text = await this.tool('conntrack', ['-L']).catch(() => '');
    return text
      .split('\n')
      .map(parseLine)
      .filter((f): f is TrackedFlow => f !== null);
  }

  /**
   * Run conntrack commands (lines such as "-U -p udp -s ... -t 30") in one process; an entry
   * that is gone by then is skipped, not an error.
   */
  async batch(lines: string[]): Promise<void> {
    if (!lines.length) return;
    // conntrack -R opens its file by name, and /dev/stdin is a socket under Node's spawn: a file it is.
    const dir = await mkdtemp(join(tmpdir(), 'palisade-conntrack-'));
    try {
      const file = join(dir, 'commands');
      await writeFile(file, `${lines.join('\n')}\n`);
      await this.tool('conntrack', ['-R', file]).catch(() => undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * "tcp 6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=22 src=... [ASSURED]"
 * (a listing line, or an event line after its "[UPDATE] " tag) → the flow by its original tuple.
 */
export function parseLine(line: string): TrackedFlow | null {
  const m = /^(?:\[\w+\]\s+)?\S+\s+(\d+)\s+(\d+)\s+(?:([A-Z_0-9]+)\s+)?src=/.exec(line.trim());
  if (!m) return null;
  const field = (k: string) => new RegExp(`\\b${k}=(\\S+)`).exec(line)?.[1];
  const src = field('src');
  const dst = field('dst');
  if (!src || !dst) return null;
  const sport = field('sport');
  const dport = field('dport');
  return {
    protocol: Number(m[1]),
    src,
    dst,
    ...(sport ? { sport: Number(sport), dport: Number(dport) } : {}),
    state: m[3] ?? '',
    replied: !line.includes('[UNREPLIED]'),
    assured: line.includes('[ASSURED]'),
    remainingS: Number(m[2]),
  };
}
