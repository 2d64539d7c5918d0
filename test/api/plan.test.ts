// Plan and apply a policy file over real HTTP and through the CLI, on both stores: the plan
// shows what would change and writes nothing; apply makes it in one revision (one change-log
// entry), keeping the ids of unchanged rules; a second apply writes nothing; a region changed
// since the plan is refused and nothing is written; a bad file is a 400 with paths; a file over
// a quota changes nothing; a tenant's file touches its own objects only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';
import { runCliAs } from '../support/cli.js';

const tcp = (ports: string, remote: Record<string, string>, priority = 1) => ({
  direction: 'ingress',
  protocol: 'tcp',
  ports,
  ...remote,
  priority,
});

/** The file: web keeps SSH from 10/8, drops SSH from everywhere, gains HTTPS from the office. */
const policy = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'palisade/v1',
  region: { id: 'hw-1', profile: 'huawei' },
  vpcs: [{ id: 'v' }],
  addressGroups: [{ id: 'office', entries: ['203.0.113.0/24'] }],
  groups: [
    {
      id: 'web',
      rules: [tcp('22', { remoteIpPrefix: '10.0.0.0/8' }, 2), tcp('443', { remoteAddressGroup: 'office' })],
    },
  ],
  instances: [{ id: 'vm', ports: [{ id: 'eth0', ipv4: '10.0.0.5', groups: ['web'] }] }],
  ...extra,
});

/** The store's latest revision: that of the newest change-log entry. */
const revisionOf = async (t: TestServer) =>
  ((await t.admin.get<any>('/v1/audit?limit=1')).items[0]?.revision as number | undefined) ?? 0;

describe.each(['sqlite', 'postgres'] as const)('plan and apply on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let web: any;
  let oldGroup: any;
  let vmPort: string;
  const ruleIds: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    web = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [tcp('22', { remoteIpPrefix: '0.0.0.0/0' }), tcp('22', { remoteIpPrefix: '10.0.0.0/8' }, 2)],
    });
    for (const r of web.rules) ruleIds[r.remoteIpPrefix] = r.id;
    oldGroup = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'old',
      template: 'empty',
    });
    const vm = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [web.id], host: `h-${store}` }],
    });
    vmPort = vm.ports[0].id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('plans the changes, the packets they newly allow and deny, the connections they cut, and writes nothing', async () => {
    const before = await revisionOf(t);
    // The host's agent listed two connections of the vm's port: SSH to it from outside 10/8
    // (which the file no longer allows), and one it opened.
    const flow = { protocol: 6, state: 'ESTABLISHED', replied: true, assured: true, remainingS: 400 };
    await t.admin.post(`/v1/hosts/h-${store}/status`, {
      revision: before,
      closed: [],
      ruleHits: {},
      connections: [
        {
          ...flow,
          portId: vmPort,
          origin: 'inbound',
          src: '192.0.2.9',
          dst: '10.0.0.5',
          sport: 40000,
          dport: 22,
        },
        {
          ...flow,
          portId: vmPort,
          origin: 'outbound',
          src: '10.0.0.5',
          dst: '10.9.9.9',
          sport: 40001,
          dport: 443,
        },
      ],
    });
    const plan = await alice.post<any>('/v1/regions/hw-1/plan', policy());
    expect(plan.summary).toEqual({ create: 2, update: 0, delete: 2 });
    expect(plan.tenants).toEqual(['alice']);
    const seen = plan.changes.map((c: any) => [c.kind, c.action, c.ref ?? c.id]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['addressGroup', 'create', 'office'],
        ['rule', 'create', undefined],
        ['rule', 'delete', ruleIds['0.0.0.0/0']],
        ['group', 'delete', oldGroup.id],
      ]),
    );
    const created = plan.changes.find((c: any) => c.kind === 'rule' && c.action === 'create');
    expect(created).toMatchObject({ at: 'groups[0].rules[1]', parent: web.id });
    // An object made by the plan is named where the file has it.
    expect(created.rule.remoteAddressGroup).toBe('new:office');
    // The packet difference of the vm's port: HTTPS from the office, no more SSH from outside 10/8.
    expect(plan.equivalent).toBe(false);
    const port = plan.ports.find((x: any) => x.portId === vmPort && x.direction === 'ingress');
    expect(port.newlyAllowed).toEqual([
      {
        packets: {
          boxes: [
            {
              protocols: ['6'],
              ports: ['443'],
              icmp: ['any'],
              sourcePorts: ['any'],
              remote: ['203.0.113.0-203.0.113.255'],
            },
          ],
          more: 0,
        },
        before: { kind: 'default', verdict: 'deny' },
        after: { kind: 'rule', ruleId: 'new:groups[0].rules[1]', groupId: web.id, action: 'allow' },
      },
    ]);
    expect(port.newlyDenied[0].packets.boxes[0]).toMatchObject({
      ports: ['22'],
      remote: ['0.0.0.0-9.255.255.255', '11.0.0.0-255.255.255.255'],
    });
    expect(port.newlyDenied[0].before).toMatchObject({ kind: 'rule', ruleId: ruleIds['0.0.0.0/0'] });
    // Huawei clears the inbound entries of the members of a group that loses an inbound allow:
    // the SSH connection is cut, the one the port opened is not.
    expect(plan.connections.cut).toEqual([
      expect.objectContaining({
        portId: vmPort,
        src: '192.0.2.9',
        dport: 22,
        origin: 'inbound',
        reason: 'clearedByPolicy',
      }),
    ]);
    expect(await revisionOf(t)).toBe(before);
    expect((await alice.get<any>(`/v1/security-groups/${web.id}`)).rules).toHaveLength(2);
  });

  it('applies the plan in one write, keeping the id of the unchanged rule; a second apply writes nothing', async () => {
    const plan = await alice.post<any>('/v1/regions/hw-1/plan', policy());
    const before = await revisionOf(t);
    // apply?preview=true answers the write's preview and writes nothing.
    const preview = await alice.request<any>('POST', '/v1/regions/hw-1/apply?preview=true', policy(), {
      raw: true,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ preview: true, equivalent: false, result: { applied: true } });
    expect(await revisionOf(t)).toBe(before);
    const res = await alice.request<any>('POST', '/v1/regions/hw-1/apply', policy(), {
      headers: { 'if-match': `"${plan.revision}"` },
      raw: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applied: true, revision: before + 1, summary: plan.summary });
    expect(await revisionOf(t)).toBe(before + 1);
    const audit = await t.admin.get<any>('/v1/audit?regionId=hw-1');
    expect(audit.items[0]).toMatchObject({ action: 'policy.apply', revision: before + 1 });

    const g = await alice.get<any>(`/v1/security-groups/${web.id}`);
    const kept = g.rules.find((r: any) => r.remoteIpPrefix === '10.0.0.0/8');
    expect(kept.id).toBe(ruleIds['10.0.0.0/8']);
    const office = (await alice.get<any>('/v1/address-groups?regionId=hw-1')).items.find(
      (a: any) => a.name === 'office',
    );
    expect(g.rules.map((r: any) => r.remoteIpPrefix ?? r.remoteAddressGroup).sort()).toEqual(
      ['10.0.0.0/8', office.id].sort(),
    );
    await expect(alice.get(`/v1/security-groups/${oldGroup.id}`)).rejects.toMatchObject({ status: 404 });

    const again = await alice.post<any>('/v1/regions/hw-1/apply', policy());
    expect(again).toMatchObject({ applied: false, revision: before + 1, changes: [] });
    expect(again.summary).toEqual({ create: 0, update: 0, delete: 0 });
    expect(await revisionOf(t)).toBe(before + 1);
  });

  it('refuses to apply when the region changed since the plan, and writes nothing', async () => {
    const changed = policy({
      groups: [{ id: 'web', rules: [tcp('22', { remoteIpPrefix: '10.0.0.0/8' }, 2)] }],
      addressGroups: [],
    });
    const plan = await alice.post<any>('/v1/regions/hw-1/plan', changed);
    expect(plan.summary.delete).toBeGreaterThan(0);
    // Another write between the plan and the apply.
    await alice.post(`/v1/security-groups/${web.id}/rules`, tcp('80', { remoteIpPrefix: '10.0.0.0/8' }, 3));
    const before = await revisionOf(t);
    const res = await alice.request<any>('POST', '/v1/regions/hw-1/apply', changed, {
      headers: { 'if-match': `"${plan.revision}"` },
      raw: true,
    });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ code: 'REVISION_MISMATCH' });
    expect(await revisionOf(t)).toBe(before);
    expect((await alice.get<any>(`/v1/security-groups/${web.id}`)).rules).toHaveLength(3);
  });

  it('is not refused for a write elsewhere: another region changing does not make the plan stale', async () => {
    const plan = await alice.post<any>('/v1/regions/hw-1/plan', policy());
    // The rule the last test added goes again.
    expect(plan.summary).toEqual({ create: 0, update: 0, delete: 1 });
    await t.admin.post('/v1/regions', { id: 'hw-2', profile: 'huawei' });
    const done = await alice.post<any>('/v1/regions/hw-1/apply', policy(), {
      'if-match': `"${plan.revision}"`,
    });
    expect(done).toMatchObject({ applied: true, revision: plan.revision + 2 });
    // A revision the store has not reached is no plan of it.
    const future = await alice.request<any>('POST', '/v1/regions/hw-1/apply', policy(), {
      headers: { 'if-match': `"${done.revision + 10}"` },
      raw: true,
    });
    expect(future.status).toBe(412);
  });

  it('answers a bad file with 400 and the paths of its problems, and writes nothing', async () => {
    const before = await revisionOf(t);
    const bad = policy({
      groups: [
        {
          id: 'web',
          rules: [
            { direction: 'ingress', protocol: 'tcp', ports: '70000' },
            { direction: 'ingress', protocol: 'tcp', ports: '22', remoteGroup: 'nowhere' },
          ],
        },
      ],
    });
    for (const path of ['plan', 'apply']) {
      const res = await alice.request<any>('POST', `/v1/regions/hw-1/${path}`, bad, { raw: true });
      expect(res.status).toBe(400);
      const paths = res.body.errors.map((e: any) => e.path);
      expect(paths).toContain('body.groups[0].rules[0].ports[0].from');
      expect(paths).toContain('body.groups[0].rules[1].remoteGroup');
    }
    const twins = await alice.request<any>(
      'POST',
      '/v1/regions/hw-1/plan',
      policy({
        groups: [{ id: 'web' }, { id: 'b', name: 'web' }],
      }),
      { raw: true },
    );
    expect(twins.status).toBe(400);
    expect(twins.body.errors[0]).toMatchObject({ path: 'body.groups[1].name', code: 'DUPLICATE_NAME' });
    const wrongProfile = await alice.request<any>(
      'POST',
      '/v1/regions/hw-1/plan',
      {
        ...policy(),
        region: { id: 'hw-1', profile: 'alibaba' },
      },
      { raw: true },
    );
    expect(wrongProfile.status).toBe(400);
    expect(wrongProfile.body.errors[0].path).toBe('body.region.profile');
    expect(await revisionOf(t)).toBe(before);
  });

  it("changes a rule given by id in place and a port's memberships; an operator names the tenant", async () => {
    const inPlace = policy({
      groups: [
        {
          id: 'web',
          rules: [{ ...tcp('2222', { remoteIpPrefix: '10.0.0.0/8' }, 2), id: ruleIds['10.0.0.0/8'] }],
        },
        { id: 'db' },
      ],
      instances: [{ id: 'vm', ports: [{ id: 'eth0', ipv4: '10.0.0.5', groups: ['web', 'db'] }] }],
    });
    const plan = await alice.post<any>('/v1/regions/hw-1/plan', inPlace);
    const update = plan.changes.find((c: any) => c.kind === 'rule' && c.action === 'update');
    expect(update).toMatchObject({ id: ruleIds['10.0.0.0/8'], fields: ['ports'] });
    expect(plan.changes).toContainEqual(
      expect.objectContaining({ kind: 'group', action: 'create', ref: 'db' }),
    );
    const port = plan.changes.find((c: any) => c.kind === 'port');
    expect(port).toMatchObject({ action: 'update', fields: ['groupIds'], groups: [web.id, 'new:db'] });

    // An operator's file that lists no tenants names one; the plan is then the tenant's.
    const unnamed = await t.admin.request<any>('POST', '/v1/regions/hw-1/plan', inPlace, { raw: true });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.code).toBe('MISSING_FIELD');
    const asOperator = await t.admin.post<any>('/v1/regions/hw-1/plan?tenantId=alice', inPlace);
    expect(asOperator.changes).toEqual(plan.changes);

    const done = await alice.post<any>('/v1/regions/hw-1/apply', inPlace, {
      'if-match': `"${plan.revision}"`,
    });
    expect(done.applied).toBe(true);
    const g = await alice.get<any>(`/v1/security-groups/${web.id}`);
    expect(g.rules.map((r: any) => [r.id, r.ports])).toEqual([
      [ruleIds['10.0.0.0/8'], [{ from: 2222, to: 2222 }]],
    ]);
    const vm = (await alice.get<any>('/v1/instances?regionId=hw-1')).items[0];
    expect(vm.ports[0].groupIds).toHaveLength(2);
    expect(vm.ports[0].groupIds[0]).toBe(web.id);
  });

  it('answers any malformed body with a 4xx, never a 5xx, and writes nothing', async () => {
    const before = await revisionOf(t);
    const head = { apiVersion: 'palisade/v1', region: { id: 'hw-1', profile: 'huawei' } };
    const bodies: unknown[] = [
      [],
      {},
      { apiVersion: 'palisade/v1' },
      { ...head, region: 5 },
      { ...head, tenants: 'alice' },
      { ...head, tenants: [{ id: 5 }] },
      { ...head, groups: 'web' },
      { ...head, groups: [{ id: 'web', rules: [{ direction: 'sideways', protocol: 'tcp' }] }] },
      { ...head, instances: [{ id: 'vm', ports: [{ id: 'eth0', groups: ['constructor'] }] }] },
      { ...head, addressGroups: [{ id: '__proto__', entries: ['not a cidr'] }] },
    ];
    for (const body of bodies)
      for (const path of ['plan', 'apply']) {
        const res = await alice.request<any>('POST', `/v1/regions/hw-1/${path}`, body, { raw: true });
        expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
        expect(res.body.errors?.length ?? 0).toBeGreaterThan(0);
      }
    expect(await revisionOf(t)).toBe(before);
  });

  it("keeps a tenant to its own objects: another tenant's name is refused, and its plan does not see alice's", async () => {
    const bob = await newTenant(t.admin, t.url, `bob-${store}`);
    const res = await bob.request<any>(
      'POST',
      '/v1/regions/hw-1/plan',
      {
        ...policy(),
        tenants: [{ id: 'alice' }],
      },
      { raw: true },
    );
    expect(res.status).toBe(403);
    // Bob's plan of the same file creates everything: alice's objects are not his to match.
    const plan = await bob.post<any>('/v1/regions/hw-1/plan', policy({ instances: [] }));
    expect(plan.changes.every((c: any) => c.action === 'create')).toBe(true);
    expect(plan.changes.some((c: any) => c.id === web.id)).toBe(false);
  });
});

describe('apply is all or nothing', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let dir: string;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei', quotas: { rulesPerGroup: 2 } });
    alice = await newTenant(t.admin, t.url, 'alice');
    dir = mkdtempSync(join(tmpdir(), 'palisade-plan-'));
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a file over a quota changes nothing', async () => {
    const before = await revisionOf(t);
    const res = await alice.request<any>(
      'POST',
      '/v1/regions/hw-1/apply',
      {
        apiVersion: 'palisade/v1',
        region: { id: 'hw-1', profile: 'huawei' },
        groups: [
          { id: 'small', rules: [tcp('22', { remoteIpPrefix: '10.0.0.0/8' })] },
          {
            id: 'big',
            rules: ['22', '80', '443'].map((port) => tcp(port, { remoteIpPrefix: '10.0.0.0/8' })),
          },
        ],
      },
      { raw: true },
    );
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(res.body.errors[0].path).toBe('body.groups[1].rules');
    expect(await revisionOf(t)).toBe(before);
    expect((await alice.get<any>('/v1/security-groups?regionId=hw-1')).items).toEqual([]);
    expect((await alice.get<any>('/v1/vpcs?regionId=hw-1')).items).toEqual([]);
  });

  it('the CLI plans, applies, and says a second apply changes nothing', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'palisade/v1',
        region: { id: 'hw-1', profile: 'huawei' },
        groups: [{ id: 'web', rules: [tcp('443', { remoteIpPrefix: '0.0.0.0/0' })] }],
        instances: [{ id: 'vm', ports: [{ id: 'eth0', ipv4: '10.1.0.5', groups: ['web'] }] }],
      }),
    );
    const planned = await runCliAs(t, 'alice', ['plan', '-f', file]);
    expect(planned.code).toBe(0);
    expect(planned.text).toMatch(/create\s+group\s+web/);
    expect(planned.text).toContain('5 to create, 0 to change, 0 to delete');
    // The new port's packet difference: HTTPS from everywhere, newly allowed.
    expect(planned.text).toMatch(/new:eth0\s+ingress\s+IPv4\s+newly allowed\s+proto 6 ports 443/);
    const json = await runCliAs(t, 'alice', ['plan', '-f', file, '--json']);
    expect(JSON.parse(json.text).summary.create).toBeGreaterThan(0);

    const applied = await runCliAs(t, 'alice', ['apply', '-f', file]);
    expect(applied.code).toBe(0);
    expect(applied.text).toContain('applied at revision');
    const groups = (await alice.get<any>('/v1/security-groups?regionId=hw-1')).items;
    expect(groups.map((g: any) => g.name)).toEqual(['web']);

    const again = await runCliAs(t, 'alice', ['apply', '-f', file]);
    expect(again.code).toBe(0);
    expect(again.text).toContain('no changes');

    // A stale revision is refused: exit 1, the code on stderr.
    const stale = await runCliAs(t, 'alice', ['apply', '-f', file, '--revision', '1']);
    expect(stale.code).toBe(1);
    expect(stale.text).toContain('REVISION_MISMATCH');

    // A bad file is reported with the file's paths before anything is sent.
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      stringify({
        apiVersion: 'palisade/v1',
        region: { id: 'hw-1', profile: 'huawei' },
        groups: [{ id: 'web', rules: [{ direction: 'ingress', protocol: 'tcp', ports: '70000' }] }],
      }),
    );
    const invalid = await runCliAs(t, 'alice', ['plan', '-f', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.text).toContain('groups[0].rules[0].ports');
  });
});

describe('plan on one server, apply on another (one PostgreSQL)', () => {
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let c1: PalisadeClient;
  let c2: PalisadeClient;
  const file = {
    apiVersion: 'palisade/v1',
    region: { id: 'hw-1', profile: 'huawei' },
    groups: [{ id: 'web', rules: [tcp('443', { remoteIpPrefix: '10.0.0.0/8' })] }],
  };

  beforeAll(async () => {
    db = await freshDatabase('postgres');
    one = await startTestServer(db);
    two = await startTestServer(db);
    await one.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    c1 = await newTenant(one.admin, one.url, 'alice');
    c2 = new PalisadeClient(two.url, c1.credentials);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('is refused when the region changed through the other server, and applies when it did not', async () => {
    const stale = await c1.post<any>('/v1/regions/hw-1/plan', file);
    await c2.post('/v1/vpcs', { regionId: 'hw-1', name: 'other' });
    const refused = await c1.request<any>('POST', '/v1/regions/hw-1/apply', file, {
      headers: { 'if-match': `"${stale.revision}"` },
      raw: true,
    });
    expect(refused.status).toBe(412);
    const plan = await c2.post<any>('/v1/regions/hw-1/plan', file);
    const done = await c1.post<any>('/v1/regions/hw-1/apply', file, { 'if-match': `"${plan.revision}"` });
    expect(done).toMatchObject({ applied: true, revision: plan.revision + 1 });
    expect((await c2.post<any>('/v1/regions/hw-1/plan', file)).changes).toEqual([]);
  });
});
