// The web console in a real browser for tests: the console built once per source state (every
// console test file shares the build, whichever starts first makes it), a real server on
// SQLite serving it, Debian's chromium driven by playwright-core, and the checks every page gets:
// axe-core (no serious or critical violation) and a screenshot in test-artifacts/console/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { freshDatabase, startTestServer, TEST_ENV, type TestDatabase, type TestServer } from './servers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BUILT = join(process.cwd(), 'dist', 'console');
const STAMP = join(BUILT, '.source-hash');
const LOCK = join(process.cwd(), 'dist', '.console-build-lock');

export interface Key {
  id: string;
  secret: string;
}

export const OPERATOR_KEY: Key = {
  id: TEST_ENV.PALISADE_ADMIN_KEY_ID,
  secret: TEST_ENV.PALISADE_ADMIN_SECRET,
};

/** A hash of everything the bundle is built from. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(process.cwd(), 'console'));
  hash.update(readFileSync(join(process.cwd(), 'package-lock.json')));
  return hash.digest('hex');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The current source's bundle in dist/console, built as `npm run build` builds it (vitest sets
 * NODE_ENV=test, which would make vite bundle React's development build). Test files run in
 * parallel processes: a lock directory (mkdir is atomic) lets one build while the others wait.
 */
export async function buildConsole(): Promise<void> {
  const hash = sourceHash();
  for (;;) {
    if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return;
    mkdirSync(join(process.cwd(), 'dist'), { recursive: true });
    try {
      mkdirSync(LOCK);
    } catch {
      // Another file is building; a lock older than five minutes is a crashed build's.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 300_000)
        rmSync(LOCK, { recursive: true, force: true });
      await sleep(500);
      continue;
    }
    try {
      if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return;
      execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts', '--logLevel', 'error'], {
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'production' },
      });
      writeFileSync(STAMP, hash);
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

/** A server on SQLite serving the built console, and a headless chromium. */
export interface ConsoleWorld {
  t: TestServer;
  db: TestDatabase;
  browser: Browser;
  /** Script errors and failed requests seen by any page (expected API refusals aside). */
  pageErrors: string[];
  /** A new page in a new browser context (its own session storage). */
  newPage: () => Promise<Page>;
  close: () => Promise<void>;
}

export async function startConsoleWorld(): Promise<ConsoleWorld> {
  // A missing browser fails the suite (CI installs chromium in .ci/run): never a silent skip.
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  await buildConsole();
  mkdirSync(ARTIFACTS, { recursive: true });
  const db = await freshDatabase('sqlite');
  const t = await startTestServer(db);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const pageErrors: string[] = [];
  return {
    t,
    db,
    browser,
    pageErrors,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      // A script error or a blocked resource (the server's Content-Security-Policy) fails the test;
      // the API's refusals (4xx) are the pages' to show.
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
      });
      return page;
    },
    async close() {
      await browser.close();
      await t.close();
      await db.drop();
    },
  };
}

/** A tenant with an access key, and a client signed with it. */
export async function tenantWithKey(t: TestServer, id: string): Promise<{ key: Key; api: PalisadeClient }> {
  await t.admin.post('/v1/tenants', { id, name: id });
  const key = await t.admin.post<Key>('/v1/access-keys', { tenantId: id });
  return { key, api: new PalisadeClient(t.url, { keyId: key.id, secret: key.secret }) };
}

/** axe-core on the page as it is: no serious or critical violation. Then a screenshot. */
export async function checkPage(page: Page, name: string): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's CSP (scripts of its own origin only) stays on.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as any).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3),
    }));
  });
  expect(
    violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical'),
    `${name}: axe violations`,
  ).toEqual([]);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Sign in at / (which sends the browser to the console) with an access key. */
export async function signIn(page: Page, url: string, key: Key): Promise<void> {
  await page.goto(`${url}/`);
  expect(new URL(page.url()).pathname).toBe('/console/');
  await page.getByLabel('Access key id').fill(key.id);
  await page.getByLabel('Access key secret').fill(key.secret);
  await page.getByLabel('Access key secret').press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The text of each body cell of the table so captioned, once it is there (spacer rows left out). */
export async function cellsOf(page: Page, caption: string | RegExp): Promise<string[][]> {
  const table = page.getByRole('table', { name: caption });
  await table.waitFor();
  return table
    .locator('tbody tr:not(.spacer)')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim())),
    );
}
