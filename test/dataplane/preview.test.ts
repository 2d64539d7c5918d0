// A change preview against real connections: live TCP connections between namespaces, agents
// that list them in their reports, a write previewed (?preview=true) that predicts which of them
// the change will cut, then the same write applied: the connections that really die are exactly
// the predicted ones. Huawei clears the inbound entries of the members of a changed group
// (a connection whose own rule did not change is cut too; one the member opened survives);
// Alibaba re-evaluates them against the new policy (only what it now denies is cut).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDataplane, dataplaneFixture, eventually, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

type Live = Awaited<ReturnType<Fixture['connection']>>;
interface Named {
  name: string;
  src: string;
  dst: string;
  dport: number;
  live: Live;
}

/** Open the connections and check each echoes. */
async function open(
  f: Fixture,
  specs: [name: string, from: string, src: string, dst: string, dport: number][],
) {
  const out: Named[] = [];
  for (const [name, from, src, dst, dport] of specs) {
    const live = await f.connection(from, dst, dport);
    expect(await live.send(), name).toBe('ok');
    out.push({ name, src, dst, dport, live });
  }
  return out;
}

/** Preview the write until the host's agent has listed every connection of the change's ports. */
async function preview(
  f: Fixture,
  method: string,
  path: string,
  body: unknown,
  host: string,
  listed: number,
) {
  let answer: any;
  const seen = await eventually(async () => {
    answer = (await f.c.request<any>(method, `${path}?preview=true`, body)).body;
    const h = answer.connections.listedHosts.find((x: any) => x.host === host);
    return (h?.connections ?? 0) >= listed;
  }, 10_000);
  expect(seen, JSON.stringify(answer?.connections)).toBe(true);
  return answer;
}

const predicted = (p: any, conns: Named[]) =>
  conns
    .filter((c) =>
      p.connections.cut.some((x: any) => x.src === c.src && x.dst === c.dst && x.dport === c.dport),
    )
    .map((c) => c.name)
    .sort();

async function reallyCut(conns: Named[]) {
  const out: string[] = [];
  for (const c of conns) if ((await c.live.send()) !== 'ok') out.push(c.name);
  return out.sort();
}

describe.skipIf(!ok)('change preview against real connections: huawei clears', () => {
  let f: Fixture;
  const g: Record<string, any> = {};
  let ports: Record<string, any>;

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'hwp', profile: 'huawei' });
    const egressAll = { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' };
    g.client = await f.group('client', [egressAll, { direction: 'ingress', protocol: 'tcp', ports: '80' }]);
    g.web = await f.group('web', [
      egressAll,
      { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.7.0.0/24' },
      { direction: 'ingress', protocol: 'tcp', ports: '80', remoteIpPrefix: '10.7.0.0/24' },
    ]);
    ports = await f.boot(
      [
        { name: 'a', host: 'h1', ipv4: '10.7.0.1', groups: [g.client.id] },
        { name: 'b', host: 'h2', ipv4: '10.7.0.2', groups: [g.web.id] },
      ],
      [
        ['tcp', 22],
        ['tcp', 80],
      ],
    );
  }, 60_000);
  afterAll(() => f?.close());

  it('predicts exactly the connections that modifying an inbound rule cuts', async () => {
    const conns = await open(f, [
      ['a→b:22', 'a', '10.7.0.1', '10.7.0.2', 22],
      ['a→b:80', 'a', '10.7.0.1', '10.7.0.2', 80],
      ['b→a:80', 'b', '10.7.0.2', '10.7.0.1', 80],
    ]);
    const rule = (await f.c.get<any>(`/v1/security-groups/${g.web.id}/rules`)).items.find(
      (r: any) => r.ports?.[0]?.from === 22,
    );
    const path = `/v1/security-groups/${g.web.id}/rules/${rule.id}`;
    // h2 lists b's three connections: two opened to it, one it opened.
    const p = await preview(f, 'PATCH', path, { ports: '2222' }, 'h2', 3);
    expect(p.ports).toContainEqual(
      expect.objectContaining({ portId: ports.b.id, direction: 'ingress', ethertype: 'IPv4' }),
    );
    expect(
      p.connections.cut.every((c: any) => c.reason === 'clearedByPolicy' && c.portId === ports.b.id),
    ).toBe(true);
    const want = predicted(p, conns);
    expect(want).toEqual(['a→b:22', 'a→b:80']);

    await f.write('PATCH', path, { ports: '2222' });
    expect(await reallyCut(conns)).toEqual(want);
    for (const c of conns) c.live.stop();
  });
});

describe.skipIf(!ok)('change preview against real connections: alibaba re-evaluates', () => {
  let f: Fixture;
  const g: Record<string, any> = {};
  let ports: Record<string, any>;

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'alp', profile: 'alibaba' });
    g.client = await f.group('client', [
      { direction: 'ingress', protocol: 'tcp', ports: '80', remoteIpPrefix: '0.0.0.0/0', priority: 1 },
    ]);
    g.web = await f.group('web', [
      { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '10.8.0.0/24', priority: 1 },
      { direction: 'ingress', protocol: 'tcp', ports: '80', remoteIpPrefix: '10.8.0.0/24', priority: 1 },
    ]);
    ports = await f.boot(
      [
        { name: 'a', host: 'h1', ipv4: '10.8.0.1', groups: [g.client.id] },
        { name: 'b', host: 'h2', ipv4: '10.8.0.2', groups: [g.web.id] },
      ],
      [
        ['tcp', 22],
        ['tcp', 80],
      ],
    );
  }, 60_000);
  afterAll(() => f?.close());

  it('predicts exactly the connections that deleting a rule cuts: those the new policy denies', async () => {
    const conns = await open(f, [
      ['a→b:22', 'a', '10.8.0.1', '10.8.0.2', 22],
      ['a→b:80', 'a', '10.8.0.1', '10.8.0.2', 80],
      ['b→a:80', 'b', '10.8.0.2', '10.8.0.1', 80],
    ]);
    const rule = (await f.c.get<any>(`/v1/security-groups/${g.web.id}/rules`)).items.find(
      (r: any) => r.ports?.[0]?.from === 22,
    );
    const path = `/v1/security-groups/${g.web.id}/rules/${rule.id}`;
    const p = await preview(f, 'DELETE', path, undefined, 'h2', 3);
    expect(p.connections.cut).toEqual([
      expect.objectContaining({
        portId: ports.b.id,
        origin: 'inbound',
        reason: 'reevaluatedDeny',
        dport: 22,
      }),
    ]);
    const want = predicted(p, conns);
    expect(want).toEqual(['a→b:22']);

    await f.write('DELETE', path);
    expect(await reallyCut(conns)).toEqual(want);
    for (const c of conns) c.live.stop();
  });
});
