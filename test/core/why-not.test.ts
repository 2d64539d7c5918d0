// Why not: the verdict and each side's reason agree with the engine; every suggested change,
// applied to the engine through a real Change, lets that side pass the packet; the suggestions
// stay within the profile (allow-only profiles get allow rules without priorities). Then table
// tests of the documents' cases: Huawei's whitelist and deny rules, OpenStack's allow-only
// groups, Alibaba's priorities and innerAccessPolicy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Suggestion, whyNot } from '../../src/core/analysis/why-not.js';
import { Engine } from '../../src/core/engine.js';
import type { Packet, Profile, RegionState, Rule, SecurityGroup } from '../../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS, TRAITS } from '../../src/core/profiles.js';
import { toRule } from '../../src/core/rule-input.js';
import { Problems } from '../../src/core/validate.js';
import { KINDS, packetArb, regionArb } from '../support/arbitraries.js';

function engineWith(state: RegionState, s: Suggestion): Engine {
  const engine = new Engine(state);
  if (s.kind === 'removeRule') engine.apply({ kind: 'ruleRemoved', groupId: s.groupId, ruleId: s.ruleId });
  else {
    const rule = toRule(state.region.profile, s.rule, 'added', 'rule', new Problems());
    engine.apply({ kind: 'ruleAdded', groupId: s.groupId, rule });
  }
  return engine;
}

function expectSound(state: RegionState, packets: Packet[]): void {
  const engine = new Engine(state);
  const traits = TRAITS[state.region.profile];
  for (const packet of packets) {
    const flow = engine.checkFlow(packet);
    const w = whyNot(state, packet);
    const where = JSON.stringify(packet);
    expect(w.verdict, where).toBe(flow.verdict);
    for (const side of [w.egress, w.ingress]) {
      const checked = side.direction === 'egress' ? flow.egress : flow.ingress;
      expect(side.portId, where).toBe(checked.portId);
      expect(side.verdict, where).toBe(checked.explanation?.verdict ?? 'allow');
      if (side.reason.kind === 'denyRule') {
        const d = checked.explanation!.decidedBy;
        expect(d.kind === 'rule' && d.ruleId, where).toBe(side.reason.ruleId);
      }
      // An unmatched packet can always be let in by one allow rule; so can one whose deny has room above it.
      if (side.reason.kind === 'noAllowMatched') expect(side.suggestions.length, where).toBeGreaterThan(0);
      for (const s of side.suggestions) {
        const after = engineWith(state, s).explain(side.portId!, side.direction, packet);
        expect(after.verdict, `${where} ${s.text}`).toBe('allow');
        if (s.kind === 'addRule') {
          expect(s.rule.action).toBe('allow');
          if (!traits.priorities) expect(s.rule.priority).toBeUndefined();
        }
      }
    }
    const denying = [w.egress, w.ingress].filter((s) => s.verdict === 'deny');
    if (denying.length && denying.every((s) => s.suggestions.length))
      expect(w.reachableAfterSuggestions).toBe(true);
    if (w.verdict === 'allow') expect(w.reachableAfterSuggestions).toBeNull();
  }
}

describe('why-not agrees with the engine, and its suggestions work', () => {
  for (const kind of KINDS)
    it(`${kind}: random regions and packets`, () => {
      fc.assert(
        fc.property(regionArb(kind), fc.array(packetArb, { minLength: 10, maxLength: 20 }), expectSound),
        { numRuns: 40 },
      );
    });
});

// ---- table tests ----

const rule = (id: string, r: Partial<Rule>): Rule => ({
  id,
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
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

const tcp = (src: string, dst: string, port: number): Packet => ({
  ethertype: 'IPv4',
  protocol: 6,
  src,
  dst,
  srcPort: 40000,
  dstPort: port,
});
const allEgress = rule('out', { direction: 'egress', protocol: 'all' });

describe('why not: the documents cases', () => {
  it('huawei: the database group has no rule for PostgreSQL from the web group: add one, from the address or the group', () => {
    const state = region(
      'huawei',
      [
        ['web', [allEgress]],
        [
          'db',
          [rule('db-3306', { ports: [{ from: 3306, to: 3306 }], remote: { kind: 'group', groupId: 'web' } })],
        ],
      ],
      [
        ['web-1', '10.0.0.5', ['web']],
        ['db-1', '10.0.1.7', ['db']],
      ],
    );
    const w = whyNot(state, tcp('10.0.0.5', '10.0.1.7', 5432));
    expect(w.verdict).toBe('deny');
    expect(w.egress.reason).toEqual({ kind: 'allowedByRule', ruleId: 'out', groupId: 'web' });
    expect(w.ingress.reason.kind).toBe('noAllowMatched');
    expect(w.ingress.suggestions.map((s) => s.text)).toEqual([
      'add ingress allow tcp port 5432 from 10.0.0.5/32 to group db',
      'add ingress allow tcp port 5432 from group web to group db',
    ]);
    expect(w.reachableAfterSuggestions).toBe(true);
  });

  it('huawei: a deny decides: an allow above it in its group, an allow in an earlier group, or the deny removed', () => {
    const state = region(
      'huawei',
      [
        ['first', []],
        ['web', [allEgress]],
        [
          'db',
          [
            rule('deny-web', { action: 'deny', priority: 5, remote: { kind: 'group', groupId: 'web' } }),
            rule('all-5432', { ports: [{ from: 5432, to: 5432 }], priority: 10 }),
          ],
        ],
      ],
      [
        ['web-1', '10.0.0.5', ['web']],
        ['db-1', '10.0.1.7', ['first', 'db']],
      ],
    );
    const w = whyNot(state, tcp('10.0.0.5', '10.0.1.7', 5432));
    expect(w.ingress.reason).toEqual({ kind: 'denyRule', ruleId: 'deny-web', groupId: 'db', priority: 5 });
    const texts = w.ingress.suggestions.map((s) => s.text);
    expect(texts).toContain('add ingress allow tcp port 5432 from 10.0.0.5/32 at priority 4 to group db');
    expect(texts).toContain('add ingress allow tcp port 5432 from 10.0.0.5/32 to group first');
    expect(w.ingress.suggestions.at(-1)).toMatchObject({ kind: 'removeRule', ruleId: 'deny-web' });
  });

  it('alibaba: a deny at priority 1 has nothing above it: only removing it is suggested', () => {
    const state = region(
      'alibaba',
      [
        ['web', []],
        [
          'db',
          [
            rule('deny-all', { action: 'deny', priority: 1, protocol: 'all' }),
            rule('allow-5432', { ports: [{ from: 5432, to: 5432 }], priority: 1 }),
          ],
        ],
      ],
      [
        ['web-1', '10.0.0.5', ['web']],
        ['db-1', '10.0.1.7', ['db']],
      ],
    );
    const w = whyNot(state, tcp('10.0.0.5', '10.0.1.7', 5432));
    // Basic groups allow unmatched egress; at equal priority the deny goes first (001).
    expect(w.egress.reason.kind).toBe('allowedByDefault');
    expect(w.ingress.reason).toMatchObject({ kind: 'denyRule', ruleId: 'deny-all' });
    expect(w.ingress.suggestions).toEqual([
      expect.objectContaining({ kind: 'removeRule', ruleId: 'deny-all' }),
    ]);
  });

  it('alibaba: innerAccessPolicy Accept lets members in past a deny; Drop does not', () => {
    const deny = rule('deny-all', { action: 'deny', protocol: 'all', priority: 1 });
    const accept = region(
      'alibaba',
      [['g', [deny], { innerAccessPolicy: 'Accept' }]],
      [
        ['a', '10.0.0.5', ['g']],
        ['b', '10.0.0.6', ['g']],
      ],
    );
    expect(whyNot(accept, tcp('10.0.0.5', '10.0.0.6', 22)).ingress.reason).toEqual({
      kind: 'allowedByInnerAccess',
      groupId: 'g',
    });
    const drop = region(
      'alibaba',
      [['g', [deny]]],
      [
        ['a', '10.0.0.5', ['g']],
        ['b', '10.0.0.6', ['g']],
      ],
    );
    expect(whyNot(drop, tcp('10.0.0.5', '10.0.0.6', 22)).ingress.reason.kind).toBe('denyRule');
  });

  it('openstack: an allow-only profile gets an allow rule without a priority', () => {
    const state = region(
      'openstack',
      [
        ['web', [allEgress]],
        ['db', []],
      ],
      [
        ['web-1', '10.0.0.5', ['web']],
        ['db-1', '10.0.1.7', ['db']],
      ],
    );
    const w = whyNot(state, tcp('10.0.0.5', '10.0.1.7', 5432));
    // db's egress has no rule either, but the reply is tracked; only the first packet's sides count.
    expect(w.ingress.suggestions[0]).toMatchObject({
      kind: 'addRule',
      groupId: 'db',
      rule: {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '5432',
        remoteIpPrefix: '10.0.0.5/32',
        action: 'allow',
      },
    });
    expect(w.ingress.suggestions[0]).not.toHaveProperty('rule.priority');
  });

  it('both sides blocked: each gets its own change, and together they deliver the packet', () => {
    const state = region(
      'huawei',
      [
        ['a', []],
        ['b', []],
      ],
      [
        ['a-1', '10.0.0.5', ['a']],
        ['b-1', '10.0.1.7', ['b']],
      ],
    );
    const w = whyNot(state, {
      ethertype: 'IPv4',
      protocol: 1,
      src: '10.0.0.5',
      dst: '10.0.1.7',
      icmpType: 8,
      icmpCode: 0,
    });
    expect(w.egress.suggestions[0].text).toBe('add egress allow icmp type 8/0 to 10.0.1.7/32 to group a');
    expect(w.ingress.suggestions[0].text).toBe('add ingress allow icmp type 8/0 from 10.0.0.5/32 to group b');
    expect(w.reachableAfterSuggestions).toBe(true);
  });
});
