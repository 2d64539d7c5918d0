// One bad value per row: the validator names the field path and a stable code; the same
// state without the bad value validates cleanly.
import { describe, expect, it } from 'vitest';
import type { Profile, RegionState } from '../../src/core/model.js';
import { validateRegionState } from '../../src/core/validate.js';
import { addressGroup, egress, group, ingress, port, region } from '../support/build.js';

function base(profile: Profile): RegionState {
  return region(
    profile,
    [
      group(
        'web',
        [ingress('tcp', { id: 'r0', ports: '22' }), egress('all', { id: 'r1', from: '0.0.0.0/0' })],
        { innerAccessPolicy: profile === 'alibaba' ? 'Accept' : 'Accept' },
      ),
      group('db', [ingress('tcp', { id: 'r2', ports: '5432', from: 'sg:web' })]),
    ],
    [port('p1', '10.0.0.1', ['web']), port('p2', '10.0.0.2', ['db'], { ipv6: ['2001:db8::2'] })],
    [addressGroup('ag', ['192.168.0.0/16'])],
  );
}

type Row = [name: string, profile: Profile, mutate: (s: RegionState) => void, path: string, code: string];

const rule0 = (s: RegionState) => s.groups[0].rules[0];

const rows: Row[] = [
  [
    'port above 65535',
    'huawei',
    (s) => (rule0(s).ports = [{ from: 22, to: 70000 }]),
    'groups[0].rules[0].ports[0].to',
    'PORT_OUT_OF_RANGE',
  ],
  [
    'port 0',
    'huawei',
    (s) => (rule0(s).ports = [{ from: 0, to: 10 }]),
    'groups[0].rules[0].ports[0].from',
    'PORT_OUT_OF_RANGE',
  ],
  [
    'min > max',
    'openstack',
    (s) => (rule0(s).ports = [{ from: 90, to: 80 }]),
    'groups[0].rules[0].ports[0]',
    'PORT_RANGE_INVERTED',
  ],
  [
    'ports on icmp',
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: 'icmp' }),
    'groups[0].rules[0].ports',
    'PORTS_NOT_ALLOWED',
  ],
  [
    'ICMP type > 255',
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: 'icmp', ports: undefined, icmpType: 256 }),
    'groups[0].rules[0].icmpType',
    'ICMP_OUT_OF_RANGE',
  ],
  [
    'ICMP code without type',
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: 'icmp', ports: undefined, icmpCode: 1 }),
    'groups[0].rules[0].icmpCode',
    'ICMP_CODE_WITHOUT_TYPE',
  ],
  [
    'ICMP type on tcp',
    'huawei',
    (s) => Object.assign(rule0(s), { icmpType: 8 }),
    'groups[0].rules[0].icmpType',
    'ICMP_FIELD_NOT_ALLOWED',
  ],
  [
    'icmp on IPv6',
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: 'icmp', ports: undefined, ethertype: 'IPv6' }),
    'groups[0].rules[0].protocol',
    'PROTOCOL_ETHERTYPE_MISMATCH',
  ],
  [
    'protocol 300',
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: 300, ports: undefined }),
    'groups[0].rules[0].protocol',
    'PROTOCOL_OUT_OF_RANGE',
  ],
  [
    'unknown protocol name',
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: 'tcpp' }),
    'groups[0].rules[0].protocol',
    'UNKNOWN_PROTOCOL',
  ],
  ...['constructor', 'toString', '__proto__'].map((name): Row => [
    `protocol named like an Object.prototype member (${name})`,
    'huawei',
    (s) => Object.assign(rule0(s), { protocol: name }),
    'groups[0].rules[0].protocol',
    'UNKNOWN_PROTOCOL',
  ]),
  [
    'invalid CIDR',
    'huawei',
    (s) => (rule0(s).remote = { kind: 'cidr', cidr: '10.0.0.0/33' }),
    'groups[0].rules[0].remote.cidr',
    'INVALID_CIDR',
  ],
  [
    'CIDR family differs from ethertype',
    'openstack',
    (s) => (rule0(s).remote = { kind: 'cidr', cidr: '2001:db8::/32' }),
    'groups[0].rules[0].remote.cidr',
    'CIDR_ETHERTYPE_MISMATCH',
  ],
  [
    'deny on openstack',
    'openstack',
    (s) => (rule0(s).action = 'deny'),
    'groups[0].rules[0].action',
    'DENY_NOT_SUPPORTED',
  ],
  [
    'priority on openstack',
    'openstack',
    (s) => (rule0(s).priority = 5),
    'groups[0].rules[0].priority',
    'PRIORITY_NOT_SUPPORTED',
  ],
  [
    'priority 101 on huawei',
    'huawei',
    (s) => (rule0(s).priority = 101),
    'groups[0].rules[0].priority',
    'PRIORITY_OUT_OF_RANGE',
  ],
  [
    'priority 110 on huawei',
    'huawei',
    (s) => (rule0(s).priority = 110),
    'groups[0].rules[0].priority',
    'PRIORITY_OUT_OF_RANGE',
  ],
  [
    'deny in an advanced group',
    'alibaba',
    (s) =>
      Object.assign(
        s.groups[0],
        { type: 'advanced', innerAccessPolicy: 'Drop' },
        { rules: [{ ...rule0(s), action: 'deny' }] },
      ),
    'groups[0].rules[0].action',
    'DENY_NOT_SUPPORTED',
  ],
  [
    'priority in an advanced group',
    'alibaba',
    (s) =>
      Object.assign(
        s.groups[0],
        { type: 'advanced', innerAccessPolicy: 'Drop' },
        { rules: [{ ...rule0(s), priority: 7 }] },
      ),
    'groups[0].rules[0].priority',
    'PRIORITY_NOT_SUPPORTED',
  ],
  [
    'Accept on an advanced group',
    'alibaba',
    (s) => Object.assign(s.groups[0], { type: 'advanced', innerAccessPolicy: 'Accept', rules: [] }),
    'groups[0].innerAccessPolicy',
    'INNER_ACCESS_NOT_SUPPORTED',
  ],
  [
    'advanced group on huawei',
    'huawei',
    (s) => Object.assign(s.groups[0], { type: 'advanced', innerAccessPolicy: 'Drop' }),
    'groups[0].type',
    'GROUP_TYPE_NOT_SUPPORTED',
  ],
  [
    'advanced group referenced',
    'alibaba',
    (s) => Object.assign(s.groups[0], { type: 'advanced', innerAccessPolicy: 'Drop', rules: [] }),
    'groups[1].rules[0].remote.groupId',
    'ADVANCED_GROUP_REFERENCE',
  ],
  [
    'source ports on huawei',
    'huawei',
    (s) => (rule0(s).sourcePorts = [{ from: 1, to: 2 }]),
    'groups[0].rules[0].sourcePorts',
    'SOURCE_PORTS_NOT_SUPPORTED',
  ],
  [
    'internet NIC rule in a VPC group',
    'alibaba',
    (s) => (rule0(s).nicType = 'internet'),
    'groups[0].rules[0].nicType',
    'NIC_TYPE_NOT_SUPPORTED',
  ],
  [
    'stateless group on huawei',
    'huawei',
    (s) => (s.groups[0].stateful = false),
    'groups[0].stateful',
    'STATELESS_NOT_SUPPORTED',
  ],
  [
    'mixing basic and advanced on a port',
    'alibaba',
    (s) => {
      s.groups.push(group('adv', [], { type: 'advanced', innerAccessPolicy: 'Drop' }));
      s.instances[0].ports[0].groupIds.push('adv');
    },
    'instances[0].ports[0].groups',
    'MIXED_GROUP_TYPES',
  ],
  [
    'mixing stateful and stateless on a port',
    'openstack',
    (s) => {
      s.groups.push(group('sl', [], { stateful: false }));
      s.instances[0].ports[0].groupIds.push('sl');
    },
    'instances[0].ports[0].groups',
    'MIXED_STATEFULNESS',
  ],
  [
    'duplicate membership',
    'huawei',
    (s) => s.instances[0].ports[0].groupIds.push('web'),
    'instances[0].ports[0].groups[1]',
    'DUPLICATE_MEMBERSHIP',
  ],
  [
    'port with no group',
    'huawei',
    (s) => (s.instances[0].ports[0].groupIds = []),
    'instances[0].ports[0].groups',
    'NO_GROUP',
  ],
  [
    'unknown remote group',
    'huawei',
    (s) => (rule0(s).remote = { kind: 'group', groupId: 'nope' }),
    'groups[0].rules[0].remote.groupId',
    'UNKNOWN_GROUP',
  ],
  [
    'cross-tenant remote group',
    'huawei',
    (s) => {
      s.tenants.push({ id: 't2', name: 't2' });
      s.groups[1].tenantId = 't2';
      s.vpcs.push({ id: 'vpc-2', tenantId: 't2', regionId: 'r1', name: 'v2' });
      s.groups[1].vpcId = 'vpc-2';
      s.instances[1].tenantId = 't2';
      s.instances[1].vpcId = 'vpc-2';
      s.groups[1].rules = [];
      rule0(s).remote = { kind: 'group', groupId: 'db' };
    },
    'groups[0].rules[0].remote.groupId',
    'UNKNOWN_GROUP', // another tenant's group is reported as missing, never as existing
  ],
  [
    'unknown address group',
    'huawei',
    (s) => (rule0(s).remote = { kind: 'addressGroup', addressGroupId: 'x' }),
    'groups[0].rules[0].remote.addressGroupId',
    'UNKNOWN_ADDRESS_GROUP',
  ],
  [
    'address group family differs',
    'huawei',
    (s) => {
      s.addressGroups[0].ethertype = 'IPv6';
      s.addressGroups[0].entries = ['2001:db8::/32'];
      rule0(s).remote = { kind: 'addressGroup', addressGroupId: 'ag' };
    },
    'groups[0].rules[0].remote.addressGroupId',
    'ADDRESS_GROUP_ETHERTYPE_MISMATCH',
  ],
  [
    'bad address-group entry',
    'huawei',
    (s) => (s.addressGroups[0].entries = ['300.1.1.1']),
    'addressGroups[0].entries[0]',
    'INVALID_CIDR',
  ],
  [
    'bad port address',
    'huawei',
    (s) => (s.instances[0].ports[0].ipv4 = ['2001:db8::1']),
    'instances[0].ports[0].ipv4[0]',
    'INVALID_ADDRESS',
  ],
  [
    'port joined to a group of another VPC (alibaba groups belong to one VPC)',
    'alibaba',
    (s) => {
      s.vpcs.push({ id: 'vpc-2', tenantId: 't1', regionId: 'r1', name: 'v2' });
      s.groups[0].vpcId = 'vpc-2';
    },
    'instances[0].ports[0].groups[0]',
    'VPC_MISMATCH',
  ],
  ['duplicate group id', 'huawei', (s) => s.groups.push(group('web', [])), 'groups[2].id', 'DUPLICATE_ID'],
  [
    'second default group on openstack',
    'openstack',
    (s) => s.groups.push(group('d1', [], { name: 'default' }), group('d2', [], { name: 'default' })),
    'groups[3].name',
    'DEFAULT_GROUP_EXISTS',
  ],
  [
    'duplicate rule on huawei',
    'huawei',
    (s) => s.groups[0].rules.push({ ...rule0(s), id: 'again', description: 'other text' }),
    'groups[0].rules[2]',
    'DUPLICATE_RULE',
  ],
  [
    'alibaba timeout above 910 s',
    'alibaba',
    (s) => (s.region.conntrackTimeouts = { ...s.region.conntrackTimeouts, tcpEstablished: 1000 }),
    'region.conntrackTimeouts.tcpEstablished',
    'TIMEOUT_TOO_LONG',
  ],
  [
    'zero timeout',
    'huawei',
    (s) => (s.region.conntrackTimeouts = { ...s.region.conntrackTimeouts, icmp: 0 }),
    'region.conntrackTimeouts.icmp',
    'INVALID_TIMEOUT',
  ],
];

describe('validation: every bad value is named by path and code', () => {
  it.each(['alibaba', 'huawei', 'openstack'] as const)('the base %s state is valid', (profile) => {
    expect(validateRegionState(base(profile))).toEqual([]);
  });

  it.each(['huawei', 'openstack'] as const)(
    'lets a port join a group of another VPC on %s (groups are region- or project-wide)',
    (profile) => {
      const s = base(profile);
      s.vpcs.push({ id: 'vpc-2', tenantId: 't1', regionId: 'r1', name: 'v2' });
      s.groups[0].vpcId = 'vpc-2';
      expect(validateRegionState(s)).toEqual([]);
    },
  );

  it.each(rows)('%s (%s)', (_name, profile, mutate, path, code) => {
    const s = base(profile);
    mutate(s);
    const errors = validateRegionState(s);
    expect(errors).toContainEqual(expect.objectContaining({ path, code }));
    const error = errors.find((e) => e.path === path && e.code === code)!;
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('reports every error, not just the first', () => {
    const s = base('huawei');
    rule0(s).ports = [{ from: 0, to: 70000 }];
    rule0(s).priority = 0;
    s.instances[0].ports[0].ipv4 = ['nope'];
    expect(
      validateRegionState(s)
        .map((e) => e.code)
        .sort(),
    ).toEqual(['INVALID_ADDRESS', 'PORT_OUT_OF_RANGE', 'PORT_OUT_OF_RANGE', 'PRIORITY_OUT_OF_RANGE']);
  });

  it('alibaba accepts an identical rule (the cloud treats it as a no-op)', () => {
    const s = base('alibaba');
    s.groups[0].rules.push({ ...rule0(s), id: 'again' });
    expect(validateRegionState(s)).toEqual([]);
  });

  it("alibaba accepts priority 110 (the default rules' priority)", () => {
    const s = base('alibaba');
    rule0(s).priority = 110;
    expect(validateRegionState(s)).toEqual([]);
  });
});

describe('quotas (0 = unlimited)', () => {
  it('rules per group: the A01-A04 multi-port rules count once each (002)', () => {
    const s = base('huawei');
    s.region.quotas = { ...s.region.quotas, rulesPerGroup: 4 };
    s.groups[0].rules = [
      ingress('all', { id: 'A01', from: 'sg:web' }),
      ingress('tcp', { id: 'A02', ports: '22,25,27', from: 'sg:db' }),
      ingress('tcp', { id: 'A03', ports: '80-82', from: 'ag:ag' }),
      ingress('tcp', { id: 'A04', ports: '22-24,25', from: '192.168.0.0/16' }),
    ];
    expect(validateRegionState(s)).toEqual([]);
    s.groups[0].rules.push(ingress('udp', { id: 'A05', ports: '53' }));
    expect(validateRegionState(s)).toContainEqual(
      expect.objectContaining({
        path: 'groups[0].rules',
        code: 'QUOTA_EXCEEDED',
        message: expect.stringContaining('rulesPerGroup'),
      }),
    );
  });

  it.each([
    ['groupsPerTenant', (s: RegionState) => s.groups.push(group('g3', [])), 2, 'groups'],
    [
      'groupsPerPort',
      (s: RegionState) => s.instances[0].ports[0].groupIds.push('db'),
      1,
      'instances[0].ports[0].groups',
    ],
    ['portsPerGroup', (s: RegionState) => s.instances[1].ports[0].groupIds.push('web'), 1, 'groups[0]'],
    [
      'groupReferenceRulesPerGroup',
      (s: RegionState) => s.groups[1].rules.push(ingress('udp', { ports: '53', from: 'sg:web' })),
      1,
      'groups[1].rules',
    ],
    [
      'rulesPerPort',
      (s: RegionState) => s.instances[0].ports[0].groupIds.push('db'),
      2,
      'instances[0].ports[0].groups',
    ],
    [
      'addressGroupsPerTenant',
      (s: RegionState) => s.addressGroups.push(addressGroup('ag2', [])),
      1,
      'addressGroups',
    ],
    [
      'entriesPerAddressGroup',
      (s: RegionState) => s.addressGroups[0].entries.push('10.0.0.0/8'),
      1,
      'addressGroups[0].entries',
    ],
  ] as const)('%s: at the limit passes, one past fails whole', (quota, grow, limit, path) => {
    const s = base('alibaba');
    s.region.quotas = { ...s.region.quotas, [quota]: limit };
    expect(validateRegionState(s)).toEqual([]);
    grow(s);
    expect(validateRegionState(s)).toContainEqual(
      expect.objectContaining({ path, code: 'QUOTA_EXCEEDED', message: expect.stringContaining(quota) }),
    );
  });
});
