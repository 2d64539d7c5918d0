// The data plane with real packets: a server, two hosts (network namespaces) with an agent
// each, instances on both, and TCP/UDP/ICMP between them, IPv4 and IPv6, on the huawei profile:
// allow, default deny, deny-first priority, replies of allowed connections, remote-group
// membership and address-group changes taking effect, a new deny rule cutting an established
// inbound connection while an outbound one survives, and cross-host traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import type { PalisadeClient } from '../../src/client/client.js';
import { run } from '../../src/dataplane/exec.js';
import { canRunDataplane, dataplaneFixture, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('huawei data plane with real traffic', () => {
  let f: Fixture;
  let c: PalisadeClient;
  let agents: Agent[];
  let write: Fixture['write'];
  const g: Record<string, any> = {};
  let ports: Record<string, any>;

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'hw', profile: 'huawei' });
    ({ c, agents, write } = f);
    const egressAll = [
      { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' },
      { direction: 'egress', protocol: 'all', ethertype: 'IPv6', remoteIpPrefix: '::/0' },
    ];
    g.client = await f.group('client', [
      ...egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '2222' },
    ]);
    g.web = await f.group('web', [
      ...egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.0.0.0/24', priority: 10 },
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        ethertype: 'IPv6',
        remoteIpPrefix: 'fd00::/64',
        priority: 10,
      },
    ]);
    g.other = await f.group('other', egressAll);
    ports = await f.boot(
      [
        { name: 'a', host: 'h1', ipv4: '10.0.0.1', ipv6: 'fd00::1', groups: [g.client.id] },
        { name: 'b', host: 'h1', ipv4: '10.0.0.2', ipv6: 'fd00::2', groups: [g.web.id] },
        { name: 'c', host: 'h2', ipv4: '10.0.0.3', ipv6: 'fd00::3', groups: [g.web.id] },
      ],
      [
        ['tcp', 22],
        ['tcp', 2222],
        ['tcp', 8080],
        ['udp', 53],
      ],
    );
  }, 60_000);

  afterAll(() => f?.close());

  it('allows what a rule allows, on the same host and across hosts, IPv4 and IPv6', async () => {
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 22)).toBe(true);
    expect(await f.exchange('a', 'tcp', '10.0.0.3', 22)).toBe(true);
    expect(await f.exchange('a', 'tcp', 'fd00::2', 22)).toBe(true);
    expect(await f.exchange('a', 'tcp', 'fd00::3', 22)).toBe(true);
  });

  it('denies by default: other ports, other protocols, ICMP', async () => {
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 8080)).toBe(false);
    expect(await f.exchange('a', 'udp', '10.0.0.2', 53)).toBe(false);
    expect(await f.ping('a', '10.0.0.2')).toBe(false);
    // B's egress allows everything, A's ingress only 2222: B reaches A on 2222, not 22.
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 2222)).toBe(true);
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(false);
  });

  it('evaluates deny before allow at a higher priority, per rule', async () => {
    const deny = await write<any>('POST', `/v1/security-groups/${g.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.0.0.1/32',
      action: 'deny',
      priority: 5,
    });
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 22)).toBe(false);
    expect(await f.exchange('b', 'tcp', '10.0.0.3', 22)).toBe(true); // 10.0.0.2 still allowed by priority 10
    expect(await f.exchange('a', 'tcp', 'fd00::2', 22)).toBe(true); // the deny is IPv4 only
    await write('DELETE', `/v1/security-groups/${g.web.id}/rules/${deny.id}`);
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 22)).toBe(true);
  });

  it('lets replies of allowed connections through and cuts established inbound ones on a new deny (outbound survive)', async () => {
    const inbound = await f.connection('a', '10.0.0.2', 22); // inbound for B
    const outbound = await f.connection('b', '10.0.0.1', 2222); // outbound for B
    expect(await inbound.send()).toBe('ok');
    expect(await outbound.send()).toBe('ok');
    // 002: a new deny rule clears the inbound entries of the group's members.
    const deny = await write<any>('POST', `/v1/security-groups/${g.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.0.0.1/32',
      action: 'deny',
      priority: 5,
    });
    expect(await inbound.send()).toBe('timeout');
    expect(await outbound.send()).toBe('ok');
    inbound.stop();
    outbound.stop();
    await write('DELETE', `/v1/security-groups/${g.web.id}/rules/${deny.id}`);
  });

  it('applies remote-group membership changes to new connections, as set updates', async () => {
    await write('POST', `/v1/security-groups/${g.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '8080',
      remoteGroup: g.client.id,
    });
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 8080)).toBe(true);
    expect(await f.exchange('a', 'tcp', '10.0.0.3', 8080)).toBe(true);
    const setName = `g_${g.client.id.replace(/-/g, '_')}_4`;
    const before = await run('ip', [
      'netns',
      'exec',
      f.hostNs('h2'),
      'nft',
      'list',
      'set',
      'inet',
      'palisade',
      setName,
    ]);
    expect(before).toContain('10.0.0.1');
    // A moves from "client" to "other": no longer a member, so 8080 closes for new connections.
    await write('PUT', `/v1/ports/${ports.a.id}/groups`, { groupIds: [g.other.id] });
    const after = await run('ip', [
      'netns',
      'exec',
      f.hostNs('h2'),
      'nft',
      'list',
      'set',
      'inet',
      'palisade',
      setName,
    ]);
    expect(after).not.toContain('10.0.0.1');
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 8080)).toBe(false);
    expect(await f.exchange('a', 'tcp', '10.0.0.3', 8080)).toBe(false);
    await write('PUT', `/v1/ports/${ports.a.id}/groups`, { groupIds: [g.client.id] });
    expect(await f.exchange('a', 'tcp', '10.0.0.3', 8080)).toBe(true);
  });

  it('applies address-group entries', async () => {
    const ag = await write<any>('POST', '/v1/address-groups', {
      regionId: 'hw',
      name: 'dns-clients',
      entries: ['10.0.0.0/31'],
    });
    await write('POST', `/v1/security-groups/${g.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'udp',
      ports: '53',
      remoteAddressGroup: ag.id,
    });
    expect(await f.exchange('a', 'udp', '10.0.0.2', 53)).toBe(true);
    await write('PATCH', `/v1/address-groups/${ag.id}`, { remove: ['10.0.0.0/31'], add: ['10.0.0.4/32'] });
    expect(await f.exchange('a', 'udp', '10.0.0.2', 53)).toBe(false);
  });

  it('allows ICMP once a rule does, and IPv6 echo with icmpv6', async () => {
    await write('POST', `/v1/security-groups/${g.web.id}/rules/batch`, {
      rules: [
        { direction: 'ingress', protocol: 'icmp', remoteIpPrefix: '0.0.0.0/0' },
        {
          direction: 'ingress',
          protocol: 'icmpv6',
          ethertype: 'IPv6',
          icmpType: 128,
          remoteIpPrefix: '::/0',
        },
      ],
    });
    expect(await f.ping('a', '10.0.0.2')).toBe(true);
    expect(await f.ping('a', 'fd00::3')).toBe(true);
  });

  it('reports what each host enforces and the rules hit, and says when a change is enforced everywhere', async () => {
    const rule = await write<any>('POST', `/v1/security-groups/${g.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '9090',
    });
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 9090)).toBe(false); // nothing listens; the SYN still counts
    let status: any;
    for (let i = 0; i < 50; i++) {
      status = (await c.get<any>('/v1/status?regionId=hw')).regions[0];
      if (status.enforcedEverywhere && status.ruleHits[rule.id]) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status.enforcedEverywhere).toBe(true);
    expect(status.hosts.map((h: any) => [h.host, h.upToDate])).toEqual([
      ['h1', true],
      ['h2', true],
    ]);
    expect(status.ruleHits[rule.id]).toBeGreaterThan(0);
  });

  it('repairs drift: a flushed table comes back within seconds', async () => {
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 8080)).toBe(true);
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(false);
    const repairs = agents[0].driftRepairs;
    await run('ip', ['netns', 'exec', f.hostNs('h1'), 'nft', 'delete', 'table', 'inet', 'palisade']);
    for (let i = 0; i < 50 && agents[0].driftRepairs === repairs; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(agents[0].driftRepairs).toBe(repairs + 1);
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(false);
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 8080)).toBe(true);
  });

  it('keeps enforcing while its agent is down, and a new agent adopts the table and catches up', async () => {
    const live = await f.connection('a', '10.0.0.2', 22);
    expect(await live.send()).toBe('ok');
    const old = agents.shift()!;
    await old.stop();
    // While h1 has no agent: the kernel keeps the last policy (22 allowed, 8081 closed) ...
    const rule = await c.post<any>(`/v1/security-groups/${g.web.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '8081',
    });
    expect(await f.exchange('a', 'tcp', '10.0.0.2', 8080)).toBe(true);
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(false);
    expect(await live.send()).toBe('ok');
    // ... and a new agent adopts it without dropping the live connection, then enforces the change.
    const fresh = new Agent(f.t.admin, {
      host: 'h1',
      netns: f.hostNs('h1'),
      driftCheckMs: 300,
      reportMs: 300,
    });
    await fresh.start();
    agents.unshift(fresh);
    expect(fresh.revision).toBeGreaterThanOrEqual(rule.revision);
    expect(await live.send()).toBe('ok');
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(false);
    live.stop();
  });

  it('keeps enforcing while the server is down, and follows the change stream again when it returns', async () => {
    await f.restartServer(async () => {
      expect(await f.exchange('a', 'tcp', '10.0.0.2', 22)).toBe(true);
      expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(false);
    });
    // The agents reconnect by themselves and resume after the last revision they enforced.
    await write('POST', `/v1/security-groups/${g.client.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
    });
    expect(await f.exchange('b', 'tcp', '10.0.0.1', 22)).toBe(true);
  });
});
