// OpenStack identities: the users and application credentials that log in at Palisade's
// Keystone endpoint (the Alibaba and Huawei front ends use ordinary access keys).
import type { Command } from 'commander';
import { own } from '../../core/own.js';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';
import { apiAction, fields, type Json, table } from '../remote.js';

/** A password from --password, or (kept out of shell history) the variable --password-env names. */
function passwordFrom(o: Json): string {
  if (o.password) return o.password;
  if (o.passwordEnv) {
    const value = own(process.env, o.passwordEnv);
    if (!value) throw new UsageError(`--password-env: ${o.passwordEnv} is not set`);
    return value;
  }
  throw new UsageError('give --password <password> or --password-env <VARIABLE>');
}

export function openstackCommands(program: Command, io: Io, exit: (code: number) => void): void {
  const openstack = program
    .command('openstack')
    .description("OpenStack identities for Palisade's Keystone endpoint (/identity/v3)");
  const user = openstack.command('user').description('users (domain Default; project = tenant)');
  user
    .command('create')
    .requiredOption('--name <name>', 'user name')
    .option('--tenant <id>', 'tenant (operator keys)')
    .option('--password <password>', 'password (at least 8 characters)')
    .option('--password-env <variable>', 'read the password from this environment variable')
    .option('--description <text>', 'description')
    .option('--admin', "Keystone's admin role on its project: its tokens act as the operator")
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const u = await client.post<Json>('/v1/openstack/users', {
          name: o.name,
          password: passwordFrom(o),
          ...(o.tenant ? { tenantId: o.tenant } : {}),
          ...(o.description ? { description: o.description } : {}),
          ...(o.admin ? { admin: true } : {}),
        });
        return { value: u, text: () => fields(u, ['id', 'name', 'tenantId', 'domainId']) };
      }),
    );
  user
    .command('list')
    .option('--tenant <id>', 'only this tenant (operator keys)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const q = o.tenant ? `?tenantId=${encodeURIComponent(o.tenant)}` : '';
        const { items } = await client.get<{ items: Json[] }>(`/v1/openstack/users${q}`);
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (u) => u.id],
              ['name', (u) => u.name],
              ['tenant', (u) => u.tenantId],
              ['created', (u) => u.createdAt],
            ]),
        };
      }),
    );
  user
    .command('set-password <userId>')
    .option('--password <password>', 'new password')
    .option('--password-env <variable>', 'read the password from this environment variable')
    .action(
      apiAction(io, exit, async (client, userId: string, o: Json) => {
        await client.put(`/v1/openstack/users/${encodeURIComponent(userId)}/password`, {
          password: passwordFrom(o),
        });
        return { value: null, text: () => `password of ${userId} changed; its tokens are revoked` };
      }),
    );
  user.command('delete <userId>').action(
    apiAction(io, exit, async (client, userId: string) => {
      await client.delete(`/v1/openstack/users/${encodeURIComponent(userId)}`);
      return { value: null, text: () => `deleted ${userId}` };
    }),
  );

  const credential = openstack
    .command('app-credential')
    .description('application credentials (OS_APPLICATION_CREDENTIAL_ID / _SECRET)');
  credential
    .command('create <userId>')
    .requiredOption('--name <name>', 'name')
    .option('--description <text>', 'description')
    .option('--expires <time>', 'ISO 8601 expiry')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, userId: string, o: Json) => {
        const c = await client.post<Json>(
          `/v1/openstack/users/${encodeURIComponent(userId)}/application-credentials`,
          {
            name: o.name,
            ...(o.description ? { description: o.description } : {}),
            ...(o.expires ? { expiresAt: o.expires } : {}),
          },
        );
        return {
          value: c,
          text: () => `${fields(c, ['id', 'name', 'secret', 'expiresAt'])}\nThe secret is shown only now.`,
        };
      }),
    );
  credential
    .command('list <userId>')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, userId: string) => {
        const { items } = await client.get<{ items: Json[] }>(
          `/v1/openstack/users/${encodeURIComponent(userId)}/application-credentials`,
        );
        return {
          value: items,
          text: () =>
            table(items, [
              ['id', (c) => c.id],
              ['name', (c) => c.name],
              ['expires', (c) => c.expiresAt ?? 'never'],
            ]),
        };
      }),
    );
  credential.command('delete <userId> <credentialId>').action(
    apiAction(io, exit, async (client, userId: string, id: string) => {
      await client.delete(
        `/v1/openstack/users/${encodeURIComponent(userId)}/application-credentials/${encodeURIComponent(id)}`,
      );
      return { value: null, text: () => `deleted ${id}` };
    }),
  );
}
