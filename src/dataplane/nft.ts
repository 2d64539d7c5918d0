// Kernel models as nft scripts: a whole table (first start, repair) or the difference between
// two models (every change after), each one `nft -f` transaction, so the kernel moves from one
// complete policy to the next with nothing in between.
import type { ConntrackTimeouts } from '../core/model.js';
import { SYNC_SET } from './nft-session.js';
import { type KernelModel, type SetModel, TABLE } from './render.js';

const T = `inet ${TABLE}`;
const list = (xs: Iterable<string>) => [...xs].join(', ');
const quoted = (xs: Iterable<string>) => [...xs].map((x) => `"${x}"`);

function setDecl(name: string, set: SetModel): string {
  const flags = set.interval ? ' flags interval; auto-merge;' : '';
  const elements = set.elements.size ? ` elements = { ${list(set.elements)} };` : '';
  return `set ${name} { type ${set.type};${flags}${elements} }`;
}

function mapDecl(name: string, entries: Map<string, string>): string {
  const elements = entries.size
    ? ` elements = { ${[...entries].map(([k, v]) => `"${k}" : ${v}`).join(', ')} };`
    : '';
  return `map ${name} { type ifname : verdict;${elements} }`;
}

function timeoutDecls(t: ConntrackTimeouts | null): string[] {
  if (!t) return [];
  return [
    `ct timeout tcp_timeouts { protocol tcp; l3proto inet; policy = { syn_sent: ${t.tcpSynSent}, syn_recv: ${t.tcpSynRecv}, established: ${t.tcpEstablished}, fin_wait: ${t.tcpFinWait}, close_wait: ${t.tcpCloseWait}, last_ack: ${t.tcpLastAck}, time_wait: ${t.tcpTimeWait}, close: ${t.tcpClose} }; }`,
    `ct timeout udp_timeouts { protocol udp; l3proto inet; policy = { unreplied: ${t.otherOneWay}, replied: ${t.otherBothWays} }; }`,
  ];
}

const BASE_CHAINS = (timeouts: boolean) => [
  // Stateless groups: their ports' traffic is never tracked, so every packet meets the rules.
  `chain raw { type filter hook prerouting priority raw; policy accept; iifname @stateless_if notrack; ip daddr @stateless_4 notrack; ip6 daddr @stateless_6 notrack; }`,
  `chain forward { type filter hook forward priority filter; policy accept; ct state established,related accept; ct state invalid drop; ${
    timeouts
      ? 'ct state new meta l4proto tcp ct timeout set "tcp_timeouts"; ct state new meta l4proto udp ct timeout set "udp_timeouts"; '
      : ''
  }iifname vmap @egress_ports; oifname vmap @ingress_ports; }`,
];

/** The whole table, replacing whatever is there (one transaction). */
export function fullScript(m: KernelModel): string {
  const body = [
    ...timeoutDecls(m.timeouts),
    setDecl('stateless_if', {
      type: 'ifname' as SetModel['type'],
      interval: false,
      elements: new Set(quoted(m.stateless.ifnames)),
    }),
    setDecl('stateless_4', { type: 'ipv4_addr', interval: false, elements: m.stateless.v4 }),
    setDecl('stateless_6', { type: 'ipv6_addr', interval: false, elements: m.stateless.v6 }),
    // Listed after each transaction of the agent's nft session to tell that it is done.
    setDecl(SYNC_SET, { type: 'ipv4_addr', interval: false, elements: new Set() }),
    ...[...m.sets].map(([name, set]) => setDecl(name, set)),
    ...[...m.chains].map(
      ([name, rules]) => `chain ${name} {\n${rules.map((r) => `    ${r}`).join('\n')}\n  }`,
    ),
    mapDecl('egress_ports', m.egress),
    mapDecl('ingress_ports', m.ingress),
    ...BASE_CHAINS(m.timeouts !== null),
  ];
  return [`add table ${T}`, `delete table ${T}`, `table ${T} {`, ...body.map((l) => `  ${l}`), '}', ''].join(
    '\n',
  );
}

const sameTimeouts = (a: ConntrackTimeouts | null, b: ConntrackTimeouts | null) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * The commands that turn `from` into `to`, or null when only a whole-table write can (the
 * timeouts changed). An empty script means the kernel already holds `to`.
 */
export function diffScript(from: KernelModel, to: KernelModel): string | null {
  if (!sameTimeouts(from.timeouts, to.timeouts)) return null;
  const out: string[] = [];
  const elements = (verb: 'add' | 'delete', set: string, items: string[]) => {
    if (items.length) out.push(`${verb} element ${T} ${set} { ${items.join(', ')} }`);
  };
  // Sets first: new ones, then element changes (member and address changes end here: no rule is touched).
  for (const [name, set] of to.sets) {
    const old = from.sets.get(name);
    if (!old || old.interval !== set.interval || old.type !== set.type) {
      if (old) out.push(`flush set ${T} ${name}`);
      else out.push(`add ${setDecl(name, { ...set, elements: new Set() }).replace(/^set /, `set ${T} `)}`);
      elements('add', name, [...set.elements]);
      continue;
    }
    const removed = [...old.elements].filter((e) => !set.elements.has(e));
    const added = [...set.elements].filter((e) => !old.elements.has(e));
    if (set.interval && removed.length) {
      // Interval sets merge adjacent ranges, so deleting one entry is unreliable: rewrite the set.
      out.push(`flush set ${T} ${name}`);
      elements('add', name, [...set.elements]);
    } else {
      elements('delete', name, removed);
      elements('add', name, added);
    }
  }
  for (const [key, field, set] of [
    ['stateless_if', 'ifnames', 'stateless_if'],
    ['stateless_4', 'v4', 'stateless_4'],
    ['stateless_6', 'v6', 'stateless_6'],
  ] as const) {
    const a = from.stateless[field];
    const b = to.stateless[field];
    const fmt = (x: string) => (key === 'stateless_if' ? `"${x}"` : x);
    elements('delete', set, [...a].filter((x) => !b.has(x)).map(fmt));
    elements('add', set, [...b].filter((x) => !a.has(x)).map(fmt));
  }
  // Chains: new ones created, changed ones rewritten whole.
  for (const [name, rules] of to.chains) {
    const old = from.chains.get(name);
    if (old && old.join('\n') === rules.join('\n')) continue;
    out.push(old ? `flush chain ${T} ${name}` : `add chain ${T} ${name}`);
    for (const r of rules) out.push(`add rule ${T} ${name} ${r}`);
  }
  // Dispatch: each port's interface to its policy's chains.
  for (const [map, a, b] of [
    ['egress_ports', from.egress, to.egress],
    ['ingress_ports', from.ingress, to.ingress],
  ] as const) {
    const stale = [...a].filter(([k, v]) => b.get(k) !== v).map(([k]) => `"${k}"`);
    if (stale.length) out.push(`delete element ${T} ${map} { ${stale.join(', ')} }`);
    const fresh = [...b].filter(([k, v]) => a.get(k) !== v).map(([k, v]) => `"${k}" : ${v}`);
    if (fresh.length) out.push(`add element ${T} ${map} { ${fresh.join(', ')} }`);
  }
  // Whatever nothing refers to any more goes last.
  for (const name of from.chains.keys()) if (!to.chains.has(name)) out.push(`delete chain ${T} ${name}`);
  for (const name of from.sets.keys()) if (!to.sets.has(name)) out.push(`delete set ${T} ${name}`);
  return out.length ? `${out.join('\n')}\n` : '';
}
