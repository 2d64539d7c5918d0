// A large group's chain is split into chunk chains (a rule change rewrites about one chunk, not
// the whole chain): decisions are the same as one chain's, with real traffic, including a deny
// that wins in an earlier chunk than the allow it shadows and a rule added into the middle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inNetns } from '../../src/dataplane/exec.js';
import { canRunDataplane, dataplaneFixture, type Fixture } from '../support/dataplane.js';

const ok = await canRunDataplane();

describe.skipIf(!ok)('chunked group chains with real traffic (huawei)', () => {
  let f: Fixture;
  let big: any;

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'hw-chunks', profile: 'huawei' });
    const rules: unknown[] = [{ direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' }];
    // Forty allows at priorities 60..99, and a deny of 6020 at priority 50: it comes first.
    for (let n = 0; n < 40; n++)
      rules.push({ direction: 'ingress', protocol: 'tcp', ports: String(6000 + n), priority: 60 + n });
    rules.push({ direction: 'ingress', protocol: 'tcp', ports: '6020', action: 'deny', priority: 50 });
    big = await f.group('big', rules);
    const client = await f.group('client', [
      { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' },
    ]);
    await f.boot(
      [
        { name: 'a', host: 'h1', ipv4: '10.9.0.1', groups: [client.id] },
        { name: 'b', host: 'h1', ipv4: '10.9.0.2', groups: [big.id] },
      ],
      [
        ['tcp', 6000],
        ['tcp', 6020],
        ['tcp', 6039],
        ['tcp', 7000],
      ],
    );
  }, 60_000);
  afterAll(() => f?.close());

  it('splits the chain and decides as one chain would', async () => {
    const listing = await inNetns(f.hostNs('h1'), 'nft', ['list', 'table', 'inet', 'palisade']);
    const chunks = listing.match(new RegExp(`chain sg_${big.id.replace(/-/g, '_')}_in_\\S+ \\{`, 'g')) ?? [];
    expect(chunks.length).toBeGreaterThan(1);
    expect(await f.exchange('a', 'tcp', '10.9.0.2', 6000)).toBe(true);
    expect(await f.exchange('a', 'tcp', '10.9.0.2', 6039)).toBe(true);
    expect(await f.exchange('a', 'tcp', '10.9.0.2', 6020)).toBe(false);
    expect(await f.exchange('a', 'tcp', '10.9.0.2', 7000)).toBe(false);
  });

  it('takes a rule added into the middle and a rule removed', async () => {
    await f.write('POST', `/v1/security-groups/${big.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '7000',
      priority: 75,
    });
    expect(await f.exchange('a', 'tcp', '10.9.0.2', 7000)).toBe(true);
    const deny = (await f.c.get<any>(`/v1/security-groups/${big.id}/rules?limit=1000`)).items.find(
      (r: any) => r.action === 'deny',
    );
    await f.write('DELETE', `/v1/security-groups/${big.id}/rules/${deny.id}`);
    expect(await f.exchange('a', 'tcp', '10.9.0.2', 6020)).toBe(true);
  });
});
