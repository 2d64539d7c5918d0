// The CLI run in-process against a test server, signed with an access key put in the
// environment for the run (and the environment restored after).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { run } from '../../src/cli/program.js';
import type { TestServer } from './servers.js';

export interface Key {
  id: string;
  secret: string;
}

/** Exit code and output (stdout and stderr, in order) of one CLI run with this key. */
export async function runCli(url: string, key: Key, argv: string[]): Promise<{ code: number; text: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    PALISADE_SERVER: url,
    PALISADE_ACCESS_KEY_ID: key.id,
    PALISADE_ACCESS_KEY_SECRET: key.secret,
  });
  const out: string[] = [];
  try {
    const code = await run(argv, {
      out: (x) => out.push(x),
      err: (x) => out.push(x),
      readFile: (p) => readFileSync(p, 'utf8'),
    });
    return { code, text: out.join('\n') };
  } finally {
    process.env = saved;
  }
}

/** The CLI run as a tenant with a fresh access key: exit code and output. */
export async function runCliAs(t: TestServer, tenantId: string, argv: string[]) {
  const key = await t.admin.post<Key>('/v1/access-keys', { tenantId });
  return runCli(t.url, key, argv);
}

/** The CLI run as a tenant; its output, after checking that it exited 0. */
export async function cliAs(t: TestServer, tenantId: string, argv: string[]): Promise<string> {
  const { code, text } = await runCliAs(t, tenantId, argv);
  expect(code, text).toBe(0);
  return text;
}
