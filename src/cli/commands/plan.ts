// palisade plan -f FILE / palisade apply -f FILE: what applying a policy file to its region
// would change, and applying it in one write. apply without --revision plans first and applies
// at that plan's revision, so a region that changes in between is still refused.
import type { Command } from 'commander';
import { parse } from 'yaml';
import { loadPolicy } from '../../policy/load.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { formatErrors } from '../policy-file.js';
import { connectionsText, differenceTable } from '../difference-text.js';
import { apiAction, type Json, query, table } from '../remote.js';

interface Options {
  file: string;
  tenant?: string;
  revision?: string;
  json?: boolean;
}

/** The file as the document to send and the region it names; a file that does not parse is printed here. */
function readDocument(io: Io, path: string): { doc: Json; regionId: string } | { errors: string } {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    throw new UsageError(
      `cannot read policy file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return { errors: formatErrors(loadPolicy(text, path).errors) };
  }
  const regionId = (doc as Json)?.region?.id;
  if (typeof regionId !== 'string')
    return { errors: formatErrors(loadPolicy(text, path).errors) || `${path}: region.id is missing` };
  return { doc: doc as Json, regionId };
}

const ruleText = (r: Json) =>
  [
    r.direction,
    r.action === 'deny' ? 'deny' : '',
    r.protocol,
    r.ports ? (r.ports as Json[]).map((x) => (x.from === x.to ? x.from : `${x.from}-${x.to}`)).join(',') : '',
    'from',
    r.remoteIpPrefix ??
      (r.remoteGroup
        ? `group ${r.remoteGroup}`
        : r.remoteAddressGroup
          ? `address-group ${r.remoteAddressGroup}`
          : 'any'),
    r.priority !== undefined ? `priority ${r.priority}` : '',
  ]
    .filter((x) => x !== '')
    .join(' ');

function changeTable(changes: Json[]): string {
  return table(changes, [
    ['action', (c) => c.action],
    ['kind', (c) => c.kind],
    ['name', (c) => c.name ?? c.ref ?? c.id],
    ['id', (c) => c.id ?? '(new)'],
    ['in', (c) => c.parent ?? ''],
    ['where', (c) => c.at ?? ''],
    [
      'details',
      (c) =>
        c.rule
          ? ruleText(c.rule)
          : c.fields
            ? `changes ${c.fields.join(', ')}`
            : c.groups
              ? `groups ${c.groups.join(',')}`
              : '',
    ],
  ]);
}

const summaryText = (s: Json) => `${s.create} to create, ${s.update} to change, ${s.delete} to delete`;

export function planCommands(program: Command, io: Io, exit: (code: number) => void): void {
  const withFile = (cmd: Command) =>
    cmd
      .requiredOption('-f, --file <file>', 'policy file (YAML or JSON, see docs/policy-format.md)')
      .option('--tenant <id>', 'the tenant the file is for (operator keys, when the file lists no tenants)')
      .option('--json', 'print JSON');
  /** The document, or the file's own errors printed (exit 1). */
  const documentOf = (o: Options) => {
    const read = readDocument(io, o.file);
    if ('errors' in read) {
      io.err(`${o.file}: does not load\n${read.errors}`);
      return null;
    }
    return read;
  };

  withFile(
    program
      .command('plan')
      .description(
        'what applying a policy file to its region would create, change and delete (writes nothing)',
      ),
  ).action(async (o: Options, cmd: Command) => {
    const read = documentOf(o);
    if (!read) return exit(EXIT.negative);
    await apiAction<[Command]>(io, exit, async (client) => {
      const plan = await client.post<Json>(
        `/v1/regions/${encodeURIComponent(read.regionId)}/plan${query({ tenantId: o.tenant })}`,
        read.doc,
      );
      return {
        value: plan,
        text: () =>
          [
            `region ${plan.regionId} at revision ${plan.revision} (tenants: ${plan.tenants.join(', ')})`,
            plan.changes.length ? changeTable(plan.changes) : 'no changes: the region is as the file says',
            summaryText(plan.summary),
            '',
            'packet difference:',
            differenceTable(plan),
            connectionsText(plan.connections),
            ...(plan.changes.length
              ? [`apply with: palisade apply -f ${o.file} --revision ${plan.revision}`]
              : []),
          ].join('\n'),
      };
    })(cmd);
  });

  withFile(
    program
      .command('apply')
      .description(
        'apply a policy file to its region in one write (all or nothing), refused if the region changed',
      )
      .option('--revision <n>', "the plan's revision (default: plan now and apply that)"),
  ).action(async (o: Options, cmd: Command) => {
    const read = documentOf(o);
    if (!read) return exit(EXIT.negative);
    if (o.revision !== undefined && !/^\d+$/.test(o.revision))
      throw new UsageError(`--revision "${o.revision}" is not a revision number`);
    await apiAction<[Command]>(io, exit, async (client) => {
      const where = `/v1/regions/${encodeURIComponent(read.regionId)}`;
      const q = query({ tenantId: o.tenant });
      const revision =
        o.revision ?? String((await client.post<Json>(`${where}/plan${q}`, read.doc)).revision);
      const done = await client.post<Json>(`${where}/apply${q}`, read.doc, { 'if-match': `"${revision}"` });
      return {
        value: done,
        text: () =>
          done.applied
            ? [
                changeTable(done.changes),
                `applied at revision ${done.revision}: ${summaryText(done.summary)}`,
              ].join('\n')
            : `no changes: region ${done.regionId} is as the file says (revision ${done.revision})`,
      };
    })(cmd);
  });
}
