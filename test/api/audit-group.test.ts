// GET /v1/audit?groupId=: a security group's history (its own writes and every write to its
// rules, single or batched) over real HTTP on both stores, scoped to the caller's tenant, with
// an id's LIKE wildcards taken literally; and `palisade audit --group`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import { runCliAs } from '../support/cli.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

interface Entry {
  revision: number;
  action: string;
  targetId: string | null;
}

const rule = (port: number) => ({
  direction: 'ingress',
  protocol: 'tcp',
  ports: String(port),
  remoteIpPrefix: '10.0.0.0/8',
  priority: 1,
});

describe.each(STORES)('audit log by group on %s', (kind) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;
  let web: string;
  let other: string;
  let history: string[];

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
    const vpc = (await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw', name: 'v' })).id;
    const group = async (name: string) =>
      (
        await alice.post<{ id: string }>('/v1/security-groups', {
          regionId: 'hw',
          vpcId: vpc,
          name,
          template: 'empty',
        })
      ).id;
    web = await group('web');
    other = await group('other');
    const one = await alice.post<{ id: string }>(`/v1/security-groups/${web}/rules`, rule(22));
    await alice.post(`/v1/security-groups/${other}/rules`, rule(23));
    await alice.patch(`/v1/security-groups/${web}/rules/${one.id}`, { ports: '2222' });
    const batch = await alice.post<{ rules: { id: string }[] }>(`/v1/security-groups/${web}/rules/batch`, {
      rules: [rule(80), rule(443)],
    });
    await alice.post('/v1/instances', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [web] }],
    });
    await alice.post(`/v1/security-groups/${web}/rules/batch-delete`, {
      ruleIds: batch.rules.map((r) => r.id),
    });
    await alice.delete(`/v1/security-groups/${web}/rules/${one.id}`);
    await t.admin.patch(`/v1/security-groups/${web}`, { name: 'web-2' });
    history = [
      'group.update',
      'rule.delete',
      'rule.batchDelete',
      'rule.batchCreate',
      'rule.update',
      'rule.create',
      'group.create',
    ];
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("lists the group's own writes and every write to its rules, newest first", async () => {
    const { items } = await alice.get<{ items: Entry[] }>(`/v1/audit?groupId=${web}`);
    expect(items.map((e) => e.action)).toEqual(history);
    const revisions = items.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => b - a));
    // The other group's rule and the instance that joined are not the group's history.
    expect(items.some((e) => e.action === 'instance.create')).toBe(false);
    const theOther = await alice.get<{ items: Entry[] }>(`/v1/audit?groupId=${other}`);
    expect(theOther.items.map((e) => e.action)).toEqual(['rule.create', 'group.create']);
    // With the other filters, and paged by the cursors.
    const rules = await alice.get<{ items: Entry[] }>(`/v1/audit?groupId=${web}&action=rule.update`);
    expect(rules.items.map((e) => e.action)).toEqual(['rule.update']);
    const first = await alice.get<{ items: Entry[]; nextCursor?: string }>(
      `/v1/audit?groupId=${web}&limit=4`,
    );
    const rest = await alice.get<{ items: Entry[]; nextCursor?: string }>(
      `/v1/audit?groupId=${web}&limit=4&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect([...first.items, ...rest.items].map((e) => e.action)).toEqual(history);
    expect(rest.nextCursor).toBeUndefined();
  });

  it("takes the id literally (no wildcards) and keeps to the caller's tenant", async () => {
    const everything = await alice.get<{ items: Entry[] }>('/v1/audit');
    expect(everything.items.length).toBeGreaterThan(history.length);
    for (const id of ['%', '_', 'sg-%', `${web.slice(0, -1)}_`])
      expect(
        (await alice.get<{ items: Entry[] }>(`/v1/audit?groupId=${encodeURIComponent(id)}`)).items,
        id,
      ).toEqual([]);
    expect((await bob.get<{ items: Entry[] }>(`/v1/audit?groupId=${web}`)).items).toEqual([]);
    // The operator reads it whole.
    expect(
      (await t.admin.get<{ items: Entry[] }>(`/v1/audit?groupId=${web}`)).items.map((e) => e.action),
    ).toEqual(history);
  });

  it('answers palisade audit --group', async () => {
    const { code, text } = await runCliAs(t, 'alice', ['audit', '--group', web, '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(text) as Entry[]).map((e) => e.action)).toEqual(history);
  });
});
