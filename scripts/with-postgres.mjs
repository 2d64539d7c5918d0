#!/usr/bin/env node
// Runs a command with a throwaway PostgreSQL server on 127.0.0.1 (a fresh cluster in a temp
// directory, removed afterwards) and PALISADE_TEST_POSTGRES_URL pointing at it. Installs
// Debian's postgresql package first if no server binaries are present (needs root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-postgres.mjs COMMAND [ARGS...]');
  process.exit(2);
}

function serverBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  for (const version of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
    if (existsSync(join(base, version, 'bin', 'initdb'))) return join(base, version, 'bin');
  }
  return null;
}

let bin = serverBin();
if (!bin && process.getuid?.() === 0) {
  console.error('with-postgres: installing Debian postgresql ...');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  bin = serverBin();
}
if (!bin) {
  console.error('with-postgres: PostgreSQL server binaries not found; install the postgresql package');
  process.exit(1);
}

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'palisade-pg-'));
const data = join(dir, 'data');
// initdb refuses to run as root: run the server as the postgres user when we are root.
const asRoot = process.getuid?.() === 0;
if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
const pg = (tool, toolArgs) => {
  const [cmd, cmdArgs] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...toolArgs]]
    : [join(bin, tool), toolArgs];
  return execFileSync(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
};

let status = 1;
try {
  pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  pg('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  const env = {
    ...process.env,
    PALISADE_TEST_POSTGRES_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
  };
  status = spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;
} finally {
  try {
    pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  } catch {
    // already down
  }
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
