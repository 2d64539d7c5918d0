// The change stream over HTTP (Server-Sent Events): replay from a revision, then live; resumed
// after a disconnect without gaps or duplicates; filtered by region, host and tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import type { ChangeRecord } from '../../src/control/events.js';
import { collect } from '../support/watch.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

const revisions = (xs: ChangeRecord[]) => xs.map((x) => x.revision);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(STORES)('watch on %s', (kind) => {
  let db: TestDatabase;
  let t: TestServer;
  let c: PalisadeClient;
  let vpc: string;
  let group: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'r1', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'r2', profile: 'openstack' });
    c = await newTenant(t.admin, t.url, 'w');
    vpc = (await c.post<any>('/v1/vpcs', { regionId: 'r1', name: 'v' })).id;
    group = (
      await c.post<any>('/v1/security-groups', { regionId: 'r1', vpcId: vpc, name: 'g', template: 'empty' })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const addRule = (port: number) =>
    c.post<any>(`/v1/security-groups/${group}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: String(port),
    });

  it('replays from a revision, then follows live changes in order', async () => {
    const head = (await t.admin.get<any>('/v1/snapshot')).revision;
    const live = collect(t.admin, { fromRevision: head - 2 }, (seen) => seen.length >= 5);
    await new Promise((r) => setTimeout(r, 100));
    const created = [];
    for (const p of [1, 2, 3]) created.push(await addRule(p));
    const seen = await live;
    expect(revisions(seen)).toEqual(range(head - 1, head + 3));
    const last = seen[seen.length - 1];
    expect(last.action).toBe('rule.create');
    expect(last.events[0]).toMatchObject({ op: 'rule.put', groupId: group, rule: { id: created[2].id } });
  });

  it('resumes after disconnects without gaps or duplicates while writes continue', async () => {
    const start = (await t.admin.get<any>('/v1/snapshot')).revision;
    const writes = (async () => {
      for (let p = 100; p < 130; p++) await addRule(p);
    })();
    const got: ChangeRecord[] = [];
    let from = start;
    // Five short sessions, each cut off after a few events, each resuming from the last seen.
    while (got.length < 30) {
      const part = await collect(
        t.admin,
        { fromRevision: from },
        (seen) => seen.length >= 7 || seen[seen.length - 1].revision >= start + 30,
        5000,
      );
      got.push(...part);
      if (part.length) from = part[part.length - 1].revision;
    }
    await writes;
    expect(revisions(got).slice(0, 30)).toEqual(range(start + 1, start + 30));
  });

  it('filters by region, host and tenant', async () => {
    const head = (await t.admin.get<any>('/v1/snapshot')).revision;
    const osVpc = (await c.post<any>('/v1/vpcs', { regionId: 'r2', name: 'v2' })).id;
    await c.post('/v1/instances', {
      regionId: 'r2',
      vpcId: osVpc,
      name: 'i',
      ports: [{ ipv4: ['10.1.0.1'], host: 'host-2' }],
    });
    await addRule(999);
    const other = await newTenant(t.admin, t.url, 'w2');
    const otherVpc = (await other.post<any>('/v1/vpcs', { regionId: 'r1', name: 'theirs' })).id;
    const now = (await t.admin.get<any>('/v1/snapshot')).revision;

    const r1 = await collect(
      t.admin,
      { fromRevision: head, regionId: 'r1' },
      (s) => s[s.length - 1]?.revision >= now - 2,
      3000,
    );
    expect(r1.every((x) => x.regionId === 'r1')).toBe(true);
    expect(r1.map((x) => x.action)).toEqual(['rule.create', 'vpc.create']);
    const host2 = await collect(t.admin, { fromRevision: head, host: 'host-2' }, (s) => s.length >= 2, 3000);
    expect(host2.map((x) => x.action)).toEqual(['vpc.create', 'instance.create']);
    expect(host2.every((x) => x.regionId === 'r2')).toBe(true);
    const mine = await collect(c, { fromRevision: head }, (s) => s.length >= 3, 2000);
    expect(mine.map((x) => x.tenantId)).toEqual(['w', 'w', 'w']);
    const theirs = await collect(
      other,
      { fromRevision: head },
      (s) => s.some((x) => x.events.some((e: any) => e.vpc?.id === otherVpc)),
      3000,
    );
    expect(theirs.every((x) => x.tenantId === 'w2')).toBe(true);
  });
});
