// Tenancy and inventory: tenant, access-key, region, vpc, instance, audit.
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';
import { apiAction, collect, fields, type Json, keyValues, listAll, query, table } from '../remote.js';

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

export function adminCommands(program: Command, io: Io, exit: (code: number) => void): void {
  const tenant = program.command('tenant').description('tenants (operator)');
  tenant
    .command('create')
    .requiredOption('--name <name>', 'name')
    .option('--id <id>', 'id (default: generated)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const t = await client.post<Json>('/v1/tenants', { name: o.name, ...(o.id ? { id: o.id } : {}) });
        return { value: t, text: () => fields(t, ['id', 'name']) };
      }),
    );
  tenant
    .command('list')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client) => {
        const items = await listAll<Json>(client, '/v1/tenants', true);
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (t) => t.id],
              ['name', (t) => t.name],
            ]),
        };
      }),
    );

  const key = program.command('access-key').description('access keys');
  key
    .command('create')
    .description('a key for your tenant, a tenant (--tenant, operator) or an operator (--admin)')
    .option('--tenant <id>', 'tenant')
    .option('--admin', 'an operator key')
    .option('--description <text>', 'description')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const k = await client.post<Json>('/v1/access-keys', {
          ...(o.tenant ? { tenantId: o.tenant } : {}),
          ...(o.admin ? { role: 'admin' } : {}),
          ...(o.description ? { description: o.description } : {}),
        });
        return {
          value: k,
          text: () => `${fields(k, ['id', 'secret', 'role', 'tenantId'])}\nThe secret is shown only now.`,
        };
      }),
    );
  key
    .command('list')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client) => {
        const { items } = await client.get<{ items: Json[] }>('/v1/access-keys');
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (k) => k.id],
              ['role', (k) => k.role],
              ['tenant', (k) => k.tenantId],
              ['created', (k) => k.createdAt],
            ]),
        };
      }),
    );

  const region = program.command('region').description('regions');
  region
    .command('create')
    .requiredOption('--id <id>', 'id')
    .requiredOption('--profile <profile>', 'alibaba, huawei or openstack')
    .option('--name <name>', 'name')
    .option('--quota <name=value>', 'a quota (repeatable), e.g. rulesPerGroup=200', collect, [])
    .option(
      '--timeout <name=seconds>',
      'a conntrack timeout (repeatable), e.g. tcpEstablished=600',
      collect,
      [],
    )
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const numbers = (items: string[], flag: string) =>
          Object.fromEntries(items.flatMap((q) => keyValues(q, flag)).map(([k, v]) => [k, Number(v)]));
        const r = await client.post<Json>('/v1/regions', {
          id: o.id,
          profile: o.profile,
          ...(o.name ? { name: o.name } : {}),
          ...(o.quota.length ? { quotas: numbers(o.quota, '--quota') } : {}),
          ...(o.timeout.length ? { conntrackTimeouts: numbers(o.timeout, '--timeout') } : {}),
        });
        return {
          value: r,
          text: () => fields({ ...r, quotas: JSON.stringify(r.quotas) }, ['id', 'profile', 'quotas']),
        };
      }),
    );
  region
    .command('list')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client) => {
        const { items } = await client.get<{ items: Json[] }>('/v1/regions');
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (r) => r.id],
              ['profile', (r) => r.profile],
              ['name', (r) => r.name],
            ]),
        };
      }),
    );

  const vpc = program.command('vpc').description('VPCs');
  vpc
    .command('create')
    .requiredOption('--region <id>', 'region')
    .requiredOption('--name <name>', 'name')
    .option('--cidr <cidr>', 'address range')
    .option('--tenant <id>', 'tenant (operator keys)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const v = await client.post<Json>('/v1/vpcs', {
          regionId: o.region,
          name: o.name,
          ...(o.cidr ? { cidr: o.cidr } : {}),
          ...(o.tenant ? { tenantId: o.tenant } : {}),
        });
        return { value: v, text: () => fields(v, ['id', 'name', 'regionId', 'cidr']) };
      }),
    );
  vpc
    .command('list')
    .option('--region <id>')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const items = await listAll<Json>(client, `/v1/vpcs${query({ regionId: o.region })}`, true);
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (v) => v.id],
              ['name', (v) => v.name],
              ['region', (v) => v.regionId],
              ['cidr', (v) => v.cidr],
            ]),
        };
      }),
    );

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
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
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
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string) => {
        await client.delete(`/v1/instances/${id}`);
        return { value: { deleted: id }, text: () => `deleted ${id}` };
      }),
    );

  program
    .command('audit')
    .description('who changed what, newest first')
    .option('--target <id>', 'one object')
    .option('--action <action>', 'e.g. rule.create')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const { items } = await client.get<{ items: Json[] }>(
          `/v1/audit${query({ targetId: o.target, action: o.action, limit: o.limit })}`,
        );
        return {
          value: items,
          text: () =>
            table(items, [
              ['revision', (a) => a.revision],
              ['at', (a) => a.at],
              ['actor', (a) => a.actor],
              ['action', (a) => a.action],
              ['target', (a) => a.targetId],
            ]),
        };
      }),
    );
}
