// Every resource of the native API over real HTTP, on both stores: a user's journey through
// regions, VPCs, groups, rules, instances, memberships, address groups, flow checks,
// simulations, snapshots and the audit log, with the error paths each resource has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

async function problem(
  call: Promise<unknown>,
): Promise<{ status: number; code: string; detail: string; errors?: any[] }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiError) return { ...e.problem, status: e.status };
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe.each(STORES)('native API on %s', (kind) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let vpc: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw', profile: 'huawei', quotas: { rulesPerGroup: 20 } });
    await t.admin.post('/v1/regions', { id: 'ali', profile: 'alibaba' });
    await t.admin.post('/v1/regions', { id: 'os', profile: 'openstack' });
    alice = await newTenant(t.admin, t.url, 'alice');
    vpc = (await alice.post<any>('/v1/vpcs', { regionId: 'hw', name: 'main', cidr: '10.0.0.0/16' })).id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('serves health, readiness and the OpenAPI 3.1 document of the request schemas', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await (await fetch(`${t.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', revision: expect.any(Number) });
    const doc = await (await fetch(`${t.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/v1/security-groups/{id}/rules'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['direction', 'protocol']));
    expect(body.additionalProperties).toBe(false);
    for (const path of [
      '/v1/regions/{id}/flows:check',
      '/v1/watch',
      '/v1/snapshot',
      '/v1/audit',
      '/v1/ports/{id}/groups',
      '/v1/address-groups/{id}',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    const ui = await fetch(`${t.url}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('creates groups with the profile starting rules, a template, or none', async () => {
    const started = await alice.post<any>('/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: 'web' });
    // Huawei: a new group allows its own members and all egress, at priority 100 (002).
    expect(
      started.rules.map((r: any) => [r.direction, r.remoteGroup ?? r.remoteIpPrefix, r.priority]),
    ).toEqual([
      ['ingress', started.id, 100],
      ['ingress', started.id, 100],
      ['egress', '0.0.0.0/0', 100],
      ['egress', '::/0', 100],
    ]);
    const empty = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'bare',
      template: 'empty',
    });
    expect(empty.rules).toEqual([]);
    const templated = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'tpl',
      template: 'general-purpose-web-server',
    });
    expect(templated.ruleCount).toBe(9);
    const bad = await problem(
      alice.post('/v1/security-groups', {
        regionId: 'hw',
        vpcId: vpc,
        name: 'x',
        template: 'web-server-linux',
      }),
    );
    expect(bad).toMatchObject({ status: 400, code: 'UNKNOWN_TEMPLATE' });
    expect(bad.errors?.[0].path).toBe('body.template');
  });

  it('adds rules one at a time and in atomic batches, each with its evaluation position', async () => {
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'rules',
      template: 'empty',
    });
    const ssh = await alice.post<any>(`/v1/security-groups/${g.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.0.0.0/8',
      priority: 50,
    });
    expect(ssh).toMatchObject({ position: 1, priority: 50, ports: [{ from: 22, to: 22 }], action: 'allow' });
    const deny = await alice.post<any>(`/v1/security-groups/${g.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.9.0.0/16',
      action: 'deny',
      priority: 50,
    });
    // Equal priority: deny is evaluated first (002).
    expect(deny.position).toBe(1);
    expect((await alice.get<any>(`/v1/security-groups/${g.id}/rules/${ssh.id}`)).position).toBe(2);

    const batch = await alice.post<any>(`/v1/security-groups/${g.id}/rules/batch`, {
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '80,443', priority: 1 },
        { direction: 'egress', protocol: 'udp', ports: '53', remoteIpPrefix: '10.0.0.2/32' },
      ],
    });
    expect(batch.rules.map((r: any) => r.position)).toEqual([1, 1]);
    const before = await alice.get<any>(`/v1/security-groups/${g.id}`);

    // One bad rule in a batch: nothing is added, and the error names it.
    const bad = await problem(
      alice.post(`/v1/security-groups/${g.id}/rules/batch`, {
        rules: [
          { direction: 'ingress', protocol: 'tcp', ports: '8080' },
          { direction: 'ingress', protocol: 'icmp', ports: '22' },
        ],
      }),
    );
    expect(bad).toMatchObject({ status: 400, code: 'PORTS_NOT_ALLOWED' });
    expect(bad.errors?.[0].path).toBe('body.rules[1].ports');
    const after = await alice.get<any>(`/v1/security-groups/${g.id}`);
    expect(after.ruleCount).toBe(before.ruleCount);
    expect(after.revision).toBe(before.revision);

    // Duplicates are refused on huawei (409) ...
    const dup = await problem(
      alice.post(`/v1/security-groups/${g.id}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        remoteIpPrefix: '10.0.0.0/8',
        priority: 50,
      }),
    );
    expect(dup).toMatchObject({ status: 409, code: 'DUPLICATE_RULE' });

    // ... and modify keeps the rule's id, moves its position, and bumps its revision.
    const moved = await alice.patch<any>(`/v1/security-groups/${g.id}/rules/${ssh.id}`, { priority: 2 });
    expect(moved).toMatchObject({ id: ssh.id, priority: 2, position: 2, remoteIpPrefix: '10.0.0.0/8' });
    expect(moved.revision).toBeGreaterThan(ssh.revision);
    const remote = await alice.patch<any>(`/v1/security-groups/${g.id}/rules/${ssh.id}`, {
      remoteGroup: g.id,
    });
    expect(remote.remoteGroup).toBe(g.id);
    expect(remote.remoteIpPrefix).toBeUndefined();

    await alice.delete(`/v1/security-groups/${g.id}/rules/${deny.id}`);
    expect((await problem(alice.get(`/v1/security-groups/${g.id}/rules/${deny.id}`))).status).toBe(404);
  });

  it('enforces the rules-per-group quota', async () => {
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'full',
      template: 'empty',
    });
    const rules = Array.from({ length: 20 }, (_, i) => ({
      direction: 'ingress',
      protocol: 'tcp',
      ports: String(1000 + i),
    }));
    await alice.post(`/v1/security-groups/${g.id}/rules/batch`, { rules });
    const over = await problem(
      alice.post(`/v1/security-groups/${g.id}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '2000',
      }),
    );
    expect(over).toMatchObject({ status: 409, code: 'QUOTA_EXCEEDED' });
    expect(over.detail).toContain('rulesPerGroup');
  });

  it('pages through rules and groups with cursors', async () => {
    await t.admin.patch('/v1/regions/hw', { quotas: { rulesPerGroup: 500 } });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'paged',
      template: 'empty',
    });
    const rules = Array.from({ length: 250 }, (_, i) => ({
      direction: 'ingress',
      protocol: 'udp',
      ports: String(3000 + i),
      priority: 1 + (i % 100),
    }));
    await alice.post(`/v1/security-groups/${g.id}/rules/batch`, { rules });
    const seen: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await alice.get<any>(
        `/v1/security-groups/${g.id}/rules?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((r) => r.position)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    const priorities = seen.map((r) => r.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    const groups = await alice.get<any>('/v1/security-groups?regionId=hw&limit=2');
    expect(groups.items).toHaveLength(2);
    const next = await alice.get<any>(`/v1/security-groups?regionId=hw&limit=2&cursor=${groups.nextCursor}`);
    expect(next.items[0].id > groups.items[1].id).toBe(true);
    expect((await alice.get<any>('/v1/security-groups?name=paged')).items.map((x: any) => x.id)).toEqual([
      g.id,
    ]);
    expect((await problem(alice.get('/v1/security-groups?cursor=%%%'))).code).toBe('INVALID_CURSOR');
  });

  it('joins instances to the default group made on first need, and keeps every port in a group', async () => {
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'vm1',
      ports: [{ ipv4: ['10.0.1.10'], host: 'h1', interface: 'tap1' }],
    });
    const port = inst.ports[0];
    const dflt = await alice.get<any>(`/v1/security-groups/${port.groupIds[0]}`);
    expect(dflt.name).toBe('default');
    const inst2 = await alice.post<any>('/v1/instances', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'vm2',
      ports: [{ ipv4: ['10.0.1.11'] }],
    });
    expect(inst2.ports[0].groupIds).toEqual([dflt.id]);
    const dupAddress = await problem(
      alice.post('/v1/instances', {
        regionId: 'hw',
        vpcId: vpc,
        name: 'vm3',
        ports: [{ ipv4: ['10.0.1.10'] }],
      }),
    );
    expect(dupAddress).toMatchObject({ status: 409, code: 'ADDRESS_IN_USE' });

    const web = await alice.post<any>('/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: 'web2' });
    const joined = await alice.post<any>(`/v1/ports/${port.id}/groups`, { groupId: web.id, sequence: 0 });
    expect(joined.groupIds).toEqual([web.id, dflt.id]);
    expect((await problem(alice.post(`/v1/ports/${port.id}/groups`, { groupId: web.id }))).code).toBe(
      'ALREADY_MEMBER',
    );
    await alice.delete(`/v1/ports/${port.id}/groups/${dflt.id}`);
    const last = await problem(alice.delete(`/v1/ports/${port.id}/groups/${web.id}`));
    expect(last).toMatchObject({ status: 409, code: 'LAST_GROUP' });
    const inUse = await problem(alice.delete(`/v1/security-groups/${web.id}`));
    expect(inUse).toMatchObject({ status: 409, code: 'GROUP_IN_USE' });
    const replaced = await alice.put<any>(`/v1/ports/${port.id}/groups`, { groupIds: [dflt.id] });
    expect(replaced.groupIds).toEqual([dflt.id]);
    await alice.delete(`/v1/security-groups/${web.id}`);
    expect((await problem(alice.get(`/v1/security-groups/${web.id}`))).status).toBe(404);
    expect((await alice.get<any>('/v1/instances?host=h1')).items.map((i: any) => i.id)).toEqual([inst.id]);
  });

  it('refuses to delete a group other groups reference, and clones with self-references remapped', async () => {
    const db = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'db',
      template: 'empty',
    });
    const app = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'app',
      template: 'empty',
      rules: [{ direction: 'egress', protocol: 'tcp', ports: '5432', remoteGroup: db.id }],
    });
    await alice.post(`/v1/security-groups/${db.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '5432',
      remoteGroup: app.id,
    });
    expect(await alice.get<any>(`/v1/security-groups/${db.id}/references`)).toEqual({
      groupId: db.id,
      referencedBy: [app.id],
    });
    expect(await problem(alice.delete(`/v1/security-groups/${db.id}`))).toMatchObject({
      status: 409,
      code: 'GROUP_REFERENCED',
    });
    const self = await alice.post<any>('/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: 'self' });
    const clone = await alice.post<any>(`/v1/security-groups/${self.id}/clone`, { name: 'self-copy' });
    expect(clone.rules.filter((r: any) => r.remoteGroup).map((r: any) => r.remoteGroup)).toEqual([
      clone.id,
      clone.id,
    ]);
    const renamed = await alice.patch<any>(`/v1/security-groups/${clone.id}`, {
      name: 'renamed',
      description: 'copy',
    });
    expect(renamed).toMatchObject({ name: 'renamed', description: 'copy' });
  });

  it('manages address groups and the rules that reference them', async () => {
    const ag = await alice.post<any>('/v1/address-groups', {
      regionId: 'hw',
      name: 'office',
      ethertype: 'IPv4',
      entries: ['192.0.2.0/24'],
    });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'ag-user',
      template: 'empty',
    });
    await alice.post(`/v1/security-groups/${g.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '443',
      remoteAddressGroup: ag.id,
    });
    const changed = await alice.patch<any>(`/v1/address-groups/${ag.id}`, {
      add: ['198.51.100.7'],
      remove: ['192.0.2.0/24'],
    });
    expect(changed.entries).toEqual(['198.51.100.7']);
    const wrongFamily = await problem(alice.patch(`/v1/address-groups/${ag.id}`, { add: ['2001:db8::/32'] }));
    expect(wrongFamily).toMatchObject({ status: 400, code: 'CIDR_ETHERTYPE_MISMATCH' });
    expect((await problem(alice.patch(`/v1/address-groups/${ag.id}`, { remove: ['10.0.0.1'] }))).code).toBe(
      'UNKNOWN_ENTRY',
    );
    expect(await problem(alice.delete(`/v1/address-groups/${ag.id}`))).toMatchObject({
      status: 409,
      code: 'ADDRESS_GROUP_IN_USE',
    });
  });

  it('answers flow checks with the deciding rule, and simulates what a change clears', async () => {
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'flows',
      template: 'empty',
    });
    const allow = await alice.post<any>(`/v1/security-groups/${g.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.0.0.0/16',
    });
    await alice.post(`/v1/security-groups/${g.id}/rules`, {
      direction: 'egress',
      protocol: 'all',
      remoteIpPrefix: '0.0.0.0/0',
    });
    const server = await alice.post<any>('/v1/instances', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'srv',
      ports: [{ ipv4: ['10.0.2.1'], groupIds: [g.id] }],
    });
    const client = await alice.post<any>('/v1/instances', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'cli',
      ports: [{ ipv4: ['10.0.2.2'], groupIds: [g.id] }],
    });
    const portId = server.ports[0].id;
    const ok = await alice.post<any>('/v1/regions/hw/flows:check', {
      from: client.ports[0].id,
      to: portId,
      protocol: 'tcp',
      dstPort: 22,
    });
    expect(ok.verdict).toBe('allow');
    expect(ok.ingress.explanation.decidedBy).toMatchObject({ kind: 'rule', ruleId: allow.id, groupId: g.id });
    const no = await alice.post<any>('/v1/regions/hw/flows:check', {
      from: '192.0.2.1',
      to: portId,
      protocol: 'tcp',
      dstPort: 22,
    });
    expect(no.verdict).toBe('deny');
    expect(no.ingress.explanation.decidedBy.kind).toBe('default');
    const badEnd = await problem(
      alice.post('/v1/regions/hw/flows:check', { from: 'nowhere', to: portId, protocol: 'tcp', dstPort: 22 }),
    );
    expect(badEnd).toMatchObject({ status: 400, code: 'INVALID_ENDPOINT' });

    const sim = await alice.post<any>('/v1/regions/hw/simulations', {
      steps: [
        { op: 'send', from: client.ports[0].id, to: portId, protocol: 'tcp', srcPort: 40000, dstPort: 22 },
        {
          op: 'send',
          from: portId,
          to: client.ports[0].id,
          protocol: 'tcp',
          srcPort: 22,
          dstPort: 40000,
          flags: 'SA',
        },
        { op: 'connections' },
        {
          op: 'addRule',
          groupId: g.id,
          rule: {
            direction: 'ingress',
            protocol: 'tcp',
            ports: '22',
            remoteIpPrefix: '10.0.2.2/32',
            action: 'deny',
          },
        },
        {
          op: 'send',
          from: client.ports[0].id,
          to: portId,
          protocol: 'tcp',
          srcPort: 40000,
          dstPort: 22,
          flags: 'A',
        },
      ],
    });
    const [first, reply, conns, change, after] = sim.results;
    expect(first.delivered).toBe(true);
    expect(reply.delivered).toBe(true);
    expect(conns.connections.length).toBeGreaterThan(0);
    // Huawei: a new deny rule clears the members' inbound entries; the next packet meets the rules.
    expect(change.cleared).toBeGreaterThan(0);
    expect(after.delivered).toBe(false);
    // The simulation changed nothing stored.
    expect((await alice.get<any>(`/v1/security-groups/${g.id}`)).ruleCount).toBe(2);
  });

  it('serves snapshots at a revision and an audit log with before and after', async () => {
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw',
      vpcId: vpc,
      name: 'audited',
      template: 'empty',
    });
    const at = (await alice.get<any>('/v1/snapshot?regionId=hw')).revision;
    await alice.patch(`/v1/security-groups/${g.id}`, { name: 'audited-2' });
    const old = await alice.get<any>(`/v1/snapshot?regionId=hw&revision=${at}`);
    expect(old.regions[0].groups.find((x: any) => x.id === g.id).name).toBe('audited');
    const now = await alice.get<any>('/v1/snapshot?regionId=hw');
    expect(now.regions[0].groups.find((x: any) => x.id === g.id).name).toBe('audited-2');
    const audit = await alice.get<any>(`/v1/audit?targetId=${g.id}`);
    expect(audit.items.map((a: any) => a.action)).toEqual(['group.update', 'group.create']);
    expect(audit.items[0].before.name).toBe('audited');
    expect(audit.items[0].after.name).toBe('audited-2');
    expect(audit.items[0].actor).toMatch(/^PK/);
  });

  it('applies each profile: alibaba duplicates are no-ops, openstack refuses deny and a second default', async () => {
    const aliVpc = (await alice.post<any>('/v1/vpcs', { regionId: 'ali', name: 'v' })).id;
    const g = await alice.post<any>('/v1/security-groups', { regionId: 'ali', vpcId: aliVpc, name: 'a' });
    const rule = {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '0.0.0.0/0',
      priority: 1,
    };
    const first = await alice.request<any>('POST', `/v1/security-groups/${g.id}/rules`, rule);
    const again = await alice.request<any>('POST', `/v1/security-groups/${g.id}/rules`, rule);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    const osVpc = (await alice.post<any>('/v1/vpcs', { regionId: 'os', name: 'v' })).id;
    const os = await alice.post<any>('/v1/security-groups', {
      regionId: 'os',
      vpcId: osVpc,
      name: 'default',
    });
    expect(
      (
        await problem(
          alice.post(`/v1/security-groups/${os.id}/rules`, {
            direction: 'ingress',
            protocol: 'tcp',
            action: 'deny',
          }),
        )
      ).code,
    ).toBe('DENY_NOT_SUPPORTED');
    expect(
      await problem(alice.post('/v1/security-groups', { regionId: 'os', vpcId: osVpc, name: 'default' })),
    ).toMatchObject({
      status: 409,
      code: 'DEFAULT_GROUP_EXISTS',
    });
  });

  it('lets a port join a group of another VPC on huawei and openstack, not on alibaba', async () => {
    const instanceIn = async (regionId: string, vpcId: string, groupId: string, ip: string) =>
      alice.request<any>('POST', '/v1/instances', {
        regionId,
        vpcId,
        name: `cross-${regionId}`,
        ports: [{ ipv4: [ip], groupIds: [groupId] }],
      });
    for (const regionId of ['hw', 'os', 'ali']) {
      const [one, two] = [
        (await alice.post<any>('/v1/vpcs', { regionId, name: 'one' })).id,
        (await alice.post<any>('/v1/vpcs', { regionId, name: 'two' })).id,
      ];
      const g = await alice.post<any>('/v1/security-groups', { regionId, vpcId: one, name: 'spans' });
      const res = await instanceIn(regionId, two, g.id, '10.9.9.9').catch((e) => e);
      if (regionId === 'ali') {
        expect(res).toBeInstanceOf(ApiError);
        expect(res.problem.code).toBe('VPC_MISMATCH');
      } else expect(res.status).toBe(201);
    }
  });
});
