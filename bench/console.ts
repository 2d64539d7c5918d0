// The web console: how soon the group page of a 1,000-rule group answers a user, in headless
// chromium against a real server (SQLite, in its own process), and how much the app weighs
// gzipped. Measured on the built console (dist/console, written by `npm run build`).
//
// One run: a fresh navigation to /console/groups/{id} (the browser's cache warm: assets are
// content-hashed and immutable, as a returning user has them). `rowsVisibleMs`: from the
// navigation's start until the inbound rules table shows its first row. `interactiveMs`: until the
// page has answered a click sent as soon as the rows are visible (the crumb link back to the
// groups, handled by React, whose response, the groups page's heading, is on screen): a click
// waits while the main thread is busy, so this is when the page answers input.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import {
  benchAdmin,
  benchRegion,
  median,
  percentile,
  round,
  startBenchServer,
  stopBenchServer,
} from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const RULES = 1_000;
const RUNS = 15;
/** Runs left out first: the server's and the browser's caches filling. */
const WARM_UP = 2;

export interface ConsoleFigures {
  groupPage1000Rules: {
    runs: number;
    rowsVisibleMedianMs: number;
    rowsVisibleP95Ms: number;
    interactiveMedianMs: number;
    interactiveP95Ms: number;
  };
  /** Gzipped sizes (level 9, as a server would serve them) in KB of 1,024 bytes. */
  bundle: {
    jsGzipKB: number;
    entryJsGzipKB: number;
    cssGzipKB: number;
    jsFiles: number;
    jsRawKB: number;
  };
  /** Not measured: the console has no ports page yet (issue 14's 10,000-port list). */
  portsPage10000: string;
}

const ASSETS = fileURLToPath(new URL('../console/assets/', import.meta.url));
const INDEX = fileURLToPath(new URL('../console/index.html', import.meta.url));

const kb = (bytes: number) => round(bytes / 1024, 1);
const gzipped = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;

/** The built app's JavaScript (every chunk, and the entry index.html loads) and CSS, gzipped. */
export function bundleSizes(): ConsoleFigures['bundle'] {
  const files = readdirSync(ASSETS);
  const js = files.filter((f) => f.endsWith('.js'));
  const css = files.filter((f) => f.endsWith('.css'));
  const entry = /<script[^>]+src="[^"]*\/assets\/([^"]+\.js)"/.exec(readFileSync(INDEX, 'utf8'))?.[1];
  if (!entry || !js.includes(entry))
    throw new Error('dist/console/index.html names no built script: run npm run build');
  const sum = (names: string[], size: (p: string) => number) =>
    names.reduce((total, name) => total + size(join(ASSETS, name)), 0);
  return {
    jsGzipKB: kb(sum(js, gzipped)),
    entryJsGzipKB: kb(gzipped(join(ASSETS, entry))),
    cssGzipKB: kb(sum(css, gzipped)),
    jsFiles: js.length,
    jsRawKB: kb(sum(js, (p) => readFileSync(p).length)),
  };
}

/** A huawei region, a tenant, and one group of 1,000 inbound rules (one batch). */
async function bigGroup(url: string) {
  const region = { id: 'bench-console', profile: 'huawei', quotas: { rulesPerGroup: 0 } };
  const { key, client, groups } = await benchRegion(benchAdmin(url), region, 1);
  const rules = Array.from({ length: RULES }, (_, i) => ({
    direction: 'ingress',
    protocol: i % 2 ? 'udp' : 'tcp',
    ports: String(1 + i),
    remoteIpPrefix: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
    priority: 1 + (i % 100),
    action: i % 10 === 0 ? 'deny' : 'allow',
    description: `rule ${i}`,
  }));
  await client.post(`/v1/security-groups/${groups[0]}/rules/batch`, { rules });
  return { key, groupId: groups[0] };
}

/** Time from the navigation's start, in the page's clock, when the inbound rules' first row is on screen. */
async function firstInboundRowAt(page: Page): Promise<number> {
  const at = await page.waitForFunction(
    () => {
      const table = [...document.querySelectorAll('table')].find((t) =>
        t.caption?.textContent?.startsWith('Inbound rules'),
      );
      const row = table?.querySelector('tbody tr:not(.spacer)');
      return row && row.getBoundingClientRect().height > 0 ? performance.now() : false;
    },
    null,
    { polling: 'raf', timeout: 60_000 },
  );
  return (await at.jsonValue()) as number;
}

async function measureGroupPage(url: string, key: { id: string; secret: string }, groupId: string) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // Signed in once; the session (sessionStorage) lasts the context's life.
    await page.goto(`${url}/console/`);
    await page.getByLabel('Access key id').fill(key.id);
    await page.getByLabel('Access key secret').fill(key.secret);
    await page.getByLabel('Access key secret').press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const rowsVisible: number[] = [];
    const interactive: number[] = [];
    for (let run = 0; run < WARM_UP + RUNS; run++) {
      await page.goto(`${url}/console/groups/${groupId}`, { waitUntil: 'commit' });
      const rows = await firstInboundRowAt(page);
      await page.locator('.crumbs a').click();
      const answered = await page
        .waitForFunction(
          () => document.querySelector('h1')?.textContent === 'Security groups' && performance.now(),
          null,
          {
            polling: 'raf',
            timeout: 60_000,
          },
        )
        .then((h) => h.jsonValue() as Promise<number>);
      if (run < WARM_UP) continue;
      rowsVisible.push(rows);
      interactive.push(answered);
    }
    return {
      runs: RUNS,
      rowsVisibleMedianMs: Math.round(median(rowsVisible)),
      rowsVisibleP95Ms: Math.round(percentile(rowsVisible, 95)),
      interactiveMedianMs: Math.round(median(interactive)),
      interactiveP95Ms: Math.round(percentile(interactive, 95)),
    };
  } finally {
    await browser.close();
  }
}

export async function benchConsole(): Promise<ConsoleFigures> {
  const bundle = bundleSizes();
  const dir = mkdtempSync(join(tmpdir(), 'palisade-console-bench-'));
  const server = await startBenchServer(join(dir, 'bench.db'));
  try {
    const { key, groupId } = await bigGroup(server.url);
    const groupPage1000Rules = await measureGroupPage(server.url, key, groupId);
    return { groupPage1000Rules, bundle, portsPage10000: 'not measured: no ports page yet' };
  } finally {
    await stopBenchServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
