// Fuzz of the Huawei VPC v3 front end (/v3/{project_id}/vpc/...): every route of groups.ts,
// rules.ts and address-groups.ts with valid-looking bodies (signed SDK-HMAC-SHA256 with a tenant
// key, so the handlers run) and hostile ones: a field missing, unknown, of the wrong type, out of
// range, overlong, 100 KB, 10,000 levels deep, Object.prototype names as keys and values
// (protocol "__proto__", ethertype "constructor", tag key "__proto__"), bodies that are not JSON;
// query filters with prototype names, repeated or broken; overlong and prototype-named ids and
// project ids; broken credentials (unsigned, wrong secret, expired, replayed write, operator
// key, X-Project-Id of another project). Every answer: never 5xx; an error is Huawei's
// {request_id?, error_code, error_msg}; an error changes nothing; what must fail fails.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { huaweiError } from '../support/fuzz/envelopes.js';
import { Fixtures, nativeMakers } from '../support/fuzz/fixtures.js';
import { type FuzzServer, startFuzzServer } from '../support/fuzz/server.js';
import { type RawRequest, send } from '../support/fuzz/http.js';
import {
  arbJsonSample,
  fillPath,
  type JsonSample,
  mutatedBody,
  pathAttack,
  queryAttack,
  type Route,
  wholeBody,
} from '../support/fuzz/json-api.js';
import { type FuzzCase, FuzzRun, seedOf } from '../support/fuzz/runner.js';
import { type Hints, Ref } from '../support/fuzz/schema.js';
import { huaweiHeaders, type Key } from '../support/fuzz/signing.js';
import { MAIN_PROTO_NAMES, PROTO_NAMES, recipeOf, toJson } from '../support/fuzz/values.js';
import { freshDatabase, TEST_ENV, type TestDatabase } from '../support/servers.js';

const SEED = seedOf(20261126);
const RUNS = Number(process.env.FUZZ_RUNS) || 45;
const PROJECT = 'cn-fuzz-4';
const OTHER_PROFILE = 'fz-os-other';
const ADMIN: Key = { id: TEST_ENV.PALISADE_ADMIN_KEY_ID, secret: TEST_ENV.PALISADE_ADMIN_SECRET };

const str = (maxLength: number, extra: object = {}) => ({ type: 'string', maxLength, ...extra });
const RULE_SCHEMA = {
  type: 'object',
  required: ['direction'],
  properties: {
    security_group_id: str(64),
    direction: { enum: ['ingress', 'egress'] },
    ethertype: { enum: ['IPv4', 'IPv6'] },
    protocol: str(16),
    multiport: str(64),
    remote_ip_prefix: str(64),
    remote_group_id: str(64),
    remote_address_group_id: str(64),
    action: { enum: ['allow', 'deny'] },
    priority: { anyOf: [str(3), { type: 'integer', minimum: 1, maximum: 100 }] },
    description: str(255),
    enabled: { type: 'boolean' },
  },
};
const TAGS = {
  type: 'array',
  maxItems: 20,
  items: { type: 'object', required: ['key'], properties: { key: str(128), value: str(255) } },
};
const GROUP_BODY = {
  type: 'object',
  required: ['security_group'],
  properties: {
    security_group: {
      type: 'object',
      required: ['name'],
      properties: { name: str(64), description: str(255), enterprise_project_id: str(36), tags: TAGS },
    },
    dry_run: { type: 'boolean' },
  },
};
const GROUP_UPDATE = {
  type: 'object',
  required: ['security_group'],
  properties: {
    security_group: { type: 'object', properties: { name: str(64), description: str(255) } },
    dry_run: { type: 'boolean' },
  },
};
const RULE_BODY = {
  type: 'object',
  required: ['security_group_rule'],
  properties: {
    security_group_rule: { ...RULE_SCHEMA, required: ['security_group_id', 'direction'] },
    dry_run: { type: 'boolean' },
  },
};
const BATCH_BODY = {
  type: 'object',
  required: ['security_group_rules'],
  properties: {
    security_group_rules: { type: 'array', minItems: 1, maxItems: 3, items: RULE_SCHEMA },
    ignore_duplicate: { type: 'boolean' },
    dry_run: { type: 'boolean' },
  },
};
const AG = {
  name: str(64),
  description: str(255),
  ip_set: { type: 'array', maxItems: 20, items: str(64) },
  max_capacity: { type: 'integer', minimum: 1, maximum: 20000 },
};
const AG_BODY = {
  type: 'object',
  required: ['address_group'],
  properties: {
    address_group: {
      type: 'object',
      required: ['name', 'ip_version'],
      properties: { ...AG, ip_version: { enum: [4, 6] }, enterprise_project_id: str(36) },
    },
    dry_run: { type: 'boolean' },
  },
};
const AG_UPDATE = {
  type: 'object',
  required: ['address_group'],
  properties: { address_group: { type: 'object', properties: AG }, dry_run: { type: 'boolean' } },
};

const text = (...v: string[]) => fc.constantFrom(...v);
const hwName = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_.-'),
    minLength: 1,
    maxLength: 12,
  })
  .map((s) => `fz${s}`);
const GROUP_QUERY = {
  id: fc.constant('sg-nope'),
  name: text('g1', 'constructor'),
  description: text('d'),
  enterprise_project_id: text('0', 'all_granted_eps'),
  limit: text('1', '10', '0', '2000'),
  marker: text('sg-0'),
};
const RULE_QUERY = {
  id: text('sgr-nope'),
  security_group_id: text('sg-nope'),
  protocol: text('tcp', 'udp', 'icmp', '6'),
  description: text('x'),
  remote_group_id: text('sg-nope'),
  direction: text('ingress', 'egress'),
  action: text('allow', 'deny'),
  remote_ip_prefix: text('10.0.0.0/8'),
  priority: text('1', '100'),
  ethertype: text('IPv4', 'ipv6'),
  remote_address_group_id: text('ag-nope'),
  enabled: text('true', 'false'),
  limit: text('5'),
  marker: text('sgr-0'),
};
const AG_QUERY = {
  id: text('ag-nope'),
  name: text('ag1'),
  description: text('d'),
  ip_version: text('4', '6'),
  enterprise_project_id: text('0'),
  limit: text('10'),
  marker: text('ag-0'),
};

const V3 = '/v3/{project_id}/vpc';
/** Every route of groups.ts, rules.ts and address-groups.ts; {id} names the fixture `ref`. */
const ROUTES: (Route & { ref?: string })[] = [
  { method: 'POST', path: `${V3}/security-groups`, body: GROUP_BODY },
  { method: 'GET', path: `${V3}/security-groups`, query: GROUP_QUERY },
  { method: 'GET', path: `${V3}/security-groups/{id}`, ref: 'group' },
  { method: 'PUT', path: `${V3}/security-groups/{id}`, body: GROUP_UPDATE, ref: 'group' },
  { method: 'DELETE', path: `${V3}/security-groups/{id}`, ref: 'victim:group' },
  { method: 'POST', path: `${V3}/security-group-rules`, body: RULE_BODY },
  {
    method: 'POST',
    path: `${V3}/security-groups/{id}/security-group-rules/batch-create`,
    body: BATCH_BODY,
    ref: 'group',
  },
  { method: 'GET', path: `${V3}/security-group-rules`, query: RULE_QUERY },
  { method: 'GET', path: `${V3}/security-group-rules/{id}`, ref: 'rule' },
  { method: 'DELETE', path: `${V3}/security-group-rules/{id}`, ref: 'victim:rule' },
  { method: 'POST', path: `${V3}/address-groups`, body: AG_BODY },
  { method: 'GET', path: `${V3}/address-groups`, query: AG_QUERY },
  { method: 'GET', path: `${V3}/address-groups/{id}`, ref: 'addressGroup' },
  { method: 'PUT', path: `${V3}/address-groups/{id}`, body: AG_UPDATE, ref: 'addressGroup' },
  { method: 'DELETE', path: `${V3}/address-groups/{id}`, ref: 'victim:addressGroup' },
  { method: 'DELETE', path: `${V3}/address-groups/{id}/force`, ref: 'victim:addressGroup' },
];

/** A rule the huawei profile takes: ports only for tcp/udp, one remote of the rule's family. */
const arbRule = (withGroup: boolean) =>
  fc
    .record({
      direction: text('ingress', 'egress'),
      protocol: fc.constantFrom('tcp', 'udp', 'icmp', '', undefined, '6', 'TCP'),
      multiport: fc.constantFrom('80', '1-30', '22,3389,80', '80,500,600-800', undefined),
      remote: fc.constantFrom('cidr', 'group', 'addressGroup', 'none'),
      action: fc.constantFrom('allow', 'deny', undefined),
      priority: fc.constantFrom('1', '50', 100, undefined),
      description: fc.constantFrom('web', '', undefined),
      port: fc.integer({ min: 1, max: 65535 }),
    })
    .map((r) => {
      const rule: Record<string, unknown> = { direction: r.direction, ethertype: 'IPv4' };
      if (withGroup) rule.security_group_id = new Ref('group');
      if (r.protocol !== undefined) rule.protocol = r.protocol;
      if (r.multiport !== undefined && ['tcp', 'udp', '6', 'TCP'].includes(r.protocol ?? ''))
        rule.multiport = r.multiport === '80' ? String(r.port) : r.multiport;
      if (r.remote === 'cidr') rule.remote_ip_prefix = `10.${r.port % 250}.0.0/16`;
      if (r.remote === 'group') rule.remote_group_id = new Ref('group2');
      if (r.remote === 'addressGroup') rule.remote_address_group_id = new Ref('addressGroup');
      if (r.action) rule.action = r.action;
      if (r.priority !== undefined) rule.priority = r.priority;
      if (r.description !== undefined) rule.description = r.description;
      return rule;
    });

const HINTS: Hints = {
  name: hwName,
  description: text('a fuzz object', 'web tier', ''),
  enterprise_project_id: text('0'),
  key: text('env', 'team'),
  value: text('prod', ''),
  ip_set: fc.constantFrom(['10.0.0.0/24'], ['192.0.2.1', '198.51.100.0/24'], []),
  max_capacity: fc.constantFrom(20, 100),
  security_group_rule: arbRule(true),
  'security_group_rules[]': arbRule(false),
  security_group_rules: fc.array(arbRule(false), { minLength: 1, maxLength: 3 }),
  dry_run: fc.constantFrom(false, false, true),
  ip_version: fc.constant(4),
};

const AUTH = [
  'unsigned',
  'badSecret',
  'expired',
  'future',
  'badDate',
  'unknownKey',
  'protoKey',
  'adminKey',
  'replay',
  'unsignedHost',
  'projectHeader',
  'malformed',
  'bodyTampered',
] as const;
type Auth = (typeof AUTH)[number];
const ATTACKS = [
  'valid',
  'valid',
  'valid',
  'field',
  'field',
  'field',
  'whole',
  'path',
  'project',
  'query',
  'auth',
  'auth',
] as const;
type Attack = (typeof ATTACKS)[number];

/** Fields whose value is one of a few words (or an id): a prototype name there must be refused. */
const CLOSED_FIELDS = new Set([
  'direction',
  'ethertype',
  'protocol',
  'action',
  'ip_version',
  'security_group_id',
  'remote_group_id',
  'remote_address_group_id',
]);
/** Fields a request cannot do without. */
const REQUIRED_FIELDS = new Set([
  'security_group',
  'security_group_rule',
  'security_group_rules',
  'address_group',
  'direction',
  'ip_version',
  'security_group_id',
]);

describe('Huawei VPC v3 fuzz', () => {
  let db: TestDatabase;
  let t: FuzzServer;
  let fx: Fixtures;
  let key: Key;
  let host: string;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startFuzzServer(db);
    host = new URL(t.url).host;
    const admin = new PalisadeClient(t.url, { keyId: ADMIN.id, secret: ADMIN.secret });
    const quotas = { groupsPerTenant: 2000, rulesPerGroup: 2000, addressGroupsPerTenant: 2000 };
    await admin.post('/v1/regions', { id: PROJECT, profile: 'huawei', quotas });
    await admin.post('/v1/regions', { id: OTHER_PROFILE, profile: 'openstack' });
    await admin.post('/v1/tenants', { id: 'fz-hw', name: 'fuzz' });
    const k = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'fz-hw' });
    key = { id: k.id, secret: k.secret };
    const tenant = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    const vpc = (
      await tenant.post<any>('/v1/vpcs', { regionId: PROJECT, name: 'default', cidr: '10.0.0.0/8' })
    ).id;
    const group = (
      await tenant.post<any>('/v1/security-groups', { regionId: PROJECT, vpcId: vpc, name: 'g1' })
    ).id;
    const group2 = (
      await tenant.post<any>('/v1/security-groups', { regionId: PROJECT, vpcId: vpc, name: 'g2' })
    ).id;
    const rule = (
      await tenant.post<any>(`/v1/security-groups/${group}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        remoteIpPrefix: '192.0.2.0/24',
      })
    ).id;
    const addressGroup = (
      await tenant.post<any>('/v1/address-groups', {
        regionId: PROJECT,
        name: 'ag1',
        entries: ['198.51.100.0/24'],
      })
    ).id;
    fx = new Fixtures(nativeMakers(tenant, PROJECT, vpc, group));
    Object.assign(fx.ids, { group, group2, rule, addressGroup });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** One sample of one route → a case (signed when sent). */
  function caseOf(
    route: Route & { ref?: string },
    s: JsonSample,
    attack: Attack,
    auth: Auth,
    runWrites: () => Promise<void>,
  ): FuzzCase {
    const labels: string[] = [];
    let trigger = 'a valid request';
    let reject = false;
    const params: Record<string, unknown> = { project_id: PROJECT, id: route.ref ? new Ref(route.ref) : 'x' };
    const rawParams: Record<string, string> = {};
    let extraSegment = '';
    let body: unknown = s.body;
    let bodyText: string | undefined;
    let type: string | undefined = route.body ? 'application/json' : undefined;
    const rawQuery: string[] = [];
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => n !== 'project_id');
    switch (attack) {
      case 'valid':
        break;
      case 'field': {
        if (!route.body) break;
        const m = mutatedBody(route, s);
        body = m.value;
        labels.push(m.label);
        trigger = m.label
          .replace(/\[\d+\]/g, '[i]')
          .replace(/ = .*$/, s.plan.kind === 'protoValue' ? ' = <inherited name>' : ` (${s.plan.kind})`);
        // A prototype name in a closed vocabulary, or a required field missing: refused.
        if (s.plan.kind === 'protoValue' && CLOSED_FIELDS.has(m.field)) reject = true;
        if (s.plan.kind === 'missing' && REQUIRED_FIELDS.has(m.field)) reject = true;
        break;
      }
      case 'whole': {
        if (!route.body) {
          const w = wholeBody(s);
          bodyText = w.text;
          type = w.type;
          labels.push(`${w.label} (on a route without a body)`);
          trigger = `${w.label} (on a route without a body)`.replace(/\(".*"\)/, '');
          break;
        }
        const w = wholeBody(s);
        bodyText = w.text;
        type = w.type;
        labels.push(w.label);
        trigger = w.label.replace(/\(".*"\)/, '');
        if (s.whole !== 'noType' && s.whole !== 'dupKeys') reject = true;
        break;
      }
      case 'path': {
        const a = pathAttack(s, names);
        labels.push(a.label);
        trigger = a.trigger;
        if (a.extra) extraSegment = a.extra;
        else if (a.name) rawParams[a.name] = a.raw!;
        reject = true;
        break;
      }
      case 'project': {
        const proto = PROTO_NAMES[s.pick % PROTO_NAMES.length];
        const variants: [string, string][] = [
          [proto, 'project_id = <inherited name>'],
          ['p'.repeat(301), 'project_id over 300 characters'],
          [OTHER_PROFILE, 'project_id of an openstack region'],
          ['cn-nowhere-1', 'an unknown project_id'],
          ['%ED%A0%80', 'project_id with a broken percent-encoding'],
        ];
        const [raw, what] = variants[s.pick % variants.length];
        rawParams.project_id = raw;
        labels.push(`${what} (${raw.slice(0, 30)})`);
        trigger = what;
        reject = true;
        break;
      }
      case 'query': {
        const a = queryAttack(s, Object.keys(route.query ?? { id: null }));
        rawQuery.push(...a.raw);
        labels.push(a.label);
        trigger = a.trigger;
        if (/limit=/.test(a.raw.join('&')) && s.queryAttack === 'protoValues') reject = true;
        break;
      }
      case 'auth':
        labels.push(`credentials: ${auth}`);
        trigger = `credentials: ${auth}`;
        if (auth !== 'replay') reject = true;
        break;
    }
    let used: string[] = [];
    const c: FuzzCase & { used?: string[] } = {
      api: 'Huawei VPC v3',
      op: `${route.method} ${route.path}`,
      label: labels.join('; ') || 'valid',
      trigger,
      envelope: huaweiError,
      expect: reject ? 'reject' : undefined,
      // Huawei reads carry no nonce (the SDK signs them to the second): only writes are replays.
      repeat: attack === 'auth' && auth === 'replay' && route.method !== 'GET' ? 2 : 1,
      build: async () => {
        const r = await fx.resolve({ params, body, query: s.query });
        used = r.used;
        c.used = used;
        const v = r.value as { params: Record<string, string>; body: unknown; query: [string, string][] };
        let path = fillPath(route.path, v.params, rawParams) + extraSegment;
        const attacked = new Set(rawQuery.map((pair) => pair.split('=')[0]));
        const sampled = v.query.filter(([k]) => !attacked.has(k));
        const search = [
          ...sampled.map(([k, x]) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
          ...rawQuery,
        ].join('&');
        if (search) path += `?${search}`;
        if (bodyText === undefined && route.body) bodyText = toJson(v.body);
        const now = Date.now();
        const extra: Record<string, string> = {};
        if (type !== undefined && bodyText !== undefined) extra['content-type'] = type;
        if (attack === 'auth' && auth === 'projectHeader') extra['x-project-id'] = OTHER_PROFILE;
        else if (attack !== 'project') extra['x-project-id'] = PROJECT;
        const signWith =
          attack === 'auth' && auth === 'badSecret'
            ? { ...key, secret: 'wrong' }
            : attack === 'auth' && auth === 'adminKey'
              ? ADMIN
              : key;
        const at =
          attack === 'auth' && auth === 'expired'
            ? now - 20 * 60_000
            : attack === 'auth' && auth === 'future'
              ? now + 20 * 60_000
              : now;
        let headers: Record<string, string> = huaweiHeaders(
          signWith,
          host,
          route.method,
          path,
          bodyText ?? '',
          { at, extra },
        );
        if (attack === 'auth') {
          const proto = MAIN_PROTO_NAMES[s.pick % MAIN_PROTO_NAMES.length];
          if (auth === 'unsigned') delete headers.authorization;
          if (auth === 'badDate')
            headers['x-sdk-date'] = ['20261340T999999Z', 'yesterday', '', '2026-11-24T15:04:27Z'][s.pick % 4];
          if (auth === 'unknownKey')
            headers.authorization = headers.authorization.replace(`Access=${key.id}`, 'Access=NOSUCHKEY');
          if (auth === 'protoKey')
            headers.authorization = headers.authorization.replace(`Access=${key.id}`, `Access=${proto}`);
          if (auth === 'unsignedHost')
            headers.authorization = headers.authorization.replace(
              /SignedHeaders=[^,]*/,
              'SignedHeaders=x-sdk-date',
            );
          if (auth === 'malformed')
            headers.authorization = [
              'SDK-HMAC-SHA256 ',
              'SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=',
              'SDK-HMAC-SHA1 Access=a',
              `Bearer ${proto}`,
            ][s.pick % 4];
          if (auth === 'bodyTampered' && bodyText !== undefined) bodyText = `${bodyText} `;
          if (auth === 'bodyTampered' && bodyText === undefined)
            headers = { ...headers, 'x-sdk-date': '20000101T000000Z' };
        }
        await runWrites();
        const req: RawRequest = { method: route.method, path, headers };
        if (bodyText !== undefined) req.body = bodyText;
        c.recipe = bodyText ? recipeOf(bodyText) : undefined;
        return req;
      },
    };
    return c;
  }

  it(`every route, valid and hostile, signed and not (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const run = new FuzzRun(t.url, 'huawei', SEED);
    await run.resync();
    let writes = fx.writes;
    const afterWrites = async () => {
      if (fx.writes !== writes) {
        writes = fx.writes;
        await run.resync();
      }
    };
    const started = Date.now();
    for (const [i, route] of ROUTES.entries()) {
      const samples = fc.sample(
        fc.tuple(arbJsonSample(route, HINTS), fc.constantFrom(...ATTACKS), fc.constantFrom(...AUTH)),
        { seed: SEED + i, numRuns: RUNS },
      );
      for (const [s, attack, auth] of samples) {
        const c = caseOf(route, s, attack, auth, afterWrites);
        const answers = await run.run(c);
        if (answers[0] && answers[0].status < 300) fx.consumed((c as { used?: string[] }).used ?? []);
      }
    }
    // Every prototype name in every closed rule field, and as a list's limit: all refused.
    for (const name of PROTO_NAMES) {
      for (const field of ['protocol', 'ethertype', 'direction', 'action', 'remote_group_id']) {
        const rule: Record<string, unknown> = { security_group_id: fx.ids.group, direction: 'ingress' };
        rule[field] = name;
        const body = JSON.stringify({ security_group_rule: rule });
        const path = `/v3/${PROJECT}/vpc/security-group-rules`;
        await run.run({
          api: 'Huawei VPC v3',
          op: `POST ${V3}/security-group-rules`,
          label: `security_group_rule.${field} = "${name}"`,
          trigger: `security_group_rule.${field} = <inherited name>`,
          envelope: huaweiError,
          expect: 'reject',
          build: () => ({
            method: 'POST',
            path,
            headers: huaweiHeaders(key, host, 'POST', path, body, {
              extra: { 'content-type': 'application/json', 'x-project-id': PROJECT },
            }),
            body,
          }),
        });
      }
      for (const list of ['security-groups', 'security-group-rules', 'address-groups']) {
        const path = `/v3/${PROJECT}/vpc/${list}?limit=${name}&${name}=x`;
        await run.run({
          api: 'Huawei VPC v3',
          op: `GET ${V3}/${list}`,
          label: `query ?limit=${name}&${name}=x`,
          trigger: 'limit = <inherited name>',
          envelope: huaweiError,
          expect: 'reject',
          build: () => ({
            method: 'GET',
            path,
            headers: huaweiHeaders(key, host, 'GET', path, '', { extra: { 'x-project-id': PROJECT } }),
          }),
        });
      }
    }
    for (const c of extraCases()) await run.run(c);
    console.log(
      `huawei fuzz (seed ${SEED}): ${run.requests} requests, ${run.failures.length} failing checks, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    run.assertClean();
  });

  /** Routes the API does not have, other methods, an oversized body. */
  function extraCases(): FuzzCase[] {
    const signed = (method: string, path: string, body?: string, type = 'application/json'): RawRequest => ({
      method,
      path,
      headers: huaweiHeaders(key, host, method, path, body ?? '', {
        extra: { 'x-project-id': PROJECT, ...(body !== undefined ? { 'content-type': type } : {}) },
      }),
      ...(body !== undefined ? { body } : {}),
    });
    const cases: FuzzCase[] = [];
    const add = (label: string, build: () => RawRequest) =>
      cases.push({
        api: 'Huawei VPC v3',
        op: 'routing',
        label,
        build,
        envelope: huaweiError,
        expect: 'reject',
      });
    for (const p of MAIN_PROTO_NAMES) {
      add(`GET /v3/${PROJECT}/vpc/${p}`, () => signed('GET', `/v3/${PROJECT}/vpc/${p}`));
      add(`GET /v3/${PROJECT}/${p}/security-groups`, () =>
        signed('GET', `/v3/${PROJECT}/${p}/security-groups`),
      );
    }
    add('GET /v3/{project}/ports (not served)', () => signed('GET', `/v3/${PROJECT}/ports`));
    add('PATCH a group (no such method)', () =>
      signed('PATCH', `/v3/${PROJECT}/vpc/security-groups/x`, '{}'),
    );
    add('PUT a rule (no rule update in v3)', () =>
      signed('PUT', `/v3/${PROJECT}/vpc/security-group-rules/x`, '{}'),
    );
    add('a 9 MB body', () =>
      signed(
        'POST',
        `/v3/${PROJECT}/vpc/security-groups`,
        toJson({ security_group: { name: 'big', description: 'd'.repeat(9 * 1024 * 1024) } }),
      ),
    );
    add('a 12,000-character group id', () =>
      signed('GET', `/v3/${PROJECT}/vpc/security-groups/${'l'.repeat(12_000)}`),
    );
    add('GET /v3/ (no project)', () => signed('GET', '/v3/'));
    return cases;
  }

  it('prototype names are ordinary data: names, descriptions, tag keys and filters keep them', async () => {
    const sendSigned = async (method: string, path: string, body?: unknown) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const headers = huaweiHeaders(key, host, method, path, text ?? '', {
        extra: { 'x-project-id': PROJECT, ...(text ? { 'content-type': 'application/json' } : {}) },
      });
      const res = await send(t.url, { method, path, headers, ...(text !== undefined ? { body: text } : {}) });
      return { status: res.status, body: res.json as any, text: res.text };
    };
    const problems: string[] = [];
    for (const name of MAIN_PROTO_NAMES) {
      const created = await sendSigned('POST', `/v3/${PROJECT}/vpc/security-groups`, {
        security_group: { name, description: name },
      });
      const g = created.body?.security_group;
      if (created.status !== 201)
        problems.push(
          `POST security-groups {name: "${name}"} answered ${created.status} ${created.text.slice(0, 200)}`,
        );
      else if (g.name !== name || g.description !== name)
        problems.push(
          `group named "${name}" came back as ${JSON.stringify({ name: g.name, description: g.description })}`,
        );
      else {
        const listed = await sendSigned(
          'GET',
          `/v3/${PROJECT}/vpc/security-groups?name=${encodeURIComponent(name)}`,
        );
        if (listed.status !== 200 || !listed.body.security_groups?.some((x: any) => x.id === g.id))
          problems.push(`GET security-groups?name=${name} answered ${listed.status} without the group`);
      }
      const tagged = await sendSigned('POST', `/v3/${PROJECT}/vpc/security-groups`, {
        security_group: { name: `tagged-${name}`, tags: [{ key: name, value: name }] },
      });
      if (tagged.status !== 201)
        problems.push(
          `POST security-groups {tags: [{key: "${name}"}]} answered ${tagged.status} ${tagged.text.slice(0, 200)}`,
        );
      else if (!JSON.stringify(tagged.body.security_group.tags ?? []).includes(`"key":"${name}"`))
        problems.push(
          `tag key "${name}" was not kept: tags ${JSON.stringify(tagged.body.security_group.tags)}`,
        );
      const ag = await sendSigned('POST', `/v3/${PROJECT}/vpc/address-groups`, {
        address_group: { name, description: name, ip_version: 4, ip_set: ['192.0.2.0/24'] },
      });
      if (ag.status !== 201 || ag.body.address_group?.name !== name)
        problems.push(`POST address-groups {name: "${name}"} answered ${ag.status} ${ag.text.slice(0, 200)}`);
      const rule = await sendSigned('POST', `/v3/${PROJECT}/vpc/security-group-rules`, {
        security_group_rule: {
          security_group_id: fx.ids.group,
          direction: 'ingress',
          description: name,
          remote_ip_prefix: `10.${name.length}.0.0/16`,
        },
      });
      if (rule.status !== 201 || rule.body.security_group_rule?.description !== name)
        problems.push(
          `POST security-group-rules {description: "${name}"} answered ${rule.status} ${rule.text.slice(0, 200)}`,
        );
    }
    expect(problems).toEqual([]);
  });
});
