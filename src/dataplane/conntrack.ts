// Connection tracking on the host: the region's timeouts for protocols nft timeout objects do
// not cover (ICMP, generic), the live entries as flows, and which of them a clearing plan cuts.
// One conntrack entry exists per flow on a host: its original direction tells inbound from
// outbound (inbound to a port: the port's address is the original destination). Cutting is
// done by the table (nft.ts blockScript), in one transaction, never by deleting entries one by one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../core/engine.js';
import type { ConntrackTimeouts, Packet, Port } from '../core/model.js';
import { State, STATE_NAMES, timeoutOf } from '../conntrack/tcp.js';
import { inNetns, run } from './exec.js';
import type { BlockedFlow } from './nft.js';

export interface TrackedFlow {
  protocol: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** The TCP state as conntrack names it ("ESTABLISHED"); empty for other protocols. */
  state: string;
  /** Packets were seen in the reply direction. */
  replied: boolean;
  /** The kernel made the entry ASSURED (UDP: traffic after its first 2 s with a reply). */
  assured: boolean;
  /** Seconds until the entry expires if no packet comes. */
  remainingS: number;
}

const TCP_STATES = new Map<string, State>(
  Object.entries(STATE_NAMES).map(([n, name]) => [name, Number(n) as State]),
);
// The kernel's SYN_SENT2 (simultaneous open) is timed as SYN_SENT.
TCP_STATES.set('SYN_SENT2', State.SynSent);

/** The region's timeout for the state a flow is in: how long a cleared flow stays blocked (003). */
export function stateTimeout(t: ConntrackTimeouts, flow: TrackedFlow): number {
  if (flow.protocol === 6) return timeoutOf(t, TCP_STATES.get(flow.state) ?? State.Established, true);
  if (flow.protocol === 1 || flow.protocol === 58) return timeoutOf(t, State.Icmp, flow.replied);
  return timeoutOf(t, State.Other, flow.replied);
}

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

const addresses = (port: Port) => [...port.ipv4, ...port.ipv6, ...(port.publicIpv4 ? [port.publicIpv4] : [])];

const blocked = (flow: TrackedFlow, timeoutS: number): BlockedFlow => ({
  protocol: flow.protocol,
  src: flow.src,
  dst: flow.dst,
  ...(flow.sport !== undefined ? { sport: flow.sport, dport: flow.dport } : {}),
  timeoutS,
});

/**
 * The flows a clearing cuts on this host: the inbound entries of `inbound` ports (and every
 * entry of ports that are gone), blocked for the timeout of the state each was in; and the live
 * connections of `reevaluate` ports that the new policy denies, blocked for what is left of their
 * entry (after which their next packet is new, and meets the rules that deny it).
 */
export function flowsToCut(
  flows: TrackedFlow[],
  cut: { inbound: Port[]; forget: Port[]; reevaluate: Port[] },
  timeouts: ConntrackTimeouts,
  engine: Engine | null,
): BlockedFlow[] {
  const inbound = new Set([...cut.inbound, ...cut.forget].flatMap(addresses));
  const gone = new Set(cut.forget.flatMap(addresses));
  const owner = new Map<string, string>();
  for (const port of cut.reevaluate) for (const a of addresses(port)) owner.set(a, port.id);
  const out: BlockedFlow[] = [];
  for (const flow of flows) {
    if (inbound.has(flow.dst) || gone.has(flow.src)) {
      out.push(blocked(flow, stateTimeout(timeouts, flow)));
      continue;
    }
    if (!engine) continue;
    const into = owner.get(flow.dst);
    const from = owner.get(flow.src);
    if (into === undefined && from === undefined) continue;
    const packet: Packet = {
      ethertype: flow.src.includes(':') ? 'IPv6' : 'IPv4',
      protocol: flow.protocol,
      src: flow.src,
      dst: flow.dst,
      ...(flow.sport !== undefined ? { srcPort: flow.sport, dstPort: flow.dport } : {}),
    };
    const denied =
      (into !== undefined && !engine.allows(into, 'ingress', packet)) ||
      (from !== undefined && !engine.allows(from, 'egress', packet));
    if (denied) out.push(blocked(flow, flow.remainingS));
  }
  return out;
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
