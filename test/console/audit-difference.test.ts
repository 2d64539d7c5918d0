// The audit page's difference (console/src/audit/difference.ts) on the entries a real server
// records (SQLite, over HTTP): a batch of rules added and removed, a port's memberships and host,
// a rule's fields, a group's rename; bookkeeping the server stamps is left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { difference } from '../../console/src/audit/difference.js';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

interface Entry {
  revision: number;
  action: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

describe('audit log differences of recorded writes', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let groupId: string;
  let otherGroupId: string;
  let portId: string;
  const latest = async (action: string) =>
    (await alice.get<{ items: Entry[] }>(`/v1/audit?action=${action}&limit=1`)).items[0];

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-d', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    const vpc = await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-d', name: 'v' });
    const group = (name: string) =>
      alice
        .post<{ id: string }>('/v1/security-groups', {
          regionId: 'hw-d',
          vpcId: vpc.id,
          name,
          template: 'empty',
        })
        .then((g) => g.id);
    groupId = await group('web');
    otherGroupId = await group('db');
    const instance = await alice.post<{ ports: { id: string }[] }>('/v1/instances', {
      regionId: 'hw-d',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [groupId], host: 'h1' }],
    });
    portId = instance.ports[0].id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lists a batch of rules as rules added, and their batch delete as rules removed', async () => {
    const created = await alice.post<{ rules: { id: string }[] }>(
      `/v1/security-groups/${groupId}/rules/batch`,
      {
        rules: [
          {
            direction: 'ingress',
            protocol: 'tcp',
            ports: '22,25',
            remoteIpPrefix: '10.0.0.0/8',
            priority: 1,
          },
          { direction: 'egress', protocol: 'icmp', icmpType: 8, remoteIpPrefix: '0.0.0.0/0', action: 'deny' },
        ],
      },
    );
    const batch = await latest('rule.batchCreate');
    expect(batch.targetId).toBe(groupId);
    const [ssh, ping] = created.rules.map((r) => r.id);
    expect(difference(batch.before, batch.after)).toEqual([
      {
        kind: 'item',
        list: 'rule',
        change: 'added',
        text: `ingress tcp 22, 25 from 10.0.0.0/8, allow, priority 1 (${ssh})`,
      },
      {
        kind: 'item',
        list: 'rule',
        change: 'added',
        text: expect.stringMatching(
          new RegExp(`^egress icmp type 8 to 0\\.0\\.0\\.0/0, deny, priority \\d+ \\(${ping}\\)$`),
        ),
      },
    ]);

    await alice.post(`/v1/security-groups/${groupId}/rules/batch-delete`, { ruleIds: [ssh, ping] });
    const removed = await latest('rule.batchDelete');
    expect(difference(removed.before, removed.after).map((d) => [d.kind, 'change' in d && d.change])).toEqual(
      [
        ['item', 'removed'],
        ['item', 'removed'],
      ],
    );
    expect(difference(removed.before, removed.after)[0]).toMatchObject({
      list: 'rule',
      text: 'ingress tcp 22, 25 from 10.0.0.0/8, allow, priority 1',
    });
  });

  it("shows a rule's changed fields only", async () => {
    const rule = await alice.post<{ id: string }>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '80',
      remoteIpPrefix: '0.0.0.0/0',
      priority: 5,
    });
    await alice.patch(`/v1/security-groups/${groupId}/rules/${rule.id}`, {
      ports: '80-81',
      description: 'web',
      priority: 6,
    });
    const update = await latest('rule.update');
    expect(difference(update.before, update.after)).toEqual([
      { kind: 'field', path: 'priority', before: '5', after: '6' },
      { kind: 'field', path: 'ports', before: '80', after: '80-81' },
      { kind: 'field', path: 'description', after: 'web' },
    ]);
  });

  it("shows a port's memberships and host as fields, an instance's ports by id", async () => {
    await alice.put(`/v1/ports/${portId}/groups`, { groupIds: [otherGroupId, groupId] });
    const entry = await latest('port.setGroups');
    expect(entry.targetId).toBe(portId);
    expect(difference(entry.before, entry.after)).toEqual([
      { kind: 'field', path: 'groupIds', before: groupId, after: `${otherGroupId}, ${groupId}` },
    ]);

    await alice.patch(`/v1/ports/${portId}`, { host: 'h2' });
    const moved = await latest('port.update');
    expect(difference(moved.before, moved.after)).toEqual([
      { kind: 'field', path: 'host', before: 'h1', after: 'h2' },
    ]);
  });

  it("shows a group's rename as one field, its creation as the fields set", async () => {
    await t.admin.patch(`/v1/security-groups/${otherGroupId}`, { name: 'db-renamed' });
    const rename = await latest('group.update');
    expect(difference(rename.before, rename.after)).toEqual([
      { kind: 'field', path: 'name', before: 'db', after: 'db-renamed' },
    ]);
    const created = (await alice.get<{ items: Entry[] }>(`/v1/audit?targetId=${groupId}&action=group.create`))
      .items[0];
    const fields = difference(created.before, created.after);
    expect(fields).toContainEqual({ kind: 'field', path: 'name', after: 'web' });
    // Stamps and counts are not the caller's change.
    for (const stamp of ['revision', 'createdAt', 'changeCount', 'ruleCount', 'id'])
      expect(
        fields.some((f) => f.kind === 'field' && f.path === stamp),
        stamp,
      ).toBe(false);
  });
});
