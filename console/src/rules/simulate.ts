// The simulated connections of the group page, run through POST /v1/regions/{id}/simulations:
// each connection is opened (TCP: the three-way handshake; UDP and ICMP: a request and its
// reply) on the stored policy, then the hypothetical change is applied (an edit is removeRule
// then addRule: the simulator has no modify step), and each connection's next packet says
// whether it survived, and if not, what stopped it: the profile's clearing policy or the rules.
import { type Client, seg } from '../api';

export interface SimulatedConnection {
  /** A port id or an address. */
  from: string;
  to: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  /** TCP/UDP destination port. */
  dstPort: string;
}

export type SimulationChange =
  | { op: 'addRule'; groupId: string; rule: Record<string, unknown> }
  | { op: 'removeRule'; groupId: string; ruleId: string };

type Hop =
  | { via: 'outside'; verdict: 'allow' }
  | { via: 'conntrack'; verdict: 'allow' | 'deny'; portId: string }
  | { via: 'cleared'; verdict: 'deny'; portId: string }
  | {
      via: 'rules' | 'stateless';
      verdict: 'allow' | 'deny';
      portId: string;
      explanation: { decidedBy: { kind: string; ruleId?: string; groupId?: string; reason?: string } };
    };

type StepResult =
  | { op: 'send'; delivered: boolean; egress: Hop; ingress: Hop }
  | { op: 'advance' | 'connections' }
  | { op: 'addRule' | 'removeRule'; cleared: number; dropped: number };

export interface ConnectionFate {
  connection: SimulatedConnection;
  /** Whether the stored policy lets it open at all. */
  opened: boolean;
  /** Why it could not open, or what stopped its next packet after the change. */
  stoppedBy: string | null;
  /** After the change: its next packet passes (null: there was no change, or it never opened). */
  survives: boolean | null;
  /** How the next packet passed: as a tracked connection, or by the rules anew. */
  passedVia: string | null;
}

export interface SimulationOutcome {
  fates: ConnectionFate[];
  /** Tracked entries the change's clearing turned into cleared markers, and dropped. */
  cleared: number;
  dropped: number;
}

const FIRST_SOURCE_PORT = 41000;

function sendsOf(c: SimulatedConnection, i: number, phase: 'open' | 'next') {
  const sport = FIRST_SOURCE_PORT + i;
  const dport = Number(c.dstPort);
  const forward = { op: 'send', from: c.from, to: c.to, protocol: c.protocol };
  const back = { op: 'send', from: c.to, to: c.from, protocol: c.protocol };
  if (c.protocol === 'icmp') {
    // The echo identifier keys the flow; the reply is type 0.
    const request = { ...forward, icmpType: 8, icmpCode: 0, srcPort: sport };
    return phase === 'open' ? [request, { ...back, icmpType: 0, icmpCode: 0, srcPort: sport }] : [request];
  }
  const out = { ...forward, srcPort: sport, dstPort: dport };
  if (c.protocol === 'udp')
    return phase === 'open' ? [out, { ...back, srcPort: dport, dstPort: sport }] : [out];
  return phase === 'open'
    ? [
        { ...out, flags: 'S' },
        { ...back, srcPort: dport, dstPort: sport, flags: 'SA' },
        { ...out, flags: 'A' },
      ]
    : [{ ...out, flags: 'A' }];
}

function stopText(hop: Hop): string {
  if (hop.via === 'cleared') return `cleared by the profile's clearing policy (port ${hop.portId})`;
  if (hop.via === 'rules' || hop.via === 'stateless') {
    const d = hop.explanation.decidedBy;
    const side = `${hop.portId}`;
    if (d.kind === 'rule') return `denied by rule ${d.ruleId} of ${d.groupId} (port ${side})`;
    return `denied: no rule allows it (port ${side}${d.reason ? `: ${d.reason}` : ''})`;
  }
  return 'denied';
}

/** What stopped a packet that was not delivered. */
function stoppedBy(send: Extract<StepResult, { op: 'send' }>): string {
  return stopText(send.egress.verdict === 'deny' ? send.egress : send.ingress);
}

const passedText = (send: Extract<StepResult, { op: 'send' }>) =>
  [send.egress, send.ingress].some((h) => h.via === 'rules' || h.via === 'stateless')
    ? 'allowed by the rules anew'
    : 'still tracked';

/** Open the connections, apply the change (none: how they fare on the stored policy), send their next packets. */
export async function simulate(
  api: Client,
  regionId: string,
  connections: readonly SimulatedConnection[],
  change: readonly SimulationChange[],
): Promise<SimulationOutcome> {
  const opening = connections.map((c, i) => sendsOf(c, i, 'open'));
  const next = change.length ? connections.map((c, i) => sendsOf(c, i, 'next')) : [];
  const steps = [...opening.flat(), ...change, ...next.flat()];
  const answer = await api.post<{ results: StepResult[] }>(`/v1/regions/${seg(regionId)}/simulations`, {
    steps,
  });
  const results = answer.results;
  let at = 0;
  const opened = opening.map((sends) => {
    const mine = results.slice(at, at + sends.length) as Extract<StepResult, { op: 'send' }>[];
    at += sends.length;
    const refused = mine.find((r) => !r.delivered);
    return refused ? stoppedBy(refused) : null;
  });
  let cleared = 0;
  let dropped = 0;
  for (const r of results.slice(at, at + change.length))
    if (r.op === 'addRule' || r.op === 'removeRule') {
      cleared += r.cleared;
      dropped += r.dropped;
    }
  at += change.length;
  const fates = connections.map((connection, i): ConnectionFate => {
    const blocked = opened[i] ?? null;
    if (blocked !== null)
      return { connection, opened: false, stoppedBy: blocked, survives: null, passedVia: null };
    if (!change.length) return { connection, opened: true, stoppedBy: null, survives: null, passedVia: null };
    const send = results[at + i] as Extract<StepResult, { op: 'send' }>;
    return send.delivered
      ? { connection, opened: true, stoppedBy: null, survives: true, passedVia: passedText(send) }
      : { connection, opened: true, stoppedBy: stoppedBy(send), survives: false, passedVia: null };
  });
  return { fates, cleared, dropped };
}

export const connectionText = (c: SimulatedConnection) =>
  `${c.protocol} ${c.from} → ${c.to}${c.protocol === 'icmp' ? ' (echo)' : `:${c.dstPort}`}`;
