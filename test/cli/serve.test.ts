// `palisade serve` as a process, as the README starts it: it listens, prints the operator key
// once, keeps its data in ./data, refuses a second server on the same SQLite file, and shuts down
// cleanly on SIGTERM (exit 0, lock released).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';

const main = resolve('src/cli/main.ts');
// The server runs in a temp dir: load tsx by path, not by a package name resolved from there.
const tsx = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;

function serve(cwd: string): {
  child: ChildProcess;
  output: Promise<string>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', tsx, main, 'serve', '--port', '0'], {
    cwd,
    env: { ...process.env, PALISADE_LOG_LEVEL: 'warn' },
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const output = new Promise<string>((done) => {
    const check = () =>
      text.includes('OpenAPI document') &&
      (!text.includes('Operator access key') || text.includes('palisade login'))
        ? done(text)
        : undefined;
    child.stdout!.on('data', check);
    child.on('exit', () => done(text));
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output, exited };
}

describe('palisade serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on SQLite in ./data, prints the operator key once, and stops cleanly on SIGTERM', async () => {
    const first = serve(dir);
    const text = await first.output;
    const url = /listening on (http:\/\/\S+)/.exec(text)![1];
    const id = /id: +(\S+)/.exec(text)![1];
    const secret = /secret: +(\S+)/.exec(text)![1];
    const admin = new PalisadeClient(url, { keyId: id, secret });
    await admin.post('/v1/regions', { id: 'r1', profile: 'openstack' });
    expect(existsSync(join(dir, 'data', 'palisade.db'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'palisade.db.lock'))).toBe(true);

    const second = serve(dir);
    expect(await second.exited).not.toBe(0);
    expect(await second.output).toContain('already serves this database');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dir, 'data', 'palisade.db.lock'))).toBe(false);

    // Restarted: the data and the key are still there, and no new key is printed.
    const again = serve(dir);
    const text2 = await again.output;
    expect(text2).not.toContain('secret:');
    const url2 = /listening on (http:\/\/\S+)/.exec(text2)![1];
    const regions = await new PalisadeClient(url2, { keyId: id, secret }).get<{ items: { id: string }[] }>(
      '/v1/regions',
    );
    expect(regions.items.map((r) => r.id)).toEqual(['r1']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
