// The `palisade` command line: commands are small modules registered here.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { addressGroupCommand } from './commands/address-group.js';
import { auditCommands } from './commands/audit.js';
import { instanceCommands } from './commands/instance.js';
import { tenancyCommands } from './commands/tenancy.js';
import { openstackCommands } from './commands/openstack.js';
import { checkCommand } from './commands/check.js';
import { dataplaneCommands } from './commands/dataplane.js';
import { diffCommand } from './commands/diff.js';
import { groupCommand } from './commands/group.js';
import { groupAnalysisCommands } from './commands/group-analysis.js';
import { loginCommand } from './commands/login.js';
import { planCommands } from './commands/plan.js';
import { portCommand } from './commands/port.js';
import { quotaCommands } from './commands/quota.js';
import { reachCommands } from './commands/reach.js';
import { ruleCommand } from './commands/rule.js';
import { serveCommand } from './commands/serve.js';
import { translateCommands } from './commands/translate.js';
import { validateCommand } from './commands/validate.js';
import { EXIT, type Io, UsageError } from './io.js';

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  readFile: (path) => readFileSync(path, 'utf8'),
};

export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command('palisade')
    .description('Palisade: cloud security groups with Alibaba, Huawei and OpenStack semantics')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program.option('--server <url>', 'server URL (else PALISADE_SERVER, else the login config)');
  serveCommand(program, io);
  loginCommand(program, io, exit);
  checkCommand(program, io, exit);
  validateCommand(program, io, exit);
  planCommands(program, io, exit);
  groupCommand(program, io, exit);
  groupAnalysisCommands(program, io, exit);
  ruleCommand(program, io, exit);
  portCommand(program, io, exit);
  diffCommand(program, io, exit);
  reachCommands(program, io, exit);
  addressGroupCommand(program, io, exit);
  tenancyCommands(program, io, exit);
  quotaCommands(program, io, exit);
  instanceCommands(program, io, exit);
  auditCommands(program, io, exit);
  openstackCommands(program, io, exit);
  dataplaneCommands(program, io, exit);
  translateCommands(program, io, exit);
  return program;
}

/** Run a command line; resolves to the exit code instead of exiting (tests call this). */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`palisade: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  return code;
}
