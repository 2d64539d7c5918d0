// palisade group unused <id> / port unused <id>: the rules no packet hit for N days (GET .../unused).
import type { Command } from 'commander';
import { type Io, UsageError } from '../io.js';
import { apiAction, type Json, table } from '../remote.js';

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--days must be a whole number of days, not "${value}"`);
  return n;
}

const day = (t: string | null) => (t === null ? 'never' : t.slice(0, 10));

/** The lines a report prints: unused rules, then those no agent measures. */
export function showUnused(u: Json): string {
  const unused = u.unused as Json[];
  const notMeasured = u.notMeasured as Json[];
  const out = [
    unused.length
      ? table(unused, [
          ['rule', (r) => r.ruleId],
          ['group', (r) => r.groupId],
          ['direction', (r) => r.direction],
          ['measured since', (r) => day(r.measuredSince)],
          ['days measured', (r) => r.measuredForDays],
          ['last hit', (r) => day(r.lastHit)],
          ['enforced', (r) => (r.enforcedNow ? 'yes' : 'no')],
        ])
      : `no rule unused for ${u.days} days`,
    `${(u.used as Json[]).length} rule(s) hit in the last ${u.days} days`,
  ];
  if (notMeasured.length)
    out.push(
      'not measured:',
      table(notMeasured, [
        ['rule', (r) => r.ruleId],
        ['group', (r) => r.groupId],
        ['reason', (r) => r.reason],
      ]),
    );
  return out.join('\n');
}

/** `unused <id>` under `palisade group` or `palisade port`. */
export function unusedCommand(
  parent: Command,
  kind: 'group' | 'port',
  io: Io,
  exit: (code: number) => void,
): void {
  const path = kind === 'group' ? 'security-groups' : 'ports';
  parent
    .command('unused <id>')
    .description(`the rules of a ${kind} no packet hit for N days, from the host agents' counters`)
    .option('--days <n>', 'days without a hit (1-90)', '30')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string, o: Json) => {
        const u = await client.get<Json>(`/v1/${path}/${encodeURIComponent(id)}/unused?days=${days(o.days)}`);
        return { value: u, text: () => showUnused(u) };
      }),
    );
}
