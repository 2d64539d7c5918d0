// The drift check on structure, against a real kernel: a table written from a model reads back
// as that model (whatever nft does to spelling, order and adjacent prefixes), and each kind of
// tampering is named; blocked connections survive a whole-table rewrite with their time left.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionState } from '../../src/core/model.js';
import { run } from '../../src/dataplane/exec.js';
import { driftFrom, parseTable } from '../../src/dataplane/kernel-state.js';
import { fullScript } from '../../src/dataplane/nft.js';
import { addressSetName, renderHost } from '../../src/dataplane/render.js';
import { loadPolicy } from '../../src/policy/load.js';
import { canRunDataplane } from '../support/dataplane.js';

const ok = await canRunDataplane();
const NS = `ks-${process.pid}`;
const nft = (args: string[], input?: string) => run('ip', ['netns', 'exec', NS, 'nft', ...args], input);
const listing = async () => parseTable(await nft(['-j', '-p', 'list', 'table', 'inet', 'palisade']));

function policy(): RegionState {
  const state = loadPolicy(readFileSync('examples/huawei.yaml', 'utf8')).state!;
  let n = 0;
  for (const i of state.instances)
    for (const p of i.ports) Object.assign(p, { host: 'h1', interface: `tap${n++}` });
  // Adjacent prefixes, which nft's auto-merge stores as one, and an address spelled loosely.
  state.addressGroups.push({
    id: 'ag-merge',
    regionId: state.region.id,
    tenantId: state.groups[0].tenantId,
    name: 'merge',
    entries: ['10.8.0.0/25', '10.8.0.128/25', 'fd00:0:0::7/128'],
  } as RegionState['addressGroups'][number]);
  state.groups[0].rules.push({
    ...state.groups[0].rules[0],
    id: 'r-ag',
    remote: { kind: 'addressGroup', addressGroupId: 'ag-merge' },
  });
  return state;
}

describe.skipIf(!ok)('kernel table read back as structure', () => {
  const model = renderHost('h1', [policy()]);
  beforeAll(() => run('ip', ['netns', 'add', NS]));
  afterAll(() => run('ip', ['netns', 'delete', NS]).catch(() => undefined));

  it('reads a written table back as its model and revision', async () => {
    await nft(['-f', '-'], fullScript(model, 42));
    const kernel = await listing();
    expect(kernel.revision).toBe(42);
    expect(model.sets.has(addressSetName('ag-merge', 'IPv4'))).toBe(true);
    expect(driftFrom(model, kernel)).toBeNull();
  });

  it('names a changed rule, set, map entry, base chain and a lost revision', async () => {
    const [chain] = [...model.chains].find(([, rules]) => rules.length > 1)!;
    const tamper = async (commands: string, expected: RegExp) => {
      await nft(['-f', '-'], fullScript(model, 42));
      await nft(['-f', '-'], commands);
      expect(driftFrom(model, await listing())).toMatch(expected);
    };
    await tamper(`flush chain inet palisade ${chain}\n`, new RegExp(`chain ${chain} has other rules`));
    await tamper(`add rule inet palisade ${chain} accept\n`, new RegExp(`chain ${chain}`));
    const [set] = [...model.sets].find(([, s]) => s.elements.size > 0 && !s.interval)!;
    await tamper(`flush set inet palisade ${set}\n`, new RegExp(`set ${set} has other elements`));
    const iface = [...model.ingress.keys()][0];
    await tamper(`delete element inet palisade ingress_ports { "${iface}" }\n`, /map ingress_ports/);
    await tamper('flush chain inet palisade forward\n', /base chain forward/);
    await tamper('flush set inet palisade revision\n', /no revision/);
  });

  it('carries blocked connections through a whole-table rewrite, with the time they have left', async () => {
    const blocked = [
      // Five days: TCP's established default, which nft takes in seconds only.
      { protocol: 6, src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 22, timeoutS: 432000 },
      { protocol: 1, src: 'fd00::1', dst: 'fd00::2', timeoutS: 300 },
    ];
    await nft(['-f', '-'], fullScript(model, 7, blocked));
    const first = await listing();
    expect(first.blocked).toHaveLength(2);
    // Packets of both families go through the cleared sets only while something is blocked.
    expect(first.gated).toEqual(new Set(['ipv4', 'ipv6']));
    await nft(['-f', '-'], fullScript(model, 8, first.blocked));
    const again = await listing();
    expect(again.revision).toBe(8);
    expect(again.blocked.map(({ timeoutS: _t, ...f }) => f)).toEqual(
      expect.arrayContaining(blocked.map(({ timeoutS: _t, ...f }) => f)),
    );
    expect(again.blocked.find((f) => f.protocol === 6)!.timeoutS).toBeGreaterThan(431_000);
    expect(again.blocked.find((f) => f.protocol === 1)!.timeoutS).toBeGreaterThan(290);
    expect(driftFrom(model, again)).toBeNull();
  });
});
