// Reachability and why-not over real HTTP and through the CLI, on both stores: the matrix of the
// caller's ports (web reaches the database on 5432 only, by the database's rule naming the web
// group), the group view, a why-not whose first suggestion, posted as a real rule, delivers the
// packet; another tenant sees only its own ports and, of the caller's side, only a verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';
import { cliAs } from '../support/cli.js';

const tcp5432 = {
  boxes: [{ ethertype: 'IPv4', protocols: ['6'], ports: ['5432'], icmp: ['any'], sourcePorts: ['any'] }],
  more: 0,
};

describe.each(['sqlite', 'postgres'] as const)('reachability on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;
  let web: any;
  let dbGroup: any;
  const port: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    web = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [{ direction: 'egress', protocol: 'all' }],
    });
    dbGroup = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'db',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '5432', remoteGroup: web.id }],
    });
    for (const [name, ip, group] of [
      ['web1', '10.0.0.5', web.id],
      ['web2', '10.0.0.6', web.id],
      ['db1', '10.0.1.7', dbGroup.id],
    ]) {
      const inst = await alice.post<any>('/v1/instances', {
        regionId: 'hw-1',
        vpcId: vpc.id,
        name,
        ports: [{ ipv4: [ip], groupIds: [group] }],
      });
      port[name] = inst.ports[0].id;
    }
    const bobVpc = await bob.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'b' });
    const open = await bob.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: bobVpc.id,
      name: 'open',
      template: 'empty',
      rules: [{ direction: 'egress', protocol: 'all' }],
    });
    const inst = await bob.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: bobVpc.id,
      name: 'b1',
      ports: [{ ipv4: ['10.9.0.9'], groupIds: [open.id] }],
    });
    port.b1 = inst.ports[0].id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("the caller's ports: web reaches the database on 5432, by the database's rule naming web", async () => {
    const a = await alice.get<any>('/v1/regions/hw-1/reachability');
    expect(a.by).toBe('port');
    expect(a.ports.map((p: any) => p.id).sort()).toEqual([port.web1, port.web2, port.db1].sort());
    const pairs = a.pairs.map((x: any) => [x.from, x.to]).sort();
    expect(pairs).toEqual(
      [
        [port.web1, port.db1],
        [port.web2, port.db1],
      ].sort(),
    );
    expect(a.blockedPairs).toBe(4);
    const one = await alice.get<any>('/v1/regions/hw-1/reachability?limit=1');
    expect([one.pairs.length, one.more, one.blockedPairs]).toEqual([1, 1, 4]);
    const toDb = a.pairs.find((x: any) => x.from === port.web1);
    expect(toDb.services).toEqual(tcp5432);
    expect(toDb.paths).toEqual([
      {
        ethertype: 'IPv4',
        fromAddress: '10.0.0.5',
        toAddress: '10.0.1.7',
        egress: { kind: 'rule', ruleId: web.rules[0].id, groupId: web.id },
        ingress: { kind: 'rule', ruleId: dbGroup.rules[0].id, groupId: dbGroup.id },
        services: tcp5432,
      },
    ]);
  });

  it('groups: both web members reach the database member, on 5432', async () => {
    const g = await alice.get<any>('/v1/regions/hw-1/reachability?by=group');
    expect(g.groups).toEqual(
      expect.arrayContaining([
        { id: web.id, name: 'web', members: 2 },
        { id: dbGroup.id, name: 'db', members: 1 },
      ]),
    );
    expect(g.pairs).toEqual([
      { from: web.id, to: dbGroup.id, allowedPairs: 2, totalPairs: 2, some: tcp5432, every: tcp5432 },
    ]);
  });

  it('why not SSH to the database: no allow matched; the suggested rule, posted, delivers it', async () => {
    const q = `from=${port.web1}&to=${port.db1}&protocol=tcp&port=22`;
    const w = await alice.get<any>(`/v1/regions/hw-1/reachability/why-not?${q}`);
    expect(w.verdict).toBe('deny');
    expect(w.egress).toMatchObject({
      verdict: 'allow',
      reason: { kind: 'allowedByRule', ruleId: web.rules[0].id },
    });
    expect(w.ingress.reason.kind).toBe('noAllowMatched');
    expect(w.ingress.suggestions.map((s: any) => s.text)).toEqual([
      `add ingress allow tcp port 22 from 10.0.0.5/32 to group ${dbGroup.id}`,
      `add ingress allow tcp port 22 from group ${web.id} to group ${dbGroup.id}`,
    ]);
    expect(w.reachableAfterSuggestions).toBe(true);
    expect(w.network).toEqual({ crossesVpcs: false });

    const text = await cliAs(t, 'alice', ['why-not', 'hw-1', port.web1, port.db1, 'tcp', '22']);
    expect(text).toContain('blocked: 10.0.0.5 -> 10.0.1.7');
    expect(text).toContain(`ingress: add ingress allow tcp port 22 from 10.0.0.5/32 to group ${dbGroup.id}`);

    const s = w.ingress.suggestions[0];
    const added = await alice.post<any>(`/v1/security-groups/${s.groupId}/rules`, s.rule);
    const after = await alice.get<any>(`/v1/regions/hw-1/reachability/why-not?${q}`);
    expect(after.verdict).toBe('allow');
    expect(after.ingress.reason).toEqual({ kind: 'allowedByRule', ruleId: added.id, groupId: dbGroup.id });
    expect(after.reachableAfterSuggestions).toBeNull();
    // web2 is not the address the rule names: it still only reaches 5432.
    const a = await alice.get<any>('/v1/regions/hw-1/reachability');
    const fromWeb2 = a.pairs.find((x: any) => x.from === port.web2 && x.to === port.db1);
    expect(fromWeb2.services).toEqual(tcp5432);
    const fromWeb1 = a.pairs.find((x: any) => x.from === port.web1 && x.to === port.db1);
    expect(fromWeb1.services.boxes.map((b: any) => b.ports).sort()).toEqual([['22'], ['5432']]);
    await alice.delete(`/v1/security-groups/${s.groupId}/rules/${added.id}`);
  });

  it("another tenant: its own ports only; of alice's side, only the verdict", async () => {
    const b = await bob.get<any>('/v1/regions/hw-1/reachability');
    expect(b.ports.map((p: any) => p.id)).toEqual([port.b1]);
    expect(b.pairs).toEqual([]);
    const w = await bob.get<any>(
      `/v1/regions/hw-1/reachability/why-not?from=${port.b1}&to=10.0.1.7&protocol=tcp&port=5432`,
    );
    expect(w.verdict).toBe('deny');
    expect(w.egress.portId).toBe(port.b1);
    expect(w.ingress).toEqual({
      direction: 'ingress',
      portId: null,
      verdict: 'deny',
      reason: { kind: 'hidden' },
      suggestions: [],
    });
    expect(w.reachableAfterSuggestions).toBeNull();
    // Alice's port by id is not bob's to name.
    await expect(
      bob.get(`/v1/regions/hw-1/reachability/why-not?from=${port.b1}&to=${port.db1}&protocol=tcp&port=5432`),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('bad input is a 4xx naming the field, and changes nothing', async () => {
    await expect(alice.get('/v1/regions/hw-1/reachability?by=vpc')).rejects.toMatchObject({ status: 400 });
    await expect(alice.get('/v1/regions/nowhere/reachability')).rejects.toMatchObject({ status: 404 });
    const base = `/v1/regions/hw-1/reachability/why-not?from=${port.web1}&to=${port.db1}`;
    await expect(alice.get(`${base}&protocol=bogus`)).rejects.toMatchObject({
      status: 400,
      problem: { code: 'UNKNOWN_PROTOCOL' },
    });
    await expect(alice.get(`${base}&protocol=constructor`)).rejects.toMatchObject({ status: 400 });
    await expect(alice.get(`${base}&protocol=999`)).rejects.toMatchObject({
      status: 400,
      problem: { code: 'PROTOCOL_OUT_OF_RANGE' },
    });
    // A protocol number is taken as one: 6 is TCP.
    const byNumber = await alice.get<any>(`${base}&protocol=6&port=5432`);
    expect(byNumber).toMatchObject({ verdict: 'allow', packet: { protocol: 6, dstPort: 5432 } });
    await expect(alice.get(`${base}&protocol=tcp&port=70000`)).rejects.toMatchObject({ status: 400 });
    await expect(
      alice.get(`/v1/regions/hw-1/reachability/why-not?from=nope&to=${port.db1}&protocol=tcp`),
    ).rejects.toMatchObject({ status: 400, problem: { code: 'INVALID_ENDPOINT' } });
    await expect(
      alice.get(`/v1/regions/hw-1/reachability/why-not?to=${port.db1}&protocol=tcp`),
    ).rejects.toMatchObject({
      status: 400,
    });
  });

  it('the CLI prints the matrix and the group view', async () => {
    const text = await cliAs(t, 'alice', ['reach', 'hw-1']);
    expect(text).toContain('tcp 5432');
    expect(text).toContain('2 pairs allowed, 4 blocked');
    const paths = await cliAs(t, 'alice', ['reach', 'hw-1', '--paths']);
    expect(paths).toContain(`${dbGroup.rules[0].id} (${dbGroup.id})`);
    const groups = await cliAs(t, 'alice', ['reach', 'hw-1', '--by', 'group']);
    expect(groups).toContain('2/2');
    const json = JSON.parse(await cliAs(t, 'alice', ['reach', 'hw-1', '--json']));
    expect(json.pairs).toHaveLength(2);
  });
});
