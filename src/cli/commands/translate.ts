// palisade export --format aws [-o file] / palisade import --format ... -f file [--dry-run]:
// a region's policy in a cloud's own JSON, and such a document into a region of any profile.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Io, UsageError } from '../io.js';
import { apiAction, type Json, table } from '../remote.js';

const FORMATS = ['alibaba', 'huawei', 'neutron', 'aws'];

function formatOf(value: string): string {
  if (!FORMATS.includes(value))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${value}"`);
  return value;
}

const packets = (p: Json) =>
  (p.boxes as Json[])
    .map(
      (b) =>
        `${b.protocols.join(',')} ports ${b.ports.join(',')} icmp ${b.icmp.join(',')} src ${b.sourcePorts.join(',')} remote ${b.remote.join(',')}`,
    )
    .join('; ') + (p.more ? ` (+${p.more} more)` : '');

/** The groups and where the translation differs, as tables. */
function report(r: Json, groupColumns: [string, (g: Json) => unknown][]): string {
  const differences = r.differences as Json[];
  return [
    table(r.groups as Json[], groupColumns),
    '',
    differences.length
      ? table(differences, [
          ['port or group', (d) => d.portId ?? `group ${d.groupId}`],
          ['direction', (d) => d.direction],
          ['family', (d) => d.ethertype],
          ['lost (allowed before, not after)', (d) => (d.lost.boxes.length ? packets(d.lost) : '-')],
          ['gained (allowed after only)', (d) => (d.gained.boxes.length ? packets(d.gained) : '-')],
        ])
      : 'equivalent: every port allows exactly the same packets',
  ].join('\n');
}

export function translateCommands(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('export')
    .description(
      "a region's policy in a cloud's own JSON (alibaba, huawei, neutron, aws), with what it cannot express",
    )
    .requiredOption('--region <id>', 'region')
    .requiredOption('--format <format>', FORMATS.join(' | '))
    .option('-o, --output <file>', 'write the document to a file (else it is printed)')
    .option('--tenant <id>', "admin keys: one tenant's groups")
    .option('--json', 'print the whole answer as JSON')
    .action(
      apiAction(
        io,
        exit,
        async (client, o: { region: string; format: string; output?: string; tenant?: string }) => {
          const format = formatOf(o.format);
          const q = new URLSearchParams({ format, ...(o.tenant ? { tenantId: o.tenant } : {}) });
          const r = await client.get<Json>(`/v1/regions/${encodeURIComponent(o.region)}/export?${q}`);
          if (o.output) writeFileSync(o.output, `${JSON.stringify(r.document, null, 2)}\n`);
          return {
            value: r,
            text: () =>
              [
                ...(o.output ? [] : [JSON.stringify(r.document, null, 2), '']),
                report(r, [
                  ['group', (g) => g.id],
                  ['name', (g) => g.name],
                  ['method', (g) => g.method],
                  ['rules', (g) => g.ruleCount],
                ]),
                ...(o.output ? [`document written to ${o.output}`] : []),
              ].join('\n'),
          };
        },
      ),
    );
  program
    .command('import')
    .description("a cloud's JSON document into a region, translated into its profile, in one write")
    .requiredOption('--region <id>', 'region')
    .requiredOption('--format <format>', FORMATS.join(' | '))
    .requiredOption('-f, --file <file>', 'the document')
    .option('--dry-run', 'show what would be created and what cannot be expressed; write nothing')
    .option('--tenant <id>', 'admin keys: the tenant the objects belong to')
    .option('--json', 'print JSON')
    .action(
      apiAction(
        io,
        exit,
        async (
          client,
          o: { region: string; format: string; file: string; dryRun?: boolean; tenant?: string },
        ) => {
          const format = formatOf(o.format);
          let document: unknown;
          try {
            document = JSON.parse(io.readFile(o.file));
          } catch (e) {
            throw new UsageError(`${o.file}: not a readable JSON document (${(e as Error).message})`);
          }
          const q = new URLSearchParams({
            format,
            ...(o.dryRun ? { dryRun: 'true' } : {}),
            ...(o.tenant ? { tenantId: o.tenant } : {}),
          });
          const r = await client.post<Json>(
            `/v1/regions/${encodeURIComponent(o.region)}/import?${q}`,
            document,
          );
          return {
            value: r,
            text: () =>
              [
                r.dryRun ? 'dry run: nothing was written' : `imported at revision ${r.revision}`,
                report(r, [
                  ['group', (g) => g.id],
                  ['from', (g) => g.sourceId],
                  ['name', (g) => g.name],
                  ['method', (g) => g.method],
                  ['rules', (g) => g.ruleCount],
                ]),
              ].join('\n'),
          };
        },
      ),
    );
}
