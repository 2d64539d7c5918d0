// Translation between clouds over real HTTP and the CLI, on both stores: a Huawei region with a
// deny rule exported as AWS JSON (the deny is computed away, proven equivalent), imported into an
// OpenStack region in one write; a document shaped like AWS's own DescribeSecurityGroups example;
// a dry run writes nothing; a bad document is a 400 naming the field and changes nothing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Shaped like the example output of `aws ec2 describe-security-groups` in AWS's documentation. */
const AWS_EXAMPLE = {
  SecurityGroups: [
    {
      IpPermissionsEgress: [
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [], PrefixListIds: [] },
      ],
      Description: 'My security group',
      Tags: [{ Value: 'SG1', Key: 'Name' }],
      IpPermissions: [
        {
          IpProtocol: '-1',
          IpRanges: [],
          UserIdGroupPairs: [{ UserId: '123456789012', GroupId: 'sg-903004f8' }],
          PrefixListIds: [],
        },
        {
          PrefixListIds: [],
          FromPort: 22,
          IpRanges: [{ CidrIp: '203.0.113.0/24' }],
          ToPort: 22,
          IpProtocol: 'tcp',
          UserIdGroupPairs: [],
        },
      ],
      GroupName: 'MySecurityGroup',
      VpcId: 'vpc-1a2b3c4d',
      OwnerId: '123456789012',
      GroupId: 'sg-903004f8',
    },
  ],
};

describe.each(['sqlite', 'postgres'] as const)('translation between clouds on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let groupId: string;

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'os-1', profile: 'openstack' });
    await t.admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba' });
    alice = await newTenant(t.admin, t.url, 'alice');
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    // SSH from 10.0.0.0/8 except 10.0.0.0/24: a deny before an allow, which AWS cannot say.
    const g = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [
        {
          direction: 'ingress',
          protocol: 'tcp',
          ports: '22',
          remoteIpPrefix: '10.0.0.0/24',
          action: 'deny',
          priority: 1,
        },
        { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.0.0.0/8', priority: 2 },
        { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0', priority: 1 },
      ],
    });
    groupId = g.id;
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('exports a Huawei group with a deny rule as AWS JSON: computed allow rules, proven equivalent', async () => {
    const e = await alice.get<any>(`/v1/regions/hw-1/export?format=aws`);
    expect(e.equivalent).toBe(true);
    expect(e.differences).toEqual([]);
    expect(e.groups).toEqual([
      { id: groupId, name: 'web', method: 'computed', ruleCount: expect.any(Number) },
    ]);
    const sg = e.document.SecurityGroups[0];
    expect(sg.GroupId).toBe(groupId);
    const ssh = sg.IpPermissions.find((p: any) => p.IpProtocol === 'tcp');
    expect(ssh).toMatchObject({ FromPort: 22, ToPort: 22 });
    const cidrs = ssh.IpRanges.map((r: any) => r.CidrIp);
    // 10.0.0.0/8 less 10.0.0.0/24, as aligned blocks.
    expect(cidrs).toContain('10.128.0.0/9');
    expect(cidrs).toContain('10.0.1.0/24');
    expect(cidrs).not.toContain('10.0.0.0/24');
    expect(sg.IpPermissionsEgress).toEqual([
      expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ]);
    // The Huawei format carries the deny itself: rule by rule.
    const h = await alice.get<any>(`/v1/regions/hw-1/export?format=huawei`);
    expect(h.groups[0].method).toBe('direct');
    expect(h.document.security_groups[0].security_group_rules.map((r: any) => r.action)).toContain('deny');
  });

  it('imports the AWS export into an OpenStack region in one write; a round trip gives an equivalent group', async () => {
    const e = await alice.get<any>(`/v1/regions/hw-1/export?format=aws`);
    const before = (await alice.get<any>('/v1/security-groups?regionId=os-1')).items.length;
    const preview = await alice.request<any>(
      'POST',
      '/v1/regions/os-1/import?format=aws&dryRun=true',
      e.document,
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, equivalent: true, profile: 'openstack' });
    expect((await alice.get<any>('/v1/security-groups?regionId=os-1')).items).toHaveLength(before);
    const done = await alice.request<any>('POST', '/v1/regions/os-1/import?format=aws', e.document);
    expect(done.status).toBe(201);
    expect(done.body.groups).toEqual([
      {
        id: expect.any(String),
        sourceId: groupId,
        name: 'web',
        method: 'direct',
        ruleCount: expect.any(Number),
      },
    ]);
    const made = await alice.get<any>(`/v1/security-groups/${done.body.groups[0].id}`);
    expect(made.rules.every((r: any) => r.action === 'allow')).toBe(true);
    // Exported again from OpenStack as Huawei JSON and imported into Huawei: still equivalent.
    const back = await alice.get<any>(`/v1/regions/os-1/export?format=huawei`);
    expect(back.equivalent).toBe(true);
    const again = await alice.post<any>('/v1/regions/hw-1/import?format=huawei&dryRun=true', back.document);
    expect(again.equivalent).toBe(true);
  });

  it("imports AWS's documentation example: a self-referencing group and SSH from a range", async () => {
    const r = await alice.post<any>('/v1/regions/ali-1/import?format=aws', AWS_EXAMPLE);
    expect(r.equivalent).toBe(true);
    const g = await alice.get<any>(`/v1/security-groups/${r.groups[0].id}`);
    expect(g.name).toBe('MySecurityGroup');
    const self = g.rules.filter((x: any) => x.remoteGroup === g.id);
    // The pair names the group's members of either family; the reference follows the new id.
    expect(self.map((x: any) => x.ethertype).sort()).toEqual(['IPv4', 'IPv6']);
    expect(g.rules).toContainEqual(
      expect.objectContaining({
        protocol: 'tcp',
        ports: [{ from: 22, to: 22 }],
        remoteIpPrefix: '203.0.113.0/24',
      }),
    );
  });

  it('a bad document is a 400 naming the field, and writes nothing', async () => {
    const before = (await alice.get<any>('/v1/security-groups?regionId=os-1')).items.length;
    const bad = await alice.request<any>(
      'POST',
      '/v1/regions/os-1/import?format=aws',
      { SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22 }] }] },
      { raw: true },
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.SecurityGroups[0].IpPermissions[0]');
    const unknown = await alice.request<any>(
      'POST',
      '/v1/regions/os-1/import?format=neutron',
      {
        security_groups: [
          { id: 'a', security_group_rules: [{ direction: 'ingress', remote_group_id: 'nope' }] },
        ],
      },
      { raw: true },
    );
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('UNKNOWN_GROUP');
    const format = await alice.request<any>('GET', '/v1/regions/os-1/export?format=gcp', undefined, {
      raw: true,
    });
    expect(format.status).toBe(400);
    expect((await alice.get<any>('/v1/security-groups?regionId=os-1')).items).toHaveLength(before);
  });

  it("exports only the caller's groups", async () => {
    const bob = await newTenant(t.admin, t.url, `bob-${store}`);
    const e = await bob.get<any>('/v1/regions/hw-1/export?format=neutron');
    expect(e.document.security_groups).toEqual([]);
  });

  it('the CLI exports to a file and imports it with --dry-run, as tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-xlate-'));
    const file = join(dir, 'aws.json');
    const out = await cliAs(t, 'alice', ['export', '--region', 'hw-1', '--format', 'aws', '-o', file]);
    expect(out).toContain('computed');
    expect(out).toContain('equivalent');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.SecurityGroups[0].GroupName).toBe('web');
    const dry = await cliAs(t, 'alice', [
      'import',
      '--region',
      'os-1',
      '--format',
      'aws',
      '-f',
      file,
      '--dry-run',
    ]);
    expect(dry).toContain('dry run: nothing was written');
    const json = JSON.parse(
      await cliAs(t, 'alice', [
        'import',
        '--region',
        'os-1',
        '--format',
        'aws',
        '-f',
        file,
        '--dry-run',
        '--json',
      ]),
    );
    expect(json.dryRun).toBe(true);
    writeFileSync(join(dir, 'bad.json'), '{');
  });
});
