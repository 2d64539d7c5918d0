// Kernel models as nft scripts: a whole table (first start, repair) or the difference between
// two models (every change after), each one `nft -f` transaction, so the kernel moves from one
// complete policy to the next with nothing in between. This is the one place that prints nft
// syntax: the model is compared and diffed as structure, and printed here last.
import type { ConntrackTimeouts } from '../core/model.js';
import { own } from '../core/own.js';
import type { BlockedFlow } from '../conntrack/flows.js';
import { SYNC_SET } from './nft-session.js';
import type { KernelModel, Match, NftRule, SetModel, Verdict } from './render.js';
import { TABLE } from './render.js';

const T = `inet ${TABLE}`;
const list = (xs: Iterable<string>) => [...xs].join(', ');

/** The packet-mark bit a group chain sets when it allowed the packet. */
const DECIDED = '0x10000000';
const UNDECIDED_MASK = '0xefffffff';

/** The revision whose policy the table renders: one element, written in every transaction. */
export const REVISION_SET = 'revision';

/**
 * Connections a change cleared, blocked before conntrack sees their packets (priority raw), so
 * their entries are not refreshed and expire, and loose TCP pickup cannot re-create them: each
 * element lives for the timeout of the state its connection was in (SEMANTICS.md, 003). Keyed by
 * the original tuple and looked up both ways; protocols without ports by address pair.
 */
export const CLEARED_SETS = {
  v4ports: 'cleared_4p',
  v4: 'cleared_4',
  v6ports: 'cleared_6p',
  v6: 'cleared_6',
} as const;
const CLEARED_NAMES: ReadonlySet<string> = new Set(Object.values(CLEARED_SETS));
export const isClearedSet = (name: string) => CLEARED_NAMES.has(name);

/**
 * Every packet would pay for the cleared sets' four lookups of its family; the gate holds a
 * family only while some connection of it is blocked (the agent takes it out once its sets are
 * empty), so the common packet pays for one lookup that finds nothing.
 */
export const CLEARED_GATE = 'cleared_gate';
export type GateFamily = 'ipv4' | 'ipv6';
const gateChain = (family: GateFamily) => (family === 'ipv4' ? 'blocked_4' : 'blocked_6');
export const familyOf = (f: Pick<BlockedFlow, 'src'>): GateFamily => (f.src.includes(':') ? 'ipv6' : 'ipv4');
const gateElement = (family: GateFamily) => `${family} : jump ${gateChain(family)}`;

function ranges(rs: { from: number; to: number }[]): string {
  const parts = rs.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  return parts.length === 1 ? parts[0] : `{ ${parts.join(', ')} }`;
}

function matchText(m: Match): string {
  switch (m.kind) {
    case 'family':
      return `meta nfproto ${m.family === 'ip' ? 'ipv4' : 'ipv6'}`;
    case 'protocol':
      return `meta l4proto ${m.protocol}`;
    case 'ports':
      return `th ${m.field} ${ranges(m.ranges)}`;
    case 'icmp': {
      const icmp = m.family === 'ip' ? 'icmp' : 'icmpv6';
      return `${icmp} type ${m.type}${m.code !== undefined ? ` ${icmp} code ${m.code}` : ''}`;
    }
    case 'address':
      return `${m.family} ${m.field} ${m.cidr}`;
    case 'addressSet':
      return `${m.family} ${m.field} @${m.set}`;
    case 'decided':
      return `meta mark & ${DECIDED} == ${DECIDED}`;
  }
}

export function verdictText(v: Verdict): string {
  return v.kind === 'jump' ? `jump ${v.chain}` : v.kind;
}

/** One rule as nft prints it: matches, counter, mark, verdict, comment. */
export function ruleText(rule: NftRule): string {
  const parts = rule.match.map(matchText);
  if (rule.counter) parts.push('counter');
  if (rule.mark === 'decide') parts.push(`meta mark set meta mark | ${DECIDED}`);
  if (rule.mark === 'undecide') parts.push(`meta mark set meta mark & ${UNDECIDED_MASK}`);
  if (rule.verdict) parts.push(verdictText(rule.verdict));
  if (rule.comment) parts.push(`comment "${rule.comment}"`);
  return parts.join(' ');
}

const element = (set: SetModel, e: string) => (set.type === 'ifname' ? `"${e}"` : e);

function setDecl(name: string, set: SetModel): string {
  const flags = set.interval ? ' flags interval; auto-merge;' : '';
  const elements = set.elements.size
    ? ` elements = { ${list([...set.elements].map((e) => element(set, e)))} };`
    : '';
  return `set ${name} { type ${set.type};${flags}${elements} }`;
}

function mapDecl(name: string, entries: Map<string, Verdict>): string {
  const elements = entries.size
    ? ` elements = { ${[...entries].map(([k, v]) => `"${k}" : ${verdictText(v)}`).join(', ')} };`
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

const CLEARED_DECLS = [
  `set ${CLEARED_SETS.v4ports} { type ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service; flags timeout; }`,
  `set ${CLEARED_SETS.v4} { type ipv4_addr . ipv4_addr . inet_proto; flags timeout; }`,
  `set ${CLEARED_SETS.v6ports} { type ipv6_addr . ipv6_addr . inet_proto . inet_service . inet_service; flags timeout; }`,
  `set ${CLEARED_SETS.v6} { type ipv6_addr . ipv6_addr . inet_proto; flags timeout; }`,
];

/**
 * The fixed chains' statements (they dispatch to the policy, they hold none of it); a hook
 * chain's first statement declares its hook. Stateless groups' rules are there only when some
 * port has one.
 */
export function baseChains(timeouts: boolean, stateless: boolean): Map<string, string[]> {
  const blocked = (ip: 'ip' | 'ip6', ports: string, pairs: string) => [
    `meta l4proto { tcp, udp } ${ip} saddr . ${ip} daddr . meta l4proto . th sport . th dport @${ports} drop`,
    `meta l4proto { tcp, udp } ${ip} daddr . ${ip} saddr . meta l4proto . th dport . th sport @${ports} drop`,
    `${ip} saddr . ${ip} daddr . meta l4proto @${pairs} drop`,
    `${ip} daddr . ${ip} saddr . meta l4proto @${pairs} drop`,
  ];
  return new Map([
    [
      'raw',
      [
        'type filter hook prerouting priority raw; policy accept',
        `meta nfproto vmap @${CLEARED_GATE}`,
        // Stateless groups: their ports' traffic is never tracked, so every packet meets the rules.
        ...(stateless
          ? [
              'iifname @stateless_if notrack',
              'ip daddr @stateless_4 notrack',
              'ip6 daddr @stateless_6 notrack',
            ]
          : []),
      ],
    ],
    [gateChain('ipv4'), blocked('ip', CLEARED_SETS.v4ports, CLEARED_SETS.v4)],
    [gateChain('ipv6'), blocked('ip6', CLEARED_SETS.v6ports, CLEARED_SETS.v6)],
    [
      'forward',
      [
        'type filter hook forward priority filter; policy accept',
        'ct state established,related accept',
        'ct state invalid drop',
        ...(timeouts
          ? [
              'ct state new meta l4proto tcp ct timeout set "tcp_timeouts"',
              'ct state new meta l4proto udp ct timeout set "udp_timeouts"',
            ]
          : []),
        // Events: the agent listens to UDP entries' first reply and assurance (udp-streams.ts);
        // other state changes (TCP's, above all) would cost a netlink message each for nothing.
        'ct state new meta l4proto udp ct event set new,destroy,reply,assured',
        'ct state new meta l4proto != udp ct event set new,destroy',
        'iifname vmap @egress_ports',
        'oifname vmap @ingress_ports',
      ],
    ],
  ]);
}

/** The stateless-port sets, as set models. */
export function statelessSets(m: KernelModel): Map<string, SetModel> {
  return new Map<string, SetModel>([
    ['stateless_if', { type: 'ifname', interval: false, elements: m.stateless.ifnames }],
    ['stateless_4', { type: 'ipv4_addr', interval: false, elements: m.stateless.v4 }],
    ['stateless_6', { type: 'ipv6_addr', interval: false, elements: m.stateless.v6 }],
  ]);
}

const revisionCommands = (revision: number) => [
  `flush set ${T} ${REVISION_SET}`,
  `add element ${T} ${REVISION_SET} { ${revision} }`,
];

/** A cleared connection (defined with the flows it comes from, conntrack/flows.ts). */
export type { BlockedFlow };

/**
 * A timeout as nft reads it: seconds and milliseconds ("432000s", "2s500ms"). nft 1.0.6 answers
 * "value too large" to a millisecond count such as "432000000ms" (five days, TCP's established
 * default), though it takes the same time in seconds. Never zero: that means the set's default.
 */
export function duration(seconds: number): string {
  const ms = Math.max(1, Math.round(seconds * 1000));
  const whole = Math.floor(ms / 1000);
  const rest = ms % 1000;
  return `${whole ? `${whole}s` : ''}${rest ? `${rest}ms` : ''}`;
}

function blockedElement(f: BlockedFlow): [set: string, element: string] {
  const v6 = f.src.includes(':');
  const ports = f.sport !== undefined && (f.protocol === 6 || f.protocol === 17);
  const set = v6
    ? ports
      ? CLEARED_SETS.v6ports
      : CLEARED_SETS.v6
    : ports
      ? CLEARED_SETS.v4ports
      : CLEARED_SETS.v4;
  const key = ports
    ? `${f.src} . ${f.dst} . ${f.protocol} . ${f.sport} . ${f.dport}`
    : `${f.src} . ${f.dst} . ${f.protocol}`;
  return [set, `${key} timeout ${duration(f.timeoutS)}`];
}

/** One transaction blocking these flows (an element already there keeps its expiry), and opening their families' gates. */
export function blockScript(flows: BlockedFlow[]): string {
  const bySet = new Map<string, string[]>();
  for (const f of flows) {
    const [set, el] = blockedElement(f);
    bySet.set(set, [...(bySet.get(set) ?? []), el]);
  }
  const families = [...new Set(flows.map(familyOf))];
  const gate = families.length
    ? [`add element ${T} ${CLEARED_GATE} { ${families.map(gateElement).join(', ')} }`]
    : [];
  return [...[...bySet].map(([set, els]) => `add element ${T} ${set} { ${els.join(', ')} }`), ...gate]
    .map((l) => `${l}\n`)
    .join('');
}

/** Close the gates of families that have nothing blocked any more. */
export const ungateScript = (families: GateFamily[]) =>
  families.length ? `delete element ${T} ${CLEARED_GATE} { ${families.join(', ')} }\n` : '';

/** Whether some port of the model has stateless groups (the raw chain's notrack rules are there only then). */
export const hasStateless = (m: KernelModel) =>
  m.stateless.ifnames.size + m.stateless.v4.size + m.stateless.v6.size > 0;

/**
 * The whole table, replacing whatever is there (one transaction), at `revision`. `blocked`
 * carries the cleared connections of the table it replaces, with what is left of their time.
 */
export function fullScript(m: KernelModel, revision = 0, blocked: BlockedFlow[] = []): string {
  const body = [
    ...timeoutDecls(m.timeouts),
    `set ${REVISION_SET} { type mark; elements = { ${revision} }; }`,
    ...CLEARED_DECLS,
    `map ${CLEARED_GATE} { type nf_proto : verdict; }`,
    ...[...statelessSets(m)].map(([name, set]) => setDecl(name, set)),
    // Listed after each transaction of the agent's nft session to tell that it is done.
    setDecl(SYNC_SET, { type: 'ipv4_addr', interval: false, elements: new Set() }),
    ...[...m.sets].map(([name, set]) => setDecl(name, set)),
    ...[...m.chains].map(
      ([name, rules]) => `chain ${name} {\n${rules.map((r) => `    ${ruleText(r)}`).join('\n')}\n  }`,
    ),
    mapDecl('egress_ports', m.egress),
    mapDecl('ingress_ports', m.ingress),
    ...[...baseChains(m.timeouts !== null, hasStateless(m))].map(
      ([name, lines]) => `chain ${name} {${lines.length ? ` ${lines.join('; ')};` : ''} }`,
    ),
  ];
  return [
    `add table ${T}`,
    `delete table ${T}`,
    `table ${T} {`,
    ...body.map((l) => `  ${l}`),
    '}',
    blockScript(blocked),
  ].join('\n');
}

const sameTimeouts = (a: ConntrackTimeouts | null, b: ConntrackTimeouts | null) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * Structural equality of plain model data (rules, matches, verdicts), without printing either
 * side: unchanged chains are usually the very same objects (render.ts keeps them per rule list).
 */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => same(own(a, k), own(b, k)));
}
const sameRules = (a: NftRule[], b: NftRule[]) => same(a, b);
/** Verdicts compared field by field: a dispatch map holds one per port interface. */
const sameVerdict = (a: Verdict | undefined, b: Verdict | undefined) =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.kind === b.kind &&
    (a.kind !== 'jump' || a.chain === (b as Extract<Verdict, { kind: 'jump' }>).chain));

/**
 * The commands that turn `from` into `to` and record `revision`, or null when only a
 * whole-table write can (the timeouts changed). Without a revision, an empty script means the
 * kernel already holds `to`.
 */
export function diffScript(from: KernelModel, to: KernelModel, revision?: number): string | null {
  // The base chains change with these: the whole table is written.
  if (!sameTimeouts(from.timeouts, to.timeouts) || hasStateless(from) !== hasStateless(to)) return null;
  const out: string[] = [];
  const elements = (verb: 'add' | 'delete', name: string, set: SetModel, items: string[]) => {
    if (items.length) out.push(`${verb} element ${T} ${name} { ${list(items.map((e) => element(set, e)))} }`);
  };
  const setChanges = (name: string, old: SetModel | undefined, set: SetModel) => {
    if (!old || old.interval !== set.interval || old.type !== set.type) {
      if (old) out.push(`flush set ${T} ${name}`);
      else out.push(`add ${setDecl(name, { ...set, elements: new Set() }).replace(/^set /, `set ${T} `)}`);
      elements('add', name, set, [...set.elements]);
      return;
    }
    const removed = [...old.elements].filter((e) => !set.elements.has(e));
    const added = [...set.elements].filter((e) => !old.elements.has(e));
    if (set.interval && removed.length) {
      // Interval sets merge adjacent ranges, so deleting one entry is unreliable: rewrite the set.
      out.push(`flush set ${T} ${name}`);
      elements('add', name, set, [...set.elements]);
    } else {
      elements('delete', name, set, removed);
      elements('add', name, set, added);
    }
  };
  // Sets first: new ones, then element changes (member and address changes end here: no rule is touched).
  for (const [name, set] of to.sets) setChanges(name, from.sets.get(name), set);
  const statelessFrom = statelessSets(from);
  for (const [name, set] of statelessSets(to)) setChanges(name, statelessFrom.get(name), set);
  // Chains: new ones created, changed ones rewritten whole.
  for (const [name, rules] of to.chains) {
    const old = from.chains.get(name);
    if (old && sameRules(old, rules)) continue;
    out.push(old ? `flush chain ${T} ${name}` : `add chain ${T} ${name}`);
    for (const r of rules) out.push(`add rule ${T} ${name} ${ruleText(r)}`);
  }
  // Dispatch: each port's interface to its policy's chains.
  for (const [map, a, b] of [
    ['egress_ports', from.egress, to.egress],
    ['ingress_ports', from.ingress, to.ingress],
  ] as const) {
    const stale = [...a].filter(([k, v]) => !sameVerdict(b.get(k), v)).map(([k]) => `"${k}"`);
    if (stale.length) out.push(`delete element ${T} ${map} { ${stale.join(', ')} }`);
    const fresh = [...b]
      .filter(([k, v]) => !sameVerdict(a.get(k), v))
      .map(([k, v]) => `"${k}" : ${verdictText(v)}`);
    if (fresh.length) out.push(`add element ${T} ${map} { ${fresh.join(', ')} }`);
  }
  // Whatever nothing refers to any more goes last.
  for (const name of from.chains.keys()) if (!to.chains.has(name)) out.push(`delete chain ${T} ${name}`);
  for (const name of from.sets.keys()) if (!to.sets.has(name)) out.push(`delete set ${T} ${name}`);
  if (revision !== undefined) out.push(...revisionCommands(revision));
  return out.length ? `${out.join('\n')}\n` : '';
}
