// A group's findings over its member ports, and its compaction, over real HTTP and through the
// CLI on both stores: a finding that holds on every member says so, one that holds on some
// lists them, a group without members is analysed alone; the compaction is answered without
// writing, then written in one write, after which flow checks decide as before and a second
// compaction finds nothing to do.
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

const tcp = (ports: string, remoteIpPrefix: string, priority: number, action = 'allow') => ({
  direction: 'ingress',
  protocol: 'tcp',
  ports,
  remoteIpPrefix,
  priority,
  action,
});

describe.each(['sqlite', 'postgres'] as const)('group findings and compaction on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let vpcId: string;
  let web: any;
  let first: any;
  let alone: string;
  let inWebOnly: string;
  let inBoth: string;
  const id = (g: any, ports: string, prefix: string) =>
    g.rules.find((r: any) => r.remoteIpPrefix === prefix && `${r.ports[0].from}` === ports.split('-')[0]).id;

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    vpcId = (await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' })).id;
    const group = (name: string, rules: unknown[]) =>
      alice.post<any>('/v1/security-groups', { regionId: 'hw-1', vpcId, name, template: 'empty', rules });
    web = await group('web', [
      tcp('22', '0.0.0.0/0', 1),
      tcp('22', '10.0.0.0/8', 2),
      tcp('80', '10.1.0.0/25', 3),
      tcp('80', '10.1.0.128/25', 3),
      tcp('8080', '192.168.0.0/16', 4),
      tcp('8081', '192.168.0.0/16', 4),
    ]);
    first = await group('first', [tcp('22', '10.0.0.0/8', 1, 'deny')]);
    alone = (await group('lonely', [tcp('22', '0.0.0.0/0', 1), tcp('22', '10.0.0.0/8', 2)])).id;
    const port = async (name: string, ip: string, groupIds: string[]) =>
      (
        await alice.post<any>('/v1/instances', {
          regionId: 'hw-1',
          vpcId,
          name,
          ports: [{ ipv4: [ip], groupIds }],
        })
      ).ports[0].id;
    inWebOnly = await port('a', '10.0.0.5', [web.id]);
    // Huawei's group sequence: `first` before `web`.
    inBoth = await port('b', '10.0.0.6', [first.id, web.id]);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('findings say on which member ports they hold', async () => {
    const f = await alice.get<any>(`/v1/security-groups/${web.id}/findings`);
    expect(f.members).toEqual({ ports: [inWebOnly, inBoth].sort(), otherTenantsPorts: 0 });
    expect(f.findings).toContainEqual({
      kind: 'shadowed',
      ruleId: id(web, '22', '10.0.0.0/8'),
      direction: 'ingress',
      ethertype: 'IPv4',
      by: expect.arrayContaining([id(web, '22', '0.0.0.0/0'), first.rules[0].id]),
      holds: 'everyPort',
      ports: [inWebOnly, inBoth].sort(),
      otherTenantsPorts: 0,
    });
    expect(f.findings).toContainEqual(
      expect.objectContaining({
        kind: 'partiallyShadowed',
        ruleId: id(web, '22', '0.0.0.0/0'),
        holds: 'somePorts',
        ports: [inBoth],
        by: [first.rules[0].id],
      }),
    );
    const lonely = await alice.get<any>(`/v1/security-groups/${alone}/findings`);
    expect(lonely.members.ports).toEqual([]);
    expect(lonely.findings).toContainEqual(
      expect.objectContaining({ kind: 'shadowed', holds: 'groupAlone', ports: [] }),
    );
    const bob = await newTenant(t.admin, t.url, 'bob');
    await expect(bob.get(`/v1/security-groups/${web.id}/findings`)).rejects.toMatchObject({ status: 404 });
    await expect(bob.post(`/v1/security-groups/${web.id}/compact?apply=true`)).rejects.toMatchObject({
      status: 404,
    });
    await expect(alice.post(`/v1/security-groups/${web.id}/compact?apply=maybe`)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('the CLI prints the findings', async () => {
    const text = await cliAs(t, 'alice', ['group', 'findings', web.id]);
    expect(text).toContain('shadowed');
    expect(text).toContain('every member port');
    expect(text).toContain(inBoth);
  });

  it('proposes a smaller equivalent rule set, writes nothing, then writes it in one write', async () => {
    const check = (src: string, port: number) =>
      alice
        .post<any>('/v1/regions/hw-1/flows:check', {
          from: src,
          to: inWebOnly,
          protocol: 'tcp',
          dstPort: port,
        })
        .then((x) => x.verdict);
    const probes: [string, number][] = [
      ['10.1.0.1', 80],
      ['10.1.0.200', 80],
      ['10.1.1.1', 80],
      ['192.168.3.4', 8080],
      ['192.168.3.4', 8081],
      ['192.168.3.4', 8082],
      ['10.2.0.1', 22],
    ];
    const verdicts = async () => Promise.all(probes.map(([src, p]) => check(src, p)));
    const before = await verdicts();
    expect(before).toContain('allow');
    expect(before).toContain('deny');

    const proposal = await alice.post<any>(`/v1/security-groups/${web.id}/compact?apply=false`);
    expect(proposal.applied).toBe(false);
    expect(proposal.outcome).toBe('compacted');
    expect(proposal.counts).toEqual({ before: 6, after: 3, dropped: 1, merged: 4, added: 2 });
    expect(proposal.proof.equivalent).toBe(true);
    // Both member ports and the group alone, both directions and families.
    expect(proposal.proof.checks).toHaveLength(3 * 4);
    expect(proposal.removed).toContainEqual({
      ruleId: id(web, '22', '10.0.0.0/8'),
      reason: 'dropped',
      into: [],
    });
    expect(proposal.rules.map((r: any) => [r.ports, r.remoteIpPrefix])).toEqual(
      expect.arrayContaining([
        [[{ from: 80, to: 80 }], '10.1.0.0/24'],
        [[{ from: 8080, to: 8081 }], '192.168.0.0/16'],
      ]),
    );
    expect((await alice.get<any>(`/v1/security-groups/${web.id}`)).rules).toHaveLength(6);

    const written = await alice.post<any>(`/v1/security-groups/${web.id}/compact?apply=true`);
    expect(written.applied).toBe(true);
    const now = await alice.get<any>(`/v1/security-groups/${web.id}`);
    expect(now.rules).toHaveLength(3);
    expect(now.rules.map((r: any) => r.id).sort()).toEqual(written.rules.map((r: any) => r.id).sort());
    expect(written.rules.some((r: any) => r.id.startsWith('new:'))).toBe(false);
    expect(await verdicts()).toEqual(before);

    const again = await alice.post<any>(`/v1/security-groups/${web.id}/compact?apply=true`);
    expect(again).toMatchObject({ applied: false, outcome: 'unchanged', counts: { before: 3, after: 3 } });
  });

  it('the CLI shows a proposal and applies it', async () => {
    const text = await cliAs(t, 'alice', ['group', 'compact', alone]);
    expect(text).toContain('2 rules -> 1');
    expect(text).toContain('not written');
    expect((await alice.get<any>(`/v1/security-groups/${alone}`)).rules).toHaveLength(2);
    const json = JSON.parse(await cliAs(t, 'alice', ['group', 'compact', alone, '--apply', '--json']));
    expect(json.applied).toBe(true);
    expect((await alice.get<any>(`/v1/security-groups/${alone}`)).rules).toHaveLength(1);
  });

  it('refuses to apply over a stale If-Match, and writes nothing', async () => {
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId,
      name: 'halves',
      template: 'empty',
      rules: [tcp('443', '10.2.0.0/25', 1), tcp('443', '10.2.0.128/25', 1)],
    });
    await alice.post(`/v1/security-groups/${g.id}/rules`, tcp('444', '10.3.0.0/16', 1));
    await expect(
      alice.post(`/v1/security-groups/${g.id}/compact?apply=true`, {}, { 'if-match': `"${g.revision}"` }),
    ).rejects.toMatchObject({ status: 412 });
    expect((await alice.get<any>(`/v1/security-groups/${g.id}`)).rules).toHaveLength(3);
  });
});
