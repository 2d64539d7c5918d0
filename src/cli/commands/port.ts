// palisade port list|show|join|leave|analyze|unused
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, fields, type Json, listAll, query, table } from '../remote.js';
import { PREVIEW_HELP, previewableAction } from '../preview.js';
import { unusedCommand } from './unused.js';

const showPort = (p: Json) =>
  fields({ ...p, groups: p.groupIds }, [
    'id',
    'instanceId',
    'regionId',
    'ipv4',
    'ipv6',
    'publicIpv4',
    'virtualIps',
    'nicType',
    'host',
    'interface',
    'groups',
    'revision',
  ]);

export function portCommand(program: Command, io: Io, exit: (code: number) => void): void {
  const port = program.command('port').description('instance ports and their security groups');
  unusedCommand(port, 'port', io, exit);
  port
    .command('list')
    .description("the caller's ports across instances, by id (GET /v1/ports)")
    .option('--region <id>')
    .option('--vpc <id>')
    .option('--host <host>')
    .option('--group <id>', 'the ports holding this group')
    .option('--match <text>', 'id, name, instance name or an address containing the text')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const filter = { regionId: o.region, vpcId: o.vpc, host: o.host, groupId: o.group, match: o.match };
        const items = await listAll<Json>(client, `/v1/ports${query(filter)}`, true);
        return {
          value: items,
          text: () =>
            table(items, [
              ['port', (p) => p.id],
              ['instance', (p) => p.instanceId],
              ['region', (p) => p.regionId],
              ['addresses', (p) => [...p.ipv4, ...p.ipv6]],
              ['host', (p) => p.host],
              ['groups', (p) => p.groupIds],
            ]),
        };
      }),
    );
  port
    .command('show <port>')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string) => {
        const p = await client.get<Json>(`/v1/ports/${id}`);
        return { value: p, text: () => showPort(p) };
      }),
    );
  port
    .command('analyze <port>')
    .description('effective rules (what each rule really decides) and findings: shadowed, redundant, ...')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string) => {
        const a = await client.get<Json>(`/v1/ports/${id}/analysis`);
        const rows = (a.effective as Json[]).flatMap((side) =>
          (side.entries as Json[]).map((e) => ({ side, e })),
        );
        const summary = (p: Json) =>
          (p.boxes as Json[])
            .map((b) => `${b.protocols.join(',')} ports ${b.ports.join(',')} from ${b.remote.join(',')}`)
            .join('; ') + (p.more ? ` (+${p.more} more)` : '');
        return {
          value: a,
          text: () =>
            [
              table(rows, [
                ['direction', ({ side }) => side.direction],
                ['family', ({ side }) => side.ethertype],
                ['#', ({ e }) => e.position],
                ['rule', ({ e }) => e.ruleId ?? `innerAccess ${e.groupId}`],
                ['action', ({ e }) => e.action],
                ['decides', ({ e }) => (e.decides === 'nothing' ? '(nothing)' : summary(e.packets))],
              ]),
              '',
              (a.findings as Json[]).length
                ? table(a.findings as Json[], [
                    ['finding', (f) => f.kind],
                    ['rule', (f) => f.ruleId],
                    ['group', (f) => f.groupId],
                    ['direction', (f) => f.direction],
                    ['family', (f) => f.ethertype],
                    ['because of', (f) => f.by],
                  ])
                : 'no findings',
            ].join('\n'),
        };
      }),
    );
  port
    .command('join <port> <group>')
    .description('add the port to a group')
    .option('--sequence <n>', 'place in the ordered membership (0 first; default last)')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, id: string, group: string, o: Json) => {
        const body = {
          groupId: group,
          ...(o.sequence !== undefined ? { sequence: Number(o.sequence) } : {}),
        };
        const p = await client.post<Json>(`/v1/ports/${id}/groups`, body);
        return { value: p, text: () => showPort(p) };
      }),
    );
  port
    .command('leave <port> <group>')
    .description('remove the port from a group (refused for its last group)')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, id: string, group: string) => {
        await client.delete(`/v1/ports/${id}/groups/${group}`);
        const p = await client.get<Json>(`/v1/ports/${id}`);
        return { value: p, text: () => showPort(p) };
      }),
    );
}
