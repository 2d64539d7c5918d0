// Crash durability: a server killed with SIGKILL while 16 clients write rules loses no write it
// acknowledged, leaves no batch half applied, and restarts with a gap-free change log whose
// replay is exactly its state. Several rounds on one database (writes accumulate), on a SQLite
// file (WAL, synchronous=NORMAL: a process crash must lose nothing) and on PostgreSQL. The random
// choices are seeded and printed: PALISADE_CRASH_SEED=<seed> repeats them.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { signRequest } from '../../src/control/auth/signing.js';
import type { Event } from '../../src/control/events.js';
import { ruleView } from '../../src/control/views.js';
import { World } from '../../src/control/world.js';
import { freshDatabase, STORES, type StoreKind, TEST_ENV, type TestDatabase } from '../support/servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = 4;
const WRITERS = 16;
const GROUPS = 6;
/** Acknowledged writes a round waits for before its random delay to the kill. */
const MIN_ACKS = 10;
const MAX_KILL_DELAY_MS = 1200;

const SEED = Number(process.env.PALISADE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`crash test: seed ${SEED} (PALISADE_CRASH_SEED=${SEED} repeats the random choices)`);

/** mulberry32 on a hash of the parts: one independent stream per (store, round, writer). */
function rng(...parts: number[]): () => number {
  let a = 0x9e3779b9;
  for (const p of parts) a = Math.imul(a ^ (p >>> 0), 0x85ebca6b) ^ (a >>> 13);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------
// The server process

interface Child {
  proc: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<string>;
}

async function spawnServer(location: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash-server.ts', location], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`crash server did not start in 30 s: ${stderr}`)),
      30_000,
    );
    createInterface({ input: proc.stdout }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`crash server ended (${how}) before listening: ${stderr}`));
    });
  });
  return { proc, url: (JSON.parse(line) as { url: string }).url, exited };
}

/** A clean stop (stdin's end), SIGKILL if it takes too long. */
async function stopServer(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.stdin.end();
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(timer);
}

/** PostgreSQL: wait until the killed server's sessions are gone (a COMMIT it sent still lands). */
async function waitForSessionsToEnd(location: string): Promise<void> {
  const name = new URL(location).pathname.slice(1);
  const client = new pg.Client({ connectionString: process.env.PALISADE_TEST_POSTGRES_URL });
  await client.connect();
  try {
    await until(
      `the killed server's sessions on ${name} to end`,
      async () =>
        Number(
          (await client.query('select count(*) as n from pg_stat_activity where datname = $1', [name]))
            .rows[0].n,
        ) === 0,
      15_000,
    );
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The change log, read from the database itself

interface LogEntry {
  revision: number;
  action: string;
  events: Event[];
  after: unknown;
}

async function readChangeLog(kind: StoreKind, location: string): Promise<LogEntry[]> {
  const query = 'select revision, action, events, after from change_log order by revision';
  let rows: { revision: number | string; action: string; events: string; after: string | null }[];
  if (kind === 'sqlite') {
    const db = new SQLite(location, { readonly: true, fileMustExist: true });
    try {
      rows = db.prepare(query).all() as typeof rows;
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    try {
      rows = (await client.query(query)).rows;
    } finally {
      await client.end();
    }
  }
  return rows.map((r) => ({
    revision: Number(r.revision),
    action: r.action,
    events: JSON.parse(r.events) as Event[],
    after: r.after === null ? null : JSON.parse(r.after),
  }));
}

// ---------------------------------------------------------------------------------------------
// Writes and what became of them

interface RuleSent {
  direction: 'ingress' | 'egress';
  protocol: 'tcp' | 'udp';
  ports: string;
  remoteIpPrefix: string;
  action: 'allow' | 'deny';
  priority: number;
  description: string;
}

interface Write {
  /** `single-<n>` or `batch-<n>`; every rule's description starts with it. */
  name: string;
  kind: 'single' | 'batch';
  round: number;
  groupId: string;
  rules: RuleSent[];
  outcome: 'pending' | 'acked' | 'refused' | 'lost';
  /** Set when the outcome came after the kill signal. */
  afterKill?: boolean;
  status?: number;
  revision?: number;
  /** The 2xx answer: a rule view, or {rules: [...]} for a batch. */
  body?: any;
  error?: string;
  /** After a restart: whether its rules are there (a write's fate, once known, never changes). */
  committed?: boolean;
}

interface StoreRun {
  kind: StoreKind;
  seed: number;
  location: string;
  tenantKey: { id: string; secret: string };
  groups: string[];
  writes: Write[];
  /** Every rule ever sent gets a distinct number: a distinct remote, so never a duplicate. */
  nextRule: number;
  nextWrite: number;
}

const writeOf = (description: string) => description.replace(/-r\d+$/, '');

function newRule(run: StoreRun, rnd: () => number, description: string): RuleSent {
  const n = run.nextRule++;
  return {
    direction: rnd() < 0.7 ? 'ingress' : 'egress',
    protocol: rnd() < 0.5 ? 'tcp' : 'udp',
    ports: String(1 + Math.floor(rnd() * 65535)),
    remoteIpPrefix: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`,
    action: rnd() < 0.8 ? 'allow' : 'deny',
    priority: 1 + Math.floor(rnd() * 100),
    description,
  };
}

interface RoundState {
  url: string;
  killed: boolean;
  acks: number;
}

async function writer(run: StoreRun, round: number, w: number, state: RoundState): Promise<void> {
  const rnd = rng(run.seed, round, w);
  while (!state.killed) {
    const kind = rnd() < 0.5 ? 'batch' : 'single';
    const name = `${kind}-${run.nextWrite++}`;
    const size = kind === 'batch' ? 10 + Math.floor(rnd() * 41) : 1;
    const write: Write = {
      name,
      kind,
      round,
      groupId: run.groups[Math.floor(rnd() * run.groups.length)],
      rules: Array.from({ length: size }, (_, i) => newRule(run, rnd, `${name}-r${i}`)),
      outcome: 'pending',
    };
    run.writes.push(write);
    const path = `/v1/security-groups/${write.groupId}/rules${kind === 'batch' ? '/batch' : ''}`;
    const body = JSON.stringify(kind === 'batch' ? { rules: write.rules } : write.rules[0]);
    try {
      const res = await fetch(state.url + path, {
        method: 'POST',
        headers: { ...signRequest(run.tenantKey, 'POST', path, body), 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      write.status = res.status;
      if (res.status >= 200 && res.status < 300) {
        write.body = JSON.parse(text);
        write.revision = Number(res.headers.get('x-palisade-revision'));
        write.outcome = 'acked';
        state.acks++;
      } else {
        write.outcome = 'refused';
        write.error = text;
      }
    } catch (e) {
      write.outcome = 'lost';
      write.error = String((e as Error).cause ?? e);
    }
    write.afterKill = state.killed;
    if (write.outcome === 'lost') return;
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing states

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

interface SnapshotLike {
  revision: number;
  tenants: { id: string }[];
  regions: {
    region: { id: string };
    vpcs: { id: string }[];
    groups: { id: string; rules: { id: string }[] }[];
    addressGroups: { id: string }[];
    instances: { id: string }[];
  }[];
}

/** Objects sorted by id (rules keep their group's order: creation order), as JSON would carry them. */
function normalize(s: SnapshotLike): SnapshotLike {
  return JSON.parse(
    JSON.stringify({
      revision: s.revision,
      tenants: [...s.tenants].sort(byId),
      regions: [...s.regions]
        .sort((a, b) => byId(a.region, b.region))
        .map((r) => ({
          region: r.region,
          vpcs: [...r.vpcs].sort(byId),
          groups: [...r.groups].sort(byId),
          addressGroups: [...r.addressGroups].sort(byId),
          instances: [...r.instances].sort(byId),
        })),
    }),
  );
}

function snapshotOf(world: World): SnapshotLike {
  return {
    revision: world.revision,
    tenants: [...world.tenants.values()].map((t) => t.value),
    regions: [...world.regions.values()].map((r) => {
      const s = world.regionState(r.region.id)!;
      return {
        region: s.region,
        vpcs: s.vpcs,
        groups: s.groups,
        addressGroups: s.addressGroups,
        instances: s.instances,
      };
    }),
  };
}

/** The live state equals the replayed one, compared piece by piece so a failure names the piece. */
function expectSameState(live: SnapshotLike, replayed: SnapshotLike): void {
  expect(live.revision, 'snapshot revision vs change-log head').toBe(replayed.revision);
  expect(live.tenants, 'tenants').toEqual(replayed.tenants);
  expect(
    live.regions.map((r) => r.region.id),
    'regions',
  ).toEqual(replayed.regions.map((r) => r.region.id));
  live.regions.forEach((l, i) => {
    const r = replayed.regions[i];
    const at = `region ${l.region.id}`;
    expect(l.region, at).toEqual(r.region);
    expect(l.vpcs, `${at} vpcs`).toEqual(r.vpcs);
    expect(l.addressGroups, `${at} address groups`).toEqual(r.addressGroups);
    expect(l.instances, `${at} instances`).toEqual(r.instances);
    expect(
      l.groups.map((g) => g.id),
      `${at} groups`,
    ).toEqual(r.groups.map((g) => g.id));
    l.groups.forEach((g, k) => {
      const rg = r.groups[k];
      expect(
        g.rules.map((x) => x.id),
        `${at} group ${g.id}: rule ids in order`,
      ).toEqual(rg.rules.map((x) => x.id));
      if (JSON.stringify(g) !== JSON.stringify(rg)) expect(g, `${at} group ${g.id}`).toEqual(rg);
    });
  });
}

/** What a rule sent becomes in a view or the model (ports as ranges, remote flattened). */
function sentAsView(s: RuleSent) {
  const port = Number(s.ports);
  return {
    direction: s.direction,
    protocol: s.protocol,
    ports: [{ from: port, to: port }],
    remoteIpPrefix: s.remoteIpPrefix,
    action: s.action,
    priority: s.priority,
    description: s.description,
  };
}

// ---------------------------------------------------------------------------------------------
// One round's checks, after the restart

async function verify(run: StoreRun, url: string): Promise<{ head: number; rules: number }> {
  const admin = new PalisadeClient(url, {
    keyId: TEST_ENV.PALISADE_ADMIN_KEY_ID,
    secret: TEST_ENV.PALISADE_ADMIN_SECRET,
  });
  const snapshot = await admin.get<SnapshotLike & { regions: { groups: any[] }[] }>('/v1/snapshot');
  const log = await readChangeLog(run.kind, run.location);
  const head = log.length ? log[log.length - 1].revision : 0;

  // (3) The change log is gap-free: revisions 1..head.
  const gap = log.findIndex((e, i) => e.revision !== i + 1);
  expect(gap, `change log has a hole: entry ${gap} is revision ${log[gap]?.revision}`).toBe(-1);
  expect(snapshot.revision, 'the restarted server is at the change log head').toBe(head);

  // (4) Replaying the change log into a fresh world gives the restarted server's state.
  const world = new World();
  for (const e of log) expect(world.applyWrite(e.revision, e.events), `apply ${e.revision}`).toBe(true);
  expectSameState(normalize(snapshot), normalize(snapshotOf(world)));

  // The rules there, by id and by description (each description was sent once).
  const byRuleId = new Map<string, { groupId: string; rule: any }>();
  const byDescription = new Map<string, { groupId: string; rule: any }>();
  for (const region of snapshot.regions)
    for (const g of region.groups)
      for (const rule of g.rules) {
        const at = { groupId: g.id as string, rule };
        byRuleId.set(rule.id, at);
        expect(byDescription.has(rule.description), `rule ${rule.description} twice`).toBe(false);
        byDescription.set(rule.description, at);
      }
  const written = new Map(run.writes.map((w) => [w.name, w]));
  for (const description of byDescription.keys())
    expect(written.has(writeOf(description)), `rule ${description} was never sent`).toBe(true);
  const ruleRevision = new Map<string, number>();
  for (const e of log)
    for (const ev of e.events) if (ev.op === 'rule.put') ruleRevision.set(ev.rule.id, e.revision);

  // Nothing refused, nothing failed while the server was up: a fault, not a crash.
  const faults = run.writes.filter(
    (w) => w.outcome === 'refused' || (w.outcome === 'lost' && !w.afterKill) || w.outcome === 'pending',
  );
  expect(
    faults.slice(0, 5).map((w) => `${w.name}: ${w.outcome} ${w.status ?? ''} ${w.error ?? ''}`),
    'writes refused or failed before the kill',
  ).toEqual([]);

  for (const w of run.writes) {
    // (2) No partial batch (nor single): all of a write's rules are there, or none.
    const present = w.rules.filter((r) => byDescription.has(r.description));
    expect(
      present.length === 0 || present.length === w.rules.length,
      `${w.name} (${w.outcome}, round ${w.round}): ${present.length} of ${w.rules.length} rules present`,
    ).toBe(true);
    const committed = present.length > 0;
    if (w.committed !== undefined)
      expect(
        committed,
        `${w.name}: ${w.committed ? 'was there after an earlier restart' : 'came back'}`,
      ).toBe(w.committed);
    w.committed = committed;
    if (!committed) {
      // (1) Every acknowledged write is there.
      expect(w.outcome, `${w.name} was acknowledged (revision ${w.revision}) and is gone`).not.toBe('acked');
      continue;
    }
    // What is there is what was sent, in the group it was sent to, all in one change-log entry.
    for (const sent of w.rules) {
      const at = byDescription.get(sent.description)!;
      expect(at.groupId, `${sent.description}: group`).toBe(w.groupId);
      const view = ruleView(at.rule, at.groupId, 0, 0);
      expect(view, sent.description).toMatchObject(sentAsView(sent));
    }
    const revisions = new Set(
      w.rules.map((r) => ruleRevision.get(byDescription.get(r.description)!.rule.id)),
    );
    expect([...revisions].length, `${w.name}: its rules in one change-log entry`).toBe(1);

    if (w.outcome !== 'acked') continue;
    // (1) An acknowledged write's rules are there with the fields its answer gave.
    const views: any[] = w.kind === 'batch' ? w.body.rules : [w.body];
    expect(views.length, `${w.name}: rules in its answer`).toBe(w.rules.length);
    views.forEach((v, i) => {
      expect(v.description, `${w.name}: answer order`).toBe(w.rules[i].description);
      const at = byRuleId.get(v.id);
      expect(at, `${w.name}: acknowledged rule ${v.id} is gone`).toBeDefined();
      expect(at!.groupId).toBe(w.groupId);
      expect(JSON.parse(JSON.stringify(ruleView(at!.rule, at!.groupId, v.position, v.revision)))).toEqual(v);
    });
    // (5) Its revision is committed and is this write: the answer is the log's "after".
    expect(w.revision! <= head, `${w.name}: revision ${w.revision} beyond head ${head}`).toBe(true);
    const entry = log[w.revision! - 1];
    expect(entry.action, `${w.name} at revision ${w.revision}`).toBe(
      w.kind === 'batch' ? 'rule.batchCreate' : 'rule.create',
    );
    // The rules' puts, then their group's once (its change count moved: Neutron's revision_number).
    expect(
      entry.events.map((e) => (e.op === 'rule.put' ? e.rule.id : e.op)),
      `${w.name}: the events of revision ${w.revision}`,
    ).toEqual([...views.map((v) => v.id), 'group.put']);
    expect(
      entry.events.every((e) =>
        e.op === 'rule.put' ? e.groupId === w.groupId : e.op === 'group.put' && e.group.id === w.groupId,
      ),
    ).toBe(true);
    expect(entry.after, `${w.name}: answer vs the log's after`).toEqual(w.body);
  }
  const acked = run.writes.filter((w) => w.outcome === 'acked').map((w) => w.revision);
  expect(new Set(acked).size, 'acknowledged writes have distinct revisions').toBe(acked.length);
  const sentRules = run.writes.filter((w) => w.committed).reduce((n, w) => n + w.rules.length, 0);
  expect(byDescription.size, 'rules there vs rules of committed writes').toBe(sentRules);
  return { head, rules: byDescription.size };
}

// ---------------------------------------------------------------------------------------------

async function setUp(run: StoreRun, url: string): Promise<void> {
  const admin = new PalisadeClient(url, {
    keyId: TEST_ENV.PALISADE_ADMIN_KEY_ID,
    secret: TEST_ENV.PALISADE_ADMIN_SECRET,
  });
  await admin.post('/v1/regions', {
    id: 'crash',
    profile: 'huawei',
    quotas: { groupsPerTenant: 100, rulesPerGroup: 1_000_000, rulesPerPort: 0 },
  });
  await admin.post('/v1/tenants', { id: 'crasher', name: 'crasher' });
  const key = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'crasher' });
  run.tenantKey = { id: key.id, secret: key.secret };
  const tenant = new PalisadeClient(url, { keyId: key.id, secret: key.secret });
  const vpc = (await tenant.post<any>('/v1/vpcs', { regionId: 'crash', name: 'v' })).id;
  for (let i = 0; i < GROUPS; i++)
    run.groups.push(
      (
        await tenant.post<any>('/v1/security-groups', {
          regionId: 'crash',
          vpcId: vpc,
          name: `g${i}`,
          template: 'empty',
        })
      ).id,
    );
  await tenant.post('/v1/address-groups', { regionId: 'crash', name: 'ag', entries: ['192.0.2.0/24'] });
  await tenant.post('/v1/instances', {
    regionId: 'crash',
    vpcId: vpc,
    name: 'i',
    ports: [{ ipv4: ['172.16.0.5'], groupIds: [run.groups[0], run.groups[1]], host: 'h1' }],
  });
}

describe.each(STORES)('a server killed while writing, on %s', (kind) => {
  let db: TestDatabase | undefined;
  let child: Child | undefined;
  afterAll(async () => {
    // Stop whatever is left (a failed round may leave its writers' server running).
    if (child && child.proc.exitCode === null && child.proc.signalCode === null) {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
    await db?.drop();
  }, 30_000);

  it(`loses no acknowledged write and applies no partial batch over ${ROUNDS} kills`, async () => {
    const started = Date.now();
    const seed = SEED ^ (kind === 'sqlite' ? 0x5117e : 0x9057);
    db = await freshDatabase(kind);
    const run: StoreRun = {
      kind,
      seed,
      location: db.location,
      tenantKey: { id: '', secret: '' },
      groups: [],
      writes: [],
      nextRule: 0,
      nextWrite: 0,
    };
    child = await spawnServer(db.location);
    await setUp(run, child.url);
    for (let round = 1; round <= ROUNDS; round++) {
      const t0 = Date.now();
      const state: RoundState = { url: child.url, killed: false, acks: 0 };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(run, round, w, state));
      await until(`${MIN_ACKS} acknowledged writes`, () => state.acks >= MIN_ACKS, 20_000);
      const delay = Math.floor(rng(seed, round, 0xdead)() * MAX_KILL_DELAY_MS);
      await sleep(delay);
      const inFlight = run.writes.filter((w) => w.outcome === 'pending').length;
      child.proc.kill('SIGKILL');
      state.killed = true;
      const how = await child.exited;
      await Promise.all(writers);
      expect(how, 'the server died of the SIGKILL').toBe('SIGKILL');
      if (kind === 'postgres') await waitForSessionsToEnd(db.location);
      child = await spawnServer(db.location);
      const { head, rules } = await verify(run, child.url);
      const mine = run.writes.filter((w) => w.round === round);
      console.log(
        `crash ${kind} seed ${seed} round ${round}: killed ${delay} ms after ${MIN_ACKS} acks ` +
          `with ${inFlight} writes in flight; ${mine.length} writes sent ` +
          `(${mine.filter((w) => w.kind === 'batch').length} batches), ` +
          `${mine.filter((w) => w.outcome === 'acked').length} acknowledged, ` +
          `${mine.filter((w) => w.outcome !== 'acked' && w.committed).length} committed unacknowledged, ` +
          `${mine.filter((w) => !w.committed).length} not committed; head ${head}, ${rules} rules; ` +
          `${Date.now() - t0} ms`,
      );
    }
    await stopServer(child);
    console.log(`crash ${kind}: ${ROUNDS} rounds in ${Date.now() - started} ms`);
  }, 90_000);
});
