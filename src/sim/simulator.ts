// The simulator: virtual ports of one region exchanging packets through both sides' policies
// and connection trackers on a virtual clock. "A opens TCP to B:22, B replies, the rule is
// deleted, A's next packet is dropped" is four calls. Pure: time only moves by advance().
import { ipFamily } from '../core/address.js';
import type { Change } from '../core/changes.js';
import { type ClearingPlan, clearingPlan } from '../core/clearing.js';
import { Engine } from '../core/engine.js';
import type { RegionIndex } from '../core/region-index.js';
import type { Direction, Ethertype, Packet, RegionState } from '../core/model.js';
import { PROTOCOL_NUMBERS, type ProtocolName } from '../core/model.js';
import { own } from '../core/own.js';
import { TRAITS } from '../core/profiles.js';
import type { Explanation } from '../core/verdict.js';
import { ConnectionTracker } from '../conntrack/tracker.js';
import { type TcpFlags, parseTcpFlags } from '../conntrack/tcp.js';

export interface SendSpec {
  protocol: Exclude<ProtocolName, 'all'> | number;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
  /** TCP flags such as "S", "SA", "A", "FA", "R". Default: SYN for a new flow, ACK otherwise. */
  flags?: string;
  ethertype?: Ethertype;
}

export type Hop =
  | { portId: null; verdict: 'allow'; via: 'outside' }
  | { portId: string; verdict: 'allow' | 'deny'; via: 'conntrack'; direction: 'original' | 'reply' }
  | { portId: string; verdict: 'deny'; via: 'cleared' }
  | { portId: string; verdict: 'allow' | 'deny'; via: 'rules' | 'stateless'; explanation: Explanation };

export interface Delivery {
  delivered: boolean;
  packet: Packet;
  egress: Hop;
  ingress: Hop;
}

export interface ChangeReport {
  plan: ClearingPlan;
  /** Entries turned into cleared markers (huawei/openstack). */
  cleared: number;
  /** Entries dropped after re-evaluation (alibaba) or because their port went away. */
  dropped: number;
}

export interface LiveConnection {
  portId: string;
  origin: 'inbound' | 'outbound';
  protocol: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  state: string;
  expiresIn: number;
}

export class Simulator {
  readonly engine: Engine;
  readonly tracker: ConnectionTracker;
  private clock = 0;
  private readonly zones = new Map<string, number>();
  private readonly zonePorts: string[] = [];

  constructor(state: RegionState) {
    this.engine = new Engine(state);
    this.tracker = new ConnectionTracker(
      state.region.conntrackTimeouts,
      TRAITS[state.region.profile].maxSessionTimeout,
    );
  }

  get now(): number {
    return this.clock;
  }

  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`cannot advance the clock by ${seconds} s`);
    this.clock += seconds;
    this.tracker.sweep(this.clock);
  }

  /** Send one packet; endpoints are port ids or addresses (ports may also be outside addresses). */
  send(from: string, to: string, spec: SendSpec): Delivery {
    const packet = packetBetween(this.engine.index, from, to, spec);
    const src = this.engine.index.portOwning(packet.src);
    const dst = this.engine.index.portOwning(packet.dst);
    const flags = this.flags(src ?? dst, packet, spec);
    const egress = src ? this.hop(src, 'egress', packet, flags) : outside();
    if (egress.verdict === 'deny') return { delivered: false, packet, egress, ingress: outside() };
    const ingress = dst ? this.hop(dst, 'ingress', packet, flags) : outside();
    return { delivered: ingress.verdict === 'allow', packet, egress, ingress };
  }

  /** Apply a change to the region and its effect on live connections. */
  apply(change: Change): ChangeReport {
    const plan = clearingPlan(this.engine.state.region.profile, this.engine.index, change);
    const forgetZones = new Set(
      [...plan.forget].map((p) => this.zones.get(p)).filter((z) => z !== undefined),
    );
    this.engine.apply(change);
    let dropped = this.tracker.drop((e) => forgetZones.has(e.zone));
    const clearZones = new Set([...plan.clearInbound].map((p) => this.zoneOf(p)));
    const cleared = this.tracker.clear(clearZones, 'inbound', this.clock);
    if (plan.reevaluate.size > 0) {
      const zones = new Set([...plan.reevaluate].map((p) => this.zoneOf(p)));
      dropped += this.tracker.drop((e) => {
        if (!zones.has(e.zone)) return false;
        const portId = this.zonePorts[e.zone];
        const direction: Direction = e.origin === 'inbound' ? 'ingress' : 'egress';
        return !this.engine.allows(portId, direction, e.packet);
      });
    }
    return { plan, cleared, dropped };
  }

  connections(): LiveConnection[] {
    return this.tracker.list(this.clock).map((c) => ({
      portId: this.zonePorts[c.zone],
      origin: c.origin,
      protocol: c.packet.protocol,
      src: c.packet.src,
      dst: c.packet.dst,
      srcPort: c.packet.srcPort ?? 0,
      dstPort: c.packet.dstPort ?? 0,
      state: c.state,
      expiresIn: c.expiresIn,
    }));
  }

  private hop(portId: string, direction: Direction, packet: Packet, flags: TcpFlags): Hop {
    const stateless = this.isStateless(portId);
    if (!stateless) {
      const tracked = this.tracker.track(this.zoneOf(portId), packet, flags, this.clock);
      if (tracked.kind === 'blocked') return { portId, verdict: 'deny', via: 'cleared' };
      if (tracked.kind === 'established')
        return { portId, verdict: 'allow', via: 'conntrack', direction: tracked.direction };
    }
    const explanation = this.engine.explain(portId, direction, packet);
    if (!stateless && explanation.verdict === 'allow') {
      this.tracker.commit(
        this.zoneOf(portId),
        packet,
        flags,
        direction === 'ingress' ? 'inbound' : 'outbound',
        this.clock,
      );
    }
    return { portId, verdict: explanation.verdict, via: stateless ? 'stateless' : 'rules', explanation };
  }

  private isStateless(portId: string): boolean {
    const port = this.engine.index.ports.get(portId)?.port;
    if (!port || port.groupIds.length === 0) return false;
    return port.groupIds.every((id) => this.engine.index.groups.get(id)?.stateful === false);
  }

  private zoneOf(portId: string): number {
    let zone = this.zones.get(portId);
    if (zone === undefined) {
      zone = this.zonePorts.length;
      this.zones.set(portId, zone);
      this.zonePorts.push(portId);
    }
    return zone;
  }

  /** Explicit flags, else SYN when neither end tracks the flow yet, else ACK. */
  private flags(portId: string | null, packet: Packet, spec: SendSpec): TcpFlags {
    if (spec.flags !== undefined) return parseTcpFlags(spec.flags);
    if (packet.protocol !== 6) return parseTcpFlags('');
    const zone = portId === null ? undefined : this.zones.get(portId);
    const known = zone !== undefined && this.tracker.has(zone, packet, this.clock);
    return parseTcpFlags(known ? 'A' : 'S');
  }
}

function outside(): Hop {
  return { portId: null, verdict: 'allow', via: 'outside' };
}

function addressOf(index: RegionIndex, endpoint: string, ethertype: Ethertype | undefined): string {
  if (ipFamily(endpoint)) return endpoint;
  const info = index.ports.get(endpoint);
  if (!info) throw new Error(`unknown endpoint ${endpoint}: neither a port id nor an IP address`);
  const family = ethertype ?? 'IPv4';
  const ip = (family === 'IPv4' ? info.port.ipv4 : info.port.ipv6)[0];
  if (!ip) throw new Error(`port ${endpoint} has no ${family} address`);
  return ip;
}

/** The packet from one endpoint (port id or address) to another, with the spec's defaults. */
export function packetBetween(index: RegionIndex, from: string, to: string, spec: SendSpec): Packet {
  const hinted = spec.ethertype ?? ipFamily(from) ?? ipFamily(to) ?? undefined;
  const src = addressOf(index, from, hinted);
  const dst = addressOf(index, to, hinted);
  const ethertype = ipFamily(src)!;
  if (ipFamily(dst) !== ethertype) throw new Error(`${src} and ${dst} are of different address families`);
  // An unknown name ("constructor" too) leaves the packet without a protocol, as before.
  const protocol =
    typeof spec.protocol === 'number' ? spec.protocol : (own(PROTOCOL_NUMBERS, spec.protocol) as number);
  const packet: Packet = { ethertype, protocol, src, dst };
  if (protocol === 6 || protocol === 17 || protocol === 132) {
    packet.srcPort = spec.srcPort ?? 40000;
    packet.dstPort = spec.dstPort ?? 0;
  }
  if (protocol === 1 || protocol === 58) {
    // The echo identifier tells concurrent pings apart; conntrack keys on it as on a port.
    if (spec.srcPort !== undefined) Object.assign(packet, { srcPort: spec.srcPort, dstPort: spec.srcPort });
    packet.icmpType = spec.icmpType ?? (ethertype === 'IPv4' ? 8 : 128);
    packet.icmpCode = spec.icmpCode ?? 0;
  }
  return packet;
}
