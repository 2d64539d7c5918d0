// Tenancy: tenants (operator), access keys, regions and VPCs (ops/tenancy.ts).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, collect, fields, type Json, keyValues, listAll, query, table } from '../remote.js';
import { exposureCommand } from './exposure.js';

export function tenancyCommands(program: Command, io: Io, exit: (code: number) => void): void {
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
  exposureCommand(region, 'region', io, exit);
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
}
