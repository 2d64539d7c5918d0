// Fuzz of the native API, driven by the server's own OpenAPI document: every operation gets
// valid-looking requests built from its schemas (signed with the operator key, a tenant key or a
// bearer token, so they reach the handlers) and mutations of them: a field missing, unknown,
// of the wrong type, out of range, overlong, huge (100 KB), deeply nested (10,000 levels),
// unicode edge cases, Object.prototype names as keys, values, path and query parameters, path
// parameters over 300 characters, repeated query parameters, bodies that are not JSON or not
// labelled JSON, and broken credentials (unsigned, wrong secret, expired, replayed, unknown
// bearer token). Every answer: never 5xx; errors as problem+json with the HTTP status in the
// body; an error changes nothing (the revision from /readyz is the same after it); a request
// the document forbids is refused; documented responses, when the document has them, match.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { envelopeForPath, problemJson } from '../support/fuzz/envelopes.js';
import { type RawRequest, send } from '../support/fuzz/http.js';
import {
  bodyAllowed,
  documentedResponse,
  type Operation,
  operationsOf,
  paramsAllowed,
} from '../support/fuzz/openapi.js';
import { FuzzRun, type FuzzCase, seedOf } from '../support/fuzz/runner.js';
import {
  arbFromSchema,
  arbPlan,
  type Hints,
  mutate,
  type MutationPlan,
  Ref,
} from '../support/fuzz/schema.js';
import { Fixtures } from '../support/fuzz/fixtures.js';
import { WHOLE_ATTACKS } from '../support/fuzz/json-api.js';
import { type FuzzServer, startFuzzServer } from '../support/fuzz/server.js';
import { type Key, nativeHeaders, nonce } from '../support/fuzz/signing.js';
import {
  BROKEN_ENCODINGS,
  HUGE,
  MAIN_PROTO_NAMES,
  NOT_JSON_BODIES,
  OTHER_BODIES,
  PROTO_NAMES,
  RAW,
  recipeOf,
  toJson,
  URL_STRINGS,
  DEEP_ARRAY_JSON,
  DEEP_OBJECT_JSON,
  objectOf,
} from '../support/fuzz/values.js';
import { freshDatabase, STORES, type StoreKind, TEST_ENV, type TestDatabase } from '../support/servers.js';

const SEED = seedOf(20261124);
/** Cases per /v1 operation (FUZZ_RUNS overrides); the document's other operations get a few. */
const RUNS = Number(process.env.FUZZ_RUNS) || 30;
const OTHER_RUNS = 3;
/** Both stores by default (FUZZ_STORES=sqlite runs one). */
const STORES_TO_RUN = process.env.FUZZ_STORES ? (process.env.FUZZ_STORES.split(',') as StoreKind[]) : STORES;

const ADMIN: Key = { id: TEST_ENV.PALISADE_ADMIN_KEY_ID, secret: TEST_ENV.PALISADE_ADMIN_SECRET };
const HW = 'fz-hw';
const ALI = 'fz-ali';
const OS = 'fz-os';
const QUOTAS = {
  groupsPerTenant: 2000,
  rulesPerGroup: 5000,
  addressGroupsPerTenant: 2000,
  portsPerGroup: 2000,
  rulesPerPort: 20000,
  groupsPerPort: 10,
};

/** The fixtures every case names; deletes get fresh victims of the kind they delete. */
class NativeFixtures extends Fixtures {
  tenantKey!: Key;
  token!: string;
  readonly admin: PalisadeClient;
  tenant!: PalisadeClient;

  constructor(readonly url: string) {
    const makers: Record<string, (n: number) => Promise<string>> = {
      tenant: async (n) =>
        (await this.admin.post<any>('/v1/tenants', { id: `fz-vt${n}`, name: `victim ${n}` })).id,
      accessKey: async () => (await this.admin.post<any>('/v1/access-keys', { tenantId: 'fz-t' })).id,
      region: async (n) =>
        (await this.admin.post<any>('/v1/regions', { id: `fz-vr${n}`, profile: 'huawei' })).id,
      vpc: async (n) => (await this.tenant.post<any>('/v1/vpcs', { regionId: HW, name: `vv${n}` })).id,
      group: async (n) =>
        (
          await this.tenant.post<any>('/v1/security-groups', {
            regionId: HW,
            vpcId: this.ids['vpc:hw'],
            name: `vg${n}`,
            template: 'empty',
          })
        ).id,
      rule: async (n) =>
        (
          await this.tenant.post<any>(`/v1/security-groups/${this.ids.group}/rules`, {
            direction: 'ingress',
            protocol: 'tcp',
            ports: String(1000 + n),
            remoteIpPrefix: '10.0.0.0/8',
          })
        ).id,
      instance: async (n) =>
        (
          await this.tenant.post<any>('/v1/instances', {
            regionId: HW,
            vpcId: this.ids['vpc:hw'],
            name: `vi${n}`,
            ports: [{ ipv4: [`10.0.${100 + Math.floor(n / 250)}.${n % 250}`], groupIds: [this.ids.group] }],
          })
        ).id,
      addressGroup: async (n) =>
        (
          await this.tenant.post<any>('/v1/address-groups', {
            regionId: HW,
            name: `vag${n}`,
            entries: ['192.0.2.0/24'],
          })
        ).id,
      user: async (n) =>
        (
          await this.admin.post<any>('/v1/openstack/users', {
            tenantId: 'fz-t',
            name: `fz-vu${n}`,
            password: 'pw-victim-1',
          })
        ).id,
      appCredential: async (n) =>
        (
          await this.tenant.post<any>(`/v1/openstack/users/${this.ids.user}/application-credentials`, {
            name: `vac${n}`,
          })
        ).id,
    };
    super(makers);
    this.admin = new PalisadeClient(url, { keyId: ADMIN.id, secret: ADMIN.secret });
  }

  async setup(): Promise<void> {
    const a = this.admin;
    await a.post('/v1/regions', { id: HW, profile: 'huawei', quotas: QUOTAS });
    await a.post('/v1/regions', { id: ALI, profile: 'alibaba', quotas: QUOTAS });
    await a.post('/v1/regions', { id: OS, profile: 'openstack', quotas: QUOTAS });
    await a.post('/v1/tenants', { id: 'fz-t', name: 'fuzz tenant' });
    const key = await a.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'fz-t' });
    this.tenantKey = { id: key.id, secret: key.secret };
    this.tenant = new PalisadeClient(this.url, { keyId: key.id, secret: key.secret });
    const t = this.tenant;
    this.ids['vpc:hw'] = (
      await t.post<any>('/v1/vpcs', { regionId: HW, name: 'v-hw', cidr: '10.0.0.0/16' })
    ).id;
    this.ids['vpc:ali'] = (
      await t.post<any>('/v1/vpcs', { regionId: ALI, name: 'v-ali', cidr: '10.1.0.0/16' })
    ).id;
    const g = await t.post<any>('/v1/security-groups', {
      regionId: HW,
      vpcId: this.ids['vpc:hw'],
      name: 'g1',
    });
    this.ids.group = g.id;
    this.ids.rule = (
      await t.post<any>(`/v1/security-groups/${g.id}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        remoteIpPrefix: '192.0.2.0/24',
      })
    ).id;
    this.ids.group2 = (
      await t.post<any>('/v1/security-groups', { regionId: HW, vpcId: this.ids['vpc:hw'], name: 'g2' })
    ).id;
    this.ids.addressGroup = (
      await t.post<any>('/v1/address-groups', { regionId: HW, name: 'ag', entries: ['198.51.100.0/24'] })
    ).id;
    const inst = await t.post<any>('/v1/instances', {
      regionId: HW,
      vpcId: this.ids['vpc:hw'],
      name: 'i1',
      ports: [{ ipv4: ['10.0.0.5'], groupIds: [g.id, this.ids.group2], host: 'host-1', interface: 'eth0' }],
    });
    this.ids.instance = inst.id;
    this.ids.port = inst.ports[0].id;
    this.ids.user = (
      await a.post<any>('/v1/openstack/users', {
        tenantId: 'fz-t',
        name: 'fz-user',
        password: 'pw-fuzz-secret',
      })
    ).id;
    this.ids.appCredential = (
      await t.post<any>(`/v1/openstack/users/${this.ids.user}/application-credentials`, { name: 'ac' })
    ).id;
    this.token = (
      await a.post<any>('/v1/tokens', { accessKeyId: key.id, accessKeySecret: key.secret })
    ).token;
    Object.assign(this.ids, {
      'region:hw': HW,
      'region:ali': ALI,
      'region:os': OS,
      tenant: 'fz-t',
      accessKey: key.id,
      accessKeySecret: key.secret,
      host: 'host-1',
    });
  }
}

const ref = (name: string) => fc.constant(new Ref(name));
const refs = (...names: string[]) => fc.constantFrom(...names.map((n) => new Ref(n)));
const fzName = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), minLength: 1, maxLength: 10 })
  .map((s) => `fz-${s}`);
const cidr = fc.constantFrom(
  '10.0.0.0/8',
  '192.0.2.0/24',
  '198.51.100.7/32',
  '0.0.0.0/0',
  '2001:db8::/32',
  '::/0',
);

/** A rule the huawei profile takes: one remote, ports only for tcp/udp, ICMP fields only for icmp. */
const arbRule = fc
  .record({
    direction: fc.constantFrom('ingress', 'egress'),
    protocol: fc.constantFrom('tcp', 'udp', 'icmp', 'all', 'gre', 6),
    ports: fc.constantFrom('22', '80-82', '22,25', 443, [{ from: 1000, to: 2000 }], undefined),
    icmp: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    remote: fc.constantFrom('cidr', 'cidr6', 'group', 'addressGroup', 'none'),
    action: fc.constantFrom('allow', 'deny', undefined),
    priority: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    description: fc.option(fc.constantFrom('web', 'ssh from the office', ''), { nil: undefined }),
  })
  .map((r) => {
    const rule: Record<string, unknown> = { direction: r.direction, protocol: r.protocol };
    if ((r.protocol === 'tcp' || r.protocol === 'udp' || r.protocol === 6) && r.ports !== undefined)
      rule.ports = r.ports;
    if (r.protocol === 'icmp' && r.icmp !== undefined) rule.icmpType = r.icmp;
    if (r.remote === 'cidr') rule.remoteIpPrefix = '198.51.100.0/24';
    if (r.remote === 'cidr6') Object.assign(rule, { ethertype: 'IPv6', remoteIpPrefix: '2001:db8::/48' });
    if (r.remote === 'cidr6' && r.protocol === 'icmp') rule.protocol = 'icmpv6';
    if (r.remote === 'group') rule.remoteGroup = new Ref('group2');
    if (r.remote === 'addressGroup') rule.remoteAddressGroup = new Ref('addressGroup');
    if (r.action) rule.action = r.action;
    if (r.priority !== undefined) rule.priority = r.priority;
    if (r.description !== undefined) rule.description = r.description;
    return rule;
  });
/** A rule change: a few fields of a rule. */
const arbRulePatch = fc.oneof(
  fc.record({ description: fc.constantFrom('changed', '') }),
  fc.record({ priority: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ ports: fc.constantFrom('23', '8000-8080') }),
  fc.record({ action: fc.constantFrom('allow', 'deny') }),
);

/** Field names → plausible values, so that valid-looking requests pass validation and name real objects. */
const HINTS: Hints = {
  regionId: fc.oneof(
    { weight: 8, arbitrary: ref('region:hw') },
    { weight: 1, arbitrary: refs('region:ali', 'region:os') },
  ),
  vpcId: fc.oneof(
    { weight: 8, arbitrary: ref('vpc:hw') },
    { weight: 1, arbitrary: fc.constantFrom(new Ref('vpc:ali'), null) },
  ),
  tenantId: ref('tenant'),
  groupId: refs('group', 'group2'),
  remoteGroup: refs('group', 'group2'),
  groupIds: fc.constantFrom([new Ref('group')], [new Ref('group'), new Ref('group2')], [new Ref('group2')]),
  'groupIds[]': refs('group', 'group2'),
  ruleIds: fc.constant([new Ref('victim:rule')]),
  ruleId: ref('rule'),
  portId: ref('port'),
  addressGroupId: ref('addressGroup'),
  remoteAddressGroup: ref('addressGroup'),
  from: fc.oneof(ref('port'), fc.constantFrom('10.0.0.5', '192.0.2.1', '2001:db8::1')),
  to: fc.oneof(ref('port'), fc.constantFrom('10.0.0.5', '192.0.2.1')),
  name: fzName,
  id: fzName,
  cidr: fc.constantFrom('10.9.0.0/16', '172.16.0.0/12', '192.168.0.0/24'),
  remoteIpPrefix: cidr,
  ipv4: fc.integer({ min: 2, max: 250 }).map((n) => [`10.0.${n}.${n}`]),
  ipv6: fc.integer({ min: 2, max: 250 }).map((n) => [`2001:db8::${n.toString(16)}`]),
  publicIpv4: fc.integer({ min: 2, max: 250 }).map((n) => `203.0.113.${n}`),
  virtualIps: fc.constant(['10.0.0.100']),
  entries: fc.array(cidr, { maxLength: 3 }),
  add: fc.array(cidr, { maxLength: 2 }),
  remove: fc.array(cidr, { maxLength: 2 }),
  protocol: fc.constantFrom('tcp', 'udp', 'icmp', 'all', 'gre', 6, 17),
  // A rule's ports (an instance's ports are objects: generated from their schema).
  ports: (s) =>
    s.type === 'array' && s.items?.type === 'object' && s.items.properties?.ipv4
      ? undefined
      : fc.constantFrom('22', '80-82', 443),
  rules: fc.array(arbRule, { maxLength: 2 }),
  'rules[]': arbRule,
  rule: arbRule,
  type: fc.constantFrom('basic', undefined),
  stateful: fc.constant(true),
  innerAccessPolicy: fc.constant(undefined),
  sourcePorts: fc.constantFrom('1024-65535', 53),
  priority: fc.integer({ min: 1, max: 100 }),
  icmpType: fc.integer({ min: 0, max: 255 }),
  icmpCode: fc.integer({ min: 0, max: 255 }),
  srcPort: fc.integer({ min: 1, max: 65535 }),
  dstPort: fc.integer({ min: 1, max: 65535 }),
  password: fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 20 }),
  accessKeyId: ref('accessKey'),
  accessKeySecret: ref('accessKeySecret'),
  host: fc.constantFrom('host-1', 'host-2'),
  interface: fc.constantFrom('eth0', 'eth1'),
  expiresAt: fc.constantFrom('2099-01-01T00:00:00Z', '2000-01-01T00:00:00Z', 'not a date'),
  template: fc.constantFrom('empty', 'general-purpose-web-server', 'all-ports-open', 'nope'),
  seconds: fc.integer({ min: 0, max: 120 }),
  flags: fc.constantFrom('S', 'SA', 'A', 'FA', 'R'),
  cursor: fc.constantFrom('', 'fz', 'eyJ4IjoxfQ'),
  closed: fc.constant([]),
  ruleHits: fc.constant({}),
};

/** Path parameters: which fixture a template's parameter names (deletes get fresh victims). */
function pathRef(op: Operation, param: string): unknown {
  const p = op.path;
  const del = op.method === 'DELETE';
  if (p.startsWith('/v3/')) return param === 'project_id' ? HW : 'fz-nothing';
  if (p.startsWith('/networking/'))
    return param === 'regionId' ? OS : param === 'alias' ? 'security-group' : 'fz-nothing';
  if (p.startsWith('/identity/')) return 'fz-nothing';
  if (p.startsWith('/v1/tenants/')) return new Ref(del ? 'victim:tenant' : 'tenant');
  if (p.startsWith('/v1/access-keys/')) return new Ref('victim:accessKey');
  if (p.startsWith('/v1/regions/')) {
    if (del) return new Ref('victim:region');
    if (op.method === 'PATCH') return new Ref('region:os');
    return new Ref('region:hw');
  }
  if (p.startsWith('/v1/vpcs/')) return new Ref(del ? 'victim:vpc' : 'vpc:hw');
  if (p.startsWith('/v1/security-groups/')) {
    if (param === 'ruleId') return new Ref(del ? 'victim:rule' : 'rule');
    return new Ref(del && !p.includes('{ruleId}') ? 'victim:group' : 'group');
  }
  if (p.startsWith('/v1/instances/')) return new Ref(del ? 'victim:instance' : 'instance');
  if (p.startsWith('/v1/ports/')) return new Ref(param === 'groupId' ? 'group2' : 'port');
  if (p.startsWith('/v1/address-groups/')) return new Ref(del ? 'victim:addressGroup' : 'addressGroup');
  if (p.startsWith('/v1/openstack/users/')) {
    if (param === 'id') return new Ref('victim:appCredential');
    return new Ref(del && !p.includes('application-credentials') ? 'victim:user' : 'user');
  }
  if (p.startsWith('/v1/hosts/')) return 'host-1';
  return 'fz-nothing';
}

/** Operator-only operations: signed with the operator key most of the time. */
function operatorOnly(op: Operation): boolean {
  return (
    op.path.startsWith('/v1/tenants') ||
    (op.path.startsWith('/v1/regions') &&
      op.method !== 'GET' &&
      !op.path.includes(':check') &&
      !op.path.includes('simulations')) ||
    op.path.startsWith('/v1/hosts/')
  );
}

/** The whole-body attacks the cloud APIs' JSON generator knows too. */
const WHOLE = WHOLE_ATTACKS;
const PATH_MUTATIONS = [
  'proto',
  'long301',
  'long200',
  'hostile',
  'broken',
  'empty',
  'encodedSlash',
  'extraSegment',
] as const;
const QUERY_MUTATIONS = [
  'protoKeys',
  'protoValues',
  'repeat',
  'hostile',
  'wrongType',
  'broken',
  'emptyKeys',
] as const;
const AUTH_MUTATIONS = [
  'unsigned',
  'badSecret',
  'expired',
  'future',
  'badDate',
  'malformed',
  'basic',
  'unknownKey',
  'protoKey',
  'bearerUnknown',
  'bearerProto',
  'replay',
  'noNonce',
  'twoAuthorizations',
  'bodyTampered',
] as const;
const HEADER_MUTATIONS = ['idempotencyKey', 'ifMatch', 'accept', 'protoHeaders'] as const;

interface Sample {
  kind: 'valid' | 'field' | 'whole' | 'path' | 'query' | 'auth' | 'headers';
  who: 'admin' | 'tenant' | 'token';
  body: unknown;
  query: [string, unknown][];
  plan: MutationPlan;
  whole: (typeof WHOLE)[number];
  path: (typeof PATH_MUTATIONS)[number];
  queryMut: (typeof QUERY_MUTATIONS)[number];
  auth: (typeof AUTH_MUTATIONS)[number];
  header: (typeof HEADER_MUTATIONS)[number];
  pick: number;
  text: string;
}

/** The whole body of an operation: rules are made coherent, the rest from the schema. */
function bodyArb(op: Operation): fc.Arbitrary<unknown> {
  if (!op.body) return fc.constant(undefined);
  if (op.method === 'POST' && op.path.endsWith('/rules')) return arbRule;
  if (op.method === 'POST' && op.path.endsWith('/rules/batch'))
    return fc.array(arbRule, { minLength: 1, maxLength: 3 }).map((rules) => ({ rules }));
  if (op.method === 'PATCH' && op.path.endsWith('{ruleId}')) return arbRulePatch;
  return arbFromSchema(op.body.schema, HINTS);
}

function arbSample(op: Operation): fc.Arbitrary<Sample> {
  const hasBody = !!op.body;
  const kinds: { weight: number; arbitrary: fc.Arbitrary<Sample['kind']> }[] = [
    { weight: 5, arbitrary: fc.constant('valid') },
    { weight: hasBody ? 8 : 0, arbitrary: fc.constant('field') },
    { weight: hasBody ? 3 : 1, arbitrary: fc.constant('whole') },
    { weight: op.pathParams.length ? 3 : 1, arbitrary: fc.constant('path') },
    { weight: op.queryParams.length ? 3 : 1, arbitrary: fc.constant('query') },
    { weight: 3, arbitrary: fc.constant('auth') },
    { weight: 1, arbitrary: fc.constant('headers') },
  ].filter((k) => k.weight > 0) as { weight: number; arbitrary: fc.Arbitrary<Sample['kind']> }[];
  const query = fc.tuple(
    ...op.queryParams.map((p) => {
      const pair = arbFromSchema(p.schema, HINTS, p.name).map((v) => [p.name, v] as [string, unknown]);
      return p.required ? pair : fc.option(pair, { nil: undefined, freq: 2 });
    }),
  );
  return fc.record({
    kind: fc.oneof(...kinds),
    who: operatorOnly(op)
      ? fc.oneof(
          { weight: 5, arbitrary: fc.constant('admin' as const) },
          { weight: 1, arbitrary: fc.constant('tenant' as const) },
        )
      : fc.oneof(
          { weight: 3, arbitrary: fc.constant('tenant' as const) },
          { weight: 2, arbitrary: fc.constant('admin' as const) },
          { weight: 1, arbitrary: fc.constant('token' as const) },
        ),
    body: bodyArb(op),
    query: query.map((q) => q.filter((x): x is [string, unknown] => x !== undefined)),
    plan: arbPlan,
    whole: fc.constantFrom(...WHOLE),
    path: fc.constantFrom(...PATH_MUTATIONS),
    queryMut: fc.constantFrom(...QUERY_MUTATIONS),
    auth: fc.constantFrom(...AUTH_MUTATIONS),
    header: fc.constantFrom(...HEADER_MUTATIONS),
    pick: fc.nat(),
    text: fc.constantFrom(...URL_STRINGS),
  });
}

const apiOf = (path: string) =>
  path.startsWith('/v3/')
    ? 'Huawei routes in the native document'
    : path.startsWith('/identity')
      ? 'Keystone routes in the native document'
      : path.startsWith('/networking')
        ? 'Neutron routes in the native document'
        : 'Native';

const enc = (v: unknown) => encodeURIComponent(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
const PUBLIC = new Set(['POST /v1/tokens']);

/** One sample → a case: the request (signed at send time), its label and its oracle. */
function caseOf(op: Operation, s: Sample, fx: NativeFixtures): FuzzCase {
  const native = op.path.startsWith('/v1/');
  const labels: string[] = [];
  let reject = false;
  let repeat = 1;

  // Path: each {param} a fixture (or a mutation of one).
  const params: Record<string, unknown> = {};
  for (const p of op.pathParams) params[p.name] = pathRef(op, p.name);
  let extraSegment = '';
  const rawParams: Record<string, string> = {};
  if (s.kind === 'path') {
    const names = op.pathParams.map((p) => p.name);
    const target = names.length ? names[s.pick % names.length] : undefined;
    const proto = PROTO_NAMES[s.pick % PROTO_NAMES.length];
    switch (target === undefined ? 'extraSegment' : s.path) {
      case 'proto':
        params[target!] = proto;
        labels.push(`path parameter ${target} = ${proto}`);
        break;
      case 'long301':
        params[target!] = 'p'.repeat(301 + (s.pick % 200));
        labels.push(
          `path parameter ${target} of ${(params[target!] as string).length} characters (over the router's 300)`,
        );
        reject = true;
        break;
      case 'long200':
        params[target!] = 'q'.repeat(129 + (s.pick % 170));
        labels.push(`path parameter ${target} of ${(params[target!] as string).length} characters`);
        break;
      case 'hostile':
        params[target!] = s.text;
        labels.push(`path parameter ${target} = ${JSON.stringify(s.text.slice(0, 40))}`);
        break;
      case 'broken':
        rawParams[target!] = BROKEN_ENCODINGS[s.pick % BROKEN_ENCODINGS.length];
        labels.push(`path parameter ${target} with a broken percent-encoding ${rawParams[target!]}`);
        break;
      case 'empty':
        params[target!] = '';
        labels.push(`path parameter ${target} empty`);
        reject = true;
        break;
      case 'encodedSlash':
        rawParams[target!] = `${proto}%2F..%2F${proto}`;
        labels.push(`path parameter ${target} with encoded slashes`);
        break;
      case 'extraSegment':
        extraSegment = `/${proto}`;
        labels.push(`an extra path segment /${proto}`);
        reject = true;
        break;
    }
  }

  // Query: the sampled valid parameters, or a mutation of them.
  const query: [string, unknown][] = [...s.query];
  const rawQuery: string[] = [];
  let queryBroken = false;
  if (s.kind === 'query') {
    const proto = MAIN_PROTO_NAMES[s.pick % MAIN_PROTO_NAMES.length];
    const names = op.queryParams.map((p) => p.name);
    const name = names.length ? names[s.pick % names.length] : proto;
    switch (s.queryMut) {
      case 'protoKeys':
        query.push([proto, 'x'], [PROTO_NAMES[(s.pick + 3) % PROTO_NAMES.length], '1']);
        labels.push(`query ?${proto}=x&…`);
        break;
      case 'protoValues':
        query.push([name, proto]);
        labels.push(`query ${name}=${proto}`);
        break;
      case 'repeat':
        query.push([name, '1'], [name, '2'], [name, proto]);
        labels.push(`query ${name} repeated three times`);
        break;
      case 'hostile':
        query.push([name, s.text]);
        labels.push(`query ${name} = ${JSON.stringify(s.text.slice(0, 40))}`);
        break;
      case 'wrongType': {
        const v = ['abc', '-1', '1e309', '0x10', '1.5', '99999999999999999999', '', '[]'][s.pick % 8];
        query.push([name, v]);
        labels.push(`query ${name}=${v}`);
        break;
      }
      case 'broken':
        rawQuery.push(`${name}=${BROKEN_ENCODINGS[s.pick % BROKEN_ENCODINGS.length]}`);
        queryBroken = true;
        labels.push(`query ${name} with a broken percent-encoding`);
        break;
      case 'emptyKeys':
        rawQuery.push('=x', '', '=', '&', `${name}`);
        queryBroken = true;
        labels.push('query with empty keys and a key without =');
        break;
    }
  }

  // Body: the sampled valid body, a field mutation, or a whole-body replacement.
  let bodyValue: unknown = s.body;
  let bodyText: string | undefined;
  let contentType: string | undefined = op.body ? 'application/json' : undefined;
  let wholeNote: string | undefined;
  if (s.kind === 'field' && op.body) {
    const m = mutate(s.body, op.body.schema, s.plan);
    bodyValue = m.value;
    labels.push(`body${m.label.startsWith('(') ? ' ' : ''}${m.label}`);
  }
  if (s.kind === 'whole') {
    switch (s.whole) {
      case 'deepArray':
        wholeNote = DEEP_ARRAY_JSON;
        labels.push('body: 10,000 nested arrays');
        break;
      case 'deepObject':
        wholeNote = DEEP_OBJECT_JSON;
        labels.push('body: 10,000 nested objects');
        break;
      case 'notJson':
        wholeNote = NOT_JSON_BODIES[s.pick % NOT_JSON_BODIES.length];
        labels.push(`body not JSON (${JSON.stringify(wholeNote)}) as application/json`);
        break;
      case 'otherType': {
        const o = OTHER_BODIES[s.pick % OTHER_BODIES.length];
        wholeNote = o.body;
        contentType = o.type;
        labels.push(`body as ${o.type ?? 'no content-type'}`);
        break;
      }
      case 'empty':
        wholeNote = '';
        contentType = 'application/json';
        labels.push('empty body as application/json');
        break;
      case 'noType':
        contentType = undefined;
        labels.push('JSON body without a content-type');
        break;
      case 'array':
        wholeNote = s.pick % 2 ? '[]' : `[${toJson(s.body ?? {})}]`;
        labels.push(`body is an array ${wholeNote.slice(0, 40)}`);
        break;
      case 'primitive':
        wholeNote = ['"x"', '1', 'null', 'true', '"__proto__"', '-0', '1e400'][s.pick % 7];
        labels.push(`body is the JSON ${wholeNote}`);
        break;
      case 'dupKeys': {
        const base = toJson(s.body ?? {});
        wholeNote =
          base === '{}' ? '{"a":1,"a":2}' : `{"__proto__":{"x":1},${base.slice(1, -1)},${base.slice(1, -1)}}`;
        labels.push('body with every key twice and a "__proto__" key');
        break;
      }
      case 'huge':
        wholeNote = toJson(
          objectOf([
            ['name', HUGE],
            ['description', HUGE],
            ['x', RAW.deepArray],
          ]),
        );
        labels.push('body with 100 KB strings and a deep array');
        break;
    }
    if (!op.body && contentType === undefined && s.whole !== 'noType') contentType = 'application/json';
  }

  // Credentials.
  let who = s.who;
  let authMut: (typeof AUTH_MUTATIONS)[number] | undefined;
  if (s.kind === 'auth') {
    authMut = s.auth;
    labels.push(`credentials: ${s.auth}`);
    // A replay needs a signature (nonces): a bearer token or an unsigned request may be resent.
    if (s.auth === 'replay') repeat = native && !PUBLIC.has(op.key) ? 2 : 1;
    // Two Authorization headers: Node keeps the first (a valid signature here), so no verdict.
    else if (native && !PUBLIC.has(op.key) && s.auth !== 'twoAuthorizations') reject = true;
  } else labels.push(`as ${who}`);
  let headerMut: (typeof HEADER_MUTATIONS)[number] | undefined;
  if (s.kind === 'headers') {
    headerMut = s.header;
    labels.push(`header: ${s.header}`);
  }
  if (!native) who = 'tenant';

  const c: FuzzCase = {
    api: apiOf(op.path),
    op: op.key,
    label: labels.join('; '),
    // Who signed is incidental: what provoked a failure is the mutation.
    trigger: labels.filter((l) => !l.startsWith('as ')).join('; ') || 'a valid request',
    envelope: envelopeForPath(op.path),
    repeat,
    // A request sent to another path (an extra segment) is that path's, not this operation's.
    checks: native && extraSegment === '' ? [documentedResponse(op)] : [],
    build: async () => {
      const { value: resolved, used } = await fx.resolve({ params, body: bodyValue, query });
      const r = resolved as { params: Record<string, string>; body: unknown; query: [string, unknown][] };
      (c as FuzzCase & { used?: string[] }).used = used;
      let path = op.path;
      const decodedParams: Record<string, string> = {};
      for (const p of op.pathParams) {
        const raw = rawParams[p.name] ?? enc(r.params[p.name]);
        decodedParams[p.name] = rawParams[p.name] ?? String(r.params[p.name]);
        path = path.replace(`{${p.name}}`, raw);
      }
      path += extraSegment;
      const pairs = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${enc(v)}`);
      const search = [...pairs, ...rawQuery].join('&');
      const fullPath = search ? `${path}?${search}` : path;
      if (wholeNote !== undefined) bodyText = wholeNote;
      else if (op.body || s.kind === 'whole') bodyText = r.body === undefined ? undefined : toJson(r.body);
      if (s.kind === 'whole' && s.whole === 'noType' && bodyText === undefined) bodyText = '{"a":1}';

      // The document's verdict: a request it does not allow must be refused.
      const queryObj: Record<string, string | string[]> = {};
      for (const [k, v] of r.query) {
        const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
        const prev = Object.prototype.hasOwnProperty.call(queryObj, k) ? queryObj[k] : undefined;
        Object.defineProperty(queryObj, k, {
          value: prev === undefined ? text : [...(Array.isArray(prev) ? prev : [prev]), text],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      if (native) {
        const bodyOk =
          s.kind === 'whole' &&
          (contentType === undefined || !contentType.startsWith('application/json')) &&
          op.body
            ? false
            : bodyAllowed(op, bodyText);
        if (!bodyOk && op.body) reject = true;
        if (!queryBroken && !Object.keys(rawParams).length && !paramsAllowed(op, queryObj, decodedParams))
          reject = true;
        c.expect = reject ? 'reject' : undefined;
      }

      const headers: Record<string, string | string[]> = {};
      if (contentType !== undefined && bodyText !== undefined) headers['content-type'] = contentType;
      const signedBody = bodyText ?? '';
      const key = who === 'admin' ? ADMIN : fx.tenantKey;
      if (!native) {
        // Another API's route in the native document: sent as a client of that API would, unsigned.
      } else if (authMut === undefined || authMut === 'replay') {
        if (who === 'token' && authMut !== 'replay') headers.authorization = `Bearer ${fx.token}`;
        else Object.assign(headers, nativeHeaders(key, op.method, fullPath, signedBody));
      } else {
        const now = Date.now();
        switch (authMut) {
          case 'unsigned':
            break;
          case 'badSecret':
            Object.assign(
              headers,
              nativeHeaders({ id: key.id, secret: 'wrong-secret' }, op.method, fullPath, signedBody),
            );
            break;
          case 'expired':
            Object.assign(
              headers,
              nativeHeaders(key, op.method, fullPath, signedBody, { at: now - 10 * 60_000 }),
            );
            break;
          case 'future':
            Object.assign(
              headers,
              nativeHeaders(key, op.method, fullPath, signedBody, { at: now + 10 * 60_000 }),
            );
            break;
          case 'badDate': {
            const h = nativeHeaders(key, op.method, fullPath, signedBody);
            h['x-palisade-date'] = ['yesterday', '', '2026-13-45T99:99:99Z', '1e400', 'Infinity'][s.pick % 5];
            Object.assign(headers, h);
            break;
          }
          case 'malformed':
            headers.authorization = [
              'PALISADE-HMAC-SHA256 ',
              'PALISADE-HMAC-SHA256 Credential',
              'PALISADE-HMAC-SHA256 ,,,=,=',
              `PALISADE-HMAC-SHA256 Credential=${key.id}`,
            ][s.pick % 4];
            headers['x-palisade-date'] = new Date(now).toISOString();
            headers['x-palisade-nonce'] = nonce();
            break;
          case 'basic':
            headers.authorization = [
              'Basic YWRtaW46YWRtaW4=',
              'Digest x',
              'bearer',
              'Bearer',
              'Bearer ',
              '__proto__',
            ][s.pick % 6];
            break;
          case 'unknownKey':
            Object.assign(
              headers,
              nativeHeaders({ id: 'PKDOESNOTEXIST', secret: key.secret }, op.method, fullPath, signedBody),
            );
            break;
          case 'protoKey':
            Object.assign(
              headers,
              nativeHeaders(
                { id: PROTO_NAMES[s.pick % PROTO_NAMES.length], secret: key.secret },
                op.method,
                fullPath,
                signedBody,
              ),
            );
            break;
          case 'bearerUnknown':
            headers.authorization = `Bearer ${nonce()}${nonce()}`;
            break;
          case 'bearerProto':
            headers.authorization = `Bearer ${PROTO_NAMES[s.pick % PROTO_NAMES.length]}`;
            break;
          case 'noNonce': {
            const h = nativeHeaders(key, op.method, fullPath, signedBody);
            delete (h as Record<string, string>)['x-palisade-nonce'];
            Object.assign(headers, h);
            break;
          }
          case 'twoAuthorizations': {
            const h = nativeHeaders(key, op.method, fullPath, signedBody);
            Object.assign(headers, h, { authorization: [h.authorization, `Bearer ${fx.token}`] });
            break;
          }
          case 'bodyTampered':
            Object.assign(headers, nativeHeaders(key, op.method, fullPath, `${signedBody} `));
            break;
        }
      }
      if (headerMut) {
        const proto = PROTO_NAMES[s.pick % PROTO_NAMES.length];
        if (headerMut === 'idempotencyKey')
          headers['idempotency-key'] = [proto, 'k'.repeat(256), `${proto}-${s.pick}`][s.pick % 3];
        if (headerMut === 'ifMatch')
          headers['if-match'] = [proto, '"-1"', '"99999999999999999999"', 'W/"x"', '*', '""'][s.pick % 6];
        if (headerMut === 'accept')
          headers.accept = ['application/xml', 'text/html', '*/*;q=0', proto][s.pick % 4];
        if (headerMut === 'protoHeaders') {
          headers[proto.toLowerCase()] = 'x';
          headers['x-forwarded-proto'] = proto;
          headers['last-event-id'] = proto;
        }
      }
      const req: RawRequest = { method: op.method, path: fullPath, headers };
      if (bodyText !== undefined) req.body = bodyText;
      c.recipe = bodyText ? recipeOf(bodyText) : undefined;
      return req;
    },
  };
  return c;
}

/** A few requests no operation's schema covers: unknown routes, methods, an oversized body. */
function extraCases(fx: NativeFixtures): FuzzCase[] {
  const signed = (method: string, path: string, body?: string, type = 'application/json'): RawRequest => ({
    method,
    path,
    headers: {
      ...nativeHeaders(fx.tenantKey, method, path, body ?? ''),
      ...(body !== undefined ? { 'content-type': type } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const cases: FuzzCase[] = [];
  const add = (
    op: string,
    label: string,
    build: () => RawRequest,
    verdict: 'reject' | undefined = 'reject',
  ) => cases.push({ api: 'Native', op, label, build, envelope: problemJson, expect: verdict });
  // Every prototype name as a rule's protocol, direction and ethertype, and as a limit: refused.
  for (const p of PROTO_NAMES) {
    for (const [field, rule] of [
      ['protocol', { direction: 'ingress', protocol: p }],
      ['direction', { direction: p, protocol: 'tcp' }],
      ['ethertype', { direction: 'ingress', protocol: 'tcp', ethertype: p }],
      ['action', { direction: 'ingress', protocol: 'tcp', action: p }],
    ] as [string, object][])
      add('POST /v1/security-groups/{id}/rules', `body.${field} = "${p}"`, () =>
        signed('POST', `/v1/security-groups/${fx.ids.group}/rules`, JSON.stringify(rule)),
      );
    add('GET /v1/security-groups', `query ?limit=${p}&${p}=x`, () =>
      signed('GET', `/v1/security-groups?limit=${p}&${p}=x`),
    );
  }
  for (const p of MAIN_PROTO_NAMES) {
    add('unknown route', `GET /v1/${p}`, () => signed('GET', `/v1/${p}`));
    add('unknown route', `GET /v1/security-groups/x/${p}`, () => signed('GET', `/v1/security-groups/x/${p}`));
    add('unknown route', `POST /v1/${p}/${p} with a JSON body`, () =>
      signed('POST', `/v1/${p}/${p}`, '{"a":1}'),
    );
  }
  add('unknown route', 'GET /v1/ (no resource)', () => signed('GET', '/v1/'));
  add(
    'unknown route',
    'GET /v1/security-groups/ (trailing slash)',
    () => signed('GET', '/v1/security-groups/'),
    undefined,
  );
  add('unknown route', 'PUT /v1/tenants (a method the route lacks)', () =>
    signed('PUT', '/v1/tenants', '{}'),
  );
  add(
    'unknown route',
    'OPTIONS /v1/security-groups',
    () => signed('OPTIONS', '/v1/security-groups'),
    undefined,
  );
  add('unknown route', 'a 12,000-character path', () =>
    signed('GET', `/v1/security-groups/${'l'.repeat(12_000)}`),
  );
  add('POST /v1/security-groups', 'a 9 MB body (over the 8 MB limit)', () =>
    signed(
      'POST',
      '/v1/security-groups',
      toJson({
        regionId: HW,
        vpcId: fx.ids['vpc:hw'],
        name: 'big',
        description: 'd'.repeat(9 * 1024 * 1024),
      }),
    ),
  );
  add('POST /v1/security-groups', 'a body of 100 KB strings in every field', () =>
    signed(
      'POST',
      '/v1/security-groups',
      toJson({ regionId: HUGE, vpcId: HUGE, name: HUGE, description: HUGE }),
    ),
  );
  add('GET /v1/security-groups', 'unsigned, with a body', () => ({
    method: 'GET',
    path: '/v1/security-groups',
    headers: { 'content-type': 'application/json' },
    body: '{',
  }));
  add('HEAD /v1/security-groups/{id}', 'HEAD of a group named __proto__', () =>
    signed('HEAD', '/v1/security-groups/__proto__'),
  );
  return cases;
}

async function fuzzNative(t: FuzzServer, store: StoreKind) {
  const fx = new NativeFixtures(t.url);
  await fx.setup();
  const doc = (await send(t.url, { method: 'GET', path: '/openapi.json', headers: {} })).json as any;
  const ops = operationsOf(doc);
  const run = new FuzzRun(t.url, `native-${store}`, SEED);
  await run.resync();
  let writes = fx.writes;
  const started = Date.now();
  for (const [i, op] of ops.entries()) {
    const native = op.path.startsWith('/v1/');
    const samples = fc.sample(arbSample(op), { seed: SEED + i, numRuns: native ? RUNS : OTHER_RUNS });
    for (const s of samples) {
      const c = caseOf(op, s, fx);
      const built = c.build;
      // Victims made while building are writes outside the measured request.
      c.build = async () => {
        const req = await built();
        if (fx.writes !== writes) {
          writes = fx.writes;
          await run.resync();
        }
        return req;
      };
      const answers = await run.run(c);
      if (answers[0] && answers[0].status < 300)
        fx.consumed((c as FuzzCase & { used?: string[] }).used ?? []);
    }
  }
  for (const c of extraCases(fx)) await run.run(c);
  console.log(
    `native fuzz on ${store} (seed ${SEED}): ${ops.length} operations, ${run.requests} requests, ${run.failures.length} failing checks, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { run, ops };
}

describe.each(STORES_TO_RUN)('native API fuzz on %s', (store) => {
  let db: TestDatabase;
  let t: FuzzServer;
  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startFuzzServer(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  // First, before the fuzz makes tenants with such ids itself.
  it('prototype names are ordinary data: ids, names and tag keys keep them', async () => {
    const admin = new PalisadeClient(t.url, { keyId: ADMIN.id, secret: ADMIN.secret });
    const problems: string[] = [];
    const region = `fz-data-${store}`;
    await admin.post('/v1/regions', { id: region, profile: 'huawei' });
    for (const name of MAIN_PROTO_NAMES) {
      const tenant = await admin.request<any>('POST', '/v1/tenants', { id: name, name }, { raw: true });
      const read = await admin.request<any>('GET', `/v1/tenants/${encodeURIComponent(name)}`, undefined, {
        raw: true,
      });
      if (tenant.status !== 201 || read.status !== 200 || read.body?.id !== name)
        problems.push(
          `POST /v1/tenants {id: "${name}"} answered ${tenant.status}, GET /v1/tenants/${name} ${read.status} ${JSON.stringify(read.body).slice(0, 150)}`,
        );
      const vpc = await admin.request<any>(
        'POST',
        '/v1/vpcs',
        { regionId: region, name, tenantId: name },
        { raw: true },
      );
      const group = await admin.request<any>(
        'POST',
        '/v1/security-groups',
        {
          regionId: region,
          vpcId: vpc.body?.id ?? null,
          name,
          description: name,
          tenantId: name,
          tags: objectOf([[name, name]]),
        },
        { raw: true },
      );
      if (group.status !== 201 || group.body?.name !== name || !Object.hasOwn(group.body?.tags ?? {}, name))
        problems.push(
          `POST /v1/security-groups {name: "${name}", tags: {"${name}": "${name}"}} answered ${group.status} ${JSON.stringify(group.body).slice(0, 200)}`,
        );
    }
    expect(problems).toEqual([]);
  });

  it(`every operation of /openapi.json, valid and hostile (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const { run } = await fuzzNative(t, store);
    run.assertClean();
  });

  it('the native OpenAPI document describes the native API (/v1, and its health) only', async () => {
    const doc = (await send(t.url, { method: 'GET', path: '/openapi.json', headers: {} })).json as any;
    const health = new Set(['/healthz', '/readyz']);
    const foreign = Object.keys(doc.paths).filter((p) => !p.startsWith('/v1/') && !health.has(p));
    expect(foreign, 'paths of other APIs (Huawei, Keystone, Neutron) listed in the native document').toEqual(
      [],
    );
  });
});
