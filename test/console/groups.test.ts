// Groups management and the operator's quota and key pages in a real browser (Debian's chromium
// driven by playwright-core) against a real server on SQLite: the list's VPC and type filters,
// quota bars per tenant and per group with their numbers, a group created from a template (its
// rules on the new group's page) after a refused name shown at the field, clone and rename,
// delete refused while ports and rules use the group (the reasons as links) and done once it is
// free, an operator's quota override shown in the tenant's bar, an access key whose secret is
// shown once, then deleted. Changes made elsewhere appear on open pages. axe on every page.
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

describe('console: groups management, quotas and access keys', () => {
  let world: ConsoleWorld;
  let t: TestServer;
  let carolKey: Key;
  let carol: PalisadeClient;
  let v1: string;
  let v2: string;
  let appId: string;
  let otherId: string;
  let advId: string;
  let instanceId: string;
  let portId: string;

  beforeAll(async () => {
    world = await startConsoleWorld();
    t = world.t;
    // Small quotas: the bars' numbers are easy to read.
    await t.admin.post('/v1/regions', {
      id: 'hw-1',
      profile: 'huawei',
      quotas: { groupsPerTenant: 5, rulesPerGroup: 20 },
    });
    await t.admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba' });
    ({ key: carolKey, api: carol } = await tenantWithKey(t, 'carol'));
    v1 = (await carol.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v1' })).id;
    v2 = (await carol.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v2' })).id;
    const aliVpc = (await carol.post<any>('/v1/vpcs', { regionId: 'ali-1', name: 'a' })).id;
    const app = await carol.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: v1,
      name: 'app',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '443', remoteIpPrefix: '0.0.0.0/0', priority: 1 },
        { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.0.0.0/8', priority: 2 },
      ],
    });
    appId = app.id;
    // other's rule names app: deleting app is refused while it stands.
    otherId = (
      await carol.post<any>('/v1/security-groups', {
        regionId: 'hw-1',
        vpcId: v2,
        name: 'other',
        template: 'empty',
        rules: [{ direction: 'ingress', protocol: 'tcp', ports: '5432', remoteGroup: appId, priority: 1 }],
      })
    ).id;
    advId = (
      await carol.post<any>('/v1/security-groups', {
        regionId: 'ali-1',
        vpcId: aliVpc,
        name: 'adv',
        type: 'advanced',
        template: 'empty',
      })
    ).id;
    await carol.post('/v1/security-groups', {
      regionId: 'ali-1',
      vpcId: aliVpc,
      name: 'plain',
      template: 'empty',
    });
    const inst = await carol.post<any>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: v1,
      name: 'vm',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [appId] }],
    });
    instanceId = inst.id;
    portId = inst.ports[0].id;
  }, 180_000);

  afterAll(() => world?.close());

  const signIn = (page: Page, key: Key) => signInAt(page, t.url, key);
  const names = (page: Page) =>
    cellsOf(page, /^Security groups, page 1$|^No security groups$/).then((rows) =>
      rows.map((r) => r[0]).sort(),
    );
  /** The text of the quota bar labelled so (the numbers beside the meter). */
  const bar = (page: Page, label: string) =>
    page.locator('.quota', { has: page.getByRole('meter', { name: label }) }).textContent();

  it('filters by VPC and type and shows the quota bars, following changes made elsewhere', async () => {
    const page = await world.newPage();
    await signIn(page, carolKey);
    await expect.poll(() => names(page)).toEqual(['adv', 'app', 'other', 'plain']);
    // Per tenant and region: the groups against the group quota; per group: its rules against its quota.
    await expect.poll(() => bar(page, 'Groups in hw-1')).toContain('2 of 5');
    expect(await bar(page, 'Rules of app')).toContain('2 of 20');
    expect(await page.getByRole('meter', { name: 'Groups in hw-1' }).getAttribute('value')).toBe('2');
    await checkPage(page, 'groups-quotas');

    await page.getByLabel('Region').selectOption('hw-1');
    await page.getByLabel('VPC').selectOption(v2);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => names(page)).toEqual(['other']);

    await page.getByLabel('Region').selectOption('');
    await page.getByLabel('Type').selectOption('advanced');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => names(page)).toEqual(['adv']);
    expect((await cellsOf(page, 'Security groups, page 1'))[0]![1]).toBe(advId);
    await checkPage(page, 'groups-type-filter');

    // A group made elsewhere (the API, as a CLI would) appears, and the bar counts it.
    await page.getByLabel('Type').selectOption('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await carol.post('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: v1,
      name: 'made-elsewhere',
      template: 'empty',
    });
    await expect.poll(() => names(page)).toContain('made-elsewhere');
    await expect.poll(() => bar(page, 'Groups in hw-1')).toContain('3 of 5');
    await page.context().close();
  });

  it('creates a group from a template after showing a refused name at the field', async () => {
    const page = await world.newPage();
    await signIn(page, carolKey);
    await page.getByRole('button', { name: 'Create security group' }).click();
    const form = page.getByRole('form', { name: 'New security group' });
    await form.getByLabel('Region').selectOption('hw-1');
    await form.getByLabel('VPC').selectOption(v1);
    await form.getByLabel('Rules to start with').selectOption('general-purpose-web-server');
    // What the template holds, before choosing it.
    const templateRules = await cellsOf(page, 'Rules of the template General-purpose web server');
    expect(templateRules.map((r) => r[3])).toEqual(expect.arrayContaining(['22', '3389', '80', '443']));

    // Too long a name: the API's message at the Name field.
    await form.getByLabel('Name').fill('x'.repeat(300));
    await form.getByRole('button', { name: 'Create group' }).click();
    const name = form.getByLabel('Name');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await name.getAttribute('aria-describedby'))!.split(' ')[0]!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('body.name');
    await checkPage(page, 'group-create-field-error');

    await name.fill('from-template');
    await form.getByLabel('Description').fill('made in the console');
    await form.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'from-template', level: 1 }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const stored = await carol.get<any>(`/v1/security-groups/${id}`);
    expect(stored).toMatchObject({ name: 'from-template', vpcId: v1, description: 'made in the console' });
    const inbound = await cellsOf(page, /^Inbound rules in the evaluation order/);
    expect(inbound.map((r) => r[4])).toEqual(expect.arrayContaining(['22', '3389', '80', '443']));
    expect(inbound.length + (await cellsOf(page, /^Outbound rules/)).length).toBe(stored.rules.length);
    expect(stored.rules.length).toBe(templateRules.length);
    await checkPage(page, 'group-from-template');
    await page.context().close();
  });

  it('clones a group (the safe way to change a live one) and renames the copy', async () => {
    const page = await world.newPage();
    await signIn(page, carolKey);
    await page.goto(`${t.url}/console/groups/${appId}`);
    await page.getByRole('heading', { name: 'app', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Clone', exact: true }).click();
    await expect
      .poll(() => page.getByRole('form', { name: 'Clone app' }).textContent())
      .toContain('recommended way to change a group that is in use');
    await checkPage(page, 'group-clone');
    await page.getByLabel('Name of the copy').fill('app-v2');
    await page.getByRole('button', { name: 'Clone group' }).click();
    await page.getByRole('heading', { name: 'app-v2', level: 1 }).waitFor();
    const copyId = new URL(page.url()).pathname.split('/').pop()!;
    expect(copyId).not.toBe(appId);
    expect(await cellsOf(page, /^Inbound rules in the evaluation order/)).toHaveLength(2);
    expect((await carol.get<any>(`/v1/security-groups/${copyId}`)).memberCount).toBe(0);

    await page.getByRole('button', { name: 'Rename' }).click();
    // The group's actions, not the rule forms below them (which have a Description too).
    const actions = page.getByRole('region', { name: 'Group actions' });
    await actions.getByLabel('Name', { exact: true }).fill('app-next');
    await actions.getByLabel('Description').fill('the next version');
    await page.getByRole('button', { name: 'Save name and description' }).click();
    await page.getByRole('heading', { name: 'app-next', level: 1 }).waitFor();
    expect(await carol.get<any>(`/v1/security-groups/${copyId}`)).toMatchObject({
      name: 'app-next',
      description: 'the next version',
    });
    await checkPage(page, 'group-renamed');
    await page.context().close();
  });

  it('explains why a group in use is not deleted, with links, and deletes it once free', async () => {
    const page = await world.newPage();
    await signIn(page, carolKey);
    await page.goto(`${t.url}/console/groups/${appId}`);
    await page.getByRole('heading', { name: 'app', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete group' }).click();
    const why = page.locator('.in-use');
    await expect.poll(() => why.textContent()).toContain('GROUP_IN_USE');
    expect(await why.getByRole('link', { name: portId }).getAttribute('href')).toBe(
      `/console/ports/${portId}`,
    );
    await checkPage(page, 'group-delete-in-use');

    // The port goes elsewhere; the rule of `other` still names app.
    await carol.delete(`/v1/instances/${instanceId}`);
    await page.getByRole('button', { name: 'Try deleting again' }).click();
    await expect.poll(() => why.textContent()).toContain('GROUP_REFERENCED');
    expect(await why.getByRole('link', { name: otherId }).getAttribute('href')).toBe(
      `/console/groups/${otherId}`,
    );

    const other = await carol.get<any>(`/v1/security-groups/${otherId}`);
    await carol.delete(`/v1/security-groups/${otherId}/rules/${other.rules[0].id}`);
    await page.getByRole('button', { name: 'Try deleting again' }).click();
    await page.getByRole('heading', { name: 'Security groups', level: 1 }).waitFor();
    const gone = await carol.request('GET', `/v1/security-groups/${appId}`, undefined, { raw: true });
    expect(gone.status).toBe(404);
    await page.context().close();
  });

  it("shows an operator's quota override in the tenant's bar, refusing a bad figure at its field", async () => {
    const tenantPage = await world.newPage();
    await signIn(tenantPage, carolKey);
    // other, made-elsewhere, from-template and app-next (app is gone): 4 of 5 is near the limit.
    const used = 4;
    await expect.poll(() => bar(tenantPage, 'Groups in hw-1')).toContain('4 of 5 — near the limit');

    const page = await world.newPage();
    await signIn(page, OPERATOR_KEY);
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('link', { name: 'carol' }).click();
    await page.getByRole('heading', { name: 'Tenant carol', level: 1 }).waitFor();
    const hw = page.getByRole('form', { name: 'Quotas in hw-1' });
    expect(await bar(page, 'Security groups in hw-1')).toContain(`${used} of 5`);
    const groups = hw.getByLabel('Security groups (groupsPerTenant)');
    await groups.fill('-1');
    await hw.getByRole('button', { name: 'Save overrides in hw-1' }).click();
    await expect.poll(() => groups.getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'tenant-quota-field-error');
    expect((await t.admin.get<any>('/v1/tenants/carol')).quotas).toBeUndefined();

    await groups.fill('8');
    await hw.getByRole('button', { name: 'Save overrides in hw-1' }).click();
    await expect.poll(() => hw.getByRole('status').textContent()).toContain('Saved 1 override');
    expect((await t.admin.get<any>('/v1/tenants/carol')).quotas).toEqual({ 'hw-1': { groupsPerTenant: 8 } });
    await expect.poll(() => hw.getByText("This tenant's override").count()).toBe(1);
    await checkPage(page, 'tenant');
    // The tenant's open list follows the change: its bar shows the new limit.
    await expect.poll(() => bar(tenantPage, 'Groups in hw-1')).toContain(`${used} of 8`);

    await hw.getByRole('button', { name: 'Reset to the region’s quotas' }).click();
    await expect.poll(() => bar(tenantPage, 'Groups in hw-1')).toContain(`${used} of 5`);
    expect((await t.admin.get<any>('/v1/tenants/carol')).quotas).toBeUndefined();
    await tenantPage.context().close();
    await page.context().close();
  });

  it('creates an access key for a tenant, shows its secret once, and deletes it after a confirmation', async () => {
    const page = await world.newPage();
    await signIn(page, OPERATOR_KEY);
    await page.getByRole('link', { name: 'Access keys' }).click();
    await page.getByRole('table', { name: 'Access keys' }).waitFor();
    // No choice: the API's refusal at the field.
    await page.getByRole('button', { name: 'Create access key' }).click();
    await expect.poll(() => page.getByLabel('For tenant').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('For tenant').selectOption({ label: 'carol' });
    await page.getByLabel('Description').fill('ci runner');
    await page.getByRole('button', { name: 'Create access key' }).click();
    const shown = page.getByRole('alert').filter({ hasText: 'Save the secret' });
    await expect.poll(() => shown.textContent()).toContain('shown this once');
    const [id, secret] = await shown.locator('dd code').allTextContents();
    // The secret shown is the key's: it signs requests as carol.
    const asKey = new PalisadeClient(t.url, { keyId: id!, secret: secret! });
    expect(await asKey.get<any>('/v1/whoami')).toMatchObject({ role: 'tenant', tenantId: 'carol' });
    await expect.poll(() => cellsOf(page, 'Access keys').then((rows) => rows.map((r) => r[0]))).toContain(id);
    await checkPage(page, 'access-key-secret');

    // Once dismissed it is nowhere on the page, and no read answers it.
    await page.getByRole('button', { name: 'I have saved the secret' }).click();
    await expect.poll(() => page.getByText(secret!).count()).toBe(0);
    expect(JSON.stringify(await t.admin.get('/v1/access-keys'))).not.toContain(secret);

    await page.getByRole('button', { name: `Delete ${id}…` }).click();
    await checkPage(page, 'access-key-confirm-delete');
    await page.getByRole('button', { name: `Delete ${id} for good` }).click();
    await expect
      .poll(() => cellsOf(page, 'Access keys').then((rows) => rows.map((r) => r[0])))
      .not.toContain(id);
    const refused = await asKey.request('GET', '/v1/whoami', undefined, { raw: true });
    expect(refused.status).toBe(401);
    await page.context().close();
    expect(world.pageErrors).toEqual([]);
  });
});
