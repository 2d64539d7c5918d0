// OpenStack semantics in the kernel: allow-lists where any matching rule allows, stateless
// groups (replies need their own rules), a rule change cutting established inbound connections
// while outbound ones survive, and the region's conntrack timeouts (a UDP reply later than the
// one-way timeout finds no entry and is dropped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDataplane, dataplaneFixture, eventually, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('openstack data plane with real traffic', () => {
  let f: Fixture;
  const g: Record<string, any> = {};

  beforeAll(async () => {
    f = await dataplaneFixture({
      id: 'os',
      profile: 'openstack',
      conntrackTimeouts: { otherOneWay: 2, otherBothWays: 3, icmp: 2, tcpEstablished: 3 },
    });
    const egressAll = { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' };
    g.client = await f.group('client', [egressAll, { direction: 'ingress', protocol: 'tcp', ports: '80' }]);
    g.server = await f.group('server', [
      egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '22' },
      { direction: 'ingress', protocol: 'udp', ports: '53' },
    ]);
    g.raw = await f.group('raw', [{ direction: 'ingress', protocol: 'tcp', ports: '22' }], {
      stateful: false,
    });
    await f.boot(
      [
        { name: 'a', host: 'h1', ipv4: '10.1.0.1', groups: [g.client.id] },
        { name: 'b', host: 'h1', ipv4: '10.1.0.2', groups: [g.server.id] },
        { name: 'c', host: 'h2', ipv4: '10.1.0.3', groups: [g.raw.id] },
        { name: 'd', host: 'h2', ipv4: '10.1.0.4', groups: [g.server.id] },
      ],
      [
        ['tcp', 22],
        ['tcp', 80],
        ['udp', 53],
        ['udp', 54, 3500],
        ['udp', 55, 1000],
      ],
    );
  }, 60_000);
  afterAll(() => f?.close());

  it('allows what any rule allows and nothing else', async () => {
    expect(await f.exchange('a', 'tcp', '10.1.0.2', 22)).toBe(true);
    expect(await f.exchange('a', 'tcp', '10.1.0.4', 22)).toBe(true);
    expect(await f.exchange('a', 'tcp', '10.1.0.2', 80)).toBe(false);
    expect(await f.exchange('b', 'tcp', '10.1.0.1', 80)).toBe(true);
  });

  it('needs rules for the replies of a stateless group', async () => {
    // C's group is stateless with no egress rule: the SYN arrives, the SYN-ACK cannot leave.
    expect(await f.exchange('a', 'tcp', '10.1.0.3', 22)).toBe(false);
    await f.write('POST', `/v1/security-groups/${g.raw.id}/rules`, {
      direction: 'egress',
      protocol: 'tcp',
      remoteIpPrefix: '10.1.0.0/24',
    });
    expect(await f.exchange('a', 'tcp', '10.1.0.3', 22)).toBe(true);
  });

  it('cuts established inbound connections on a rule change; outbound ones survive', async () => {
    const inbound = await f.connection('a', '10.1.0.2', 22);
    const outbound = await f.connection('b', '10.1.0.1', 80);
    expect(await inbound.send()).toBe('ok');
    expect(await outbound.send()).toBe('ok');
    const ssh = (await f.c.get<any>(`/v1/security-groups/${g.server.id}/rules`)).items.find(
      (r: any) => r.ports?.[0]?.from === 22,
    );
    await f.write('DELETE', `/v1/security-groups/${g.server.id}/rules/${ssh.id}`);
    expect(await inbound.send()).toBe('timeout');
    expect(await outbound.send()).toBe('ok');
    inbound.stop();
    outbound.stop();
  });

  it("applies the region's UDP timeout: a reply after the one-way timeout is dropped", async () => {
    // B answers on 53 at once and on 54 after 3.5 s; the entry lives 2 s without a reply.
    await f.write('POST', `/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'udp',
      ports: '54',
    });
    expect(await f.exchange('a', 'udp', '10.1.0.2', 53)).toBe(true);
    expect(await f.exchange('a', 'udp', '10.1.0.2', 54, 5000)).toBe(false);
  });

  it("expires idle TCP and ICMP entries after the region's timeouts", async () => {
    await f.write('POST', `/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'icmp',
    });
    const tcp = await f.connection('b', '10.1.0.1', 80);
    expect(await tcp.send()).toBe('ok');
    expect(await f.ping('a', '10.1.0.2')).toBe(true);
    const entries = () => f.conntrack('h1');
    expect(await entries()).toMatch(/tcp .*ESTABLISHED src=10\.1\.0\.2 dst=10\.1\.0\.1 .*dport=80/);
    expect(await entries()).toMatch(/icmp .*src=10\.1\.0\.1 dst=10\.1\.0\.2/);
    await new Promise((r) => setTimeout(r, 4500));
    // tcpEstablished 3 s and icmp 2 s: both idle entries are gone (the kernel defaults are 5 days and 30 s).
    expect(await entries()).not.toMatch(/ESTABLISHED src=10\.1\.0\.2 dst=10\.1\.0\.1 .*dport=80/);
    expect(await entries()).not.toMatch(/icmp .*src=10\.1\.0\.1 dst=10\.1\.0\.2/);
    tcp.stop();
  });

  it('clears the inbound entries of all members when an allow rule is added (and keeps the outbound ones)', async () => {
    // 22 was removed by an earlier test: allow it again first.
    await f.write('POST', `/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
    });
    const live = await f.connection('a', '10.1.0.4', 22);
    const out = await f.connection('d', '10.1.0.1', 80);
    expect(await live.send()).toBe('ok');
    expect(await out.send()).toBe('ok');
    await f.write('POST', `/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '8443',
    });
    // The inbound connection is cleared: blocked until its state's timeout (3 s), then tracked
    // anew (still allowed); the outbound one never noticed.
    expect(await live.send()).toBe('timeout');
    expect(await out.send()).toBe('ok');
    expect(await eventually(async () => (await live.send()) === 'ok', 10_000)).toBe(true);
    live.stop();
    out.stop();
  });
});
