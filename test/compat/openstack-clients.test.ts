// The official OpenStack clients against Palisade: Debian's `openstack` CLI
// (python3-openstackclient) and openstacksdk, logging in through Palisade's own Keystone
// endpoint with a password or an application credential, then managing security groups,
// rules, tags and address groups through Neutron. Output is read as `-f json`.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appCredentialEnv,
  OPENSTACK_CLI,
  openstack,
  openstackJson,
  type OsProject,
  osEnv,
  osProject,
  sdk,
  SYSTEM_PYTHON,
} from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const haveClients = existsSync(OPENSTACK_CLI) && existsSync(SYSTEM_PYTHON);

// Each CLI run is a Python start-up (about two seconds): the longer journeys get minutes.
describe.runIf(haveClients)('OpenStack CLI and SDK against Palisade', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let t: TestServer;
  let acme: OsProject;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'RegionOne', profile: 'openstack' });
    await t.admin.post('/v1/regions', { id: 'RegionTwo', profile: 'openstack' });
    acme = await osProject(t, 'acme', 'RegionOne');
    env = osEnv(t, acme);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** The CLI's failure: non-zero exit and the Neutron message on stderr. */
  async function fails(args: string[], message: string | RegExp) {
    const r = await openstack(env, args);
    expect(r.code, r.stdout).not.toBe(0);
    if (typeof message === 'string') expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
    return r;
  }

  it('creates, lists, shows, sets and deletes security groups', async () => {
    const created = await openstackJson(env, [
      'security',
      'group',
      'create',
      'web',
      '--description',
      'web tier',
      '--tag',
      'red',
      '--tag',
      'blue',
    ]);
    expect(created).toMatchObject({
      name: 'web',
      description: 'web tier',
      project_id: 'acme',
      stateful: true,
    });
    expect(created.id).toMatch(/^sg-/);
    expect(created.rules).toHaveLength(2);
    expect([...created.tags].sort()).toEqual(['blue', 'red']);

    const listed = await openstackJson(env, ['security', 'group', 'list']);
    expect(listed.map((g: any) => g.Name).sort()).toEqual(['default', 'web']);
    const web = listed.find((g: any) => g.Name === 'web');
    expect(web).toMatchObject({ ID: created.id, Description: 'web tier', Project: 'acme' });
    expect([...web.Tags].sort()).toEqual(['blue', 'red']);

    // By name: the client first GETs /security-groups/web (404), then filters by name.
    const shown = await openstackJson(env, ['security', 'group', 'show', 'web']);
    expect(shown.id).toBe(created.id);
    const dflt = await openstackJson(env, ['security', 'group', 'show', 'default']);
    expect(dflt.rules).toHaveLength(4);

    const set = await openstack(env, [
      'security',
      'group',
      'set',
      'web',
      '--name',
      'web2',
      '--description',
      'renamed',
      '--stateless',
      '--tag',
      'green',
    ]);
    expect(set.code, set.stderr).toBe(0);
    const after = await openstackJson(env, ['security', 'group', 'show', created.id]);
    expect(after).toMatchObject({ name: 'web2', description: 'renamed', stateful: false });
    expect([...after.tags].sort()).toEqual(['blue', 'green', 'red']);
    expect(after.revision_number).toBeGreaterThan(created.revision_number);

    // The same group through the native API.
    const native = await acme.tenant.get<any>(`/v1/security-groups/${created.id}`);
    expect(native).toMatchObject({ name: 'web2', stateful: false, tags: { blue: '', green: '', red: '' } });

    await fails(['security', 'group', 'create', 'default'], 'Default security group already exists.');
    await fails(
      ['security', 'group', 'set', 'default', '--name', 'main'],
      'Updating default security group not allowed.',
    );
    await fails(
      ['security', 'group', 'delete', 'default'],
      'Insufficient rights for removing default security group.',
    );
    await fails(['security', 'group', 'show', 'nothing-here'], /No SecurityGroup found for nothing-here/);

    const del = await openstack(env, ['security', 'group', 'delete', 'web2']);
    expect(del.code, del.stderr).toBe(0);
    const left = await openstackJson(env, ['security', 'group', 'list']);
    expect(left.map((g: any) => g.Name)).toEqual(['default']);
  });

  it('creates, lists, shows and deletes rules with every option, and surfaces Neutron errors', async () => {
    const g = await openstackJson(env, ['security', 'group', 'create', 'app']);
    const dflt = await openstackJson(env, ['security', 'group', 'show', 'default']);
    const rule = (...args: string[]) =>
      openstackJson(env, ['security', 'group', 'rule', 'create', 'app', ...args]);

    const ssh = await rule(
      '--protocol',
      'tcp',
      '--dst-port',
      '22',
      '--remote-ip',
      '10.0.0.0/8',
      '--ingress',
      '--description',
      'ssh',
    );
    expect(ssh).toMatchObject({
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: '10.0.0.0/8',
      direction: 'ingress',
      security_group_id: g.id,
      description: 'ssh',
    });
    expect(ssh.ethertype ?? ssh.ether_type).toBe('IPv4');
    const web = await rule('--protocol', 'tcp', '--dst-port', '8000:8080');
    expect(web).toMatchObject({ port_range_min: 8000, port_range_max: 8080, remote_ip_prefix: '0.0.0.0/0' });
    const ping = await rule('--protocol', 'icmp', '--icmp-type', '8', '--icmp-code', '0');
    expect(ping).toMatchObject({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 });
    const dns6 = await rule(
      '--egress',
      '--ethertype',
      'IPv6',
      '--protocol',
      'udp',
      '--dst-port',
      '53',
      '--remote-ip',
      '2001:db8::/32',
    );
    expect(dns6).toMatchObject({ direction: 'egress', protocol: 'udp', remote_ip_prefix: '2001:db8::/32' });
    expect(dns6.ethertype ?? dns6.ether_type).toBe('IPv6');
    const icmp6 = await rule('--protocol', 'ipv6-icmp');
    expect(icmp6.ethertype ?? icmp6.ether_type).toBe('IPv6');
    expect(icmp6.protocol).toBe('ipv6-icmp');
    const peers = await rule('--remote-group', 'default', '--protocol', 'tcp', '--dst-port', '443');
    expect(peers).toMatchObject({ remote_group_id: dflt.id, remote_ip_prefix: null, port_range_min: 443 });

    const listed = await openstackJson(env, ['security', 'group', 'rule', 'list', 'app']);
    const byId = new Map(listed.map((r: any) => [r.ID, r]));
    expect(byId.size).toBe(8);
    expect(byId.get(ssh.id)).toMatchObject({
      'IP Protocol': 'tcp',
      'IP Range': '10.0.0.0/8',
      'Port Range': '22:22',
      Direction: 'ingress',
    });
    expect(byId.get(ping.id)).toMatchObject({ 'IP Protocol': 'icmp', 'Port Range': 'type=8' });
    expect(byId.get(peers.id)).toMatchObject({ 'Remote Security Group': dflt.id });
    const ingressTcp = await openstackJson(env, [
      'security',
      'group',
      'rule',
      'list',
      'app',
      '--ingress',
      '--protocol',
      'tcp',
    ]);
    expect(ingressTcp.map((r: any) => r.ID).sort()).toEqual([ssh.id, web.id, peers.id].sort());

    const shown = await openstackJson(env, ['security', 'group', 'rule', 'show', ssh.id]);
    expect(shown).toMatchObject({ id: ssh.id, port_range_min: 22, remote_ip_prefix: '10.0.0.0/8' });

    // Errors carry Neutron's message; nothing is added.
    await fails(
      [
        'security',
        'group',
        'rule',
        'create',
        'app',
        '--protocol',
        'tcp',
        '--dst-port',
        '22',
        '--remote-ip',
        '10.0.0.0/8',
      ],
      `Security group rule already exists. Rule id is ${ssh.id}.`,
    );
    await fails(
      ['security', 'group', 'rule', 'create', 'app', '--protocol', 'tcp', '--dst-port', '0:10'],
      'Invalid value for port 0',
    );
    await fails(
      ['security', 'group', 'rule', 'create', 'app', '--ethertype', 'IPv6', '--remote-ip', '10.0.0.0/8'],
      'Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8',
    );
    await fails(
      ['security', 'group', 'rule', 'create', 'app', '--protocol', 'bogus'],
      /Security group rule protocol bogus not supported/,
    );
    expect(await openstackJson(env, ['security', 'group', 'rule', 'list', 'app'])).toHaveLength(8);

    const del = await openstack(env, ['security', 'group', 'rule', 'delete', ssh.id]);
    expect(del.code, del.stderr).toBe(0);
    await fails(
      ['security', 'group', 'rule', 'show', ssh.id],
      new RegExp(`No SecurityGroupRule found for ${ssh.id}`),
    );
    expect(await openstackJson(env, ['security', 'group', 'rule', 'list', 'app'])).toHaveLength(7);
  });

  it('manages address groups and rules naming them', async () => {
    const ag = await openstackJson(env, [
      'address',
      'group',
      'create',
      'office',
      '--address',
      '10.0.0.1/24',
      '--address',
      '192.0.2.7',
    ]);
    expect(ag).toMatchObject({ name: 'office', project_id: 'acme' });
    expect([...ag.addresses].sort()).toEqual(['10.0.0.0/24', '192.0.2.7/32']);
    const set = await openstack(env, [
      'address',
      'group',
      'set',
      'office',
      '--description',
      'hq',
      '--address',
      '198.51.100.0/24',
    ]);
    expect(set.code, set.stderr).toBe(0);
    const unset = await openstack(env, ['address', 'group', 'unset', 'office', '--address', '192.0.2.7']);
    expect(unset.code, unset.stderr).toBe(0);
    const shown = await openstackJson(env, ['address', 'group', 'show', 'office']);
    expect(shown).toMatchObject({ id: ag.id, description: 'hq' });
    expect([...shown.addresses].sort()).toEqual(['10.0.0.0/24', '198.51.100.0/24']);

    await openstackJson(env, ['security', 'group', 'create', 'from-office']);
    const rule = await openstackJson(env, [
      'security',
      'group',
      'rule',
      'create',
      'from-office',
      '--protocol',
      'tcp',
      '--dst-port',
      '443',
      '--remote-address-group',
      'office',
    ]);
    expect(rule).toMatchObject({
      remote_address_group_id: ag.id,
      remote_ip_prefix: null,
      port_range_min: 443,
    });
    await fails(
      ['address', 'group', 'delete', 'office'],
      `Address group ${ag.id} is in use on one or more security group rules.`,
    );
    expect((await openstack(env, ['security', 'group', 'rule', 'delete', rule.id])).code).toBe(0);
    const del = await openstack(env, ['address', 'group', 'delete', 'office']);
    expect(del.code, del.stderr).toBe(0);
    expect(await openstackJson(env, ['address', 'group', 'list'])).toEqual([]);
  });

  it('issues a token and shows the catalog through the CLI', async () => {
    const token = await openstackJson(env, ['token', 'issue']);
    expect(token).toMatchObject({ project_id: 'acme', user_id: acme.userId });
    expect(token.id).toMatch(/^gAAAA/);
    const catalog = await openstackJson(env, ['catalog', 'list']);
    const network = catalog.find((s: any) => s.Type === 'network');
    expect(network.Name).toBe('neutron');
    const urls = network.Endpoints.map((e: any) => e.url);
    expect(urls).toContain(`${t.url}/networking/RegionOne`);
    expect(urls).toContain(`${t.url}/networking/RegionTwo`);
  });

  it("takes --project for the caller's own project and refuses another", async () => {
    const made = await openstackJson(env, ['security', 'group', 'create', '--project', 'acme', 'owned']);
    expect(made.project_id).toBe('acme');
    const listed = await openstackJson(env, ['security', 'group', 'list', '--project', 'acme']);
    expect(listed.map((g: any) => g.ID)).toContain(made.id);
    await fails(
      ['security', 'group', 'create', '--project', 'someone-else', 'stolen'],
      "Specifying 'project_id' other than the authenticated project in request is not allowed for the current user.",
    );
  });

  it('logs in with an application credential and sees the same project', async () => {
    const cred = await t.admin.post<any>(`/v1/openstack/users/${acme.userId}/application-credentials`, {
      name: 'cli',
    });
    const appEnv = appCredentialEnv(t, acme, cred.id, cred.secret);
    const viaCred = await openstackJson(appEnv, ['security', 'group', 'list']);
    const viaPassword = await openstackJson(env, ['security', 'group', 'list']);
    expect(viaCred.map((g: any) => g.ID).sort()).toEqual(viaPassword.map((g: any) => g.ID).sort());
    const made = await openstackJson(appEnv, ['security', 'group', 'create', 'from-cred']);
    expect(made.project_id).toBe('acme');
    const wrong = await openstack(appCredentialEnv(t, acme, cred.id, 'not-the-secret'), [
      'security',
      'group',
      'list',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/requires authentication|401/);
  });

  it('keeps regions apart: another region of the catalog has its own groups', async () => {
    // The unversioned auth URL works too (the client discovers v3 at /identity).
    const two = { ...env, OS_REGION_NAME: 'RegionTwo', OS_AUTH_URL: `${t.url}/identity` };
    const made = await openstackJson(two, ['security', 'group', 'create', 'east-only']);
    const inTwo = await openstackJson(two, ['security', 'group', 'list']);
    expect(inTwo.map((g: any) => g.Name).sort()).toEqual(['default', 'east-only']);
    const inOne = await openstackJson(env, ['security', 'group', 'list']);
    expect(inOne.map((g: any) => g.ID)).not.toContain(made.id);
  });

  it('drives groups, paging, tags, rules, If-Match and address groups through openstacksdk', async () => {
    const sdkco = await osProject(t, 'sdkco', 'RegionOne');
    const out = await sdk(osEnv(t, sdkco), 'journey', 'sdk');
    expect(out.created).toHaveLength(5);
    // Pages of two, followed through security_groups_links: the default group and the five.
    expect(out.paged).toHaveLength(6);
    expect(new Set(out.paged).size).toBe(6);
    for (const id of out.created) expect(out.paged).toContain(id);
    expect(out.found).toBe(out.created[3]);
    expect(out.tags).toEqual(['blue', 'green']);
    expect(out.tagged).toEqual([out.created[0]]);
    expect(out.not_tagged).toBe(5);
    expect(out.rule).toMatchObject({
      protocol: 'tcp',
      port_range_min: 443,
      port_range_max: 443,
      remote_ip_prefix: '10.1.0.0/16',
      ether_type: 'IPv4',
      direction: 'ingress',
      security_group_id: out.created[0],
      description: 'https',
    });
    expect(out.duplicate).toEqual({
      status: 409,
      message: `Security group rule already exists. Rule id is ${out.rule.id}.`,
    });
    expect(out.ingress_rules).toEqual([out.rule.id]);
    expect(out.stale).toEqual({
      status: 412,
      message: `Constrained to ${out.revision + 7}, but current revision is ${out.revision}`,
    });
    expect(out.renamed.name).toBe('sdk-renamed');
    expect(out.renamed.revision).toBeGreaterThan(out.revision);
    expect(out.address_group).toEqual(['192.0.2.0/24']);
    expect(out.address_group_added).toEqual(['192.0.2.0/24', '198.51.100.0/24']);
    expect(out.gone).toEqual({ status: 404, message: `Security group ${out.created[0]} does not exist` });
  });

  it('shows protocol names as sent and revision numbers through the CLI', async () => {
    const g = await openstackJson(env, ['security', 'group', 'create', 'cli-details']);
    expect(g.revision_number).toBe(1);
    const egress = await openstackJson(env, ['security', 'group', 'rule', 'show', g.rules[0].id]);
    // The CLI prints a null remote_ip_prefix as 0.0.0.0/0 itself (_format_remote_ip_prefix): the
    // SDK journey below sees the null.
    expect(egress).toMatchObject({ direction: 'egress', revision_number: 0 });
    const vrrp = await openstackJson(env, [
      'security',
      'group',
      'rule',
      'create',
      'cli-details',
      '--protocol',
      'vrrp',
    ]);
    // The CLI sends 0.0.0.0/0 when no remote is given, and sees it back.
    expect(vrrp).toMatchObject({ protocol: 'vrrp', remote_ip_prefix: '0.0.0.0/0', revision_number: 0 });
    expect((await openstackJson(env, ['security', 'group', 'show', g.id])).revision_number).toBe(2);
  });

  it('bulk-creates groups and follows revision numbers and If-Match through openstacksdk', async () => {
    const detco = await osProject(t, 'detco', 'RegionOne');
    const out = await sdk(osEnv(t, detco), 'details', 'det');
    expect(out.bulk).toEqual([
      { name: 'det-a', revision: 1, prefixes: [null, null] },
      { name: 'det-b', revision: 1, prefixes: [null, null] },
    ]);
    expect(out.bulk_refused).toEqual({ status: 400, message: "Unrecognized attribute(s) 'colour'" });
    expect(out.names).toEqual(['det-a', 'det-b']);
    expect(out.rule).toEqual({ protocol: 'esp', revision: 0 });
    expect(out.revisions).toEqual([1, 2, 3]);
    expect(out.stale).toEqual({ status: 412, message: 'Constrained to 2, but current revision is 3' });
  });
});
