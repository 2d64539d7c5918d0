// Instances and their ports (ops/instances.ts).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';
import { PREVIEW_HELP, previewableAction } from '../preview.js';
import { apiAction, collect, type Json, keyValues, listAll, query, table } from '../remote.js';

const PORT_KEYS = new Set(['ipv4', 'ipv6', 'public', 'vip', 'group', 'host', 'interface', 'nic']);

/** "ipv4=10.0.0.5,group=sg-1,group=sg-2,host=h1" → a port of POST /v1/instances. */
export function parsePort(text: string): Json {
  const port = new Map<string, unknown>();
  const push = (key: string, value: string) =>
    port.set(key, [...((port.get(key) as string[] | undefined) ?? []), value]);
  for (const [k, v] of keyValues(text, '--port')) {
    if (!PORT_KEYS.has(k))
      throw new UsageError(`--port "${text}": ${k} is not one of ${[...PORT_KEYS].join(', ')}`);
    if (k === 'ipv4' || k === 'ipv6') push(k, v);
    else if (k === 'vip') push('virtualIps', v);
    else if (k === 'group') push('groupIds', v);
    else if (k === 'public') port.set('publicIpv4', v);
    else if (k === 'nic') port.set('nicType', v);
    else port.set(k, v);
  }
  return Object.fromEntries(port);
}

export function instanceCommands(program: Command, io: Io, exit: (code: number) => void): void {
  const instance = program.command('instance').description('instances and their ports');
  const instanceTable = (items: Json[]) =>
    table(
      items.flatMap((i) => i.ports.map((p: Json) => ({ i, p }))),
      [
        ['instance', ({ i }) => i.id],
        ['name', ({ i }) => i.name],
        ['port', ({ p }) => p.id],
        ['addresses', ({ p }) => [...p.ipv4, ...p.ipv6]],
        ['host', ({ p }) => p.host],
        ['groups', ({ p }) => p.groupIds],
      ],
    );
  instance
    .command('create')
    .requiredOption('--region <id>', 'region')
    .option('--vpc <id>', 'VPC (omit with --classic)')
    .option('--classic', 'Alibaba classic network')
    .requiredOption('--name <name>', 'name')
    .option(
      '--port <spec>',
      'ipv4=..,ipv6=..,public=..,vip=..,group=..,host=..,interface=..,nic=.. (repeatable; without group: the default group)',
      collect,
      [],
    )
    .option('--tenant <id>', 'tenant (operator keys)')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, o: Json) => {
        const ports = (o.port.length ? o.port : ['']).map((spec: string) => (spec ? parsePort(spec) : {}));
        const i = await client.post<Json>('/v1/instances', {
          regionId: o.region,
          vpcId: o.classic ? null : (o.vpc ?? null),
          name: o.name,
          ports,
          ...(o.tenant ? { tenantId: o.tenant } : {}),
        });
        return { value: i, text: () => instanceTable([i]) };
      }),
    );
  instance
    .command('list')
    .option('--region <id>')
    .option('--host <host>')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const items = await listAll<Json>(
          client,
          `/v1/instances${query({ regionId: o.region, host: o.host })}`,
          true,
        );
        return { value: items, text: () => instanceTable(items) };
      }),
    );
  instance
    .command('delete <id>')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, id: string) => {
        await client.delete(`/v1/instances/${id}`);
        return { value: { deleted: id }, text: () => `deleted ${id}` };
      }),
    );
}
