// palisade reach <region> (the matrix of who reaches whom, by port or by group) and
// palisade why-not <region> <from> <to> <protocol> [port] (each side's reason and the changes that would deliver it).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, type Json, query, table } from '../remote.js';

const PROTOCOL_NAMES = new Map([
  ['1', 'icmp'],
  ['6', 'tcp'],
  ['17', 'udp'],
  ['47', 'gre'],
  ['58', 'icmpv6'],
  ['132', 'sctp'],
  ['0-255', 'all'],
]);

/** One box of services as people write it: "tcp 22", "icmp 8/0", "all", with "v6 " before IPv6 ones. */
function serviceText(b: Json): string {
  const protocols = (b.protocols as string[]).map((p) => PROTOCOL_NAMES.get(p) ?? `proto ${p}`).join(',');
  const detail = [
    b.ports[0] !== 'any' ? (b.ports as string[]).join(',') : '',
    b.icmp[0] !== 'any' ? (b.icmp as string[]).join(',') : '',
    b.sourcePorts[0] !== 'any' ? `from port ${(b.sourcePorts as string[]).join(',')}` : '',
  ].filter(Boolean);
  return `${b.ethertype === 'IPv6' ? 'v6 ' : ''}${[protocols, ...detail].join(' ')}`;
}

const servicesText = (s: Json) =>
  (s.boxes as Json[]).map(serviceText).join('; ') + (s.more ? ` (+${s.more} more)` : '');

const deciderText = (d: Json) =>
  d.kind === 'rule'
    ? `${d.ruleId} (${d.groupId})`
    : d.kind === 'innerAccess'
      ? `innerAccess ${d.groupId}`
      : d.kind;

function portMatrix(a: Json, paths: boolean): string {
  const ports = (a.ports as Json[]).map((p) => p.id as string);
  const cell = new Map((a.pairs as Json[]).map((x) => [`${x.from}>${x.to}`, x]));
  const lines = [
    table(ports, [
      ['from \\ to', (from) => from],
      ...ports.map((to): [string, (from: string) => unknown] => [
        to,
        (from) =>
          from === to
            ? '·'
            : cell.has(`${from}>${to}`)
              ? servicesText(cell.get(`${from}>${to}`)!.services)
              : '-',
      ]),
    ]),
    `${(a.pairs as Json[]).length} pairs allowed, ${a.blockedPairs} blocked${a.more ? ` (${a.more} more allowed pairs not shown)` : ''}`,
  ];
  if (paths)
    lines.push(
      '',
      table(
        (a.pairs as Json[]).flatMap((x) => (x.paths as Json[]).map((p) => ({ x, p }))),
        [
          ['from', ({ x, p }) => `${x.from} ${p.fromAddress}`],
          ['to', ({ x, p }) => `${x.to} ${p.toAddress}`],
          ['services', ({ p }) => servicesText(p.services)],
          ['egress by', ({ p }) => deciderText(p.egress)],
          ['ingress by', ({ p }) => deciderText(p.ingress)],
        ],
      ),
    );
  return lines.join('\n');
}

const groupMatrix = (a: Json) =>
  (a.pairs as Json[]).length
    ? table(a.pairs as Json[], [
        ['from', (x) => x.from],
        ['to', (x) => x.to],
        ['pairs', (x) => `${x.allowedPairs}/${x.totalPairs}`],
        ['some pair allows', (x) => servicesText(x.some)],
        ['every pair allows', (x) => servicesText(x.every) || '-'],
      ])
    : 'no group reaches another';

function reasonText(r: Json): string {
  switch (r.kind) {
    case 'denyRule':
      return `deny rule ${r.ruleId} of ${r.groupId} (priority ${r.priority})`;
    case 'allowedByRule':
      return `allowed by ${r.ruleId} of ${r.groupId}`;
    case 'allowedByInnerAccess':
      return `allowed: members of ${r.groupId} reach each other`;
    case 'outside':
      return 'no Palisade port: no policy';
    case 'hidden':
      return "another tenant's port";
    default:
      return r.detail ? `${r.kind}: ${r.detail}` : r.kind;
  }
}

export function reachCommands(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('reach <region>')
    .description('who reaches whom: a matrix of your ports (or groups) with the protocols and ports allowed')
    .option('--by <what>', 'port or group', 'port')
    .option('--paths', 'also list every allowed path with the deciding rules of both sides')
    .option('--limit <n>', 'at most this many allowed pairs')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, region: string, o: Json) => {
        const a = await client.get<Json>(
          `/v1/regions/${region}/reachability${query({ by: o.by, limit: o.limit })}`,
        );
        return { value: a, text: () => (a.by === 'group' ? groupMatrix(a) : portMatrix(a, !!o.paths)) };
      }),
    );
  program
    .command('why-not <region> <from> <to> <protocol> [port]')
    .description(
      'why a packet between two endpoints (port ids or addresses) is blocked, and the rule changes that would let it',
    )
    .option('--src-port <n>', 'source port')
    .option('--icmp-type <n>', 'ICMP type')
    .option('--icmp-code <n>', 'ICMP code')
    .option('--ethertype <family>', 'IPv4 or IPv6 (port ids have both)')
    .option('--json', 'print JSON')
    .action(
      apiAction(
        io,
        exit,
        async (
          client,
          region: string,
          from: string,
          to: string,
          protocol: string,
          port: string | undefined,
          o: Json,
        ) => {
          const w = await client.get<Json>(
            `/v1/regions/${region}/reachability/why-not${query({
              from,
              to,
              protocol,
              port,
              srcPort: o.srcPort,
              icmpType: o.icmpType,
              icmpCode: o.icmpCode,
              ethertype: o.ethertype,
            })}`,
          );
          const sides = [w.egress, w.ingress] as Json[];
          const suggestions = sides.flatMap((s) => (s.suggestions as Json[]).map((x) => ({ s, x })));
          return {
            value: w,
            text: () =>
              [
                `${w.verdict === 'allow' ? 'delivered' : 'blocked'}: ${w.packet.src} -> ${w.packet.dst}`,
                table(sides, [
                  ['side', (s) => s.direction],
                  ['port', (s) => s.portId ?? '-'],
                  ['verdict', (s) => s.verdict],
                  ['because', (s) => reasonText(s.reason)],
                ]),
                ...(suggestions.length
                  ? ['', 'would deliver it:', ...suggestions.map(({ s, x }) => `  ${s.direction}: ${x.text}`)]
                  : []),
                ...(w.network.note ? ['', `note: ${w.network.note}`] : []),
              ].join('\n'),
          };
        },
      ),
    );
}
