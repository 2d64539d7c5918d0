// Change preview (issue 13, item 6): a write sent with ?preview=true is decided exactly as it
// would be (every check, quota and id), stored nowhere, and answered with what it would change:
// the exact packet difference of its region (ops/diff.ts) and the live connections it will cut.
// The cut is what the agents will do: the profile's clearing plan of each change
// (core/clearing.ts, against the region just before the write, as agents decide it) applied to
// the connections each host's agent last listed (flowsToCut, the agents' own function, with the
// policy after the write). Ports whose host has no listing get the modelled effect instead: which
// of their connections the simulator's clearing would clear, re-evaluate or forget.
import { coreChanges } from '../core-changes.js';
import { type ClearingPlan, clearingPlan } from '../../core/clearing.js';
import { Engine } from '../../core/engine.js';
import type { Port, RegionState } from '../../core/model.js';
import { RegionIndex } from '../../core/region-index.js';
import { flowsToCut } from '../../conntrack/flows.js';
import { sees } from '../scope.js';
import type { PlannedWrite, Principal, Service } from '../service.js';
import { worldOf } from '../world.js';
import { diffView, regionDiff } from './diff.js';
import { hostReports, type ReportedConnection } from './status.js';

type Reason = 'clearedByPolicy' | 'reevaluatedDeny' | 'portLeft';

/** The region after the write: a copy of the region as decided against, with the write's events applied. */
export function stateAfter(before: RegionState, planned: PlannedWrite): RegionState {
  const { tenants, ...region } = before;
  const world = worldOf({ revision: planned.revision, tenants, regions: [region] });
  world.applyWrite(planned.revision + 1, planned.events);
  return (
    world.regionState(before.region.id) ?? {
      ...before,
      groups: [],
      addressGroups: [],
      instances: [],
      vpcs: [],
    }
  );
}

/** Per port, what the write's clearing does to it and because of which change (the first one that names it). */
function clearingOf(before: RegionIndex, planned: PlannedWrite) {
  const profile = before.state.region.profile;
  const plans: ClearingPlan[] = coreChanges(before, planned.events).map((c) =>
    clearingPlan(profile, before, c),
  );
  const effect = new Map<
    string,
    { effect: 'inboundCleared' | 'reevaluated' | 'forgotten'; because: string }
  >();
  for (const plan of plans) {
    const mark = (ids: Set<string>, kind: 'inboundCleared' | 'reevaluated' | 'forgotten') => {
      for (const id of ids) if (!effect.has(id)) effect.set(id, { effect: kind, because: plan.reason });
    };
    mark(plan.forget, 'forgotten');
    mark(plan.clearInbound, 'inboundCleared');
    mark(plan.reevaluate, 'reevaluated');
  }
  return effect;
}

const tuple = (f: { protocol: number; src: string; dst: string; sport?: number; dport?: number }) =>
  `${f.protocol}|${f.src}|${f.dst}|${f.sport ?? ''}|${f.dport ?? ''}`;

export async function previewOf(svc: Service, p: Principal, planned: PlannedWrite) {
  const head = {
    preview: true as const,
    regionId: planned.regionId,
    revision: planned.revision,
    status: planned.status,
    result: planned.body,
    events: planned.events.length,
  };
  const before = planned.before;
  if (!before)
    return { ...head, equivalent: true, ports: [], connections: { cut: [], listedHosts: [], modelled: [] } };
  const after = stateAfter(before, planned);
  const beforeIndex = new RegionIndex(before);
  const diff = regionDiff(p, before, after);
  const effects = clearingOf(beforeIndex, planned);

  const ownerOf = new Map<string, string>();
  const portOf = new Map<string, Port>();
  for (const instance of before.instances)
    for (const port of instance.ports) {
      ownerOf.set(port.id, instance.tenantId);
      portOf.set(port.id, port);
    }
  const visible = (portId: string) => sees(p, ownerOf.get(portId) ?? '');
  // A tenant learns nothing of other tenants' ports: not their hosts, nor their connections.
  for (const id of [...effects.keys()]) if (!visible(id)) effects.delete(id);

  const reports = await hostReports(svc);
  const hostsOfChange = new Set<string>();
  for (const id of effects.keys()) {
    const host = portOf.get(id)?.host;
    if (host) hostsOfChange.add(host);
  }
  const engine = new Engine(after);
  const cut: (Omit<ReportedConnection, 'replied' | 'assured' | 'remainingS'> & {
    host: string | null;
    reason: Reason;
    because: string;
  })[] = [];
  const listedHosts: { host: string; reportedAt: string; connections: number }[] = [];
  const listed = new Set<string>();
  for (const host of [...hostsOfChange].sort()) {
    const report = reports.get(host);
    if (!report?.connections) continue;
    listed.add(host);
    const local = (kind: 'inboundCleared' | 'reevaluated' | 'forgotten') =>
      [...effects]
        .filter(([id, e]) => e.effect === kind && portOf.get(id)?.host === host)
        .map(([id]) => portOf.get(id)!);
    const ofChange = report.connections.filter((c) => effects.has(c.portId));
    listedHosts.push({ host, reportedAt: report.reportedAt, connections: ofChange.length });
    // One conntrack entry per flow: a flow between two of the host's ports is listed for both.
    const flows = new Map(report.connections.map((c) => [tuple(c), c]));
    const blocked = new Set(
      flowsToCut(
        [...flows.values()],
        { inbound: local('inboundCleared'), forget: local('forgotten'), reevaluate: local('reevaluated') },
        before.region.conntrackTimeouts,
        engine,
      ).map(tuple),
    );
    for (const c of ofChange) {
      if (!blocked.has(tuple(c)) || !visible(c.portId)) continue;
      const e = effects.get(c.portId)!;
      // Which of the entry's ports the clearing acts on, as flowsToCut tells them apart.
      const reason: Reason =
        e.effect === 'forgotten'
          ? 'portLeft'
          : e.effect === 'inboundCleared'
            ? 'clearedByPolicy'
            : 'reevaluatedDeny';
      if (e.effect === 'inboundCleared' && c.origin !== 'inbound') continue;
      if (e.effect === 'reevaluated') {
        const direction = c.origin === 'inbound' ? 'ingress' : 'egress';
        const packet = {
          ethertype: c.src.includes(':') ? ('IPv6' as const) : ('IPv4' as const),
          protocol: c.protocol,
          src: c.src,
          dst: c.dst,
          ...(c.sport !== undefined ? { srcPort: c.sport, dstPort: c.dport } : {}),
        };
        if (engine.allows(c.portId, direction, packet)) continue;
      }
      cut.push({
        portId: c.portId,
        host,
        protocol: c.protocol,
        src: c.src,
        dst: c.dst,
        ...(c.sport !== undefined ? { sport: c.sport, dport: c.dport } : {}),
        origin: c.origin,
        state: c.state,
        reason,
        because: e.because,
      });
    }
  }
  const modelled = [...effects]
    .filter(([id]) => visible(id) && !listed.has(portOf.get(id)?.host ?? ''))
    .map(([portId, e]) => ({ portId, ...e }))
    .sort((a, b) => a.portId.localeCompare(b.portId));
  return { ...head, ...diffView(diff), connections: { cut, listedHosts, modelled } };
}
