// `palisade quota show`: the quotas binding a tenant per region with what it uses (GET /v1/quotas).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, type Json, query, table } from '../remote.js';

export function quotaCommands(program: Command, io: Io, exit: (code: number) => void): void {
  const quota = program.command('quota').description("a tenant's quotas and usage");
  quota
    .command('show')
    .description(
      "the quotas binding your tenant (operator: --tenant's) per region, with the tenant-wide usage",
    )
    .option('--region <id>', 'one region')
    .option('--tenant <id>', 'the tenant (operator keys)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const usage = await client.get<Json>(
          `/v1/quotas${query({ regionId: o.region, tenantId: o.tenant })}`,
        );
        const rows = (usage.items as Json[]).flatMap((r) =>
          (r.quotas as Json[]).map((q): Json => ({ regionId: r.regionId, ...q })),
        );
        return {
          value: usage,
          text: () =>
            table(rows, [
              ['region', (q) => q.regionId],
              ['quota', (q) => q.name],
              ['used', (q) => (q.used === undefined ? `per ${q.per}` : String(q.used))],
              ['limit', (q) => (q.limit === 0 ? 'none' : String(q.limit))],
              ['source', (q) => (q.overridden ? 'tenant override' : 'region')],
            ]),
        };
      }),
    );
}
