// Reachability on the documents' cases: OpenStack's default group lets its members reach each
// other on everything and nobody else in (003); Alibaba's innerAccessPolicy Accept lets members
// of a basic group reach each other past a deny-all rule, Drop leaves the rule to decide (001).
import { describe, expect, it } from 'vitest';
import { Reachability } from '../../src/core/analysis/reachability.js';
import { boxView } from '../../src/core/analysis/views.js';
import type { Profile, RegionState, Rule, SecurityGroup } from '../../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';
import { RegionIndex } from '../../src/core/region-index.js';

const rule = (id: string, r: Partial<Rule>): Rule => ({
  id,
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'all',
  remote: { kind: 'any' },
  action: 'allow',
  priority: 1,
  nicType: 'intranet',
  ...r,
});

function region(
  profile: Profile,
  groups: [string, Rule[], Partial<SecurityGroup>?][],
  ports: [string, string, string[]][],
): RegionState {
  return {
    region: { id: 'r', profile, quotas: DEFAULT_QUOTAS[profile], conntrackTimeouts: DEFAULT_TIMEOUTS },
    tenants: [{ id: 't', name: 't' }],
    vpcs: [{ id: 'v', tenantId: 't', regionId: 'r', name: 'v' }],
    groups: groups.map(([id, rules, extra]) => ({
      id,
      tenantId: 't',
      regionId: 'r',
      vpcId: 'v',
      name: id,
      type: 'basic',
      stateful: true,
      innerAccessPolicy: 'Drop',
      rules,
      ...extra,
    })),
    addressGroups: [],
    instances: ports.map(([id, ip, groupIds]) => ({
      id: `i-${id}`,
      tenantId: 't',
      regionId: 'r',
      vpcId: 'v',
      name: id,
      ports: [
        { id, instanceId: `i-${id}`, ipv4: [ip], ipv6: [], virtualIps: [], nicType: 'intranet', groupIds },
      ],
    })),
  };
}

const pairs = (reach: Reachability) =>
  reach
    .allowedPairs()
    .map((p) => `${p.from}>${p.to}`)
    .sort();

describe('reachability on the documents cases', () => {
  it("openstack default group: members reach each other on everything; a port of another group is reached by nobody and reaches nobody's ingress", () => {
    const state = region(
      'openstack',
      [
        [
          'default',
          [
            rule('self', { remote: { kind: 'group', groupId: 'default' } }),
            rule('out', { direction: 'egress' }),
          ],
        ],
        ['other', [rule('out2', { direction: 'egress' })]],
      ],
      [
        ['a', '10.0.0.1', ['default']],
        ['b', '10.0.0.2', ['default']],
        ['c', '10.0.0.3', ['other']],
      ],
    );
    const reach = new Reachability(new RegionIndex(state));
    expect(pairs(reach)).toEqual(['a>b', 'b>a']);
    const v4 = reach.services('a', 'b').get('IPv4')!;
    expect(v4.boxes.map((b) => boxView(b, 'IPv4').protocols)).toEqual([['0-255']]);
    expect(reach.paths('a', 'b')).toEqual([
      expect.objectContaining({
        egress: { kind: 'rule', ruleId: 'out', groupId: 'default' },
        ingress: { kind: 'rule', ruleId: 'self', groupId: 'default' },
      }),
    ]);
    const groups = reach.groups(
      new Map([
        ['default', ['a', 'b']],
        ['other', ['c']],
      ]),
    );
    expect(groups.map((g) => [g.from, g.to, g.allowed, g.total])).toEqual([['default', 'default', 2, 2]]);
  });

  it('alibaba innerAccessPolicy Accept: members reach each other past a deny-all rule; Drop: the rule decides', () => {
    const deny = rule('deny-all', { action: 'deny' });
    const ports: [string, string, string[]][] = [
      ['a', '10.0.0.1', ['g']],
      ['b', '10.0.0.2', ['g']],
    ];
    const accept = new Reachability(
      new RegionIndex(region('alibaba', [['g', [deny], { innerAccessPolicy: 'Accept' }]], ports)),
    );
    expect(pairs(accept)).toEqual(['a>b', 'b>a']);
    // Egress: basic groups allow unmatched outbound traffic; ingress: members of g.
    expect(accept.paths('a', 'b').map((p) => [p.egress, p.ingress])).toEqual([
      [
        { kind: 'innerAccess', groupId: 'g' },
        { kind: 'innerAccess', groupId: 'g' },
      ],
    ]);
    const drop = new Reachability(new RegionIndex(region('alibaba', [['g', [deny]]], ports)));
    expect(pairs(drop)).toEqual([]);
    expect(drop.pairCount).toBe(2);
  });
});
