// Networks, subnets and ports through Neutron, the OpenStack way of attaching security groups:
// Debian's `openstack` CLI makes them; the same ports show through the native API with their
// groups; refusals come in Neutron's envelope; and the flow checker answers for a port with
// port security off (everything passes) and for a virtual IP (an allowed address pair) that a
// remote-group rule does not match.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  login,
  OPENSTACK_CLI,
  openstack,
  openstackJson,
  type OsProject,
  osEnv,
  osProject,
} from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

const haveCli = existsSync(OPENSTACK_CLI);

interface Res {
  status: number;
  body: any;
}

describe.runIf(haveCli)('Neutron networks, subnets and ports', { timeout: 240_000 }, () => {
  let db: TestDatabase;
  let t: TestServer;
  let acme: OsProject;
  let env: NodeJS.ProcessEnv;
  let token: string;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'RegionOne', profile: 'openstack' });
    acme = await osProject(t, 'acme', 'RegionOne');
    env = osEnv(t, acme);
    token = (await login(t, acme)).token;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function n(method: string, path: string, body?: unknown): Promise<Res> {
    const res = await fetch(`${t.url}/networking/RegionOne/v2.0${path}`, {
      method,
      headers: {
        'x-auth-token': token,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  const made = async (path: string, resource: string, body: object) => {
    const r = await n('POST', path, { [resource]: body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body[resource];
  };
  async function refused(res: Promise<Res>, status: number, type: string, message?: string) {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(Object.keys(r.body)).toEqual(['NeutronError']);
    expect(r.body.NeutronError.type).toBe(type);
    if (message !== undefined) expect(r.body.NeutronError.message).toBe(message);
  }
  async function cli(args: string[]) {
    const r = await openstack(env, args);
    expect(r.code, r.stderr).toBe(0);
    return r;
  }

  it('makes networks, subnets and ports with the openstack CLI and attaches groups to them', async () => {
    const net = await openstackJson(env, ['network', 'create', 'net1']);
    expect(net).toMatchObject({ name: 'net1', project_id: 'acme', status: 'ACTIVE' });
    const sub = await openstackJson(env, [
      'subnet',
      'create',
      '--network',
      'net1',
      '--subnet-range',
      '10.20.0.0/24',
      'sub1',
    ]);
    expect(sub).toMatchObject({
      name: 'sub1',
      network_id: net.id,
      cidr: '10.20.0.0/24',
      gateway_ip: '10.20.0.1',
    });
    const web = await openstackJson(env, ['security', 'group', 'create', 'web']);

    const p1 = await openstackJson(env, [
      'port',
      'create',
      '--network',
      'net1',
      '--fixed-ip',
      'subnet=sub1,ip-address=10.20.0.10',
      '--security-group',
      'web',
      '--host',
      'hv1',
      'p1',
    ]);
    expect(p1).toMatchObject({
      name: 'p1',
      network_id: net.id,
      port_security_enabled: true,
      security_group_ids: [web.id],
      binding_host_id: 'hv1',
    });
    expect(p1.fixed_ips).toEqual([{ subnet_id: sub.id, ip_address: '10.20.0.10' }]);
    expect(p1.mac_address).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);

    // No address and no group asked for: the subnet's first free address, the project's default group.
    const p2 = await openstackJson(env, ['port', 'create', '--network', net.id, 'p2']);
    const dflt = await openstackJson(env, ['security', 'group', 'show', 'default']);
    expect(p2.fixed_ips).toEqual([{ subnet_id: sub.id, ip_address: '10.20.0.2' }]);
    expect(p2.security_group_ids).toEqual([dflt.id]);

    // The same port through the native API: a Palisade port the agent of hv1 enforces.
    const native = await acme.tenant.get<any>(`/v1/ports/${p1.id}`);
    expect(native).toMatchObject({
      id: p1.id,
      groupIds: [web.id],
      ipv4: ['10.20.0.10'],
      host: 'hv1',
      interface: `tap${p1.id.slice(0, 11)}`,
    });

    await cli(['port', 'set', '--security-group', 'default', 'p1']);
    let shown = await openstackJson(env, ['port', 'show', 'p1']);
    expect(shown.security_group_ids).toEqual([web.id, dflt.id]);
    expect((await acme.tenant.get<any>(`/v1/ports/${p1.id}`)).groupIds).toEqual([web.id, dflt.id]);

    await cli(['port', 'unset', '--security-group', 'web', 'p1']);
    shown = await openstackJson(env, ['port', 'show', p1.id]);
    expect(shown.security_group_ids).toEqual([dflt.id]);
    expect(shown.revision_number).toBeGreaterThan(p1.revision_number);

    await cli(['port', 'set', '--no-security-group', 'p1']);
    shown = await openstackJson(env, ['port', 'show', 'p1']);
    expect(shown.security_group_ids).toEqual([]);
    expect((await acme.tenant.get<any>(`/v1/ports/${p1.id}`)).groupIds).toEqual([]);

    // With no group left, port security can go; then groups cannot come back without it.
    await cli(['port', 'set', '--disable-port-security', 'p1']);
    shown = await openstackJson(env, ['port', 'show', 'p1']);
    expect(shown.port_security_enabled).toBe(false);
    expect((await acme.tenant.get<any>(`/v1/ports/${p1.id}`)).securityEnabled).toBe(false);
    const refusedSet = await openstack(env, ['port', 'set', '--security-group', 'web', 'p1']);
    expect(refusedSet.code).not.toBe(0);
    expect(refusedSet.stderr).toContain('Port security must be enabled');

    const p3 = await openstackJson(env, [
      'port',
      'create',
      '--network',
      'net1',
      '--disable-port-security',
      'open',
    ]);
    expect(p3).toMatchObject({ port_security_enabled: false, security_group_ids: [] });

    const vip = await openstackJson(env, [
      'port',
      'create',
      '--network',
      'net1',
      '--allowed-address',
      'ip-address=10.20.0.100',
      'keepalived',
    ]);
    expect(vip.allowed_address_pairs).toEqual([{ ip_address: '10.20.0.100', mac_address: vip.mac_address }]);
    expect((await acme.tenant.get<any>(`/v1/ports/${vip.id}`)).virtualIps).toEqual(['10.20.0.100']);
    // As with Neutron, which fills in the port's MAC address, unset names the pair whole.
    await cli([
      'port',
      'unset',
      '--allowed-address',
      `ip-address=10.20.0.100,mac-address=${vip.mac_address}`,
      'keepalived',
    ]);
    expect((await openstackJson(env, ['port', 'show', 'keepalived'])).allowed_address_pairs).toEqual([]);

    const listed = await openstackJson(env, ['port', 'list', '--network', 'net1']);
    expect(listed.map((p: any) => p.Name).sort()).toEqual(['keepalived', 'open', 'p1', 'p2']);
    const byIp = await openstackJson(env, ['port', 'list', '--fixed-ip', 'ip-address=10.20.0.10']);
    expect(byIp.map((p: any) => p.ID)).toEqual([p1.id]);

    for (const name of ['p1', 'p2', 'open', 'keepalived']) await cli(['port', 'delete', name]);
    expect(await openstackJson(env, ['port', 'list', '--network', 'net1'])).toEqual([]);
    expect((await acme.tenant.get<any>('/v1/instances?regionId=RegionOne')).items).toEqual([]);
    await cli(['subnet', 'delete', 'sub1']);
    await cli(['network', 'delete', 'net1']);
    expect(
      (await openstackJson(env, ['network', 'list']))
        .map((x: any) => x.Name)
        .filter((x: string) => x === 'net1'),
    ).toEqual([]);
  });

  it("refuses what Neutron refuses, in Neutron's envelope", async () => {
    const net = await made('/networks', 'network', { name: 'errs' });
    const sub = await made('/subnets', 'subnet', { network_id: net.id, cidr: '10.30.0.0/24', ip_version: 4 });
    const g = await made('/security-groups', 'security_group', { name: 'errs-sg' });

    await refused(
      n('POST', '/ports', { port: { network_id: 'net-nowhere' } }),
      404,
      'NetworkNotFound',
      'Network net-nowhere could not be found.',
    );
    await refused(
      n('POST', '/ports', {
        port: { network_id: net.id, fixed_ips: [{ subnet_id: sub.id, ip_address: '10.31.0.5' }] },
      }),
      400,
      'InvalidIpForSubnet',
      'IP address 10.31.0.5 is not a valid IP for the specified subnet.',
    );
    const held = await made('/ports', 'port', {
      network_id: net.id,
      fixed_ips: [{ ip_address: '10.30.0.7' }],
    });
    expect(held.fixed_ips).toEqual([{ subnet_id: sub.id, ip_address: '10.30.0.7' }]);
    await refused(
      n('POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.30.0.7' }] } }),
      409,
      'IpAddressInUse',
      `Unable to complete operation for network ${net.id}. The IP address 10.30.0.7 is in use.`,
    );
    await refused(
      n('POST', '/ports', {
        port: { network_id: net.id, port_security_enabled: false, security_groups: [g.id] },
      }),
      400,
      'PortSecurityAndIPRequiredForSecurityGroups',
    );
    await refused(
      n('POST', '/ports', {
        port: {
          network_id: net.id,
          port_security_enabled: false,
          allowed_address_pairs: [{ ip_address: '10.30.0.99' }],
        },
      }),
      409,
      'AddressPairAndPortSecurityRequired',
    );
    // Disabling port security on a port that still has its group.
    await refused(
      n('PUT', `/ports/${held.id}`, { port: { port_security_enabled: false } }),
      409,
      'PortSecurityPortHasSecurityGroup',
      'Port has security group associated. Cannot disable port security or IP address until security group is removed.',
    );
    await refused(
      n('POST', '/subnets', { subnet: { network_id: net.id, cidr: '10.30.0.128/25', ip_version: 4 } }),
      400,
      'InvalidInput',
    );
    await refused(
      n('POST', '/subnets', { subnet: { network_id: net.id, cidr: '2001:db8::/64', ip_version: 4 } }),
      400,
      'InvalidInput',
      "Invalid input for operation: cidr '2001:db8::/64' does not match the ip_version '4'.",
    );
    await refused(
      n('POST', '/subnets', { subnet: { network_id: net.id, cidr: '10.50.0.5/24', ip_version: 4 } }),
      400,
      'HTTPBadRequest',
      "Invalid input for cidr. Reason: '10.50.0.5/24' isn't a recognized IP subnet cidr, '10.50.0.0/24' is recommended.",
    );
    await refused(n('DELETE', `/subnets/${sub.id}`), 409, 'SubnetInUse');
    await refused(n('DELETE', `/networks/${net.id}`), 409, 'NetworkInUse');
    await refused(
      n('GET', '/ports/port-nowhere'),
      404,
      'PortNotFound',
      'Port port-nowhere could not be found.',
    );
    await refused(n('PUT', `/ports/${held.id}`, { port: { network_id: 'x' } }), 400, 'HTTPBadRequest');
    // Nothing refused changed anything.
    const ports = (await n('GET', `/ports?network_id=${net.id}`)).body.ports;
    expect(ports.map((p: any) => p.id)).toEqual([held.id]);
    expect(ports[0]).toMatchObject({ port_security_enabled: true, security_groups: [expect.any(String)] });
    expect((await n('DELETE', `/ports/${held.id}`)).status).toBe(204);
    expect((await n('DELETE', `/subnets/${sub.id}`)).status).toBe(204);
    expect((await n('DELETE', `/networks/${net.id}`)).status).toBe(204);
  });

  it('lets all traffic through a port without port security, and keeps virtual IPs out of remote groups', async () => {
    const net = await made('/networks', 'network', { name: 'flows' });
    await made('/subnets', 'subnet', { network_id: net.id, cidr: '10.40.0.0/24', ip_version: 4 });
    // "peers": ingress from members of peers only (and the egress rules a new group has).
    const peers = await made('/security-groups', 'security_group', { name: 'peers' });
    await made('/security-group-rules', 'security_group_rule', {
      security_group_id: peers.id,
      direction: 'ingress',
      remote_group_id: peers.id,
    });
    const closed = await made('/ports', 'port', {
      network_id: net.id,
      fixed_ips: [{ ip_address: '10.40.0.10' }],
      security_groups: [peers.id],
    });
    const open = await made('/ports', 'port', {
      network_id: net.id,
      fixed_ips: [{ ip_address: '10.40.0.11' }],
      port_security_enabled: false,
    });
    const check = (from: string, to: string) =>
      acme.tenant.post<any>('/v1/regions/RegionOne/flows:check', {
        from,
        to,
        protocol: 'tcp',
        dstPort: 8080,
      });

    // From outside: the port in "peers" refuses, the port without port security lets it in.
    const refusedFlow = await check('192.0.2.1', closed.id);
    expect(refusedFlow.verdict).toBe('deny');
    const openFlow = await check('192.0.2.1', open.id);
    expect(openFlow.verdict).toBe('allow');
    expect(openFlow.ingress.explanation.decidedBy).toMatchObject({
      kind: 'default',
      reason: expect.stringContaining('port security is disabled'),
    });
    // Its own traffic leaves unfiltered too (it has no egress rules of its own).
    expect((await check(open.id, '198.51.100.7')).egress.explanation.verdict).toBe('allow');

    // A member of "peers" carrying a virtual IP: traffic from its fixed IP is a member's, from
    // the virtual IP it is still the port's (egress side) but matches no remote-group rule.
    const vip = await made('/ports', 'port', {
      network_id: net.id,
      fixed_ips: [{ ip_address: '10.40.0.12' }],
      security_groups: [peers.id],
      allowed_address_pairs: [{ ip_address: '10.40.0.100' }],
    });
    const fromFixed = await check('10.40.0.12', closed.id);
    expect(fromFixed.verdict).toBe('allow');
    expect(fromFixed.egress.portId).toBe(vip.id);
    const fromVip = await check('10.40.0.100', closed.id);
    expect(fromVip.egress.portId).toBe(vip.id);
    expect(fromVip.verdict).toBe('deny');
    expect(fromVip.ingress.explanation.decidedBy.kind).toBe('default');
    // Traffic to the virtual IP is the port's: its rules decide (a member of peers may reach it).
    const toVip = await check('10.40.0.10', '10.40.0.100');
    expect(toVip.ingress.portId).toBe(vip.id);
    expect(toVip.verdict).toBe('allow');
  });
  it("gives a port of a new project the project's default group, made outside the port's network", async () => {
    const beta = await osProject(t, 'beta', 'RegionOne');
    const betaToken = (await login(t, beta)).token;
    const b = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}/networking/RegionOne/v2.0${path}`, {
        method,
        headers: { 'x-auth-token': betaToken, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const net = (await b('POST', '/networks', { network: { name: 'only' } })).body.network;
    await b('POST', '/subnets', { subnet: { network_id: net.id, cidr: '10.60.0.0/24', ip_version: 4 } });
    // The project has never looked at its groups: the port's creation makes the default group.
    const port = (await b('POST', '/ports', { port: { network_id: net.id } })).body.port;
    const groups = (await b('GET', '/security-groups')).body.security_groups;
    expect(groups.map((g: any) => g.name)).toEqual(['default']);
    expect(port.security_groups).toEqual([groups[0].id]);
    expect(port.fixed_ips).toEqual([
      { subnet_id: net.subnets?.[0] ?? expect.any(String), ip_address: '10.60.0.2' },
    ]);
    const native = await beta.tenant.get<any>(`/v1/security-groups/${groups[0].id}`);
    expect(native.vpcId).not.toBe(net.id);
    // So the network goes once its port has.
    expect((await b('DELETE', `/ports/${port.id}`)).status).toBe(204);
    expect((await b('DELETE', `/networks/${net.id}`)).status).toBe(204);
    expect((await b('GET', `/networks/${net.id}`)).status).toBe(404);
  });
  it('answers bad input with a 4xx in the NeutronError envelope, and changes nothing', async () => {
    const net = await made('/networks', 'network', { name: 'fuzz' });
    const sub = await made('/subnets', 'subnet', { network_id: net.id, cidr: '10.70.0.0/24', ip_version: 4 });
    const port = await made('/ports', 'port', { network_id: net.id });
    const before = (await n('GET', '/ports')).body.ports;
    const bad: [string, string, unknown][] = [
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: 'x' } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [1] } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: 5 }] } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: 'nope' }] } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ subnet_id: 'subnet-nope' }] } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ constructor: 1 }] } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.70.0.0' }] } }],
      ['POST', '/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '10.70.0.255' }] } }],
      ['POST', '/ports', { port: { network_id: net.id, security_groups: [null] } }],
      ['POST', '/ports', { port: { network_id: net.id, security_groups: ['sg-nope'] } }],
      ['POST', '/ports', { port: { network_id: net.id, security_groups: 'sg' } }],
      ['POST', '/ports', { port: { network_id: net.id, allowed_address_pairs: [{}] } }],
      ['POST', '/ports', { port: { network_id: net.id, allowed_address_pairs: ['x'] } }],
      [
        'POST',
        '/ports',
        { port: { network_id: net.id, allowed_address_pairs: [{ ip_address: '10.0.0.0/8' }] } },
      ],
      ['POST', '/ports', { port: { network_id: net.id, port_security_enabled: 'maybe' } }],
      ['POST', '/ports', { port: { network_id: net.id, mac_address: 'zz' } }],
      ['POST', '/ports', { port: { network_id: net.id, admin_state_up: false } }],
      ['POST', '/ports', { port: { network_id: {} } }],
      ['POST', '/ports', { port: { name: 'no-network' } }],
      ['POST', '/ports', { port: { network_id: net.id, status: 'UP' } }],
      ['POST', '/ports', { ports: [] }],
      ['POST', '/ports', []],
      ['PUT', `/ports/${port.id}`, { port: { fixed_ips: [{ subnet_id: sub.id, ip_address: '10.71.0.1' }] } }],
      ['PUT', `/ports/${port.id}`, { port: { security_groups: [5] } }],
      ['PUT', `/ports/${port.id}`, { port: { id: 'x' } }],
      ['GET', '/ports?fixed_ips=garbage', undefined],
      ['GET', '/ports?constructor=1', undefined],
      ['POST', '/subnets', { subnet: { network_id: net.id, cidr: 'x', ip_version: 4 } }],
      ['POST', '/subnets', { subnet: { network_id: net.id, cidr: '10.80.0.0/0', ip_version: 4 } }],
      ['POST', '/subnets', { subnet: { network_id: net.id, cidr: '10.80.0.0/24', ip_version: 5 } }],
      [
        'POST',
        '/subnets',
        { subnet: { network_id: net.id, cidr: '10.80.0.0/24', ip_version: 4, gateway_ip: '1.2.3.4' } },
      ],
      [
        'POST',
        '/subnets',
        { subnet: { network_id: net.id, cidr: '10.80.0.0/24', ip_version: 4, dns_nameservers: ['8.8.8.8'] } },
      ],
      ['POST', '/subnets', { subnet: { network_id: 'net-nope', cidr: '10.80.0.0/24', ip_version: 4 } }],
      ['POST', '/subnets', { subnet: { cidr: '10.80.0.0/24', ip_version: 4 } }],
      ['POST', '/networks', { network: { name: 7 } }],
      ['POST', '/networks', { network: { shared: true } }],
      ['PUT', `/networks/${net.id}`, { network: { subnets: [] } }],
      ['DELETE', '/networks/net-nope', undefined],
      ['DELETE', '/subnets/subnet-nope', undefined],
    ];
    for (const [method, path, body] of bad) {
      const r = await n(method, path, body);
      expect(
        r.status,
        `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`,
      ).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
      expect(Object.keys(r.body)).toEqual(['NeutronError']);
    }
    expect((await n('GET', '/ports')).body.ports).toEqual(before);
    expect((await n('GET', `/subnets?network_id=${net.id}`)).body.subnets.map((x: any) => x.id)).toEqual([
      sub.id,
    ]);
  });
});
