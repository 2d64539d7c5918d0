// palisade serve: the server, until SIGINT or SIGTERM.
import type { Command } from 'commander';
import { StartupError, startServer } from '../../server/serve.js';
import type { Io } from '../io.js';
import { UsageError } from '../io.js';

export function serveCommand(program: Command, io: Io): void {
  program
    .command('serve')
    .description('run the server: native API, OpenAPI document and its UI (SQLite in ./data by default)')
    .option('--host <address>', 'listen address (env PALISADE_HOST; default 127.0.0.1)')
    .option('--port <port>', 'listen port (env PALISADE_PORT; default 8080)')
    .option(
      '--database <url-or-path>',
      'postgres://... or a SQLite file (env PALISADE_DATABASE_URL; default ./data/palisade.db)',
    )
    .action(async (o: { host?: string; port?: string; database?: string }) => {
      const port = o.port === undefined ? undefined : Number(o.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))
        throw new UsageError(`--port ${o.port} is not a port number`);
      const server = await startServer({ host: o.host, port, database: o.database }).catch((e: Error) => {
        throw e instanceof StartupError ? new UsageError(`cannot start: ${e.message}`) : e;
      });
      // One write, so whoever reads the output sees the whole greeting at once.
      const lines = [
        `Palisade listening on ${server.url}`,
        `  Web console:          ${server.url}/console/`,
        `  API docs (browsable): ${server.url}/docs`,
        `  OpenAPI document:     ${server.url}/openapi.json`,
      ];
      if (server.createdAdmin)
        lines.push(
          '',
          'Operator access key (created now; shown only this once):',
          `  id:     ${server.createdAdmin.id}`,
          `  secret: ${server.createdAdmin.secret}`,
          `  palisade login --server ${server.url} --key-id ${server.createdAdmin.id} --secret <secret>`,
        );
      io.out(lines.join('\n'));
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
