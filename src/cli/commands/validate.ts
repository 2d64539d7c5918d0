// palisade validate --policy FILE [--json]: every error with its field path.
import type { Command } from 'commander';
import { EXIT, type Io } from '../io.js';
import { formatErrors, readPolicy } from '../policy-file.js';

export function validateCommand(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('validate')
    .description('validate a policy file and print every error with its field path')
    .requiredOption('--policy <file>', 'policy file (YAML or JSON, see docs/policy-format.md)')
    .option('--json', 'print the errors as JSON')
    .action((opts: { policy: string; json?: boolean }) => {
      const { state, errors } = readPolicy(io, opts.policy);
      if (opts.json) io.out(JSON.stringify({ valid: errors.length === 0, errors }, null, 2));
      else if (errors.length === 0) {
        const rules = state!.groups.reduce((n, g) => n + g.rules.length, 0);
        const ports = state!.instances.reduce((n, i) => n + i.ports.length, 0);
        io.out(
          `${opts.policy}: valid (${state!.region.profile} region ${state!.region.id}: ${state!.groups.length} groups, ${rules} rules, ${ports} ports)`,
        );
      } else
        io.out(
          `${opts.policy}: ${errors.length} error${errors.length === 1 ? '' : 's'}\n${formatErrors(errors)}`,
        );
      exit(errors.length === 0 ? EXIT.ok : EXIT.negative);
    });
}
