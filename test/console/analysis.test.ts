// The console's analysis pages in a real browser (Debian's chromium, playwright-core) against a
// real server on SQLite, on a huawei region (priorities, deny rules) and an openstack one
// (allow only, creation order): check traffic allowed and denied with the deciding rule
// highlighted in both sides' rule tables and the other matches marked; findings with their
// one-click fixes (a shadowed rule deleted, SSH open to everyone narrowed), checked through the
// API, from the findings page and the group page; the reachability picture (the SVG's edges and
// the table of the same edges), an edge's allowing rules, a blocked pair's why-not and its
// suggested rule added; pages following changes made elsewhere. axe-core on every page.
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

describe('console analysis pages', () => {
  let world: ConsoleWorld;
  let key: Key;
  let alice: PalisadeClient;
  // huawei: web (SSH and HTTP from everyone, a shadowed HTTP rule, a deny of RDP) and db.
  const hw: Record<string, any> = {};
  // openstack: app (a wide rule and a narrower one after it, shadowed) and client.
  const os: Record<string, any> = {};

  beforeAll(async () => {
    world = await startConsoleWorld();
    const t = world.t;
    await t.admin.post('/v1/regions', { id: 'hw-1', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'os-1', profile: 'openstack' });
    ({ key, api: alice } = await tenantWithKey(t, 'alice'));

    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-1', name: 'v' });
    hw.web = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'web',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '0.0.0.0/0', priority: 1 },
        { direction: 'ingress', protocol: 'tcp', ports: '80', remoteIpPrefix: '0.0.0.0/0', priority: 1 },
        { direction: 'ingress', protocol: 'tcp', ports: '80', remoteIpPrefix: '10.0.0.0/8', priority: 2 },
        { direction: 'ingress', protocol: 'tcp', ports: '3389', action: 'deny', priority: 1 },
        {
          direction: 'ingress',
          protocol: 'tcp',
          ports: '3000-4000',
          remoteIpPrefix: '10.0.0.0/8',
          priority: 5,
        },
        { direction: 'egress', protocol: 'all', priority: 1 },
      ],
    });
    const rule = (g: any, pred: (r: any) => boolean) => g.rules.find(pred).id as string;
    hw.ssh = rule(hw.web, (r) => r.ports?.[0]?.from === 22);
    hw.http = rule(hw.web, (r) => r.ports?.[0]?.from === 80 && r.priority === 1);
    hw.shadowed = rule(hw.web, (r) => r.ports?.[0]?.from === 80 && r.priority === 2);
    hw.rdpDeny = rule(hw.web, (r) => r.action === 'deny');
    hw.range = rule(hw.web, (r) => r.ports?.[0]?.from === 3000);
    hw.webEgress = rule(hw.web, (r) => r.direction === 'egress');
    hw.db = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-1',
      vpcId: vpc.id,
      name: 'db',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '5432', remoteGroup: hw.web.id, priority: 1 },
        { direction: 'egress', protocol: 'all', priority: 1 },
      ],
    });
    hw.dbEgress = rule(hw.db, (r) => r.direction === 'egress');
    hw.pg = rule(hw.db, (r) => r.direction === 'ingress');
    for (const [name, ip, group] of [
      ['web1', '10.0.0.5', hw.web.id],
      ['db1', '10.0.1.7', hw.db.id],
    ]) {
      const inst = await alice.post<any>('/v1/instances', {
        regionId: 'hw-1',
        vpcId: vpc.id,
        name,
        ports: [{ ipv4: [ip], groupIds: [group] }],
      });
      hw[name] = inst.ports[0].id;
    }

    const osVpc = await alice.post<any>('/v1/vpcs', { regionId: 'os-1', name: 'o' });
    os.app = await alice.post<any>('/v1/security-groups', {
      regionId: 'os-1',
      vpcId: osVpc.id,
      name: 'app',
      template: 'empty',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '1-65535', remoteIpPrefix: '10.1.0.0/16' },
        { direction: 'ingress', protocol: 'tcp', ports: '8080', remoteIpPrefix: '10.1.0.0/24' },
        { direction: 'ingress', protocol: 'udp', ports: '161', remoteIpPrefix: '10.1.0.0/16' },
        { direction: 'egress', protocol: 'all' },
      ],
    });
    os.wide = rule(os.app, (r) => r.ports?.[0]?.to === 65535);
    os.shadowed = rule(os.app, (r) => r.ports?.[0]?.from === 8080);
    os.snmp = rule(os.app, (r) => r.protocol === 'udp');
    os.client = await alice.post<any>('/v1/security-groups', {
      regionId: 'os-1',
      vpcId: osVpc.id,
      name: 'client',
      template: 'empty',
      rules: [{ direction: 'egress', protocol: 'all' }],
    });
    os.clientEgress = os.client.rules[0].id;
    for (const [name, ip, group] of [
      ['app1', '10.1.0.5', os.app.id],
      ['client1', '10.1.0.6', os.client.id],
    ]) {
      const inst = await alice.post<any>('/v1/instances', {
        regionId: 'os-1',
        vpcId: osVpc.id,
        name,
        ports: [{ ipv4: [ip], groupIds: [group], host: 'h1' }],
      });
      os[name] = inst.ports[0].id;
    }
    // No port is in it and no rule names it: the exposure lint's unusedGroup.
    os.spare = await alice.post<any>('/v1/security-groups', {
      regionId: 'os-1',
      vpcId: osVpc.id,
      name: 'spare',
      template: 'empty',
    });
    // h1's agent counts app's rules: the wide rule is hit, the SNMP rule never.
    await t.admin.post('/v1/hosts/h1/status', {
      revision: 1,
      closed: [],
      ruleHits: { [os.wide]: 3, [os.snmp]: 0 },
    });
  }, 180_000);

  afterAll(async () => {
    expect(world?.pageErrors ?? []).toEqual([]);
    await world?.close();
  });

  const open = async (path: string): Promise<Page> => {
    const page = await world.newPage();
    await signIn(page, world.t.url, key);
    await page.goto(`${world.t.url}/console/${path}`);
    return page;
  };
  /** The rows of a table marked `mark` (deciding, matched), by their key (the rule id). */
  const marked = (page: Page, caption: RegExp, mark: string) =>
    page
      .getByRole('table', { name: caption })
      .locator(`tbody tr.mark-${mark}`)
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));
  const queryOf = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

  it('checks traffic on huawei: allowed and denied, the deciding rule highlighted on both sides', async () => {
    const page = await open('check');
    await page.getByRole('heading', { name: 'Check traffic', level: 1 }).waitFor();
    await page.getByLabel('Region').selectOption('hw-1');
    await page.getByLabel('From', { exact: true }).fill(hw.db1);
    await page.getByLabel('To', { exact: true }).fill(hw.web1);
    await page.getByLabel('Destination port').fill('80');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Verdict' }).textContent())
      .toContain('allow');
    // The check is a link: its packet is in the query string.
    expect(queryOf(page)).toMatchObject({
      region: 'hw-1',
      from: hw.db1,
      to: hw.web1,
      protocol: 'tcp',
      port: '80',
    });

    // Egress of db1: db's allow-all decides. Ingress of web1: the HTTP rule at priority 1, the
    // shadowed one at priority 2 matched too.
    await expect.poll(() => marked(page, /^Outbound rules of db/, 'deciding')).toEqual([hw.dbEgress]);
    await expect.poll(() => marked(page, /^Inbound rules of web/, 'deciding')).toEqual([hw.http]);
    expect(await marked(page, /^Inbound rules of web/, 'matched')).toEqual([hw.shadowed]);
    const webRows = await cellsOf(page, /^Inbound rules of web/);
    expect(webRows.find((r) => r[0].includes('deciding rule'))).toEqual(
      expect.arrayContaining(['allow', 'tcp IPv4', '80', '0.0.0.0/0']),
    );
    expect(webRows.filter((r) => r[0].includes('also matched'))).toHaveLength(1);
    await expect
      .poll(() => page.getByTestId('ingress-summary').textContent())
      .toMatch(new RegExp(`decided by rule ${hw.http} of group web at position \\d+`));
    await checkPage(page, 'check-allowed');

    // Denied: the deny of RDP decides at priority 1; the range rule at priority 5 matched too.
    await page.getByLabel('Destination port').fill('3389');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Verdict' }).textContent())
      .toContain('deny');
    await expect.poll(() => marked(page, /^Inbound rules of web/, 'deciding')).toEqual([hw.rdpDeny]);
    expect(await marked(page, /^Inbound rules of web/, 'matched')).toEqual([hw.range]);
    expect(await marked(page, /^Outbound rules of db/, 'deciding')).toEqual([hw.dbEgress]);
    expect(await page.getByTestId('ingress-summary').textContent()).toContain(
      `rule ${hw.rdpDeny} of group web`,
    );
    await checkPage(page, 'check-denied');

    // The link alone (a reload, a shared address) asks the same.
    await page.reload();
    await expect.poll(() => marked(page, /^Inbound rules of web/, 'deciding')).toEqual([hw.rdpDeny]);

    // A bad endpoint: the API's message at the field.
    await page.getByLabel('From', { exact: true }).fill('not an address');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('400');
    await page.context().close();
  });

  it('checks traffic on openstack: the first matching allow decides, no match is the default deny', async () => {
    const search = new URLSearchParams({
      region: 'os-1',
      from: os.client1,
      to: os.app1,
      protocol: 'tcp',
      port: '8080',
    });
    const page = await open(`check?${search}`);
    await expect.poll(() => marked(page, /^Inbound rules of app/, 'deciding')).toEqual([os.wide]);
    expect(await marked(page, /^Inbound rules of app/, 'matched')).toEqual([os.shadowed]);
    expect(await marked(page, /^Outbound rules of client/, 'deciding')).toEqual([os.clientEgress]);
    expect(await page.getByRole('status').filter({ hasText: 'Verdict' }).textContent()).toContain('allow');

    await page.getByLabel('Protocol', { exact: true }).selectOption('udp');
    await page.getByLabel('Destination port').fill('53');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Verdict' }).textContent())
      .toContain('deny');
    await expect
      .poll(() => page.getByTestId('ingress-summary').textContent())
      .toContain('no rule decided: the default');
    expect(await marked(page, /^Inbound rules of app/, 'deciding')).toEqual([]);
    await checkPage(page, 'check-openstack-denied');
    await page.context().close();
  });

  it('lists findings with their fixes: the shadowed rule deleted, SSH narrowed, a new finding live', async () => {
    const page = await open('findings?region=hw-1');
    const exposure = () => cellsOf(page, 'Exposure findings, the most severe first');
    const ruleFindings = () => cellsOf(page, 'Rule findings on the ports holding each group');
    await expect
      .poll(() => exposure().then((rows) => rows.map((r) => [r[0], r[1], r[2]])))
      .toContainEqual(['high', 'Administrative or database port open to every address', 'web']);
    const sshRow = (await exposure()).find((r) => r[1].startsWith('Administrative'))!;
    expect(sshRow[3]).toContain('allow tcp 22 from 0.0.0.0/0');
    expect(sshRow[4]).toContain('ports 22');
    await expect
      .poll(() => ruleFindings().then((rows) => rows.map((r) => [r[1], r[2], r[3]])))
      .toContainEqual(['Shadowed rule', 'web', expect.stringContaining('allow tcp 80 from 10.0.0.0/8')]);
    // The finding's rule links to its row on the group page; the rule that shadows it is named.
    const shadowedLink = page.getByRole('link', { name: 'allow tcp 80 from 10.0.0.0/8' });
    expect(await shadowedLink.getAttribute('href')).toBe(`/console/groups/${hw.web.id}#rule-${hw.shadowed}`);
    expect(await page.getByRole('link', { name: `rule ${hw.http}` }).count()).toBeGreaterThan(0);
    await checkPage(page, 'findings');

    // The shadowed rule's fix: delete it, confirmed first. The rule is gone, and so is the finding.
    await page.getByRole('button', { name: `Delete rule: rule ${hw.shadowed}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the rule?' });
    await dialog.waitFor();
    await checkPage(page, 'findings-confirm');
    await dialog.getByRole('button', { name: 'Delete the rule' }).click();
    await expect
      .poll(() =>
        alice.get<any>(`/v1/security-groups/${hw.web.id}`).then((g) => g.rules.map((r: any) => r.id)),
      )
      .not.toContain(hw.shadowed);
    await expect
      .poll(() =>
        ruleFindings().then((rows) => rows.some((r) => r[3].includes('allow tcp 80 from 10.0.0.0/8'))),
      )
      .toBe(false);

    // SSH open to everyone: narrowed to the range given in the confirmation.
    await page.getByRole('button', { name: `Narrow source: rule ${hw.ssh}` }).click();
    const narrow = page.getByRole('dialog', { name: "Narrow the rule's source?" });
    await narrow.getByLabel('Allow only from (CIDR)').fill('192.0.2.0/24');
    await narrow.getByRole('button', { name: 'Narrow the rule' }).click();
    await expect
      .poll(() =>
        alice.get<any>(`/v1/security-groups/${hw.web.id}/rules/${hw.ssh}`).then((r) => r.remoteIpPrefix),
      )
      .toBe('192.0.2.0/24');
    // It was the region's only exposure finding.
    await page.getByText('No exposure finding.').waitFor();

    // Live: a shadowed rule added elsewhere (the API) shows up without a reload.
    const added = await alice.post<any>(`/v1/security-groups/${hw.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '80',
      remoteIpPrefix: '10.9.0.0/16',
      priority: 3,
    });
    await expect
      .poll(() => ruleFindings().then((rows) => rows.map((r) => r[3])), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining('allow tcp 80 from 10.9.0.0/16'));
    await alice.delete(`/v1/security-groups/${hw.web.id}/rules/${added.id}`);
    await page.context().close();
  });

  it("shows a group's findings on its page, with the same fixes: a shadowed rule, an unused one", async () => {
    const page = await open(`groups/${os.app.id}`);
    await page.getByRole('heading', { name: 'app', level: 1 }).waitFor();
    const rows = () => cellsOf(page, 'Rule findings on the ports holding each group');
    await expect
      .poll(() => rows().then((r) => r.map((c) => [c[1], c[3]])))
      .toContainEqual(['Shadowed rule', expect.stringContaining('allow tcp 8080 from 10.1.0.0/24')]);
    await checkPage(page, 'group-findings');
    await page.getByRole('button', { name: `Delete rule: rule ${os.shadowed}` }).click();
    await page
      .getByRole('dialog', { name: 'Delete the rule?' })
      .getByRole('button', { name: 'Delete the rule' })
      .click();
    await expect
      .poll(() =>
        alice.get<any>(`/v1/security-groups/${os.app.id}`).then((g) => g.rules.map((r: any) => r.id)),
      )
      .not.toContain(os.shadowed);
    await page.getByText('No rule is shadowed, redundant, conflicting or empty.').waitFor();

    // The SNMP rule no packet hit (h1's agent counts it): deleted from its row of unused rules.
    const unused = await cellsOf(page, 'Rules no packet hit in the last 30 days');
    expect(unused.map((r) => [r[1], r[3], r[4]])).toEqual([
      [
        'Unused rule',
        'allow udp 161 from 10.1.0.0/16',
        expect.stringContaining('no packet in 30 days (measured for 0 days only)'),
      ],
    ]);
    await page.getByRole('button', { name: `Delete rule: rule ${os.snmp}` }).click();
    await page
      .getByRole('dialog', { name: 'Delete the rule?' })
      .getByRole('button', { name: 'Delete the rule' })
      .click();
    await page.getByText('No measured rule went unused for 30 days.').waitFor();
    expect(
      (await alice.get<any>(`/v1/security-groups/${os.app.id}`)).rules.map((r: any) => r.id),
    ).not.toContain(os.snmp);
    // The group's own rule table follows (the rules helper's table, read again).
    await expect
      .poll(() => cellsOf(page, /^Inbound rules in the evaluation order/).then((r) => r.length))
      .toBe(1);
    await page.context().close();
  });

  it('deletes an unused group from the findings, confirmed first', async () => {
    const page = await open('findings?region=os-1');
    await expect
      .poll(() =>
        cellsOf(page, 'Exposure findings, the most severe first').then((r) => r.map((c) => [c[1], c[2]])),
      )
      .toContainEqual(['Unused group', 'spare']);
    await page.getByRole('button', { name: 'Delete group: group spare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the group?' });
    // Cancel writes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await alice.get<any>(`/v1/security-groups/${os.spare.id}`)).name).toBe('spare');
    await page.getByRole('button', { name: 'Delete group: group spare' }).click();
    await dialog.getByRole('button', { name: 'Delete the group' }).click();
    await expect
      .poll(() =>
        alice.get<any>(`/v1/security-groups/${os.spare.id}`).then(
          () => 200,
          (e) => e.status,
        ),
      )
      .toBe(404);
    await page.getByText('No exposure finding.').waitFor();
    await page.context().close();
  });

  it('compacts a group near its rules quota, by the proven proposal', async () => {
    await world.t.admin.post('/v1/regions', { id: 'hw-2', profile: 'huawei', quotas: { rulesPerGroup: 10 } });
    const vpc = await alice.post<any>('/v1/vpcs', { regionId: 'hw-2', name: 'q' });
    const ports = ['80', '81', '82', '83', '84', '85', '86', '87', '88'];
    const full = await alice.post<any>('/v1/security-groups', {
      regionId: 'hw-2',
      vpcId: vpc.id,
      name: 'full',
      template: 'empty',
      rules: ports.map((port) => ({
        direction: 'ingress',
        protocol: 'tcp',
        ports: port,
        remoteIpPrefix: '10.0.0.0/8',
      })),
    });
    await alice.post('/v1/instances', {
      regionId: 'hw-2',
      vpcId: vpc.id,
      name: 'vm',
      ports: [{ ipv4: ['10.2.0.5'], groupIds: [full.id] }],
    });
    const page = await open('findings?region=hw-2');
    await expect
      .poll(() =>
        cellsOf(page, 'Exposure findings, the most severe first').then((r) => r.map((c) => [c[1], c[2]])),
      )
      .toContainEqual(['Near the rules quota', 'full']);
    await page.getByRole('button', { name: 'Compact group: group full' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compact the group?' });
    await expect.poll(() => dialog.textContent()).toContain('From 9 rules to 1');
    await dialog.getByRole('button', { name: 'Write the smaller rule set' }).click();
    await expect
      .poll(() =>
        alice.get<any>(`/v1/security-groups/${full.id}`).then((g) => g.rules.map((r: any) => r.ports)),
      )
      .toEqual([[{ from: 80, to: 88 }]]);
    await page.getByText('No exposure finding.').waitFor();
    await page.context().close();
  });

  it('draws the reachability picture: edges, the rules allowing one, filters', async () => {
    const page = await open('reachability?region=hw-1&by=group');
    const edges = () => cellsOf(page, "Allowed paths (the picture's edges)");
    // web reaches db on 5432 (db's rule naming web); db reaches web on what web opens.
    await expect
      .poll(() => edges().then((rows) => rows.map((r) => [r[0], r[1]]).sort()))
      .toEqual([
        ['db', 'web'],
        ['web', 'db'],
      ]);
    expect((await edges()).find((r) => r[0] === 'web')![2]).toContain('tcp 5432');
    // The SVG has the same edges, each a focusable button named for its path.
    const svg = page.getByTestId('reachability-graph');
    expect(
      await svg
        .locator('[data-edge]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-edge')).sort()),
    ).toEqual([`${hw.db.id}>${hw.web.id}`, `${hw.web.id}>${hw.db.id}`].sort());
    expect(await svg.getByRole('button', { name: /^Path web to db: tcp 5432/ }).count()).toBe(1);
    await checkPage(page, 'reachability');

    // Keyboard: focus the edge on the picture, Enter shows the rules of both sides.
    await svg.getByRole('button', { name: /^Path web to db/ }).focus();
    await page.keyboard.press('Enter');
    const rules = await cellsOf(page, /^Rules allowing web to db/);
    expect(rules).toEqual([
      [
        expect.stringContaining('web1'),
        expect.stringContaining('db1'),
        expect.stringContaining(`allow all protocols to any (0.0.0.0/0) of group web (${hw.webEgress})`),
        expect.stringContaining(`allow tcp 5432 from group ${hw.web.id} of group db (${hw.pg})`),
        'tcp 5432',
      ],
    ]);
    await checkPage(page, 'reachability-edge');

    // Filters: port 5432 keeps web → db only; a name keeps the edges touching a node so named.
    await page.getByLabel('Allows port').fill('5432');
    await page.getByRole('button', { name: 'Draw' }).click();
    await expect.poll(() => edges().then((rows) => rows.map((r) => [r[0], r[1]]))).toEqual([['web', 'db']]);
    expect(queryOf(page)).toMatchObject({ region: 'hw-1', by: 'group', port: '5432' });
    expect(await svg.locator('[data-edge]').count()).toBe(1);
    await page.getByLabel('Allows port').fill('');
    await page.getByLabel('Name contains').fill('nothing-so-named');
    await page.getByRole('button', { name: 'Draw' }).click();
    await page.getByText('No allowed path matches.').waitFor();
    expect(await svg.locator('[data-edge]').count()).toBe(0);
    await page.getByLabel('Name contains').fill('');

    // By port: the nodes are the ports, named by instance and address.
    await page.getByLabel('Nodes').selectOption('port');
    await page.getByRole('button', { name: 'Draw' }).click();
    await expect
      .poll(() => edges().then((rows) => rows.map((r) => [r[0], r[1]]).sort()))
      .toEqual([
        ['db1 (10.0.1.7)', 'web1 (10.0.0.5)'],
        ['web1 (10.0.0.5)', 'db1 (10.0.1.7)'],
      ]);
    await page.getByRole('button', { name: 'Show rules: web1 (10.0.0.5) to db1 (10.0.1.7)' }).click();
    await expect
      .poll(() => cellsOf(page, /^Rules allowing web1 \(10.0.0.5\) to db1/).then((r) => r[0]?.[3]))
      .toContain(`(${hw.pg})`);
    await checkPage(page, 'reachability-ports');
    await page.context().close();
  });

  it('shows why a blocked pair is blocked, and its suggested rule makes the edge appear', async () => {
    const page = await open('reachability?region=os-1&by=group');
    const edges = () => cellsOf(page, "Allowed paths (the picture's edges)");
    await expect
      .poll(() => edges().then((rows) => rows.map((r) => [r[0], r[1]])))
      .toEqual([['client', 'app']]);
    // app → client has no edge: choose both nodes on the picture.
    const svg = page.getByTestId('reachability-graph');
    await svg.getByRole('button', { name: 'Node app' }).click();
    await svg.getByRole('button', { name: 'Node client' }).click();
    await expect.poll(() => page.getByLabel('From port').inputValue()).toBe(os.app1);
    expect(await page.getByLabel('To port').inputValue()).toBe(os.client1);
    await page.getByLabel('Destination port').fill('443');
    await page.getByRole('button', { name: 'Why not?' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'blocked' }).textContent())
      .toContain('tcp 443');
    expect(await page.getByTestId('why-egress').textContent()).toContain('allowed by a rule');
    expect(await page.getByTestId('why-ingress').textContent()).toContain('no allow rule matched');
    await checkPage(page, 'why-not');

    // The first suggestion of the ingress side, added: the pair now reaches (the picture follows).
    const suggestions = page.getByRole('list', { name: /Changes that would let it through, reaching/ });
    await suggestions.getByRole('button', { name: 'Add this rule' }).first().click();
    await page
      .getByRole('dialog', { name: 'Add the rule?' })
      .getByRole('button', { name: 'Add the rule' })
      .click();
    await expect
      .poll(() => alice.get<any>(`/v1/security-groups/${os.client.id}`).then((g) => g.rules.length))
      .toBe(2);
    await expect
      .poll(() => edges().then((rows) => rows.map((r) => [r[0], r[1]]).sort()))
      .toEqual([
        ['app', 'client'],
        ['client', 'app'],
      ]);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'delivered' }).count()).toBe(1);
    await page.context().close();
  });
});
