// palisade diff: the exact difference of a region's policy between two revisions, or between the
// region as stored and a policy file: per port, the packets newly allowed and newly denied, with
// the rule (or default) that decides them on each side (ops/diff.ts).
import type { Command } from 'commander';
import { parse } from 'yaml';
import { type Io, UsageError } from '../io.js';
import { differenceTable } from '../difference-text.js';
import { apiAction, type Json, query } from '../remote.js';

export function diffCommand(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('diff')
    .description('exact difference of a region policy: between two revisions, or against a policy file')
    .option('--region <id>', "the region (default with -f: the file's region)")
    .option('--from <revision>', 'the "before" revision')
    .option('--to <revision>', 'the "after" revision (default: the latest)')
    .option('-f, --file <policy>', 'a policy file (YAML or JSON) as the "after" side')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        let answer: Json;
        if (o.file !== undefined) {
          if (o.from !== undefined || o.to !== undefined)
            throw new UsageError('give either -f FILE or --from/--to, not both');
          let doc: Json;
          try {
            doc = parse(io.readFile(o.file)) as Json;
          } catch (e) {
            throw new UsageError(`cannot read policy file ${o.file}: ${(e as Error).message.split('\n')[0]}`);
          }
          const region = o.region ?? doc?.region?.id;
          if (typeof region !== 'string') throw new UsageError(`${o.file} names no region: give --region`);
          answer = await client.post<Json>(`/v1/regions/${encodeURIComponent(region)}/diff`, doc);
        } else {
          if (o.from === undefined) throw new UsageError('give --from REVISION (and --to), or -f FILE');
          if (o.region === undefined) throw new UsageError('--region is required with --from');
          answer = await client.get<Json>(
            `/v1/regions/${encodeURIComponent(o.region)}/diff${query({ from: o.from, to: o.to })}`,
          );
        }
        return { value: answer, text: () => differenceTable(answer) };
      }),
    );
}
