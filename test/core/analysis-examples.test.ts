// The analysis on the documents' own examples, one table each: 002's rules A01-A04 of Sg-A
// (Huawei), 003's sg-AB (Open Telekom Cloud) and 001's priority rules (Alibaba). Every expected
// set and finding below is read off the document's text, not off the code's output.
import { describe, expect, it } from 'vitest';
import { decidedPolicy } from '../../src/core/analysis/decided.js';
import { groupExposure } from '../../src/core/analysis/exposure.js';
import { portFindings } from '../../src/core/analysis/findings.js';
import { setView } from '../../src/core/analysis/views.js';
import type { Direction, Ethertype, RegionState } from '../../src/core/model.js';
import { DEFAULT_QUOTAS } from '../../src/core/profiles.js';
import { RegionIndex } from '../../src/core/region-index.js';
import { addressGroup, egress, group, ingress, port, region } from '../support/build.js';

/** Each entry's decided packets as "protocols ports <- remote" lines, keyed by rule id. */
function decidedLines(state: RegionState, portId: string, direction: Direction, family: Ethertype) {
  const d = decidedPolicy(new RegionIndex(state), portId, direction, family);
  return Object.fromEntries(
    d.entries.map((e) => [
      e.entry.kind === 'rule' ? e.entry.rule.id : `innerAccess:${e.entry.group.id}`,
      setView(e.decides, family).boxes.map(
        (b) => `${b.protocols.join(',')} ${b.ports.join(',')} <- ${b.remote.join(',')}`,
      ),
    ]),
  );
}

const findingsOf = (state: RegionState, portId: string) =>
  portFindings(new RegionIndex(state), portId).map((f) => `${f.ruleId} ${f.kind} by ${f.by.join(',')}`);

describe('002: Sg-A with rules A01-A04 (Huawei)', () => {
  // A01 all from Sg-A itself, A02 TCP 22,25,27 from Sg-B, A03 TCP 80-82 from ipGroup-A,
  // A04 TCP 22-24,25 from 192.168.0.0/16. ECS-A01/A02 are in Sg-A, ECS-B01 in Sg-B.
  const state = region(
    'huawei',
    [
      group('sg-A', [
        ingress('all', { id: 'A01', from: 'sg:sg-A' }),
        ingress('tcp', { id: 'A02', ports: '22,25,27', from: 'sg:sg-B' }),
        ingress('tcp', { id: 'A03', ports: '80-82', from: 'ag:ipGroup-A' }),
        ingress('tcp', { id: 'A04', ports: '22-24,25', from: '192.168.0.0/16' }),
      ]),
      group('sg-B', []),
    ],
    [
      port('ecs-a01', '192.168.0.11', ['sg-A']),
      port('ecs-a02', '192.168.0.12', ['sg-A']),
      port('ecs-b01', '192.168.1.11', ['sg-B']),
    ],
    [addressGroup('ipGroup-A', ['203.0.113.0/24'])],
  );

  it('each rule decides what the table says, minus what an earlier rule took', () => {
    expect(decidedLines(state, 'ecs-a01', 'ingress', 'IPv4')).toEqual({
      A01: ['0-255 any <- 192.168.0.11-192.168.0.12'],
      A02: ['6 22,25,27 <- 192.168.1.11'],
      A03: ['6 80-82 <- 203.0.113.0-203.0.113.255'],
      // Sg-A's members already have everything (A01), and ECS-B01 has 22 and 25 (A02).
      A04: [
        '6 23-24 <- 192.168.0.0-192.168.0.10,192.168.0.13-192.168.255.255',
        '6 22,25 <- 192.168.0.0-192.168.0.10,192.168.0.13-192.168.1.10,192.168.1.12-192.168.255.255',
      ],
    });
  });

  it('A04 is partially shadowed by A01 and A02; no rule is redundant (each allows someone alone)', () => {
    expect(findingsOf(state, 'ecs-a01')).toEqual(['A04 partiallyShadowed by A01,A02']);
  });

  it('a remote group without members makes its rule empty', () => {
    const alone = { ...state, instances: state.instances.filter((i) => i.id !== 'i-ecs-b01') };
    expect(findingsOf(alone, 'ecs-a01')).toEqual(['A02 empty by ', 'A04 partiallyShadowed by A01']);
  });
});

describe('003: sg-AB (Open Telekom Cloud)', () => {
  const sgAB = group('sg-AB', [
    ingress('all', { id: 'members', from: 'sg:sg-AB' }),
    ingress('tcp', { id: 'ssh', ports: '22', from: '0.0.0.0/0' }),
    ingress('tcp', { id: 'rdp', ports: '3389', from: '0.0.0.0/0' }),
    ingress('tcp', { id: 'web', ports: '80', from: '10.5.6.30/32' }),
    egress('all', { id: 'out4', from: '0.0.0.0/0' }),
    egress('all', { id: 'out6', from: '::/0' }),
  ]);
  const state = region(
    'openstack',
    [sgAB],
    [port('ecs-a', '10.0.0.5', ['sg-AB']), port('ecs-b', '10.0.0.6', ['sg-AB'])],
  );

  it('inbound: members get everything, the world gets 22 and 3389, 10.5.6.30 gets 80; nothing over IPv6', () => {
    const others = '0.0.0.0-10.0.0.4,10.0.0.7-255.255.255.255';
    expect(decidedLines(state, 'ecs-a', 'ingress', 'IPv4')).toEqual({
      members: ['0-255 any <- 10.0.0.5-10.0.0.6'],
      ssh: [`6 22 <- ${others}`],
      rdp: [`6 3389 <- ${others}`],
      web: ['6 80 <- 10.5.6.30'],
    });
    const v6 = decidedPolicy(new RegionIndex(state), 'ecs-a', 'ingress', 'IPv6');
    expect(v6.allowed.isEmpty).toBe(true);
  });

  it('outbound: every address of each family over any port', () => {
    for (const family of ['IPv4', 'IPv6'] as const)
      expect(decidedLines(state, 'ecs-a', 'egress', family)).toEqual({
        [family === 'IPv4' ? 'out4' : 'out6']: ['0-255 any <- any'],
      });
  });

  it('SSH and RDP open to 0.0.0.0/0 are flagged as the documents advise against', () => {
    const findings = groupExposure(sgAB, {
      members: 2,
      referencedBy: 0,
      quotas: DEFAULT_QUOTAS.openstack,
    });
    expect(findings.map((f) => [f.kind, f.severity, f.ruleId, f.ports])).toEqual([
      ['sensitivePortOpen', 'high', 'ssh', [22]],
      ['sensitivePortOpen', 'high', 'rdp', [3389]],
    ]);
  });
});

describe('001: rule priority (Alibaba)', () => {
  // Same protocol, port range and authorization object in each pair.
  const state = region(
    'alibaba',
    [
      group(
        'sg',
        [
          ingress('tcp', { id: 'allow-5', ports: '22', priority: 5 }),
          ingress('tcp', { id: 'deny-5', ports: '22', priority: 5, action: 'deny' }),
          ingress('tcp', { id: 'allow-1', ports: '80', priority: 1 }),
          ingress('tcp', { id: 'deny-2', ports: '80', priority: 2, action: 'deny' }),
        ],
        { innerAccessPolicy: 'Drop' },
      ),
    ],
    [port('p', '10.0.0.5', ['sg'])],
  );

  it('same priority: the deny takes effect and the allow is shadowed by it', () => {
    const found = findingsOf(state, 'p');
    expect(found).toContain('allow-5 shadowed by deny-5');
    expect(found).toContain('deny-5 conflicting by allow-5');
  });

  it('different priorities: the higher priority wins whatever its policy; the other is shadowed', () => {
    const found = findingsOf(state, 'p');
    expect(found).toContain('deny-2 shadowed by allow-1');
    expect(found).toContain('allow-1 conflicting by deny-2');
    expect(found).toHaveLength(4);
  });

  it("the default rules' priority 110 is lower than any user rule's: a deny at 100 shadows the default SSH rule", () => {
    const withDefault = region(
      'alibaba',
      [
        group(
          'sg',
          [
            ingress('tcp', { id: 'default-ssh', ports: '22', priority: 110 }),
            ingress('tcp', { id: 'deny-ssh', ports: '22', priority: 100, action: 'deny' }),
          ],
          { innerAccessPolicy: 'Drop' },
        ),
      ],
      [port('p', '10.0.0.5', ['sg'])],
    );
    expect(findingsOf(withDefault, 'p')).toEqual([
      'deny-ssh conflicting by default-ssh',
      'default-ssh shadowed by deny-ssh',
    ]);
  });
});
