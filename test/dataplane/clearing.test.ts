// The clearing table of SEMANTICS.md on real connections (huawei): which changes cut
// established inbound connections, which leave outbound ones alone; and group sequence deciding
// before priority.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDataplane, dataplaneFixture, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('huawei clearing table with real connections', () => {
  let f: Fixture;
  const g: Record<string, any> = {};
  let ports: Record<string, any>;

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'hwc', profile: 'huawei' });
    const egressAll = { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' };
    g.client = await f.group('client', [egressAll, { direction: 'ingress', protocol: 'tcp', ports: '80' }]);
    g.spare = await f.group('spare', [egressAll]);
    g.ag = await f.c.post<any>('/v1/address-groups', { regionId: 'hwc', name: 'a', entries: ['10.3.0.1'] });
    g.web = await f.group('web', [
      egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.3.0.0/24' },
      { direction: 'ingress', protocol: 'tcp', ports: '80', remoteAddressGroup: g.ag.id },
      { direction: 'ingress', protocol: 'tcp', ports: '53', remoteGroup: g.client.id },
    ]);
    g.first = await f.group('first', [
      { direction: 'ingress', protocol: 'tcp', ports: '80', priority: 100, action: 'deny' },
    ]);
    g.second = await f.group('second', [
      egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '80', priority: 1 },
    ]);
    ports = await f.boot(
      [
        { name: 'a', host: 'h1', ipv4: '10.3.0.1', groups: [g.client.id] },
        { name: 'b', host: 'h2', ipv4: '10.3.0.2', groups: [g.web.id] },
        { name: 'd', host: 'h2', ipv4: '10.3.0.4', groups: [g.first.id, g.second.id] },
      ],
      [
        ['tcp', 22],
        ['tcp', 53],
        ['tcp', 80],
      ],
    );
  }, 60_000);
  afterAll(() => f?.close());

  it('evaluates groups in sequence before priority', async () => {
    // D's first group denies 80 at priority 100; its second allows at priority 1: the sequence wins.
    expect(await f.exchange('a', 'tcp', '10.3.0.4', 80)).toBe(false);
    await f.write('PUT', `/v1/ports/${ports.d.id}/groups`, { groupIds: [g.second.id, g.first.id] });
    expect(await f.exchange('a', 'tcp', '10.3.0.4', 80)).toBe(true);
  });

  it('modifying an inbound rule clears inbound entries', async () => {
    const live = await f.connection('a', '10.3.0.2', 22);
    expect(await live.send()).toBe('ok');
    const rule = (await f.c.get<any>(`/v1/security-groups/${g.web.id}/rules`)).items.find(
      (r: any) => r.ports?.[0]?.from === 22,
    );
    await f.write('PATCH', `/v1/security-groups/${g.web.id}/rules/${rule.id}`, { ports: '2222' });
    expect(await live.send()).toBe('timeout');
    live.stop();
  });

  it('changing an outbound rule keeps existing outbound connections; new ones follow the new rule', async () => {
    const live = await f.connection('b', '10.3.0.1', 80);
    expect(await live.send()).toBe('ok');
    const egress = (await f.c.get<any>(`/v1/security-groups/${g.web.id}/rules?direction=egress`)).items[0];
    await f.write('PATCH', `/v1/security-groups/${g.web.id}/rules/${egress.id}`, { protocol: 'udp' });
    expect(await live.send()).toBe('ok');
    expect(await f.exchange('b', 'tcp', '10.3.0.1', 80)).toBe(false);
    live.stop();
  });

  it('an address-group entry change clears the inbound entries of the members it protects', async () => {
    const live = await f.connection('a', '10.3.0.2', 80);
    expect(await live.send()).toBe('ok');
    await f.write('PATCH', `/v1/address-groups/${g.ag.id}`, { entries: ['10.3.0.9'] });
    expect(await live.send()).toBe('timeout');
    live.stop();
  });

  it('removing a member of a remote group clears the inbound entries that rested on it', async () => {
    const live = await f.connection('a', '10.3.0.2', 53);
    expect(await live.send()).toBe('ok');
    await f.write('PUT', `/v1/ports/${ports.a.id}/groups`, { groupIds: [g.spare.id] });
    expect(await live.send()).toBe('timeout');
    live.stop();
  });
});
