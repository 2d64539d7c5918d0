// `--preview` on the CLI's writes, over real HTTP on both stores: the command sends its write with
// ?preview=true, prints the packets newly allowed and denied and the live connections the host's
// agent listed that the change will cut, and nothing is stored; --json prints the API's Preview
// body; a write the server refuses is refused the same way with or without --preview.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

interface CliRun {
  code: number;
  out: string;
  err: string;
}

describe.each(STORES)('CLI --preview on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let env: Record<string, string>;
  let vpcId: string;
  let groupId: string;
  let sshRule: string;
  let portId: string;

  async function cli(argv: string[]): Promise<CliRun> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await run(argv, {
        out: (x) => out.push(x),
        err: (x) => err.push(x),
        readFile: (p) => readFileSync(p, 'utf8'),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
      process.env = saved;
    }
  }
  async function ok(argv: string[]): Promise<string> {
    const r = await cli(argv);
    expect(r.code, r.err).toBe(0);
    return r.out;
  }
  const ruleIds = async (group: string) =>
    (await alice.get<any>(`/v1/security-groups/${group}/rules`)).items.map((r: any) => r.id);

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    const key = await t.admin.post<any>('/v1/access-keys', { tenantId: 'alice' });
    env = {
      PALISADE_SERVER: t.url,
      PALISADE_ACCESS_KEY_ID: key.id,
      PALISADE_ACCESS_KEY_SECRET: key.secret,
    };
    vpcId = (await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' })).id;
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId,
      name: 'web',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '0.0.0.0/0' }],
    });
    groupId = g.id;
    sshRule = g.rules[0].id;
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [groupId], host: 'h1' }],
    });
    portId = inst.ports[0].id;
    // The host's agent listed two connections of the port: one opened to it on 22, one it opened.
    const flow = { protocol: 6, state: 'ESTABLISHED', replied: true, assured: true, remainingS: 400 };
    await t.admin.post('/v1/hosts/h1/status', {
      revision: inst.revision,
      closed: [],
      ruleHits: {},
      connections: [
        { ...flow, portId, origin: 'inbound', src: '10.1.2.3', dst: '10.0.0.5', sport: 40000, dport: 22 },
        { ...flow, portId, origin: 'outbound', src: '10.0.0.5', dst: '10.9.9.9', sport: 40001, dport: 443 },
      ],
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('rule rm --preview prints the packets newly denied and the connection it cuts, and deletes nothing', async () => {
    const revision = (await alice.get<any>(`/v1/security-groups/${groupId}`)).revision;
    const text = await ok(['rule', 'rm', groupId, sshRule, '--preview']);
    expect(text).toContain('preview, nothing written: the write would answer 204');
    const denied = text.split('\n').find((l) => l.includes('newly denied'));
    expect(denied).toContain(portId);
    expect(denied).toContain('proto 6 ports 22 remote any');
    expect(denied).toContain(`allow ${sshRule}`);
    expect(denied).toContain('default deny');
    expect(text).not.toContain('newly allowed');
    // Huawei clears the members' inbound entries when an inbound allow goes: the connection to 22
    // is cut; the one the port opened to 443 is not.
    const cut = text.split('\n').find((l) => l.includes('10.1.2.3:40000'));
    expect(cut).toContain('10.0.0.5:22');
    expect(cut).toContain('inbound');
    expect(cut).toContain('ESTABLISHED');
    expect(cut).toContain('clearedByPolicy');
    expect(text).not.toContain('10.9.9.9');
    expect(text).toMatch(/hosts listed: h1 \(2 connections/);
    // Nothing was stored: the rule is there, the group at its revision.
    expect(await ruleIds(groupId)).toContain(sshRule);
    expect((await alice.get<any>(`/v1/security-groups/${groupId}`)).revision).toBe(revision);
  });

  it("--json prints the API's Preview body", async () => {
    const printed = JSON.parse(await ok(['rule', 'rm', groupId, sshRule, '--preview', '--json']));
    const api = await alice.request('DELETE', `/v1/security-groups/${groupId}/rules/${sshRule}?preview=true`);
    expect(printed).toEqual(api.body);
    expect(printed).toMatchObject({ preview: true, status: 204, equivalent: false });
    // Several ids are one batch write, previewed as one.
    const second = await alice.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '25',
    });
    const batch = JSON.parse(await ok(['rule', 'rm', groupId, sshRule, second.id, '--preview', '--json']));
    const deniedBy = batch.ports[0].newlyDenied.map((d: any) => d.before.ruleId).sort();
    expect(deniedBy).toEqual([sshRule, second.id].sort());
    expect(await ruleIds(groupId)).toEqual(expect.arrayContaining([sshRule, second.id]));
    await alice.delete(`/v1/security-groups/${groupId}/rules/${second.id}`);
  });

  it('rule add --preview shows the packets newly allowed by the rule it would create, and adds none', async () => {
    const before = await ruleIds(groupId);
    const p = JSON.parse(
      await ok([
        'rule',
        'add',
        groupId,
        '--direction',
        'ingress',
        '--protocol',
        'udp',
        '--ports',
        '53',
        '--preview',
        '--json',
      ]),
    );
    expect(p.status).toBe(201);
    expect(p.ports[0].newlyAllowed[0].after).toMatchObject({ kind: 'rule', ruleId: p.result.id });
    expect(await ruleIds(groupId)).toEqual(before);
  });

  it('rule modify --preview: the narrowed remote newly denies the rest and cuts the connection from it; rule modify writes', async () => {
    const text = await ok(['rule', 'modify', groupId, sshRule, '--remote-ip', '10.0.0.0/8', '--preview']);
    expect(text).toContain('the write would answer 200');
    const denied = text.split('\n').filter((l) => l.includes('newly denied'));
    expect(denied.join('\n')).toContain(
      'proto 6 ports 22 remote 0.0.0.0-9.255.255.255,11.0.0.0-255.255.255.255',
    );
    expect(text.split('\n').find((l) => l.includes('10.1.2.3:40000'))).toContain('clearedByPolicy');
    expect((await alice.get<any>(`/v1/security-groups/${groupId}/rules/${sshRule}`)).remoteIpPrefix).toBe(
      '0.0.0.0/0',
    );
    // Without --preview the same command writes; with no field it is a usage error.
    const spare = await alice.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '3000',
    });
    await ok(['rule', 'modify', groupId, spare.id, '--ports', '3001']);
    expect((await alice.get<any>(`/v1/security-groups/${groupId}/rules/${spare.id}`)).ports).toEqual([
      { from: 3001, to: 3001 },
    ]);
    expect((await cli(['rule', 'modify', groupId, spare.id, '--preview'])).code).toBe(2);
    await alice.delete(`/v1/security-groups/${groupId}/rules/${spare.id}`);
  });

  it('port join --preview shows what the joined group newly allows; the port stays out of it', async () => {
    const other = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId,
      name: 'https',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '443', remoteIpPrefix: '10.0.0.0/8' }],
    });
    const text = await ok(['port', 'join', portId, other.id, '--preview']);
    expect(text).toContain('the write would answer 200');
    const allowed = text.split('\n').find((l) => l.includes('newly allowed'));
    expect(allowed).toContain('proto 6 ports 443 remote 10.0.0.0-10.255.255.255');
    expect(allowed).toContain(`allow ${other.rules[0].id}`);
    expect(text).not.toContain('newly denied');
    expect((await alice.get<any>(`/v1/ports/${portId}`)).groupIds).toEqual([groupId]);
  });

  it('address-group add-entry --preview shows the newly allowed addresses; the entries stay', async () => {
    const ag = await alice.post<any>('/v1/address-groups', {
      regionId: 'hw-1',
      name: 'office',
      entries: ['10.2.0.0/16'],
    });
    const uses = await alice.post<any>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '8080',
      remoteAddressGroup: ag.id,
    });
    const text = await ok(['address-group', 'add-entry', ag.id, '10.3.0.0/16', '--preview']);
    const allowed = text.split('\n').find((l) => l.includes('newly allowed'));
    expect(allowed).toContain('proto 6 ports 8080 remote 10.3.0.0-10.3.255.255');
    expect(allowed).toContain(`allow ${uses.id}`);
    expect((await alice.get<any>(`/v1/address-groups/${ag.id}`)).entries).toEqual(['10.2.0.0/16']);
    await alice.delete(`/v1/security-groups/${groupId}/rules/${uses.id}`);
  });

  it('group delete --preview of an unused group: equivalent, and the group is still there', async () => {
    const spare = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId,
      name: 'spare',
      template: 'empty',
    });
    const text = await ok(['group', 'delete', spare.id, '--preview']);
    expect(text).toContain('equivalent: no packet of any port gets another verdict');
    expect(text).toContain('connections it will cut: none listed by the agents');
    expect((await alice.get<any>(`/v1/security-groups/${spare.id}`)).id).toBe(spare.id);
  });

  it('instance delete --preview: its port goes, so both listed connections are cut; the instance stays', async () => {
    const instanceId = (await alice.get<any>(`/v1/ports/${portId}`)).instanceId;
    const p = JSON.parse(await ok(['instance', 'delete', instanceId, '--preview', '--json']));
    expect(p).toMatchObject({ preview: true, status: 204, equivalent: false });
    expect(p.ports[0].newlyDenied[0].after).toEqual({ kind: 'portAbsent' });
    expect(p.connections.cut.map((c: any) => [c.dport, c.origin, c.reason])).toEqual([
      [22, 'inbound', 'portLeft'],
      [443, 'outbound', 'portLeft'],
    ]);
    const text = await ok(['instance', 'delete', instanceId, '--preview']);
    expect(text.split('\n').find((l) => l.includes('newly denied'))).toContain('portAbsent');
    expect(text.split('\n').find((l) => l.includes('10.9.9.9:443'))).toContain('portLeft');
    expect((await alice.get<any>(`/v1/instances/${instanceId}`)).id).toBe(instanceId);
  });

  it('a write the server refuses is refused the same way with --preview, naming the same problem', async () => {
    for (const argv of [
      ['rule', 'rm', groupId, 'sgr-nonexistent'],
      ['port', 'leave', portId, groupId],
      ['group', 'delete', groupId],
      ['address-group', 'add-entry', 'ag-nonexistent', '10.0.0.0/8'],
    ]) {
      const write = await cli(argv);
      const preview = await cli([...argv, '--preview']);
      expect(write.code, argv.join(' ')).toBe(1);
      expect(preview).toEqual(write);
      expect(preview.err).toMatch(/^palisade: [A-Z_]+: /);
    }
    expect((await cli(['port', 'leave', portId, groupId, '--preview'])).err).toContain('LAST_GROUP');
    expect((await cli(['group', 'delete', groupId, '--preview'])).err).toContain('GROUP_IN_USE');
    expect(await ruleIds(groupId)).toContain(sshRule);
  });
});
