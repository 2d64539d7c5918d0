// Errors carry data, not prose: the service layer fills a ServiceError's typed fields where it
// throws, and the front ends translate on the code and those fields alone. A front end that
// decided on the message would answer differently for two messages; here none does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromServiceError as alibaba } from '../../src/compat/alibaba/errors.js';
import { fromServiceError as huawei } from '../../src/compat/huawei/errors.js';
import { fromServiceError as neutron, toKeystone } from '../../src/compat/openstack/errors.js';
import {
  ERROR_CODES,
  type ErrorCode,
  type ErrorFacts,
  type Resource,
  ServiceError,
} from '../../src/control/errors.js';
import { createGroup, deleteGroup } from '../../src/control/ops/groups.js';
import { addRule, getRule } from '../../src/control/ops/rules.js';
import { createRegion, createTenant } from '../../src/control/ops/tenancy.js';
import { type Principal, Service } from '../../src/control/service.js';
import type { Quotas } from '../../src/core/model.js';
import { openStore, type Store } from '../../src/store/open.js';

const admin: Principal = { role: 'admin', keyId: 'PKADMIN' };

async function refusal(run: () => Promise<unknown>): Promise<ServiceError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

describe('the service layer fills the typed fields where it throws', () => {
  let dir: string;
  let store: Store;
  let svc: Service;
  let groupId: string;
  let ruleId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-errors-'));
    store = await openStore(join(dir, 'palisade.db'));
    svc = await Service.open(store);
    await createTenant(svc, admin, { id: 't1', name: 't1' }, {});
    await createRegion(svc, admin, { id: 'os-1', profile: 'openstack', quotas: { rulesPerGroup: 1 } }, {});
    const g = await createGroup(
      svc,
      admin,
      { regionId: 'os-1', tenantId: 't1', name: 'web', template: 'empty' },
      {},
    );
    groupId = (g.body as { id: string }).id;
    const r = await addRule(svc, admin, groupId, { direction: 'ingress', protocol: 'tcp', ports: '22' }, {});
    ruleId = r.body.id;
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a duplicate rule names the rule it duplicates', async () => {
    const e = await refusal(() =>
      addRule(svc, admin, groupId, { direction: 'ingress', protocol: 'tcp', ports: '22' }, {}),
    );
    expect(e).toMatchObject({ status: 409, code: 'DUPLICATE_RULE', existingRuleId: ruleId });
    expect(neutron(e, 'security_group_rule')).toMatchObject({
      type: 'SecurityGroupRuleExists',
      message: `Security group rule already exists. Rule id is ${ruleId}.`,
    });
  });

  it('a quota names the quota and its limit', async () => {
    const e = await refusal(() =>
      addRule(svc, admin, groupId, { direction: 'ingress', protocol: 'tcp', ports: '80' }, {}),
    );
    expect(e).toMatchObject({ status: 409, code: 'QUOTA_EXCEEDED', quota: 'rulesPerGroup', limit: 1 });
    expect(neutron(e, 'security_group')).toMatchObject({
      type: 'OverQuota',
      message: "Quota exceeded for resources: ['security_group_rule'].",
    });
  });

  it('a missing object names its kind and id', async () => {
    const e = await refusal(() => getRule(svc, admin, groupId, 'sgr-missing'));
    expect(e).toMatchObject({ status: 404, code: 'NOT_FOUND', resource: 'rule', id: 'sgr-missing' });
    expect(neutron(e, 'security_group_rule')).toMatchObject({
      type: 'SecurityGroupRuleNotFound',
      message: 'Security group rule sgr-missing does not exist',
    });
  });

  it('a revision conflict names the expected and the actual revision', async () => {
    const e = await refusal(() => deleteGroup(svc, admin, groupId, { ifMatch: 999 }));
    expect(e).toMatchObject({ status: 412, code: 'REVISION_MISMATCH', expected: 999 });
    expect(e.actual).toEqual(expect.any(Number));
    expect(neutron(e, 'security_group')).toMatchObject({
      type: 'RevisionNumberConstraintFailed',
      message: `Constrained to 999, but current revision is ${e.actual}`,
    });
  });

  it("a change-count conflict names the expected and the object's own count", async () => {
    const e = await refusal(() => deleteGroup(svc, admin, groupId, { ifChangeCount: 999 }));
    expect(e).toMatchObject({ status: 412, code: 'REVISION_MISMATCH', expected: 999, actual: 1 });
    expect(neutron(e, 'security_group')).toMatchObject({
      type: 'RevisionNumberConstraintFailed',
      message: 'Constrained to 999, but current revision is 1',
    });
  });
});

describe('the front ends translate on the code and the typed fields', () => {
  it('a message that says nothing still becomes the right cloud error', () => {
    const dup = new ServiceError(409, 'DUPLICATE_RULE', 'nothing here', [], { existingRuleId: 'sgr-42' });
    expect(neutron(dup, 'security_group_rule')).toMatchObject({
      status: 409,
      type: 'SecurityGroupRuleExists',
      message: 'Security group rule already exists. Rule id is sgr-42.',
    });
    const quota = new ServiceError(409, 'QUOTA_EXCEEDED', 'nothing here', [], { quota: 'groupsPerTenant' });
    expect(alibaba(quota, { action: 'CreateSecurityGroup' })).toMatchObject({
      status: 403,
      code: 'QuotaExceed.SecurityGroup',
    });
    const missing = new ServiceError(404, 'NOT_FOUND', 'nothing here', [], {
      resource: 'addressGroup',
      id: 'ag-1',
    });
    expect(neutron(missing, 'security_group')).toMatchObject({
      type: 'AddressGroupNotFound',
      message: 'Address group ag-1 could not be found.',
    });
    expect(alibaba(missing, { action: 'DescribePrefixListAttributes' })).toMatchObject({
      code: 'InvalidPrefixListId.NotFound',
    });
  });

  // Every code, with every kind of object and every quota: two messages, the same decision.
  const resources: Resource[] = [
    'tenant',
    'region',
    'vpc',
    'group',
    'rule',
    'instance',
    'port',
    'membership',
    'addressGroup',
    'accessKey',
    'user',
    'applicationCredential',
  ];
  const quotas: (keyof Quotas)[] = [
    'groupsPerTenant',
    'rulesPerGroup',
    'groupsPerPort',
    'portsPerGroup',
    'groupReferenceRulesPerGroup',
    'rulesPerPort',
    'addressGroupsPerTenant',
    'entriesPerAddressGroup',
  ];
  const facts: ErrorFacts[] = [
    {},
    ...resources.map((resource) => ({ resource, id: 'x-1' })),
    ...quotas.map((quota) => ({ quota, limit: 3 })),
    { expected: 1, actual: 2, existingRuleId: 'sgr-1', referencedBy: ['sg-2'], value: '10.0.0.0/33' },
  ];
  const statuses = [400, 401, 404, 409, 429];
  const answers = (message: string, status: number, code: ErrorCode, f: ErrorFacts) => {
    const e = new ServiceError(
      status,
      code,
      message,
      [{ path: 'body.rules[0].remote.cidr', code, message }],
      f,
    );
    const n = neutron(e, 'security_group');
    const a = alibaba(e, {
      action: 'AuthorizeSecurityGroup',
      direction: 'ingress',
      ruleParam: () => 'Permissions.1',
    });
    const h = huawei(e);
    const k = toKeystone(e);
    const all = [
      [n.status, 'type' in n ? n.type : n.title, n.message],
      [a.status, a.code, a.message],
      [h.status, h.code, h.message],
      [k.status, k.title, k.message],
    ];
    return JSON.stringify(all.map((row) => row.map((x) => String(x).replaceAll(message, '<message>'))));
  };

  it('no answer depends on the message except by quoting it', () => {
    const one = 'same rule as sgr-9 at revision 3, not 4 rulesPerGroup';
    const two = 'security group "sg-7" groupsPerTenant addressGroups of x';
    const differ: string[] = [];
    for (const code of ERROR_CODES)
      for (const status of statuses)
        for (const f of facts)
          if (answers(one, status, code, f) !== answers(two, status, code, f))
            differ.push(`${status} ${code} ${JSON.stringify(f)}`);
    expect(differ).toEqual([]);
  });
});

describe('ERROR_CODES', () => {
  it("holds every code the core's validation reports", () => {
    const sources = ['src/core/validate.ts', 'src/policy/load.ts'].map((f) => readFileSync(f, 'utf8'));
    const codes = new Set(
      sources.flatMap((s) => [...s.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((m) => m[1])),
    );
    expect(codes.size).toBeGreaterThan(30);
    expect([...codes].filter((c) => !(ERROR_CODES as readonly string[]).includes(c))).toEqual([]);
  });
});
