// What the benchmarks share: the bench server's operator credentials, a server in its own
// process, a tenant's client with a VPC and empty groups in a fresh region, and statistics.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PalisadeClient } from '../src/client/client.js';

/** The environment bench servers start with: a fixed master key and operator key. */
export const BENCH_ENV = {
  PALISADE_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
  PALISADE_ADMIN_KEY_ID: 'PKBENCH',
  PALISADE_ADMIN_SECRET: 'bench-secret',
};

export const benchAdmin = (url: string) =>
  new PalisadeClient(url, {
    keyId: BENCH_ENV.PALISADE_ADMIN_KEY_ID,
    secret: BENCH_ENV.PALISADE_ADMIN_SECRET,
  });

export interface BenchServer {
  child: ChildProcess;
  url: string;
}

/** bench/api-server.ts in its own process (so the load does not share its core); stops on stdin's end. */
export async function startBenchServer(
  database: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BenchServer> {
  const script = fileURLToPath(new URL('./api-server.js', import.meta.url));
  const child = spawn(process.execPath, [script, database], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, url: JSON.parse(line).url };
}

export async function stopBenchServer({ child }: BenchServer): Promise<void> {
  child.stdin!.end();
  await new Promise((r) => child.once('exit', r));
}

/** A region, a tenant with its own key, a VPC and `groups` empty groups. */
export async function benchRegion(admin: PalisadeClient, region: Record<string, unknown>, groups: number) {
  const regionId = String(region.id);
  await admin.post('/v1/regions', region);
  await admin.post('/v1/tenants', { id: 'bench', name: 'bench' });
  const key = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'bench' });
  const client = new PalisadeClient(admin.baseUrl, { keyId: key.id, secret: key.secret });
  const vpc = (await client.post<{ id: string }>('/v1/vpcs', { regionId, name: 'v' })).id;
  const ids: string[] = [];
  for (let i = 0; i < groups; i++)
    ids.push(
      (
        await client.post<{ id: string }>('/v1/security-groups', {
          regionId,
          vpcId: vpc,
          name: `g${i}`,
          template: 'empty',
        })
      ).id,
    );
  return { key, client, vpc, groups: ids };
}

/** A Keystone password login (scoped to a project when named); the answer is read to its end. */
export async function keystoneLogin(url: string, name: string, password: string, project?: string) {
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name, domain: { name: 'Default' }, password } },
        },
        ...(project ? { scope: { project: { name: project, domain: { name: 'Default' } } } } : {}),
      },
    }),
  });
  await res.text();
  return { status: res.status, token: res.headers.get('x-subject-token') };
}

export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
export const median = (xs: number[]) => percentile(xs, 50);
export const round = (x: number, digits = 1) => Number(x.toFixed(digits));
