// The OpenAPI document describes every answer: each operation's success statuses and every
// error status it can answer, with schemas (problem+json for errors), and real answers
// validate against it. The test servers check every answer against it too (checkResponses,
// src/server/response-check.ts); the last tests show that check refusing what the document
// does not say, and that response schemas never change what the server sends.
import { Type as T } from '@sinclair/typebox';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import { responseAjv, responseChecker } from '../../src/server/response-check.js';
import * as R from '../../src/server/responses.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';
import { collect } from '../support/watch.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** POSTs that write nothing through the service layer: no revision, no Idempotency-Key. */
const READ_POSTS = new Set([
  'POST /v1/tokens',
  // Sign-out revokes a credential, not part of the world: no revision, If-Match or Idempotency-Key.
  'DELETE /v1/tokens/current',
  'POST /v1/regions/{id}/flows:check',
  'POST /v1/regions/{id}/simulations',
  'POST /v1/regions/{id}/plan',
  'POST /v1/hosts/{host}/status',
  'POST /v1/security-groups/{id}/exposure',
  'POST /v1/regions/{id}/exposure',
  'POST /v1/regions/{id}/diff',
]);

interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: any }> }>;
}

describe('the OpenAPI document', () => {
  let db: TestDatabase;
  let t: TestServer;
  let doc: any;
  let alice: PalisadeClient;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    doc = await (await fetch(`${t.url}/openapi.json`)).json();
    await t.admin.post('/v1/regions', { id: 'ali', profile: 'alibaba' });
    alice = await newTenant(t.admin, t.url, 'alice');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({
        id: `${m.toUpperCase()} ${path}`,
        method: m,
        path,
        op: item[m],
      })),
    );

  it('documents the native API only, with health checks, and no operation with only a default answer', () => {
    const ids = operations().map((o) => o.id);
    expect(ids.length).toBeGreaterThan(60);
    expect(ids).toEqual(expect.arrayContaining(['GET /healthz', 'GET /readyz', 'GET /v1/watch']));
    for (const { id, path, op } of operations()) {
      expect([id, /^\/(v1\/|healthz$|readyz$)/.test(path)]).toEqual([id, true]);
      expect([id, Object.keys(op.responses).filter((s) => !/^[1-5]\d\d$/.test(s))]).toEqual([id, []]);
      expect([id, Object.keys(op.responses).some((s) => s.startsWith('2'))]).toEqual([id, true]);
    }
  });

  it('lists every error status an operation can answer, as problem+json', () => {
    for (const { id, method, op } of operations()) {
      const statuses = Object.keys(op.responses).map(Number);
      const expected = [408, 429, 431, 500];
      const pub = Array.isArray(op.security) && op.security.length === 0;
      if (!pub) expected.push(401);
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path');
      if (inPath.length) expected.push(400, 414);
      if ((op.parameters ?? []).some((p) => p.in === 'query')) expected.push(400);
      // Every method but GET takes a body (DELETE too): it can be bad JSON, too large, not JSON.
      if (method !== 'get') expected.push(400, 413, 415);
      const write = method !== 'get' && !READ_POSTS.has(id);
      if (write) expected.push(400, 422);
      expect([id, expected.filter((s) => !statuses.includes(s))]).toEqual([id, []]);
      for (const status of statuses.filter((s) => s >= 400)) {
        const answer = op.responses[String(status)];
        expect([id, status, Object.keys(answer.content ?? {})]).toEqual([
          id,
          status,
          ['application/problem+json'],
        ]);
        expect(answer.content!['application/problem+json'].schema).toEqual({
          $ref: '#/components/schemas/Problem',
        });
        if (status === 429) expect(Object.keys(answer.headers ?? {})).toContain('retry-after');
      }
      for (const status of statuses.filter((s) => s < 300)) {
        const answer = op.responses[String(status)];
        if (status === 204) expect([id, answer.content]).toEqual([id, undefined]);
        else if (write && status === 200)
          // A write's 200 is its answer (when it has one) and, with ?preview=true, its preview.
          expect([id, answer.content?.['application/vnd.palisade.preview+json']?.schema]).toEqual([
            id,
            { $ref: '#/components/schemas/Preview' },
          ]);
        else expect([id, Object.keys(answer.content ?? {}).length]).toEqual([id, 1]);
        // Every write answers its revision; reads never promise one.
        expect([id, status, Object.keys(answer.headers ?? {}).includes('x-palisade-revision')]).toEqual([
          id,
          status,
          write,
        ]);
      }
    }
  });

  it('says which statuses the operations with their own answer', () => {
    const responses = (id: string) => {
      const [method, path] = id.split(' ');
      return Object.keys(doc.paths[path][method.toLowerCase()].responses);
    };
    expect(responses('POST /v1/security-groups/{id}/rules')).toEqual(
      expect.arrayContaining(['200', '201', '409', '412']),
    );
    expect(responses('DELETE /v1/security-groups/{id}')).toEqual(
      expect.arrayContaining(['204', '409', '412']),
    );
    expect(responses('DELETE /v1/ports/{id}/groups/{groupId}')).toEqual(
      expect.arrayContaining(['200', '409']),
    );
    expect(responses('GET /readyz')).toEqual(expect.arrayContaining(['200', '503']));
    expect(responses('POST /v1/tokens')).toEqual(expect.arrayContaining(['201', '401', '429']));
    expect(responses('POST /v1/access-keys')).toEqual(expect.arrayContaining(['201', '403', '422']));
    const watch = doc.paths['/v1/watch'].get.responses['200'];
    expect(Object.keys(watch.content)).toEqual(['text/event-stream']);
  });

  it('names the shared objects as components, and every reference resolves', () => {
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(
      expect.arrayContaining(['Problem', 'Rule', 'SecurityGroupWithRules', 'AccessKeyCreated', 'Change']),
    );
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.add(x);
          else walk(x);
        }
    };
    walk(doc);
    for (const ref of refs)
      expect([ref, names.includes(ref.replace('#/components/schemas/', ''))]).toEqual([ref, true]);
    const problem = doc.components.schemas.Problem;
    expect(problem.required).toEqual(['type', 'title', 'status', 'code', 'detail', 'instance']);
    expect(Object.keys(problem.properties)).toContain('errors');
  });

  it('validates real answers, successes and problems, with ajv', async () => {
    const ajv = responseAjv([]);
    ajv.addSchema(doc, 'openapi.json');
    const pointer = (...parts: string[]) =>
      parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
    const check = (
      method: string,
      path: string,
      res: { status: number; headers: Headers; body: unknown },
    ) => {
      const answer = doc.paths[path][method].responses[String(res.status)];
      expect([method, path, res.status, answer !== undefined]).toEqual([method, path, res.status, true]);
      const media = (res.headers.get('content-type') ?? '').split(';')[0];
      if (res.status === 204) return expect(res.body).toBeNull();
      const validate = ajv.compile({
        $ref: `openapi.json#/${pointer('paths', path, method, 'responses', String(res.status), 'content', media, 'schema')}`,
      });
      expect([method, path, validate(res.body), validate.errors ?? null]).toEqual([method, path, true, null]);
    };
    const call = (c: PalisadeClient, method: string, url: string, body?: unknown) =>
      c.request<any>(method.toUpperCase(), url, body, { raw: true });

    const vpc = await call(alice, 'post', '/v1/vpcs', { regionId: 'ali', name: 'main' });
    check('post', '/v1/vpcs', vpc);
    const group = await call(alice, 'post', '/v1/security-groups', {
      regionId: 'ali',
      vpcId: vpc.body.id,
      name: 'web',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '22,80-82', remoteIpPrefix: '10.0.0.0/8' }],
    });
    expect(group.status).toBe(201);
    check('post', '/v1/security-groups', group);
    const gid = group.body.id as string;
    check('get', '/v1/security-groups/{id}', await call(alice, 'get', `/v1/security-groups/${gid}`));
    check('get', '/v1/security-groups', await call(alice, 'get', '/v1/security-groups?limit=1'));
    const rule = { direction: 'ingress', protocol: 'udp', ports: '53', remoteIpPrefix: '192.0.2.0/24' };
    const created = await call(alice, 'post', `/v1/security-groups/${gid}/rules`, rule);
    expect(created.status).toBe(201);
    check('post', '/v1/security-groups/{id}/rules', created);
    // Alibaba: an identical rule is a no-op answering 200 and the existing rule.
    const again = await call(alice, 'post', `/v1/security-groups/${gid}/rules`, rule);
    expect([again.status, again.body.id]).toEqual([200, created.body.id]);
    check('post', '/v1/security-groups/{id}/rules', again);
    const instance = await call(alice, 'post', '/v1/instances', {
      regionId: 'ali',
      vpcId: vpc.body.id,
      name: 'vm',
      ports: [{ ipv4: ['10.1.0.5'], groupIds: [gid], host: 'host-1', interface: 'tap1' }],
    });
    check('post', '/v1/instances', instance);
    const portId = instance.body.ports[0].id as string;
    check('get', '/v1/ports/{id}', await call(alice, 'get', `/v1/ports/${portId}`));
    const join = await call(alice, 'post', `/v1/ports/${portId}/groups`, { groupId: gid });
    expect(join.status).toBe(409);
    check('post', '/v1/ports/{id}/groups', join);
    const report = await call(t.admin, 'post', '/v1/hosts/host-1/status', {
      revision: Number(instance.headers.get('x-palisade-revision')),
      closed: [{ portId, reason: 'testing' }],
      ruleHits: { [created.body.id]: 3 },
    });
    expect([report.status, report.headers.get('x-palisade-revision')]).toEqual([204, null]);
    check('post', '/v1/hosts/{host}/status', report);
    const status = await call(alice, 'get', '/v1/status');
    expect(status.body.regions[0].hosts[0]).toMatchObject({ host: 'host-1', closed: [{ portId }] });
    check('get', '/v1/status', status);
    const simulation = await call(alice, 'post', '/v1/regions/ali/simulations', {
      steps: [
        { op: 'send', from: '10.9.9.9', to: portId, protocol: 'udp', srcPort: 5353, dstPort: 53 },
        { op: 'send', from: portId, to: '10.9.9.9', protocol: 'udp', srcPort: 53, dstPort: 5353 },
        { op: 'connections' },
        {
          op: 'addRule',
          groupId: gid,
          rule: { direction: 'ingress', protocol: 'udp', ports: '53', action: 'deny', priority: 1 },
        },
        { op: 'advance', seconds: 5 },
      ],
    });
    expect(simulation.body.results.map((r: any) => r.op)).toEqual([
      'send',
      'send',
      'connections',
      'addRule',
      'advance',
    ]);
    check('post', '/v1/regions/{id}/simulations', simulation);
    check(
      'post',
      '/v1/regions/{id}/flows:check',
      await call(alice, 'post', '/v1/regions/ali/flows:check', {
        from: '10.9.9.9',
        to: instance.body.ports[0].id,
        protocol: 'udp',
        dstPort: 53,
      }),
    );
    check('get', '/v1/snapshot', await call(alice, 'get', '/v1/snapshot'));
    // The change stream is text/event-stream: each event's data is a Change.
    const changes = await collect(alice, { fromRevision: 0 }, (seen) =>
      seen.some((c) => c.action === 'instance.create'),
    );
    expect(changes.length).toBeGreaterThan(3);
    const change = ajv.compile({ $ref: 'openapi.json#/components/schemas/Change' });
    for (const c of changes)
      expect([c.action, change(c), change.errors ?? null]).toEqual([c.action, true, null]);
    check('get', '/v1/audit', await call(alice, 'get', '/v1/audit?limit=5'));
    check('get', '/v1/whoami', await call(alice, 'get', '/v1/whoami'));
    check('get', '/v1/templates', await call(alice, 'get', '/v1/templates'));
    const key = await call(alice, 'post', '/v1/access-keys', { description: 'ci' });
    expect(typeof key.body.secret).toBe('string');
    check('post', '/v1/access-keys', key);
    const deleted = await call(alice, 'delete', `/v1/access-keys/${key.body.id}`);
    expect(deleted.headers.get('x-palisade-revision')).toMatch(/^\d+$/);
    check('delete', '/v1/access-keys/{id}', deleted);

    // Problems: validation with errors[], missing, conflict, forbidden, unauthenticated.
    const invalid = await call(alice, 'post', `/v1/security-groups/${gid}/rules`, {
      direction: 'up',
      protocol: 'tcp',
    });
    expect(invalid.status).toBe(400);
    check('post', '/v1/security-groups/{id}/rules', invalid);
    check('get', '/v1/security-groups/{id}', await call(alice, 'get', '/v1/security-groups/sg-nope'));
    const inUse = await call(alice, 'delete', `/v1/security-groups/${gid}`);
    expect(inUse.status).toBe(409);
    check('delete', '/v1/security-groups/{id}', inUse);
    const forbidden = await call(alice, 'post', '/v1/regions', { id: 'x', profile: 'huawei' });
    expect(forbidden.status).toBe(403);
    check('post', '/v1/regions', forbidden);
    const anonymous = await fetch(`${t.url}/v1/regions`);
    check('get', '/v1/regions', {
      status: anonymous.status,
      headers: anonymous.headers,
      body: await anonymous.json(),
    });
    const health = await fetch(`${t.url}/readyz`);
    check('get', '/readyz', { status: health.status, headers: health.headers, body: await health.json() });
  });

  it('answers every write of keys and identities with its revision', async () => {
    const revision = (r: { headers: Headers }) => Number(r.headers.get('x-palisade-revision'));
    const key = await alice.request<any>('POST', '/v1/access-keys', {});
    const user = await alice.request<any>('POST', '/v1/openstack/users', {
      name: 'ci',
      password: 'long enough',
    });
    const userId = user.body.id as string;
    const password = await alice.request('PUT', `/v1/openstack/users/${userId}/password`, {
      password: 'another one',
    });
    const credential = await alice.request<any>(
      'POST',
      `/v1/openstack/users/${userId}/application-credentials`,
      { name: 'ci' },
    );
    expect(typeof credential.body.secret).toBe('string');
    const dropCredential = await alice.request(
      'DELETE',
      `/v1/openstack/users/${userId}/application-credentials/${credential.body.id}`,
    );
    const dropUser = await alice.request('DELETE', `/v1/openstack/users/${userId}`);
    const dropKey = await alice.request('DELETE', `/v1/access-keys/${key.body.id}`);
    const writes = [key, user, password, credential, dropCredential, dropUser, dropKey];
    expect(writes.map((w) => w.status)).toEqual([201, 201, 204, 201, 204, 204, 204]);
    const revisions = writes.map(revision);
    // Each write is its own revision, in order, and the audit log has it under that revision.
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1]);
    const audit = await t.admin.get<any>(`/v1/audit?targetId=${userId}`);
    expect(audit.items.map((e: any) => e.revision).sort((a: number, b: number) => a - b)).toEqual([
      revisions[1],
      revisions[2],
      revisions[5],
    ]);
  });

  it('replays a created key without its secret, and the key it answers exists', async () => {
    const headers = { 'idempotency-key': 'key-once' };
    const first = await alice.request<any>('POST', '/v1/access-keys', { description: 'once' }, { headers });
    const replay = await alice.request<any>('POST', '/v1/access-keys', { description: 'once' }, { headers });
    expect([first.status, replay.status, replay.headers.get('idempotent-replayed')]).toEqual([
      201,
      201,
      'true',
    ]);
    expect(replay.body).toEqual({ ...first.body, secret: undefined });
    expect(replay.body).not.toHaveProperty('secret');
    const keys = await alice.get<any>('/v1/access-keys');
    expect(keys.items.map((k: any) => k.id)).toContain(first.body.id);
  });

  it('serializes with JSON.stringify: response schemas drop and coerce nothing', () => {
    const compile = t.server.app.serializerCompiler!;
    const serialize = compile({ schema: R.Tenant, method: 'GET', url: '/v1/tenants/:id', httpStatus: '200' });
    const value = { revision: '7', name: 'x', id: 1, extra: { kept: [true] } };
    expect(serialize(value)).toBe(JSON.stringify(value));
  });
});

describe('the response check of the test servers', () => {
  const app = Fastify();
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onSend', responseChecker(R.SHARED_SCHEMAS));
  const Counted = T.Object({ n: T.Integer() });
  const responses = R.answers(R.READ, { 200: Counted }, [404]);
  const writes = R.answers(R.WRITE, { 201: Counted });

  beforeAll(async () => {
    app.get('/v1/good', { schema: { response: responses } }, async () => ({ n: 1, more: 'kept' }));
    app.get('/v1/wrong-type', { schema: { response: responses } }, async () => ({ n: 'one' }));
    app.get('/v1/wrong-status', { schema: { response: responses } }, async (_req, reply) =>
      reply.code(201).send({ n: 1 }),
    );
    app.get('/v1/problem', { schema: { response: responses } }, async (_req, reply) =>
      reply
        .code(404)
        .header('content-type', 'application/problem+json')
        .send(
          JSON.stringify({
            type: 'https://palisade.dev/problems/not-found',
            title: 'Not Found',
            status: 404,
            code: 'NOT_FOUND',
            detail: 'x',
            instance: '/v1/problem',
          }),
        ),
    );
    app.get('/v1/undocumented', async () => ({ n: 1 }));
    app.post('/v1/write', { schema: { response: writes } }, async (_req, reply) =>
      reply.code(201).header('x-palisade-revision', '3').send({ n: 1 }),
    );
    app.post('/v1/write-without-revision', { schema: { response: writes } }, async (_req, reply) =>
      reply.code(201).send({ n: 1 }),
    );
    const reads = R.answers(R.QUERY, { 201: Counted });
    app.post('/v1/read', { config: { read: true }, schema: { response: reads } }, async (_req, reply) =>
      reply.code(201).send({ n: 1 }),
    );
    app.post('/v1/unmarked-read', { schema: { response: reads } }, async (_req, reply) =>
      reply.code(201).send({ n: 1 }),
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const send = async (method: 'GET' | 'POST', url: string) => {
    const res = await app.inject({ method, url });
    return { status: res.statusCode, body: res.json(), revision: res.headers['x-palisade-revision'] };
  };

  it('lets documented answers through untouched', async () => {
    expect(await send('GET', '/v1/good')).toEqual({
      status: 200,
      body: { n: 1, more: 'kept' },
      revision: undefined,
    });
    expect((await send('GET', '/v1/problem')).status).toBe(404);
    expect(await send('POST', '/v1/write')).toMatchObject({ status: 201, revision: '3' });
    expect((await send('POST', '/v1/read')).status).toBe(201);
  });

  it('turns anything the document does not say into a 500 RESPONSE_NOT_DOCUMENTED', async () => {
    for (const [method, url, why] of [
      ['GET', '/v1/wrong-type', 'does not match the documented schema'],
      ['GET', '/v1/wrong-status', 'status 201 is not documented'],
      ['GET', '/v1/undocumented', 'status 200 is not documented'],
      ['POST', '/v1/write-without-revision', 'a write answered without x-palisade-revision'],
      ['POST', '/v1/unmarked-read', 'no x-palisade-revision'],
    ] as const) {
      const res = await send(method, url);
      expect([url, res.status, res.body.code]).toEqual([url, 500, 'RESPONSE_NOT_DOCUMENTED']);
      expect(res.body.detail).toContain(why);
    }
    const wrong = await send('GET', '/v1/wrong-type');
    expect(wrong.body.errors[0]).toMatchObject({ path: 'response.n', code: 'type' });
  });
});
