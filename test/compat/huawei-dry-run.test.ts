// Huawei's dry_run is the service's own dry run: the write is decided exactly as for real (every
// check and quota, the per-port rule quota included), answered 202, and nothing is stored. Before,
// the front end re-implemented the checks and let a rule over the per-port quota pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/compat/huawei/signing.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const REGION = 'cn-south-1';

describe('Huawei dry_run through the service', () => {
  let db: TestDatabase;
  let t: TestServer;
  let key: { id: string; secret: string };
  let group: string;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const url = `${t.url}/v3/${REGION}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = signRequest({ ak: key.id, sk: key.secret }, method, url, text);
    const res = await fetch(url, { method, headers, ...(text ? { body: text } : {}) });
    const raw = await res.text();
    return { status: res.status, json: raw ? JSON.parse(raw) : undefined };
  }
  const ruleCount = async () => (await t.admin.get<any>(`/v1/security-groups/${group}`)).ruleCount as number;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    // A group starts with four rules; its member port may carry five rules over all its groups.
    await t.admin.post('/v1/regions', { id: REGION, profile: 'huawei', quotas: { rulesPerPort: 5 } });
    await t.admin.post('/v1/tenants', { id: 'alice', name: 'alice' });
    key = await t.admin.post<any>('/v1/access-keys', { tenantId: 'alice' });
    const g = await call('POST', '/vpc/security-groups', { security_group: { name: 'web' } });
    group = g.json.security_group.id;
    const { vpcId } = await t.admin.get<any>(`/v1/security-groups/${group}`);
    await t.admin.post('/v1/instances', {
      regionId: REGION,
      vpcId,
      tenantId: 'alice',
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [group] }],
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const rule = (port: number) => ({
    security_group_id: group,
    direction: 'ingress',
    protocol: 'tcp',
    multiport: String(port),
    remote_ip_prefix: '10.1.0.0/16',
  });

  it('a dry run that passes answers 202 and stores nothing', async () => {
    const before = await ruleCount();
    const r = await call('POST', '/vpc/security-group-rules', {
      dry_run: true,
      security_group_rule: rule(22),
    });
    expect(r.status).toBe(202);
    expect(r.json.error_code).toBe('SYS.0202');
    expect(await ruleCount()).toBe(before);
  });

  it("a dry run over the port's rule quota is refused as the real write is", async () => {
    expect((await call('POST', '/vpc/security-group-rules', { security_group_rule: rule(80) })).status).toBe(
      201,
    );
    const dry = await call('POST', '/vpc/security-group-rules', {
      dry_run: true,
      security_group_rule: rule(443),
    });
    const real = await call('POST', '/vpc/security-group-rules', { security_group_rule: rule(443) });
    expect(dry.status).not.toBe(202);
    expect(dry.status).toBe(real.status);
    expect(dry.json.error_msg).toBe(real.json.error_msg);
    expect(await ruleCount()).toBe(5);
  });

  it('no remote and 0.0.0.0/0 are one rule: a batch repeating it names the earlier entry', async () => {
    const batch = await call('POST', `/vpc/security-groups/${group}/security-group-rules/batch-create`, {
      dry_run: true,
      security_group_rules: [
        { direction: 'egress', protocol: 'tcp', multiport: '25' },
        { direction: 'egress', protocol: 'tcp', multiport: '25', remote_ip_prefix: '0.0.0.0/0' },
      ],
    });
    expect(batch.status).toBe(409);
    expect(batch.json.error_msg).toBe(
      'Security group rule already exists. Rule id is the same as security_group_rules[0].',
    );
  });
});
