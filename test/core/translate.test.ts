// Translation between profiles on the documents' own kind of examples: Huawei's group sequence
// into Alibaba's merged priorities (002), a deny into an allow-only profile, Alibaba source ports
// where no other profile has them (001), Alibaba's inner access and open egress default.
import { describe, expect, it } from 'vitest';
import { setView } from '../../src/core/analysis/views.js';
import type { Port, Profile, RegionState, Rule, SecurityGroup } from '../../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';
import { translateRegion } from '../../src/core/translate/translate.js';

const tcp22 = (id: string, action: 'allow' | 'deny', priority: number, extra: Partial<Rule> = {}): Rule => ({
  id,
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  ports: [{ from: 22, to: 22 }],
  remote: { kind: 'cidr', cidr: '0.0.0.0/0' },
  action,
  priority,
  nicType: 'intranet',
  ...extra,
});

const group = (id: string, rules: Rule[], extra: Partial<SecurityGroup> = {}): SecurityGroup => ({
  id,
  tenantId: 't1',
  regionId: 'r1',
  vpcId: 'vpc-1',
  name: id,
  type: 'basic',
  stateful: true,
  innerAccessPolicy: 'Drop',
  rules,
  ...extra,
});

function region(
  profile: Profile,
  groups: SecurityGroup[],
  ports: Pick<Port, 'id' | 'groupIds'>[],
): RegionState {
  return {
    region: { id: 'r1', profile, quotas: DEFAULT_QUOTAS[profile], conntrackTimeouts: DEFAULT_TIMEOUTS },
    tenants: [{ id: 't1', name: 't1' }],
    vpcs: [{ id: 'vpc-1', tenantId: 't1', regionId: 'r1', name: 'v' }],
    groups,
    addressGroups: [],
    instances: ports.map((p, i) => ({
      id: `i-${p.id}`,
      tenantId: 't1',
      regionId: 'r1',
      vpcId: 'vpc-1',
      name: p.id,
      ports: [
        {
          ...p,
          instanceId: `i-${p.id}`,
          ipv4: [`10.0.0.${i + 1}`],
          ipv6: [],
          virtualIps: [],
          nicType: 'intranet',
        },
      ],
    })),
  };
}

describe('translation between profiles', () => {
  // Huawei: sg-a's deny (priority 50) decides before sg-b's allow (priority 1): group sequence.
  const huawei = [group('sg-a', [tcp22('a1', 'deny', 50)]), group('sg-b', [tcp22('b1', 'allow', 1)])];

  it("Huawei's group sequence into Alibaba: each group's priorities in a band of its own, in sequence", () => {
    const t = translateRegion(
      region('huawei', huawei, [{ id: 'p1', groupIds: ['sg-a', 'sg-b'] }]),
      'alibaba',
    );
    expect(t.differences).toEqual([]);
    const priorities = t.groups.map((g) =>
      g.group.rules.filter((r) => r.direction === 'ingress').map((r) => r.priority),
    );
    expect(priorities).toEqual([[1], [2]]);
  });

  it('ports holding the groups in opposite orders: no band fits, and the port where order matters is reported', () => {
    const t = translateRegion(
      region('huawei', huawei, [
        { id: 'p1', groupIds: ['sg-a', 'sg-b'] },
        { id: 'p2', groupIds: ['sg-b', 'sg-a'] },
      ]),
      'alibaba',
    );
    // Alibaba merges: b1 (priority 1) allows SSH on both ports; on p1 Huawei denied it.
    expect(t.differences.map((d) => [d.portId, d.direction, d.ethertype])).toEqual([
      ['p1', 'ingress', 'IPv4'],
    ]);
    expect(setView(t.differences[0].gained, 'IPv4').boxes).toEqual([
      { protocols: ['6'], ports: ['22'], icmp: ['any'], sourcePorts: ['any'], remote: ['any'] },
    ]);
  });

  it('a deny into OpenStack: the allowed set becomes allow rules, proven equivalent', () => {
    const g = group('sg-a', [
      tcp22('d', 'deny', 1, { remote: { kind: 'cidr', cidr: '10.0.0.0/24' } }),
      tcp22('a', 'allow', 2, { remote: { kind: 'cidr', cidr: '10.0.0.0/8' } }),
    ]);
    const t = translateRegion(region('huawei', [g], [{ id: 'p1', groupIds: ['sg-a'] }]), 'openstack');
    expect(t.differences).toEqual([]);
    expect(t.groups[0].method).toBe('computed');
    const cidrs = t.groups[0].group.rules.map((r) =>
      r.remote.kind === 'cidr' ? r.remote.cidr : r.remote.kind,
    );
    expect(cidrs).toEqual([
      '10.0.1.0/24',
      '10.0.2.0/23',
      '10.0.4.0/22',
      '10.0.8.0/21',
      '10.0.16.0/20',
      '10.0.32.0/19',
      '10.0.64.0/18',
      '10.0.128.0/17',
      '10.1.0.0/16',
      '10.2.0.0/15',
      '10.4.0.0/14',
      '10.8.0.0/13',
      '10.16.0.0/12',
      '10.32.0.0/11',
      '10.64.0.0/10',
      '10.128.0.0/9',
    ]);
    expect(t.groups[0].group.rules.every((r) => r.action === 'allow')).toBe(true);
  });

  it('Alibaba source ports into Huawei: exactly the packets of the source-port rule are reported lost', () => {
    const g = group('sg-a', [tcp22('s', 'allow', 1, { sourcePorts: [{ from: 1000, to: 2000 }] })], {
      innerAccessPolicy: 'Drop',
    });
    const t = translateRegion(region('alibaba', [g], [{ id: 'p1', groupIds: ['sg-a'] }]), 'huawei');
    const ingress = t.differences.filter((d) => d.direction === 'ingress');
    expect(ingress.map((d) => d.portId).sort()).toEqual(['p1', 'probe:sg-a']);
    for (const d of ingress) {
      expect(d.gained.isEmpty).toBe(true);
      expect(setView(d.lost, 'IPv4').boxes).toEqual([
        { protocols: ['6'], ports: ['22'], icmp: ['any'], sourcePorts: ['1000-2000'], remote: ['any'] },
      ]);
    }
    // Alibaba basic egress is open by default: Huawei gets allow-all egress rules instead.
    expect(t.differences.filter((d) => d.direction === 'egress')).toEqual([]);
  });

  it("Alibaba's inner access becomes a rule naming the group itself", () => {
    const g = group('sg-a', [], { innerAccessPolicy: 'Accept' });
    const t = translateRegion(region('alibaba', [g], [{ id: 'p1', groupIds: ['sg-a'] }]), 'openstack');
    expect(t.differences).toEqual([]);
    expect(t.groups[0].group.rules).toContainEqual(
      expect.objectContaining({
        direction: 'ingress',
        protocol: 'all',
        remote: { kind: 'group', groupId: 'sg-a' },
      }),
    );
  });

  it('OpenStack into Alibaba: closed egress stays closed by a last deny at the reserved priority 110', () => {
    const g = group('sg-a', [tcp22('a', 'allow', 1)], { innerAccessPolicy: 'Accept' });
    const t = translateRegion(region('openstack', [g], [{ id: 'p1', groupIds: ['sg-a'] }]), 'alibaba');
    expect(t.differences).toEqual([]);
    expect(t.groups[0].method).toBe('direct');
    expect(t.groups[0].group.innerAccessPolicy).toBe('Drop');
    expect(
      t.groups[0].group.rules.filter((r) => r.action === 'deny').map((r) => [r.direction, r.priority]),
    ).toEqual([
      ['egress', 110],
      ['egress', 110],
    ]);
  });

  it("a computed rule naming a group the state does not hold (an import naming the region's own) keeps naming it", () => {
    const g = group('sg-a', [
      tcp22('d', 'deny', 1, { remote: { kind: 'cidr', cidr: '10.0.0.0/24' } }),
      tcp22('a', 'allow', 2, { remote: { kind: 'group', groupId: 'sg-elsewhere' } }),
    ]);
    const t = translateRegion(region('huawei', [g], []), 'openstack');
    expect(t.groups[0].method).toBe('computed');
    expect(t.groups[0].group.rules.map((r) => r.remote)).toEqual([
      { kind: 'group', groupId: 'sg-elsewhere' },
    ]);
  });
});
