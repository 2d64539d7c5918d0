// Bad input through the native API: every request below gets a 4xx problem+json naming the
// field and a stable code, never a 5xx, and changes nothing (the store's revision stays put).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

describe.each(STORES)('bad input on %s', (kind) => {
  let db: TestDatabase;
  let t: TestServer;
  let c: PalisadeClient;
  let group: string;
  let rule: string;
  let port: string;
  let vpc: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'hw', profile: 'huawei' });
    await t.admin.post('/v1/regions', { id: 'os', profile: 'openstack' });
    c = await newTenant(t.admin, t.url, 'acme');
    vpc = (await c.post<any>('/v1/vpcs', { regionId: 'hw', name: 'v' })).id;
    const g = await c.post<any>('/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: 'g' });
    group = g.id;
    rule = g.rules[0].id;
    port = (
      await c.post<any>('/v1/instances', {
        regionId: 'hw',
        vpcId: vpc,
        name: 'i',
        ports: [{ ipv4: ['10.0.0.9'] }],
      })
    ).ports[0].id;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const rules = () => `/v1/security-groups/${group}/rules`;
  const cases: [string, () => [string, string, unknown, Record<string, string>?], number, string, string?][] =
    [
      [
        'unknown field',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', colour: 'red' }],
        400,
        'UNKNOWN_FIELD',
        'body.colour',
      ],
      ['missing field', () => ['POST', rules(), { protocol: 'tcp' }], 400, 'MISSING_FIELD', 'body.direction'],
      [
        'wrong type',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', priority: 'high' }],
        400,
        'INVALID_FIELD',
        'body.priority',
      ],
      [
        'port out of range',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', ports: '70000' }],
        400,
        'PORT_OUT_OF_RANGE',
        'body.ports[0].from',
      ],
      [
        'malformed ports',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', ports: '22-' }],
        400,
        'INVALID_PORTS',
        'body.ports',
      ],
      [
        'inverted range',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', ports: '90-80' }],
        400,
        'PORT_RANGE_INVERTED',
        'body.ports[0]',
      ],
      [
        'unknown protocol',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcpp' }],
        400,
        'UNKNOWN_PROTOCOL',
        'body.protocol',
      ],
      [
        'protocol number out of range',
        () => ['POST', rules(), { direction: 'ingress', protocol: 300 }],
        400,
        'PROTOCOL_OUT_OF_RANGE',
        'body.protocol',
      ],
      [
        'ports on icmp',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'icmp', ports: '22' }],
        400,
        'PORTS_NOT_ALLOWED',
        'body.ports',
      ],
      [
        'icmp code without type',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'icmp', icmpCode: 0 }],
        400,
        'ICMP_CODE_WITHOUT_TYPE',
        'body.icmpCode',
      ],
      [
        'bad CIDR',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', remoteIpPrefix: '10.0.0.0/33' }],
        400,
        'INVALID_CIDR',
        'body.remoteIpPrefix',
      ],
      [
        'CIDR of another family',
        () => [
          'POST',
          rules(),
          { direction: 'ingress', protocol: 'tcp', ethertype: 'IPv6', remoteIpPrefix: '10.0.0.0/8' },
        ],
        400,
        'CIDR_ETHERTYPE_MISMATCH',
        'body.remoteIpPrefix',
      ],
      [
        'two remotes',
        () => [
          'POST',
          rules(),
          { direction: 'ingress', protocol: 'tcp', remoteIpPrefix: '10.0.0.0/8', remoteGroup: group },
        ],
        400,
        'REMOTE_CONFLICT',
        'body',
      ],
      [
        'unknown remote group',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', remoteGroup: 'sg-nope' }],
        400,
        'UNKNOWN_GROUP',
        'body.remoteGroup',
      ],
      [
        'unknown address group',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', remoteAddressGroup: 'ag-nope' }],
        400,
        'UNKNOWN_ADDRESS_GROUP',
        'body.remoteAddressGroup',
      ],
      [
        'priority out of range',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', priority: 101 }],
        400,
        'PRIORITY_OUT_OF_RANGE',
        'body.priority',
      ],
      [
        'source ports on huawei',
        () => ['POST', rules(), { direction: 'ingress', protocol: 'tcp', sourcePorts: '22' }],
        400,
        'SOURCE_PORTS_NOT_SUPPORTED',
        'body.sourcePorts',
      ],
      [
        'client-chosen rule id',
        () => ['POST', rules(), { id: 'mine', direction: 'ingress', protocol: 'tcp' }],
        400,
        'READ_ONLY_FIELD',
        'body.id',
      ],
      ['empty batch', () => ['POST', `${rules()}/batch`, { rules: [] }], 400, 'INVALID_FIELD', 'body.rules'],
      [
        'bad rule patch',
        () => ['PATCH', `${rules()}/${rule}`, { ports: 'x' }],
        400,
        'INVALID_PORTS',
        'body.ports',
      ],
      ['unknown rule', () => ['DELETE', `${rules()}/sgr-nope`, undefined], 404, 'NOT_FOUND'],
      ['unknown group', () => ['GET', '/v1/security-groups/sg-nope', undefined], 404, 'NOT_FOUND'],
      [
        'unknown region',
        () => ['POST', '/v1/security-groups', { regionId: 'nope', vpcId: vpc, name: 'x' }],
        400,
        'UNKNOWN_REGION',
        'body.regionId',
      ],
      [
        'unknown vpc',
        () => ['POST', '/v1/security-groups', { regionId: 'hw', vpcId: 'vpc-nope', name: 'x' }],
        400,
        'UNKNOWN_VPC',
        'body.vpcId',
      ],
      [
        'classic network on huawei',
        () => ['POST', '/v1/security-groups', { regionId: 'hw', vpcId: null, name: 'x' }],
        400,
        'CLASSIC_NOT_SUPPORTED',
        'body.vpcId',
      ],
      [
        'advanced group on huawei',
        () => ['POST', '/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: 'x', type: 'advanced' }],
        400,
        'GROUP_TYPE_NOT_SUPPORTED',
        'body.type',
      ],
      [
        'stateless group on huawei',
        () => ['POST', '/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: 'x', stateful: false }],
        400,
        'STATELESS_NOT_SUPPORTED',
        'body.stateful',
      ],
      [
        'empty name',
        () => ['POST', '/v1/security-groups', { regionId: 'hw', vpcId: vpc, name: '' }],
        400,
        'INVALID_FIELD',
        'body.name',
      ],
      [
        'innerAccessPolicy off alibaba',
        () => ['PATCH', `/v1/security-groups/${group}`, { innerAccessPolicy: 'Drop' }],
        400,
        'INNER_ACCESS_NOT_SUPPORTED',
        'body.innerAccessPolicy',
      ],
      [
        'bad port address',
        () => [
          'POST',
          '/v1/instances',
          { regionId: 'hw', vpcId: vpc, name: 'x', ports: [{ ipv4: ['10.0.0.300'] }] },
        ],
        400,
        'INVALID_ADDRESS',
        'body.ports[0].ipv4[0]',
      ],
      [
        'instance without ports',
        () => ['POST', '/v1/instances', { regionId: 'hw', vpcId: vpc, name: 'x', ports: [] }],
        400,
        'INVALID_FIELD',
        'body.ports',
      ],
      [
        'join an unknown group',
        () => ['POST', `/v1/ports/${port}/groups`, { groupId: 'sg-nope' }],
        400,
        'UNKNOWN_GROUP',
        'body.groupIds[1]',
      ],
      [
        'bad address-group entry',
        () => ['POST', '/v1/address-groups', { regionId: 'hw', name: 'a', entries: ['not-an-ip'] }],
        400,
        'INVALID_CIDR',
        'body.entries[0]',
      ],
      ['region change by a tenant', () => ['PATCH', '/v1/regions/hw', { name: 'mine' }], 403, 'FORBIDDEN'],
      [
        'flow check between families',
        () => [
          'POST',
          '/v1/regions/hw/flows:check',
          { from: '10.0.0.1', to: '2001:db8::1', protocol: 'tcp' },
        ],
        400,
        'INVALID_ENDPOINT',
        'body',
      ],
      [
        'flow check of an unknown protocol (a prototype name too)',
        () => [
          'POST',
          '/v1/regions/hw/flows:check',
          { from: '10.0.0.1', to: '10.0.0.2', protocol: 'constructor' },
        ],
        400,
        'UNKNOWN_PROTOCOL',
        'body.protocol',
      ],
      [
        'bad cursor',
        () => ['GET', '/v1/security-groups?cursor=!!', undefined],
        400,
        'INVALID_CURSOR',
        'query.cursor',
      ],
      [
        'limit too large',
        () => ['GET', '/v1/security-groups?limit=5000', undefined],
        400,
        'INVALID_FIELD',
        'querystring.limit',
      ],
      [
        'malformed If-Match',
        () => ['PATCH', `/v1/security-groups/${group}`, { name: 'y' }, { 'if-match': 'yesterday' }],
        400,
        'INVALID_IF_MATCH',
      ],
      ['unknown route', () => ['GET', '/v1/nothing-here', undefined], 404, 'ROUTE_NOT_FOUND'],
    ];

  it.each(cases)('%s', async (_name, request, status, code, path) => {
    const [method, url, body, headers] = request();
    const before = (await c.get<any>('/v1/snapshot')).revision;
    const res = await c.request<any>(method, url, body, { raw: true, headers });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, code });
    expect(res.body.detail).toEqual(expect.any(String));
    if (path) expect(res.body.errors?.map((e: any) => e.path)).toContain(path);
    expect((await c.get<any>('/v1/snapshot')).revision).toBe(before);
  });

  it('rejects bad operator input too', async () => {
    const quota = await t.admin.request<any>(
      'PATCH',
      '/v1/regions/hw',
      { quotas: { rulesPerGroup: -1 } },
      { raw: true },
    );
    expect(quota.status).toBe(400);
    expect(quota.body.errors[0].path).toBe('body.quotas.rulesPerGroup');
    const timeout = await t.admin.request<any>(
      'POST',
      '/v1/regions',
      { id: 'a2', profile: 'alibaba', conntrackTimeouts: { tcpEstablished: 3600 } },
      { raw: true },
    );
    expect(timeout.body).toMatchObject({ status: 400, code: 'TIMEOUT_TOO_LONG' });
    expect(timeout.body.errors[0].path).toBe('body.conntrackTimeouts.tcpEstablished');
    const profile = await t.admin.request<any>(
      'POST',
      '/v1/regions',
      { id: 'x', profile: 'aws' },
      { raw: true },
    );
    expect(profile.body).toMatchObject({ status: 400 });
    expect(profile.body.errors[0].path).toBe('body.profile');
  });

  it('rejects a body that is not JSON', async () => {
    const path = `/v1/security-groups/${group}/rules`;
    const text = '{"direction": "ingress",';
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: { ...c.auth('POST', path, text), 'content-type': 'application/json' },
      body: text,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('INVALID_JSON');
  });

  it('rejects a number too large for a double (1e400 is not an integer), on every route', async () => {
    const before = (await c.get<any>('/v1/snapshot')).revision;
    for (const [path, text, client] of [
      [`/v1/security-groups/${group}/rules`, '{"direction":"ingress","protocol":"tcp","priority":1e400}', c],
      ['/v1/hosts/host-1/status', '{"revision":1e400,"closed":[],"ruleHits":{}}', t.admin],
    ] as const) {
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: { ...client.auth('POST', path, text), 'content-type': 'application/json' },
        body: text,
      });
      expect([path, res.status, (await res.json()).code]).toEqual([path, 400, 'INVALID_JSON']);
    }
    expect((await c.get<any>('/v1/snapshot')).revision).toBe(before);
  });

  it('rejects a body nested deeper than any honest one, on every route that takes a document (no stack overflow, no 500)', async () => {
    const before = (await c.get<any>('/v1/snapshot')).revision;
    const deep = '{"a":'.repeat(10_000) + 'null' + '}'.repeat(10_000);
    // Brackets inside strings are text: a deep-looking string is fine.
    const shallow = JSON.stringify({ direction: 'ingress', protocol: 'tcp', description: '{['.repeat(200) });
    for (const path of ['/v1/regions/hw/diff', '/v1/regions/hw/plan', rules()]) {
      const res = await fetch(t.url + path, {
        method: 'POST',
        headers: { ...c.auth('POST', path, deep), 'content-type': 'application/json' },
        body: deep,
      });
      const body = await res.json();
      expect([path, res.status, body.code]).toEqual([path, 400, 'INVALID_JSON']);
      expect(body.detail).toContain('nested deeper than 100');
    }
    expect((await c.get<any>('/v1/snapshot')).revision).toBe(before);
    const ok = await fetch(t.url + rules(), {
      method: 'POST',
      headers: { ...c.auth('POST', rules(), shallow), 'content-type': 'application/json' },
      body: shallow,
    });
    expect(ok.status).toBe(201);
  });

  it('refuses an id with a control character in the path, as a field of the request (PostgreSQL text holds no NUL: it was a 500)', async () => {
    for (const path of [
      '/v1/openstack/users/a%00b',
      `/v1/security-groups/sg%00x`,
      '/v1/ports/p%01q/analysis',
    ]) {
      const res = await t.admin.request<any>(
        path.startsWith('/v1/openstack') ? 'DELETE' : 'GET',
        path,
        undefined,
        {
          raw: true,
        },
      );
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'INVALID_FIELD']);
      expect(res.body.errors[0].path).toMatch(/^params\./);
    }
  });

  it('refuses a cursor of the right encoding but the wrong shape', async () => {
    // base64url of {"x":1} and of {}: JSON, but no key this API returns.
    for (const path of [
      '/v1/audit?cursor=eyJ4IjoxfQ',
      '/v1/audit?cursor=e30',
      '/v1/security-groups?cursor=e30',
    ]) {
      const res = await c.request<any>('GET', path, undefined, { raw: true });
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'INVALID_CURSOR']);
    }
  });

  it('rejects a body of another media type', async () => {
    const path = `/v1/security-groups/${group}/rules`;
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: { ...c.auth('POST', path, 'x'), 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(res.status).toBe(415);
    expect((await res.json()).status).toBe(415);
  });
});
