// Limits on abuse, and the errors they answer in every API's own dialect: the framework's
// refusals (path too long, headers too large, body too large, bodies that are not JSON),
// failed-authentication lockouts that refuse even the right secret until they expire, request
// rates per address and per credential, and idle connections shed so that a legitimate client
// keeps being served, also when file descriptors are few.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { signRequest as huaweiSign } from '../../src/compat/huawei/signing.js';
import { percentEncode, v1Signature, v1StringToSign } from '../../src/compat/alibaba/signing.js';
import { signRequest } from '../../src/control/auth/signing.js';
import { defaultLimits, type ServerLimits } from '../../src/http/limits.js';
import { login, osProject, type OsProject, passwordLogin } from '../support/openstack.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

type Envelope = 'native' | 'alibaba' | 'huawei' | 'neutron' | 'keystone';

/** The error envelope each API's clients parse. */
function expectEnvelope(kind: Envelope, status: number, body: any): void {
  switch (kind) {
    case 'native':
      expect(body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
      return;
    case 'alibaba':
      expect(body).toMatchObject({
        RequestId: expect.any(String),
        Code: expect.any(String),
        Message: expect.any(String),
      });
      return;
    case 'huawei':
      expect(body).toMatchObject({ error_code: expect.any(String), error_msg: expect.any(String) });
      return;
    case 'neutron':
      expect(body.NeutronError).toMatchObject({ type: expect.any(String), message: expect.any(String) });
      return;
    case 'keystone':
      expect(body.error).toMatchObject({
        code: status,
        title: expect.any(String),
        message: expect.any(String),
      });
  }
}

const revision = async (t: TestServer) => (await (await fetch(`${t.url}/readyz`)).json()).revision as number;

function limits(change: (l: ServerLimits) => void): ServerLimits {
  const l = structuredClone(defaultLimits());
  change(l);
  return l;
}

describe('framework refusals in each API’s dialect', () => {
  let db: TestDatabase;
  let t: TestServer;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db, false, {
      limits: limits((l) => {
        l.bodyLimitBytes = 64 * 1024;
      }),
    });
    await t.admin.post('/v1/regions', { id: 'os', profile: 'openstack' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const long = 'x'.repeat(400);
  const paths: [Envelope, string][] = [
    ['native', `/v1/security-groups/${long}`],
    ['alibaba', '/'],
    ['huawei', `/v3/${long}/vpc/security-groups`],
    ['neutron', `/networking/${long}/v2.0/security-groups`],
    ['keystone', `/identity/v3/projects/${long}`],
  ];

  it.each(paths)(
    '%s: a path parameter over the limit (414), headers over 16 KB (431), a body over the limit (413)',
    async (kind, path) => {
      const before = await revision(t);
      if (kind !== 'alibaba') {
        const res = await fetch(t.url + path);
        expect(res.status).toBe(414);
        expectEnvelope(kind, 414, await res.json());
      }
      const headers = await fetch(t.url + path.replace(long, 'x'), {
        headers: { 'x-padding': 'p'.repeat(20_000) },
      });
      expect(headers.status).toBe(431);
      expectEnvelope(kind, 431, await headers.json());
      const body = await fetch(t.url + path.replace(long, 'x'), {
        method: 'POST',
        headers: {
          'content-type': kind === 'alibaba' ? 'application/x-www-form-urlencoded' : 'application/json',
        },
        body:
          kind === 'alibaba' ? `Action=${'a'.repeat(70_000)}` : JSON.stringify({ pad: 'p'.repeat(70_000) }),
      });
      expect(body.status).toBe(413);
      const text = await body.text();
      expectEnvelope(kind, 413, JSON.parse(text));
      expect(text).not.toMatch(/FST_ERR/);
      expect(await revision(t)).toBe(before);
    },
  );

  it('alibaba: a body that claims to be JSON and is not answers 400 in the ECS envelope, never 500', async () => {
    for (const query of ['', '?Action=DescribeRegions&Version=2014-05-26', '?Format=XML']) {
      const res = await fetch(`${t.url}/${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{not json',
      });
      expect(res.status).toBe(400);
      const text = await res.text();
      if (query.includes('XML')) expect(text).toMatch(/^<\?xml.*<Error>.*<Code>/s);
      else expectEnvelope('alibaba', 400, JSON.parse(text));
    }
  });

  it('keystone: a body over the limit is titled as Keystone titles 413', async () => {
    const res = await fetch(`${t.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'p'.repeat(70_000) }),
    });
    expect((await res.json()).error).toMatchObject({ code: 413, title: 'Request Entity Too Large' });
  });
});

describe('failed authentications: lockout with backoff, in each dialect', () => {
  let db: TestDatabase;
  let t: TestServer;
  let key: { id: string; secret: string };
  let alice: OsProject;
  let bob: OsProject;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db, false, {
      limits: limits((l) => {
        l.auth = { ...l.auth, failuresPerCredential: 3, failuresPerSource: 1000, lockoutMs: 1500 };
      }),
    });
    await t.admin.post('/v1/regions', { id: 'hw', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'ali', profile: 'alibaba' });
    await t.admin.post('/v1/regions', { id: 'os', profile: 'openstack' });
    alice = await osProject(t, 'alice', 'os');
    bob = await osProject(t, 'bob', 'os');
    key = await t.admin.post('/v1/access-keys', { tenantId: 'alice' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const native = (secret: string) =>
    fetch(`${t.url}/v1/whoami`, { headers: signRequest({ id: key.id, secret }, 'GET', '/v1/whoami') });

  it('native: three wrong signatures lock the key; the right one is refused (429, Retry-After) until the lockout ends', async () => {
    for (let i = 0; i < 3; i++) expect((await native('wrong')).status).toBe(401);
    const locked = await native(key.secret);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await locked.json()).toMatchObject({ status: 429, code: 'TOO_MANY_FAILURES' });
    // Another key of the same address is not locked.
    expect((await t.admin.request('GET', '/v1/whoami')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    // Failing on after a lockout: the next one lasts twice as long (1.5 s, then 3 s).
    for (let i = 0; i < 3; i++) expect((await native('wrong')).status).toBe(401);
    const again = await native(key.secret);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBe(3);
    await new Promise((r) => setTimeout(r, 3100));
    expect((await native(key.secret)).status).toBe(200);
  });

  it('keystone: wrong passwords lock the user (the right password too); another user logs in meanwhile', async () => {
    const attempt = (password: string, user = alice) => passwordLogin(t.url, user.userName, password);
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password')).status).toBe(401);
    const locked = await attempt(alice.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await locked.json()).error).toMatchObject({ code: 429, title: 'Too Many Requests' });
    expect((await attempt(bob.password, bob)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await attempt(alice.password)).status).toBe(201);
  });

  it('alibaba and huawei: bad signatures lock the key out in their own throttling codes', async () => {
    const other = await t.admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'bob' });
    const ali = (secret: string) => {
      const pairs: [string, string][] = Object.entries({
        Action: 'DescribeRegions',
        Format: 'JSON',
        Version: '2014-05-26',
        AccessKeyId: other.id,
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        SignatureNonce: `${Math.random()}`,
        Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      });
      const sig = v1Signature(secret, v1StringToSign('GET', pairs));
      const query = [...pairs, ['Signature', sig]].map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
      return fetch(`${t.url}/?${query.join('&')}`);
    };
    for (let i = 0; i < 3; i++) expect((await ali('wrong')).status).toBe(400);
    const aliLocked = await ali(other.secret);
    expect(aliLocked.status).toBe(429);
    expect((await aliLocked.json()).Code).toBe('Throttling.User');

    const third = await t.admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'bob' });
    const url = `${t.url}/v3/hw/vpc/security-groups`;
    const hw = (sk: string) => fetch(url, { headers: huaweiSign({ ak: third.id, sk }, 'GET', url) });
    for (let i = 0; i < 3; i++) expect((await hw('wrong')).status).toBe(401);
    const hwLocked = await hw(third.secret);
    expect(hwLocked.status).toBe(429);
    expect(await hwLocked.json()).toMatchObject({ error_code: 'APIG.0308' });
    expect(hwLocked.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('guessing from one address locks the address out', () => {
  let db: TestDatabase;
  let t: TestServer;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db, false, {
      limits: limits((l) => {
        l.auth = { ...l.auth, failuresPerSource: 5, lockoutMs: 60_000 };
      }),
    });
    await t.admin.post('/v1/regions', { id: 'os', profile: 'openstack' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('guessed Keystone tokens and bearer tokens count against the address, whatever API they go to', async () => {
    const os = await osProject(t, 'carol', 'os');
    const { token } = await login(t, os);
    const neutron = (tok: string) =>
      fetch(`${t.url}/networking/os/v2.0/security-groups`, { headers: { 'x-auth-token': tok } });
    for (let i = 0; i < 3; i++) expect((await neutron(`guess-${i}`)).status).toBe(401);
    const bearer = new PalisadeClient(t.url, { token: 'guessed' });
    for (let i = 0; i < 2; i++)
      expect((await bearer.request('GET', '/v1/whoami', undefined, { raw: true })).status).toBe(401);
    const locked = await neutron(token);
    expect(locked.status).toBe(429);
    expect((await locked.json()).NeutronError).toMatchObject({ type: 'HTTPTooManyRequests' });
  });
});

describe('request rates', () => {
  let db: TestDatabase;
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
    await db?.drop();
  });

  it('per address: over the limit answers 429 with Retry-After, in the dialect of the path', async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db, false, { limits: limits((l) => (l.requestsPerSourcePerSecond = 20)) });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () => fetch(`${t.url}/healthz`).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const neutron = await fetch(`${t.url}/networking/os/v2.0/security-groups`);
    if (neutron.status === 429) {
      expect(neutron.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await neutron.json()).NeutronError.type).toBe('HTTPTooManyRequests');
    }
    const native = await fetch(`${t.url}/v1/regions`);
    expect(native.status).toBe(429);
    expect(await native.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('per credential: a verified key over its rate answers 429 RATE_LIMITED', async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db, false, {
      limits: limits((l) => (l.auth = { ...l.auth, requestsPerCredentialPerSecond: 10 })),
    });
    const alice = await newTenant(t.admin, t.url, 'alice');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => alice.request('GET', '/v1/whoami', undefined, { raw: true })),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect((limited[0].body as any).code).toBe('RATE_LIMITED');
  });
});

/** Open `n` TCP connections that send nothing. */
async function idleSockets(url: string, n: number): Promise<Socket[]> {
  const { hostname, port } = new URL(url);
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve) => {
          const s = connect(Number(port), hostname, () => resolve(s));
          s.on('error', () => resolve(s));
        }),
    ),
  );
}

describe('idle connections', () => {
  let db: TestDatabase;
  let t: TestServer;
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('sheds the oldest idle connections so that a new client is served', async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db, false, {
      limits: limits((l) => {
        l.connections.maxConnections = 40;
        l.connections.maxConnectionsPerSource = 30;
      }),
    });
    const sockets = await idleSockets(t.url, 100);
    const res = await fetch(`${t.url}/v1/regions`, {
      headers: { ...signRequest({ id: 'PKTESTADMIN', secret: 'test-admin-secret' }, 'GET', '/v1/regions') },
    });
    expect(res.status).toBe(200);
    const stats = t.server.connections();
    expect(stats.open).toBeLessThanOrEqual(30);
    expect(stats.shed).toBeGreaterThanOrEqual(70);
    for (const s of sockets) s.destroy();
  });
});

describe('a server at ulimit -n 1024 under 1,100 idle connections', () => {
  let db: TestDatabase;
  let server: ChildProcess | undefined;
  let flood: ChildProcess | undefined;
  afterAll(async () => {
    flood?.kill('SIGKILL');
    server?.kill('SIGKILL');
    await db?.drop();
  });

  it('keeps serving legitimate requests', async () => {
    db = await freshDatabase('sqlite');
    server = spawn(
      'bash',
      [
        '-c',
        'ulimit -n 1024 && exec "$0" --import tsx test/support/crash-server.ts "$1"',
        process.execPath,
        db.location,
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const { url } = JSON.parse(await firstLine(server));
    // The idle clients in a process of their own, with descriptors enough for all of them.
    flood = spawn(
      'bash',
      ['-c', 'ulimit -n 4096 && exec "$0" test/support/idle-flood.mjs "$1" 1100', process.execPath, url],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    expect(JSON.parse(await firstLine(flood))).toMatchObject({ opened: 1100 });
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/v1/regions`, {
        headers: {
          ...signRequest({ id: 'PKTESTADMIN', secret: 'test-admin-secret' }, 'GET', '/v1/regions'),
          connection: 'close',
        },
      });
      expect(res.status).toBe(200);
      await res.text();
    }
  });
});

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const at = text.indexOf('\n');
      if (at >= 0) resolve(text.slice(0, at));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}
