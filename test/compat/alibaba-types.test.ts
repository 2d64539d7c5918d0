// The JSON types of every answer the Alibaba ECS front end gives, against the official SDK's
// models: @alicloud/ecs20140526's `<Action>ResponseBody` classes carry the Tea spec's table of
// wire names (names()) and types (types(): 'string' | 'number' | 'boolean', a model, or an
// array of either). The answers are read raw (pop-core hands back the parsed JSON as sent), so
// a number where the spec says string (Permission.Priority was one) fails here, although the
// TypeScript SDK would quietly convert it (the Go and Python SDKs refuse it).
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { SUPPORTED_ACTIONS } from '../../src/compat/alibaba/index.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const load = createRequire(import.meta.url);
const ecs: any = load('@alicloud/ecs20140526');
const RPCClient: any = load('@alicloud/pop-core').RPCClient;

const REGION = 'cn-palisade-types';

type Scalar = 'string' | 'number' | 'boolean';

interface Walk {
  /** Type mismatches: `path: expected X, got Y`. */
  wrong: string[];
  /** Fields the SDK's model does not have (not a type error; listed to be noticed). */
  unknown: string[];
  /** Every scalar path seen, with [] for array elements. */
  seen: Set<string>;
}

const isModel = (t: unknown): t is { names(): Record<string, string>; types(): Record<string, unknown> } =>
  typeof t === 'function' && typeof (t as { names?: unknown }).names === 'function';

/** `value` against the SDK's type `type` at `path`. */
function check(type: unknown, value: unknown, path: string, w: Walk): void {
  if (value === undefined || value === null) return;
  if (typeof type === 'string') {
    if (type === 'any' || type === 'map') return;
    w.seen.add(path);
    if (typeof value !== type)
      w.wrong.push(`${path}: expected ${type}, got ${typeof value} ${JSON.stringify(value)}`);
    return;
  }
  if (isModel(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      w.wrong.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
      return;
    }
    const names = type.names();
    const types = type.types();
    const byWire = new Map(Object.entries(names).map(([k, wire]) => [wire, types[k]]));
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const at = path ? `${path}.${k}` : k;
      if (!byWire.has(k)) w.unknown.push(at);
      else check(byWire.get(k), v, at, w);
    }
    return;
  }
  const t = type as { type?: string; itemType?: unknown };
  if (t.type === 'array') {
    if (!Array.isArray(value)) {
      w.wrong.push(`${path}: expected an array, got ${JSON.stringify(value)}`);
      return;
    }
    for (const item of value) check(t.itemType, item, `${path}[]`, w);
    return;
  }
  if (t.type === 'map') return;
  w.wrong.push(`${path}: no rule for the SDK type ${JSON.stringify(type)}`);
}

/** The SDK's scalar type at a wire path such as `Permissions.Permission[].Priority`. */
function sdkType(action: string, path: string): Scalar | undefined {
  let type: unknown = ecs[`${action}ResponseBody`];
  for (const part of path.split('.')) {
    const name = part.replace(/\[\]$/, '');
    if (!isModel(type)) return undefined;
    const key = Object.entries(type.names()).find(([, wire]) => wire === name)?.[0];
    if (key === undefined) return undefined;
    type = type.types()[key];
    if (part.endsWith('[]')) type = (type as { itemType?: unknown }).itemType;
  }
  return typeof type === 'string' ? (type as Scalar) : undefined;
}

describe('Alibaba ECS answers have the SDK models field types', () => {
  let db: TestDatabase;
  let t: TestServer;
  let pop: any;
  let vpc: string;
  const ids: Record<string, string> = {};
  const walks = new Map<string, Walk>();

  const call = (action: string, params: Record<string, unknown> = {}) =>
    pop.request(action, { RegionId: REGION, ...params }, { method: 'POST' });

  /** Calls `action`, walks its answer against the SDK's model, and returns the answer. */
  async function walked(action: string, params: Record<string, unknown> = {}) {
    const body = await call(action, params);
    const model = ecs[`${action}ResponseBody`];
    expect(isModel(model), `${action}ResponseBody in the SDK`).toBe(true);
    const w = walks.get(action) ?? { wrong: [], unknown: [], seen: new Set<string>() };
    check(model, body, '', w);
    walks.set(action, w);
    return body;
  }

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: REGION, name: 'Types', profile: 'alibaba' });
    await t.admin.post('/v1/tenants', { id: 'typed', name: 'typed' });
    const key = await t.admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'typed' });
    const native = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    vpc = (
      await native.post<{ id: string }>('/v1/vpcs', { regionId: REGION, name: 'v', cidr: '10.0.0.0/16' })
    ).id;
    pop = new RPCClient({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      endpoint: t.url,
      apiVersion: '2014-05-26',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('walks a real answer of every served action against its SDK model', async () => {
    await walked('DescribeRegions');
    ids.web = (
      await walked('CreateSecurityGroup', {
        VpcId: vpc,
        SecurityGroupName: 'web',
        Description: 'web servers',
        Tag: [{ Key: 'env', Value: 'prod' }],
      })
    ).SecurityGroupId;
    ids.peer = (
      await walked('CreateSecurityGroup', { VpcId: vpc, SecurityGroupName: 'peer' })
    ).SecurityGroupId;
    ids.ent = (
      await walked('CreateSecurityGroup', {
        VpcId: vpc,
        SecurityGroupName: 'ent',
        SecurityGroupType: 'enterprise',
      })
    ).SecurityGroupId;
    ids.pl = (
      await walked('CreatePrefixList', {
        PrefixListName: 'offices',
        AddressFamily: 'IPv4',
        MaxEntries: 10,
        Description: 'office ranges',
        Entry: [{ Cidr: '203.0.113.0/24' }, { Cidr: '198.51.100.0/24' }],
      })
    ).PrefixListId;
    await walked('ModifyPrefixList', { PrefixListId: ids.pl, AddEntry: [{ Cidr: '192.0.2.0/24' }] });
    await walked('AuthorizeSecurityGroup', {
      SecurityGroupId: ids.web,
      Permissions: [
        {
          IpProtocol: 'tcp',
          PortRange: '22/22',
          SourceCidrIp: '10.0.0.0/8',
          Priority: '10',
          Description: 'ssh',
        },
        { IpProtocol: 'tcp', PortRange: '80/80', Ipv6SourceCidrIp: '2001:db8::/32' },
        { IpProtocol: 'all', PortRange: '-1/-1', SourceGroupId: ids.peer },
        { IpProtocol: 'udp', PortRange: '53/53', SourcePrefixListId: ids.pl, Policy: 'drop', Priority: '5' },
        { IpProtocol: 'tcp', PortRange: '443/443', SourcePortRange: '1024/65535', SourceCidrIp: '0.0.0.0/0' },
      ],
    });
    await walked('AuthorizeSecurityGroupEgress', {
      SecurityGroupId: ids.web,
      IpProtocol: 'icmp',
      PortRange: '-1/-1',
      DestCidrIp: '192.168.0.0/16',
    });
    const attr = await walked('DescribeSecurityGroupAttribute', { SecurityGroupId: ids.web });
    expect(attr.Permissions.Permission).toHaveLength(6);
    const ssh = attr.Permissions.Permission.find((p: any) => p.Description === 'ssh');
    expect(ssh.Priority).toBe('10');
    await walked('DescribeSecurityGroupAttribute', {
      SecurityGroupId: ids.web,
      MaxResults: 10,
      Direction: 'ingress',
    });
    await walked('DescribeSecurityGroupAttribute', { SecurityGroupId: ids.ent });
    await walked('ModifySecurityGroupRule', {
      SecurityGroupId: ids.web,
      SecurityGroupRuleId: ssh.SecurityGroupRuleId,
      Description: 'ssh (admins)',
    });
    await walked('ModifySecurityGroupEgressRule', {
      SecurityGroupId: ids.web,
      IpProtocol: 'icmp',
      PortRange: '-1/-1',
      DestCidrIp: '192.168.0.0/16',
      Description: 'ping',
    });
    await walked('ModifySecurityGroupAttribute', { SecurityGroupId: ids.web, Description: 'web tier' });
    await walked('ModifySecurityGroupPolicy', { SecurityGroupId: ids.web, InnerAccessPolicy: 'Drop' });
    await walked('DescribeSecurityGroups', {});
    await walked('DescribeSecurityGroups', { MaxResults: 2 });
    await walked('DescribeSecurityGroups', {
      PageNumber: 1,
      PageSize: 2,
      FuzzyQuery: true,
      SecurityGroupName: 'e',
    });
    await walked('DescribeSecurityGroupReferences', { SecurityGroupId: [ids.peer, ids.web] });

    const eni = await walked('CreateNetworkInterface', {
      VSwitchId: vpc,
      SecurityGroupId: ids.web,
      PrimaryIpAddress: '10.0.1.5',
      PrivateIpAddress: ['10.0.1.6'],
      Ipv6Address: ['2001:db8::5'],
      NetworkInterfaceName: 'eni-one',
    });
    ids.eni = eni.NetworkInterfaceId;
    await walked('JoinSecurityGroup', { SecurityGroupId: ids.peer, NetworkInterfaceId: ids.eni });
    await walked('DescribeNetworkInterfaces', {});
    await walked('DescribeNetworkInterfaces', { MaxResults: 10 });
    const instances = await walked('DescribeInstances', {});
    await walked('DescribeInstances', { PageSize: 10 });
    await walked('LeaveSecurityGroup', {
      SecurityGroupId: ids.peer,
      InstanceId: instances.Instances.Instance[0].InstanceId,
    });
    await walked('DescribeSecurityGroups', { SecurityGroupId: ids.web });
    await walked('DescribePrefixLists', {});
    await walked('DescribePrefixLists', { MaxResults: 10 });
    await walked('DescribePrefixListAttributes', { PrefixListId: ids.pl });
    const rules = (await call('DescribeSecurityGroupAttribute', { SecurityGroupId: ids.web })).Permissions
      .Permission;
    await walked('RevokeSecurityGroup', {
      SecurityGroupId: ids.web,
      SecurityGroupRuleId: rules
        .filter((p: any) => p.SourcePrefixListId)
        .map((p: any) => p.SecurityGroupRuleId),
    });
    await walked('RevokeSecurityGroupEgress', {
      SecurityGroupId: ids.web,
      IpProtocol: 'icmp',
      PortRange: '-1/-1',
      DestCidrIp: '192.168.0.0/16',
    });
    await walked('DeletePrefixList', { PrefixListId: ids.pl });
    await walked('DeleteNetworkInterface', { NetworkInterfaceId: ids.eni });
    await walked('DeleteSecurityGroup', { SecurityGroupId: ids.ent });

    // Every served action was walked, and no answer has a value of another type than the SDK's.
    expect([...walks.keys()].sort()).toEqual([...SUPPORTED_ACTIONS].sort());
    const wrong = [...walks].flatMap(([action, w]) => w.wrong.map((x) => `${action} ${x}`));
    expect(wrong).toEqual([]);
    // Fields the SDK's models do not know: none (a client would drop them).
    const unknown = [...walks].flatMap(([action, w]) => w.unknown.map((x) => `${action} ${x}`));
    expect([...new Set(unknown)]).toEqual([]);

    // The walk reached the fields that matter (arrays were not empty).
    const seen = (action: string) => walks.get(action)!.seen;
    for (const [action, path] of [
      ['DescribeSecurityGroupAttribute', 'Permissions.Permission[].Priority'],
      ['DescribeSecurityGroupAttribute', 'Permissions.Permission[].SourcePortRange'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].EcsCount'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].ServiceManaged'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].Tags.Tag[].TagKey'],
      ['DescribeSecurityGroups', 'TotalCount'],
      ['DescribeSecurityGroups', 'PageNumber'],
      [
        'DescribeSecurityGroupReferences',
        'SecurityGroupReferences.SecurityGroupReference[].ReferencingSecurityGroups.ReferencingSecurityGroup[].AliUid',
      ],
      ['DescribePrefixLists', 'PrefixLists.PrefixList[].MaxEntries'],
      ['DescribePrefixLists', 'PrefixLists.PrefixList[].AssociationCount'],
      ['DescribePrefixListAttributes', 'MaxEntries'],
      ['DescribePrefixListAttributes', 'Entries.Entry[].Cidr'],
      [
        'DescribeNetworkInterfaces',
        'NetworkInterfaceSets.NetworkInterfaceSet[].PrivateIpSets.PrivateIpSet[].Primary',
      ],
      ['DescribeNetworkInterfaces', 'NetworkInterfaceSets.NetworkInterfaceSet[].Attachment.DeviceIndex'],
      ['DescribeInstances', 'Instances.Instance[].VpcAttributes.PrivateIpAddress.IpAddress[]'],
      ['CreateNetworkInterface', 'PrivateIpSets.PrivateIpSet[].Primary'],
    ] as const)
      expect(seen(action).has(path), `${action} ${path} reached`).toBe(true);
  });

  it("the SDK's table agrees with the Go SDK's struct types for the fields issue 12 names", () => {
    // alibabacloud-go/ecs-20140526 client/*_response_body_model.go: *string, *int32, *bool.
    const pinned: [string, string, Scalar][] = [
      ['DescribeSecurityGroupAttribute', 'Permissions.Permission[].Priority', 'string'],
      ['DescribeSecurityGroupAttribute', 'Permissions.Permission[].CreateTime', 'string'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].RuleCount', 'number'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].EcsCount', 'number'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].AvailableInstanceAmount', 'number'],
      ['DescribeSecurityGroups', 'SecurityGroups.SecurityGroup[].ServiceManaged', 'boolean'],
      ['DescribePrefixLists', 'PrefixLists.PrefixList[].MaxEntries', 'number'],
      ['DescribePrefixLists', 'PrefixLists.PrefixList[].AssociationCount', 'number'],
      ['DescribePrefixListAttributes', 'MaxEntries', 'number'],
      [
        'DescribeNetworkInterfaces',
        'NetworkInterfaceSets.NetworkInterfaceSet[].Attachment.DeviceIndex',
        'number',
      ],
      [
        'DescribeNetworkInterfaces',
        'NetworkInterfaceSets.NetworkInterfaceSet[].PrivateIpSets.PrivateIpSet[].Primary',
        'boolean',
      ],
    ];
    for (const [action, path, type] of pinned) expect(sdkType(action, path), `${action} ${path}`).toBe(type);
  });
});
