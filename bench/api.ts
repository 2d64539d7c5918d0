// API throughput over loopback with signed requests, for each store: single-rule creates per
// second from 32 concurrent connections (an undici pool), and the latency of listing a page of
// 100 rules out of a group of 100,000.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { PalisadeClient } from '../src/client/client.js';
import { signRequest } from '../src/control/auth/signing.js';

export interface ApiFigures {
  ruleCreatesPerSec: number;
  listRules100kMs: number;
  listRules100kP99Ms: number;
  creates: number;
  concurrency: number;
}

const CONCURRENCY = 32;
const CREATES = 10_000;
const BIG_GROUP = 100_000;

async function startChild(database: string): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL('./api-server.js', import.meta.url));
  const child = spawn(process.execPath, [script, database], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, url: JSON.parse(line).url };
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

async function measure(database: string): Promise<ApiFigures> {
  const { child, url } = await startChild(database);
  try {
    const admin = new PalisadeClient(url, { keyId: 'PKBENCH', secret: 'bench-secret' });
    await admin.post('/v1/regions', {
      id: 'bench',
      profile: 'huawei',
      quotas: { rulesPerGroup: 0, groupsPerTenant: 0 },
    });
    await admin.post('/v1/tenants', { id: 'bench', name: 'bench' });
    const key = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'bench' });
    const client = new PalisadeClient(url, { keyId: key.id, secret: key.secret });
    const vpc = (await client.post<{ id: string }>('/v1/vpcs', { regionId: 'bench', name: 'v' })).id;
    const groups: string[] = [];
    for (let i = 0; i < CONCURRENCY; i++)
      groups.push(
        (
          await client.post<{ id: string }>('/v1/security-groups', {
            regionId: 'bench',
            vpcId: vpc,
            name: `g${i}`,
            template: 'empty',
          })
        ).id,
      );

    // Single-rule creates over 32 keep-alive connections (undici), each signed with its own
    // nonce; each connection adds distinct rules to its own group.
    const pool = new Pool(url, { connections: CONCURRENCY });
    const signer = { id: key.id, secret: key.secret };
    let next = 0;
    const started = performance.now();
    await Promise.all(
      groups.map(async (g) => {
        const path = `/v1/security-groups/${g}/rules`;
        for (let n = next++; n < CREATES; n = next++) {
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
    const ruleCreatesPerSec = CREATES / ((performance.now() - started) / 1000);
    await pool.close();

    // A group of 100,000 rules, created in batches of 1,000.
    const big = (
      await client.post<{ id: string }>('/v1/security-groups', {
        regionId: 'bench',
        vpcId: vpc,
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
      await client.post(`/v1/security-groups/${big}/rules/batch`, { rules });
    }
    // Pages of 100 across the whole group (following cursors), timed one by one.
    const times: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      const page = await client.get<{ items: unknown[]; nextCursor?: string }>(
        `/v1/security-groups/${big}/rules?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      times.push(performance.now() - t0);
      if (page.items.length !== 100) throw new Error(`page ${i} held ${page.items.length} rules`);
      cursor = i % 50 === 49 ? undefined : page.nextCursor;
    }
    return {
      ruleCreatesPerSec: Math.round(ruleCreatesPerSec),
      listRules100kMs: round(percentile(times, 50)),
      listRules100kP99Ms: round(percentile(times, 99)),
      creates: CREATES,
      concurrency: CONCURRENCY,
    };
  } finally {
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
  }
}

export async function benchApi(): Promise<Record<string, ApiFigures>> {
  const out: Record<string, ApiFigures> = {};
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-'));
  try {
    out.sqlite = await measure(join(dir, 'bench.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = process.env.PALISADE_TEST_POSTGRES_URL;
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS palisade_bench WITH (FORCE)');
    await admin.query('CREATE DATABASE palisade_bench');
    const url = new URL(pgUrl);
    url.pathname = '/palisade_bench';
    try {
      out.postgres = await measure(url.toString());
    } finally {
      await admin.query('DROP DATABASE IF EXISTS palisade_bench WITH (FORCE)');
      await admin.end();
    }
  }
  return out;
}
