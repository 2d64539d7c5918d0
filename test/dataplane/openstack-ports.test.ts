// Ports made through Neutron in the kernel: the agent enforces them on their tap interfaces
// ("tap" + the port id's first 11 characters), and a port with port security disabled lets
// in what a port in a group without ingress rules (default deny) refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDataplane, dataplaneFixture, type Fixture } from '../support/dataplane.js';
import { login } from '../support/openstack.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('ports made through Neutron, with real traffic', () => {
  let f: Fixture;
  let token: string;

  async function neutron(path: string, resource: string, body: object): Promise<any> {
    const res = await fetch(`${f.t.url}/networking/osp/v2.0${path}`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ [resource]: body }),
    });
    const answer = await res.json();
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer[resource];
  }

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'osp', profile: 'openstack' });
    await f.t.admin.post('/v1/openstack/users', { tenantId: 'dp', name: 'dp-ops', password: 'pw-dp-secret' });
    token = (await login(f.t, { userName: 'dp-ops', password: 'pw-dp-secret', tenantId: 'dp' })).token;
  }, 60_000);
  afterAll(() => f?.close());

  it('passes traffic to a port without port security that a default-deny port refuses', async () => {
    const net = await neutron('/networks', 'network', { name: 'dp-net' });
    await neutron('/subnets', 'subnet', { network_id: net.id, cidr: '10.2.0.0/24', ip_version: 4 });
    // A new Neutron group allows egress only: its members refuse whatever arrives.
    const sg = await neutron('/security-groups', 'security_group', { name: 'egress-only' });
    const port = (name: string, ip: string, extra: object) =>
      neutron('/ports', 'port', {
        name,
        network_id: net.id,
        fixed_ips: [{ ip_address: ip }],
        'binding:host_id': 'h1',
        ...extra,
      });
    const client = await port('client', '10.2.0.10', { security_groups: [sg.id] });
    const guarded = await port('guarded', '10.2.0.11', { security_groups: [sg.id] });
    const open = await port('open', '10.2.0.12', { port_security_enabled: false });
    await f.attach(
      [client, guarded, open].map((p) => ({
        host: 'h1',
        interface: `tap${p.id.slice(0, 11)}`,
        instance: p.name,
        ipv4: [p.fixed_ips[0].ip_address],
        ipv6: [],
      })),
      [['tcp', 22]],
    );
    expect(await f.exchange('client', 'tcp', '10.2.0.11', 22)).toBe(false);
    expect(await f.exchange('client', 'tcp', '10.2.0.12', 22)).toBe(true);
    // The open port opens only itself: what it sends still meets the receiver's policy.
    expect(await f.exchange('open', 'tcp', '10.2.0.10', 22)).toBe(false);
  });
});
