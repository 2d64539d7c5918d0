// Flow checks and simulations over the stored policy: would this packet pass, and why; and
// "what happens to live connections if I make this change", on a virtual clock. Both run the
// shared engine on the region as stored; a simulation never changes the store.
import type { Change } from '../../core/changes.js';
import { Engine } from '../../core/engine.js';
import { type Ethertype, type Packet, PROTOCOL_NUMBERS, type ProtocolName } from '../../core/model.js';
import { own } from '../../core/own.js';
import { Problems, validateAddressGroup, validateRule } from '../../core/validate.js';
import type { FlowCheck, FlowSide } from '../../core/verdict.js';
import { toRule } from '../../core/rule-input.js';
import type { RuleInput } from '../../core/rule-input.js';
import { packetBetween, type SendSpec, Simulator } from '../../sim/simulator.js';
import { badRequest, invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Principal, Service } from '../service.js';
import type { RegionRecord } from '../world.js';
import { sees, type Scope } from '../scope.js';

export interface PacketInput {
  /** A port id or an IP address. */
  from: string;
  to: string;
  protocol: Exclude<ProtocolName, 'all'> | number;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
  ethertype?: Ethertype;
  /** TCP flags for simulations, such as "S", "SA", "A", "FA", "R". */
  flags?: string;
}

/** The whole region (a flow's verdict depends on every side's rules; explanations are redacted). */
export function regionRecordOrThrow(scope: Scope, id: string): RegionRecord {
  const r = scope.region(id);
  if (!r) throw notFound('region', id);
  return r.record;
}

const engines = new WeakMap<RegionRecord, { revision: number; engine: Engine }>();

export function engineFor(svc: Service, r: RegionRecord): Engine {
  const cached = engines.get(r);
  if (cached?.revision === r.lastRevision) return cached.engine;
  const engine = new Engine(svc.world.regionState(r.region.id)!);
  engines.set(r, { revision: r.lastRevision, engine });
  return engine;
}

function specOf(input: PacketInput): SendSpec {
  const { from: _from, to: _to, ...spec } = input;
  return spec;
}

/** A tenant sees its own ports' explanations; another tenant's side shows its verdict only. */
function redact(
  svc: Service,
  p: Principal,
  r: RegionRecord,
  side: FlowSide,
): FlowSide & { verdict?: string } {
  if (side.portId === null) return side;
  const instanceId = r.ports.get(side.portId)?.instanceId;
  const owner = instanceId ? r.instances.get(instanceId)?.value.tenantId : undefined;
  if (owner !== undefined && sees(p, owner)) return side;
  return { portId: null, explanation: null, verdict: side.explanation?.verdict };
}

export function endpointsVisible(
  svc: Service,
  p: Principal,
  r: RegionRecord,
  input: { from: string; to: string },
  at: string,
): void {
  for (const end of ['from', 'to'] as const) {
    const at2 = r.ports.get(input[end]);
    if (!at2) continue;
    const owner = r.instances.get(at2.instanceId)?.value.tenantId;
    if (owner === undefined || !sees(p, owner)) throw notFound('port', input[end], `${at}.${end} port`);
  }
}

export function packetOrThrow(engine: Engine, input: PacketInput, at: string) {
  // A packet carries a real protocol: a name the model knows (own names only), or a number.
  if (typeof input.protocol === 'string' && own(PROTOCOL_NUMBERS, input.protocol.toLowerCase()) === undefined)
    throw badRequest(
      'UNKNOWN_PROTOCOL',
      `${at}.protocol`,
      `${at}.protocol "${input.protocol}" is not tcp, udp, icmp, icmpv6, gre, sctp or a number`,
    );
  try {
    return packetBetween(engine.index, input.from, input.to, specOf(input));
  } catch (e) {
    throw badRequest('INVALID_ENDPOINT', at, `${at}: ${(e as Error).message}`);
  }
}

export async function checkFlow(
  svc: Service,
  p: Principal,
  regionId: string,
  input: PacketInput,
): Promise<FlowCheck & { packet: Packet }> {
  const r = regionRecordOrThrow(await svc.read(p), regionId);
  endpointsVisible(svc, p, r, input, 'body');
  const engine = engineFor(svc, r);
  const packet = packetOrThrow(engine, input, 'body');
  const result = engine.checkFlow(packet);
  return {
    packet,
    ...result,
    egress: redact(svc, p, r, result.egress),
    ingress: redact(svc, p, r, result.ingress),
  };
}

export type SimulationStep =
  | ({ op: 'send' } & PacketInput)
  | { op: 'advance'; seconds: number }
  | { op: 'addRule'; groupId: string; rule: RuleInput }
  | { op: 'removeRule'; groupId: string; ruleId: string }
  | { op: 'join'; portId: string; groupId: string; sequence?: number }
  | { op: 'leave'; portId: string; groupId: string }
  | { op: 'changeAddressGroup'; addressGroupId: string; add?: string[]; remove?: string[] }
  | { op: 'connections' };

/** The hypothetical change a step names, checked like the real one would be (rules fully). */
function changeOf(sim: Simulator, r: RegionRecord, step: SimulationStep, at: string): Change | null {
  const index = sim.engine.index;
  const needGroup = (id: string) => {
    if (!index.groups.has(id))
      throw badRequest('UNKNOWN_GROUP', `${at}.groupId`, `${at}.groupId "${id}" does not exist`, {
        resource: 'group',
        id,
      });
    return index.groups.get(id)!;
  };
  const needPort = (id: string) => {
    if (!index.ports.has(id))
      throw badRequest('UNKNOWN_PORT', `${at}.portId`, `${at}.portId "${id}" does not exist`, {
        resource: 'port',
        id,
      });
  };
  switch (step.op) {
    case 'addRule': {
      const group = needGroup(step.groupId);
      const p = new Problems();
      const rule = toRule(r.region.profile, step.rule, newId('sgr'), `${at}.rule`, p);
      validateRule(rule, group, r.region.profile, p, `${at}.rule`);
      if (p.list.length) throw invalid(p.list);
      return { kind: 'ruleAdded', groupId: step.groupId, rule };
    }
    case 'removeRule':
      if (!needGroup(step.groupId).rules.some((x) => x.id === step.ruleId))
        throw badRequest(
          'UNKNOWN_RULE',
          `${at}.ruleId`,
          `${at}.ruleId "${step.ruleId}" is not a rule of ${step.groupId}`,
        );
      return { kind: 'ruleRemoved', groupId: step.groupId, ruleId: step.ruleId };
    case 'join':
      needPort(step.portId);
      needGroup(step.groupId);
      return { kind: 'memberAdded', portId: step.portId, groupId: step.groupId, position: step.sequence };
    case 'leave':
      needPort(step.portId);
      needGroup(step.groupId);
      return { kind: 'memberRemoved', portId: step.portId, groupId: step.groupId };
    case 'changeAddressGroup': {
      const ag = index.addressGroups.get(step.addressGroupId);
      if (!ag)
        throw badRequest(
          'UNKNOWN_ADDRESS_GROUP',
          `${at}.addressGroupId`,
          `${at}.addressGroupId "${step.addressGroupId}" does not exist`,
          { resource: 'addressGroup', id: step.addressGroupId },
        );
      // The added entries are checked as a real update checks them (a bad one was a 500).
      const p = new Problems();
      validateAddressGroup(
        { ...ag, entries: step.add ?? [] },
        at,
        p,
        () => true,
        (j) => `${at}.add[${j}]`,
      );
      if (p.list.length) throw invalid(p.list);
      return {
        kind: 'addressGroupEntriesChanged',
        addressGroupId: step.addressGroupId,
        added: step.add ?? [],
        removed: step.remove ?? [],
      };
    }
    default:
      return null;
  }
}

export async function simulate(svc: Service, p: Principal, regionId: string, steps: SimulationStep[]) {
  const r = regionRecordOrThrow(await svc.read(p), regionId);
  const sim = new Simulator(svc.world.regionState(regionId)!);
  const results: unknown[] = [];
  steps.forEach((step, i) => {
    const at = `body.steps[${i}]`;
    if (step.op === 'send') {
      endpointsVisible(svc, p, r, step, at);
      packetOrThrow(sim.engine, step, at);
      const d = sim.send(step.from, step.to, specOf(step));
      results.push({
        op: 'send',
        delivered: d.delivered,
        packet: d.packet,
        egress: d.egress,
        ingress: d.ingress,
      });
    } else if (step.op === 'advance') {
      if (!(step.seconds >= 0))
        throw badRequest('INVALID_SECONDS', `${at}.seconds`, `${at}.seconds must be zero or more`);
      sim.advance(step.seconds);
      results.push({ op: 'advance', now: sim.now });
    } else if (step.op === 'connections') {
      results.push({ op: 'connections', now: sim.now, connections: visibleConnections(svc, p, r, sim) });
    } else {
      for (const key of ['groupId', 'portId'] as const)
        if (key in step) endpointsVisibleId(svc, p, r, (step as Record<string, string>)[key], `${at}.${key}`);
      const change = changeOf(sim, r, step, at)!;
      const report = sim.apply(change);
      results.push({
        op: step.op,
        cleared: report.cleared,
        dropped: report.dropped,
        connections: visibleConnections(svc, p, r, sim),
      });
    }
  });
  return { regionId, revision: svc.world.revision, results };
}

function visibleConnections(svc: Service, p: Principal, r: RegionRecord, sim: Simulator) {
  return sim.connections().filter((c) => {
    const inst = r.instances.get(r.ports.get(c.portId)?.instanceId ?? '');
    return inst !== undefined && sees(p, inst.value.tenantId);
  });
}

function endpointsVisibleId(svc: Service, p: Principal, r: RegionRecord, id: string, at: string): void {
  const group = r.groups.get(id);
  if (group && !sees(p, group.meta.tenantId)) throw notFound('group', id, at);
  const port = r.ports.get(id);
  const owner = port && r.instances.get(port.instanceId)?.value.tenantId;
  if (owner !== undefined && !sees(p, owner)) throw notFound('port', id, at);
}
