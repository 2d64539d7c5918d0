// palisade group create|list|show|exposure|unused|clone|rename|delete, and the rule table group show prints.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, type Column, fields, type Json, listAll, query, table } from '../remote.js';
import { PREVIEW_HELP, previewableAction } from '../preview.js';
import { exposureCommand } from './exposure.js';
import { unusedCommand } from './unused.js';

const portsText = (ranges?: { from: number; to: number }[]) =>
  ranges?.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',') ?? 'all';

export const RULE_COLUMNS: Column<Json>[] = [
  ['pos', (r) => r.position],
  ['id', (r) => r.id],
  ['direction', (r) => r.direction],
  ['action', (r) => r.action],
  ['priority', (r) => r.priority],
  ['ethertype', (r) => r.ethertype],
  ['protocol', (r) => r.protocol],
  [
    'ports',
    (r) =>
      ['tcp', 'udp', 'sctp', 6, 17, 132].includes(r.protocol)
        ? portsText(r.ports)
        : r.icmpType !== undefined
          ? `type ${r.icmpType}${r.icmpCode !== undefined ? ` code ${r.icmpCode}` : ''}`
          : '',
  ],
  [
    'remote',
    (r) =>
      r.remoteIpPrefix ??
      (r.remoteGroup
        ? `group ${r.remoteGroup}`
        : r.remoteAddressGroup
          ? `address-group ${r.remoteAddressGroup}`
          : 'any'),
  ],
  ['description', (r) => r.description],
];

const GROUP_COLUMNS: Column<Json>[] = [
  ['id', (g) => g.id],
  ['name', (g) => g.name],
  ['region', (g) => g.regionId],
  ['vpc', (g) => g.vpcId ?? 'classic'],
  ['type', (g) => g.type],
  ['rules', (g) => g.ruleCount],
  ['ports', (g) => g.memberCount],
  ['revision', (g) => g.revision],
];

export function showGroup(g: Json): string {
  const head = fields(g, [
    'id',
    'name',
    'description',
    'tenantId',
    'regionId',
    'vpcId',
    'type',
    'stateful',
    'innerAccessPolicy',
    'memberCount',
    'revision',
  ]);
  const rules = (dir: string) => g.rules.filter((r: Json) => r.direction === dir);
  return [
    head,
    '',
    `ingress rules (evaluation order):`,
    table(rules('ingress'), RULE_COLUMNS),
    '',
    'egress rules (evaluation order):',
    table(rules('egress'), RULE_COLUMNS),
  ].join('\n');
}

export function groupCommand(program: Command, io: Io, exit: (code: number) => void): void {
  const group = program.command('group').description('security groups');
  unusedCommand(group, 'group', io, exit);
  group
    .command('create')
    .description("create a group: the profile's starting rules, a template's, or none (--template empty)")
    .requiredOption('--region <id>', 'region')
    .option('--vpc <id>', 'VPC (omit with --classic)')
    .option('--classic', 'Alibaba classic network (no VPC)')
    .requiredOption('--name <name>', 'name')
    .option('--description <text>', 'description')
    .option('--type <type>', 'basic or advanced (alibaba)')
    .option('--template <id>', 'template id (GET /v1/templates) or "empty"')
    .option('--stateless', 'stateless group (openstack)')
    .option('--tenant <id>', 'tenant (operator keys)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const body = {
          regionId: o.region,
          vpcId: o.classic ? null : (o.vpc ?? null),
          name: o.name,
          ...(o.description ? { description: o.description } : {}),
          ...(o.type ? { type: o.type } : {}),
          ...(o.template ? { template: o.template } : {}),
          ...(o.stateless ? { stateful: false } : {}),
          ...(o.tenant ? { tenantId: o.tenant } : {}),
        };
        const g = await client.post<Json>('/v1/security-groups', body);
        return { value: g, text: () => showGroup(g) };
      }),
    );
  group
    .command('list')
    .description('list groups')
    .option('--region <id>')
    .option('--vpc <id>')
    .option('--name <name>')
    .option('--type <type>', 'basic or advanced')
    .option('--limit <n>', 'page size')
    .option('--cursor <cursor>', 'page after this cursor')
    .option('--all', 'follow cursors to the last page')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const items = await listAll<Json>(
          client,
          `/v1/security-groups${query({ regionId: o.region, vpcId: o.vpc, name: o.name, type: o.type, limit: o.limit, cursor: o.cursor })}`,
          !!o.all,
        );
        return { value: items, text: () => table(items, GROUP_COLUMNS) };
      }),
    );
  group
    .command('show <id>')
    .description('a group and its rules in evaluation order')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string) => {
        const g = await client.get<Json>(`/v1/security-groups/${id}`);
        return { value: g, text: () => showGroup(g) };
      }),
    );
  exposureCommand(group, 'group', io, exit);
  group
    .command('clone <id>')
    .description('copy a group and its rules (rules naming the group name the copy)')
    .requiredOption('--name <name>', 'name of the copy')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string, o: Json) => {
        const g = await client.post<Json>(`/v1/security-groups/${id}/clone`, { name: o.name });
        return { value: g, text: () => showGroup(g) };
      }),
    );
  group
    .command('rename <id> <name>')
    .description('rename a group')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string, name: string) => {
        const g = await client.patch<Json>(`/v1/security-groups/${id}`, { name });
        return { value: g, text: () => `${g.id} renamed to ${g.name}` };
      }),
    );
  group
    .command('delete <id>')
    .description('delete a group (refused while ports or other groups use it)')
    .option('--preview', PREVIEW_HELP)
    .option('--json', 'print JSON')
    .action(
      previewableAction(io, exit, async (client, id: string) => {
        await client.delete(`/v1/security-groups/${id}`);
        return { value: { deleted: id }, text: () => `deleted ${id}` };
      }),
    );
}
