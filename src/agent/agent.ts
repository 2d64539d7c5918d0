// The host agent: takes a snapshot, follows the change stream from its revision, and keeps
// this host's kernel enforcing the ports on it. Each change becomes one nft transaction holding
// only the difference (set elements for memberships and address groups, whole chains for rule
// changes); then the profile's clearing policy deletes exactly the conntrack entries it names.
// The kernel keeps the last policy whenever the agent or the server is away.
import type { PalisadeClient } from '../client/client.js';
import { watchChanges } from '../client/watch.js';
import { clearingPlan } from '../core/clearing.js';
import { Engine } from '../core/engine.js';
import type { Port, RegionState } from '../core/model.js';
import { RegionIndex } from '../core/region-index.js';
import type { ChangeRecord, Event } from '../control/events.js';
import { World } from '../control/world.js';
import { Conntrack } from '../dataplane/conntrack.js';
import { inNetns, run } from '../dataplane/exec.js';
import { diffScript, fullScript } from '../dataplane/nft.js';
import { NftSession } from '../dataplane/nft-session.js';
import { emptyModel, type KernelModel, renderHost, TABLE } from '../dataplane/render.js';
import { coreChanges } from './core-changes.js';

export interface AgentOptions {
  host: string;
  /** Run the kernel tools in this network namespace (development topologies). */
  netns?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** How often the kernel is compared with what was written (drift is repaired). Default 2 s. */
  driftCheckMs?: number;
  /** How often hit counts are reported besides after each change. Default 10 s. */
  reportMs?: number;
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
  private readonly session: NftSession;
  /** The revision whose rules and sets are in the kernel (its connections may still be clearing). */
  kernelRevision = 0;
  /** The revision the kernel enforces. */
  revision = 0;
  /** When (performance.now()) each of the two last moved: what a benchmark times a change by. */
  kernelAt = 0;
  enforcedAt = 0;
  private following: Promise<unknown> | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** The table as listed after the last write (counters stripped): drift is any other listing. */
  private baseline: string | null = null;
  /** Serializes kernel writes and drift repairs (reports only read, beside them). */
  private queue: Promise<unknown> = Promise.resolve();
  private reportPending = false;
  /** Repairs done after drift, for tests and logs. */
  driftRepairs = 0;

  constructor(
    private readonly client: PalisadeClient,
    private readonly opts: AgentOptions,
  ) {
    this.conntrack = new Conntrack(opts.netns);
    this.session = new NftSession(opts.netns);
  }

  private nft(args: string[], input?: string): Promise<string> {
    return this.opts.netns ? inNetns(this.opts.netns, 'nft', args, input) : run('nft', args, input);
  }

  /** Snapshot, write the whole table (adopting or repairing what is there), then follow. */
  async start(): Promise<void> {
    const snap = await this.client.get<Snapshot>('/v1/snapshot');
    this.world = worldOf(snap);
    this.revision = snap.revision;
    this.kernelRevision = snap.revision;
    const model = this.render();
    await this.writeTable(model);
    await this.conntrack.setTimeouts(model.timeouts);
    this.applied = model;
    this.baseline = null;
    this.following = watchChanges(
      this.client,
      {
        fromRevision: this.revision,
        signal: this.abort.signal,
        retryMs: 500,
        onError: (e) => this.opts.log?.('change stream interrupted; resuming', { error: String(e) }),
      },
      (change) => this.serial(() => this.onChange(change)),
    );
    this.timers.push(
      setInterval(() => void this.serial(() => this.checkDrift()), this.opts.driftCheckMs ?? 2000),
    );
    this.timers.push(setInterval(() => this.scheduleReport(), this.opts.reportMs ?? 10_000));
    this.scheduleReport();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.abort.abort();
    await this.following?.catch(() => undefined);
    await this.queue.catch(() => undefined);
    this.session.close();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch((e) => this.opts.log?.('agent task failed', { error: String(e) }));
    return next;
  }

  /** Compare the kernel with what was written; rewrite the whole table if someone changed it. */
  async checkDrift(): Promise<boolean> {
    const listing = await this.nft(['-t', 'list', 'table', 'inet', TABLE]).then(stripCounters, () => null);
    if (listing !== null && this.baseline === null) {
      this.baseline = listing;
      return false;
    }
    if (listing !== null && listing === this.baseline) return false;
    this.opts.log?.('kernel drifted from the policy; rewriting the table', { host: this.opts.host });
    await this.writeTable(this.applied);
    this.baseline = null;
    this.driftRepairs++;
    return true;
  }

  /** Report the enforced revision, closed ports and rule hits (coalesced). */
  private scheduleReport(): void {
    if (this.reportPending) return;
    this.reportPending = true;
    // Reports only read the kernel: they run beside enforcement, never ahead of it.
    setTimeout(() => {
      this.reportPending = false;
      void this.report();
    }, 200).unref();
  }

  private async report(): Promise<void> {
    const ruleHits = new Map<string, number>();
    const listing = await this.nft(['-j', '-t', 'list', 'table', 'inet', TABLE]).catch(
      () => '{"nftables":[]}',
    );
    for (const item of (JSON.parse(listing) as { nftables: NftItem[] }).nftables) {
      const rule = item.rule;
      const counter = rule?.expr?.find((e) => e.counter)?.counter;
      if (!rule?.comment || !counter || !this.applied.ruleChains.has(rule.comment)) continue;
      ruleHits.set(rule.comment, (ruleHits.get(rule.comment) ?? 0) + counter.packets);
    }
    const closed = [...this.applied.closed].map(([portId, reason]) => ({ portId, reason }));
    await this.client
      .post(`/v1/hosts/${encodeURIComponent(this.opts.host)}/status`, {
        revision: this.revision,
        closed,
        ruleHits: Object.fromEntries(ruleHits),
      })
      .catch((e) => this.opts.log?.('status report failed', { error: String(e) }));
  }

  private render(): KernelModel {
    const regions = [...this.world.regions.keys()].map((id) => this.world.regionState(id)!);
    return renderHost(this.opts.host, regions);
  }

  private async onChange(change: ChangeRecord): Promise<void> {
    const t0 = performance.now();
    // The clearing plan is decided against the state before the change; it is worked out after
    // the kernel write, off the path of the rules (world objects are replaced, never mutated).
    const before = change.regionId ? this.world.regionState(change.regionId) : undefined;
    this.world.applyWrite(change.revision, change.events);
    const model = this.render();
    const script = diffScript(this.applied, model);
    const t1 = performance.now();
    if (script === null) await this.writeTable(model);
    else if (script) await this.incremental(script, model);
    if (script === null) await this.conntrack.setTimeouts(model.timeouts);
    this.applied = model;
    this.baseline = null;
    this.kernelRevision = change.revision;
    const t2 = performance.now();
    this.kernelAt = t2;
    if (change.regionId && before) await this.clear(change.regionId, this.plans(before, change.events));
    // Enforced: the rules are in the kernel and the connections they cut are gone.
    this.revision = change.revision;
    this.enforcedAt = performance.now();
    this.scheduleReport();
    this.opts.log?.('enforced', {
      revision: change.revision,
      computeMs: Math.round(t1 - t0),
      kernelMs: Math.round(t2 - t1),
      conntrackMs: Math.round(performance.now() - t2),
      statements: script === null ? 'whole table' : script.split('\n').length - 1,
    });
  }

  /** A difference through the live nft session; if the session fails, the whole table through nft -f. */
  private async incremental(script: string, model: KernelModel): Promise<void> {
    try {
      await this.session.run(script);
    } catch (e) {
      this.opts.log?.('incremental nft write failed; writing the whole table', { error: String(e) });
      await this.writeTable(model);
    }
  }

  /** Replace the whole table (one transaction). */
  private async writeTable(model: KernelModel): Promise<void> {
    await this.nft(['-f', '-'], fullScript(model));
  }

  /** What the change does to live connections, decided against the region before it. */
  private plans(state: RegionState, events: Event[]): Clearing[] {
    const before = new RegionIndex(state);
    return coreChanges(before, events).map((c) => ({
      plan: clearingPlan(state.region.profile, before, c),
      before,
    }));
  }

  /** Delete the entries the plans name, for ports on this host. */
  private async clear(regionId: string, clearings: Clearing[]): Promise<void> {
    const inbound = new Map<string, Port>();
    const reevaluate = new Map<string, Port>();
    for (const { plan, before } of clearings) {
      const local = (ids: Iterable<string>, into: Map<string, Port>) => {
        for (const id of ids) {
          const port = before.ports.get(id)?.port;
          if (port?.host === this.opts.host) into.set(id, port);
        }
      };
      local([...plan.clearInbound, ...plan.forget], inbound);
      local(plan.reevaluate, reevaluate);
    }
    await this.conntrack.deleteInbound([...inbound.values()]);
    const state = this.world.regionState(regionId);
    if (reevaluate.size && state)
      await this.conntrack.reevaluate([...reevaluate.values()], new Engine(state));
  }
}

interface NftItem {
  rule?: { comment?: string; expr?: { counter?: { packets: number; bytes: number } }[] };
}

const stripCounters = (listing: string) => listing.replace(/counter packets \d+ bytes \d+/g, 'counter');

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
