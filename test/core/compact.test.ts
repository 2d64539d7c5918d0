// Compaction by example: what merges (adjacent CIDRs, ports: one multi-port rule where the
// profile shows them, adjacent ranges elsewhere), what does not (another action or priority),
// what is dropped (a shadowed rule), and what is kept although it decides nothing now (a rule
// naming an empty remote group), or although it is redundant in the group alone (on a member
// port another group's rule sits between it and the rule that would repeat it).
import { describe, expect, it } from 'vitest';
import { compactGroup } from '../../src/core/analysis/compact.js';
import { groupFindings } from '../../src/core/analysis/group-findings.js';
import type { Profile, RegionState, Rule, SecurityGroup } from '../../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';
import { RegionIndex } from '../../src/core/region-index.js';

let n = 0;
const tcp = (ports: [number, number][], cidr: string, extra: Partial<Rule> = {}): Rule => ({
  id: `r${++n}`,
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  ports: ports.map(([from, to]) => ({ from, to })),
  remote: { kind: 'cidr', cidr },
  action: 'allow',
  priority: 1,
  nicType: 'intranet',
  ...extra,
});

const group = (id: string, rules: Rule[]): SecurityGroup => ({
  id,
  tenantId: 't',
  regionId: 'r',
  vpcId: 'v',
  name: id,
  type: 'basic',
  stateful: true,
  innerAccessPolicy: 'Drop',
  rules,
});

function region(
  profile: Profile,
  groups: SecurityGroup[],
  ports: { id: string; groupIds: string[] }[] = [],
): RegionState {
  return {
    region: { id: 'r', profile, quotas: DEFAULT_QUOTAS[profile], conntrackTimeouts: DEFAULT_TIMEOUTS },
    tenants: [{ id: 't', name: 't' }],
    vpcs: [{ id: 'v', tenantId: 't', regionId: 'r', name: 'v' }],
    groups,
    addressGroups: [],
    instances: ports.map((p, k) => ({
      id: `i-${p.id}`,
      tenantId: 't',
      regionId: 'r',
      vpcId: 'v',
      name: p.id,
      ports: [
        {
          id: p.id,
          instanceId: `i-${p.id}`,
          ipv4: [`10.9.0.${k + 1}`],
          ipv6: [],
          virtualIps: [],
          nicType: 'intranet' as const,
          groupIds: p.groupIds,
        },
      ],
    })),
  };
}

const shape = (r: Rule) => ({
  ports: r.ports,
  remote: r.remote,
  action: r.action,
  priority: r.priority,
});

describe('compaction', () => {
  it('merges adjacent CIDRs into one, and ports into one multi-port rule on Huawei', () => {
    const rules = [
      tcp([[22, 22]], '10.0.0.0/25'),
      tcp([[22, 22]], '10.0.0.128/25'),
      tcp([[80, 80]], '192.168.0.0/16'),
      tcp([[443, 443]], '192.168.0.0/16'),
    ];
    const c = compactGroup(region('huawei', [group('a', rules)]), 'a');
    expect(c.outcome).toBe('compacted');
    expect(c.rules.map(shape)).toEqual(
      expect.arrayContaining([
        {
          ports: [{ from: 22, to: 22 }],
          remote: { kind: 'cidr', cidr: '10.0.0.0/24' },
          action: 'allow',
          priority: 1,
        },
        {
          ports: [
            { from: 80, to: 80 },
            { from: 443, to: 443 },
          ],
          remote: { kind: 'cidr', cidr: '192.168.0.0/16' },
          action: 'allow',
          priority: 1,
        },
      ]),
    );
    expect(c.counts).toMatchObject({ before: 4, after: 2, merged: 4, dropped: 0, added: 2 });
    expect(c.reasons.find((x) => x.ruleId === rules[0].id)).toMatchObject({ reason: 'merged' });
  });

  it('on OpenStack a rule keeps one range: only adjacent ranges merge', () => {
    const rules = [
      tcp([[22, 22]], '10.0.0.0/8'),
      tcp([[23, 23]], '10.0.0.0/8'),
      tcp([[80, 80]], '10.0.0.0/8'),
    ];
    const c = compactGroup(region('openstack', [group('a', rules)]), 'a');
    expect(c.rules.map((r) => r.ports)).toEqual(
      expect.arrayContaining([[{ from: 22, to: 23 }], [{ from: 80, to: 80 }]]),
    );
    expect(c.rules).toHaveLength(2);
  });

  it('does not merge rules of another action or priority, and drops a shadowed rule', () => {
    const rules = [
      tcp([[22, 22]], '10.0.0.0/25', { priority: 1, action: 'deny' }),
      tcp([[22, 22]], '10.0.0.0/24', { priority: 2 }),
      tcp([[22, 22]], '10.0.0.0/26', { priority: 3 }),
      tcp([[22, 22]], '10.0.2.0/25', { priority: 2 }),
      tcp([[22, 22]], '10.0.2.128/25', { priority: 3 }),
    ];
    const c = compactGroup(region('huawei', [group('a', rules)]), 'a');
    expect(c.rules.map((r) => r.id).sort()).toEqual(
      [rules[0], rules[1], rules[3], rules[4]].map((r) => r.id).sort(),
    );
    expect(c.reasons).toEqual([{ ruleId: rules[2].id, reason: 'dropped', into: [] }]);
  });

  it('keeps a rule naming a remote group without members: it decides packets once members join', () => {
    const rules = [
      { ...tcp([[22, 22]], '10.0.0.0/8'), remote: { kind: 'group' as const, groupId: 'empty' } },
      tcp([[80, 80]], '10.0.0.0/8'),
    ];
    const state = region('huawei', [group('a', rules), group('empty', [])]);
    expect(compactGroup(state, 'a').outcome).toBe('unchanged');
    // Its findings say it matches nothing now.
    const f = groupFindings(new RegionIndex(state), 'a');
    expect(f.findings).toContainEqual(
      expect.objectContaining({ kind: 'empty', ruleId: rules[0].id, holds: 'groupAlone' }),
    );
  });

  it("keeps a rule redundant in the group alone when another group's rule sits between on a member (Alibaba)", () => {
    const narrow = tcp([[22, 22]], '10.0.0.0/8', { priority: 1 });
    const wide = tcp([[22, 22]], '0.0.0.0/0', { priority: 5 });
    const deny = tcp([[22, 22]], '10.0.0.0/8', { priority: 3, action: 'deny' });
    const groups = [group('a', [narrow, wide]), group('b', [deny])];
    // Alone, the narrow allow only repeats the wide one after it.
    expect(compactGroup(region('alibaba', groups), 'a').reasons).toEqual([
      { ruleId: narrow.id, reason: 'dropped', into: [] },
    ]);
    // On a port in both groups, b's deny at priority 3 would take its packets.
    const held = region('alibaba', groups, [{ id: 'p', groupIds: ['a', 'b'] }]);
    expect(compactGroup(held, 'a').outcome).toBe('unchanged');
    const f = groupFindings(new RegionIndex(held), 'a');
    expect(f.members).toEqual(['p']);
    expect(f.findings.filter((x) => x.ruleId === narrow.id).map((x) => x.kind)).toEqual(['conflicting']);
  });
});

describe('findings per group', () => {
  it('a finding on some member ports lists them; one on every member says so', () => {
    const wide = tcp([[22, 22]], '0.0.0.0/0', { priority: 1 });
    const narrow = tcp([[22, 22]], '10.0.0.0/8', { priority: 2 });
    const first = group('first', [tcp([[22, 22]], '10.0.0.0/8', { priority: 1, action: 'deny' })]);
    // Huawei's group sequence: on q, `first` comes before `a`; on p, `a` is alone.
    const state = region(
      'huawei',
      [group('a', [wide, narrow]), first],
      [
        { id: 'p', groupIds: ['a'] },
        { id: 'q', groupIds: ['first', 'a'] },
        // The same policy as p: analysed once, listed both.
        { id: 'r', groupIds: ['a'] },
      ],
    );
    const f = groupFindings(new RegionIndex(state), 'a');
    expect(f.members).toEqual(['p', 'q', 'r']);
    expect(f.findings).toContainEqual({
      kind: 'shadowed',
      ruleId: narrow.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      by: [wide.id, first.rules[0].id],
      holds: 'everyPort',
      ports: ['p', 'q', 'r'],
    });
    expect(f.findings).toContainEqual(
      expect.objectContaining({
        kind: 'partiallyShadowed',
        ruleId: wide.id,
        holds: 'somePorts',
        ports: ['q'],
      }),
    );
  });
});
