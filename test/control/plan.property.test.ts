// Plan and apply against the reference evaluator: for random policies of every profile, applied
// to a region one after the other (the first to an empty region, the second over it), the
// stored region afterwards decides every sampled packet of every port as the file does; a plan
// of the file just applied has nothing to change; and a rule both files hold in the same group
// keeps its stored id through the second apply. The repository's example files apply the same way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy, planPolicy } from '../../src/control/ops/plan.js';
import { createRegion, createTenant } from '../../src/control/ops/tenancy.js';
import { type Principal, Service } from '../../src/control/service.js';
import { ruleInputOf } from '../../src/control/views.js';
import type { Direction, Packet, Profile, RegionState } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { ruleIdentity } from '../../src/core/validate.js';
import { loadPolicy } from '../../src/policy/load.js';
import { openStore, type Store } from '../../src/store/open.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';

const admin: Principal = { role: 'admin', keyId: 'PKADMIN' };
const DIRECTIONS: Direction[] = ['ingress', 'egress'];

/** A generated region as a policy document, as a user would write it. */
function documentOf(state: RegionState, regionId: string) {
  return {
    apiVersion: 'palisade/v1',
    region: { id: regionId, profile: state.region.profile },
    tenants: [{ id: 't1' }],
    vpcs: state.vpcs.map((v) => ({ id: v.id, name: v.name })),
    addressGroups: state.addressGroups.map((a) => ({ id: a.id, entries: a.entries })),
    groups: state.groups.map((g) => ({
      id: g.id,
      vpc: g.vpcId,
      type: g.type,
      stateful: g.stateful,
      ...(state.region.profile === 'alibaba' ? { innerAccessPolicy: g.innerAccessPolicy } : {}),
      rules: g.rules.map((r) => ruleInputOf(r)),
    })),
    instances: state.instances.map((i) => ({
      id: i.id,
      vpc: i.vpcId,
      ports: i.ports.map((p) => ({
        id: p.id,
        ipv4: p.ipv4,
        ipv6: p.ipv6,
        virtualIps: p.virtualIps,
        nicType: p.nicType,
        groups: p.groupIds,
      })),
    })),
  };
}

function addressesUnique(state: RegionState): boolean {
  const all = state.instances.flatMap((i) => i.ports.flatMap((p) => [...p.ipv4, ...p.ipv6]));
  return new Set(all).size === all.length;
}

/** The file's ports and the stored ports they became (instances by name, ports by place). */
function portPairs(file: RegionState, stored: RegionState): [string, string][] {
  return file.instances.flatMap((inst) => {
    const twin = stored.instances.find((s) => s.name === inst.name)!;
    return inst.ports.map((p, k): [string, string] => [p.id, twin.ports[k].id]);
  });
}

function expectSameVerdicts(file: RegionState, stored: RegionState, packets: Packet[]): void {
  const a = new RegionIndex(file);
  const b = new RegionIndex(stored);
  for (const [filePort, storedPort] of portPairs(file, stored))
    for (const direction of DIRECTIONS)
      for (const packet of packets) {
        const want = referenceExplain(a, filePort, direction, packet).verdict;
        const got = referenceExplain(b, storedPort, direction, packet).verdict;
        expect(got, JSON.stringify({ filePort, direction, packet })).toBe(want);
      }
}

describe('apply makes the stored region decide as the file does', () => {
  let dir: string;
  let store: Store;
  let svc: Service;
  let regions = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-plan-'));
    store = await openStore(join(dir, 'palisade.db'));
    svc = await Service.open(store);
    await createTenant(svc, admin, { id: 't1', name: 't1' }, {});
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of KINDS)
    it(`${kind}: two random files applied one after the other`, async () => {
      const profile = (kind.startsWith('alibaba') ? 'alibaba' : kind) as Profile;
      await fc.assert(
        fc.asyncProperty(
          regionArb(kind),
          regionArb(kind),
          fc.array(packetArb, { minLength: 10, maxLength: 20 }),
          async (first, second, packets) => {
            const docs = [first, second].map((s) => ({ s, doc: documentOf(s, `r${regions + 1}`) }));
            const loaded = docs.map(({ doc }) => loadPolicy(JSON.stringify(doc)).state);
            // Generated regions the loader refuses (a duplicate rule, say) are not files, nor are
            // those the service refuses for any write (two ports with one address).
            fc.pre(loaded.every((s) => s !== null) && [first, second].every(addressesUnique));
            const regionId = `r${++regions}`;
            await createRegion(svc, admin, { id: regionId, profile }, {});
            let storedRules = new Map<string, string>();
            for (const [i, { doc }] of docs.entries()) {
              const file = loaded[i]!;
              const applied = await applyPolicy(svc, admin, regionId, { document: doc }, {});
              const stored = svc.world.regionState(regionId)!;
              expectSameVerdicts(file, stored, packets);
              // The same file again: nothing to change.
              const again = await planPolicy(svc, admin, regionId, { document: doc });
              expect(again.plan.changes).toEqual([]);
              expect(again.plan.revision).toBe((applied.body as { revision: number }).revision);
              // A rule of the first file the second keeps (same group, same rule) keeps its id; groups and
              // address groups match by name, so their ids in remotes are the same on both sides.
              const rulesNow = new Map(
                stored.groups.flatMap((g) =>
                  g.rules.map((r) => [`${g.name}|${ruleIdentity(profile, r)}`, r.id]),
                ),
              );
              if (i === 1)
                for (const [key, id] of rulesNow)
                  if (storedRules.has(key)) expect(id, key).toBe(storedRules.get(key));
              storedRules = rulesNow;
            }
          },
        ),
        { numRuns: 10 },
      );
    });
});

describe("the repository's example files", () => {
  let dir: string;
  let store: Store;
  let svc: Service;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-plan-examples-'));
    store = await openStore(join(dir, 'palisade.db'));
    svc = await Service.open(store);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['alibaba-advanced', 'alibaba-basic', 'alibaba-classic', 'huawei', 'openstack'])
    it(`${name}.yaml: applies to an empty region, then decides as the file does and plans nothing`, async () => {
      const document = parse(readFileSync(`examples/${name}.yaml`, 'utf8')) as {
        region: { id: string; profile: Profile };
        tenants?: { id: string }[];
      };
      const file = loadPolicy(JSON.stringify(document)).state!;
      for (const t of file.tenants)
        if (!svc.world.tenants.has(t.id)) await createTenant(svc, admin, { id: t.id, name: t.id }, {});
      await createRegion(svc, admin, { id: document.region.id, profile: document.region.profile }, {});
      const req = { document, tenantId: file.tenants[0].id };
      const applied = await applyPolicy(svc, admin, document.region.id, req, {});
      expect((applied.body as { applied: boolean }).applied).toBe(true);
      const packets = fc.sample(packetArb, { numRuns: 40, seed: 7 });
      expectSameVerdicts(file, svc.world.regionState(document.region.id)!, packets);
      expect((await planPolicy(svc, admin, document.region.id, req)).plan.changes).toEqual([]);
    });
});
