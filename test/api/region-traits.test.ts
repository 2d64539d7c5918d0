// A region's answer carries its profile's rule traits (what the console's rule form offers):
// over real HTTP on both stores, for each profile, and in agreement with what the API then
// accepts and refuses (deny, priorities at the edges of the range, group remotes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import { PROFILES } from '../../src/core/model.js';
import type { RegionTraits } from '../../src/core/rule-traits.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

type Traits = RegionTraits;

async function refusal(
  call: Promise<unknown>,
): Promise<{ status: number; fields: string[]; codes: string[] }> {
  try {
    await call;
  } catch (e: any) {
    const problems: { path: string; code: string }[] = e.problem?.errors ?? [];
    return { status: e.status, fields: problems.map((p) => p.path), codes: problems.map((p) => p.code) };
  }
  throw new Error('the write was accepted');
}

describe.each(['sqlite', 'postgres'] as const)('region traits on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  const groups = new Map<string, string>();

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    alice = await newTenant(t.admin, t.url, 'alice');
    for (const profile of PROFILES) {
      await t.admin.post('/v1/regions', { id: `${profile}-1`, profile });
      const vpc = await alice.post<any>('/v1/vpcs', { regionId: `${profile}-1`, name: 'v' });
      const g = await alice.post<any>('/v1/security-groups', {
        regionId: `${profile}-1`,
        vpcId: vpc.id,
        name: 'g',
        template: 'empty',
      });
      groups.set(profile, g.id);
    }
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("answers each profile's traits on GET /v1/regions/{id} and the list", async () => {
    const hw = await alice.get<{ traits: Traits }>('/v1/regions/huawei-1');
    expect(hw.traits).toEqual({
      priority: { min: 1, max: 100, default: 1, reserved: null },
      multiPortRules: true,
      sourcePorts: false,
      statelessGroups: false,
      clearing: { reevaluate: false, onlyWhenNarrowing: true },
      // Huawei keeps a port's groups apart, in sequence: their order decides.
      groupOrderMatters: true,
      groupTypes: {
        basic: {
          denyRules: true,
          priorities: true,
          remoteKinds: ['cidr', 'group', 'addressGroup'],
          evaluation: 'firstMatch',
        },
      },
    });
    const os = await alice.get<{ traits: Traits }>('/v1/regions/openstack-1');
    expect(os.traits.groupTypes).toEqual({
      basic: {
        denyRules: false,
        priorities: false,
        remoteKinds: ['cidr', 'group', 'addressGroup'],
        evaluation: 'anyAllow',
      },
    });
    expect(os.traits.multiPortRules).toBe(false);
    expect(os.traits.groupOrderMatters).toBe(false);
    const ali = await alice.get<{ traits: Traits }>('/v1/regions/alibaba-1');
    expect(ali.traits.priority.reserved).toBe(110);
    expect(ali.traits.groupTypes.advanced).toEqual({
      denyRules: false,
      priorities: false,
      remoteKinds: ['cidr', 'addressGroup'],
      evaluation: 'anyAllow',
    });
    const list = await alice.get<{ items: { id: string; traits: Traits }[] }>('/v1/regions');
    expect(list.items.find((r) => r.id === 'huawei-1')!.traits).toEqual(hw.traits);
    // An operator's region write answers them too.
    const patched = await t.admin.patch<{ traits: Traits }>('/v1/regions/openstack-1', { name: 'Open' });
    expect(patched.traits).toEqual(os.traits);
  });

  it('agrees with what the API accepts and refuses', async () => {
    for (const profile of PROFILES) {
      const { traits } = await alice.get<{ traits: Traits }>(`/v1/regions/${profile}-1`);
      const basic = traits.groupTypes.basic!;
      const rules = `/v1/security-groups/${groups.get(profile)}/rules`;
      const rule = (extra: object) => ({
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        remoteIpPrefix: '10.0.0.0/8',
        ...extra,
      });
      const deny = alice.post(rules, rule({ action: 'deny', ports: '23' }));
      if (basic.denyRules) expect(((await deny) as any).action).toBe('deny');
      else expect(await refusal(deny)).toMatchObject({ status: 400, fields: ['body.action'] });
      if (basic.priorities) {
        const top = await alice.post<any>(rules, rule({ priority: traits.priority.max, ports: '24' }));
        expect(top.priority).toBe(traits.priority.max);
        expect(await refusal(alice.post(rules, rule({ priority: traits.priority.max + 1 })))).toMatchObject({
          status: 400,
          fields: ['body.priority'],
          codes: ['PRIORITY_OUT_OF_RANGE'],
        });
      } else {
        expect(await refusal(alice.post(rules, rule({ priority: 5 })))).toMatchObject({
          status: 400,
          fields: ['body.priority'],
          codes: ['PRIORITY_NOT_SUPPORTED'],
        });
      }
      const plain = await alice.post<any>(rules, rule({ ports: '25' }));
      expect(plain.priority).toBe(traits.priority.default);
    }
  });
});
