// Issue 14's journey through the console in a real browser, one tenant's day end to end on a
// Huawei region: sign in, create a group from a template, add a multi-port rule (after a bad one
// refused at its field), fast-add SSH from the office, join a port, check traffic (the deciding
// rule highlighted), see the shadowed-rule finding the fast-added rule makes, preview deleting
// the template's SSH-to-everyone rule (a simulated outside connection is cut) and save it, open
// the reachability picture, read the audit log, sign out. A second tenant then sees none of it.
// Each feature is tested in depth in its own file; this one checks they work together.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  cellsOf,
  checkPage,
  type ConsoleWorld,
  type Key,
  signIn,
  startConsoleWorld,
  tenantWithKey,
} from '../support/console.js';

const INBOUND = /^Inbound rules in the evaluation order/;

describe('console journey', () => {
  let world: ConsoleWorld;
  let erin: { key: Key; api: PalisadeClient };
  let frank: { key: Key; api: PalisadeClient };
  let vpcId: string;
  let portId: string;

  beforeAll(async () => {
    world = await startConsoleWorld();
    const { t } = world;
    await t.admin.post('/v1/regions', { id: 'hw-j', profile: 'huawei' });
    erin = await tenantWithKey(t, 'erin');
    frank = await tenantWithKey(t, 'frank');
    vpcId = (await erin.api.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-j', name: 'prod' })).id;
    const vm = await erin.api.post<{ ports: { id: string }[] }>('/v1/instances', {
      regionId: 'hw-j',
      vpcId,
      name: 'web-vm',
      ports: [{ ipv4: ['10.0.0.5'], host: 'host-1' }],
    });
    portId = vm.ports[0]!.id;
  }, 180_000);

  afterAll(() => world?.close());

  const inboundRules = async (groupId: string) =>
    (
      await erin.api.get<{
        items: { id: string; ports?: { from: number; to: number }[]; remoteIpPrefix?: string }[];
      }>(`/v1/security-groups/${groupId}/rules?direction=ingress&limit=1000`)
    ).items;

  it("walks a tenant's day through the console, and shows another tenant none of it", async () => {
    const { t } = world;
    const page: Page = await world.newPage();
    await signIn(page, t.url, erin.key);

    // Create a group from a template.
    await page.getByRole('button', { name: 'Create security group' }).click();
    const form = page.getByRole('form', { name: 'New security group' });
    await form.getByLabel('Region').selectOption('hw-j');
    await form.getByLabel('VPC').selectOption(vpcId);
    await form.getByLabel('Rules to start with').selectOption('general-purpose-web-server');
    await form.getByLabel('Name').fill('shop');
    await form.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'shop', level: 1 }).waitFor();
    const groupId = new URL(page.url()).pathname.split('/').pop()!;
    const templateSsh = (await inboundRules(groupId)).find(
      (r) => r.ports?.[0]?.from === 22 && r.remoteIpPrefix === '0.0.0.0/0',
    )!;
    expect(templateSsh).toBeDefined();
    await checkPage(page, 'journey-group-created');

    // A multi-port rule: a bad list is refused at the Ports field, then a good one is added.
    const add = page.getByRole('form', { name: 'Add an inbound rule' });
    await add.waitFor();
    const ports = add.getByLabel('Ports', { exact: true });
    await ports.fill('8080,abc');
    await add.getByLabel('Source', { exact: true }).fill('10.0.0.0/8');
    await add.getByRole('button', { name: 'Preview and add' }).click();
    await expect.poll(() => ports.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await checkPage(page, 'journey-field-error');
    const before = (await inboundRules(groupId)).length;
    await ports.fill('8080,8443,9090');
    await add.getByRole('button', { name: 'Preview and add' }).click();
    await page
      .getByRole('dialog', { name: /preview/ })
      .getByRole('button', { name: 'Add rule' })
      .click();
    await expect.poll(async () => (await inboundRules(groupId)).length).toBe(before + 1);
    await expect
      .poll(() => cellsOf(page, INBOUND).then((rows) => rows.some((r) => r[4] === '8080, 8443, 9090')))
      .toBe(true);

    // Fast-add SSH from the office, after the template's rules (a larger priority number).
    await add.getByLabel('Fast add source').fill('10.0.0.0/8');
    await add.getByRole('button', { name: 'SSH 22' }).click();
    await add.getByLabel('Priority', { exact: true }).fill('50');
    await add.getByRole('button', { name: 'Preview and add' }).click();
    await page
      .getByRole('dialog', { name: /preview/ })
      .getByRole('button', { name: 'Add rule' })
      .click();
    await expect
      .poll(async () =>
        (await inboundRules(groupId)).find(
          (r) => r.remoteIpPrefix === '10.0.0.0/8' && r.ports?.[0]?.from === 22,
        ),
      )
      .toBeDefined();
    const officeSsh = (await inboundRules(groupId)).find(
      (r) => r.remoteIpPrefix === '10.0.0.0/8' && r.ports?.[0]?.from === 22,
    )!;

    // Join the port to the group from the group page.
    await page.getByRole('searchbox', { name: 'Port to join' }).fill('10.0.0.5');
    await page.getByRole('button', { name: 'Find ports' }).click();
    await page.getByRole('button', { name: `Join port ${portId}` }).click();
    await expect
      .poll(async () => (await erin.api.get<{ groupIds: string[] }>(`/v1/ports/${portId}`)).groupIds)
      .toContain(groupId);
    await checkPage(page, 'journey-group');

    // The fast-added rule is shadowed by the template's SSH rule open to everyone.
    const findings = () =>
      cellsOf(page, /^Rule findings/).then((rows) => rows.map((r) => r.join(' ')).join('\n'));
    await expect.poll(findings).toContain('Shadowed');
    expect(await findings()).toContain('allow tcp 22 from 10.0.0.0/8');

    // Check traffic from the office to the port's SSH: the template's rule decides, the office
    // rule matched too, highlighted in the group's inbound table.
    await page.getByRole('link', { name: 'Check traffic' }).click();
    await page.getByLabel('Region').selectOption('hw-j');
    await page.getByLabel('From', { exact: true }).fill('10.1.2.3');
    await page.getByLabel('To', { exact: true }).fill(portId);
    await page.getByLabel('Destination port').fill('22');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Verdict' }).textContent())
      .toContain('allow');
    const marked = (mark: string) =>
      page
        .getByRole('table', { name: /^Inbound rules of shop/ })
        .locator(`tbody tr.mark-${mark}`)
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));
    await expect.poll(() => marked('deciding')).toEqual([templateSsh.id]);
    expect(await marked('matched')).toContain(officeSsh.id);
    await checkPage(page, 'journey-check');

    // Preview deleting SSH-to-everyone with a simulated connection from outside the office: the
    // preview shows it cut; then save.
    await page.goto(`${t.url}/console/groups/${groupId}`);
    await page.getByRole('heading', { name: 'shop', level: 1 }).waitFor();
    const sim = page.getByRole('form', { name: 'Add a simulated connection' });
    await sim.getByLabel('From (port id or address)').fill('203.0.113.9');
    await sim.getByLabel('To (port id or address)').fill(portId);
    await sim.getByLabel('Destination port').fill('22');
    await sim.getByRole('button', { name: 'Add connection' }).click();
    await page.getByRole('button', { name: `Delete rule ${templateSsh.id}` }).click();
    const dialog = page.getByRole('dialog', { name: /preview/ });
    await dialog.getByRole('table', { name: 'What the change does to the simulated connections' }).waitFor();
    expect(await cellsOf(page, 'What the change does to the simulated connections')).toEqual([
      [`tcp 203.0.113.9 → ${portId}:22`, expect.stringMatching(/^cut: /)],
    ]);
    expect(await cellsOf(page, 'Packets whose verdict the change turns')).toContainEqual(
      expect.arrayContaining(['newly denied', portId, 'ingress IPv4']),
    );
    await checkPage(page, 'journey-preview');
    await dialog.getByRole('button', { name: 'Delete rule' }).click();
    await expect
      .poll(async () => (await inboundRules(groupId)).some((r) => r.id === templateSsh.id))
      .toBe(false);

    // The reachability picture of the region's groups.
    await page.getByRole('link', { name: 'Reachability' }).click();
    await page.getByLabel('Region').selectOption('hw-j');
    await page.getByRole('button', { name: 'Draw' }).click();
    await page.getByTestId('reachability-graph').waitFor();
    expect(
      await page.getByTestId('reachability-graph').getByRole('button', { name: 'Node shop' }).count(),
    ).toBe(1);
    await checkPage(page, 'journey-reachability');

    // The audit log: erin's writes, newest first: the delete, the join, the rules, the group.
    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = () => cellsOf(page, 'Writes, newest first, page 1');
    await expect.poll(async () => (await log())[0]?.[3]).toBe('rule.delete');
    const actions = (await log()).map((r) => r[3]);
    expect(actions).toEqual(expect.arrayContaining(['rule.create', 'group.create']));
    // Erin's writes to her group and its rules are hers (the operator made the region and tenants).
    const ours = (await log()).filter((r) => r[3].startsWith('rule.') || r[3].startsWith('group.'));
    expect(ours.length).toBeGreaterThanOrEqual(4);
    expect(ours.map((r) => r[2])).toEqual(ours.map(() => erin.key.id));
    await checkPage(page, 'journey-audit');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key id').waitFor();

    // Frank sees none of erin's objects, writes or ports.
    await signIn(page, t.url, frank.key);
    await page.getByRole('table', { name: 'No security groups' }).waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: /^Writes|^No write/ }).count()).toBe(1);
    expect(await page.locator('main').textContent()).not.toContain(groupId);
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('table', { name: 'No instances' }).waitFor();
    await page.goto(`${t.url}/console/groups/${groupId}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('404');
    await checkPage(page, 'journey-other-tenant');
    expect(world.pageErrors).toEqual([]);
  });
});
