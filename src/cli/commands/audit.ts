// The audit log: who changed what (ops/changes.ts).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, type Json, query, table } from '../remote.js';

export function auditCommands(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('audit')
    .description('who changed what, newest first')
    .option('--target <id>', 'one object')
    .option('--group <id>', 'a security group and its rules')
    .option('--action <action>', 'e.g. rule.create')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const { items } = await client.get<{ items: Json[] }>(
          `/v1/audit${query({ targetId: o.target, groupId: o.group, action: o.action, limit: o.limit })}`,
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
