// A port's analysis over real HTTP and through the CLI, on both stores: effective rules with
// what each really decides, and findings (a narrower rule after a broader one is shadowed by
// it), for the caller's own port only.
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

const tcp22 = (remoteIpPrefix: string, priority: number) => ({
  direction: 'ingress',
  protocol: 'tcp',
  ports: '22',
  remoteIpPrefix,
  priority,
});

describe.each(['sqlite', 'postgres'] as const)('port analysis on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let portId: string;
  let groupId: string;
  const ruleIds: Record<string, string> = {};

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    alice = await newTenant(t.admin, t.url, 'alice');
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [tcp22('0.0.0.0/0', 1), tcp22('10.0.0.0/8', 2)],
    });
    groupId = g.id;
    for (const r of g.rules) ruleIds[r.remoteIpPrefix] = r.id;
    const inst = await alice.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [groupId] }],
    });
    portId = inst.ports[0].id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('shows each rule with what it decides, and finds the shadowed one', async () => {
    const a = await alice.get<any>(`/v1/ports/${portId}/analysis`);
    const ingress = a.effective.find((s: any) => s.direction === 'ingress' && s.ethertype === 'IPv4');
    expect(ingress.kind).toBe('policy');
    expect(ingress.entries.map((e: any) => [e.ruleId, e.decides])).toEqual([
      [ruleIds['0.0.0.0/0'], 'packets'],
      [ruleIds['10.0.0.0/8'], 'nothing'],
    ]);
    expect(ingress.entries[0].packets.boxes).toEqual([
      { protocols: ['6'], ports: ['22'], icmp: ['any'], sourcePorts: ['any'], remote: ['any'] },
    ]);
    expect(ingress.default.verdict).toBe('deny');
    expect(a.findings).toContainEqual({
      kind: 'shadowed',
      ruleId: ruleIds['10.0.0.0/8'],
      groupId,
      direction: 'ingress',
      ethertype: 'IPv4',
      by: [ruleIds['0.0.0.0/0']],
    });
  });

  it("is the caller's: another tenant's port is 404", async () => {
    const bob = await newTenant(t.admin, t.url, 'bob');
    await expect(bob.get(`/v1/ports/${portId}/analysis`)).rejects.toMatchObject({ status: 404 });
  });

  it('the CLI prints the effective rules and the finding', async () => {
    const text = await cliAs(t, 'alice', ['port', 'analyze', portId]);
    expect(text).toContain('shadowed');
    expect(text).toContain('(nothing)');
    expect(text).toContain(`6 ports 22 from any`);
  });
});

describe('group exposure', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'os-1', profile: 'openstack', quotas: { rulesPerGroup: 6 } });
    alice = await newTenant(t.admin, t.url, 'alice');
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('flags SSH open to everyone, all ports open, a wide range, the quota and an unused group; not what is narrow', async () => {
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'os-1', name: 'v' });
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'os-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '0.0.0.0/0' },
        { direction: 'ingress', protocol: 'tcp', ports: '3306', remoteIpPrefix: '10.0.0.0/8' },
        { direction: 'ingress', protocol: 'all', ethertype: 'IPv6' },
        { direction: 'ingress', protocol: 'udp', ports: '10000-20000', remoteIpPrefix: '0.0.0.0/0' },
        { direction: 'ingress', protocol: 'tcp', ports: '443', remoteIpPrefix: '0.0.0.0/0' },
        { direction: 'ingress', protocol: 'icmp', remoteIpPrefix: '0.0.0.0/0' },
      ],
    });
    const id = (prefix: string, ports?: string) =>
      g.rules.find(
        (r: any) =>
          (r.remoteIpPrefix ?? 'any') === prefix &&
          (ports === undefined || r.ports?.[0]?.from === Number(ports.split('-')[0])),
      )?.id;
    const e = await alice.get<any>(`/v1/security-groups/${g.id}/exposure`);
    const seen = e.findings.map((f: any) => [f.kind, f.ruleId ?? null]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['sensitivePortOpen', id('0.0.0.0/0', '22')],
        ['allPortsOpen', g.rules.find((r: any) => r.protocol === 'all').id],
        ['wideRangeOpen', id('0.0.0.0/0', '10000-20000')],
        // The wide range also holds memcached's 11211.
        ['sensitivePortOpen', id('0.0.0.0/0', '10000-20000')],
        ['nearRuleQuota', null],
        ['unusedGroup', null],
      ]),
    );
    expect(e.findings.filter((f: any) => f.kind === 'sensitivePortOpen').map((f: any) => f.ports)).toEqual([
      [22],
      [11211],
    ]);
    // MySQL from a private range, HTTPS and ICMP open to everyone are not flagged.
    const flagged = new Set(e.findings.map((f: any) => f.ruleId));
    expect(flagged.has(id('10.0.0.0/8', '3306'))).toBe(false);
    expect(flagged.has(id('0.0.0.0/0', '443'))).toBe(false);
    expect(e.findings).toHaveLength(6);
    const bob = await newTenant(t.admin, t.url, 'bob');
    await expect(bob.get(`/v1/security-groups/${g.id}/exposure`)).rejects.toMatchObject({ status: 404 });

    // The CLI prints the same findings as a table.
    const text = await cliAs(t, 'alice', ['group', 'exposure', g.id]);
    for (const kind of ['sensitivePortOpen', 'allPortsOpen', 'wideRangeOpen', 'nearRuleQuota', 'unusedGroup'])
      expect(text).toContain(kind);
  });
});
