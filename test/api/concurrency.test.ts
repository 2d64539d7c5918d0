// Writes racing each other: quotas never overshoot under 50 concurrent clients, retried
// creates with an Idempotency-Key create once, and If-Match turns lost updates into 412s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

describe.each(STORES)('concurrent writes on %s', (kind) => {
  let db: TestDatabase;
  let t: TestServer;
  let c: PalisadeClient;
  let vpc: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', {
      id: 'hw',
      profile: 'huawei',
      quotas: { groupsPerTenant: 30, rulesPerGroup: 25 },
    });
    c = await newTenant(t.admin, t.url, 'racer');
    vpc = (await c.post<any>('/v1/vpcs', { regionId: 'hw', name: 'v' })).id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('50 clients racing for the last group slots never overshoot the quota', async () => {
    const existing = (await c.get<any>('/v1/security-groups?regionId=hw')).items.length;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        c.request<any>(
          'POST',
          '/v1/security-groups',
          { regionId: 'hw', vpcId: vpc, name: `race-${i}`, template: 'empty' },
          { raw: true },
        ),
      ),
    );
    const created = results.filter((r) => r.status === 201).length;
    const refused = results.filter((r) => r.status === 409 && r.body.code === 'QUOTA_EXCEEDED').length;
    expect(created).toBe(30 - existing);
    expect(created + refused).toBe(50);
    expect((await c.get<any>('/v1/security-groups?regionId=hw&limit=1000')).items.length).toBe(30);
  });

  it('50 clients adding rules to one group stop exactly at rulesPerGroup', async () => {
    await t.admin.patch('/v1/regions/hw', { quotas: { groupsPerTenant: 100 } });
    const g = await c.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'rules-race',
      template: 'empty',
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        c.request<any>(
          'POST',
          `/v1/security-groups/${g.id}/rules`,
          { direction: 'ingress', protocol: 'tcp', ports: String(100 + i) },
          { raw: true },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(25);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'QUOTA_EXCEEDED')).toBe(true);
    const group = await c.get<any>(`/v1/security-groups/${g.id}`);
    expect(group.ruleCount).toBe(25);
    // Positions are a permutation: no two racing creates got the same place.
    expect(new Set(group.rules.map((r: any) => r.position)).size).toBe(25);
  });

  it('a retried create with the same Idempotency-Key creates once and answers the same', async () => {
    const body = { regionId: 'hw', vpcId: vpc, name: 'once', template: 'empty' };
    const headers = { 'idempotency-key': 'create-once-1' };
    const tries = await Promise.all(
      Array.from({ length: 5 }, () => c.request<any>('POST', '/v1/security-groups', body, { headers })),
    );
    const ids = new Set(tries.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(tries.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(tries.every((r) => r.status === 201)).toBe(true);
    // Every answer names the revision the one write committed as (a replay's too, not 0).
    const revisions = new Set(tries.map((r) => r.headers.get('x-palisade-revision')));
    expect([...revisions]).toEqual([String(tries[0].body.revision)]);
    expect((await c.get<any>('/v1/security-groups?name=once')).items).toHaveLength(1);
    const reused = await c.request<any>(
      'POST',
      '/v1/security-groups',
      { ...body, name: 'other' },
      { headers, raw: true },
    );
    expect(reused.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    // A failed request does not burn its key: fixing the request and retrying works.
    const failedKey = { 'idempotency-key': 'fix-and-retry' };
    const bad = await c.request<any>(
      'POST',
      '/v1/security-groups',
      { ...body, name: 'x', template: 'nope' },
      { headers: failedKey, raw: true },
    );
    expect(bad.status).toBe(400);
    const fixed = await c.request<any>(
      'POST',
      '/v1/security-groups',
      { ...body, name: 'x' },
      { headers: failedKey, raw: true },
    );
    expect(fixed.status).toBe(201);
  });

  it('If-Match rejects a lost update with 412 and lets the current revision through', async () => {
    const g = await c.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'etag',
      template: 'empty',
    });
    const read = await c.request<any>('GET', `/v1/security-groups/${g.id}`);
    const etag = read.headers.get('etag')!;
    expect(etag).toBe(`"${g.revision}"`);
    // Someone else adds a rule: the group's revision moves on.
    await c.post(`/v1/security-groups/${g.id}/rules`, { direction: 'ingress', protocol: 'udp', ports: '53' });
    const stale = await c.request<any>(
      'PATCH',
      `/v1/security-groups/${g.id}`,
      { name: 'mine' },
      { headers: { 'if-match': etag }, raw: true },
    );
    expect(stale.body).toMatchObject({ status: 412, code: 'REVISION_MISMATCH' });
    expect((await c.get<any>(`/v1/security-groups/${g.id}`)).name).toBe('etag');
    const fresh = await c.request<any>('GET', `/v1/security-groups/${g.id}`);
    const ok = await c.request<any>(
      'PATCH',
      `/v1/security-groups/${g.id}`,
      { name: 'mine' },
      { headers: { 'if-match': fresh.headers.get('etag')! } },
    );
    expect(ok.body.name).toBe('mine');
    const rule = (await c.get<any>(`/v1/security-groups/${g.id}/rules`)).items[0];
    await c.patch(`/v1/security-groups/${g.id}/rules/${rule.id}`, { ports: '54' });
    const staleDelete = await c.request<any>(
      'DELETE',
      `/v1/security-groups/${g.id}/rules/${rule.id}`,
      undefined,
      {
        headers: { 'if-match': `"${rule.revision}"` },
        raw: true,
      },
    );
    expect(staleDelete.status).toBe(412);
  });
});
