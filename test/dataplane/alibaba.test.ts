// Alibaba semantics in the kernel: priorities merged across a port's groups, deny winning at
// equal priority, outbound open by default, same-group access by innerAccessPolicy, and a policy
// change re-evaluating live connections (the ones now denied are dropped, the others survive).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDataplane, dataplaneFixture, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('alibaba data plane with real traffic', () => {
  let f: Fixture;
  const g: Record<string, any> = {};

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'ali', profile: 'alibaba' });
    g.cli = await f.group('cli', []);
    g.srv = await f.group('srv', [
      { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.2.0.0/24', priority: 10 },
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        remoteIpPrefix: '10.2.0.1/32',
        priority: 10,
        action: 'deny',
      },
    ]);
    g.open = await f.group('open', [{ direction: 'ingress', protocol: 'tcp', ports: '80', priority: 50 }]);
    g.adv = await f.group(
      'adv',
      [{ direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.2.0.0/24' }],
      {
        type: 'advanced',
      },
    );
    g.shut = await f.group('shut', [
      { direction: 'ingress', protocol: 'tcp', ports: '80', priority: 20, action: 'deny' },
    ]);
    await f.boot([
      { name: 'a', host: 'h1', ipv4: '10.2.0.1', groups: [g.cli.id] },
      { name: 'e', host: 'h1', ipv4: '10.2.0.5', groups: [g.cli.id] },
      { name: 'b', host: 'h1', ipv4: '10.2.0.2', groups: [g.srv.id] },
      { name: 'c', host: 'h2', ipv4: '10.2.0.3', groups: [g.srv.id] },
      { name: 'd', host: 'h2', ipv4: '10.2.0.4', groups: [g.open.id, g.shut.id] },
      { name: 'x', host: 'h1', ipv4: '10.2.0.6', groups: [g.adv.id] },
      { name: 'y', host: 'h2', ipv4: '10.2.0.7', groups: [g.adv.id] },
    ]);
  }, 60_000);
  afterAll(() => f?.close());

  it('lets deny win at equal priority and leaves outbound open', async () => {
    expect(await f.exchange('a', 'tcp', '10.2.0.2', 22)).toBe(false);
    expect(await f.exchange('e', 'tcp', '10.2.0.2', 22)).toBe(true);
    expect(await f.exchange('e', 'tcp', '10.2.0.3', 22)).toBe(true);
    expect(await f.exchange('b', 'tcp', '10.2.0.1', 80)).toBe(false); // A's ingress: no rule
  });

  it("merges a port's groups by priority: a priority-20 deny in its second group beats a priority-50 allow in its first", async () => {
    expect(await f.exchange('e', 'tcp', '10.2.0.4', 80)).toBe(false);
    await f.write('PUT', `/v1/ports/${(await portOf('d')).id}/groups`, { groupIds: [g.open.id] });
    expect(await f.exchange('e', 'tcp', '10.2.0.4', 80)).toBe(true);
  });

  it('lets members of a group reach each other (innerAccessPolicy Accept) and re-evaluates live connections when it turns to Drop', async () => {
    const inner = await f.connection('b', '10.2.0.3', 80); // B to C across hosts, allowed by inner access only
    const ruled = await f.connection('e', '10.2.0.3', 22); // allowed by a rule
    expect(await inner.send()).toBe('ok');
    expect(await ruled.send()).toBe('ok');
    await f.write('PATCH', `/v1/security-groups/${g.srv.id}`, { innerAccessPolicy: 'Drop' });
    expect(await inner.send()).toBe('timeout');
    expect(await ruled.send()).toBe('ok');
    expect(await f.exchange('b', 'tcp', '10.2.0.3', 80)).toBe(false);
    inner.stop();
    ruled.stop();
  });

  it('advanced groups: any allow rule allows, egress is closed without a rule, members are isolated', async () => {
    expect(await f.exchange('e', 'tcp', '10.2.0.6', 22)).toBe(true);
    expect(await f.exchange('x', 'tcp', '10.2.0.3', 22)).toBe(false); // no egress rule
    expect(await f.exchange('x', 'tcp', '10.2.0.7', 80)).toBe(false); // same group, no rule
    await f.write('POST', `/v1/security-groups/${g.adv.id}/rules`, {
      direction: 'egress',
      protocol: 'all',
      remoteIpPrefix: '0.0.0.0/0',
    });
    expect(await f.exchange('x', 'tcp', '10.2.0.3', 22)).toBe(true);
    expect(await f.exchange('x', 'tcp', '10.2.0.7', 80)).toBe(false); // y's ingress still has no rule for 80
    expect(await f.exchange('x', 'tcp', '10.2.0.7', 22)).toBe(true);
  });

  it('re-evaluates live connections on a new deny rule: the now-denied ones drop, the others survive', async () => {
    const e = await f.connection('e', '10.2.0.3', 22);
    const x = await f.connection('x', '10.2.0.3', 22);
    expect(await e.send()).toBe('ok');
    expect(await x.send()).toBe('ok');
    await f.write('POST', `/v1/security-groups/${g.srv.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.2.0.5/32',
      priority: 1,
      action: 'deny',
    });
    expect(await e.send()).toBe('timeout');
    expect(await x.send()).toBe('ok');
    e.stop();
    x.stop();
  });

  async function portOf(name: string) {
    const items = (await f.c.get<any>('/v1/instances')).items;
    return items.find((i: any) => i.name === name).ports[0];
  }
});
