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
//
// Then the instances page with 10,000 ports in the region: until the ports table's first row is
// on screen, from a jump to the page's end until the 500th (last read) row is, and from "Load the
// next ports" until the 1,000th is in the table.
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
const INSTANCES = 400;
const PORTS_PER_INSTANCE = 25;
/** The ports table's runs: each reads 1,000 ports, so fewer than the group page's. */
const PORT_RUNS = 7;
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
  /** The instances page of a region with 10,000 ports (400 instances of 25). */
  portsPage10000: {
    runs: number;
    /** Until the ports table's first row is laid out (its first 500 ports read). */
    rowsVisibleMedianMs: number;
    rowsVisibleP95Ms: number;
    /** From a jump to the page's end until the 500th row is on screen (the windowed rows swapped). */
    scrollToEndMedianMs: number;
    /** From "Load the next ports" until the 1,000th row is in the table. */
    nextPageMedianMs: number;
  };
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
  const { key, client, vpc, groups } = await benchRegion(benchAdmin(url), region, 1);
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
  return { key, client, vpc, groupId: groups[0]! };
}

/** 10,000 ports in the region, eight instance creates at a time. */
async function manyPorts(client: Awaited<ReturnType<typeof benchRegion>>['client'], vpcId: string) {
  for (let first = 0; first < INSTANCES; first += 8)
    await Promise.all(
      Array.from({ length: Math.min(8, INSTANCES - first) }, (_, k) => {
        const n = first + k;
        return client.post('/v1/instances', {
          regionId: 'bench-console',
          vpcId,
          name: `vm-${n}`,
          ports: Array.from({ length: PORTS_PER_INSTANCE }, (_, j) => ({
            ipv4: [`10.${100 + (n >> 8)}.${n & 255}.${j + 1}`],
            host: `host-${n % 20}`,
          })),
        });
      }),
    );
}

/**
 * When (page clock) the ports table has its row at aria-rowindex `index` laid out, and with
 * `inView` inside the viewport (the table starts below the instances' page of 25).
 */
async function portRowAt(page: Page, index: number, inView: boolean): Promise<number> {
  const at = await page.waitForFunction(
    ({ rowIndex, inView }) => {
      const table = [...document.querySelectorAll('table')].find((t) =>
        t.caption?.textContent?.startsWith('Ports:'),
      );
      const row = table?.querySelector(`tbody tr[aria-rowindex="${rowIndex}"]`);
      if (!row) return false;
      const box = row.getBoundingClientRect();
      const shown = !inView || (box.bottom > 0 && box.top < window.innerHeight);
      return box.height > 0 && shown ? performance.now() : false;
    },
    { rowIndex: index, inView },
    { polling: 'raf', timeout: 120_000 },
  );
  return (await at.jsonValue()) as number;
}

async function measurePortsPage(page: Page, url: string) {
  const rowsVisible: number[] = [];
  const scrollToEnd: number[] = [];
  const nextPage: number[] = [];
  for (let run = 0; run < 1 + PORT_RUNS; run++) {
    await page.goto(`${url}/console/instances`, { waitUntil: 'commit' });
    const first = await portRowAt(page, 2, false);
    const jumped = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return performance.now();
    });
    // Row 501 is the 500th port (row 1 is the header).
    const end = await portRowAt(page, 501, true);
    const clicked = await page.evaluate(() => {
      const button = [...document.querySelectorAll('button')].find(
        (b) => b.textContent === 'Load the next ports',
      );
      button?.click();
      return performance.now();
    });
    const more = await page.waitForFunction(
      () =>
        [...document.querySelectorAll('caption')].some((c) =>
          c.textContent?.startsWith('Ports: 1000 shown'),
        ) && performance.now(),
      null,
      { polling: 'raf', timeout: 120_000 },
    );
    const loaded = (await more.jsonValue()) as number;
    if (run === 0) continue;
    rowsVisible.push(first);
    scrollToEnd.push(end - jumped);
    nextPage.push(loaded - clicked);
  }
  return {
    runs: PORT_RUNS,
    rowsVisibleMedianMs: Math.round(median(rowsVisible)),
    rowsVisibleP95Ms: Math.round(percentile(rowsVisible, 95)),
    scrollToEndMedianMs: Math.round(median(scrollToEnd)),
    nextPageMedianMs: Math.round(median(nextPage)),
  };
}

/** When the server has answered everything sent before (it answers in arrival order, one thread). */
async function settled(url: string): Promise<void> {
  await (await fetch(`${url}/healthz`)).arrayBuffer();
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

async function measureGroupPage(page: Page, url: string, groupId: string) {
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
    // One visit at a time: the sections' reads the group page sent (findings of 1,000 rules,
    // members, references) finish on the server before the next visit starts, as they would
    // before a person opened the next page; without this the next run's read queues behind them.
    await settled(url);
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
}

export async function benchConsole(): Promise<ConsoleFigures> {
  const bundle = bundleSizes();
  const dir = mkdtempSync(join(tmpdir(), 'palisade-console-bench-'));
  const server = await startBenchServer(join(dir, 'bench.db'));
  try {
    const { key, client, vpc, groupId } = await bigGroup(server.url);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      // Signed in once; the session (sessionStorage) lasts the context's life.
      await page.goto(`${server.url}/console/`);
      await page.getByLabel('Access key id').fill(key.id);
      await page.getByLabel('Access key secret').fill(key.secret);
      await page.getByLabel('Access key secret').press('Enter');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      const groupPage1000Rules = await measureGroupPage(page, server.url, groupId);
      await manyPorts(client, vpc);
      const portsPage10000 = await measurePortsPage(page, server.url);
      return { groupPage1000Rules, bundle, portsPage10000 };
    } finally {
      await browser.close();
    }
  } finally {
    await stopBenchServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
