// Tracked connections as a host lists them, and which of them a clearing plan cuts (pure): the
// agent cuts with it (dataplane/conntrack.ts), and a change preview predicts the cut with the
// same function (control/ops/preview.ts).
import type { Engine } from '../core/engine.js';
import type { ConntrackTimeouts, Packet, Port } from '../core/model.js';
import { State, STATE_NAMES, timeoutOf } from './tcp.js';

/** A cleared connection: its original tuple, and how long its packets stay blocked. */
export interface BlockedFlow {
  protocol: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  timeoutS: number;
}

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
