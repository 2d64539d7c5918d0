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
import { signRequest as huaweiSign } from '../../src/compat/huawei/signing.js';
import { login, osProject } from '../support/openstack.js';
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

  it('reads its own writes through a second server for every kind of object, on every API, before any notification', async () => {
    // A server deaf to other servers' notifications (and its safety poll): whatever it shows
    // of another server's write, it learned by catching up in the read itself.
    const deaf = await startTestServer(db);
    try {
      await deaf.server.service.feed.stop();
      const admin = new PalisadeClient(deaf.url, one.admin.credentials);
      const tenant = new PalisadeClient(deaf.url, c1.credentials);
      const expectSeen = async (client: PalisadeClient, path: string, expected: object) =>
        expect([path, await client.get<any>(path)]).toEqual([path, expect.objectContaining(expected)]);

      await one.admin.post('/v1/tenants', { id: 'fresh', name: 'Fresh' });
      await expectSeen(admin, '/v1/tenants/fresh', { name: 'Fresh' });
      await one.admin.patch('/v1/tenants/fresh', { name: 'Renamed' });
      await expectSeen(admin, '/v1/tenants/fresh', { name: 'Renamed' });
      expect((await admin.get<any>('/v1/tenants')).items.map((t: any) => t.id)).toContain('fresh');

      await one.admin.post('/v1/regions', { id: 'fresh-hw', profile: 'huawei' });
      await expectSeen(admin, '/v1/regions/fresh-hw', { profile: 'huawei' });
      expect((await tenant.get<any>('/v1/regions')).items.map((r: any) => r.id)).toContain('fresh-hw');
      await one.admin.patch('/v1/regions/fresh-hw', { quotas: { rulesPerGroup: 33 } });
      await expectSeen(tenant, '/v1/regions/fresh-hw', {
        quotas: expect.objectContaining({ rulesPerGroup: 33 }),
      });

      const v = await c1.post<any>('/v1/vpcs', { regionId: 'fresh-hw', name: 'fresh-vpc' });
      await expectSeen(tenant, `/v1/vpcs/${v.id}`, { name: 'fresh-vpc' });
      expect((await tenant.get<any>('/v1/vpcs')).items.map((x: any) => x.id)).toContain(v.id);

      const g = await c1.post<any>('/v1/security-groups', {
        regionId: 'fresh-hw',
        vpcId: v.id,
        name: 'fresh-g',
      });
      await expectSeen(tenant, `/v1/security-groups/${g.id}`, { name: 'fresh-g' });
      const rule = await c1.post<any>(`/v1/security-groups/${g.id}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
      });
      await expectSeen(tenant, `/v1/security-groups/${g.id}/rules/${rule.id}`, {
        ports: [{ from: 22, to: 22 }],
      });
      expect(
        (await tenant.get<any>(`/v1/security-groups/${g.id}/rules`)).items.map((x: any) => x.id),
      ).toContain(rule.id);

      const ag = await c1.post<any>('/v1/address-groups', {
        regionId: 'fresh-hw',
        name: 'fresh-ag',
        entries: ['192.0.2.0/24'],
      });
      await expectSeen(tenant, `/v1/address-groups/${ag.id}`, { entries: ['192.0.2.0/24'] });
      const inst = await c1.post<any>('/v1/instances', {
        regionId: 'fresh-hw',
        vpcId: v.id,
        name: 'fresh-i',
        ports: [{ ipv4: ['10.9.0.5'], groupIds: [g.id] }],
      });
      await expectSeen(tenant, `/v1/instances/${inst.id}`, { name: 'fresh-i' });
      await expectSeen(tenant, `/v1/ports/${inst.ports[0].id}`, { groupIds: [g.id] });
      const snap = await tenant.get<any>('/v1/snapshot?regionId=fresh-hw');
      expect(snap.regions[0].groups.map((x: any) => x.id)).toContain(g.id);
      const check = await tenant.post<any>('/v1/regions/fresh-hw/flows:check', {
        from: '192.0.2.9',
        to: inst.ports[0].id,
        protocol: 'tcp',
        dstPort: 22,
      });
      expect(check.verdict).toBe('allow');

      // The clouds' front ends read through the same catch-up.
      const hwUrl = `${deaf.url}/v3/fresh-hw/vpc/security-groups`;
      const key = c1.credentials as { keyId: string; secret: string };
      const hw = await fetch(hwUrl, { headers: huaweiSign({ ak: key.keyId, sk: key.secret }, 'GET', hwUrl) });
      expect((await hw.json()).security_groups.map((x: any) => x.id)).toContain(g.id);
      await one.admin.post('/v1/regions', { id: 'fresh-os', profile: 'openstack' });
      const os = await osProject(one, 'os-fresh', 'fresh-os');
      const osVpc = await os.tenant.post<any>('/v1/vpcs', { regionId: 'fresh-os', name: 'os-v' });
      const osGroup = await os.tenant.post<any>('/v1/security-groups', {
        regionId: 'fresh-os',
        vpcId: osVpc.id,
        name: 'os-g',
      });
      const { token } = await login(deaf, os);
      const neutron = await fetch(`${deaf.url}/networking/fresh-os/v2.0/security-groups`, {
        headers: { 'x-auth-token': token },
      });
      expect((await neutron.json()).security_groups.map((x: any) => x.id)).toContain(osGroup.id);
    } finally {
      await deaf.close();
    }
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
