// The host agent: takes a snapshot, follows the change stream from its revision, and keeps
// this host's kernel enforcing the ports on it. Each change becomes one nft transaction holding
// only the difference (set elements for memberships and address groups, whole chains for rule
// changes); then the profile's clearing policy deletes exactly the conntrack entries it names.
// The kernel keeps the last policy whenever the agent or the server is away.
import type { PalisadeClient } from '../client/client.js';
import { watchChanges } from '../client/watch.js';
import { clearingPlan } from '../core/clearing.js';
import { Engine } from '../core/engine.js';
import type { RegionState } from '../core/model.js';
import { RegionIndex } from '../core/region-index.js';
import type { ChangeRecord, Event } from '../control/events.js';
import { World } from '../control/world.js';
import { Conntrack } from '../dataplane/conntrack.js';
import { inNetns, run } from '../dataplane/exec.js';
import { diffScript, fullScript } from '../dataplane/nft.js';
import { emptyModel, type KernelModel, renderHost } from '../dataplane/render.js';
import { coreChanges } from './core-changes.js';

export interface AgentOptions {
  host: string;
  /** Run the kernel tools in this network namespace (development topologies). */
  netns?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface Snapshot {
  revision: number;
  tenants: { id: string; name: string }[];
  regions: Omit<RegionState, 'tenants'>[];
}

export class Agent {
  private world = new World();
  private applied: KernelModel = emptyModel();
  private readonly abort = new AbortController();
  private readonly conntrack: Conntrack;
  /** The revision the kernel enforces. */
  revision = 0;
  private following: Promise<unknown> | null = null;

  constructor(
    private readonly client: PalisadeClient,
    private readonly opts: AgentOptions,
  ) {
    this.conntrack = new Conntrack(opts.netns);
  }

  private nft(args: string[], input?: string): Promise<string> {
    return this.opts.netns ? inNetns(this.opts.netns, 'nft', args, input) : run('nft', args, input);
  }

  /** Snapshot, write the whole table (adopting or repairing what is there), then follow. */
  async start(): Promise<void> {
    const snap = await this.client.get<Snapshot>('/v1/snapshot');
    this.world = worldOf(snap);
    this.revision = snap.revision;
    const model = this.render();
    await this.nft(['-f', '-'], fullScript(model));
    await this.conntrack.setTimeouts(model.timeouts);
    this.applied = model;
    this.following = watchChanges(
      this.client,
      { fromRevision: this.revision, host: undefined, signal: this.abort.signal, retryMs: 500 },
      (change) => this.onChange(change),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.following?.catch(() => undefined);
  }

  private render(): KernelModel {
    const regions = [...this.world.regions.keys()].map((id) => this.world.regionState(id)!);
    return renderHost(this.opts.host, regions);
  }

  private async onChange(change: ChangeRecord): Promise<void> {
    // The clearing plan is decided against the state before the change.
    const plans = change.regionId ? this.plans(change.regionId, change.events) : [];
    this.world.applyWrite(change.revision, change.events);
    const model = this.render();
    const script = diffScript(this.applied, model);
    if (script === null) await this.nft(['-f', '-'], fullScript(model));
    else if (script) await this.nft(['-f', '-'], script);
    if (script === null) await this.conntrack.setTimeouts(model.timeouts);
    this.applied = model;
    if (change.regionId) await this.clear(change.regionId, plans);
    // Enforced: the rules are in the kernel and the connections they cut are gone.
    this.revision = change.revision;
  }

  /** What the change does to live connections, decided against the region before it. */
  private plans(regionId: string, events: Event[]): Clearing[] {
    const state = this.world.regionState(regionId);
    if (!state) return [];
    const before = new RegionIndex(structuredClone(state));
    return coreChanges(before, events).map((c) => ({
      plan: clearingPlan(state.region.profile, before, c),
      before,
    }));
  }

  /** Delete the entries the plans name, for ports on this host. */
  private async clear(regionId: string, clearings: Clearing[]): Promise<void> {
    const state = this.world.regionState(regionId);
    const engine = state ? new Engine(state) : null;
    for (const { plan, before } of clearings) {
      const localPort = (portId: string) => {
        const port = before.ports.get(portId)?.port;
        return port?.host === this.opts.host ? port : undefined;
      };
      for (const portId of [...plan.clearInbound, ...plan.forget]) {
        const port = localPort(portId);
        if (port) await this.conntrack.deleteInbound(port);
      }
      for (const portId of plan.reevaluate) {
        const port = localPort(portId);
        if (port && engine) await this.conntrack.reevaluate(port, engine);
      }
    }
  }
}

interface Clearing {
  plan: ReturnType<typeof clearingPlan>;
  before: RegionIndex;
}

/** A world holding a snapshot, at the snapshot's revision. */
export function worldOf(snap: Snapshot): World {
  const w = new World();
  const rev = snap.revision;
  for (const tenant of snap.tenants) w.applyEvent({ op: 'tenant.put', tenant }, rev);
  for (const r of snap.regions) {
    w.applyEvent({ op: 'region.put', region: r.region }, rev);
    for (const vpc of r.vpcs) w.applyEvent({ op: 'vpc.put', vpc }, rev);
    for (const { rules, ...group } of r.groups) {
      w.applyEvent({ op: 'group.put', group }, rev);
      rules.forEach((rule, seq) =>
        w.applyEvent({ op: 'rule.put', regionId: r.region.id, groupId: group.id, seq, rule }, rev),
      );
    }
    for (const addressGroup of r.addressGroups) w.applyEvent({ op: 'addressGroup.put', addressGroup }, rev);
    for (const instance of r.instances) w.applyEvent({ op: 'instance.put', instance }, rev);
  }
  w.revision = rev;
  return w;
}
