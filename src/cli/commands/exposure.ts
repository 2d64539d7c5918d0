// palisade group exposure <id> [--lint-policy file] and palisade region exposure <id> [--lint-policy file]:
// the exposure lint as a table (or JSON), by the default policy or one read from a YAML/JSON file.
import type { Command } from 'commander';
import { parse } from 'yaml';
import { type Io, UsageError } from '../io.js';
import { apiAction, type Json, table } from '../remote.js';

/** The lint policy in a file (YAML or JSON): the server checks its fields. */
function lintPolicy(io: Io, path: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${path} is not YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function showExposure(findings: Json[]): string {
  if (!findings.length) return 'no findings';
  return table(findings, [
    ['severity', (f) => f.severity],
    ['finding', (f) => f.kind],
    ['subject', (f) => f.ruleId ?? f.portId ?? f.groupIds ?? f.groupId ?? ''],
    ['group', (f) => (f.ruleId || f.portId ? (f.groupId ?? '') : '')],
    ['detail', (f) => f.ports ?? f.count ?? ''],
    ['fix', (f) => f.fix],
  ]);
}

/** `exposure <id>` under `palisade group` or `palisade region`. */
export function exposureCommand(
  parent: Command,
  kind: 'group' | 'region',
  io: Io,
  exit: (code: number) => void,
) {
  const path = kind === 'group' ? 'security-groups' : 'regions';
  parent
    .command('exposure <id>')
    .description(
      kind === 'group'
        ? 'rules open to every address (all ports, administrative and database ports, wide ranges), default group left open, quota, use'
        : "every group's exposure findings, and one group for everything, a group per instance, ports under too many rules",
    )
    .option('--lint-policy <file>', 'what to flag: thresholds, sensitive ports, severities (YAML or JSON)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string, o: Json) => {
        const url = `/v1/${path}/${encodeURIComponent(id)}/exposure`;
        const e = o.lintPolicy
          ? await client.post<Json>(url, { policy: lintPolicy(io, o.lintPolicy) })
          : await client.get<Json>(url);
        return { value: e, text: () => showExposure(e.findings as Json[]) };
      }),
    );
}
