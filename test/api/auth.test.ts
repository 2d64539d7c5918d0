// Authentication and tenant isolation over HTTP: signatures (wrong, tampered, stale, replayed),
// bearer tokens, operator-only endpoints, every endpoint refusing another tenant's objects,
// and secrets that appear neither in the database nor in the logs.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { signRequest } from '../../src/control/auth/signing.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

describe.each(STORES)('auth on %s', (kind) => {
  let db: TestDatabase;
  let t: TestServer;
  let a: PalisadeClient;
  let b: PalisadeClient;
  let aKey: { id: string; secret: string };
  const ids: Record<string, string> = {};
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await freshDatabase(kind);
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    t = await startTestServer(db, { level: 'trace', stream: sink });
    await t.admin.post('/v1/regions', { id: 'hw', profile: 'huawei' });
    await t.admin.post('/v1/tenants', { id: 'a', name: 'A' });
    aKey = await t.admin.post<any>('/v1/access-keys', { tenantId: 'a' });
    a = new PalisadeClient(t.url, { keyId: aKey.id, secret: aKey.secret });
    b = await newTenant(t.admin, t.url, 'b');
    ids.vpc = (await a.post<any>('/v1/vpcs', { regionId: 'hw', name: 'va' })).id;
    const g = await a.post<any>('/v1/security-groups', { regionId: 'hw', vpcId: ids.vpc, name: 'ga' });
    ids.group = g.id;
    ids.rule = g.rules[0].id;
    const inst = await a.post<any>('/v1/instances', {
      regionId: 'hw',
      vpcId: ids.vpc,
      name: 'ia',
      ports: [{ ipv4: ['10.0.0.1'], groupIds: [g.id], host: 'ha' }],
    });
    ids.instance = inst.id;
    ids.port = inst.ports[0].id;
    ids.addressGroup = (
      await a.post<any>('/v1/address-groups', { regionId: 'hw', name: 'aga', entries: ['192.0.2.1'] })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function send(path: string, headers: Record<string, string>, method = 'GET', body?: string) {
    const res = await fetch(t.url + path, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
    });
    return { status: res.status, body: await res.json() };
  }

  it('refuses requests without credentials or with an unknown scheme', async () => {
    expect(await send('/v1/security-groups', {})).toMatchObject({
      status: 401,
      body: { code: 'MISSING_CREDENTIALS' },
    });
    expect(await send('/v1/security-groups', { authorization: 'Basic eDp5' })).toMatchObject({
      status: 401,
      body: { code: 'UNSUPPORTED_AUTHORIZATION' },
    });
  });

  it('refuses wrong, tampered, stale, replayed and unknown-key signatures', async () => {
    const path = '/v1/security-groups?regionId=hw';
    const wrong = signRequest({ id: aKey.id, secret: 'not-the-secret' }, 'GET', path);
    expect(await send(path, wrong)).toMatchObject({ status: 401, body: { code: 'SIGNATURE_MISMATCH' } });
    const query = signRequest(aKey, 'GET', path);
    expect(await send('/v1/security-groups?regionId=other', query)).toMatchObject({
      status: 401,
      body: { code: 'SIGNATURE_MISMATCH' },
    });
    const body = JSON.stringify({ name: 'x' });
    const signed = signRequest(aKey, 'PATCH', `/v1/security-groups/${ids.group}`, body);
    const tampered = await send(
      `/v1/security-groups/${ids.group}`,
      signed,
      'PATCH',
      JSON.stringify({ name: 'evil' }),
    );
    expect(tampered).toMatchObject({ status: 401, body: { code: 'SIGNATURE_MISMATCH' } });
    const stale = signRequest(aKey, 'GET', path, '', Date.now() - 10 * 60 * 1000);
    expect(await send(path, stale)).toMatchObject({ status: 401, body: { code: 'SIGNATURE_EXPIRED' } });
    const once = signRequest(aKey, 'GET', path);
    expect((await send(path, once)).status).toBe(200);
    expect(await send(path, once)).toMatchObject({ status: 401, body: { code: 'REPLAYED_REQUEST' } });
    // A POST that writes nothing (a flow check, a simulation) is refused as a replay too.
    for (const [post, postBody] of [
      ['/v1/regions/hw/flows:check', { from: '192.0.2.1', to: '192.0.2.2', protocol: 'tcp', dstPort: 22 }],
      ['/v1/regions/hw/simulations', { steps: [{ op: 'advance', seconds: 1 }] }],
    ] as const) {
      const text = JSON.stringify(postBody);
      const signedPost = signRequest(aKey, 'POST', post, text);
      expect((await send(post, signedPost, 'POST', text)).status).toBe(200);
      expect(await send(post, signedPost, 'POST', text)).toMatchObject({
        status: 401,
        body: { code: 'REPLAYED_REQUEST' },
      });
    }
    const ghost = signRequest({ id: 'PKNOPE', secret: 'x' }, 'GET', path);
    expect(await send(path, ghost)).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
  });

  it('issues bearer tokens for the console, and revoking the key revokes them', async () => {
    const key = await a.post<any>('/v1/access-keys', { description: 'console' });
    const login = await send(
      '/v1/tokens',
      {},
      'POST',
      JSON.stringify({ accessKeyId: key.id, accessKeySecret: key.secret }),
    );
    expect(login).toMatchObject({ status: 201, body: { role: 'tenant', tenantId: 'a' } });
    const console = new PalisadeClient(t.url, { token: login.body.token });
    expect((await console.get<any>('/v1/security-groups')).items.map((g: any) => g.id)).toContain(ids.group);
    expect(
      await send('/v1/tokens', {}, 'POST', JSON.stringify({ accessKeyId: key.id, accessKeySecret: 'wrong' })),
    ).toMatchObject({
      status: 401,
      body: { code: 'INVALID_CREDENTIALS' },
    });
    expect(await send('/v1/security-groups', { authorization: 'Bearer made-up' })).toMatchObject({
      status: 401,
      body: { code: 'INVALID_TOKEN' },
    });
    await a.delete(`/v1/access-keys/${key.id}`);
    expect((await send('/v1/security-groups', { authorization: `Bearer ${login.body.token}` })).status).toBe(
      401,
    );
  });

  it('revokes a bearer token on sign-out, and only the token the request is sent with', async () => {
    const key = await a.post<any>('/v1/access-keys', { description: 'console' });
    const body = JSON.stringify({ accessKeyId: key.id, accessKeySecret: key.secret });
    const first = (await send('/v1/tokens', {}, 'POST', body)).body.token;
    const second = (await send('/v1/tokens', {}, 'POST', body)).body.token;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const signOut = await fetch(`${t.url}/v1/tokens/current`, { method: 'DELETE', headers: bearer(first) });
    expect(signOut.status).toBe(204);
    expect(await send('/v1/security-groups', bearer(first))).toMatchObject({
      status: 401,
      body: { code: 'INVALID_TOKEN' },
    });
    expect(await send('/v1/tokens/current', bearer(first), 'DELETE')).toMatchObject({
      status: 401,
      body: { code: 'INVALID_TOKEN' },
    });
    // The other session of the same key goes on; a signed request has no token to revoke.
    expect((await send('/v1/security-groups', bearer(second))).status).toBe(200);
    await expect(a.delete('/v1/tokens/current')).rejects.toMatchObject({ status: 400 });
    expect((await send('/v1/security-groups', bearer(second))).status).toBe(200);
    await a.delete(`/v1/access-keys/${key.id}`);
  });

  it('keeps operator endpoints for operators', async () => {
    for (const [method, path, body] of [
      ['POST', '/v1/tenants', { name: 'x' }],
      ['POST', '/v1/regions', { id: 'r9', profile: 'huawei' }],
      ['PATCH', '/v1/regions/hw', { quotas: { rulesPerGroup: 1000 } }],
      ['DELETE', '/v1/tenants/b', undefined],
      // Tenants are the operator's to read too (docs/api.md): 403 whether or not one exists.
      ['GET', '/v1/tenants', undefined],
      ['GET', '/v1/tenants/a', undefined],
      ['GET', '/v1/tenants/b', undefined],
      ['GET', '/v1/tenants/nobody', undefined],
      ['POST', '/v1/access-keys', { role: 'admin' }],
      ['POST', '/v1/access-keys', { tenantId: 'b' }],
    ] as const) {
      const res = await a.request<any>(method, path, body, { raw: true });
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
  });

  it("never shows or touches another tenant's objects, on any endpoint", async () => {
    const g = ids.group;
    const probes: [string, string, unknown?][] = [
      ['GET', `/v1/vpcs/${ids.vpc}`],
      ['PATCH', `/v1/vpcs/${ids.vpc}`, { name: 'x' }],
      ['DELETE', `/v1/vpcs/${ids.vpc}`],
      ['GET', `/v1/security-groups/${g}`],
      ['PATCH', `/v1/security-groups/${g}`, { name: 'x' }],
      ['DELETE', `/v1/security-groups/${g}`],
      ['POST', `/v1/security-groups/${g}/clone`, { name: 'x' }],
      ['GET', `/v1/security-groups/${g}/references`],
      ['GET', `/v1/security-groups/${g}/rules`],
      ['POST', `/v1/security-groups/${g}/rules`, { direction: 'ingress', protocol: 'tcp' }],
      [
        'POST',
        `/v1/security-groups/${g}/rules/batch`,
        { rules: [{ direction: 'ingress', protocol: 'tcp' }] },
      ],
      ['POST', `/v1/security-groups/${g}/rules/batch-delete`, { ruleIds: [ids.rule] }],
      ['GET', `/v1/security-groups/${g}/rules/${ids.rule}`],
      ['PATCH', `/v1/security-groups/${g}/rules/${ids.rule}`, { priority: 5 }],
      ['DELETE', `/v1/security-groups/${g}/rules/${ids.rule}`],
      ['GET', `/v1/instances/${ids.instance}`],
      ['PATCH', `/v1/instances/${ids.instance}`, { name: 'x' }],
      ['DELETE', `/v1/instances/${ids.instance}`],
      ['GET', `/v1/ports/${ids.port}`],
      ['PATCH', `/v1/ports/${ids.port}`, { host: 'x' }],
      ['POST', `/v1/ports/${ids.port}/groups`, { groupId: g }],
      ['PUT', `/v1/ports/${ids.port}/groups`, { groupIds: [g] }],
      ['DELETE', `/v1/ports/${ids.port}/groups/${g}`],
      ['GET', `/v1/address-groups/${ids.addressGroup}`],
      ['PATCH', `/v1/address-groups/${ids.addressGroup}`, { add: ['192.0.2.2'] }],
      ['DELETE', `/v1/address-groups/${ids.addressGroup}`],
      [
        'POST',
        '/v1/regions/hw/flows:check',
        { from: '192.0.2.9', to: ids.port, protocol: 'tcp', dstPort: 22 },
      ],
    ];
    const before = (await t.admin.get<any>('/v1/snapshot')).revision;
    for (const [method, path, body] of probes) {
      const res = await b.request<any>(method, path, body, { raw: true });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(JSON.stringify(res.body)).not.toContain('"ga"');
    }
    expect((await t.admin.get<any>('/v1/snapshot')).revision).toBe(before);

    // Lists, snapshots, the audit log and the change stream leave A out.
    const bText = JSON.stringify([
      await b.get('/v1/security-groups'),
      await b.get('/v1/vpcs'),
      await b.get('/v1/instances'),
      await b.get('/v1/address-groups'),
      await b.get('/v1/snapshot'),
      await b.get('/v1/audit'),
      await b.get('/v1/access-keys'),
    ]);
    for (const id of Object.values(ids)) expect(bText).not.toContain(id);

    // References to A's objects from B's own objects are reported as missing.
    const bVpc = (await b.post<any>('/v1/vpcs', { regionId: 'hw', name: 'vb' })).id;
    const bg = await b.post<any>('/v1/security-groups', { regionId: 'hw', vpcId: bVpc, name: 'gb' });
    const ref = await b.request<any>(
      'POST',
      `/v1/security-groups/${bg.id}/rules`,
      { direction: 'ingress', protocol: 'tcp', remoteGroup: g },
      { raw: true },
    );
    expect(ref.body).toMatchObject({ status: 400, code: 'UNKNOWN_GROUP' });
    const agRef = await b.request<any>(
      'POST',
      `/v1/security-groups/${bg.id}/rules`,
      { direction: 'ingress', protocol: 'tcp', remoteAddressGroup: ids.addressGroup },
      { raw: true },
    );
    expect(agRef.body).toMatchObject({ status: 400, code: 'UNKNOWN_ADDRESS_GROUP' });
    const inVpc = await b.request<any>(
      'POST',
      '/v1/security-groups',
      { regionId: 'hw', vpcId: ids.vpc, name: 'x' },
      { raw: true },
    );
    expect(inVpc.body).toMatchObject({ status: 400, code: 'UNKNOWN_VPC' });
    const bPort = (
      await b.post<any>('/v1/instances', {
        regionId: 'hw',
        vpcId: bVpc,
        name: 'ib',
        ports: [{ ipv4: ['10.0.0.2'], groupIds: [bg.id] }],
      })
    ).ports[0].id;
    const join = await b.request<any>('POST', `/v1/ports/${bPort}/groups`, { groupId: g }, { raw: true });
    expect(join.body).toMatchObject({ status: 400, code: 'UNKNOWN_GROUP' });
    const impersonate = await b.request<any>(
      'POST',
      '/v1/security-groups',
      { regionId: 'hw', vpcId: bVpc, name: 'x', tenantId: 'a' },
      { raw: true },
    );
    expect(impersonate.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    // A flow from B's port to A's port: B learns the verdict, not A's rules.
    const flow = await b.post<any>('/v1/regions/hw/flows:check', {
      from: bPort,
      to: '10.0.0.1',
      protocol: 'tcp',
      dstPort: 22,
    });
    expect(flow.ingress).toEqual({ portId: null, explanation: null, verdict: 'deny' });
    expect(flow.egress.portId).toBe(bPort);

    // The operator sees both.
    const all = JSON.stringify(await t.admin.get('/v1/security-groups'));
    expect(all).toContain(g);
    expect(all).toContain(bg.id);
  });

  it('keeps secrets out of the database and the logs', async () => {
    const key = await t.admin.post<any>('/v1/access-keys', { tenantId: 'a' });
    const token = (
      await send(
        '/v1/tokens',
        {},
        'POST',
        JSON.stringify({ accessKeyId: key.id, accessKeySecret: key.secret }),
      )
    ).body.token;
    await new PalisadeClient(t.url, { token }).get('/v1/security-groups');
    const logs = logLines.join('');
    expect(logs).toContain('/v1/security-groups');
    for (const secret of [key.secret, aKey.secret, token, 'test-admin-secret'])
      expect(logs).not.toContain(secret);
    if (kind === 'sqlite') {
      const file =
        readFileSync(db.location).toString('latin1') + readFileSync(`${db.location}-wal`).toString('latin1');
      expect(file).toContain(key.id);
      for (const secret of [key.secret, token]) expect(file).not.toContain(secret);
    }
  });
});
