// The exposure lint against 001's own usage notes, one row per piece of advice, with the layout
// that breaks it and one that follows it; and the policy deciding thresholds and severities.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPOSURE_POLICY,
  type ExposureFinding,
  type ExposurePolicy,
  groupExposure,
} from '../../src/core/analysis/exposure.js';
import { regionExposure } from '../../src/core/analysis/region-exposure.js';
import { makeDefaultGroup } from '../../src/core/defaults.js';
import { DEFAULT_QUOTAS } from '../../src/core/profiles.js';
import type { Instance, Rule, SecurityGroup } from '../../src/core/model.js';

let n = 0;
const tcp = (port: string, cidr = '0.0.0.0/0'): Rule => {
  const [from, to = from] = port.split('-').map(Number);
  return {
    id: `r${n++}`,
    direction: 'ingress',
    ethertype: 'IPv4',
    protocol: 'tcp',
    ports: [{ from, to }],
    remote: { kind: 'cidr', cidr },
    action: 'allow',
    priority: 1,
    nicType: 'intranet',
  };
};
const group = (id: string, rules: Rule[], tenantId = 't1', name = id): SecurityGroup => ({
  id,
  tenantId,
  regionId: 'r',
  vpcId: 'v',
  name,
  type: 'basic',
  stateful: true,
  innerAccessPolicy: 'Accept',
  rules,
});
/** Instances of one port each; `groups[i]` are the groups of the i-th. */
const instances = (groups: string[][], tenantId = 't1'): Instance[] =>
  groups.map((groupIds, i) => ({
    id: `i-${tenantId}-${i}`,
    tenantId,
    regionId: 'r',
    vpcId: 'v',
    name: `vm${i}`,
    ports: [
      {
        id: `p-${tenantId}-${i}`,
        instanceId: `i-${tenantId}-${i}`,
        ipv4: [`10.0.0.${i + 1}`],
        ipv6: [],
        virtualIps: [],
        nicType: 'intranet',
        groupIds,
      },
    ],
  }));
const policy = (over: Partial<ExposurePolicy> = {}): ExposurePolicy => ({
  ...DEFAULT_EXPOSURE_POLICY,
  ...over,
});
const kinds = (fs: ExposureFinding[]) => fs.map((f) => f.kind).sort();
const lintGroup = (g: SecurityGroup, p = policy()) =>
  groupExposure(g, { members: 1, referencedBy: 0, quotas: DEFAULT_QUOTAS.alibaba }, p);

describe('the exposure lint, from 001 usage notes', () => {
  it.each([
    ['"Do not grant 0.0.0.0/0 unless necessary": SSH from everyone', [tcp('22')], ['sensitivePortOpen']],
    ['the same port from an office range', [tcp('22', '203.0.113.0/24')], []],
    ['"Set a specific port instead of a range": 1-65535 from everyone', [tcp('1-65535')], ['allPortsOpen']],
    ['a range of 1000 ports from everyone', [tcp('8000-8999')], ['wideRangeOpen']],
    ['one port where a port is needed', [tcp('443')], []],
  ])('%s', (_, rules, expected) => {
    expect(kinds(lintGroup(group('g', rules)))).toEqual(expected);
  });

  it("flags the default group left open: Alibaba's opens SSH and RDP to every address", () => {
    const d = makeDefaultGroup('alibaba', 'r', 't1', 'v', 'sg-default');
    const found = lintGroup(d);
    const open = found.filter((f) => f.kind === 'defaultGroupOpen').map((f) => f.ruleId);
    const sensitive = found.filter((f) => f.kind === 'sensitivePortOpen').flatMap((f) => f.ports);
    expect(sensitive).toEqual(expect.arrayContaining([22, 3389]));
    // Each of its three rules (ICMP, SSH, RDP, all from every address) is named.
    expect(open).toEqual(d.rules.map((r) => r.id));
    expect(d.rules).toHaveLength(3);
    expect(open).toEqual(
      expect.arrayContaining(found.filter((f) => f.kind === 'sensitivePortOpen').map((f) => f.ruleId)),
    );
    // The same rules in a group of another name are not a default group left open.
    expect(kinds(lintGroup({ ...d, name: 'bastion' }))).not.toContain('defaultGroupOpen');
    // OpenStack's default group allows only its own members in: not open.
    const os = makeDefaultGroup('openstack', 'r', 't1', 'v', 'sg-os');
    expect(kinds(lintGroup(os))).not.toContain('defaultGroupOpen');
  });

  it('"Do not use one security group to manage all applications": the only group of most ports', () => {
    const all = group('all', [tcp('80'), tcp('3306', '10.0.0.0/8')]);
    const found = regionExposure('alibaba', [all], instances(Array(6).fill(['all'])), policy());
    expect(found).toEqual([expect.objectContaining({ kind: 'catchAllGroup', groupId: 'all', count: 6 })]);
    // A base group beside each tier's own group is not "one group for everything".
    const tiers = [group('base', [tcp('22', '10.9.0.0/16')]), group('web', [tcp('80')]), group('db', [])];
    const layout = instances([...Array(3).fill(['base', 'web']), ...Array(3).fill(['base', 'db'])]);
    expect(regionExposure('alibaba', tiers, layout, policy())).toEqual([]);
    // A tenant with few ports is not flagged: one group is all it needs.
    expect(regionExposure('alibaba', [all], instances(Array(4).fill(['all'])), policy())).toEqual([]);
  });

  it('"Do not set a separate security group for each instance": groups of one instance, alike', () => {
    const alike = ['a', 'b', 'c'].map((id) =>
      group(id, [tcp('80'), tcp('22', '10.0.0.0/8'), ...(id === 'c' ? [tcp('8080')] : [])]),
    );
    const other = group('d', [tcp('5432', '10.1.0.0/16')]);
    const found = regionExposure(
      'alibaba',
      [...alike, other],
      instances([['a'], ['b'], ['c'], ['d']]),
      policy(),
    );
    expect(found).toEqual([
      expect.objectContaining({ kind: 'groupPerInstance', groupIds: ['a', 'b', 'c'], count: 3 }),
    ]);
    // Two are not yet a pattern; groups unlike each other are each what their instance needs.
    expect(regionExposure('alibaba', alike.slice(0, 2), instances([['a'], ['b']]), policy())).toEqual([]);
    // With the difference allowed at 0, "c" (one more rule) is not alike: 2 remain, not flagged.
    const strict = policy({ perInstanceDifference: 0 });
    expect(regionExposure('alibaba', alike, instances([['a'], ['b'], ['c']]), strict)).toEqual([]);
  });

  it('"hundreds of rules may apply to the instance": a port under more rules than the policy allows', () => {
    const big = group(
      'big',
      Array.from({ length: 80 }, (_, i) => tcp(String(1000 + i), '10.0.0.0/8')),
    );
    const more = group(
      'more',
      Array.from({ length: 30 }, (_, i) => tcp(String(2000 + i), '10.0.0.0/8')),
    );
    const layout = instances([['big', 'more'], ['big']]);
    expect(regionExposure('alibaba', [big, more], layout, policy())).toEqual([
      expect.objectContaining({ kind: 'tooManyEffectiveRules', portId: 'p-t1-0', count: 110 }),
    ]);
    expect(regionExposure('alibaba', [big, more], layout, policy({ maxEffectiveRules: 200 }))).toEqual([]);
  });

  it("judges each tenant's layout alone", () => {
    const all = group('all', [tcp('80')]);
    const layout = [...instances(Array(3).fill(['all']), 't1'), ...instances(Array(3).fill(['all']), 't2')];
    // Six ports in one group, but three per tenant: under catchAllMinPorts for each.
    expect(regionExposure('alibaba', [all], layout, policy())).toEqual([]);
  });

  it('takes what to flag and how severe from the policy', () => {
    const g = group('g', [tcp('22'), tcp('8000-8999')]);
    expect(lintGroup(g).map((f) => [f.kind, f.severity])).toEqual([
      ['sensitivePortOpen', 'high'],
      ['wideRangeOpen', 'medium'],
    ]);
    const p = policy({
      sensitivePorts: [8080],
      widestRange: 5000,
      severities: { ...DEFAULT_EXPOSURE_POLICY.severities, sensitivePortOpen: 'low' },
    });
    expect(lintGroup(g, p).map((f) => [f.kind, f.severity, f.ports])).toEqual([
      ['sensitivePortOpen', 'low', [8080]],
    ]);
    const off = policy({ severities: { ...DEFAULT_EXPOSURE_POLICY.severities, sensitivePortOpen: 'off' } });
    expect(kinds(lintGroup(g, off))).toEqual(['wideRangeOpen']);
  });
});
