// The audit log and the enforcement status pages in a real browser (Debian's chromium through
// playwright-core) against a real server on SQLite: writes by a tenant's key and by the operator's
// appear newest first with their actor, action and target; a rule's change shows the field that
// changed; filters by target and action live in the address; pages follow the API's cursors; a
// write made through the API appears on the open page; another tenant's writes never show. The
// status page shows a host behind, then up to date (reports are re-read periodically), and a
// closed port. axe-core checks every page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import {
  cellsOf,
  checkPage,
  type ConsoleWorld,
  type Key,
  OPERATOR_KEY,
  signIn as signInAt,
  startConsoleWorld,
  tenantWithKey,
} from '../support/console.js';
import type { TestServer } from '../support/servers.js';

/** The columns of the log's table. */
const REVISION = 0;
const WHO = 2;
const ACTION = 3;
const TARGET = 4;
const CHANGE = 5;

describe('web console: audit log and status', () => {
  let world: ConsoleWorld;
  let t: TestServer;
  let aliceKey: Key;
  let alice: PalisadeClient;
  let bobKey: Key;
  let groupId: string;
  let ruleId: string;
  let portId: string;
  let bobGroupId: string;

  beforeAll(async () => {
    world = await startConsoleWorld();
    t = world.t;
    await t.admin.post('/v1/regions', { id: 'hw-a', profile: 'huawei' });
    ({ key: aliceKey, api: alice } = await tenantWithKey(t, 'alice'));
    const bob = await tenantWithKey(t, 'bob');
    bobKey = bob.key;
    const vpc = await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-a', name: 'v' });
    groupId = (
      await alice.post<{ id: string }>('/v1/security-groups', {
        regionId: 'hw-a',
        vpcId: vpc.id,
        name: 'web',
        template: 'empty',
      })
    ).id;
    const instance = await alice.post<{ ports: { id: string }[] }>('/v1/instances', {
      regionId: 'hw-a',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [groupId], host: 'host-1' }],
    });
    portId = instance.ports[0].id;
    // Enough writes for two pages of 25.
    for (let i = 0; i < 20; i++)
      await alice.post(`/v1/security-groups/${groupId}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: String(1000 + i),
        remoteIpPrefix: '10.0.0.0/8',
        priority: 10,
      });
    ruleId = (
      await alice.post<{ id: string }>(`/v1/security-groups/${groupId}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '80',
        remoteIpPrefix: '0.0.0.0/0',
        priority: 5,
      })
    ).id;
    await alice.patch(`/v1/security-groups/${groupId}/rules/${ruleId}`, { ports: '8080' });
    // The operator's write to alice's group is in her log, under the operator's key.
    await t.admin.patch(`/v1/security-groups/${groupId}`, { name: 'web-renamed' });
    // bob's own writes: never in alice's log.
    const bobVpc = await bob.api.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-a', name: 'bv' });
    bobGroupId = (
      await bob.api.post<{ id: string }>('/v1/security-groups', {
        regionId: 'hw-a',
        vpcId: bobVpc.id,
        name: 'bob-secret',
        template: 'empty',
      })
    ).id;
  }, 180_000);

  afterAll(() => world?.close());

  const signIn = (page: Page, key: Key) => signInAt(page, t.url, key);
  const log = (page: Page, pageNumber = 1) => cellsOf(page, `Writes, newest first, page ${pageNumber}`);

  it('lists writes by the tenant and the operator newest first, with who, what and the difference', async () => {
    const page = await world.newPage();
    await signIn(page, aliceKey);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const rows = await log(page);
    expect(rows).toHaveLength(25);
    const revisions = rows.map((r) => Number(r[REVISION]));
    expect(revisions).toEqual([...revisions].sort((a, b) => b - a));

    // Newest: the operator's rename of the group, then alice's rule update.
    const [rename, update, create] = rows;
    expect(rename[WHO]).toBe(OPERATOR_KEY.id);
    expect(rename[ACTION]).toBe('group.update');
    expect(rename[TARGET]).toContain(groupId);
    expect(rename[CHANGE]).toContain('name: web → web-renamed');
    expect(update[WHO]).toBe(aliceKey.id);
    expect(update[ACTION]).toBe('rule.update');
    expect(update[TARGET]).toContain(`${ruleId} in ${groupId}`);
    // The field that changed, old and new value, and nothing else.
    const changeCell = page.getByRole('row').filter({ hasText: 'rule.update' }).getByRole('cell').last();
    expect(await changeCell.locator('li').allTextContents()).toEqual(['ports: 80 → 8080']);
    expect(await changeCell.locator('del').textContent()).toBe('80');
    expect(await changeCell.locator('ins').textContent()).toBe('8080');
    expect(create[ACTION]).toBe('rule.create');
    expect(create[CHANGE]).toContain('rule added: ingress tcp 80 from 0.0.0.0/0, allow, priority 5');

    // bob's writes are not in alice's log (his group, his key).
    const text = await page.locator('main').textContent();
    expect(text).not.toContain(bobGroupId);
    expect(text).not.toContain(bobKey.id);
    await checkPage(page, 'audit');

    // The recorded JSON, once opened.
    await changeCell.getByText('Before and after as recorded').click();
    expect(await changeCell.locator('pre').textContent()).toContain('"before"');
    await checkPage(page, 'audit-raw');

    // The target links to its page: the rule's group.
    await page
      .getByRole('row')
      .filter({ hasText: 'rule.update' })
      .getByRole('link', { name: groupId })
      .click();
    await page.getByRole('heading', { name: 'web-renamed', level: 1 }).waitFor();
    await page.context().close();
  });

  it('filters by target and by action in the address, and pages with the cursors', async () => {
    const page = await world.newPage();
    await signIn(page, aliceKey);
    await page.goto(`${t.url}/console/audit`);
    await page.getByLabel('Target').fill(ruleId);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(() => log(page).then((rows) => rows.map((r) => r[ACTION])))
      .toEqual(['rule.update', 'rule.create']);
    expect(new URL(page.url()).searchParams.get('targetId')).toBe(ruleId);
    await checkPage(page, 'audit-by-target');

    // A filtered log is a link: the action filter by address (a reload keeps it).
    await page.goto(`${t.url}/console/audit?action=group.update`);
    await expect
      .poll(() => log(page).then((rows) => rows.map((r) => [r[ACTION], r[WHO]])))
      .toEqual([['group.update', OPERATOR_KEY.id]]);
    expect(await page.getByLabel('Action').inputValue()).toBe('group.update');

    // A group's History link: the group's writes and its rules' (which target the rules).
    await page.getByRole('link', { name: `History of ${groupId}` }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('groupId')).toBe(groupId);
    const history = await log(page).then((rows) => rows.map((r) => r[ACTION]));
    expect(history).toEqual([
      'group.update',
      'rule.update',
      ...Array(21).fill('rule.create'),
      'group.create',
    ]);
    expect(await page.getByLabel('Group', { exact: true }).inputValue()).toBe(groupId);
    await checkPage(page, 'audit-group-history');

    // Every write again, paged: alice sees 29 (her tenant, key, VPC, group, instance, 21 rules, the
    // update, the rename, and the region's creation) over two pages.
    await page.getByRole('link', { name: 'Show every write' }).click();
    const first = await log(page);
    expect(first).toHaveLength(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    const second = await log(page, 2);
    expect(second.length).toBeGreaterThan(0);
    expect(Number(second[0][REVISION])).toBeLessThan(Number(first[24][REVISION]));
    expect(second.map((r) => r[ACTION])).toContain('region.create');
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await checkPage(page, 'audit-page-2');
    await page.getByRole('button', { name: 'Previous page' }).click();
    expect(await log(page)).toEqual(first);
    await page.context().close();
  });

  it('shows a write made through the API on the open page, without a reload', async () => {
    const page = await world.newPage();
    await signIn(page, aliceKey);
    await page.goto(`${t.url}/console/audit`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const before = await log(page);
    const added = await alice.post<{ id: string }>(`/v1/security-groups/${groupId}/rules`, {
      direction: 'egress',
      protocol: 'udp',
      ports: '53',
      remoteIpPrefix: '10.0.0.2/32',
      priority: 1,
    });
    await expect.poll(() => log(page).then((rows) => rows[0][TARGET])).toContain(added.id);
    const rows = await log(page);
    expect(rows[0][ACTION]).toBe('rule.create');
    expect(rows[0][CHANGE]).toContain('rule added: egress udp 53 to 10.0.0.2/32');
    expect(rows[1]).toEqual(before[0]);
    await page.context().close();
  });

  it('shows the operator every tenant’s writes, and bob only his own', async () => {
    const page = await world.newPage();
    await signIn(page, bobKey);
    await page.goto(`${t.url}/console/audit`);
    const actions = (await log(page)).map((r) => `${r[ACTION]} ${r[TARGET]}`);
    expect(actions.some((a) => a.startsWith('group.create') && a.includes(bobGroupId))).toBe(true);
    expect(actions.join('\n')).not.toContain(groupId);
    await page.context().close();

    const operator = await world.newPage();
    await signIn(operator, OPERATOR_KEY);
    await operator.goto(`${t.url}/console/audit?regionId=hw-a&action=group.create`);
    await expect
      .poll(() => log(operator).then((rows) => rows.map((r) => r[TARGET].split('History')[0]).sort()))
      .toEqual([groupId, bobGroupId].sort());
    await checkPage(operator, 'audit-operator');
    // One tenant's writes: the operator's tenant filter.
    await operator.getByLabel('Tenant').fill('bob');
    await operator.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(() => log(operator).then((rows) => rows.map((r) => [r[WHO], r[TARGET].split('History')[0]])))
      .toEqual([[`${bobKey.id}tenant bob`, bobGroupId]]);
    expect(new URL(operator.url()).searchParams.get('tenantId')).toBe('bob');
    await operator.context().close();
  });

  it("shows a region's hosts behind, then up to date, and a closed port", async () => {
    const latest = async () =>
      (await alice.get<{ regions: { regionId: string; revision: number }[] }>('/v1/status')).regions.find(
        (r) => r.regionId === 'hw-a',
      )!.revision;
    // An agent that enforces an older revision.
    await t.admin.post('/v1/hosts/host-1/status', { revision: 1, closed: [], ruleHits: {} });
    const page = await world.newPage();
    await signIn(page, aliceKey);
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByRole('heading', { name: 'Region hw-a' }).waitFor();
    expect(await cellsOf(page, 'Hosts of region hw-a')).toEqual([
      ['host-1', '1', '1', 'behind', expect.any(String)],
    ]);
    await expect
      .poll(() => page.locator('section', { hasText: 'Region hw-a' }).locator('dd').nth(1).textContent())
      .toBe('not yet: 1 of 1 hosts behind');
    await checkPage(page, 'status-behind');

    // The agent catches up, closing a port it could not compute, and counts a rule's hits: the
    // page shows it at its next periodic read (a report is no change of the desired state).
    const revision = await latest();
    await t.admin.post('/v1/hosts/host-1/status', {
      revision,
      closed: [{ portId, reason: 'too many rules for the kernel table' }],
      ruleHits: { [ruleId]: 42 },
    });
    await expect
      .poll(() => cellsOf(page, 'Hosts of region hw-a').then((rows) => rows[0][3]), { timeout: 30_000 })
      .toBe('up to date');
    expect(await cellsOf(page, 'Hosts of region hw-a')).toEqual([
      ['host-1', '1', String(revision), 'up to date', expect.any(String)],
    ]);
    expect(await cellsOf(page, 'Closed ports of region hw-a')).toEqual([
      [portId, 'host-1', 'too many rules for the kernel table'],
    ]);
    expect(await cellsOf(page, 'Rule hits in region hw-a, most first')).toEqual([[ruleId, '42']]);
    await checkPage(page, 'status');

    // A new write: the host is behind again at once (the change stream).
    await alice.post(`/v1/security-groups/${groupId}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '443',
      remoteIpPrefix: '0.0.0.0/0',
      priority: 5,
    });
    await expect.poll(() => cellsOf(page, 'Hosts of region hw-a').then((rows) => rows[0][3])).toBe('behind');

    // bob carries no port on any host: no host of his, and alice's closed port is not his to see.
    const bobPage = await world.newPage();
    await signIn(bobPage, bobKey);
    await bobPage.goto(`${t.url}/console/status`);
    await bobPage.getByRole('heading', { name: 'Region hw-a' }).waitFor();
    expect(await bobPage.locator('main').textContent()).not.toContain(portId);
    expect(await bobPage.locator('main').textContent()).toContain('no host carries your ports here');
    await checkPage(bobPage, 'status-other-tenant');
    await bobPage.context().close();
    await page.context().close();
    expect(world.pageErrors).toEqual([]);
  });
});
