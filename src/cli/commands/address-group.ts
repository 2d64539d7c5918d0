// palisade address-group create|list|show|add-entry|rm-entry|delete
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { PREVIEW_HELP, previewableAction } from '../preview.js';
import { apiAction, collect, fields, type Json, listAll, query, table } from '../remote.js';

const show = (a: Json) =>
  fields(a, ['id', 'name', 'description', 'regionId', 'ethertype', 'entries', 'revision']);

export function addressGroupCommand(program: Command, io: Io, exit: (code: number) => void): void {
  const ag = program.command('address-group').description('IP address groups (Alibaba: prefix lists)');
  ag.command('create')
    .requiredOption('--region <id>', 'region')
    .requiredOption('--name <name>', 'name')
    .option('--ethertype <type>', 'IPv4 or IPv6')
    .option('--entry <cidr>', 'an address or CIDR (repeatable)', collect, [])
    .option('--description <text>', 'description')
    .option('--tenant <id>', 'tenant (operator keys)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const a = await client.post<Json>('/v1/address-groups', {
          regionId: o.region,
          name: o.name,
          entries: o.entry,
          ...(o.ethertype ? { ethertype: o.ethertype } : {}),
          ...(o.description ? { description: o.description } : {}),
          ...(o.tenant ? { tenantId: o.tenant } : {}),
        });
        return { value: a, text: () => show(a) };
      }),
    );
  ag.command('list')
    .option('--region <id>')
    .option('--all', 'follow cursors to the last page')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const items = await listAll<Json>(
          client,
          `/v1/address-groups${query({ regionId: o.region })}`,
          !!o.all,
        );
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (a) => a.id],
              ['name', (a) => a.name],
              ['region', (a) => a.regionId],
              ['entries', (a) => a.entries.length],
            ]),
        };
      }),
    );
  ag.command('show <id>')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string) => {
        const a = await client.get<Json>(`/v1/address-groups/${id}`);
        return { value: a, text: () => show(a) };
      }),
    );
  for (const [name, key, what] of [
    ['add-entry', 'add', 'add entries'],
    ['rm-entry', 'remove', 'remove entries'],
  ] as const)
    ag.command(`${name} <id> <cidrs...>`)
      .description(`${what} (in one write)`)
      .option('--preview', PREVIEW_HELP)
      .option('--json', 'print JSON')
      .action(
        previewableAction(io, exit, async (client, id: string, cidrs: string[]) => {
          const a = await client.patch<Json>(`/v1/address-groups/${id}`, { [key]: cidrs });
          return { value: a, text: () => show(a) };
        }),
      );
  ag.command('delete <id>')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, id: string) => {
        await client.delete(`/v1/address-groups/${id}`);
        return { value: { deleted: id }, text: () => `deleted ${id}` };
      }),
    );
}
