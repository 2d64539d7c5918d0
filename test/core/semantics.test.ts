// SEMANTICS.md's evaluation rules and the seeds' concrete examples, one table row each.
// Every row is checked on both the compiled engine and the reference evaluator.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import type { Direction, Packet, RegionState } from '../../src/core/model.js';
import { TEMPLATES, defaultGroupRules, materializeRules, newGroupRules } from '../../src/core/profiles.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { referenceExplain } from '../../src/core/reference.js';
import type { Explanation } from '../../src/core/verdict.js';
import { addressGroup, egress, group, ingress, pkt, port, region } from '../support/build.js';

function both(state: RegionState, portId: string, direction: Direction, packet: Packet): Explanation {
  const compiled = new Engine(state).explain(portId, direction, packet);
  expect(compiled).toEqual(referenceExplain(new RegionIndex(state), portId, direction, packet));
  return compiled;
}
const verdict = (state: RegionState, portId: string, direction: Direction, packet: Packet) =>
  both(state, portId, direction, packet).verdict;

describe('alibaba basic groups (001)', () => {
  it('equal priority: deny takes effect, allow does not', () => {
    const s = region(
      'alibaba',
      [
        group('sg', [
          ingress('tcp', { ports: '22', priority: 5 }),
          ingress('tcp', { ports: '22', priority: 5, action: 'deny' }),
        ]),
      ],
      [port('b', '10.0.0.2', ['sg'])],
    );
    const e = both(s, 'b', 'ingress', pkt('tcp', '10.9.9.9', '10.0.0.2:22'));
    expect(e.verdict).toBe('deny');
    expect(e.decidedBy).toMatchObject({ kind: 'rule', action: 'deny', priority: 5 });
    expect(e.matched).toHaveLength(2);
  });

  it('different priorities: the higher priority (smaller number) wins whatever the policy', () => {
    const allowFirst = region(
      'alibaba',
      [
        group('sg', [
          ingress('tcp', { ports: '22', priority: 1 }),
          ingress('tcp', { ports: '22', priority: 2, action: 'deny' }),
        ]),
      ],
      [port('b', '10.0.0.2', ['sg'])],
    );
    expect(verdict(allowFirst, 'b', 'ingress', pkt('tcp', '10.9.9.9', '10.0.0.2:22'))).toBe('allow');
    const denyFirst = region(
      'alibaba',
      [
        group('sg', [
          ingress('tcp', { ports: '22', priority: 2 }),
          ingress('tcp', { ports: '22', priority: 1, action: 'deny' }),
        ]),
      ],
      [port('b', '10.0.0.2', ['sg'])],
    );
    expect(verdict(denyFirst, 'b', 'ingress', pkt('tcp', '10.9.9.9', '10.0.0.2:22'))).toBe('deny');
  });

  it('rules of all the port\'s groups are merged by priority ("in a group or between groups")', () => {
    const s = region(
      'alibaba',
      [
        group('first', [ingress('tcp', { ports: '80', priority: 50 })]),
        group('second', [ingress('tcp', { ports: '80', priority: 10, action: 'deny' })]),
      ],
      [port('b', '10.0.0.2', ['first', 'second'])],
    );
    const e = both(s, 'b', 'ingress', pkt('tcp', '1.2.3.4', '10.0.0.2:80'));
    expect(e.decidedBy).toMatchObject({ kind: 'rule', groupId: 'second', action: 'deny' });
  });

  it('no rule matches: ingress denied, egress allowed', () => {
    const s = region(
      'alibaba',
      [group('sg', [], { innerAccessPolicy: 'Drop' })],
      [port('a', '10.0.0.1', ['sg'])],
    );
    const i = both(s, 'a', 'ingress', pkt('tcp', '1.2.3.4', '10.0.0.1:22'));
    expect(i).toMatchObject({ verdict: 'deny', decidedBy: { kind: 'default' } });
    expect(both(s, 'a', 'egress', pkt('udp', '10.0.0.1', '8.8.8.8:53')).verdict).toBe('allow');
  });

  it('an egress drop rule overrides the allow-all outbound default', () => {
    const s = region(
      'alibaba',
      [group('sg', [egress('tcp', { ports: '25', action: 'deny', from: '0.0.0.0/0' })])],
      [port('a', '10.0.0.1', ['sg'])],
    );
    expect(verdict(s, 'a', 'egress', pkt('tcp', '10.0.0.1', '5.6.7.8:25'))).toBe('deny');
    expect(verdict(s, 'a', 'egress', pkt('tcp', '10.0.0.1', '5.6.7.8:443'))).toBe('allow');
  });

  it('innerAccessPolicy Accept: members reach each other, even past a drop rule', () => {
    const s = region(
      'alibaba',
      [
        group('sg', [ingress('all', { action: 'deny', priority: 1, from: '10.0.0.0/8' })], {
          innerAccessPolicy: 'Accept',
        }),
      ],
      [port('a', '10.0.0.1', ['sg']), port('b', '10.0.0.2', ['sg']), port('c', '10.0.0.3', ['other'])],
    );
    s.groups.push(group('other', []));
    const e = both(s, 'b', 'ingress', pkt('tcp', '10.0.0.1', '10.0.0.2:5432'));
    expect(e).toMatchObject({ verdict: 'allow', decidedBy: { kind: 'innerAccess', groupId: 'sg' } });
    expect(verdict(s, 'b', 'ingress', pkt('tcp', '10.0.0.3', '10.0.0.2:5432'))).toBe('deny');
  });

  it('innerAccessPolicy Drop: members are isolated unless a rule allows them', () => {
    const isolated = region(
      'alibaba',
      [group('sg', [], { innerAccessPolicy: 'Drop' })],
      [port('a', '10.0.0.1', ['sg']), port('b', '10.0.0.2', ['sg'])],
    );
    expect(verdict(isolated, 'b', 'ingress', pkt('tcp', '10.0.0.1', '10.0.0.2:22'))).toBe('deny');
    const allowed = region(
      'alibaba',
      [group('sg', [ingress('tcp', { ports: '22', from: 'sg:sg' })], { innerAccessPolicy: 'Drop' })],
      [port('a', '10.0.0.1', ['sg']), port('b', '10.0.0.2', ['sg'])],
    );
    expect(verdict(allowed, 'b', 'ingress', pkt('tcp', '10.0.0.1', '10.0.0.2:22'))).toBe('allow');
  });

  it('a port in several basic groups is reachable from the members of any Accept group', () => {
    const s = region(
      'alibaba',
      [
        group('open', [], { innerAccessPolicy: 'Accept' }),
        group('closed', [], { innerAccessPolicy: 'Drop' }),
      ],
      [
        port('x', '10.0.0.9', ['open', 'closed']),
        port('fromOpen', '10.0.0.1', ['open']),
        port('fromClosed', '10.0.0.2', ['closed']),
      ],
    );
    expect(verdict(s, 'x', 'ingress', pkt('tcp', '10.0.0.1', '10.0.0.9:80'))).toBe('allow');
    expect(verdict(s, 'x', 'ingress', pkt('tcp', '10.0.0.2', '10.0.0.9:80'))).toBe('deny');
  });

  it('source port ranges restrict a rule', () => {
    const s = region(
      'alibaba',
      [
        group('sg', [ingress('udp', { ports: '53', sourcePorts: '1024-2048' })], {
          innerAccessPolicy: 'Drop',
        }),
      ],
      [port('b', '10.0.0.2', ['sg'])],
    );
    expect(verdict(s, 'b', 'ingress', pkt('udp', '1.1.1.1:1500', '10.0.0.2:53'))).toBe('allow');
    expect(verdict(s, 'b', 'ingress', pkt('udp', '1.1.1.1:3000', '10.0.0.2:53'))).toBe('deny');
  });

  it('default security group: inbound ICMP, 22 and 3389 at priority 110, outbound allowed', () => {
    let n = 0;
    const rules = materializeRules('alibaba', 'default', defaultGroupRules('alibaba'), () => `d${n++}`);
    expect(rules.every((r) => r.priority === 110)).toBe(true);
    const s = region(
      'alibaba',
      [group('default', rules, { innerAccessPolicy: 'Accept' })],
      [port('a', '10.0.0.1', ['default'])],
    );
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '7.7.7.7', '10.0.0.1:22'))).toBe('allow');
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '7.7.7.7', '10.0.0.1:3389'))).toBe('allow');
    expect(verdict(s, 'a', 'ingress', pkt('icmp', '7.7.7.7', '10.0.0.1', { icmpType: 8, icmpCode: 0 }))).toBe(
      'allow',
    );
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '7.7.7.7', '10.0.0.1:80'))).toBe('deny');
    expect(verdict(s, 'a', 'egress', pkt('tcp', '10.0.0.1', '7.7.7.7:80'))).toBe('allow');
    // Any user rule (priority 1-100) outranks the default rules at 110.
    s.groups[0].rules.push(ingress('tcp', { ports: '22', priority: 100, action: 'deny' }));
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '7.7.7.7', '10.0.0.1:22'))).toBe('deny');
  });

  it('templates: Web Server Linux opens 22, 80, 443 and ICMP; Windows opens 3389 instead of 22', () => {
    for (const [id, open, closed] of [
      ['web-server-linux', 22, 3389],
      ['web-server-windows', 3389, 22],
    ] as const) {
      const t = TEMPLATES.find((x) => x.id === id)!;
      let n = 0;
      const s = region(
        'alibaba',
        [
          group(
            'sg',
            materializeRules('alibaba', 'sg', t.rules, () => `t${n++}`),
            { innerAccessPolicy: 'Drop' },
          ),
        ],
        [port('a', '10.0.0.1', ['sg'])],
      );
      for (const p of [open, 80, 443])
        expect(verdict(s, 'a', 'ingress', pkt('tcp', '7.7.7.7', `10.0.0.1:${p}`))).toBe('allow');
      expect(verdict(s, 'a', 'ingress', pkt('tcp', '7.7.7.7', `10.0.0.1:${closed}`))).toBe('deny');
      expect(verdict(s, 'a', 'ingress', pkt('icmp', '7.7.7.7', '10.0.0.1', { icmpType: 8 }))).toBe('allow');
    }
  });
});

describe('alibaba advanced groups (001)', () => {
  const adv = (rules = newGroupRulesFor()) =>
    group('adv', rules, { type: 'advanced', innerAccessPolicy: 'Drop' });
  function newGroupRulesFor() {
    let n = 0;
    return materializeRules('alibaba', 'adv', newGroupRules('alibaba', 'advanced'), () => `e${n++}`);
  }

  it('a new advanced group allows all egress through its default rule, and denies unmatched ingress', () => {
    const s = region('alibaba', [adv()], [port('a', '10.0.0.1', ['adv'])]);
    expect(verdict(s, 'a', 'egress', pkt('tcp', '10.0.0.1', '9.9.9.9:443'))).toBe('allow');
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '9.9.9.9', '10.0.0.1:443'))).toBe('deny');
  });

  it('without egress rules an advanced group denies outbound traffic too', () => {
    const s = region('alibaba', [adv([])], [port('a', '10.0.0.1', ['adv'])]);
    const e = both(s, 'a', 'egress', pkt('tcp', '10.0.0.1', '9.9.9.9:443'));
    expect(e).toMatchObject({ verdict: 'deny', decidedBy: { kind: 'default' } });
  });

  it('members are isolated from each other; any allow rule that matches allows', () => {
    const s = region(
      'alibaba',
      [
        adv([
          ingress('tcp', { ports: '80', from: '10.0.0.0/24' }),
          ingress('tcp', { ports: '80-90', from: '10.0.0.1' }),
        ]),
      ],
      [port('a', '10.0.0.1', ['adv']), port('b', '10.0.0.2', ['adv'])],
    );
    expect(verdict(s, 'b', 'ingress', pkt('tcp', '10.0.0.1', '10.0.0.2:5432'))).toBe('deny');
    const e = both(s, 'b', 'ingress', pkt('tcp', '10.0.0.1', '10.0.0.2:80'));
    expect(e.verdict).toBe('allow');
    expect(e.matched.map((m) => m.ruleId)).toHaveLength(2);
  });
});

describe('alibaba classic network NIC types (001)', () => {
  it('internet rules apply to the internet NIC only, intranet rules to the intranet NIC only', () => {
    const g = group(
      'classic',
      [ingress('tcp', { ports: '80', nic: 'internet' }), ingress('tcp', { ports: '3306', nic: 'intranet' })],
      { vpcId: null, innerAccessPolicy: 'Drop' },
    );
    const s = region(
      'alibaba',
      [g],
      [
        port('pub', '47.1.1.1', ['classic'], { nic: 'internet', classic: true }),
        port('priv', '10.1.1.1', ['classic'], { nic: 'intranet', classic: true }),
      ],
    );
    expect(verdict(s, 'pub', 'ingress', pkt('tcp', '8.8.8.8', '47.1.1.1:80'))).toBe('allow');
    expect(verdict(s, 'pub', 'ingress', pkt('tcp', '8.8.8.8', '47.1.1.1:3306'))).toBe('deny');
    expect(verdict(s, 'priv', 'ingress', pkt('tcp', '10.1.1.2', '10.1.1.1:3306'))).toBe('allow');
    expect(verdict(s, 'priv', 'ingress', pkt('tcp', '10.1.1.2', '10.1.1.1:80'))).toBe('deny');
  });

  it('in a VPC intranet rules cover Internet and intranet traffic alike', () => {
    const s = region(
      'alibaba',
      [group('vpc', [ingress('tcp', { ports: '80', from: '0.0.0.0/0' })], { innerAccessPolicy: 'Drop' })],
      [port('a', '10.0.0.1', ['vpc'], { publicIp: '47.2.2.2' })],
    );
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '8.8.8.8', '10.0.0.1:80'))).toBe('allow');
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '10.0.0.7', '10.0.0.1:80'))).toBe('allow');
  });
});

describe('huawei (002)', () => {
  it('group sequence first: group 1 decides before group 2 whatever the priorities', () => {
    const a = group('sg-A', [ingress('tcp', { ports: '22', priority: 100 })]);
    const b = group('sg-B', [ingress('tcp', { ports: '22', priority: 1, action: 'deny' })]);
    const p = pkt('tcp', '1.2.3.4', '10.0.0.2:22');
    const aFirst = both(
      region('huawei', [a, b], [port('x', '10.0.0.2', ['sg-A', 'sg-B'])]),
      'x',
      'ingress',
      p,
    );
    expect(aFirst.decidedBy).toMatchObject({
      kind: 'rule',
      groupId: 'sg-A',
      groupSequence: 0,
      action: 'allow',
    });
    const bFirst = both(
      region('huawei', [a, b], [port('x', '10.0.0.2', ['sg-B', 'sg-A'])]),
      'x',
      'ingress',
      p,
    );
    expect(bFirst.decidedBy).toMatchObject({ kind: 'rule', groupId: 'sg-B', action: 'deny' });
  });

  it('within a group: priority 1 before 2; at equal priority deny before allow', () => {
    const byPriority = region(
      'huawei',
      [
        group('sg', [
          ingress('tcp', { ports: '22', priority: 2, action: 'deny' }),
          ingress('tcp', { ports: '22', priority: 1 }),
        ]),
      ],
      [port('x', '10.0.0.2', ['sg'])],
    );
    expect(verdict(byPriority, 'x', 'ingress', pkt('tcp', '1.2.3.4', '10.0.0.2:22'))).toBe('allow');
    const tie = region(
      'huawei',
      [
        group('sg', [
          ingress('tcp', { ports: '22', priority: 1 }),
          ingress('tcp', { ports: '22', priority: 1, action: 'deny' }),
        ]),
      ],
      [port('x', '10.0.0.2', ['sg'])],
    );
    expect(verdict(tie, 'x', 'ingress', pkt('tcp', '1.2.3.4', '10.0.0.2:22'))).toBe('deny');
  });

  it('whitelist: unmatched traffic is denied in both directions', () => {
    const s = region('huawei', [group('sg', [])], [port('x', '10.0.0.2', ['sg'])]);
    expect(both(s, 'x', 'ingress', pkt('tcp', '1.2.3.4', '10.0.0.2:22')).decidedBy.kind).toBe('default');
    expect(verdict(s, 'x', 'egress', pkt('tcp', '10.0.0.2', '1.2.3.4:443'))).toBe('deny');
  });

  it('rule table A01-A04: same group, another group on 22,25,27, address group on 80-82, CIDR on 22-24,25', () => {
    const sgA = group('Sg-A', [
      ingress('all', { id: 'A01', from: 'sg:Sg-A' }),
      ingress('tcp', { id: 'A02', ports: '22,25,27', from: 'sg:Sg-B' }),
      ingress('tcp', { id: 'A03', ports: '80-82', from: 'ag:ipGroup-A' }),
      ingress('tcp', { id: 'A04', ports: '22-24,25', from: '192.168.0.0/16' }),
    ]);
    const s = region(
      'huawei',
      [sgA, group('Sg-B', [])],
      [port('a1', '10.0.0.1', ['Sg-A']), port('a2', '10.0.0.2', ['Sg-A']), port('b1', '10.1.0.1', ['Sg-B'])],
      [addressGroup('ipGroup-A', ['172.16.0.0/24', '172.16.9.9'])],
    );
    const rows: [string, string, string | null][] = [
      ['10.0.0.2:40000', '10.0.0.1:9999', 'A01'],
      ['10.1.0.1', '10.0.0.1:25', 'A02'],
      ['10.1.0.1', '10.0.0.1:27', 'A02'],
      ['10.1.0.1', '10.0.0.1:26', null],
      ['172.16.0.77', '10.0.0.1:81', 'A03'],
      ['172.16.9.9', '10.0.0.1:82', 'A03'],
      ['172.16.9.10', '10.0.0.1:82', null],
      ['192.168.4.4', '10.0.0.1:23', 'A04'],
      ['192.168.4.4', '10.0.0.1:25', 'A04'],
      ['192.168.4.4', '10.0.0.1:26', null],
    ];
    for (const [src, dst, ruleId] of rows) {
      const e = both(s, 'a1', 'ingress', pkt('tcp', src, dst));
      if (ruleId === null) expect(e.verdict, `${src} → ${dst}`).toBe('deny');
      else expect(e.decidedBy, `${src} → ${dst}`).toMatchObject({ kind: 'rule', ruleId, action: 'allow' });
    }
  });

  it("a remote group matches member ports' private addresses only, not virtual or public IPs (Figure 4)", () => {
    const s = region(
      'huawei',
      [group('Sg-A', [ingress('all', { from: 'sg:Sg-B' })]), group('Sg-B', [])],
      [
        port('a', '10.0.0.1', ['Sg-A']),
        port('b', '192.168.0.11', ['Sg-B'], { vips: ['192.168.0.21'], publicIp: '47.3.3.3' }),
      ],
    );
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '192.168.0.11', '10.0.0.1:80'))).toBe('allow');
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '192.168.0.21', '10.0.0.1:80'))).toBe('deny');
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '47.3.3.3', '10.0.0.1:80'))).toBe('deny');
    // The documented workaround: name the virtual IP itself.
    s.groups[0].rules.push(ingress('all', { from: '192.168.0.21/32' }));
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '192.168.0.21', '10.0.0.1:80'))).toBe('allow');
  });

  it('default group rules: inbound from the group itself (IPv4 and IPv6), outbound to all', () => {
    let n = 0;
    const rules = materializeRules('huawei', 'default', defaultGroupRules('huawei'), () => `d${n++}`);
    const s = region(
      'huawei',
      [group('default', rules), group('other', [])],
      [
        port('a', '10.0.0.1', ['default'], { ipv6: ['2001:db8::1'] }),
        port('b', '10.0.0.2', ['default'], { ipv6: ['2001:db8::2'] }),
        port('c', '10.0.0.3', ['other']),
      ],
    );
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '10.0.0.2', '10.0.0.1:22'))).toBe('allow');
    expect(
      verdict(s, 'a', 'ingress', pkt('tcp', '2001:db8::2', '2001:db8::1', { dstPort: 22, srcPort: 5 })),
    ).toBe('allow');
    expect(verdict(s, 'a', 'ingress', pkt('tcp', '10.0.0.3', '10.0.0.1:22'))).toBe('deny');
    expect(verdict(s, 'a', 'egress', pkt('udp', '10.0.0.1', '8.8.8.8:53'))).toBe('allow');
    expect(verdict(s, 'a', 'egress', pkt('udp', '2001:db8::1', '2001:4860::8888', { dstPort: 53 }))).toBe(
      'allow',
    );
  });
});

describe('openstack (003)', () => {
  const sgAB = () =>
    group('sg-AB', [
      ingress('all', { from: 'sg:sg-AB' }),
      ingress('tcp', { ports: '22', from: '0.0.0.0/0' }),
      ingress('tcp', { ports: '3389', from: '0.0.0.0/0' }),
      ingress('tcp', { ports: '80', from: '10.5.6.30/32' }),
      egress('all', { from: '0.0.0.0/0' }),
      egress('all', { from: '::/0', ethertype: 'IPv6' }),
    ]);
  const s = region(
    'openstack',
    [sgAB()],
    [port('ecs1', '10.0.0.1', ['sg-AB'], { ipv6: ['2001:db8::1'] }), port('ecs2', '10.0.0.2', ['sg-AB'])],
  );

  it.each([
    ['members talk to each other on any port', pkt('udp', '10.0.0.2', '10.0.0.1:5000'), 'allow'],
    ['SSH from anywhere', pkt('tcp', '203.0.113.5', '10.0.0.1:22'), 'allow'],
    ['RDP from anywhere', pkt('tcp', '203.0.113.5', '10.0.0.1:3389'), 'allow'],
    ['HTTP from 10.5.6.30 only', pkt('tcp', '10.5.6.30', '10.0.0.1:80'), 'allow'],
    ['HTTP from elsewhere', pkt('tcp', '10.5.6.31', '10.0.0.1:80'), 'deny'],
    ['anything else inbound', pkt('tcp', '203.0.113.5', '10.0.0.1:443'), 'deny'],
    ['IPv6 inbound has no rule', pkt('tcp', '2001:db8::9', '2001:db8::1', { dstPort: 22 }), 'deny'],
  ] as const)('sg-AB inbound: %s', (_name, packet, want) => {
    expect(verdict(s, 'ecs1', 'ingress', packet)).toBe(want);
  });

  it('sg-AB outbound: any IPv4 and IPv6 destination', () => {
    expect(verdict(s, 'ecs1', 'egress', pkt('tcp', '10.0.0.1', '198.51.100.1:8080'))).toBe('allow');
    expect(verdict(s, 'ecs1', 'egress', pkt('udp', '2001:db8::1', '2001:db8:9::1', { dstPort: 123 }))).toBe(
      'allow',
    );
  });

  it('allow-list: with no egress rules outbound is dropped; any matching rule allows', () => {
    const bare = region(
      'openstack',
      [group('sg', [ingress('tcp', { ports: '80-90' }), ingress('tcp', { ports: '85' })])],
      [port('x', '10.0.0.1', ['sg'])],
    );
    expect(verdict(bare, 'x', 'egress', pkt('tcp', '10.0.0.1', '1.1.1.1:80'))).toBe('deny');
    const e = both(bare, 'x', 'ingress', pkt('tcp', '1.1.1.1', '10.0.0.1:85'));
    expect(e.verdict).toBe('allow');
    expect(e.matched).toHaveLength(2);
  });

  it('templates: general-purpose web server and all ports open', () => {
    const tpl = (id: string) => {
      let n = 0;
      const t = TEMPLATES.find((x) => x.id === id)!;
      return region(
        'openstack',
        [
          group(
            'sg',
            materializeRules('openstack', 'sg', t.rules, () => `t${n++}`),
          ),
        ],
        [port('x', '10.0.0.1', ['sg']), port('y', '10.0.0.2', ['sg'])],
      );
    };
    const web = tpl('general-purpose-web-server');
    for (const p of [22, 3389, 80, 443])
      expect(verdict(web, 'x', 'ingress', pkt('tcp', '7.7.7.7', `10.0.0.1:${p}`))).toBe('allow');
    expect(verdict(web, 'x', 'ingress', pkt('tcp', '7.7.7.7', '10.0.0.1:8080'))).toBe('deny');
    expect(verdict(web, 'x', 'ingress', pkt('tcp', '10.0.0.2', '10.0.0.1:8080'))).toBe('allow');
    const open = tpl('all-ports-open');
    expect(verdict(open, 'x', 'ingress', pkt('udp', '7.7.7.7', '10.0.0.1:9999'))).toBe('allow');
  });
});

describe('protocols, ICMP and IPv6 (all profiles)', () => {
  it('ICMP type and code: type only matches every code; type+code matches that code only', () => {
    const s = region(
      'huawei',
      [group('sg', [ingress('icmp', { icmpType: 8 }), ingress('icmp', { icmpType: 3, icmpCode: 4 })])],
      [port('x', '10.0.0.1', ['sg'])],
    );
    expect(verdict(s, 'x', 'ingress', pkt('icmp', '1.1.1.1', '10.0.0.1', { icmpType: 8, icmpCode: 0 }))).toBe(
      'allow',
    );
    expect(verdict(s, 'x', 'ingress', pkt('icmp', '1.1.1.1', '10.0.0.1', { icmpType: 8, icmpCode: 7 }))).toBe(
      'allow',
    );
    expect(verdict(s, 'x', 'ingress', pkt('icmp', '1.1.1.1', '10.0.0.1', { icmpType: 3, icmpCode: 4 }))).toBe(
      'allow',
    );
    expect(verdict(s, 'x', 'ingress', pkt('icmp', '1.1.1.1', '10.0.0.1', { icmpType: 3, icmpCode: 1 }))).toBe(
      'deny',
    );
    expect(verdict(s, 'x', 'ingress', pkt('icmp', '1.1.1.1', '10.0.0.1', { icmpType: 0, icmpCode: 0 }))).toBe(
      'deny',
    );
  });

  it('ICMPv6 rules apply to IPv6 only, ICMP rules to IPv4 only', () => {
    const s = region(
      'openstack',
      [group('sg', [ingress('icmpv6', { ethertype: 'IPv6', icmpType: 128 })])],
      [port('x', '10.0.0.1', ['sg'], { ipv6: ['2001:db8::1'] })],
    );
    expect(
      verdict(s, 'x', 'ingress', pkt('icmpv6', '2001:db8::9', '2001:db8::1', { icmpType: 128, icmpCode: 0 })),
    ).toBe('allow');
    expect(verdict(s, 'x', 'ingress', pkt('icmp', '1.1.1.1', '10.0.0.1', { icmpType: 8, icmpCode: 0 }))).toBe(
      'deny',
    );
  });

  it('protocol by number (GRE 47, SCTP 132) and "all"', () => {
    const s = region(
      'huawei',
      [group('sg', [ingress(47), ingress(132, { ports: '3868' })])],
      [port('x', '10.0.0.1', ['sg'])],
    );
    expect(verdict(s, 'x', 'ingress', pkt(47, '1.1.1.1', '10.0.0.1'))).toBe('allow');
    expect(verdict(s, 'x', 'ingress', pkt(132, '1.1.1.1:5000', '10.0.0.1:3868'))).toBe('allow');
    expect(verdict(s, 'x', 'ingress', pkt(132, '1.1.1.1:5000', '10.0.0.1:3869'))).toBe('deny');
    expect(verdict(s, 'x', 'ingress', pkt(50, '1.1.1.1', '10.0.0.1'))).toBe('deny');
  });

  it('IPv6 CIDRs and remote groups with IPv6 members', () => {
    const s = region(
      'huawei',
      [
        group('sg', [
          ingress('tcp', { ethertype: 'IPv6', ports: '443', from: '2001:db8:1::/48' }),
          ingress('all', { ethertype: 'IPv6', from: 'sg:peer' }),
        ]),
        group('peer', []),
      ],
      [
        port('x', '10.0.0.1', ['sg'], { ipv6: ['2001:db8::1'] }),
        port('p', '10.0.0.2', ['peer'], { ipv6: ['fd00::2'] }),
      ],
    );
    expect(verdict(s, 'x', 'ingress', pkt('tcp', '2001:db8:1:ff::1', '2001:db8::1', { dstPort: 443 }))).toBe(
      'allow',
    );
    expect(verdict(s, 'x', 'ingress', pkt('tcp', '2001:db8:2::1', '2001:db8::1', { dstPort: 443 }))).toBe(
      'deny',
    );
    expect(verdict(s, 'x', 'ingress', pkt('udp', 'fd00::2', '2001:db8::1', { dstPort: 9 }))).toBe('allow');
    // The member's IPv4 address does not match an IPv6 rule, and vice versa.
    expect(verdict(s, 'x', 'ingress', pkt('udp', '10.0.0.2', '10.0.0.1:9'))).toBe('deny');
  });
});

describe('flow check and explanations', () => {
  const s = region(
    'huawei',
    [
      group('web', [
        ingress('tcp', { id: 'web-80', ports: '80', from: 'sg:app', priority: 10 }),
        ingress('tcp', { id: 'web-any', ports: '1-65535', priority: 20, action: 'deny' }),
      ]),
      group('app', [egress('tcp', { id: 'app-out', from: '0.0.0.0/0' })]),
    ],
    [port('w', '10.0.0.1', ['web']), port('a', '10.0.0.2', ['app'])],
  );

  it('checks both sides and names the deciding rule of each', () => {
    const flow = new Engine(s).checkFlow(pkt('tcp', '10.0.0.2', '10.0.0.1:80'));
    expect(flow.verdict).toBe('allow');
    expect(flow.egress).toMatchObject({
      portId: 'a',
      explanation: { verdict: 'allow', decidedBy: { ruleId: 'app-out' } },
    });
    expect(flow.ingress.explanation).toMatchObject({
      verdict: 'allow',
      decidedBy: { ruleId: 'web-80', priority: 10, groupId: 'web' },
    });
    // The lower-priority deny also matched: explanations list it after the decider.
    expect(flow.ingress.explanation!.matched.map((m) => m.ruleId)).toEqual(['web-80', 'web-any']);
  });

  it('a denied side denies the flow; an address of no port has no policy', () => {
    const denied = new Engine(s).checkFlow(pkt('tcp', '10.0.0.2', '10.0.0.1:81'));
    expect(denied.verdict).toBe('deny');
    expect(denied.ingress.explanation!.decidedBy).toMatchObject({ ruleId: 'web-any', action: 'deny' });
    const outside = new Engine(s).checkFlow(pkt('tcp', '10.0.0.2', '93.184.216.34:443'));
    expect(outside).toMatchObject({ verdict: 'allow', ingress: { portId: null, explanation: null } });
  });

  it('a port whose policy cannot be computed is closed', () => {
    const broken = region('huawei', [], [port('x', '10.0.0.1', ['missing'])]);
    const e = new Engine(broken).explain('x', 'egress', pkt('tcp', '10.0.0.1', '1.1.1.1:80'));
    expect(e.verdict).toBe('deny');
    expect(e.decidedBy).toMatchObject({ kind: 'default', reason: expect.stringContaining('fail-closed') });
  });
});
