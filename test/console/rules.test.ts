// The group page's rules in a real browser (chromium via playwright-core) against a real SQLite
// server, on a Huawei and an OpenStack region: add a multi-port rule and see it in the table and
// through the API; bad ports show the API's own message at the Ports field and store nothing;
// fast-add SSH; edit a rule in its row; delete; the change preview of removing the rule a
// simulated connection depends on shows the connection cut and the packets newly denied, and
// Cancel leaves the rule; the references list; a 1,000-rule group renders windowed, scrolls,
// and a rule deep in it is edited. axe-core checks each state (checkPage).
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

interface Setup {
  webId: string;
  dbId: string;
  portId: string;
  sshRuleId: string;
}

const INBOUND = /^Inbound rules in the evaluation order/;

describe('group page rules', () => {
  let world: ConsoleWorld;
  let key: Key;
  let alice: PalisadeClient;
  const setups = new Map<string, Setup>();
  let bigId: string;

  beforeAll(async () => {
    world = await startConsoleWorld();
    const { t } = world;
    ({ key, api: alice } = await tenantWithKey(t, 'alice'));
    for (const [region, profile] of [
      ['hw-1', 'huawei'],
      ['os-1', 'openstack'],
    ] as const) {
      await t.admin.post('/v1/regions', { id: region, profile });
      const vpc = await alice.post<any>('/v1/vpcs', { regionId: region, name: 'v' });
      const web = await alice.post<any>('/v1/security-groups', {
        regionId: region,
        vpcId: vpc.id,
        name: 'web',
        template: 'empty',
        rules: [
          {
            direction: 'ingress',
            protocol: 'tcp',
            ports: '22',
            remoteIpPrefix: '10.0.0.0/8',
            description: 'ssh from the office',
          },
          { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' },
        ],
      });
      const db = await alice.post<any>('/v1/security-groups', {
        regionId: region,
        vpcId: vpc.id,
        name: 'db',
        template: 'empty',
        rules: [{ direction: 'ingress', protocol: 'tcp', ports: '5432', remoteGroup: web.id }],
      });
      const inst = await alice.post<any>('/v1/instances', {
        regionId: region,
        vpcId: vpc.id,
        name: 'vm',
        ports: [{ ipv4: ['10.0.0.5'], groupIds: [web.id], host: `host-${profile}` }],
      });
      setups.set(profile, {
        webId: web.id,
        dbId: db.id,
        portId: inst.ports[0].id,
        sshRuleId: web.rules[0].id,
      });
    }
    // A group of 1,000 rules (one batch), above the region's default quota of 50.
    await t.admin.patch('/v1/regions/hw-1', { quotas: { rulesPerGroup: 2000 } });
    const vpcs = await alice.get<any>('/v1/vpcs?regionId=hw-1');
    const big = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpcs.items[0].id,
      name: 'big',
      template: 'empty',
    });
    bigId = big.id;
    await alice.post(`/v1/security-groups/${bigId}/rules/batch`, {
      rules: Array.from({ length: 1000 }, (_, i) => ({
        direction: 'ingress',
        protocol: 'tcp',
        ports: String(1000 + i),
        remoteIpPrefix: '10.0.0.0/8',
        description: `rule ${i}`,
      })),
    });
  }, 240_000);

  afterAll(() => world?.close());

  async function openGroup(page: Page, id: string, name: string) {
    await page.goto(`${world.t.url}/console/groups/${id}`);
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    // The form appears once the region's traits are read.
    await page.getByRole('form', { name: 'Add an inbound rule' }).waitFor();
  }

  const rulesOf = async (groupId: string) =>
    (await alice.get<any>(`/v1/security-groups/${groupId}/rules?direction=ingress&limit=1000`))
      .items as any[];

  /** The preview dialog of a proposed change, once its packets are shown. */
  async function previewDialog(page: Page) {
    const dialog = page.getByRole('dialog', { name: /preview/ });
    await dialog.getByRole('heading', { name: 'Packets' }).waitFor();
    return dialog;
  }

  for (const profile of ['huawei', 'openstack'] as const) {
    it(`adds, refuses, fast-adds, edits and deletes rules on ${profile}`, async () => {
      const { webId } = setups.get(profile)!;
      const page = await world.newPage();
      await signIn(page, world.t.url, key);
      await openGroup(page, webId, 'web');
      const add = page.getByRole('form', { name: 'Add an inbound rule' });
      // The form fits the profile's traits from the API: deny and priority only where they exist.
      const { traits } = await alice.get<any>(`/v1/regions/${profile === 'huawei' ? 'hw-1' : 'os-1'}`);
      expect(await add.getByLabel('Action', { exact: true }).count()).toBe(
        traits.groupTypes.basic.denyRules ? 1 : 0,
      );
      expect(await add.getByLabel('Priority', { exact: true }).count()).toBe(
        traits.groupTypes.basic.priorities ? 1 : 0,
      );
      await checkPage(page, `rules-${profile}-group`);

      // A multi-port rule: previewed, then added.
      await add.getByLabel('Ports', { exact: true }).fill('22,25,27');
      await add.getByLabel('Source', { exact: true }).fill('10.1.0.0/16');
      await add.getByRole('button', { name: 'Preview and add' }).click();
      let dialog = await previewDialog(page);
      await checkPage(page, `rules-${profile}-add-preview`);
      await dialog.getByRole('button', { name: 'Add rule' }).click();
      await expect
        .poll(async () => (await cellsOf(page, INBOUND)).map((r) => r.slice(3, 6)))
        .toContainEqual(['tcp IPv4', '22, 25, 27', '10.1.0.0/16']);
      const multi = (await rulesOf(webId)).find((r) => r.remoteIpPrefix === '10.1.0.0/16');
      expect(multi.ports).toEqual([
        { from: 22, to: 22 },
        { from: 25, to: 25 },
        { from: 27, to: 27 },
      ]);

      // Bad ports: the API's own message at the Ports field, and nothing stored.
      const before = (await rulesOf(webId)).length;
      for (const ports of ['70000', '22,abc']) {
        let apiMessage = '';
        try {
          await alice.post(`/v1/security-groups/${webId}/rules`, {
            direction: 'ingress',
            protocol: 'tcp',
            ports,
          });
        } catch (e: any) {
          // Every problem about the field (body.ports, body.ports[0].from, ...), as the field shows them.
          apiMessage = e.problem.errors
            .filter((p: any) => p.path === 'body.ports' || p.path.startsWith('body.ports['))
            .map((p: any) => p.message)
            .join('; ');
        }
        expect(apiMessage).not.toBe('');
        await add.getByLabel('Ports', { exact: true }).fill(ports);
        await add.getByRole('button', { name: 'Preview and add' }).click();
        const portsField = add.getByLabel('Ports', { exact: true });
        await expect.poll(() => portsField.getAttribute('aria-invalid')).toBe('true');
        expect(await add.locator('#add-ingress-ports-error').textContent()).toBe(apiMessage);
        expect(await page.getByRole('dialog').count()).toBe(0);
      }
      await checkPage(page, `rules-${profile}-field-error`);
      expect((await rulesOf(webId)).length).toBe(before);

      // A priority outside the traits' range, where rules have one: the API's message at Priority.
      if (traits.groupTypes.basic.priorities) {
        await add.getByLabel('Ports', { exact: true }).fill('8080');
        await add.getByLabel('Priority', { exact: true }).fill(String(traits.priority.max + 1));
        await add.getByRole('button', { name: 'Preview and add' }).click();
        await expect
          .poll(() => add.locator('#add-ingress-priority-error').textContent())
          .toContain('priority');
        expect(await add.getByLabel('Priority', { exact: true }).getAttribute('aria-invalid')).toBe('true');
        await add.getByLabel('Priority', { exact: true }).fill(String(traits.priority.default));
        expect((await rulesOf(webId)).length).toBe(before);
      }

      // Fast-add ICMP echo: type 8 code 0.
      await add.getByRole('button', { name: 'ICMP (echo)' }).click();
      await add.getByRole('button', { name: 'Preview and add' }).click();
      await (await previewDialog(page)).getByRole('button', { name: 'Add rule' }).click();
      await expect
        .poll(async () => (await cellsOf(page, INBOUND)).map((r) => r.slice(3, 6)))
        .toContainEqual(['icmp IPv4', 'type 8 code 0', '0.0.0.0/0']);
      expect(await rulesOf(webId)).toContainEqual(
        expect.objectContaining({ protocol: 'icmp', icmpType: 8, icmpCode: 0 }),
      );

      // Fast-add SSH from a chosen source.
      await add.getByLabel('Fast add source').fill('192.168.7.0/24');
      await add.getByRole('button', { name: 'SSH 22' }).click();
      expect(await add.getByLabel('Ports', { exact: true }).inputValue()).toBe('22');
      await add.getByRole('button', { name: 'Preview and add' }).click();
      dialog = await previewDialog(page);
      await dialog.getByRole('button', { name: 'Add rule' }).click();
      await expect
        .poll(async () => (await cellsOf(page, INBOUND)).map((r) => r.slice(3, 7)))
        .toContainEqual(['tcp IPv4', '22', '192.168.7.0/24', 'SSH']);
      const ssh = (await rulesOf(webId)).find((r) => r.remoteIpPrefix === '192.168.7.0/24');
      expect(ssh).toMatchObject({ protocol: 'tcp', ports: [{ from: 22, to: 22 }], description: 'SSH' });

      // Edit it in its row: ports and description (keyboard: the form takes focus, Enter submits).
      await page.getByRole('button', { name: `Edit rule ${ssh.id}` }).click();
      const edit = page.getByRole('form', { name: `Edit rule ${ssh.id}` });
      await edit.getByLabel('Ports', { exact: true }).fill('2222,2223');
      await edit.getByLabel('Description', { exact: true }).fill('ssh, moved');
      await checkPage(page, `rules-${profile}-edit-row`);
      // A change made elsewhere arrives live; the open form keeps what was typed.
      await alice.post(`/v1/security-groups/${webId}/rules`, {
        direction: 'ingress',
        protocol: 'udp',
        ports: '53',
        remoteIpPrefix: '10.2.0.0/16',
        description: 'added elsewhere',
      });
      await expect
        .poll(async () => (await cellsOf(page, INBOUND)).some((r) => r.includes('added elsewhere')))
        .toBe(true);
      expect(await edit.getByLabel('Ports', { exact: true }).inputValue()).toBe('2222,2223');
      expect(await edit.getByLabel('Description', { exact: true }).inputValue()).toBe('ssh, moved');
      await edit.getByLabel('Description', { exact: true }).press('Enter');
      dialog = await previewDialog(page);
      await dialog.getByRole('button', { name: 'Save rule' }).click();
      await expect
        .poll(async () => (await cellsOf(page, INBOUND)).map((r) => r.slice(4, 7)))
        .toContainEqual(['2222, 2223', '192.168.7.0/24', 'ssh, moved']);
      expect(await alice.get<any>(`/v1/security-groups/${webId}/rules/${ssh.id}`)).toMatchObject({
        ports: [
          { from: 2222, to: 2222 },
          { from: 2223, to: 2223 },
        ],
        description: 'ssh, moved',
      });

      // Delete it: the dialog is the confirmation.
      await page.getByRole('button', { name: `Delete rule ${ssh.id}` }).click();
      dialog = await previewDialog(page);
      await dialog.getByRole('button', { name: 'Delete rule' }).click();
      await expect
        .poll(async () => (await cellsOf(page, INBOUND)).some((r) => r.includes('192.168.7.0/24')))
        .toBe(false);
      expect((await rulesOf(webId)).some((r) => r.id === ssh.id)).toBe(false);
      await page.close();
    });

    it(`previews the cut of a simulated connection on ${profile}, and Cancel keeps the rule`, async () => {
      const { webId, dbId, portId, sshRuleId } = setups.get(profile)!;
      const page = await world.newPage();
      await signIn(page, world.t.url, key);
      await openGroup(page, webId, 'web');

      // The connection from the office to the member's SSH, which the rule 10.0.0.0/8 → 22 allows.
      const sim = page.getByRole('form', { name: 'Add a simulated connection' });
      await sim.getByLabel('From (port id or address)').fill('10.9.0.1');
      await sim.getByLabel('To (port id or address)').fill(portId);
      await sim.getByLabel('Destination port').fill('22');
      await sim.getByRole('button', { name: 'Add connection' }).click();
      await page.getByRole('button', { name: 'Try them on the stored rules' }).click();
      await expect
        .poll(async () => (await cellsOf(page, 'Simulated connections')).map((r) => r.slice(0, 2)))
        .toEqual([[`tcp 10.9.0.1 → ${portId}:22`, 'opens']]);

      // The member's host agent listed a live SSH connection to it.
      await world.t.admin.post(`/v1/hosts/host-${profile}/status`, {
        revision: (await alice.get<any>(`/v1/security-groups/${webId}`)).revision,
        closed: [],
        ruleHits: {},
        connections: [
          {
            portId,
            origin: 'inbound',
            protocol: 6,
            src: '10.1.2.3',
            dst: '10.0.0.5',
            sport: 40000,
            dport: 22,
            state: 'ESTABLISHED',
            replied: true,
            assured: true,
            remainingS: 400,
          },
        ],
      });

      await page.getByRole('button', { name: `Delete rule ${sshRuleId}` }).click();
      const dialog = await previewDialog(page);
      expect(await cellsOf(page, 'Live connections the change will cut')).toEqual([
        [
          'tcp 10.1.2.3:40000 → 10.0.0.5:22 (inbound)',
          `${portId} on host-${profile}`,
          'ESTABLISHED',
          "cleared by the profile's clearing policy",
        ],
      ]);
      const simulated = dialog.getByRole('table', {
        name: 'What the change does to the simulated connections',
      });
      await simulated.waitFor();
      const fate = await cellsOf(page, 'What the change does to the simulated connections');
      expect(fate).toEqual([[`tcp 10.9.0.1 → ${portId}:22`, expect.stringMatching(/^cut: /)]]);
      // Both profiles clear the member's inbound entries on this change (a removed inbound allow).
      expect(fate[0]![1]).toContain("cleared by the profile's clearing policy");
      const packets = await cellsOf(page, 'Packets whose verdict the change turns');
      expect(packets).toContainEqual([
        'newly denied',
        portId,
        'ingress IPv4',
        expect.stringMatching(/^tcp ports 22 from /),
        expect.stringContaining(sshRuleId),
        expect.stringMatching(/^no rule/),
      ]);
      await checkPage(page, `rules-${profile}-delete-preview`);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await page.getByRole('dialog').count()).toBe(0);
      // By keyboard too: Escape cancels.
      await page.getByRole('button', { name: `Delete rule ${sshRuleId}` }).focus();
      await page.keyboard.press('Enter');
      await previewDialog(page);
      await page.keyboard.press('Escape');
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect((await rulesOf(webId)).some((r) => r.id === sshRuleId)).toBe(true);
      expect(await cellsOf(page, INBOUND)).toContainEqual(
        expect.arrayContaining(['10.0.0.0/8', 'ssh from the office']),
      );

      // The groups referencing this one, as links.
      const refs = page.getByRole('region', { name: 'Referenced by' });
      await refs.getByRole('link', { name: `db (${dbId})` }).click();
      await page.getByRole('heading', { name: 'db', level: 1 }).waitFor();
      await page.close();
    });
  }

  it("fits the form to an Alibaba advanced group's traits: no deny, no priority, no group remote", async () => {
    const { t } = world;
    await t.admin.post('/v1/regions', { id: 'ali-1', profile: 'alibaba' });
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'ali-1', name: 'v' });
    const make = (type: string) =>
      alice.post<any>('/v1/security-groups', {
        regionId: 'ali-1',
        vpcId: vpc.id,
        name: type,
        type,
        template: 'empty',
      });
    const basic = await make('basic');
    const advanced = await make('advanced');
    const page = await world.newPage();
    await signIn(page, t.url, key);
    const kinds = (form: ReturnType<Page['getByRole']>) =>
      form.getByLabel('Source kind').locator('option').allTextContents();
    await openGroup(page, basic.id, 'basic');
    let add = page.getByRole('form', { name: 'Add an inbound rule' });
    expect(await add.getByLabel('Action', { exact: true }).count()).toBe(1);
    expect(await add.getByLabel('Priority', { exact: true }).count()).toBe(1);
    expect(await kinds(add)).toEqual(['CIDR', 'Security group', 'Address group']);
    await openGroup(page, advanced.id, 'advanced');
    add = page.getByRole('form', { name: 'Add an inbound rule' });
    expect(await add.getByLabel('Action', { exact: true }).count()).toBe(0);
    expect(await add.getByLabel('Priority', { exact: true }).count()).toBe(0);
    expect(await kinds(add)).toEqual(['CIDR', 'Address group']);
    await checkPage(page, 'rules-alibaba-advanced');
    await page.close();
  });

  it('renders a 1,000-rule group windowed, scrolls, and edits a rule deep in it', async () => {
    const page = await world.newPage();
    await signIn(page, world.t.url, key);
    await openGroup(page, bigId, 'big');
    const table = page.getByRole('table', { name: INBOUND });
    expect(await table.getAttribute('aria-rowcount')).toBe('1001');
    // Windowed: far fewer rows than rules, with a spacer keeping the height.
    const shown = await cellsOf(page, INBOUND);
    expect(shown.length).toBeLessThan(200);
    expect(await table.locator('tr.spacer').count()).toBeGreaterThan(0);
    await checkPage(page, 'rules-big-group');

    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight * 0.85));
    const deep = await expect
      .poll(async () => (await cellsOf(page, INBOUND)).find((r) => Number(r[0]) > 700))
      .toBeDefined()
      .then(async () => (await cellsOf(page, INBOUND)).find((r) => Number(r[0]) > 700)!);
    const stored = (await rulesOf(bigId)).find((r) => r.position === Number(deep[0]))!;
    expect(deep[6]).toBe(stored.description);
    await page.getByRole('button', { name: `Edit rule ${stored.id}` }).click();
    const edit = page.getByRole('form', { name: `Edit rule ${stored.id}` });
    await edit.getByLabel('Description', { exact: true }).fill('edited deep down');
    await edit.getByRole('button', { name: 'Preview and save' }).click();
    const dialog = await previewDialog(page);
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await expect
      .poll(async () => (await alice.get<any>(`/v1/security-groups/${bigId}/rules/${stored.id}`)).description)
      .toBe('edited deep down');
    await expect
      .poll(async () => (await cellsOf(page, INBOUND)).find((r) => r[0] === deep[0])?.[6])
      .toBe('edited deep down');

    // A link to a rule (findings link so) brings its row into view, though the windowed table did
    // not hold it when the page loaded.
    const target = (await rulesOf(bigId)).find((r) => r.position === 900)!;
    await page.goto(`${world.t.url}/console/groups/${bigId}#rule-${target.id}`);
    const row = page.locator(`#rule-${target.id}`);
    await expect.poll(() => row.isVisible()).toBe(true);
    expect(
      await row.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      }),
    ).toBe(true);
    expect(world.pageErrors).toEqual([]);
    await page.close();
  });
});
