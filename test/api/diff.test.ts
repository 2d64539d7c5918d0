// Policy differences and change previews over real HTTP and through the CLI, on both stores:
// between two revisions (a rule added: its packets newly allowed, decided by the default before
// and the rule after), against a policy file, and a write sent with ?preview=true, answered with
// the difference and the connections the host's agent listed that the change will cut, with
// nothing stored. A tenant sees its own ports only.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const PREVIEW = 'application/vnd.palisade.preview+json';

describe.each(['sqlite', 'postgres'] as const)('differences and previews on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;
  let portId: string;
  let groupId: string;
  let sshRule: string;
  let webRule: string;
  let before: number;
  let after: number;

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '0.0.0.0/0' }],
    });
    groupId = g.id;
    sshRule = g.rules[0].id;
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [groupId], host: 'h1' }],
    });
    portId = inst.ports[0].id;
    before = (await alice.get<any>(`/v1/ports/${portId}`)).revision;
    const rule = await alice.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '80',
      remoteIpPrefix: '10.0.0.0/8',
    });
    webRule = rule.id;
    after = rule.revision;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('between two revisions: the added rule newly allows its packets, the default denied them before', async () => {
    const d = await alice.get<any>(`/v1/regions/hw-1/diff?from=${before}&to=${after}`);
    expect(d).toMatchObject({ regionId: 'hw-1', from: before, to: after, equivalent: false });
    expect(d.ports).toEqual([
      {
        portId,
        direction: 'ingress',
        ethertype: 'IPv4',
        newlyAllowed: [
          {
            packets: {
              boxes: [
                {
                  protocols: ['6'],
                  ports: ['80'],
                  icmp: ['any'],
                  sourcePorts: ['any'],
                  remote: ['10.0.0.0-10.255.255.255'],
                },
              ],
              more: 0,
            },
            before: { kind: 'default', verdict: 'deny' },
            after: { kind: 'rule', ruleId: webRule, groupId, action: 'allow' },
          },
        ],
        newlyDenied: [],
      },
    ]);
    // The reverse difference is the same packets, newly denied; a revision against itself is equivalent.
    const back = await alice.get<any>(`/v1/regions/hw-1/diff?from=${after}&to=${before}`);
    expect(back.ports[0].newlyDenied[0].before.ruleId).toBe(webRule);
    expect((await alice.get<any>(`/v1/regions/hw-1/diff?from=${after}`)).equivalent).toBe(true);
  });

  it("is the caller's: another tenant sees no difference of alice's ports; bad revisions are 400", async () => {
    const d = await bob.get<any>(`/v1/regions/hw-1/diff?from=${before}&to=${after}`);
    expect(d).toMatchObject({ equivalent: true, ports: [] });
    await expect(alice.get(`/v1/regions/hw-1/diff?from=999999`)).rejects.toMatchObject({
      status: 400,
      problem: { code: 'INVALID_REVISION', errors: [{ path: 'query.from' }] },
    });
    await expect(alice.get(`/v1/regions/nowhere/diff?from=0`)).rejects.toMatchObject({ status: 404 });
  });

  it('against a policy file: what applying it would change; a file that does not load is 400 naming the field', async () => {
    const file = {
      apiVersion: 'palisade/v1',
      region: { id: 'hw-1', profile: 'huawei' },
      tenants: [{ id: 'alice' }],
      groups: [
        {
          id: groupId,
          rules: [
            { id: sshRule, direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.0.0.0/8' },
          ],
        },
      ],
      instances: [{ id: 'vm', ports: [{ id: portId, ipv4: '10.0.0.5', groups: [groupId] }] }],
    };
    const d = await alice.post<any>('/v1/regions/hw-1/diff', file);
    expect(d.to).toBeNull();
    const ingress = d.ports.find((x: any) => x.direction === 'ingress' && x.ethertype === 'IPv4');
    // Port 80 is gone (its rule is not in the file), and 22 only from 10/8 now.
    expect(ingress.newlyAllowed).toEqual([]);
    expect(ingress.newlyDenied.map((x: any) => [x.before.ruleId, x.after.kind])).toEqual(
      expect.arrayContaining([
        [sshRule, 'default'],
        [webRule, 'default'],
      ]),
    );
    const bad = await alice.request(
      'POST',
      '/v1/regions/hw-1/diff',
      { ...file, groups: [{ rules: 3 }] },
      { raw: true },
    );
    expect(bad.status).toBe(400);
    expect((bad.body as any).errors.map((e: any) => e.path)).toContain('body.groups[0].rules');

    const dir = mkdtempSync(join(tmpdir(), 'palisade-diff-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(file));
    const text = await cliAs(t, 'alice', ['diff', '-f', join(dir, 'policy.json')]);
    expect(text).toContain('newly denied');
    expect(text).toContain(`allow ${webRule}`);
  });

  it('the CLI prints a revision difference as a table, and as JSON', async () => {
    const text = await cliAs(t, 'alice', [
      'diff',
      '--region',
      'hw-1',
      '--from',
      String(before),
      '--to',
      String(after),
    ]);
    expect(text).toContain('newly allowed');
    expect(text).toContain('proto 6 ports 80 remote 10.0.0.0-10.255.255.255');
    expect(text).toContain(`allow ${webRule}`);
    expect(text).toContain('default deny');
    const json = JSON.parse(
      await cliAs(t, 'alice', ['diff', '--region', 'hw-1', '--from', String(after), '--json']),
    );
    expect(json.equivalent).toBe(true);
  });

  it('a write with ?preview=true answers its difference and the connections it cuts, and stores nothing', async () => {
    // The host's agent listed two connections of the port: one opened to it, one it opened.
    const flow = { protocol: 6, state: 'ESTABLISHED', replied: true, assured: true, remainingS: 400 };
    await t.admin.post('/v1/hosts/h1/status', {
      revision: after,
      closed: [],
      ruleHits: {},
      connections: [
        { ...flow, portId, origin: 'inbound', src: '10.1.2.3', dst: '10.0.0.5', sport: 40000, dport: 22 },
        { ...flow, portId, origin: 'outbound', src: '10.0.0.5', dst: '10.9.9.9', sport: 40001, dport: 443 },
      ],
    });
    const revision = (await alice.get<any>(`/v1/security-groups/${groupId}`)).revision;
    const res = await alice.request('DELETE', `/v1/security-groups/${groupId}/rules/${sshRule}?preview=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(PREVIEW);
    const p = res.body as any;
    expect(p).toMatchObject({ preview: true, regionId: 'hw-1', status: 204, equivalent: false });
    expect(p.events).toBeGreaterThan(0);
    expect(p.ports[0].newlyDenied[0]).toMatchObject({
      before: { kind: 'rule', ruleId: sshRule },
      after: { kind: 'default', verdict: 'deny' },
    });
    // Huawei clears the inbound entries of the group's members when an inbound allow goes: the
    // connection to port 22 is cut, the one the port opened survives.
    expect(p.connections.cut).toEqual([
      expect.objectContaining({
        portId,
        host: 'h1',
        src: '10.1.2.3',
        dport: 22,
        origin: 'inbound',
        reason: 'clearedByPolicy',
      }),
    ]);
    expect(p.connections.listedHosts).toEqual([expect.objectContaining({ host: 'h1', connections: 2 })]);
    // Nothing was written.
    const g = await alice.get<any>(`/v1/security-groups/${groupId}`);
    expect(g.revision).toBe(revision);
    expect(
      (await alice.get<any>(`/v1/security-groups/${groupId}/rules`)).items.map((r: any) => r.id),
    ).toContain(sshRule);
  });

  it('previews an added rule (it cuts nothing on huawei: only a deny clears), a membership change and address-group entries', async () => {
    const added = await alice.request('POST', `/v1/security-groups/${groupId}/rules?preview=true`, {
      direction: 'ingress',
      protocol: 'udp',
      ports: '53',
    });
    expect(added.status).toBe(200);
    const a = added.body as any;
    expect(a.result.id).toMatch(/./);
    expect(a.ports[0].newlyAllowed[0].after).toMatchObject({ kind: 'rule', ruleId: a.result.id });
    expect(a.connections).toMatchObject({ cut: [], modelled: [] });
    expect((await alice.get<any>(`/v1/security-groups/${groupId}/rules`)).items).toHaveLength(2);

    const vpc = (await alice.get<any>('/v1/vpcs')).items[0].id;
    const other = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc,
      name: 'o',
      template: 'empty',
    });
    const joined = await alice.request('POST', `/v1/ports/${portId}/groups?preview=true`, {
      groupId: other.id,
    });
    expect(joined.status).toBe(200);
    // Joining an empty group adds no rule: nothing newly allowed or denied, but 003 clears members.
    expect((joined.body as any).equivalent).toBe(true);
    expect((await alice.get<any>(`/v1/ports/${portId}`)).groupIds).toEqual([groupId]);

    const ag = await alice.post<any>('/v1/address-groups', {
      regionId: 'hw-1',
      name: 'ag',
      entries: ['10.2.0.0/16'],
    });
    const uses = await alice.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '8080',
      remoteAddressGroup: ag.id,
    });
    const changed = await alice.request('PATCH', `/v1/address-groups/${ag.id}?preview=true`, {
      add: ['10.3.0.0/16'],
    });
    expect(changed.status).toBe(200);
    const c = changed.body as any;
    expect(c.ports[0].newlyAllowed[0]).toMatchObject({
      packets: { boxes: [expect.objectContaining({ ports: ['8080'], remote: ['10.3.0.0-10.3.255.255'] })] },
      after: { ruleId: uses.id },
    });
    expect((await alice.get<any>(`/v1/address-groups/${ag.id}`)).entries).toEqual(['10.2.0.0/16']);
    const bad = await alice.request(
      'DELETE',
      `/v1/security-groups/${groupId}/rules/${sshRule}?preview=maybe`,
      undefined,
      {
        raw: true,
      },
    );
    expect(bad.status).toBe(400);
    expect((bad.body as any).errors[0].path).toBe('query.preview');
  });

  it("does not show another tenant's cut connections or ports", async () => {
    const res = await t.admin.request(
      'DELETE',
      `/v1/security-groups/${groupId}/rules/${sshRule}?preview=true`,
    );
    expect((res.body as any).connections.cut).toHaveLength(1);
    // bob cannot even see alice's group, so the write (and its preview) is a 404.
    const asBob = await bob.request(
      'DELETE',
      `/v1/security-groups/${groupId}/rules/${sshRule}?preview=true`,
      undefined,
      {
        raw: true,
      },
    );
    expect(asBob.status).toBe(404);
  });
  it("models the clearing of a port whose host's agent listed nothing", async () => {
    const vpc = (await alice.get<any>('/v1/vpcs')).items[0].id;
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc,
      name: 'vm2',
      ports: [{ ipv4: ['10.0.0.6'], groupIds: [groupId], host: 'h9' }],
    });
    const quiet = inst.ports[0].id;
    const res = await alice.request('DELETE', `/v1/security-groups/${groupId}/rules/${sshRule}?preview=true`);
    const p = res.body as any;
    expect(p.connections.modelled).toEqual([
      { portId: quiet, effect: 'inboundCleared', because: expect.stringContaining(sshRule) },
    ]);
    // The listed host's connection is still predicted from its listing, not modelled.
    expect(p.connections.cut.map((c: any) => c.portId)).toEqual([portId]);
    expect(p.ports.map((d: any) => d.portId).sort()).toEqual([portId, quiet].sort());
  });
});
