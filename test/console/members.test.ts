// Instances, ports, group members and address groups in the web console, in a real browser
// (Debian's chromium driven by playwright-core) against a real server on SQLite: the instance
// list and page (addresses, host and interface, groups in order, the agents' enforcement status
// before and after a host reports), a region of 1,000 ports in the windowed ports table read
// page by page, a port's groups joined, left and reordered on Huawei by keyboard and by drag
// (the stored order checked through the API), the group page's members joined and left, and an
// address group edited in bulk (a bad line refused at the field, nothing stored; then a good
// edit stored) and deleted only once no rule uses it. Pages follow the change stream. axe-core
// checks every page.
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

interface PortView {
  id: string;
  groupIds: string[];
}

describe('instances, ports, members and address groups in the console', () => {
  let world: ConsoleWorld;
  let key: Key;
  let alice: PalisadeClient;
  let vpc: string;
  const group: Record<string, string> = {};
  let vm: { id: string; ports: PortView[] };
  let bigPorts: string[];

  beforeAll(async () => {
    world = await startConsoleWorld();
    const { t } = world;
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'hw-big', profile: 'huawei' });
    ({ key, api: alice } = await tenantWithKey(t, 'alice'));
    vpc = (await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-1', name: 'v' })).id;
    for (const name of ['web', 'db', 'ops'])
      group[name] = (
        await alice.post<{ id: string }>('/v1/security-groups', {
          regionId: 'hw-1',
          vpcId: vpc,
          name,
          template: 'empty',
        })
      ).id;
    vm = await alice.post('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc,
      name: 'vm-1',
      ports: [
        {
          ipv4: ['10.0.0.5'],
          ipv6: ['2001:db8::5'],
          host: 'host-1',
          interface: 'tap-a',
          groupIds: [group.web, group.db],
        },
        { ipv4: ['10.0.0.6'], host: 'host-1', interface: 'tap-b', groupIds: [group.web] },
      ],
    });
    // 1,000 ports in 40 instances of 25, eight requests at a time.
    const bigVpc = (await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'hw-big', name: 'b' })).id;
    bigPorts = [];
    for (let batch = 0; batch < 5; batch++) {
      const made = await Promise.all(
        Array.from({ length: 8 }, (_, k) => {
          const n = batch * 8 + k;
          return alice.post<{ ports: PortView[] }>('/v1/instances', {
            regionId: 'hw-big',
            vpcId: bigVpc,
            name: `big-${String(n).padStart(2, '0')}`,
            ports: Array.from({ length: 25 }, (_, j) => ({
              ipv4: [`10.8.${n}.${j + 1}`],
              host: `h${n % 4}`,
            })),
          });
        }),
      );
      bigPorts.push(...made.flatMap((i) => i.ports.map((p) => p.id)));
    }
    bigPorts.sort();
    // The build and the browser's start take seconds, more on a busy machine.
  }, 240_000);

  afterAll(() => world?.close());

  async function signedIn(): Promise<Page> {
    const page = await world.newPage();
    await signIn(page, world.t.url, key);
    return page;
  }
  const portGroups = async (id: string) => (await alice.get<PortView>(`/v1/ports/${id}`)).groupIds;

  it('lists instances, shows an instance with its ports and the agents’ status, and follows changes', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    await page.getByRole('heading', { name: 'Instances and ports', level: 1 }).waitFor();
    await page.getByLabel('Region').selectOption('hw-1');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(() => cellsOf(page, 'Instances, page 1'))
      .toEqual([['vm-1', vm.id, 'hw-1', vpc, '2', '10.0.0.5, 2001:db8::5; 10.0.0.6']]);

    // An instance made elsewhere appears without a reload.
    const other = await alice.post<{ id: string }>('/v1/instances', {
      regionId: 'hw-1',
      vpcId: vpc,
      name: 'vm-2',
      ports: [{ ipv4: ['10.0.0.7'], groupIds: [group.ops] }],
    });
    await expect
      .poll(() => cellsOf(page, 'Instances, page 1').then((rows) => rows.map((r) => r[0])))
      .toContain('vm-2');
    await checkPage(page, 'instances');

    await page.getByRole('link', { name: 'vm-1' }).click();
    await page.getByRole('heading', { name: 'vm-1', level: 1 }).waitFor();
    const [a, b] = vm.ports;
    const rows = await cellsOf(page, 'Ports of vm-1');
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      [a!.id, '10.0.0.5', '2001:db8::5', 'host-1 / tap-a'],
      [b!.id, '10.0.0.6', '—', 'host-1 / tap-b'],
    ]);
    // The groups in membership order, as links.
    const firstRow = page.getByRole('table', { name: 'Ports of vm-1' }).locator('tbody tr').first();
    expect(await firstRow.getByRole('listitem').allTextContents()).toEqual(['web', 'db']);
    expect(await firstRow.getByRole('link', { name: 'db' }).getAttribute('href')).toBe(
      `/console/groups/${group.db}`,
    );
    // No agent has reported for host-1 yet.
    expect(rows[0]![5]).toBe('Not reported: host host-1 has sent no status');
    await checkPage(page, 'instance');

    // The host's agent reports the region's latest revision and a closed port.
    const status = await alice.get<{ regions: { revision: number }[] }>('/v1/status?regionId=hw-1');
    const revision = status.regions[0]!.revision;
    await world.t.admin.post('/v1/hosts/host-1/status', {
      revision,
      closed: [{ portId: b!.id, reason: 'policy could not be computed' }],
      ruleHits: {},
    });
    await page.reload();
    await expect
      .poll(() => cellsOf(page, 'Ports of vm-1').then((r) => r.map((c) => c[5])))
      .toEqual([
        expect.stringMatching(new RegExp(`^Up to date: revision ${revision} of ${revision} \\(reported `)),
        expect.stringMatching(/^Up to date: .*Closed by the agent: policy could not be computed$/),
      ]);
    await alice.delete(`/v1/instances/${other.id}`);
    await page.close();
  });

  it('shows a region of 1,000 ports windowed, page by page through the cursors', async () => {
    const page = await signedIn();
    await page.goto(`${world.t.url}/console/instances`);
    await page.getByLabel('Region').selectOption('hw-big');
    await page.getByRole('button', { name: 'Show' }).click();
    // 40 instances: a second page of them.
    await page.getByRole('table', { name: 'Instances, page 1' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Pages of instances' })
      .getByRole('button', { name: 'Next page' })
      .click();
    // By id, as the API pages them: the 15 after the first 25.
    await expect.poll(() => cellsOf(page, 'Instances, page 2').then((r) => r.length)).toBe(15);

    const ports = page.getByRole('table', { name: /^Ports: / });
    await page.getByRole('table', { name: 'Ports: 500 shown, more on the server' }).waitFor();
    // Windowed: far fewer rows in the document than the 500 read.
    const rendered = () => ports.locator('tbody tr:not(.spacer)').count();
    expect(await rendered()).toBeLessThan(100);
    expect(await ports.getAttribute('aria-rowcount')).toBe('501');
    await checkPage(page, 'instances-many-ports');

    // Scrolled to the end: the 500th port is there.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await ports.getByRole('link', { name: bigPorts[499]! }).waitFor();
    expect(await rendered()).toBeLessThan(100);

    await page.getByRole('button', { name: 'Load the next ports' }).click();
    await page.getByRole('table', { name: 'Ports: 1000 shown' }).waitFor();
    expect(await page.getByRole('button', { name: 'Load the next ports' }).count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await ports.getByRole('link', { name: bigPorts[999]! }).waitFor();
    expect(await rendered()).toBeLessThan(100);
    await page.close();
  });

  it('joins, leaves and reorders a port’s groups on Huawei, by keyboard and by drag', async () => {
    const page = await signedIn();
    const [a, b] = vm.ports;
    await page.goto(`${world.t.url}/console/ports/${a!.id}`);
    await page.getByRole('heading', { name: `Port ${a!.id}`, level: 1 }).waitFor();
    const order = () =>
      cellsOf(page, `Groups of port ${a!.id}, in order`).then((rows) => rows.map((r) => r[1]));
    expect(await order()).toEqual(['web', 'db']);
    await page.getByText('This region evaluates a port’s groups one after another').waitFor();
    await checkPage(page, 'port');

    // Join ops first (place 1).
    await page.getByLabel('Group to join').selectOption(group.ops!);
    await page.getByLabel('Place').selectOption('0');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(order).toEqual(['ops', 'web', 'db']);
    expect(await portGroups(a!.id)).toEqual([group.ops, group.web, group.db]);

    // Keyboard: Move up on db, with Enter.
    await page.getByRole('button', { name: 'Move up db' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['ops', 'db', 'web']);
    expect(await portGroups(a!.id)).toEqual([group.ops, group.db, group.web]);
    // The focus stays on the button that moved the row: Enter again moves it to the top.
    await page.getByRole('button', { name: 'Move down db' }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Move up db');
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['db', 'ops', 'web']);
    // Focus moved on: a change made elsewhere does not pull it back.
    await page.getByRole('button', { name: 'Leave web' }).focus();
    await alice.put(`/v1/ports/${a!.id}/groups`, { groupIds: [group.ops, group.db, group.web] });
    await expect.poll(order).toEqual(['ops', 'db', 'web']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Leave web');
    await alice.put(`/v1/ports/${a!.id}/groups`, { groupIds: [group.db, group.ops, group.web] });
    await expect.poll(order).toEqual(['db', 'ops', 'web']);

    // Drag: web's row onto the first row.
    const table = page.getByRole('table', { name: `Groups of port ${a!.id}, in order` });
    await table.locator(`tr[data-key="${group.web}"]`).dragTo(table.locator(`tr[data-key="${group.db}"]`));
    await expect.poll(order).toEqual(['web', 'db', 'ops']);
    expect(await portGroups(a!.id)).toEqual([group.web, group.db, group.ops]);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved the order' }).textContent())
      .toBe('Saved the order: web, db, ops');

    // Leave ops.
    await page.getByRole('button', { name: 'Leave ops' }).click();
    await expect.poll(order).toEqual(['web', 'db']);
    expect(await portGroups(a!.id)).toEqual([group.web, group.db]);

    // Where the order does not decide (OpenStack), the page says so and offers no reordering.
    await world.t.admin.post('/v1/regions', { id: 'os-1', profile: 'openstack' });
    const osVpc = (await alice.post<{ id: string }>('/v1/vpcs', { regionId: 'os-1', name: 'o' })).id;
    const osGroups = await Promise.all(
      ['one', 'two'].map((name) =>
        alice.post<{ id: string }>('/v1/security-groups', {
          regionId: 'os-1',
          vpcId: osVpc,
          name,
          template: 'empty',
        }),
      ),
    );
    const os = await alice.post<{ ports: PortView[] }>('/v1/instances', {
      regionId: 'os-1',
      vpcId: osVpc,
      name: 'os-vm',
      ports: [{ ipv4: ['10.5.0.5'], groupIds: osGroups.map((g) => g.id) }],
    });
    await page.goto(`${world.t.url}/console/ports/${os.ports[0]!.id}`);
    await page
      .getByText('This region’s profile decides the same whatever the order of the groups.')
      .waitFor();
    expect((await cellsOf(page, `Groups of port ${os.ports[0]!.id}, in order`)).map((r) => r[1])).toEqual([
      'one',
      'two',
    ]);
    expect(await page.getByRole('button', { name: /^Move / }).count()).toBe(0);
    expect(await page.getByLabel('Place').count()).toBe(0);

    // A port joined elsewhere appears; the last group cannot be left, and the API says why.
    await page.goto(`${world.t.url}/console/ports/${b!.id}`);
    const orderB = () =>
      cellsOf(page, `Groups of port ${b!.id}, in order`).then((rows) => rows.map((r) => r[1]));
    await expect.poll(orderB).toEqual(['web']);
    await alice.post(`/v1/ports/${b!.id}/groups`, { groupId: group.ops });
    await expect.poll(orderB).toEqual(['web', 'ops']);
    await alice.delete(`/v1/ports/${b!.id}/groups/${group.ops}`);
    await expect.poll(orderB).toEqual(['web']);
    await page.getByRole('button', { name: 'Leave web' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/^409 LAST_GROUP: .*no security group/);
    expect(await portGroups(b!.id)).toEqual([group.web]);
    await page.close();
  });

  it('lists the ports holding a group on its page, joins one by address and leaves', async () => {
    const page = await signedIn();
    const [a, b] = vm.ports;
    await page.goto(`${world.t.url}/console/groups/${group.db}`);
    await page.getByRole('heading', { name: 'db', level: 1 }).waitFor();
    const members = () =>
      cellsOf(page, /^(Ports holding db|No port holds db)/).then((rows) => rows.map((r) => [r[0], r[4]]));
    await expect.poll(members).toEqual([[a!.id, '2 of 2']]);
    await checkPage(page, 'group-members');

    await page.getByRole('searchbox', { name: 'Port to join' }).fill('10.0.0.6');
    await page.getByRole('button', { name: 'Find ports' }).click();
    await page.getByRole('button', { name: `Join port ${b!.id}` }).click();
    await expect.poll(members).toEqual(
      [a!, b!]
        .map((p) => p.id)
        .sort()
        .map((id) => [id, '2 of 2']),
    );
    expect(await portGroups(b!.id)).toEqual([group.web, group.db]);

    await page.getByRole('button', { name: `Remove port ${b!.id} from db` }).click();
    await expect.poll(members).toEqual([[a!.id, '2 of 2']]);
    expect(await portGroups(b!.id)).toEqual([group.web]);
    // Joined through the API: it appears.
    await alice.post(`/v1/ports/${b!.id}/groups`, { groupId: group.db, sequence: 0 });
    await expect.poll(members).toContainEqual([b!.id, '1 of 2']);
    expect(world.pageErrors).toEqual([]);
    await page.close();
  });

  it('creates an address group, edits its entries in bulk with the API’s messages at the bad line, deletes it once unused', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Address groups' }).click();
    await page.getByRole('heading', { name: 'Address groups', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('offices');
    await page.locator('#ag-region').selectOption('hw-1');
    await page.getByLabel('Family').selectOption('IPv4');
    await page.getByLabel('Entries').fill('192.0.2.0/24\n198.51.100.7\n');
    await checkPage(page, 'address-groups');
    await page.getByRole('button', { name: 'Create address group' }).click();
    await page.getByRole('heading', { name: 'offices', level: 1 }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const stored = async () => (await alice.get<{ entries: string[] }>(`/v1/address-groups/${id}`)).entries;
    expect(await stored()).toEqual(['192.0.2.0/24', '198.51.100.7']);
    expect((await cellsOf(page, 'Entries of offices')).map((r) => r[0])).toEqual([
      '192.0.2.0/24',
      '198.51.100.7',
    ]);

    // A bad fourth line (a blank line before it): the API's message at the field, naming the
    // line and the API's path; nothing stored.
    const editor = page.getByRole('textbox', { name: 'Entries' });
    await editor.fill('192.0.2.0/24\n\n203.0.113.0/24\n300.1.2.3/32');
    await page.getByRole('button', { name: 'Save entries' }).click();
    const fieldError = page.locator('#ag-bulk-error');
    await expect
      .poll(() => fieldError.textContent())
      .toMatch(/^Line 4 \(body\.entries\[2\]\): .*300\.1\.2\.3\/32/);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await stored()).toEqual(['192.0.2.0/24', '198.51.100.7']);
    await checkPage(page, 'address-group-invalid');

    await editor.fill('192.0.2.0/24\n203.0.113.0/24\n');
    await page.getByRole('button', { name: 'Save entries' }).click();
    await expect.poll(stored).toEqual(['192.0.2.0/24', '203.0.113.0/24']);
    await expect
      .poll(() => cellsOf(page, 'Entries of offices').then((r) => r.map((c) => c[0])))
      .toEqual(['192.0.2.0/24', '203.0.113.0/24']);

    // The editor untouched follows a change made elsewhere; one being edited keeps the edit.
    await alice.patch(`/v1/address-groups/${id}`, { add: ['198.18.0.0/15'] });
    await expect.poll(() => editor.inputValue()).toBe('192.0.2.0/24\n203.0.113.0/24\n198.18.0.0/15');
    await editor.fill('192.0.2.0/24\n(a draft)');
    await alice.patch(`/v1/address-groups/${id}`, { remove: ['198.18.0.0/15'] });
    await expect
      .poll(() => cellsOf(page, 'Entries of offices').then((r) => r.map((c) => c[0])))
      .toEqual(['192.0.2.0/24', '203.0.113.0/24']);
    expect(await editor.inputValue()).toBe('192.0.2.0/24\n(a draft)');

    // An entry of the wrong family, refused at its field as the API names it; then one added, one removed.
    await page.getByLabel('Entry to add').fill('2001:db8::/32');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect
      .poll(() => page.locator('#ag-add-error').textContent())
      .toMatch(/^body\.add\[0\] 2001:db8::\/32 is IPv6/);
    expect(await page.getByLabel('Entry to add').getAttribute('aria-invalid')).toBe('true');
    expect(await stored()).toEqual(['192.0.2.0/24', '203.0.113.0/24']);
    await page.getByLabel('Entry to add').fill('198.51.100.0/25');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(stored).toEqual(['192.0.2.0/24', '203.0.113.0/24', '198.51.100.0/25']);
    await page.getByRole('button', { name: 'Remove 203.0.113.0/24' }).click();
    await expect.poll(stored).toEqual(['192.0.2.0/24', '198.51.100.0/25']);

    // A rule made elsewhere uses it: listed live, and the delete is refused with the API's reason.
    const rule = await alice.post<{ id: string }>(`/v1/security-groups/${group.web}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteAddressGroup: id,
    });
    await page.getByRole('link', { name: 'web' }).waitFor();
    await page.getByRole('button', { name: 'Delete address group' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/^409 ADDRESS_GROUP_IN_USE: .*The rules listed under “Used by” name it/);
    expect(await page.getByRole('region', { name: 'Used by' }).textContent()).toContain(rule.id);
    await checkPage(page, 'address-group');
    expect(await stored()).toHaveLength(2);

    await alice.delete(`/v1/security-groups/${group.web}/rules/${rule.id}`);
    await page.getByText('No rule uses this address group.').waitFor();
    await page.getByRole('button', { name: 'Delete address group' }).click();
    await page.getByRole('heading', { name: 'Address groups', level: 1 }).waitFor();
    await expect(alice.get(`/v1/address-groups/${id}`)).rejects.toMatchObject({ status: 404 });
    expect(world.pageErrors).toEqual([]);
    await page.close();
  });
});
