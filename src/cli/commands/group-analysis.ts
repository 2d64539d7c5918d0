// palisade group findings|compact: a group's rule findings over every port holding it, and a
// smaller equivalent rule set (shown, or written with --apply).
import type { Command } from 'commander';
import type { Io } from '../io.js';
import { apiAction, type Json, table } from '../remote.js';
import { RULE_COLUMNS } from './group.js';

const where = (f: Json) =>
  f.holds === 'everyPort'
    ? 'every member port'
    : f.holds === 'groupAlone'
      ? 'the group alone (no members)'
      : [...f.ports, ...(f.otherTenantsPorts ? [`${f.otherTenantsPorts} of other tenants`] : [])].join(', ');

function showCompaction(c: Json): string {
  const n = c.counts;
  const head = `${c.groupId}: ${n.before} rules -> ${n.after} (${n.dropped} dropped, ${n.merged} merged into ${n.added})${
    c.applied ? ', written' : c.outcome === 'compacted' ? ', not written (--apply writes it)' : ''
  }`;
  if (c.outcome === 'unchanged') return `${c.groupId}: no smaller equivalent rule set (${n.before} rules)`;
  const proof = `proof: ${c.proof.checks.length} checks (ports x directions x families), all equivalent: ${c.proof.equivalent}`;
  const rules = c.rules.map((r: Json, i: number) => ({ ...r, position: i + 1 }));
  return [
    head,
    proof,
    '',
    'removed:',
    table(c.removed as Json[], [
      ['rule', (x) => x.ruleId],
      ['reason', (x) => x.reason],
      ['into', (x) => x.into.join(', ')],
    ]),
    '',
    'proposed rules:',
    table(rules, RULE_COLUMNS),
  ].join('\n');
}

/** Adds the commands to the `group` command that group.ts made. */
export function groupAnalysisCommands(program: Command, io: Io, exit: (code: number) => void): void {
  const group = program.commands.find((c) => c.name() === 'group');
  if (!group) throw new Error('the group command must be registered first');
  group
    .command('findings <id>')
    .description(
      'shadowed, partially shadowed, redundant, conflicting and empty rules, on every port holding the group',
    )
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string) => {
        const f = await client.get<Json>(`/v1/security-groups/${id}/findings`);
        const findings = f.findings as Json[];
        return {
          value: f,
          text: () =>
            findings.length
              ? table(findings, [
                  ['finding', (x) => x.kind],
                  ['rule', (x) => x.ruleId],
                  ['direction', (x) => x.direction],
                  ['ethertype', (x) => x.ethertype],
                  ['by', (x) => x.by.join(', ')],
                  ['holds on', where],
                ])
              : 'no findings',
        };
      }),
    );
  group
    .command('compact <id>')
    .description(
      'a smaller rule set that decides every packet the same (merged ports and CIDRs, dropped rules)',
    )
    .option('--apply', 'write it (one write)')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, id: string, o: Json) => {
        const c = await client.post<Json>(
          `/v1/security-groups/${id}/compact?apply=${o.apply ? 'true' : 'false'}`,
        );
        return { value: c, text: () => showCompaction(c) };
      }),
    );
}
