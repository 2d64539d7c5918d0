// The host agent: follows the change stream and keeps this host's kernel enforcing the ports on
// it. Changes that arrive together are applied together: one nft transaction holding only the
// difference (set elements for memberships and address groups, whole chains for rule changes)
// and the revision it renders; then the profile's clearing policy cuts exactly the connections
// it names, in one more transaction. The kernel keeps the last policy whenever the agent or the
// server is away, and a restarted agent picks up from the revision the table records: the
// changes it missed clear what they would have cleared, before it reports them enforced.
import type { PalisadeClient } from '../client/client.js';
import { watchChanges } from '../client/watch.js';
import { clearingPlan } from '../core/clearing.js';
import { Engine } from '../core/engine.js';
import type { Port, RegionState } from '../core/model.js';
import { RegionIndex } from '../core/region-index.js';
import type { ChangeRecord, Event } from '../control/events.js';
import { type Snapshot, World, worldOf } from '../control/world.js';
import type { ReportedConnection } from '../control/ops/status.js';
import { Conntrack, flowsToCut, type TrackedFlow } from '../dataplane/conntrack.js';
import { inNetns, run } from '../dataplane/exec.js';
import { driftFrom, type KernelTable, parseTable } from '../dataplane/kernel-state.js';
import {
  type BlockedFlow,
  blockScript,
  diffScript,
  familyOf,
  fullScript,
  ungateScript,
} from '../dataplane/nft.js';
import { NftSession } from '../dataplane/nft-session.js';
import { emptyModel, type KernelModel, renderHost, TABLE } from '../dataplane/render.js';
import { UdpStreams } from '../dataplane/udp-streams.js';
import { coreChanges } from '../control/core-changes.js';

export { worldOf };

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

export class Agent {
  private world = new World();
  private applied: KernelModel = emptyModel();
  private readonly abort = new AbortController();
  private readonly conntrack: Conntrack;
  private readonly session: NftSession;
  private readonly udp: UdpStreams;
  /** The revision whose rules and sets are in the kernel (its connections may still be clearing). */
  kernelRevision = 0;
  /** The revision the kernel enforces. */
  revision = 0;
  /** When (performance.now()) each of the two last moved: what a benchmark times a change by. */
  kernelAt = 0;
  enforcedAt = 0;
  /** How the last start went: the table adopted at its revision, or written anew (and why). */
  startedBy: { adopted: true; revision: number } | { adopted: false; reason: string } | null = null;
  private following: Promise<unknown> | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** Serializes kernel writes and drift repairs (reports only read, beside them). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Changes received and not yet applied: applied together by the next drain. */
  private pending: ChangeRecord[] = [];
  /** While catching up after a start: the changes up to this revision are applied as one. */
  private catchUpTo = 0;
  /** Applies what has arrived if the stream goes quiet before reaching catchUpTo. */
  private catchUpTimer: NodeJS.Timeout | null = null;
  private reportPending = false;
  /** Repairs done after drift, for tests and logs. */
  driftRepairs = 0;

  constructor(
    private readonly client: PalisadeClient,
    private readonly opts: AgentOptions,
  ) {
    this.conntrack = new Conntrack(opts.netns);
    this.session = new NftSession(opts.netns);
    this.udp = new UdpStreams(opts.netns, () => this.applied.timeouts, opts.log);
  }

  /** The host whose ports this agent enforces. */
  get host(): string {
    return this.opts.host;
  }

  private nft(args: string[], input?: string): Promise<string> {
    return this.opts.netns ? inNetns(this.opts.netns, 'nft', args, input) : run('nft', args, input);
  }

  /** The table as the kernel holds it; null when there is none. */
  private async kernelTable(): Promise<KernelTable | null> {
    const listing = await this.nft(['-j', '-p', 'list', 'table', 'inet', TABLE]).catch(() => null);
    return listing === null ? null : parseTable(listing);
  }

  /**
   * Adopt the table if it renders the revision it records, and catch up from there (the missed
   * changes clear what they would have cleared); otherwise write the latest policy and cut the
   * live connections it denies. Resolves once the kernel enforces the latest revision.
   */
  async start(): Promise<void> {
    this.startedBy = null;
    const latest = await this.client.get<Snapshot>('/v1/snapshot');
    const kernel = await this.kernelTable();
    const refused = kernel ? await this.adopt(kernel, latest.revision) : 'no table';
    if (refused !== null) await this.writeLatest(latest, kernel, refused);
    await this.udp.start();
    this.catchUpTo = latest.revision;
    this.following = watchChanges(
      this.client,
      {
        fromRevision: this.revision,
        signal: this.abort.signal,
        retryMs: 500,
        onError: (e) => this.opts.log?.('change stream interrupted; resuming', { error: String(e) }),
      },
      (change) => this.receive(change),
    );
    while (this.revision < latest.revision && this.catchUpTo && !this.abort.signal.aborted)
      await new Promise((r) => setTimeout(r, 5));
    this.timers.push(
      setInterval(() => void this.serial(() => this.checkDrift()), this.opts.driftCheckMs ?? 2000),
    );
    this.timers.push(setInterval(() => this.scheduleReport(), this.opts.reportMs ?? 10_000));
    this.scheduleReport();
  }

  /** Take over the table if it renders the revision it records; else say why not. */
  private async adopt(kernel: KernelTable, latest: number): Promise<string | null> {
    const recorded = kernel.revision;
    if (recorded === null) return 'the table records no revision';
    if (recorded > latest) return `the table records revision ${recorded}, after the latest`;
    const world = worldOf(await this.client.get<Snapshot>(`/v1/snapshot?revision=${recorded}`));
    const model = renderWorld(this.opts.host, world, this.indexOf);
    const drift = driftFrom(model, kernel);
    if (drift !== null) return `the table does not render revision ${recorded}: ${drift}`;
    this.world = world;
    this.applied = model;
    this.revision = this.kernelRevision = recorded;
    this.startedBy = { adopted: true, revision: recorded };
    return null;
  }

  /** Write the latest policy over whatever is there, and hold the live connections to it. */
  private async writeLatest(latest: Snapshot, kernel: KernelTable | null, reason: string): Promise<void> {
    this.opts.log?.('writing the whole table', { host: this.opts.host, reason });
    this.world = worldOf(latest);
    const model = this.render();
    await this.writeTable(model, latest.revision, kernel?.blocked ?? []);
    await this.conntrack.setTimeouts(model.timeouts);
    this.applied = model;
    this.revision = this.kernelRevision = latest.revision;
    this.startedBy = { adopted: false, reason };
    await this.cutUnadmitted();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.abort.abort();
    this.udp.stop();
    await this.following?.catch(() => undefined);
    await this.queue.catch(() => undefined);
    this.session.close();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch((e) => this.opts.log?.('agent task failed', { error: String(e) }));
    return next;
  }

  /** A change from the stream: queued, and applied with whatever else has arrived by then. */
  private receive(change: ChangeRecord): void {
    this.pending.push(change);
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    // Catching up, the missed changes are applied as one (one table write, one clearing); should
    // the stream stop short of the revision the start aimed for, what came is applied anyway.
    if (change.revision < this.catchUpTo) {
      this.catchUpTimer = setTimeout(() => {
        this.catchUpTo = 0;
        void this.serial(() => this.drain());
      }, 250);
      return;
    }
    void this.serial(() => this.drain());
  }

  /** Compare the kernel with what was written; rewrite the whole table if someone changed it. */
  async checkDrift(): Promise<boolean> {
    const kernel = await this.kernelTable();
    // Upkeep first: a family whose blocked connections have all expired closes its gate.
    const idle = [...(kernel?.gated ?? [])].filter((f) => !kernel!.blocked.some((b) => familyOf(b) === f));
    if (idle.length) await this.session.run(ungateScript(idle)).catch(() => undefined);
    const drift = kernel
      ? kernel.revision !== this.kernelRevision
        ? `the table records revision ${kernel.revision}, not ${this.kernelRevision}`
        : driftFrom(this.applied, kernel)
      : 'the table is gone';
    if (drift === null) return false;
    this.opts.log?.('kernel drifted from the policy; rewriting the table', { host: this.opts.host, drift });
    await this.writeTable(this.applied, this.kernelRevision, kernel?.blocked ?? []);
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
    const connections = localConnections(this.opts.host, this.world, await this.conntrack.list());
    await this.client
      .post(`/v1/hosts/${encodeURIComponent(this.opts.host)}/status`, {
        revision: this.revision,
        closed,
        ruleHits: Object.fromEntries(ruleHits),
        connections,
      })
      .catch((e) => this.opts.log?.('status report failed', { error: String(e) }));
  }

  private render(): KernelModel {
    return renderWorld(this.opts.host, this.world, this.indexOf);
  }

  /** Region indexes by state (a state is a value): the one a change renders is the next one's "before". */
  private readonly indexes = new WeakMap<RegionState, RegionIndex>();
  private readonly indexOf = (state: RegionState): RegionIndex => {
    let index = this.indexes.get(state);
    if (!index) this.indexes.set(state, (index = new RegionIndex(state)));
    return index;
  };

  /** Apply every queued change: one kernel write, then the clearing they call for. */
  private async drain(): Promise<void> {
    const batch = this.pending;
    if (!batch.length) return;
    const last = batch[batch.length - 1].revision;
    if (last < this.catchUpTo) return;
    this.pending = [];
    const t0 = performance.now();
    // Each change's clearing is decided against the state just before it (world objects are
    // replaced, never mutated, so the states can be kept); it is worked out after the kernel
    // write, off the path of the rules.
    const befores: { state: RegionState; events: Event[] }[] = [];
    for (const change of batch) {
      const before = change.regionId ? this.world.regionState(change.regionId) : undefined;
      this.world.applyWrite(change.revision, change.events);
      if (before) befores.push({ state: before, events: change.events });
    }
    const model = this.render();
    const script = diffScript(this.applied, model, last);
    const t1 = performance.now();
    if (script === null) {
      await this.writeTable(model, last, (await this.kernelTable())?.blocked ?? []);
      await this.conntrack.setTimeouts(model.timeouts);
    } else await this.incremental(script, model, last);
    this.applied = model;
    this.kernelRevision = last;
    const t2 = performance.now();
    this.kernelAt = t2;
    const cut = await this.clear(befores.flatMap(({ state, events }) => this.plans(state, events)));
    // Enforced: the rules are in the kernel and the connections they cut are blocked.
    this.revision = last;
    this.enforcedAt = performance.now();
    this.scheduleReport();
    this.opts.log?.('enforced', {
      revision: last,
      changes: batch.length,
      computeMs: Math.round(t1 - t0),
      kernelMs: Math.round(t2 - t1),
      conntrackMs: Math.round(this.enforcedAt - t2),
      cut,
      statements: script === null ? 'whole table' : script.split('\n').length - 1,
    });
  }

  /** A difference through the live nft session; if the session fails, the whole table through nft -f. */
  private async incremental(script: string, model: KernelModel, revision: number): Promise<void> {
    try {
      await this.session.run(script);
    } catch (e) {
      this.opts.log?.('incremental nft write failed; writing the whole table', { error: String(e) });
      await this.writeTable(model, revision, (await this.kernelTable())?.blocked ?? []);
    }
  }

  /** Replace the whole table (one transaction), keeping the connections it had blocked blocked. */
  private async writeTable(model: KernelModel, revision: number, blocked: BlockedFlow[]): Promise<void> {
    await this.nft(['-f', '-'], fullScript(model, revision, blocked));
  }

  /** What the change does to live connections, decided against the region before it. */
  private plans(state: RegionState, events: Event[]): Clearing[] {
    const before = this.indexOf(state);
    return coreChanges(before, events).map((c) => ({
      plan: clearingPlan(state.region.profile, before, c),
      before,
    }));
  }

  /** Block the connections the plans cut on this host, in one transaction; returns how many. */
  private async clear(clearings: Clearing[]): Promise<number> {
    const byRegion = new Map<
      string,
      { inbound: Map<string, Port>; forget: Map<string, Port>; reevaluate: Map<string, Port> }
    >();
    for (const { plan, before } of clearings) {
      const regionId = before.state.region.id;
      const cut = byRegion.get(regionId) ?? { inbound: new Map(), forget: new Map(), reevaluate: new Map() };
      byRegion.set(regionId, cut);
      const local = (ids: Iterable<string>, into: Map<string, Port>) => {
        for (const id of ids) {
          const port = before.ports.get(id)?.port;
          if (port?.host === this.opts.host) into.set(id, port);
        }
      };
      local(plan.clearInbound, cut.inbound);
      local(plan.forget, cut.forget);
      local(plan.reevaluate, cut.reevaluate);
    }
    const wanted = [...byRegion.values()].some((c) => c.inbound.size + c.forget.size + c.reevaluate.size > 0);
    if (!wanted) return 0;
    const flows = await this.conntrack.list();
    const blocked: BlockedFlow[] = [];
    for (const [regionId, cut] of byRegion) {
      const state = this.world.regionState(regionId);
      if (!state) continue;
      blocked.push(
        ...flowsToCut(
          flows,
          {
            inbound: [...cut.inbound.values()],
            forget: [...cut.forget.values()],
            reevaluate: [...cut.reevaluate.values()],
          },
          state.region.conntrackTimeouts,
          cut.reevaluate.size ? new Engine(state) : null,
        ),
      );
    }
    await this.block(blocked);
    return blocked.length;
  }

  /**
   * After writing a table it could not adopt: the live connections were admitted by no policy
   * this agent can vouch for, so each is checked against the policy and the denied ones are cut.
   */
  private async cutUnadmitted(): Promise<void> {
    const flows = await this.conntrack.list();
    if (!flows.length) return;
    const blocked: BlockedFlow[] = [];
    for (const regionId of this.world.regions.keys()) {
      const state = this.world.regionState(regionId)!;
      const ports = state.instances.flatMap((i) => i.ports).filter((p) => p.host === this.opts.host);
      if (ports.length)
        blocked.push(
          ...flowsToCut(
            flows,
            { inbound: [], forget: [], reevaluate: ports },
            state.region.conntrackTimeouts,
            new Engine(state),
          ),
        );
    }
    await this.block(blocked);
    if (blocked.length) this.opts.log?.('cut connections the policy denies', { count: blocked.length });
  }

  private async block(flows: BlockedFlow[]): Promise<void> {
    if (!flows.length) return;
    const script = blockScript(flows);
    await this.session.run(script).catch(() => this.nft(['-f', '-'], script));
  }
}

interface NftItem {
  rule?: { comment?: string; expr?: { counter?: { packets: number; bytes: number } }[] };
}

interface Clearing {
  plan: ReturnType<typeof clearingPlan>;
  before: RegionIndex;
}

/** The most connections a report lists per port (the first ones conntrack lists). */
const CONNECTIONS_PER_PORT = 256;

/**
 * The tracked connections of this host's ports, for change previews: inbound to a port (its
 * address is the original destination) or outbound from it; a flow between two of the host's
 * ports is listed for both.
 */
export function localConnections(host: string, world: World, flows: TrackedFlow[]): ReportedConnection[] {
  const owner = new Map<string, string>();
  for (const r of world.regions.values())
    for (const { port } of r.ports.values())
      if (port.host === host)
        for (const a of [...port.ipv4, ...port.ipv6, ...(port.publicIpv4 ? [port.publicIpv4] : [])])
          owner.set(a, port.id);
  const counts = new Map<string, number>();
  const out: ReportedConnection[] = [];
  const add = (portId: string | undefined, origin: 'inbound' | 'outbound', flow: TrackedFlow) => {
    if (portId === undefined) return;
    const n = counts.get(portId) ?? 0;
    if (n >= CONNECTIONS_PER_PORT) return;
    counts.set(portId, n + 1);
    out.push({ ...flow, remainingS: Math.max(0, Math.floor(flow.remainingS)), portId, origin });
  };
  for (const flow of flows) {
    add(owner.get(flow.dst), 'inbound', flow);
    add(owner.get(flow.src), 'outbound', flow);
  }
  return out;
}

/** The kernel model of one host's ports across the world's regions. */
function renderWorld(host: string, world: World, indexOf?: (state: RegionState) => RegionIndex): KernelModel {
  const regions = [...world.regions.keys()].map((id) => world.regionState(id)!);
  return renderHost(host, regions, indexOf);
}
