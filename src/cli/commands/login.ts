// palisade login: check a key against a server and remember both in the config file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { PalisadeClient } from '../../client/client.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { configPath, type Json, reportApiError } from '../remote.js';

export function loginCommand(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('login')
    .description('check an access key against a server and save both for later commands')
    .requiredOption('--key-id <id>', 'access key id')
    .requiredOption('--secret <secret>', 'access key secret')
    .option('--json', 'print JSON')
    .action(async (o: Json, cmd: Command) => {
      // --server is the program's global option (every remote command takes it).
      const given = (cmd.optsWithGlobals() as { server?: string }).server;
      if (!given) throw new UsageError('login needs --server URL, e.g. http://127.0.0.1:8080');
      const server = given.replace(/\/$/, '');
      let who: Json;
      try {
        who = await new PalisadeClient(server, { keyId: o.keyId, secret: o.secret }).get<Json>('/v1/whoami');
      } catch (e) {
        return exit(reportApiError(io, e));
      }
      const path = configPath();
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify({ server, keyId: o.keyId, secret: o.secret }, null, 2)}\n`, {
        mode: 0o600,
      });
      const as = who.role === 'admin' ? 'operator' : `tenant ${who.tenantId}`;
      io.out(
        o.json
          ? JSON.stringify({ ...who, config: path }, null, 2)
          : `logged in to ${server} as ${as} (key ${who.keyId}); saved to ${path}`,
      );
      exit(EXIT.ok);
    });
}
