// Fuzz of the OpenStack front ends. Keystone (/identity): POST/GET/HEAD/DELETE /v3/auth/tokens
// with hostile auth bodies (prototype names as methods, user, domain and project names, deep
// nesting, not JSON) and hostile tokens; catalog, projects and users. Neutron
// (/networking/{region}/v2.0): security groups (and their tags), rules and address groups, listed
// with hostile filters (?__proto__=x, ?hasOwnProperty=x, sort keys, fields, limits), created,
// updated and deleted with hostile bodies (protocol "constructor" and "__proto__", ethertype and
// direction prototype names, ports out of range), overlong and prototype-named ids, tags and
// regions, and bad tokens. Every answer: never 5xx; Keystone errors {"error": {code, title,
// message}}, Neutron's {"NeutronError": {...}} (401: Keystone's); an error changes nothing (the
// first listing of a fresh project with a bad filter included); what must fail fails.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { keystoneError, neutronError } from '../support/fuzz/envelopes.js';
import { Fixtures } from '../support/fuzz/fixtures.js';
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
import { type Check, type FuzzCase, FuzzRun, seedOf } from '../support/fuzz/runner.js';
import { type Hints, Ref } from '../support/fuzz/schema.js';
import type { Key } from '../support/fuzz/signing.js';
import { HUGE, MAIN_PROTO_NAMES, PROTO_NAMES, recipeOf, toJson } from '../support/fuzz/values.js';
import { freshDatabase, TEST_ENV, type TestDatabase } from '../support/servers.js';

const SEED = seedOf(20261127);
const RUNS = Number(process.env.FUZZ_RUNS) || 30;
const REGION = 'fz-os-1';
const HW = 'fz-hw-other';
const ADMIN: Key = { id: TEST_ENV.PALISADE_ADMIN_KEY_ID, secret: TEST_ENV.PALISADE_ADMIN_SECRET };
const PASSWORD = 'pw-fuzz-openstack';

const str = (maxLength: number) => ({ type: 'string', maxLength });
const text = (...v: string[]) => fc.constantFrom(...v);

// ---- Keystone ----

const PASSWORD_AUTH = {
  type: 'object',
  required: ['auth'],
  properties: {
    auth: {
      type: 'object',
      required: ['identity'],
      properties: {
        identity: {
          type: 'object',
          required: ['methods'],
          properties: {
            methods: { type: 'array', items: { enum: ['password', 'application_credential', 'token'] } },
            password: {
              type: 'object',
              properties: {
                user: {
                  type: 'object',
                  properties: {
                    name: str(255),
                    id: str(64),
                    password: str(255),
                    domain: { type: 'object', properties: { name: str(64), id: str(64) } },
                  },
                },
              },
            },
            application_credential: {
              type: 'object',
              properties: { id: str(64), secret: str(255), name: str(255) },
            },
            token: { type: 'object', properties: { id: str(255) } },
          },
        },
        scope: {
          anyOf: [
            { enum: ['unscoped'] },
            {
              type: 'object',
              properties: {
                project: {
                  type: 'object',
                  properties: {
                    name: str(64),
                    id: str(64),
                    domain: { type: 'object', properties: { name: str(64), id: str(64) } },
                  },
                },
              },
            },
          ],
        },
      },
    },
  },
};

/** The ways a user logs in, valid (names, ids and secrets of the fixtures). */
const arbLogin = fc.constantFrom(
  {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: new Ref('userName'), domain: { name: 'Default' }, password: PASSWORD } },
      },
      scope: { project: { name: new Ref('projectName'), domain: { name: 'Default' } } },
    },
  },
  {
    auth: {
      identity: { methods: ['password'], password: { user: { id: new Ref('userId'), password: PASSWORD } } },
      scope: { project: { id: new Ref('projectId') } },
    },
  },
  {
    auth: {
      identity: {
        methods: ['application_credential'],
        application_credential: { id: new Ref('appCredentialId'), secret: new Ref('appCredentialSecret') },
      },
    },
  },
  {
    auth: {
      identity: { methods: ['token'], token: { id: new Ref('token') } },
      scope: { project: { id: new Ref('projectId') } },
    },
  },
  {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: new Ref('userName'), domain: { id: 'default' }, password: PASSWORD } },
      },
      scope: 'unscoped',
    },
  },
);

/** Keystone fields whose value can only name something: a prototype name there is a failed login. */
const KEYSTONE_CLOSED = new Set(['methods', 'name', 'id', 'password', 'secret']);

const TOKEN_ATTACKS = [
  'valid',
  'missing',
  'unknown',
  'proto',
  'huge',
  'latin1',
  'tampered',
  'empty',
] as const;
type TokenAttack = (typeof TOKEN_ATTACKS)[number];

// ---- Neutron ----

const SG_BODY = {
  type: 'object',
  required: ['security_group'],
  properties: {
    security_group: {
      type: 'object',
      properties: {
        name: str(255),
        description: str(255),
        stateful: { type: 'boolean' },
        tags: { type: 'array', maxItems: 50, items: str(255) },
      },
    },
  },
};
const SG_UPDATE = {
  type: 'object',
  required: ['security_group'],
  properties: {
    security_group: {
      type: 'object',
      properties: { name: str(255), description: str(255), stateful: { type: 'boolean' } },
    },
  },
};
const TAGS_BODY = {
  type: 'object',
  required: ['tags'],
  properties: { tags: { type: 'array', maxItems: 50, items: str(255) } },
};
const RULE = {
  type: 'object',
  required: ['security_group_id', 'direction'],
  properties: {
    security_group_id: str(64),
    direction: { enum: ['ingress', 'egress'] },
    ethertype: { enum: ['IPv4', 'IPv6'] },
    protocol: { anyOf: [str(16), { type: 'integer', minimum: 0, maximum: 255 }, { type: 'null' }] },
    port_range_min: { anyOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { type: 'null' }] },
    port_range_max: { anyOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { type: 'null' }] },
    remote_ip_prefix: { anyOf: [str(64), { type: 'null' }] },
    remote_group_id: { anyOf: [str(64), { type: 'null' }] },
    remote_address_group_id: { anyOf: [str(64), { type: 'null' }] },
    description: str(255),
  },
};
const RULE_BODY = {
  type: 'object',
  properties: {
    security_group_rule: RULE,
    security_group_rules: { type: 'array', maxItems: 3, items: RULE },
  },
};
const RULE_UPDATE = {
  type: 'object',
  required: ['security_group_rule'],
  properties: { security_group_rule: { type: 'object', properties: { description: str(255) } } },
};
const AG_BODY = {
  type: 'object',
  required: ['address_group'],
  properties: {
    address_group: {
      type: 'object',
      properties: {
        name: str(255),
        description: str(255),
        addresses: { type: 'array', maxItems: 20, items: str(64) },
      },
    },
  },
};
const AG_UPDATE = {
  type: 'object',
  required: ['address_group'],
  properties: { address_group: { type: 'object', properties: { name: str(255), description: str(255) } } },
};
const ADDRESSES = {
  type: 'object',
  required: ['addresses'],
  properties: { addresses: { type: 'array', maxItems: 5, items: str(64) } },
};

const LIST_QUERY = {
  id: text('sg-nope'),
  name: text('default', 'web'),
  description: text('x'),
  fields: text('id', 'name', 'tags'),
  sort_key: text('name', 'id'),
  sort_dir: text('asc', 'desc'),
  limit: text('1', '2', '0'),
  page_reverse: text('True', 'false'),
  tags: text('a,b'),
  'not-tags-any': text('x'),
};
const RULE_QUERY = {
  direction: text('ingress', 'egress'),
  protocol: text('tcp', '6', 'icmp'),
  ethertype: text('IPv4'),
  fields: text('id', 'protocol'),
  sort_key: text('direction'),
  sort_dir: text('asc'),
  limit: text('3'),
};
const AG_QUERY = { name: text('ag1'), fields: text('addresses'), limit: text('1') };

const N = '/networking/{regionId}/v2.0';
/** Every Neutron route (its {id}/{tag} fixtures), plus the discovery documents. */
const NEUTRON: (Route & { ref?: string; list?: boolean })[] = [
  { method: 'GET', path: '/networking/{regionId}' },
  { method: 'GET', path: '/networking/{regionId}/v2.0/' },
  { method: 'GET', path: `${N}/extensions` },
  { method: 'GET', path: `${N}/extensions/{id}`, ref: 'extension' },
  { method: 'GET', path: `${N}/security-groups`, query: LIST_QUERY, list: true },
  { method: 'POST', path: `${N}/security-groups`, body: SG_BODY },
  { method: 'GET', path: `${N}/security-groups/{id}`, ref: 'group', query: { fields: text('id', 'name') } },
  { method: 'PUT', path: `${N}/security-groups/{id}`, body: SG_UPDATE, ref: 'group' },
  { method: 'DELETE', path: `${N}/security-groups/{id}`, ref: 'victim:group' },
  { method: 'GET', path: `${N}/security-groups/{id}/tags`, ref: 'group' },
  { method: 'PUT', path: `${N}/security-groups/{id}/tags`, body: TAGS_BODY, ref: 'group' },
  { method: 'POST', path: `${N}/security-groups/{id}/tags`, body: TAGS_BODY, ref: 'group' },
  { method: 'DELETE', path: `${N}/security-groups/{id}/tags`, ref: 'group2' },
  { method: 'GET', path: `${N}/security-groups/{id}/tags/{tag}`, ref: 'group' },
  { method: 'PUT', path: `${N}/security-groups/{id}/tags/{tag}`, ref: 'group' },
  { method: 'DELETE', path: `${N}/security-groups/{id}/tags/{tag}`, ref: 'group' },
  { method: 'GET', path: `${N}/security-group-rules`, query: RULE_QUERY, list: true },
  { method: 'POST', path: `${N}/security-group-rules`, body: RULE_BODY },
  { method: 'GET', path: `${N}/security-group-rules/{id}`, ref: 'rule' },
  { method: 'PUT', path: `${N}/security-group-rules/{id}`, body: RULE_UPDATE, ref: 'rule' },
  { method: 'DELETE', path: `${N}/security-group-rules/{id}`, ref: 'victim:rule' },
  { method: 'GET', path: `${N}/address-groups`, query: AG_QUERY, list: true },
  { method: 'POST', path: `${N}/address-groups`, body: AG_BODY },
  { method: 'GET', path: `${N}/address-groups/{id}`, ref: 'addressGroup' },
  { method: 'PUT', path: `${N}/address-groups/{id}`, body: AG_UPDATE, ref: 'addressGroup' },
  { method: 'DELETE', path: `${N}/address-groups/{id}`, ref: 'victim:addressGroup' },
  { method: 'PUT', path: `${N}/address-groups/{id}/add_addresses`, body: ADDRESSES, ref: 'addressGroup' },
  { method: 'PUT', path: `${N}/address-groups/{id}/remove_addresses`, body: ADDRESSES, ref: 'addressGroup' },
];

/** A rule Neutron takes: ports only for tcp/udp, min <= max, one remote of the rule's family. */
const arbNeutronRule = fc
  .record({
    direction: text('ingress', 'egress'),
    protocol: fc.constantFrom('tcp', 'udp', 'icmp', 'TCP', '6', 17, null, 'any', 'sctp', undefined),
    port: fc.integer({ min: 1, max: 65000 }),
    span: fc.integer({ min: 0, max: 500 }),
    remote: fc.constantFrom('cidr', 'group', 'addressGroup', 'none'),
    description: fc.constantFrom('web', undefined),
  })
  .map((r) => {
    const rule: Record<string, unknown> = {
      security_group_id: new Ref('group'),
      direction: r.direction,
      ethertype: 'IPv4',
    };
    if (r.protocol !== undefined) rule.protocol = r.protocol;
    if (['tcp', 'udp', 'TCP', '6', 17, 'sctp'].includes(r.protocol as string)) {
      rule.port_range_min = r.port;
      rule.port_range_max = r.port + r.span;
    }
    if (r.remote === 'cidr') rule.remote_ip_prefix = `10.${r.port % 250}.${r.span % 250}.0/24`;
    if (r.remote === 'group') rule.remote_group_id = new Ref('group2');
    if (r.remote === 'addressGroup') rule.remote_address_group_id = new Ref('addressGroup');
    if (r.description) rule.description = r.description;
    return rule;
  });
const osName = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 -_'),
    minLength: 1,
    maxLength: 12,
  })
  .map((s) => `fz${s}`);
const cidrs = fc.constantFrom(['10.0.0.0/24'], ['192.0.2.1', '198.51.100.0/24'], [], ['2001:db8::/64']);
const NEUTRON_HINTS: Hints = {
  name: osName,
  description: text('a fuzz object', ''),
  stateful: fc.boolean(),
  tags: fc.array(fc.constantFrom('a', 'b', 'web', 'x-1'), { maxLength: 3 }).map((t) => [...new Set(t)]),
  security_group_rule: arbNeutronRule,
  security_group_rules: fc.constant(undefined),
  addresses: cidrs,
};

/** Neutron fields of closed vocabularies or ids: a prototype name there is refused. */
const NEUTRON_CLOSED = new Set([
  'direction',
  'ethertype',
  'protocol',
  'security_group_id',
  'remote_group_id',
  'remote_address_group_id',
]);

const ATTACKS = [
  'valid',
  'valid',
  'valid',
  'field',
  'field',
  'field',
  'whole',
  'path',
  'region',
  'query',
  'query',
  'token',
] as const;
type Attack = (typeof ATTACKS)[number];

describe('OpenStack Keystone and Neutron fuzz', () => {
  let db: TestDatabase;
  let t: FuzzServer;
  let fx: Fixtures;
  let admin: PalisadeClient;
  /** A Keystone admin's token (the operator principal), for the identity and quota admin calls. */
  let adminToken: string;
  const project = { id: 'fz-os', name: 'fz-os' };

  async function login(userName: string, projectName: string): Promise<string> {
    const res = await send(t.url, {
      method: 'POST',
      path: '/identity/v3/auth/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: userName, domain: { name: 'Default' }, password: PASSWORD } },
          },
          scope: { project: { name: projectName, domain: { name: 'Default' } } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`login failed: ${res.status} ${res.text}`);
    return String(res.headers['x-subject-token']);
  }

  /** A tenant (Keystone project) with a user, as the operator makes them. */
  async function newProject(id: string): Promise<{ userId: string; userName: string }> {
    await admin.post('/v1/tenants', { id, name: id });
    const userName = `${id}-ops`;
    const user = await admin.post<{ id: string }>('/v1/openstack/users', {
      tenantId: id,
      name: userName,
      password: PASSWORD,
    });
    return { userId: user.id, userName };
  }

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startFuzzServer(db);
    admin = new PalisadeClient(t.url, { keyId: ADMIN.id, secret: ADMIN.secret });
    await admin.post('/v1/regions', {
      id: REGION,
      profile: 'openstack',
      quotas: { groupsPerTenant: 2000, rulesPerGroup: 2000, addressGroupsPerTenant: 2000 },
    });
    await admin.post('/v1/regions', { id: HW, profile: 'huawei' });
    const { userId, userName } = await newProject(project.id);
    const tenantKey = await admin.post<{ id: string; secret: string }>('/v1/access-keys', {
      tenantId: project.id,
    });
    const tenant = new PalisadeClient(t.url, { keyId: tenantKey.id, secret: tenantKey.secret });
    const cred = await tenant.post<{ id: string; secret: string }>(
      `/v1/openstack/users/${userId}/application-credentials`,
      { name: 'ac' },
    );
    const token = await login(userName, project.name);
    await admin.post('/v1/tenants', { id: 'fz-ops', name: 'fz-ops' });
    await admin.post('/v1/openstack/users', {
      tenantId: 'fz-ops',
      name: 'fz-admin',
      password: PASSWORD,
      admin: true,
    });
    adminToken = await login('fz-admin', 'fz-ops');
    const neutron = (method: string, path: string, body?: unknown) =>
      send(t.url, {
        method,
        path: `/networking/${REGION}/v2.0/${path}`,
        headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then((r) => r.json as any);
    // The project's default group is made by its first listing: before the fuzz, so that only
    // the probe below (a fresh project) sees that first listing.
    await neutron('GET', 'security-groups');
    const group = (
      await neutron('POST', 'security-groups', {
        security_group: { name: 'g1', tags: ['t', 'constructor-free'] },
      })
    ).security_group.id;
    const group2 = (await neutron('POST', 'security-groups', { security_group: { name: 'g2' } }))
      .security_group.id;
    const rule = (
      await neutron('POST', 'security-group-rules', {
        security_group_rule: {
          security_group_id: group,
          direction: 'ingress',
          protocol: 'tcp',
          port_range_min: 22,
          port_range_max: 22,
        },
      })
    ).security_group_rule.id;
    const addressGroup = (
      await neutron('POST', 'address-groups', {
        address_group: { name: 'ag1', addresses: ['198.51.100.0/24'] },
      })
    ).address_group.id;
    let n = 0;
    fx = new Fixtures({
      group: async () =>
        (await neutron('POST', 'security-groups', { security_group: { name: `v${++n}` } })).security_group.id,
      rule: async () =>
        (
          await neutron('POST', 'security-group-rules', {
            security_group_rule: {
              security_group_id: group,
              direction: 'egress',
              protocol: 'udp',
              port_range_min: 1000 + ++n,
              port_range_max: 1000 + n,
            },
          })
        ).security_group_rule.id,
      addressGroup: async () =>
        (await neutron('POST', 'address-groups', { address_group: { name: `vag${++n}` } })).address_group.id,
      token: async () => login(userName, project.name),
    });
    Object.assign(fx.ids, {
      group,
      group2,
      rule,
      addressGroup,
      token,
      userId,
      userName,
      projectId: project.id,
      projectName: project.name,
      appCredentialId: cred.id,
      appCredentialSecret: cred.secret,
      extension: 'security-group',
    });
    fx.renewer = async () => {
      const g = (await neutron('POST', 'security-groups', { security_group: { name: `g${++n}` } }))
        .security_group.id;
      const r = (
        await neutron('POST', 'security-group-rules', {
          security_group_rule: {
            security_group_id: g,
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 22,
            port_range_max: 22,
          },
        })
      ).security_group_rule.id;
      Object.assign(fx.ids, { group: g, rule: r });
    };
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  /** Hostile X-Auth-Token (or X-Subject-Token) values; `tampered`: a valid token with its end changed. */
  function tokenValue(a: TokenAttack, pick: number, valid: string): string | undefined {
    switch (a) {
      case 'valid':
        return valid;
      case 'missing':
        return undefined;
      case 'unknown':
        return `gAAAAA${'x'.repeat(180)}`;
      case 'proto':
        return PROTO_NAMES[pick % PROTO_NAMES.length];
      case 'huge':
        return 't'.repeat(8000);
      case 'latin1':
        return 'ÿþ\u00a0token';
      case 'tampered':
        return valid.slice(0, -2) + (valid.endsWith('AA') ? 'BB' : 'AA');
      case 'empty':
        return '';
    }
  }

  function keystoneCases(afterWrites: () => Promise<void>): FuzzCase[] {
    const cases: FuzzCase[] = [];
    const tokenRoute: Route = { method: 'POST', path: '/identity/v3/auth/tokens', body: PASSWORD_AUTH };
    const samples = fc.sample(
      fc.tuple(
        arbJsonSample(tokenRoute, {}, arbLogin),
        fc.constantFrom('valid', 'valid', 'field', 'field', 'field', 'field', 'whole', 'query'),
      ),
      { seed: SEED, numRuns: RUNS * 4 },
    );
    for (const [s, attack] of samples) {
      let body: unknown = s.body;
      let bodyText: string | undefined;
      let type: string | undefined = 'application/json';
      let label = 'a valid login';
      let trigger = 'a valid login';
      let reject = false;
      let query = '';
      if (attack === 'field') {
        const m = mutatedBody(tokenRoute, s);
        body = m.value;
        label = m.label;
        trigger = m.label.replace(
          / = .*$/,
          s.plan.kind === 'protoValue' ? ' = <inherited name>' : ` (${s.plan.kind})`,
        );
        if (s.plan.kind === 'protoValue' && KEYSTONE_CLOSED.has(m.field)) reject = true;
        if (s.plan.kind === 'missing' && ['auth', 'identity', 'methods'].includes(m.field)) reject = true;
      } else if (attack === 'whole') {
        const w = wholeBody(s);
        bodyText = w.text;
        type = w.type;
        label = w.label;
        trigger = w.label.replace(/\(".*"\)/, '');
        if (!['noType', 'dupKeys', 'otherType'].includes(s.whole)) reject = true;
      } else if (attack === 'query') {
        query = `?${MAIN_PROTO_NAMES[s.pick % 5]}=x&nocatalog&nocatalog=__proto__`;
        label = `query ${query}`;
        trigger = 'query keys that are inherited names';
      }
      cases.push({
        api: 'Keystone',
        op: 'POST /identity/v3/auth/tokens',
        label,
        trigger,
        envelope: keystoneError,
        expect: reject ? 'reject' : undefined,
        build: async () => {
          const r = await fx.resolve(body);
          await afterWrites();
          const text = bodyText ?? toJson(r.value);
          const req: RawRequest = {
            method: 'POST',
            path: `/identity/v3/auth/tokens${query}`,
            headers: type ? { 'content-type': type } : {},
            body: text,
          };
          return req;
        },
      });
    }
    // Token validation, revocation, catalog, projects, users: hostile X-Auth-Token / X-Subject-Token.
    const reads: [string, string, string][] = [
      ['GET', '/identity/v3/auth/tokens', 'subject'],
      ['HEAD', '/identity/v3/auth/tokens', 'subject'],
      ['DELETE', '/identity/v3/auth/tokens', 'subject'],
      ['GET', '/identity/v3/auth/catalog', ''],
      ['GET', '/identity/v3/auth/projects', ''],
      ['GET', '/identity/v3/projects', ''],
      ['GET', '/identity/v3/projects/{project}', ''],
      ['GET', '/identity/v3/users/{user}', ''],
      ['GET', '/identity', ''],
      ['GET', '/identity/v3', ''],
      ['GET', '/identity/v3/__proto__', ''],
      ['GET', '/identity/v3/auth/constructor', ''],
      ['POST', '/identity/v3/users', ''],
    ];
    const tokenSamples = fc.sample(
      fc.record({
        route: fc.constantFrom(...reads),
        caller: fc.constantFrom(...TOKEN_ATTACKS),
        subject: fc.constantFrom(...TOKEN_ATTACKS),
        id: fc.constantFrom('own', 'proto', 'long', 'other', 'encoded'),
        pick: fc.nat(),
      }),
      { seed: SEED + 1, numRuns: RUNS * 5 },
    );
    for (const s of tokenSamples) {
      const [method, template, subject] = s.route;
      const id = (own: string) =>
        s.id === 'own'
          ? own
          : s.id === 'proto'
            ? PROTO_NAMES[s.pick % PROTO_NAMES.length]
            : s.id === 'long'
              ? 'i'.repeat(301)
              : s.id === 'other'
                ? 'someone-else'
                : '%ED%A0%80';
      const label = `X-Auth-Token ${s.caller}${subject ? `, X-Subject-Token ${s.subject}` : ''}${template.includes('{') ? `, id ${s.id}` : ''}`;
      const knownPath =
        !template.includes('__proto__') && !template.includes('constructor') && !(method === 'POST');
      const valid =
        s.caller === 'valid' &&
        (!subject || s.subject === 'valid') &&
        (!template.includes('{') || s.id === 'own');
      const publicDoc = template === '/identity' || template === '/identity/v3';
      cases.push({
        api: 'Keystone',
        op: `${method} ${template}`,
        label,
        trigger: label.replace(/, id own/, ''),
        envelope: keystoneError,
        expect:
          (!valid && !publicDoc) || !knownPath || template === '/identity/v3/projects' ? 'reject' : undefined,
        build: async () => {
          // DELETE revokes its subject: a fresh token each time, so that the fixture's stays.
          const victim =
            subject && s.subject === 'valid'
              ? ((await fx.resolve(new Ref('victim:token'))).value as string)
              : undefined;
          if (victim) fx.consumed(['victim:token']);
          await afterWrites();
          const caller = tokenValue(s.caller, s.pick, fx.ids.token);
          const subj = tokenValue(s.subject, s.pick, victim ?? fx.ids.token);
          const headers: Record<string, string> = {};
          if (caller !== undefined) headers['x-auth-token'] = caller;
          if (subject && subj !== undefined) headers['x-subject-token'] = subj;
          const path = template
            .replace('{project}', id(fx.ids.projectId))
            .replace('{user}', id(fx.ids.userId));
          return { method, path, headers };
        },
      });
    }
    return cases;
  }

  function neutronCase(
    route: Route & { ref?: string; list?: boolean },
    s: JsonSample,
    attack: Attack,
    tokenAttack: TokenAttack,
    afterWrites: () => Promise<void>,
  ): FuzzCase {
    let trigger = 'a valid request';
    let label = 'valid';
    let reject = false;
    const params: Record<string, unknown> = {
      regionId: REGION,
      id: route.ref ? new Ref(route.ref) : 'x',
      tag: route.path.endsWith('{tag}') && route.method !== 'PUT' ? 't' : 'fz-tag',
    };
    const rawParams: Record<string, string> = {};
    let extra = '';
    let body: unknown = s.body;
    let bodyText: string | undefined;
    let type: string | undefined = route.body ? 'application/json' : undefined;
    const rawQuery: string[] = [];
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => n !== 'regionId');
    switch (attack) {
      case 'valid':
        break;
      case 'field': {
        if (!route.body) break;
        const m = mutatedBody(route, s);
        body = m.value;
        label = m.label;
        trigger = m.label
          .replace(/\[\d+\]/g, '[i]')
          .replace(/ = .*$/, s.plan.kind === 'protoValue' ? ' = <inherited name>' : ` (${s.plan.kind})`);
        if (s.plan.kind === 'protoValue' && NEUTRON_CLOSED.has(m.field)) reject = true;
        break;
      }
      case 'whole': {
        const w = wholeBody(s);
        bodyText = w.text;
        type = w.type;
        label = route.body ? w.label : `${w.label} (on a route without a body)`;
        trigger = label.replace(/\(".*"\)/, '');
        if (route.body && !['noType', 'dupKeys', 'otherType'].includes(s.whole)) reject = true;
        break;
      }
      case 'path': {
        const a = pathAttack(s, names);
        label = a.label;
        trigger = a.trigger;
        if (a.extra) extra = a.extra;
        else if (a.name) rawParams[a.name] = a.raw!;
        // A tag may be any text up to 255 characters (whether one is there depends on earlier
        // cases): only ids and extra segments surely name nothing. An empty id may route to the list.
        reject = a.name === 'tag' ? s.path === 'long301' : !(s.path === 'hostile' && s.text === '');
        break;
      }
      case 'region': {
        const proto = PROTO_NAMES[s.pick % PROTO_NAMES.length];
        const variants: [string, string][] = [
          [proto, 'region = <inherited name>'],
          ['r'.repeat(301), 'region over 300 characters'],
          [HW, 'region of the huawei profile'],
          ['RegionNowhere', 'an unknown region'],
          ['%ED%A0%80', 'region with a broken percent-encoding'],
        ];
        const [raw, what] = variants[s.pick % variants.length];
        rawParams.regionId = raw;
        label = `${what} (${raw.slice(0, 30)})`;
        trigger = what;
        reject = true;
        break;
      }
      case 'query': {
        if (!route.list) {
          const a = queryAttack(s, Object.keys(route.query ?? {}));
          rawQuery.push(...a.raw);
          label = a.label;
          trigger = a.trigger;
          break;
        }
        const proto = MAIN_PROTO_NAMES[s.pick % MAIN_PROTO_NAMES.length];
        const variants: [string, string, boolean][] = [
          [`${proto}=x`, 'filter key = <inherited name>', true],
          ['__proto__=x', 'filter key = __proto__', true],
          ['hasOwnProperty=x', 'filter key = hasOwnProperty', true],
          [`${proto}=`, 'filter key = <inherited name>, empty value', true],
          ['bogus_attribute=1', 'an unknown filter key', true],
          [`sort_key=${proto}&sort_dir=asc`, 'sort_key = <inherited name>', true],
          [`sort_key=name&sort_dir=${proto}`, 'sort_dir = <inherited name>', true],
          ['sort_key=name', 'sort_key without sort_dir', true],
          [`fields=${proto}`, 'fields = <inherited name>', false],
          [`limit=${proto}`, 'limit = <inherited name>', true],
          ['limit=-1', 'limit = -1', true],
          [`limit=1&marker=${proto}`, 'marker = <inherited name>', false],
          [`page_reverse=${proto}&limit=1`, 'page_reverse = <inherited name>', false],
          [`tags=${proto}&tags-any=${proto},x`, 'tag filters = <inherited name>', false],
          [`name=${proto}&id=${proto}`, 'filters with inherited names as values', false],
          ['name=a&name=b&name=c', 'a repeated filter', false],
          [`limit=1&limit=${proto}`, 'limit repeated', false],
          ['%ED%A0%80=x', 'a filter key with a broken percent-encoding', true],
          ['name=%ED%A0%80', 'a filter value with a broken percent-encoding', false],
        ];
        const [q, what, mustFail] = variants[s.pick % variants.length];
        rawQuery.push(q);
        label = `query ?${q}`;
        trigger = what;
        reject = mustFail;
        break;
      }
      case 'token':
        label = `X-Auth-Token ${tokenAttack}`;
        trigger = label;
        if (tokenAttack !== 'valid') reject = true;
        break;
    }
    const discovery = !route.path.includes('/v2.0/') || route.path.endsWith('/v2.0/');
    if (discovery && attack === 'token') reject = false;
    if (discovery && attack === 'query') reject = false;
    let used: string[] = [];
    const c: FuzzCase & { used?: string[] } = {
      api: 'Neutron',
      op: `${route.method} ${route.path}`,
      label,
      trigger,
      envelope: neutronError,
      expect: reject ? 'reject' : undefined,
      build: async () => {
        const r = await fx.resolve({ params, body });
        used = r.used;
        c.used = used;
        await afterWrites();
        const v = r.value as { params: Record<string, string>; body: unknown };
        let path = fillPath(route.path, v.params, rawParams) + extra;
        // An attacked parameter is not also sent with its sampled valid value (the first would win).
        const attacked = new Set(rawQuery.flatMap((q) => q.split('&').map((pair) => pair.split('=')[0])));
        const sampled = s.query.filter(([k]) => !attacked.has(k));
        const search = [
          ...sampled.map(([k, x]) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
          ...rawQuery,
        ].join('&');
        if (search) path += `?${search}`;
        if (bodyText === undefined && route.body) bodyText = toJson(v.body);
        const headers: Record<string, string> = {};
        const token = tokenValue(attack === 'token' ? tokenAttack : 'valid', s.pick, fx.ids.token);
        if (token !== undefined) headers['x-auth-token'] = token;
        if (type !== undefined && bodyText !== undefined) headers['content-type'] = type;
        if (attack === 'valid' && s.pick % 7 === 0 && route.method !== 'GET' && route.method !== 'POST')
          headers['if-match'] = [
            'revision_number=1',
            `revision_number=${MAIN_PROTO_NAMES[s.pick % 5]}`,
            'revision_number=1, revision_number=2',
            '*',
          ][s.pick % 4];
        const req: RawRequest = { method: route.method, path, headers };
        if (bodyText !== undefined) req.body = bodyText;
        c.recipe = bodyText ? recipeOf(bodyText) : undefined;
        return req;
      },
    };
    return c;
  }

  it(`Keystone and every Neutron route, valid and hostile (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const run = new FuzzRun(t.url, 'openstack', SEED);
    await run.resync();
    let writes = fx.writes;
    const afterWrites = async () => {
      if (fx.writes !== writes) {
        writes = fx.writes;
        await run.resync();
      }
    };
    const started = Date.now();

    // The first listing of a fresh project makes its default group; a listing refused for a bad
    // filter must not (an error changes nothing).
    const probes: [string, string][] = [
      ['security-groups?bogus_attribute=1', 'an unknown filter key'],
      ['security-group-rules?__proto__=x', 'filter key = __proto__'],
      ['security-groups?sort_key=name', 'sort_key without sort_dir'],
    ];
    for (const [i, [q, what]] of probes.entries()) {
      const p = await newProject(`fz-fresh-${i}`);
      const token = await login(p.userName, `fz-fresh-${i}`);
      await run.resync();
      await run.run({
        api: 'Neutron',
        op: `GET ${N}/${q.split('?')[0]} (a fresh project's first listing)`,
        label: `query ?${q.split('?')[1]} as the first request of a new project`,
        trigger: `a fresh project's first listing, with ${what}`,
        envelope: neutronError,
        expect: 'reject',
        build: () => ({
          method: 'GET',
          path: `/networking/${REGION}/v2.0/${q}`,
          headers: { 'x-auth-token': token },
        }),
      });
    }

    for (const c of keystoneCases(afterWrites)) await run.run(c);
    for (const [i, route] of NEUTRON.entries()) {
      const samples = fc.sample(
        fc.tuple(
          arbJsonSample(route, NEUTRON_HINTS),
          fc.constantFrom(...ATTACKS),
          fc.constantFrom(...TOKEN_ATTACKS),
        ),
        { seed: SEED + 100 + i, numRuns: RUNS },
      );
      for (const [s, attack, token] of samples) {
        const c = neutronCase(route, s, attack, token, afterWrites);
        const answers = await run.run(c);
        if (answers[0] && answers[0].status < 300) fx.consumed((c as { used?: string[] }).used ?? []);
        if (answers[0] && answers[0].status < 300 && c.expect === 'reject') await fx.renew();
      }
    }
    // Every prototype name as a filter key, a sort key and a limit of every collection: all
    // refused (an unknown filter is 400 "['x'] is invalid attribute for filtering").
    for (const name of PROTO_NAMES)
      for (const collection of ['security-groups', 'security-group-rules', 'address-groups'])
        for (const [query, what] of [
          [`${name}=x`, 'filter key = <inherited name>'],
          [`sort_key=${name}&sort_dir=asc`, 'sort_key = <inherited name>'],
          [`limit=${name}`, 'limit = <inherited name>'],
        ])
          await run.run({
            api: 'Neutron',
            op: `GET ${N}/${collection}`,
            label: `query ?${query}`,
            trigger: what,
            envelope: neutronError,
            expect: 'reject',
            build: () => ({
              method: 'GET',
              path: `/networking/${REGION}/v2.0/${collection}?${query}`,
              headers: { 'x-auth-token': fx.ids.token },
            }),
          });
    // Rules with every prototype name as protocol, direction and ethertype: all refused.
    for (const name of PROTO_NAMES)
      for (const field of ['protocol', 'direction', 'ethertype']) {
        const answers = await run.run({
          api: 'Neutron',
          op: `POST ${N}/security-group-rules`,
          label: `security_group_rule.${field} = "${name}"`,
          trigger: `security_group_rule.${field} = <inherited name>`,
          envelope: neutronError,
          expect: 'reject',
          build: () => {
            const rule: Record<string, unknown> = {
              security_group_id: fx.ids.group,
              direction: 'ingress',
              ethertype: 'IPv4',
              [field]: name,
            };
            return {
              method: 'POST',
              path: `/networking/${REGION}/v2.0/security-group-rules`,
              headers: { 'x-auth-token': fx.ids.token, 'content-type': 'application/json' },
              body: JSON.stringify({ security_group_rule: rule }),
            };
          },
        });
        if (answers[0] && answers[0].status < 300) await fx.renew();
        await run.resync();
      }
    for (const c of extraCases()) await run.run(c);
    console.log(
      `openstack fuzz (seed ${SEED}): ${run.requests} requests, ${run.failures.length} failing checks, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    run.assertClean();
  });

  function extraCases(): FuzzCase[] {
    const cases: FuzzCase[] = [];
    const add = (label: string, envelope: Check, build: () => RawRequest) =>
      cases.push({
        api: envelope === keystoneError ? 'Keystone' : 'Neutron',
        op: 'routing and limits',
        label,
        build,
        envelope,
        expect: 'reject',
      });
    const auth = () => ({ 'x-auth-token': fx.ids.token });
    for (const p of MAIN_PROTO_NAMES)
      add(`GET /networking/${REGION}/v2.0/${p}`, neutronError, () => ({
        method: 'GET',
        path: `/networking/${REGION}/v2.0/${p}`,
        headers: auth(),
      }));
    // The admin calls, as a member (refused) and as an admin with hostile names and values.
    const json = (token: string) => ({ 'x-auth-token': token, 'content-type': 'application/json' });
    const quotas = `/networking/${REGION}/v2.0/quotas`;
    for (const p of PROTO_NAMES) {
      add(`member: PUT quotas with the resource "${p}"`, neutronError, () => ({
        method: 'PUT',
        path: `${quotas}/${project.id}`,
        headers: json(fx.ids.token),
        body: toJson({ quota: { [p]: 1 } }),
      }));
      add(`admin: PUT quotas with the resource "${p}"`, neutronError, () => ({
        method: 'PUT',
        path: `${quotas}/${project.id}`,
        headers: json(adminToken),
        body: toJson({ quota: { [p]: 1 } }),
      }));
      add(`member: GET quotas of project "${p}"`, neutronError, () => ({
        method: 'GET',
        path: `${quotas}/${encodeURIComponent(p)}/details`,
        headers: auth(),
      }));
      add(`admin: DELETE quotas of project "${p}"`, neutronError, () => ({
        method: 'DELETE',
        path: `${quotas}/${encodeURIComponent(p)}`,
        headers: { 'x-auth-token': adminToken },
      }));
      add(`admin: POST /v3/projects with only "${p}"`, keystoneError, () => ({
        method: 'POST',
        path: '/identity/v3/projects',
        headers: json(adminToken),
        body: toJson({ project: { [p]: 'x' } }),
      }));
      add(`admin: POST /v3/users with only "${p}"`, keystoneError, () => ({
        method: 'POST',
        path: '/identity/v3/users',
        headers: json(adminToken),
        body: toJson({ user: { [p]: 'x' } }),
      }));
      add(`admin: GET /v3/projects/${p}`, keystoneError, () => ({
        method: 'GET',
        path: `/identity/v3/projects/${encodeURIComponent(p)}`,
        headers: { 'x-auth-token': adminToken },
      }));
      add(`admin: PUT a grant of role "${p}"`, keystoneError, () => ({
        method: 'PUT',
        path: `/identity/v3/projects/${project.id}/users/${encodeURIComponent(p)}/roles/${encodeURIComponent(p)}`,
        headers: { 'x-auth-token': adminToken },
      }));
      add(`member: POST /v3/projects named "${p}"`, keystoneError, () => ({
        method: 'POST',
        path: '/identity/v3/projects',
        headers: json(fx.ids.token),
        body: toJson({ project: { name: p } }),
      }));
    }
    for (const value of [null, [], {}, 1e30, '1.5', 'ten', -2, 0, 2 ** 31])
      add(`admin: PUT quotas security_group = ${JSON.stringify(value)}`, neutronError, () => ({
        method: 'PUT',
        path: `${quotas}/${project.id}`,
        headers: json(adminToken),
        body: toJson({ quota: { security_group: value } }),
      }));
    for (const body of [null, [], 'x', { quota: null }, { quota: [] }, { project: {} }])
      add(`admin: PUT quotas body ${JSON.stringify(body)}`, neutronError, () => ({
        method: 'PUT',
        path: `${quotas}/${project.id}`,
        headers: json(adminToken),
        body: toJson(body),
      }));
    for (const body of [null, [], { project: null }, { project: [] }, { project: { name: 5 } }])
      add(`admin: POST /v3/projects body ${JSON.stringify(body)}`, keystoneError, () => ({
        method: 'POST',
        path: '/identity/v3/projects',
        headers: json(adminToken),
        body: toJson(body),
      }));
    add('a 9 MB Neutron body', neutronError, () => ({
      method: 'POST',
      path: `/networking/${REGION}/v2.0/security-groups`,
      headers: { ...auth(), 'content-type': 'application/json' },
      body: toJson({ security_group: { name: 'big', description: 'd'.repeat(9 * 1024 * 1024) } }),
    }));
    add('a 9 MB Keystone body', keystoneError, () => ({
      method: 'POST',
      path: '/identity/v3/auth/tokens',
      headers: { 'content-type': 'application/json' },
      body: toJson({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'x', password: 'p'.repeat(9 * 1024 * 1024) } },
          },
        },
      }),
    }));
    add('a 256-character tag in the path (Neutron allows 255)', neutronError, () => ({
      method: 'PUT',
      path: `/networking/${REGION}/v2.0/security-groups/${fx.ids.group}/tags/${'t'.repeat(256)}`,
      headers: auth(),
    }));
    add('a 400-character tag in the path', neutronError, () => ({
      method: 'PUT',
      path: `/networking/${REGION}/v2.0/security-groups/${fx.ids.group}/tags/${'t'.repeat(400)}`,
      headers: auth(),
    }));
    // Bulk create is all or nothing: one bad item refuses the request.
    add('a bulk POST of security_groups with one bad item', neutronError, () => ({
      method: 'POST',
      path: `/networking/${REGION}/v2.0/security-groups`,
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ security_groups: [{ name: 'a' }, { name: 7 }] }),
    }));
    add('a bulk rule POST with a prototype-named protocol', neutronError, () => ({
      method: 'POST',
      path: `/networking/${REGION}/v2.0/security-group-rules`,
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({
        security_group_rules: [
          {
            security_group_id: fx.ids.group,
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 7000,
            port_range_max: 7000,
          },
          { security_group_id: fx.ids.group, direction: 'ingress', protocol: '__proto__' },
        ],
      }),
    }));
    add('a rule with a 100 KB description', neutronError, () => ({
      method: 'POST',
      path: `/networking/${REGION}/v2.0/security-group-rules`,
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({
        security_group_rule: { security_group_id: fx.ids.group, direction: 'ingress', description: HUGE },
      }),
    }));
    add('GET /identity/v3/auth/tokens/__proto__', keystoneError, () => ({
      method: 'GET',
      path: '/identity/v3/auth/tokens/__proto__',
      headers: auth(),
    }));
    return cases;
  }

  it('prototype names are ordinary data: names, descriptions, tags and filters keep them', async () => {
    const neutron = async (method: string, path: string, body?: unknown) => {
      const res = await send(t.url, {
        method,
        path: `/networking/${REGION}/v2.0/${path}`,
        headers: { 'x-auth-token': fx.ids.token, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: res.json as any, text: res.text };
    };
    const problems: string[] = [];
    for (const name of MAIN_PROTO_NAMES) {
      const g = await neutron('POST', 'security-groups', { security_group: { name, description: name } });
      if (
        g.status !== 201 ||
        g.body.security_group?.name !== name ||
        g.body.security_group?.description !== name
      )
        problems.push(`POST security-groups {name: "${name}"} answered ${g.status} ${g.text.slice(0, 200)}`);
      else {
        const listed = await neutron('GET', `security-groups?name=${encodeURIComponent(name)}`);
        if (
          listed.status !== 200 ||
          !listed.body.security_groups?.some((x: any) => x.id === g.body.security_group.id)
        )
          problems.push(
            `GET security-groups?name=${name} answered ${listed.status} without the group: ${listed.text.slice(0, 200)}`,
          );
      }
      const tagged = await neutron('PUT', `security-groups/${fx.ids.group2}/tags`, { tags: [name] });
      if (tagged.status !== 200 || !tagged.body.tags?.includes(name))
        problems.push(
          `PUT security-groups/{id}/tags {tags: ["${name}"]} answered ${tagged.status} ${tagged.text.slice(0, 200)}`,
        );
      const tag = await neutron('PUT', `security-groups/${fx.ids.group2}/tags/${name}`);
      const check = await neutron('GET', `security-groups/${fx.ids.group2}/tags/${name}`);
      if (tag.status !== 201 || check.status !== 204)
        problems.push(
          `PUT then GET security-groups/{id}/tags/${name} answered ${tag.status}, then ${check.status} ${check.text.slice(0, 200)}`,
        );
      const ag = await neutron('POST', 'address-groups', { address_group: { name, description: name } });
      if (ag.status !== 201 || ag.body.address_group?.name !== name)
        problems.push(`POST address-groups {name: "${name}"} answered ${ag.status} ${ag.text.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
  });
});
