// Rule findings are claims about verdicts, and the claims are checked: removing a rule found
// shadowed, redundant or empty changes no verdict of the port it was found on (by the reference
// evaluator, on sampled packets of its direction and family).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portFindings } from '../../src/core/analysis/findings.js';
import type { Packet, RegionState, SecurityGroup } from '../../src/core/model.js';
import { referenceExplain } from '../../src/core/reference.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';

const PORTS = ['p1', 'p2', 'p3', 'p4', 'p5'];

function without(state: RegionState, ruleId: string): RegionState {
  const groups = state.groups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.id !== ruleId) }));
  return { ...state, groups };
}

function expectClaimsHold(state: RegionState, packets: Packet[]): void {
  const index = new RegionIndex(state);
  for (const portId of PORTS)
    for (const f of portFindings(index, portId)) {
      if (f.kind !== 'shadowed' && f.kind !== 'redundant' && f.kind !== 'empty') continue;
      const after = new RegionIndex(without(state, f.ruleId));
      for (const packet of packets.filter((p) => p.ethertype === f.ethertype)) {
        const before = referenceExplain(index, portId, f.direction, packet).verdict;
        const now = referenceExplain(after, portId, f.direction, packet).verdict;
        expect(now, JSON.stringify({ finding: f, packet })).toBe(before);
      }
    }
}

describe('rule findings hold', () => {
  for (const kind of KINDS)
    it(`${kind}: removing a shadowed, redundant or empty rule changes no verdict`, () => {
      fc.assert(
        fc.property(regionArb(kind), fc.array(packetArb, { minLength: 30, maxLength: 60 }), expectClaimsHold),
        { numRuns: 60 },
      );
    });
});

describe('rule findings, by example', () => {
  const rule = (id: string, priority: number, cidr: string, action: 'allow' | 'deny' = 'allow') => ({
    id,
    direction: 'ingress' as const,
    ethertype: 'IPv4' as const,
    protocol: 'tcp' as const,
    ports: [{ from: 22, to: 22 }],
    remote: { kind: 'cidr' as const, cidr },
    action,
    priority,
    nicType: 'intranet' as const,
  });
  const group = (rules: SecurityGroup['rules']): SecurityGroup => ({
    id: 'sg-a',
    tenantId: 't',
    regionId: 'r',
    vpcId: 'v',
    name: 'a',
    type: 'basic',
    stateful: true,
    innerAccessPolicy: 'Drop',
    rules,
  });
  const state = (rules: SecurityGroup['rules']): RegionState => ({
    region: { id: 'r', profile: 'huawei', quotas: {} as never, conntrackTimeouts: {} as never },
    tenants: [{ id: 't', name: 't' }],
    vpcs: [{ id: 'v', tenantId: 't', regionId: 'r', name: 'v' }],
    groups: [group(rules)],
    addressGroups: [],
    instances: [
      {
        id: 'i',
        tenantId: 't',
        regionId: 'r',
        vpcId: 'v',
        name: 'i',
        ports: [
          {
            id: 'p',
            instanceId: 'i',
            ipv4: ['10.0.0.5'],
            ipv6: [],
            virtualIps: [],
            nicType: 'intranet',
            groupIds: ['sg-a'],
          },
        ],
      },
    ],
  });
  const kinds = (rules: SecurityGroup['rules'], id: string) =>
    portFindings(new RegionIndex(state(rules)), 'p')
      .filter((f) => f.ruleId === id)
      .map((f) => [f.kind, f.by]);

  it('a narrower allow after a broader one is shadowed by it', () => {
    expect(kinds([rule('wide', 1, '0.0.0.0/0'), rule('narrow', 2, '10.0.0.0/8')], 'narrow')).toEqual([
      ['shadowed', ['wide']],
    ]);
  });

  it('a deny before an allow over part of its packets: partial shadow on the allow, conflict on the deny', () => {
    const rules = [rule('deny', 1, '10.0.0.0/8', 'deny'), rule('allow', 2, '0.0.0.0/0')];
    expect(kinds(rules, 'allow')).toEqual([['partiallyShadowed', ['deny']]]);
    expect(kinds(rules, 'deny')).toEqual([['conflicting', ['allow']]]);
  });

  it('a deny that only repeats the default is redundant', () => {
    expect(kinds([rule('deny', 1, '10.0.0.0/8', 'deny')], 'deny')).toEqual([['redundant', []]]);
  });
});
