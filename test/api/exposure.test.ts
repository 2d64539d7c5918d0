// The exposure lint over real HTTP and the CLI, on both stores: a region's lint finds the
// default group left open, one group used for everything, a group per instance and a port
// under too many rules, for the caller's own groups and ports only; a policy in the request
// sets thresholds, the sensitive ports and severities, and a bad one is a 400 naming its field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';
import { cliAs } from '../support/cli.js';

const tcp = (ports: string, remoteIpPrefix = '10.0.0.0/8') => ({
  direction: 'ingress',
  protocol: 'tcp',
  ports,
  remoteIpPrefix,
});

describe.each(STORES)('exposure lint of a region on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  const g: Record<string, any> = {};
  let crowded: any;

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba' });
    alice = await newTenant(t.admin, t.url, 'alice');
    const vpc = (await alice.post<any>('/v1/vpcs', { regionId: 'ali-1', name: 'v' })).id;
    const group = (name: string, rules: unknown[]) =>
      alice.post<any>('/v1/security-groups', {
        regionId: 'ali-1',
        vpcId: vpc,
        name,
        template: 'empty',
        rules,
      });
    g.default = await group('default', [tcp('22', '0.0.0.0/0'), tcp('443', '0.0.0.0/0')]);
    g.all = await group('all', [tcp('80'), tcp('3306')]);
    // Three groups of one instance each, alike but for one rule.
    for (const name of ['vm-a', 'vm-b', 'vm-c'])
      g[name] = await group(name, [tcp('8080'), tcp('9090'), ...(name === 'vm-c' ? [tcp('9091')] : [])]);
    const instance = (name: string, groupIds: string[], n: number) =>
      alice.post<any>('/v1/instances', {
        regionId: 'ali-1',
        vpcId: vpc,
        name,
        ports: [{ ipv4: [`10.0.0.${n}`], groupIds }],
      });
    for (let i = 0; i < 5; i++) await instance(`web${i}`, [g.all.id], 10 + i);
    crowded = (await instance('crowded', [g.all.id, g['vm-a'].id], 20)).ports[0];
    await instance('b', [g['vm-b'].id], 21);
    await instance('c', [g['vm-c'].id], 22);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const kinds = (e: any) => e.findings.map((f: any) => f.kind);

  it('finds the default group left open, one group for everything and a group per instance', async () => {
    const e = await alice.get<any>('/v1/regions/ali-1/exposure');
    expect(e.regionId).toBe('ali-1');
    expect(e.policy.catchAllShare).toBe(0.8);
    const open = e.findings.filter((f: any) => f.kind === 'defaultGroupOpen');
    expect(open.map((f: any) => f.ruleId).sort()).toEqual(g.default.rules.map((r: any) => r.id).sort());
    expect(open.every((f: any) => f.groupId === g.default.id && f.severity === 'medium' && f.fix)).toBe(true);
    // "all" is the only group of 5 of alice's 8 ports: under 80%, not yet flagged.
    expect(kinds(e)).not.toContain('catchAllGroup');
    // vm-a holds one instance (crowded), as do vm-b and vm-c.
    expect(e.findings).toContainEqual(
      expect.objectContaining({
        kind: 'groupPerInstance',
        severity: 'low',
        groupIds: [g['vm-a'].id, g['vm-b'].id, g['vm-c'].id].sort(),
        count: 3,
      }),
    );
    expect(kinds(e)).not.toContain('tooManyEffectiveRules');
  });

  it('applies the policy in the body: thresholds, severities, findings turned off', async () => {
    const e = await alice.post<any>('/v1/regions/ali-1/exposure', {
      policy: {
        catchAllShare: 0.6,
        maxEffectiveRules: 3,
        severities: { defaultGroupOpen: 'high', groupPerInstance: 'off' },
      },
    });
    expect(e.policy).toMatchObject({ catchAllShare: 0.6, maxEffectiveRules: 3, widestRange: 100 });
    expect(e.findings).toContainEqual(
      expect.objectContaining({ kind: 'catchAllGroup', groupId: g.all.id, count: 5, severity: 'medium' }),
    );
    expect(e.findings).toContainEqual(
      expect.objectContaining({ kind: 'tooManyEffectiveRules', portId: crowded.id, count: 4 }),
    );
    expect(kinds(e)).not.toContain('groupPerInstance');
    expect(e.findings.filter((f: any) => f.kind === 'defaultGroupOpen').map((f: any) => f.severity)).toEqual([
      'high',
      'high',
    ]);
    // A group's own lint takes a policy too: 443 as a sensitive port, 22 no longer.
    const one = await alice.post<any>(`/v1/security-groups/${g.default.id}/exposure`, {
      policy: { sensitivePorts: [443] },
    });
    expect(
      one.findings.filter((f: any) => f.kind === 'sensitivePortOpen').map((f: any) => [f.ruleId, f.ports]),
    ).toEqual([[g.default.rules.find((r: any) => r.ports[0].from === 443).id, [443]]]);
  });

  it('refuses a bad policy with a 400 naming the field, and changes nothing', async () => {
    const before = await alice.get<any>('/v1/regions/ali-1/exposure');
    for (const [policy, path] of [
      [{ quotaShare: 1.5 }, 'body.policy.quotaShare'],
      [{ catchAllShare: 0 }, 'body.policy.catchAllShare'],
      [{ sensitivePorts: [70000] }, 'body.policy.sensitivePorts[0]'],
      [{ severities: { allPortsOpen: 'urgent' } }, 'body.policy.severities.allPortsOpen'],
      [{ severities: { constructor: 'off' } }, 'body.policy.severities.constructor'],
      [{ perInstanceGroups: 1 }, 'body.policy.perInstanceGroups'],
      [{ widestRange: 'wide' }, 'body.policy.widestRange'],
    ] as const) {
      const res = await alice.request<any>('POST', '/v1/regions/ali-1/exposure', { policy }, { raw: true });
      expect([policy, res.status, res.body.errors?.map((x: any) => x.path)]).toEqual([
        policy,
        400,
        expect.arrayContaining([path]),
      ]);
    }
    expect((await alice.get<any>('/v1/regions/ali-1/exposure')).revision).toBe(before.revision);
  });

  it("lints only the caller's groups and ports; an unknown region is 404", async () => {
    const bob = await newTenant(t.admin, t.url, 'bob');
    expect((await bob.get<any>('/v1/regions/ali-1/exposure')).findings).toEqual([]);
    await expect(
      bob.post(`/v1/security-groups/${g.default.id}/exposure`, { policy: {} }),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(alice.get('/v1/regions/nowhere/exposure')).rejects.toMatchObject({ status: 404 });
  });

  it('the CLI prints the region lint, with a policy file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-lint-'));
    try {
      const file = join(dir, 'lint.yaml');
      writeFileSync(file, 'catchAllShare: 0.6\nseverities:\n  defaultGroupOpen: "off"\n');
      const text = await cliAs(t, 'alice', ['region', 'exposure', 'ali-1', '--lint-policy', file]);
      expect(text).toContain('catchAllGroup');
      expect(text).toContain('groupPerInstance');
      expect(text).not.toContain('defaultGroupOpen');
      const json = JSON.parse(await cliAs(t, 'alice', ['region', 'exposure', 'ali-1', '--json']));
      expect(json.findings.map((f: any) => f.kind)).toContain('defaultGroupOpen');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
