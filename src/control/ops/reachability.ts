// Reachability over the stored policy (issue 13): which of the caller's ports reach which, on
// what, and by which rules of both sides; the same between the caller's groups; and why a
// packet does not pass, with verified rule changes that would let it. Reads only. The whole
// region decides (other tenants' ports fill remote groups and own addresses), but a tenant
// sees pairs of its own ports and groups only, and of another tenant's side in a why-not only
// the verdict.
import { Reachability } from '../../core/analysis/reachability.js';
import type { PacketSet } from '../../core/analysis/space.js';
import { boxView } from '../../core/analysis/views.js';
import { type WhyNotSide, whyNot } from '../../core/analysis/why-not.js';
import type { Ethertype } from '../../core/model.js';
import { RegionIndex } from '../../core/region-index.js';
import { badRequest, notFound } from '../errors.js';
import { sees } from '../scope.js';
import type { Principal, Service } from '../service.js';
import type { RegionRecord } from '../world.js';
import {
  endpointsVisible,
  engineFor,
  type PacketInput,
  packetOrThrow,
  regionRecordOrThrow,
} from './flows.js';

/** At most this many boxes of one set are shown. */
const BOXES_SHOWN = 20;

/** Protocols, ports or ICMP type/code and source ports, per family: what a pair may send. */
function servicesView(services: Map<Ethertype, PacketSet>) {
  const boxes = [...services].flatMap(([ethertype, set]) =>
    set.boxes.map((b) => {
      const { remote: _remote, ...rest } = boxView(b, ethertype);
      return { ethertype, ...rest };
    }),
  );
  return { boxes: boxes.slice(0, BOXES_SHOWN), more: Math.max(0, boxes.length - BOXES_SHOWN) };
}

export type ReachBy = 'port' | 'group';

export async function regionReachability(
  svc: Service,
  p: Principal,
  regionId: string,
  query: { by?: ReachBy; limit?: number },
) {
  const scope = await svc.read(p);
  const region = scope.region(regionId);
  if (!region) throw notFound('region', regionId);
  const visible = region
    .instances()
    .flatMap((i) => i.value.ports.map((port) => ({ port, instance: i.value })));
  const index = new RegionIndex(svc.world.regionState(regionId)!);
  const reach = new Reachability(
    index,
    visible.map((v) => v.port.id),
  );
  const limit = query.limit ?? 1000;
  const base = { regionId, revision: scope.revision };
  if (query.by === 'group') {
    const groups = region.groups();
    const members = new Map(groups.map((g) => [g.meta.id, [...g.members.keys()]]));
    const all = reach.groups(members);
    const analysed = new Set(reach.ports);
    return {
      ...base,
      by: 'group' as const,
      groups: groups.map((g) => ({
        id: g.meta.id,
        name: g.meta.name,
        members: [...g.members.keys()].filter((id) => analysed.has(id)).length,
      })),
      pairs: all.slice(0, limit).map((x) => ({
        from: x.from,
        to: x.to,
        allowedPairs: x.allowed,
        totalPairs: x.total,
        some: servicesView(x.some),
        every: servicesView(x.every),
      })),
      more: Math.max(0, all.length - limit),
    };
  }
  const allowed = reach.allowedPairs(limit);
  const allowedCount = reach.allowedCount;
  return {
    ...base,
    by: 'port' as const,
    ports: visible.map(({ port, instance }) => ({
      id: port.id,
      instanceId: instance.id,
      vpcId: instance.vpcId,
      groupIds: port.groupIds,
    })),
    pairs: allowed.map((x) => ({
      from: x.from,
      to: x.to,
      services: servicesView(x.services),
      paths: reach.paths(x.from, x.to).map((path) => ({
        ethertype: path.ethertype,
        fromAddress: path.fromAddress,
        toAddress: path.toAddress,
        egress: path.egress,
        ingress: path.ingress,
        services: servicesView(new Map([[path.ethertype, path.services]])),
      })),
    })),
    blockedPairs: reach.pairCount - allowedCount,
    more: allowedCount - allowed.length,
  };
}

function ownerOf(r: RegionRecord, portId: string | null): string | undefined {
  const instanceId = portId === null ? undefined : r.ports.get(portId)?.instanceId;
  return instanceId === undefined ? undefined : r.instances.get(instanceId)?.value.tenantId;
}

export interface WhyNotInput extends Omit<PacketInput, 'protocol' | 'dstPort'> {
  /** A name (tcp, udp, icmp, ...) or an IP protocol number, as text from a query string. */
  protocol: string;
  port?: number;
}

/** Why a packet between two endpoints (ports of the caller, or addresses) is not delivered, and what would deliver it. */
export async function whyNotOf(svc: Service, p: Principal, regionId: string, input: WhyNotInput) {
  const scope = await svc.read(p);
  const r = regionRecordOrThrow(scope, regionId);
  endpointsVisible(svc, p, r, input, 'query');
  const { port, protocol, ...rest } = input;
  // The query's protocol is text: a number names an IP protocol, anything else a protocol name.
  const number = /^[0-9]+$/.test(protocol) ? Number(protocol) : null;
  if (number !== null && number > 255)
    throw badRequest(
      'PROTOCOL_OUT_OF_RANGE',
      'query.protocol',
      `query.protocol must be a name or an IP protocol number from 0 to 255, got ${protocol}`,
    );
  const packetInput: PacketInput = {
    ...rest,
    protocol: number ?? (protocol.toLowerCase() as PacketInput['protocol']),
    ...(port !== undefined && { dstPort: port }),
  };
  const packet = packetOrThrow(engineFor(svc, r), packetInput, 'query');
  const state = svc.world.regionState(regionId)!;
  const answer = whyNot(state, packet);
  // Another tenant's side shows its verdict only: not its port, rules, reason or changes.
  const shown = (side: WhyNotSide) => {
    const owner = ownerOf(r, side.portId);
    return owner === undefined || sees(p, owner)
      ? side
      : {
          direction: side.direction,
          portId: null,
          verdict: side.verdict,
          reason: { kind: 'hidden' as const },
          suggestions: [],
        };
  };
  const egress = shown(answer.egress);
  const ingress = shown(answer.ingress);
  const hiddenDenies = [egress, ingress].some((s) => s.reason.kind === 'hidden' && s.verdict === 'deny');
  const vpcOf = (portId: string | null) => {
    const instanceId = portId === null ? undefined : r.ports.get(portId)?.instanceId;
    return instanceId === undefined ? undefined : r.instances.get(instanceId)?.value.vpcId;
  };
  const fromVpc = egress.portId === null ? undefined : vpcOf(egress.portId);
  const toVpc = ingress.portId === null ? undefined : vpcOf(ingress.portId);
  const crossesVpcs = fromVpc !== undefined && toVpc !== undefined && fromVpc !== toVpc;
  return {
    regionId,
    revision: scope.revision,
    packet,
    verdict: answer.verdict,
    egress,
    ingress,
    reachableAfterSuggestions: hiddenDenies ? null : answer.reachableAfterSuggestions,
    network: {
      crossesVpcs,
      ...(crossesVpcs && {
        note: "the ports are in different VPCs (or one is in the classic network): the verdict is the security groups'; the packet also needs a route between the networks (peering), which Palisade does not model",
      }),
    },
  };
}
