// The kernel model and its diffs, without a kernel: policies shared between ports, member and
// address changes as set-element updates only, rule changes as one rewritten chain, nothing at
// all in steady state, and fail-closed ports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RegionState } from '../../src/core/model.js';
import { diffScript, duration, fullScript } from '../../src/dataplane/nft.js';
import { groupSetName, renderHost } from '../../src/dataplane/render.js';
import { loadPolicy } from '../../src/policy/load.js';

function huawei(): RegionState {
  const state = loadPolicy(readFileSync('examples/huawei.yaml', 'utf8')).state!;
  let n = 0;
  for (const i of state.instances)
    for (const p of i.ports) Object.assign(p, { host: 'h1', interface: `tap${n++}` });
  return state;
}

describe('kernel model', () => {
  it('gives ports with the same groups one pair of chains, and dispatches each interface to it', () => {
    const state = huawei();
    const first = state.instances[0];
    // Ten more ports with the same groups as the first: no new chains.
    for (let i = 0; i < 10; i++)
      state.instances.push({
        ...first,
        id: `x${i}`,
        ports: [{ ...first.ports[0], id: `xp${i}`, ipv4: [`10.7.0.${i}`], interface: `tx${i}` }],
      });
    const before = renderHost('h1', [huawei()]);
    const after = renderHost('h1', [state]);
    expect(after.chains.size).toBe(before.chains.size);
    expect(after.egress.size).toBe(before.egress.size + 10);
    expect(after.egress.get('tx3')).toEqual(after.egress.get(first.ports[0].interface!));
  });

  it('turns a membership change into set-element updates only', () => {
    const state = huawei();
    const a = renderHost('h1', [state]);
    const port = state.instances.find((i) => i.ports[0].groupIds.includes('Sg-B'))!.ports[0];
    port.ipv4 = [...port.ipv4, '10.0.9.9'];
    const script = diffScript(a, renderHost('h1', [state]))!;
    expect(script.trim().split('\n')).toEqual([
      `add element inet palisade ${groupSetName('Sg-B', 'IPv4')} { 10.0.9.9 }`,
    ]);
  });

  it('rewrites one chain for a rule change, and writes nothing in steady state', () => {
    const state = huawei();
    const a = renderHost('h1', [state]);
    expect(diffScript(a, renderHost('h1', [state]))).toBe('');
    // States are values (the agent's world replaces, never mutates): a new rule list.
    const group = state.groups.find((g) => g.id === 'Sg-A')!;
    group.rules = [{ ...group.rules[0], ports: [{ from: 3390, to: 3390 }] }, ...group.rules.slice(1)];
    const script = diffScript(a, renderHost('h1', [state]))!;
    const lines = script.trim().split('\n');
    expect(lines[0]).toMatch(/^flush chain inet palisade sg_Sg_A_in$/);
    expect(lines.slice(1).every((l) => l.startsWith('add rule inet palisade'))).toBe(true);
    expect(script).toContain('th dport 3390');
    expect(script).not.toContain('element');
  });

  it('closes a port whose policy cannot be computed, and says why', () => {
    const state = huawei();
    state.instances[0].ports[0].groupIds = ['no-such-group'];
    const m = renderHost('h1', [state]);
    const iface = state.instances[0].ports[0].interface!;
    expect(m.egress.get(iface)).toEqual({ kind: 'drop' });
    expect(m.ingress.get(iface)).toEqual({ kind: 'drop' });
    expect([...m.closed.values()][0]).toContain('no-such-group');
  });

  it('writes a whole table as one transaction that replaces the old one', () => {
    const script = fullScript(renderHost('h1', [huawei()]));
    expect(script.split('\n').slice(0, 3)).toEqual([
      'add table inet palisade',
      'delete table inet palisade',
      'table inet palisade {',
    ]);
    expect(script).toContain('iifname vmap @egress_ports; oifname vmap @ingress_ports;');
    expect(script).toContain('ct state established,related accept');
  });
  it('splits a large group into chunk chains: one rule added rewrites about one chunk', () => {
    const state = huawei();
    const group = state.groups.find((g) => g.id === 'Sg-A')!;
    group.rules = Array.from({ length: 100 }, (_, n) => ({
      id: `r${n}`,
      direction: 'ingress' as const,
      ethertype: 'IPv4' as const,
      protocol: 'tcp' as const,
      ports: [{ from: 1000 + n, to: 1000 + n }],
      remote: { kind: 'cidr' as const, cidr: `10.${n}.0.0/16` },
      action: 'allow' as const,
      priority: n + 1,
      nicType: 'intranet' as const,
    }));
    const a = renderHost('h1', [state]);
    // Followed through its jumps, the group's chain holds the rules in evaluation order.
    const flatten = (name: string): string[] =>
      a.chains
        .get(name)!
        .flatMap((r) => (r.verdict?.kind === 'jump' ? flatten(r.verdict.chain) : (r.comment ?? [])));
    expect(flatten('sg_Sg_A_in')).toEqual(group.rules.map((r) => r.id));
    expect(a.chains.get('sg_Sg_A_in')!.filter((r) => r.verdict?.kind === 'jump').length).toBeGreaterThan(3);

    group.rules = [
      ...group.rules,
      { ...group.rules[0], id: 'added', ports: [{ from: 2000, to: 2000 }], priority: 50 },
    ];
    const script = diffScript(a, renderHost('h1', [state]))!;
    const added = script.split('\n').filter((l) => l.startsWith('add rule'));
    expect(added.length).toBeLessThan(30);
    expect(script).toContain('th dport 2000');
    expect(script).not.toMatch(/flush chain inet palisade sg_Sg_A_in$/m);
  });
});

describe('nft durations', () => {
  it('writes timeouts nft 1.0.6 reads: seconds and milliseconds, never a bare large millisecond count', () => {
    expect(duration(432000)).toBe('432000s');
    expect(duration(2.5)).toBe('2s500ms');
    expect(duration(0.2)).toBe('200ms');
    expect(duration(0)).toBe('1ms');
  });
});
