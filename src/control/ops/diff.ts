// The exact difference of two policies of a region (issue 13, item 5), through the service layer:
// between two committed revisions (replayed from the change log, ops/changes.ts), or between the
// region as stored and a policy file. What is computed is the pure core's (analysis/diff.ts);
// here the region is found, the sides are built, and a tenant sees its own ports only.
import { type DiffPiece, policyDiff, type PolicyDiff } from '../../core/analysis/diff.js';
import { setView } from '../../core/analysis/views.js';
import type { RegionState } from '../../core/model.js';
import { RegionIndex } from '../../core/region-index.js';
import { loadPolicy } from '../../policy/load.js';
import { type ErrorCode, notFound, ServiceError } from '../errors.js';
import { sees } from '../scope.js';
import type { Principal, Service } from '../service.js';
import { worldAt } from './changes.js';

/** The region at a revision; where it did not exist yet (or any more), the region with nothing in it. */
function stateOr(
  world: { regionState(id: string): RegionState | undefined },
  live: RegionState,
): RegionState {
  return (
    world.regionState(live.region.id) ?? {
      region: live.region,
      tenants: live.tenants,
      vpcs: [],
      groups: [],
      addressGroups: [],
      instances: [],
    }
  );
}

const ownerOf = (state: RegionState, portId: string) =>
  state.instances.find((i) => i.ports.some((port) => port.id === portId))?.tenantId;

/**
 * The ports of either side the caller may see: its own (operators: all). A port the stored
 * side has is the tenant's who owns it there; one only a policy file has is the caller's own
 * writing (`afterIsTheCallers`); one only a later revision has, its owner's then.
 */
function visiblePorts(
  p: Principal,
  before: RegionState,
  after: RegionState,
  afterIsTheCallers: boolean,
): Set<string> {
  const out = new Set<string>();
  for (const state of [before, after])
    for (const instance of state.instances)
      for (const port of instance.ports) {
        const stored = ownerOf(before, port.id);
        const visible =
          stored !== undefined ? sees(p, stored) : afterIsTheCallers || sees(p, ownerOf(after, port.id)!);
        if (visible) out.add(port.id);
      }
  return out;
}

const pieceView = (piece: DiffPiece, ethertype: 'IPv4' | 'IPv6') => ({
  packets: setView(piece.packets, ethertype),
  before: piece.before,
  after: piece.after,
});

/** The difference as the API answers it: per port, direction and family, pieces of packets with their deciders. */
export function diffView(diff: PolicyDiff) {
  return {
    equivalent: diff.equivalent,
    ports: diff.ports.map((d) => ({
      portId: d.portId,
      direction: d.direction,
      ethertype: d.ethertype,
      newlyAllowed: d.newlyAllowed.map((x) => pieceView(x, d.ethertype)),
      newlyDenied: d.newlyDenied.map((x) => pieceView(x, d.ethertype)),
    })),
  };
}

/** The difference of two states of a region, over the ports the caller sees. */
export function regionDiff(
  p: Principal,
  before: RegionState,
  after: RegionState,
  afterIsTheCallers = false,
): PolicyDiff {
  return policyDiff(new RegionIndex(before), new RegionIndex(after), {
    ports: visiblePorts(p, before, after, afterIsTheCallers),
  });
}

function liveRegion(svc: Service, scopeRegion: (id: string) => unknown, regionId: string): RegionState {
  if (!scopeRegion(regionId)) throw notFound('region', regionId);
  return svc.world.regionState(regionId)!;
}

/** What changed in a region's policy from one committed revision to another (default: the latest). */
export async function revisionDiff(
  svc: Service,
  p: Principal,
  regionId: string,
  q: { from: number; to?: number },
) {
  const scope = await svc.read(p);
  const live = liveRegion(svc, (id) => scope.region(id), regionId);
  const to = q.to ?? scope.revision;
  const before = stateOr(await worldAt(svc, q.from, 'query.from'), live);
  const after = stateOr(await worldAt(svc, to, 'query.to'), live);
  return { regionId, from: q.from, to, ...diffView(regionDiff(p, before, after)) };
}

/** What applying a policy file would change in the region's policy (the file's region as "after"). */
export async function fileDiff(svc: Service, p: Principal, regionId: string, document: unknown) {
  const scope = await svc.read(p);
  const live = liveRegion(svc, (id) => scope.region(id), regionId);
  const loaded = loadPolicy(JSON.stringify(document ?? null), 'body');
  if (!loaded.state) {
    const errors = loaded.errors.map((e) => ({ ...e, path: e.path ? `body.${e.path}` : 'body' }));
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    // The loader's codes are the core's, which are ErrorCodes (test/control/errors.test.ts).
    throw new ServiceError(400, errors[0].code as ErrorCode, `${errors[0].message}${more}`, errors);
  }
  return {
    regionId,
    from: scope.revision,
    to: null,
    ...diffView(regionDiff(p, live, loaded.state, true)),
  };
}
