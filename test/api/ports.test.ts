// The port list (GET /v1/ports) and the region's traits over real HTTP on both stores: the
// caller's ports across instances by id, paged through cursors, filtered by region, VPC, host,
// group and text (and `palisade port list`); another tenant's ports never appear; a bad filter
// is a 400 naming it. A region answers whether the order of a port's groups decides (Huawei's does).
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
import { cliAs } from '../support/cli.js';

interface PortView {
  id: string;
  instanceId: string;
  regionId: string;
  ipv4: string[];
  host?: string;
  groupIds: string[];
}

describe.each(STORES)('the port list on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;
  let web: string;
  let db1: string;
  let vpc: string;
  const ports: PortView[] = [];

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba' });
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
    vpc = (await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-1', name: 'v' })).id;
    const group = async (name: string) =>
      (await alice.post<{ id: string }>('/v1/security-groups', { regionId: 'hw-1', vpcId: vpc, name })).id;
    web = await group('web');
    db1 = await group('db');
    // 12 instances of two ports each: 24 ports, half on host-a, the second port of each in "db".
    for (let i = 0; i < 12; i++) {
      const inst = await alice.post<{ ports: PortView[] }>('/v1/instances', {
        regionId: 'hw-1',
        vpcId: vpc,
        name: `vm-${i}`,
        ports: [
          { ipv4: [`10.0.1.${i + 1}`], host: i % 2 ? 'host-b' : 'host-a', groupIds: [web] },
          { ipv4: [`10.0.2.${i + 1}`], host: i % 2 ? 'host-b' : 'host-a', groupIds: [web, db1] },
        ],
      });
      ports.push(...inst.ports.map((p) => ({ ...p, regionId: 'hw-1' })));
    }
    const bobVpc = (await bob.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-1', name: 'b' })).id;
    await bob.post('/v1/instances', {
      regionId: 'hw-1',
      vpcId: bobVpc,
      name: 'bobs',
      ports: [{ ipv4: ['10.9.0.1'], host: 'host-a' }],
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** Every page of a query, following nextCursor. */
  async function all(client: PalisadeClient, params: Record<string, string>) {
    const seen: PortView[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
      const page = await client.get<{ items: PortView[]; nextCursor?: string }>(`/v1/ports?${q}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    return { seen, pages };
  }

  it("pages through the caller's ports by id, each once", async () => {
    const { seen, pages } = await all(alice, { regionId: 'hw-1', limit: '5' });
    expect(pages).toBe(5);
    const ids = ports.map((p) => p.id).sort();
    expect(seen.map((p) => p.id)).toEqual(ids);
    const first = seen.find((p) => p.id === ports[0]!.id)!;
    expect(first).toMatchObject({ regionId: 'hw-1', ipv4: ['10.0.1.1'], host: 'host-a', groupIds: [web] });
    expect(first.instanceId).toBe(ports[0]!.instanceId);
  });

  it('filters by group, host, VPC and text', async () => {
    const inDb = (await all(alice, { groupId: db1 })).seen;
    expect(inDb.map((p) => p.id).sort()).toEqual(
      ports
        .filter((p) => p.groupIds.includes(db1))
        .map((p) => p.id)
        .sort(),
    );
    expect((await all(alice, { host: 'host-b' })).seen).toHaveLength(12);
    expect((await all(alice, { vpcId: vpc, host: 'host-a', groupId: db1 })).seen).toHaveLength(6);
    expect((await all(alice, { match: '10.0.2.12' })).seen.map((p) => p.ipv4)).toEqual([['10.0.2.12']]);
    // An instance's name finds its ports.
    expect((await all(alice, { match: 'VM-11' })).seen).toHaveLength(2);
    expect((await all(alice, { regionId: 'ali-1' })).seen).toEqual([]);
    expect((await all(alice, { groupId: 'sg-none' })).seen).toEqual([]);
  });

  it("shows no other tenant's port, not even through its group", async () => {
    expect((await all(bob, {})).seen.map((p) => p.ipv4)).toEqual([['10.9.0.1']]);
    expect((await all(bob, { groupId: web })).seen).toEqual([]);
    expect((await all(alice, { match: '10.9.0.1' })).seen).toEqual([]);
  });

  it('the CLI lists them, as a table and as JSON', async () => {
    const text = await cliAs(t, 'alice', ['port', 'list', '--group', db1, '--host', 'host-b']);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^port\s+instance\s+region\s+addresses\s+host\s+groups/);
    expect(lines).toHaveLength(7);
    expect(lines.slice(1).every((l) => l.includes('host-b') && l.includes(db1))).toBe(true);
    const json = JSON.parse(await cliAs(t, 'alice', ['port', 'list', '--match', '10.0.1.3', '--json']));
    expect(json.map((p: PortView) => p.ipv4)).toEqual([['10.0.1.3']]);
  });

  it('a bad query is a 400 naming it, never a 5xx', async () => {
    await expect(alice.get('/v1/ports?limit=0')).rejects.toMatchObject({
      status: 400,
      problem: { errors: [expect.objectContaining({ path: 'querystring.limit' })] },
    });
    await expect(alice.get('/v1/ports?cursor=bm9wZQ')).rejects.toMatchObject({
      status: 400,
      problem: { code: 'INVALID_CURSOR' },
    });
    await expect(alice.get('/v1/ports?match=')).rejects.toMatchObject({ status: 400 });
  });

  it("a region answers whether a port's group order decides", async () => {
    const hw = await alice.get<{ traits: { groupOrderMatters: boolean } }>('/v1/regions/hw-1');
    expect(hw.traits.groupOrderMatters).toBe(true);
    const ali = await alice.get<{ traits: { groupOrderMatters: boolean } }>('/v1/regions/ali-1');
    expect(ali.traits.groupOrderMatters).toBe(false);
    const os = await t.admin.post<{ traits: { groupOrderMatters: boolean } }>('/v1/regions', {
      id: 'os-1',
      profile: 'openstack',
    });
    expect(os.traits.groupOrderMatters).toBe(false);
    const list = await alice.get<{ items: { id: string; traits: object }[] }>('/v1/regions');
    expect(list.items.every((r) => r.traits !== undefined)).toBe(true);
  });
});
