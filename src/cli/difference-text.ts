// How the CLI prints what a change does: a policy difference (palisade diff, plan), the live
// connections a change will cut (plan, and every write's --preview), and a write's preview as a
// whole. One module so the three commands print the same thing the same way.
import { type Json, table } from './remote.js';

const decider = (d: Json) =>
  d.kind === 'rule'
    ? `${d.action} ${d.ruleId}`
    : d.kind === 'innerAccess'
      ? `innerAccess ${d.groupId}`
      : d.kind === 'default'
        ? `default ${d.verdict}`
        : d.kind;

const packets = (p: Json) =>
  (p.boxes as Json[])
    .map((b) => {
      const l4 =
        b.ports[0] !== 'any'
          ? ` ports ${b.ports.join(',')}`
          : b.icmp[0] !== 'any'
            ? ` icmp ${b.icmp.join(',')}`
            : '';
      const src = b.sourcePorts[0] !== 'any' ? ` sport ${b.sourcePorts.join(',')}` : '';
      return `proto ${b.protocols.join(',')}${l4}${src} remote ${b.remote.join(',')}`;
    })
    .join('; ') + (p.more ? ` (+${p.more} more)` : '');

/** A difference (or a plan's, or a preview's) as one table row per piece. */
export function differenceTable(d: Json): string {
  if (d.equivalent) return 'equivalent: no packet of any port gets another verdict';
  const rows = (d.ports as Json[]).flatMap((port) =>
    (['newlyAllowed', 'newlyDenied'] as const).flatMap((change) =>
      (port[change] as Json[]).map((piece) => ({ port, change, piece })),
    ),
  );
  return table(rows, [
    ['port', ({ port }) => port.portId],
    ['direction', ({ port }) => port.direction],
    ['family', ({ port }) => port.ethertype],
    ['change', ({ change }) => (change === 'newlyAllowed' ? 'newly allowed' : 'newly denied')],
    ['packets', ({ piece }) => packets(piece.packets)],
    ['before', ({ piece }) => decider(piece.before)],
    ['after', ({ piece }) => decider(piece.after)],
  ]);
}

const endpoint = (address: string, port?: number) =>
  port === undefined ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/**
 * The live connections a change will cut (from the agents' listings), the hosts whose listings
 * they come from, and the ports whose cut is only modelled (their host listed nothing).
 */
export function connectionsText(c: Json): string {
  const cut = c.cut as Json[];
  const lines = [
    cut.length
      ? `connections it will cut:\n${table(cut, [
          ['port', (x) => x.portId],
          ['host', (x) => x.host ?? ''],
          ['protocol', (x) => x.protocol],
          ['src', (x) => endpoint(x.src, x.sport)],
          ['dst', (x) => endpoint(x.dst, x.dport)],
          ['origin', (x) => x.origin],
          ['state', (x) => x.state],
          ['reason', (x) => x.reason],
          ['because', (x) => x.because],
        ])}`
      : 'connections it will cut: none listed by the agents',
  ];
  const listed = (c.listedHosts ?? []) as Json[];
  if (listed.length)
    lines.push(
      `hosts listed: ${listed
        .map(
          (h) => `${h.host} (${h.connections} connections of the change's ports, reported ${h.reportedAt})`,
        )
        .join(', ')}`,
    );
  const modelled = c.modelled as Json[];
  if (modelled.length)
    lines.push(
      `ports without an agent's listing (what the clearing does to their connections): ${modelled
        .map((m) => `${m.portId} ${m.effect}`)
        .join(', ')}`,
    );
  return lines.join('\n');
}

/** A write's preview: what it would answer, the packets it changes, and the connections it will cut. */
export function previewText(p: Json): string {
  const id = typeof p.result?.id === 'string' ? ` (id ${p.result.id})` : '';
  return [
    `preview, nothing written: the write would answer ${p.status}${id} at revision ${p.revision} of region ${p.regionId ?? '(none)'}, ${p.events} change event${p.events === 1 ? '' : 's'}`,
    differenceTable(p),
    connectionsText(p.connections),
  ].join('\n');
}
