// Several stateless servers on one PostgreSQL database: writes through either serialize (one
// gap-free revision sequence, quotas held across servers), each server reads the others'
// writes, and every server's change stream delivers every event in revision order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';
import { collect } from '../support/watch.js';

describe('two servers on one PostgreSQL', () => {
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let c1: PalisadeClient;
  let c2: PalisadeClient;
  let vpc: string;

  beforeAll(async () => {
    db = await freshDatabase('postgres');
    one = await startTestServer(db);
    two = await startTestServer(db);
    await one.admin.post('/v1/regions', { id: 'r', profile: 'huawei', quotas: { groupsPerTenant: 40 } });
    c1 = await newTenant(one.admin, one.url, 'shared');
    // The same key works on the other server: keys live in the database.
    c2 = new PalisadeClient(two.url, c1.credentials);
    vpc = (await c2.post<any>('/v1/vpcs', { regionId: 'r', name: 'v' })).id;
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('reads on one server what was written through the other', async () => {
    const g = await c1.post<any>('/v1/security-groups', {
      regionId: 'r',
      vpcId: vpc,
      name: 'seen-by-two',
      template: 'empty',
    });
    expect((await c2.get<any>(`/v1/security-groups/${g.id}`)).name).toBe('seen-by-two');
    await c2.patch(`/v1/security-groups/${g.id}`, { name: 'renamed-by-two' });
    expect((await c1.get<any>(`/v1/security-groups/${g.id}`)).name).toBe('renamed-by-two');
  });

  it('serializes racing writes through both servers: quotas hold and both streams see every revision in order', async () => {
    const start = (await one.admin.get<any>('/v1/snapshot')).revision;
    const existing = (await c1.get<any>('/v1/security-groups?limit=1000')).items.length;
    const watchOne = collect(one.admin, { fromRevision: start }, (s) => s.length >= 40 - existing, 20_000);
    const watchTwo = collect(two.admin, { fromRevision: start }, (s) => s.length >= 40 - existing, 20_000);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? c1 : c2).request<any>(
          'POST',
          '/v1/security-groups',
          { regionId: 'r', vpcId: vpc, name: `race-${i}`, template: 'empty' },
          { raw: true },
        ),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(40 - existing);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'QUOTA_EXCEEDED')).toBe(true);
    const revisions = created.map((r) => Number(r.headers.get('x-palisade-revision'))).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: revisions.length }, (_, i) => start + 1 + i));
    const [seenOne, seenTwo] = await Promise.all([watchOne, watchTwo]);
    expect(seenOne.map((x) => x.revision)).toEqual(revisions);
    expect(seenTwo.map((x) => x.revision)).toEqual(revisions);
    expect(seenTwo).toEqual(seenOne);
  });

  it('answers idempotent retries the same on either server', async () => {
    const body = { regionId: 'r', vpcId: vpc, name: 'idem', template: 'empty' };
    await one.admin.patch('/v1/regions/r', { quotas: { groupsPerTenant: 100 } });
    const headers = { 'idempotency-key': 'cross-server' };
    const [a, b] = await Promise.all([
      c1.request<any>('POST', '/v1/security-groups', body, { headers }),
      c2.request<any>('POST', '/v1/security-groups', body, { headers }),
    ]);
    expect(a.body.id).toBe(b.body.id);
  });
});
