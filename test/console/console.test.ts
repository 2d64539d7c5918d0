// The web console in a real browser (Debian's chromium driven by playwright-core) against a real
// server on SQLite: sign in with an access key, see the tenant's groups and a group's rules in
// evaluation order, sign out; another tenant sees none of them; the operator sees tenants and
// regions. axe-core checks every page; screenshots go to test-artifacts/console/. Also over
// plain HTTP: / sends a browser to /console/ and stays the Alibaba API for its clients, and the
// console's files are served with their types and caching.
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cellsOf,
  checkPage as check,
  type ConsoleWorld,
  type Key,
  OPERATOR_KEY,
  signIn as signInAt,
  startConsoleWorld,
} from '../support/console.js';
import type { TestServer } from '../support/servers.js';
import { PalisadeClient } from '../../src/client/client.js';

describe('web console', () => {
  let world: ConsoleWorld;
  let t: TestServer;
  let aliceKey: Key;
  let bobKey: Key;
  let webId: string;
  let dbId: string;

  beforeAll(async () => {
    world = await startConsoleWorld();
    t = world.t;
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    for (const id of ['alice', 'bob']) await t.admin.post('/v1/tenants', { id, name: id });
    aliceKey = await t.admin.post<Key>('/v1/access-keys', { tenantId: 'alice' });
    bobKey = await t.admin.post<Key>('/v1/access-keys', { tenantId: 'bob' });
    const alice = new PalisadeClient(t.url, { keyId: aliceKey.id, secret: aliceKey.secret });
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    const web = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '80,443', remoteIpPrefix: '0.0.0.0/0', priority: 2 },
        {
          direction: 'ingress',
          protocol: 'tcp',
          ports: '22',
          remoteIpPrefix: '10.0.0.0/8',
          priority: 1,
          description: 'ssh from the office',
        },
        { direction: 'egress', protocol: 'udp', ports: '53', remoteIpPrefix: '10.0.0.2/32', priority: 1 },
      ],
    });
    webId = web.id;
    const dbGroup = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'db',
      template: 'empty',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: '5432', remoteGroup: webId, priority: 1 }],
    });
    dbId = dbGroup.id;
    await alice.post('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [webId] }],
    });
    // More groups than a page holds (25), in a second region: paging and the region filter.
    await t.admin.post('/v1/regions', { id: 'os-1', profile: 'openstack' });
    const osVpc = await alice.post<any>('/v1/vpcs', { regionId: 'os-1', name: 'o' });
    for (let i = 1; i <= 26; i++)
      await alice.post('/v1/security-groups', {
        regionId: 'os-1',
        vpcId: osVpc.id,
        name: `bulk-${String(i).padStart(2, '0')}`,
        template: 'empty',
      });
    // The build and the browser's start take seconds, more on a busy machine.
  }, 180_000);

  afterAll(() => world?.close());

  const newPage = () => world.newPage();
  const signIn = (page: Page, key: Key) => signInAt(page, t.url, key);

  it('sends a browser at / to the console, and / stays the Alibaba API for its clients', async () => {
    const browserGet = await fetch(`${t.url}/`, { headers: { accept: 'text/html,*/*' }, redirect: 'manual' });
    expect(browserGet.status).toBe(302);
    expect(browserGet.headers.get('location')).toBe('/console/');

    // An Action, or no HTML asked for: the ECS API answers in its envelope, as before.
    for (const [url, accept] of [
      [`${t.url}/?Action=DescribeRegions&Version=2014-05-26`, 'text/html'],
      [`${t.url}/`, 'application/json'],
      [`${t.url}/`, '*/*'],
    ]) {
      const res = await fetch(url, { headers: { accept }, redirect: 'manual' });
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type')).toMatch(/json/);
      expect(await res.json()).toHaveProperty('Code');
    }
    const signed = await fetch(`${t.url}/`, {
      headers: { accept: 'text/html', 'x-acs-action': 'DescribeRegions' },
      redirect: 'manual',
    });
    expect(signed.status).not.toBe(302);
  });

  it('serves the built files with their types and caching, and its pages as index.html', async () => {
    const index = await fetch(`${t.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${t.url}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Issue 14's budget for the app's JavaScript: under 300 KB gzipped (a production build).
    expect(gzipSync(Buffer.from(await js.arrayBuffer())).length).toBeLessThan(300 * 1024);

    const deep = await fetch(`${t.url}/console/groups/sg-anything`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const bare = await fetch(`${t.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    expect((await fetch(`${t.url}/console/assets/missing.js`)).status).toBe(404);
    // Out of the folder: nothing, however spelled.
    for (const path of ['/console/%2e%2e/%2e%2e/package.json', '/console/..%2f..%2fpackage.json'])
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
  });

  it("signs a tenant in, lists its groups, shows a group's rules in evaluation order, signs out", async () => {
    const page = await newPage();
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Palisade console' }).waitFor();
    await check(page, 'sign-in');

    // A wrong secret: the API's message, at the form.
    await page.getByLabel('Access key id').fill(aliceKey.id);
    await page.getByLabel('Access key secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('access key id or secret is wrong');

    await signIn(page, aliceKey);
    await page.getByRole('table', { name: /Security groups/ }).waitFor();
    // The huawei region's groups (the 26 others, in os-1, are for paging below).
    await page.getByLabel('Region').selectOption('hw-1');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = () =>
      cellsOf(page, 'Security groups, page 1').then((r) => r.sort((x, y) => x[0].localeCompare(y[0])));
    await expect.poll(rows).toEqual([
      // The last cell: the group's rules against its quota (test/console/groups.test.ts).
      ['db', dbId, 'hw-1', expect.any(String), 'basic', '0', '1', expect.stringContaining('1 of')],
      ['web', webId, 'hw-1', expect.any(String), 'basic', '1', '3', expect.stringContaining('3 of')],
    ]);
    // The token is in this tab's session storage; no cookie holds it.
    const stored = await page.evaluate(() => sessionStorage.getItem('palisade.session'));
    expect(JSON.parse(stored!)).toMatchObject({ role: 'tenant', tenantId: 'alice' });
    expect(await page.context().cookies()).toEqual([]);
    await check(page, 'groups');

    // The name filter (exact, by the API), then clearing it.
    await page.getByLabel('Name').fill('db');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => cellsOf(page, 'Security groups, page 1').then((r) => r.map((c) => c[0])))
      .toEqual(['db']);

    // Keyboard: focus the link to db and follow it with Enter.
    await page.getByRole('link', { name: 'db' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'db', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/groups/${dbId}`);
    // The remote group links to it; follow that.
    await page.getByRole('link', { name: `group ${webId}` }).click();
    await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();

    const inbound = await cellsOf(page, /^Inbound rules in the evaluation order/);
    // Huawei evaluates by priority (1 first): position follows it.
    expect(inbound).toEqual([
      // The last column holds each rule's edit and delete buttons (test/console/rules.test.ts).
      ['1', '1', 'allow', 'tcp IPv4', '22', '10.0.0.0/8', 'ssh from the office', 'Edit Delete'],
      ['2', '2', 'allow', 'tcp IPv4', '80, 443', '0.0.0.0/0', '', 'Edit Delete'],
    ]);
    expect(await cellsOf(page, /^Outbound rules in the evaluation order/)).toEqual([
      ['1', '1', 'allow', 'udp IPv4', '53', '10.0.0.2/32', '', 'Edit Delete'],
    ]);
    await check(page, 'group');

    // A reload of a deep link keeps the session (session storage) and the page.
    await page.reload();
    await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();

    // Sign-out forgets the token in the tab and revokes it on the server.
    const { token } = JSON.parse((await page.evaluate(() => sessionStorage.getItem('palisade.session')))!);
    const whoami = () =>
      fetch(`${t.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await whoami()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key id').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('palisade.session'))).toBeNull();
    await expect.poll(whoami).toBe(401);
    await page.context().close();
  });

  it('follows the change stream: a rule added elsewhere appears on the open group page', async () => {
    const page = await newPage();
    await signIn(page, aliceKey);
    await page.goto(`${t.url}/console/groups/${dbId}`);
    await page.getByRole('heading', { name: 'db', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const before = await cellsOf(page, /^Inbound rules in the evaluation order/);
    const alice = new PalisadeClient(t.url, { keyId: aliceKey.id, secret: aliceKey.secret });
    await alice.post(`/v1/security-groups/${dbId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '6379',
      remoteIpPrefix: '10.1.0.0/16',
      priority: 5,
      description: 'added by the CLI',
    });
    await expect
      .poll(() => cellsOf(page, /^Inbound rules in the evaluation order/).then((rows) => rows.length))
      .toBe(before.length + 1);
    expect((await cellsOf(page, /^Inbound rules/)).map((r) => r[6])).toContain('added by the CLI');
    await page.context().close();
  });

  it('pages through the groups with the API cursors and filters them by region', async () => {
    const page = await newPage();
    await signIn(page, aliceKey);
    const names = (caption: string) => cellsOf(page, caption).then((rows) => rows.map((r) => r[0]));
    const first = await names('Security groups, page 1');
    expect(first).toHaveLength(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('table', { name: 'Security groups, page 2' }).waitFor();
    const second = await names('Security groups, page 2');
    // 28 groups in all, each on one page.
    expect(second).toHaveLength(3);
    expect(new Set([...first, ...second]).size).toBe(28);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('table', { name: 'Security groups, page 1' }).waitFor();
    expect(await names('Security groups, page 1')).toEqual(first);

    await page.getByLabel('Region').selectOption('hw-1');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => names('Security groups, page 1').then((n) => n.sort())).toEqual(['db', 'web']);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await check(page, 'groups-region-filter');
    await page.context().close();
  });

  it("shows another tenant none of the first one's groups", async () => {
    const page = await newPage();
    await signIn(page, bobKey);
    await page.getByRole('table', { name: 'No security groups' }).waitFor();
    expect(await cellsOf(page, 'No security groups')).toEqual([]);
    expect(await page.getByRole('link', { name: 'Tenants' }).count()).toBe(0);
    await check(page, 'groups-other-tenant');
    // alice's group by its address: the API's 404, as for any unknown group.
    await page.goto(`${t.url}/console/groups/${webId}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('404');
    await check(page, 'group-not-found');
    await page.context().close();
  });

  it('shows an operator the tenants and regions', async () => {
    const page = await newPage();
    await signIn(page, OPERATOR_KEY);
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('table', { name: 'Tenants, page 1' }).waitFor();
    const tenants = (await cellsOf(page, 'Tenants, page 1')).map((r) => r[0]);
    expect(tenants).toEqual(expect.arrayContaining(['alice', 'bob']));
    await check(page, 'tenants');
    await page.getByRole('link', { name: 'Regions' }).click();
    await page.getByRole('table', { name: 'Regions' }).waitFor();
    expect(await cellsOf(page, 'Regions')).toEqual([
      ['hw-1', '', 'huawei'],
      ['os-1', '', 'openstack'],
    ]);
    await check(page, 'regions');
    // The operator sees every tenant's groups.
    await page.getByRole('link', { name: 'Security groups' }).click();
    await page.getByLabel('Region').selectOption('hw-1');
    await page.getByRole('button', { name: 'Search' }).click();
    const names = () => cellsOf(page, 'Security groups, page 1').then((rows) => rows.map((r) => r[0]).sort());
    await expect.poll(names).toEqual(['db', 'web']);
    await page.context().close();
    expect(world.pageErrors).toEqual([]);
  });
});
