// API throughput over loopback with signed requests, for each store: single-rule creates per
// second from 32 concurrent connections (an undici pool), with the abuse limits on and, in the
// same run, off (what the limits cost); the latency of listing a page of 100 rules out of a
// group of 100,000; and an honest Keystone login's latency alone and under a password flood.
// `neutron`: the same kind of creates through Keystone tokens and the Neutron endpoint (SQLite),
// into an empty group and into one of 5,000 rules, and a 100-rule page of a 5,000-rule group
// against the whole list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { signRequest } from '../src/control/auth/signing.js';
import {
  benchAdmin,
  benchRegion,
  keystoneLogin,
  percentile,
  startBenchServer,
  stopBenchServer,
} from './support.js';

export interface ApiFigures {
  /** With the default limits on (per-address rate limit, per-credential rate, lockouts). */
  ruleCreatesPerSec: number;
  listRules100kMs: number;
  listRules100kP99Ms: number;
  creates: number;
  concurrency: number;
  /** The same creates in the same run against a server with its request-rate limits off. */
  ruleCreatesPerSecWithoutLimits: number;
  /** What the limits cost: 1 - with/without, in percent (negative: within noise). */
  limitsCostPercent: number;
  /** An honest Keystone password login, alone (p50). */
  keystoneLoginMs: number;
  /** The same while 16 connections send wrong passwords for another user without pause (p50). */
  keystoneLoginUnderAttackMs: number;
}

/** Through Keystone and Neutron, on SQLite: creates alone, at a group's size, and pages. */
export interface NeutronFigures {
  /** Single-rule creates/s into a new group (its two egress rules; a fresh one each round), 32 connections. */
  ruleCreatesPerSec: number;
  /** The same into a group that holds 5,000 rules (the quota raised). */
  ruleCreatesPerSecAt5000: number;
  /** A page of 100 (limit and marker, by id) of a 5,000-rule group, p50. */
  page100Of5000Ms: number;
  /** The whole 5,000-rule group listed at once, p50. */
  listAll5000Ms: number;
  creates: number;
  concurrency: number;
}

const CONCURRENCY = 32;
const CREATES = 10_000;
const ROUNDS = 4;
const BIG_GROUP = 100_000;
const LOGINS = 30;
const ATTACKERS = 16;

/** Request-rate limits off (the failure lockouts stay: they cost nothing to an honest client). */
const WITHOUT_LIMITS = { PALISADE_RATE_PER_SOURCE: '0', PALISADE_RATE_PER_CREDENTIAL: '0' };
/** For the login figures: lockouts out of the way, so that the attack is all password hashing. */
const NO_LOCKOUT = {
  PALISADE_AUTH_FAILURES_PER_CREDENTIAL: '100000000',
  PALISADE_AUTH_FAILURES_PER_SOURCE: '100000000',
};

const startChild = (database: string, env: Record<string, string> = {}) =>
  startBenchServer(database, { ...process.env, ...env });
const stopChild = stopBenchServer;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** A region, a tenant with a key, a VPC and 32 empty groups: what the creates write into. */
async function setUp(url: string) {
  const region = { id: 'bench', profile: 'huawei', quotas: { rulesPerGroup: 0, groupsPerTenant: 0 } };
  return { url, ...(await benchRegion(benchAdmin(url), region, CONCURRENCY)), next: 0 };
}
type Target = Awaited<ReturnType<typeof setUp>>;

/**
 * `count` single-rule creates over 32 keep-alive connections (undici), each signed with its
 * own nonce; each connection adds distinct rules to its own group. Answers the seconds taken.
 */
async function creates(t: Target, count: number): Promise<number> {
  const pool = new Pool(t.url, { connections: CONCURRENCY });
  const signer = { id: t.key.id, secret: t.key.secret };
  const end = t.next + count;
  const started = performance.now();
  await Promise.all(
    t.groups.map(async (g) => {
      const path = `/v1/security-groups/${g}/rules`;
      for (let n = t.next++; n < end; n = t.next++) {
        const rule = {
          direction: n % 2 ? 'egress' : 'ingress',
          protocol: n % 3 ? 'tcp' : 'udp',
          ports: String(1 + (n % 65535)),
          priority: 1 + (n % 100),
        };
        const body = JSON.stringify(rule);
        const headers = { ...signRequest(signer, 'POST', path, body), 'content-type': 'application/json' };
        const res = await pool.request({ method: 'POST', path, body, headers });
        const text = await res.body.text();
        if (res.statusCode !== 201) throw new Error(`rule create answered ${res.statusCode}: ${text}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  t.next = end;
  await pool.close();
  return seconds;
}

/** p50 and p99 of pages of 100 across a group of 100,000 rules (made in batches of 1,000). */
async function pages(t: Target): Promise<{ p50: number; p99: number }> {
  const big = (
    await t.client.post<{ id: string }>('/v1/security-groups', {
      regionId: 'bench',
      vpcId: t.vpc,
      name: 'big',
      template: 'empty',
    })
  ).id;
  for (let b = 0; b < BIG_GROUP / 1000; b++) {
    const rules = Array.from({ length: 1000 }, (_, i) => {
      const n = b * 1000 + i;
      return {
        direction: 'ingress',
        protocol: 'tcp',
        ports: String(1 + (n % 65535)),
        remoteIpPrefix: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`,
        priority: 1 + (n % 100),
      };
    });
    await t.client.post(`/v1/security-groups/${big}/rules/batch`, { rules });
  }
  const times: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const page = await t.client.get<{ items: unknown[]; nextCursor?: string }>(
      `/v1/security-groups/${big}/rules?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    times.push(performance.now() - t0);
    if (page.items.length !== 100) throw new Error(`page ${i} held ${page.items.length} rules`);
    cursor = i % 50 === 49 ? undefined : page.nextCursor;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Keystone password logins of an honest user, alone and while others guess another's password. */
async function logins(url: string): Promise<{ alone: number; underAttack: number }> {
  const admin = benchAdmin(url);
  await admin.post('/v1/tenants', { id: 'login', name: 'login' });
  for (const name of ['honest', 'victim'])
    await admin.post('/v1/openstack/users', { tenantId: 'login', name, password: `${name}-password` });
  const login = async (name: string, password: string) => (await keystoneLogin(url, name, password)).status;
  const honest = async () => {
    const times: number[] = [];
    for (let i = 0; i < LOGINS; i++) {
      const t0 = performance.now();
      if ((await login('honest', 'honest-password')) !== 201) throw new Error('the honest login failed');
      times.push(performance.now() - t0);
    }
    return percentile(times, 50);
  };
  const alone = await honest();
  let attacking = true;
  const attackers = Array.from({ length: ATTACKERS }, async () => {
    while (attacking) await login('victim', 'a wrong guess');
  });
  const underAttack = await honest();
  attacking = false;
  await Promise.all(attackers);
  return { alone, underAttack };
}

/** Everything on one store: `databases` gives three fresh ones (limits on, limits off, logins). */
async function measure(databases: [string, string, string]): Promise<ApiFigures> {
  const withLimits = await startChild(databases[0]);
  const withoutLimits = await startChild(databases[1], WITHOUT_LIMITS);
  try {
    const on = await setUp(withLimits.url);
    const off = await setUp(withoutLimits.url);
    // Alternating rounds, so that both servers meet the same machine (noise, disk, cache).
    let secondsOn = 0;
    let secondsOff = 0;
    for (let round = 0; round < ROUNDS; round++) {
      secondsOn += await creates(on, CREATES / ROUNDS);
      secondsOff += await creates(off, CREATES / ROUNDS);
    }
    const page = await pages(on);
    const withRate = CREATES / secondsOn;
    const withoutRate = CREATES / secondsOff;
    const auth = await startChild(databases[2], NO_LOCKOUT);
    let login: { alone: number; underAttack: number };
    try {
      login = await logins(auth.url);
    } finally {
      await stopChild(auth);
    }
    return {
      ruleCreatesPerSec: Math.round(withRate),
      listRules100kMs: round(page.p50),
      listRules100kP99Ms: round(page.p99),
      creates: CREATES,
      concurrency: CONCURRENCY,
      ruleCreatesPerSecWithoutLimits: Math.round(withoutRate),
      limitsCostPercent: round((1 - withRate / withoutRate) * 100, 1),
      keystoneLoginMs: round(login.alone),
      keystoneLoginUnderAttackMs: round(login.underAttack),
    };
  } finally {
    await stopChild(withLimits);
    await stopChild(withoutLimits);
  }
}

const NEUTRON_CREATES = 4_000;
const NEUTRON_ROUNDS = 4;
const NEUTRON_GROUP = 5_000;
const NEUTRON_PAGES = 100;
const NEUTRON_LISTS = 15;

/** A tenant with an OpenStack user in an openstack region (no quota on rules or groups), and its token. */
async function neutronSetUp(url: string) {
  const admin = benchAdmin(url);
  await admin.post('/v1/regions', {
    id: 'osbench',
    profile: 'openstack',
    quotas: { rulesPerGroup: 0, groupsPerTenant: 0 },
  });
  await admin.post('/v1/tenants', { id: 'osbench', name: 'osbench' });
  await admin.post('/v1/openstack/users', { tenantId: 'osbench', name: 'ops', password: 'ops-password' });
  const { status, token } = await keystoneLogin(url, 'ops', 'ops-password', 'osbench');
  if (status !== 201 || !token) throw new Error(`keystone login answered ${status}`);
  const base = `${url}/networking/osbench/v2.0`;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  let groups = 0;
  /**
   * A new group holding `rules` rules in all: its two egress rules and the rest made 1,000 to a
   * bulk create, each with a /32 remote.
   */
  const group = async (rules: number): Promise<string> => {
    const name = `ng${groups++}`;
    const made = (await call('POST', '/security-groups', { security_group: { name } })).security_group as {
      id: string;
      security_group_rules: unknown[];
    };
    const id = made.id;
    const fill = Math.max(0, rules - made.security_group_rules.length);
    for (let b = 0; b < fill; b += 1000)
      await call('POST', '/security-group-rules', {
        security_group_rules: Array.from({ length: Math.min(1000, fill - b) }, (_, i) => {
          const n = b + i;
          return {
            security_group_id: id,
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 1 + (n % 65535),
            port_range_max: 1 + (n % 65535),
            remote_ip_prefix: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`,
          };
        }),
      });
    return id;
  };
  return { url, token, call, group, next: 0 };
}

/** `count` single-rule creates into `groupId` over 32 keep-alive connections; the seconds taken. */
async function neutronCreates(
  t: Awaited<ReturnType<typeof neutronSetUp>>,
  groupId: string,
  count: number,
): Promise<number> {
  const pool = new Pool(t.url, { connections: CONCURRENCY });
  const path = '/networking/osbench/v2.0/security-group-rules';
  const headers = { 'x-auth-token': t.token, 'content-type': 'application/json' };
  const end = t.next + count;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = t.next++; n < end; n = t.next++) {
        // No remote prefix: never the same as the /32 rules a big group was filled with.
        const port = 1 + (n % 65535);
        const body = JSON.stringify({
          security_group_rule: {
            security_group_id: groupId,
            direction: n % 2 ? 'egress' : 'ingress',
            protocol: n % 3 ? 'tcp' : 'udp',
            port_range_min: port,
            port_range_max: port,
          },
        });
        const res = await pool.request({ method: 'POST', path, body, headers });
        const text = await res.body.text();
        if (res.statusCode !== 201)
          throw new Error(`neutron rule create answered ${res.statusCode}: ${text}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  t.next = end;
  await pool.close();
  return seconds;
}

/** The Neutron figures on a fresh SQLite store at `database`. */
export async function benchNeutron(database: string): Promise<NeutronFigures> {
  const server = await startChild(database);
  try {
    const t = await neutronSetUp(server.url);
    // Alternating rounds: a fresh empty group, then the same number of creates into a group of
    // 5,000 (a fresh one each round too, so that it holds 5,000 to 5,000 + a round's creates).
    const perRound = NEUTRON_CREATES / NEUTRON_ROUNDS;
    let secondsEmpty = 0;
    let secondsFull = 0;
    for (let r = 0; r < NEUTRON_ROUNDS; r++) {
      secondsEmpty += await neutronCreates(t, await t.group(0), perRound);
      secondsFull += await neutronCreates(t, await t.group(NEUTRON_GROUP), perRound);
    }
    // Pages of 100 walked by marker (from the start again after the last), and whole lists.
    const big = await t.group(NEUTRON_GROUP);
    const pageTimes: number[] = [];
    let marker: string | undefined;
    for (let i = 0; i < NEUTRON_PAGES; i++) {
      const t0 = performance.now();
      const page = await t.call(
        'GET',
        `/security-group-rules?security_group_id=${big}&limit=100${marker ? `&marker=${marker}` : ''}`,
      );
      pageTimes.push(performance.now() - t0);
      const rules = page.security_group_rules as { id: string }[];
      if (rules.length !== 100) throw new Error(`page ${i} held ${rules.length} rules`);
      marker = (i + 1) % (NEUTRON_GROUP / 100) === 0 ? undefined : rules[rules.length - 1].id;
    }
    const listTimes: number[] = [];
    for (let i = 0; i < NEUTRON_LISTS; i++) {
      const t0 = performance.now();
      const all = await t.call('GET', `/security-group-rules?security_group_id=${big}`);
      listTimes.push(performance.now() - t0);
      const count = (all.security_group_rules as unknown[]).length;
      if (count !== NEUTRON_GROUP) throw new Error(`the list held ${count} rules`);
    }
    return {
      ruleCreatesPerSec: Math.round(NEUTRON_CREATES / secondsEmpty),
      ruleCreatesPerSecAt5000: Math.round(NEUTRON_CREATES / secondsFull),
      page100Of5000Ms: round(percentile(pageTimes, 50)),
      listAll5000Ms: round(percentile(listTimes, 50)),
      creates: NEUTRON_CREATES,
      concurrency: CONCURRENCY,
    };
  } finally {
    await stopChild(server);
  }
}

export async function benchApi(): Promise<Record<string, ApiFigures | NeutronFigures>> {
  const out: Record<string, ApiFigures | NeutronFigures> = {};
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-'));
  try {
    out.sqlite = await measure([join(dir, 'on.db'), join(dir, 'off.db'), join(dir, 'login.db')]);
    out.neutron = await benchNeutron(join(dir, 'neutron.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = process.env.PALISADE_TEST_POSTGRES_URL;
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    const names = ['palisade_bench_on', 'palisade_bench_off', 'palisade_bench_login'];
    const urls = names.map((name) => {
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      return url.toString();
    }) as [string, string, string];
    try {
      for (const name of names) {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name}`);
      }
      out.postgres = await measure(urls);
    } finally {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  return out;
}
