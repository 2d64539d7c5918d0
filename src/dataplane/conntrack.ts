// Connection tracking on the host: the region's timeouts for protocols nft timeout objects do
// not cover (ICMP, generic), and deleting exactly the entries a clearing plan names. One
// conntrack entry exists per flow on a host: its original direction tells inbound from outbound
// (inbound to a port: the port's address is the original destination).
import type { Engine } from '../core/engine.js';
import type { ConntrackTimeouts, Packet, Port } from '../core/model.js';
import { inNetns, run } from './exec.js';

export interface TrackedFlow {
  protocol: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
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

  /**
   * Delete the inbound connections of these ports (the port's address is the original
   * destination). One listing of the table, then one deletion per matching entry: a tool call
   * per port would cost seconds on a host with hundreds of ports.
   */
  async deleteInbound(ports: Port[]): Promise<number> {
    if (!ports.length) return 0;
    const targets = new Set(ports.flatMap(addresses));
    let deleted = 0;
    for (const flow of await this.list())
      if (targets.has(flow.dst)) {
        await this.delete(tupleArgs(flow));
        deleted++;
      }
    return deleted;
  }

  /** Alibaba: check each live connection of these ports against the new policy; drop the denied ones. */
  async reevaluate(ports: Port[], engine: Engine): Promise<number> {
    if (!ports.length) return 0;
    const owner = new Map<string, string>();
    for (const port of ports) for (const a of addresses(port)) owner.set(a, port.id);
    let deleted = 0;
    for (const flow of await this.list()) {
      const packet: Packet = {
        ethertype: flow.src.includes(':') ? 'IPv6' : 'IPv4',
        protocol: flow.protocol,
        src: flow.src,
        dst: flow.dst,
      };
      if (flow.sport !== undefined) Object.assign(packet, { srcPort: flow.sport, dstPort: flow.dport });
      const inbound = owner.get(flow.dst);
      const outbound = owner.get(flow.src);
      const denied =
        (inbound !== undefined && !engine.allows(inbound, 'ingress', packet)) ||
        (outbound !== undefined && !engine.allows(outbound, 'egress', packet));
      if (denied) {
        await this.delete(tupleArgs(flow));
        deleted++;
      }
    }
    return deleted;
  }

  async list(filter: string[] = []): Promise<TrackedFlow[]> {
    const text = await this.tool('conntrack', ['-L', ...filter]).catch(() => '');
    return text
      .split('\n')
      .map(parseLine)
      .filter((f): f is TrackedFlow => f !== null);
  }

  private async delete(filter: string[]): Promise<void> {
    // conntrack exits 1 when nothing matched: not an error here.
    await this.tool('conntrack', ['-D', ...filter]).catch(() => undefined);
  }
}

const addresses = (port: Port) => [...port.ipv4, ...port.ipv6, ...(port.publicIpv4 ? [port.publicIpv4] : [])];

function tupleArgs(f: TrackedFlow): string[] {
  const args = ['-p', String(f.protocol), '-s', f.src, '-d', f.dst];
  if (f.sport !== undefined) args.push('--sport', String(f.sport), '--dport', String(f.dport));
  return args;
}

/** "tcp 6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=22 src=..." → the original tuple. */
export function parseLine(line: string): TrackedFlow | null {
  const m = /^\S+\s+(\d+)\s/.exec(line.trim());
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
  };
}
