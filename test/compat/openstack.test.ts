// The Keystone v3 and Neutron v2.0 front ends over raw HTTP against a real server (SQLite):
// logins and the service catalog, discovery, security groups, rules, tags, address groups,
// listing (filters, fields, sorting, pagination), If-Match revisions, and every error with
// Neutron's status, type and message, checking that a refused write changed nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PalisadeClient } from '../../src/client/client.js';
import { login, type OsProject, osProject } from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

interface Res {
  status: number;
  body: any;
  headers: Headers;
}

const KEYSTONE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe('OpenStack Keystone and Neutron APIs', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: OsProject;
  let bob: OsProject;
  let tight: OsProject;
  let aliceToken: string;
  let bobToken: string;
  let tightToken: string;

  async function call(
    token: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...(token ? { 'x-auth-token': token } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }
  const n = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call(aliceToken, method, `/networking/os1/v2.0${path}`, body, headers);

  /** A refused request: its status and NeutronError. */
  async function refused(res: Promise<Res>, status: number, type: string, message?: string | RegExp) {
    const r = await res;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(r.body)).toEqual(['NeutronError']);
    expect(r.body.NeutronError.type).toBe(type);
    expect(r.body.NeutronError.detail).toBe('');
    if (typeof message === 'string') expect(r.body.NeutronError.message).toBe(message);
    else if (message) expect(r.body.NeutronError.message).toMatch(message);
    return r.body.NeutronError;
  }

  const group = async (id: string) => (await n('GET', `/security-groups/${id}`)).body.security_group;
  const newGroup = async (name: string, extra: object = {}) => {
    const r = await n('POST', '/security-groups', { security_group: { name, ...extra } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.security_group;
  };
  const newRule = async (rule: object) => {
    const r = await n('POST', '/security-group-rules', { security_group_rule: rule });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.security_group_rule;
  };

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'os1', profile: 'openstack' });
    await t.admin.post('/v1/regions', {
      id: 'os2',
      profile: 'openstack',
      quotas: { rulesPerGroup: 3, groupsPerTenant: 3 },
    });
    await t.admin.post('/v1/regions', { id: 'hw1', profile: 'huawei' });
    alice = await osProject(t, 'alice', 'os1');
    bob = await osProject(t, 'bob', 'os1');
    tight = await osProject(t, 'tight', 'os2');
    aliceToken = (await login(t, alice)).token;
    bobToken = (await login(t, bob)).token;
    tightToken = (await login(t, tight)).token;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('Keystone', () => {
    it('answers the version documents', async () => {
      const root = await call(null, 'GET', '/identity');
      expect(root.status).toBe(300);
      expect(root.body.versions.values[0]).toMatchObject({
        id: 'v3.14',
        status: 'stable',
        links: [{ rel: 'self', href: `${t.url}/identity/v3/` }],
      });
      const v3 = await call(null, 'GET', '/identity/v3');
      expect(v3.status).toBe(200);
      expect(v3.body.version.id).toBe('v3.14');
    });

    it('issues a project-scoped token with the user, project, roles and catalog', async () => {
      const { token, body } = await login(t, alice);
      expect(token).toMatch(/^gAAAA/);
      const tk = body.token;
      expect(tk.methods).toEqual(['password']);
      expect(tk.expires_at).toMatch(KEYSTONE_TIME);
      expect(tk.issued_at).toMatch(KEYSTONE_TIME);
      expect(tk.user).toMatchObject({
        id: alice.userId,
        name: 'alice-ops',
        domain: { id: 'default', name: 'Default' },
      });
      expect(tk.project).toEqual({ id: 'alice', name: 'alice', domain: { id: 'default', name: 'Default' } });
      expect(tk.roles.map((r: any) => r.name)).toContain('member');
      const network = tk.catalog.find((s: any) => s.type === 'network');
      expect(network.name).toBe('neutron');
      // One endpoint per openstack region and interface; never the huawei region.
      expect(network.endpoints.map((e: any) => `${e.region}/${e.interface}`).sort()).toEqual([
        'os1/admin',
        'os1/internal',
        'os1/public',
        'os2/admin',
        'os2/internal',
        'os2/public',
      ]);
      const pub = network.endpoints.find((e: any) => e.region === 'os1' && e.interface === 'public');
      expect(pub).toMatchObject({ region_id: 'os1', url: `${t.url}/networking/os1` });
      const identity = tk.catalog.find((s: any) => s.type === 'identity');
      expect(identity.endpoints[0].url).toBe(`${t.url}/identity/v3`);
    });

    it('refuses bad credentials and scopes with 401 in Keystone error format', async () => {
      const attempt = (user: object, scope?: object) =>
        call(null, 'POST', '/identity/v3/auth/tokens', {
          auth: { identity: { methods: ['password'], password: { user } }, ...(scope ? { scope } : {}) },
        });
      for (const r of [
        await attempt({ name: 'alice-ops', domain: { name: 'Default' }, password: 'wrong-password' }),
        await attempt({ name: 'nobody', domain: { name: 'Default' }, password: 'whatever-pw' }),
        await attempt(
          { name: 'alice-ops', domain: { name: 'Default' }, password: alice.password },
          { project: { name: 'bob', domain: { name: 'Default' } } },
        ),
      ]) {
        expect(r.status).toBe(401);
        expect(r.body.error).toMatchObject({ code: 401, title: 'Unauthorized' });
        expect(r.headers.get('x-subject-token')).toBeNull();
      }
      const malformed = await call(null, 'POST', '/identity/v3/auth/tokens', { auth: {} });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatchObject({ code: 400, title: 'Bad Request' });
      expect(malformed.body.error.message).toMatch(/^Expecting to find identity in auth/);
    });

    it('validates and revokes tokens; a revoked token no longer reaches Neutron', async () => {
      const { token } = await login(t, alice);
      const ok = await call(aliceToken, 'GET', '/identity/v3/auth/tokens', undefined, {
        'x-subject-token': token,
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-subject-token')).toBe(token);
      expect(ok.body.token.project.id).toBe('alice');
      expect((await call(token, 'GET', '/networking/os1/v2.0/security-groups')).status).toBe(200);
      const del = await call(aliceToken, 'DELETE', '/identity/v3/auth/tokens', undefined, {
        'x-subject-token': token,
      });
      expect(del.status).toBe(204);
      const gone = await call(aliceToken, 'GET', '/identity/v3/auth/tokens', undefined, {
        'x-subject-token': token,
      });
      expect(gone.status).toBe(404);
      const neutron = await call(token, 'GET', '/networking/os1/v2.0/security-groups');
      expect(neutron.status).toBe(401);
      expect(neutron.body).toEqual({
        error: {
          code: 401,
          title: 'Unauthorized',
          message: 'The request you have made requires authentication.',
        },
      });
      expect(neutron.headers.get('www-authenticate')).toBe(`Keystone uri="${t.url}/identity"`);
    });

    it('lets a user read its own project and itself, nothing else', async () => {
      const own = await call(aliceToken, 'GET', '/identity/v3/projects/alice');
      expect(own.status).toBe(200);
      expect(own.body.project).toMatchObject({
        id: 'alice',
        name: 'alice',
        domain_id: 'default',
        enabled: true,
      });
      const other = await call(aliceToken, 'GET', '/identity/v3/projects/bob');
      expect(other.status).toBe(403);
      expect(other.body.error).toMatchObject({ code: 403, title: 'Forbidden' });
      expect((await call(aliceToken, 'GET', '/identity/v3/projects')).status).toBe(403);
      const me = await call(aliceToken, 'GET', `/identity/v3/users/${alice.userId}`);
      expect(me.body.user).toMatchObject({ id: alice.userId, name: 'alice-ops', domain_id: 'default' });
      expect((await call(aliceToken, 'GET', `/identity/v3/users/${bob.userId}`)).status).toBe(403);
      expect((await call(null, 'GET', '/identity/v3/projects/alice')).status).toBe(401);
      const mine = await call(aliceToken, 'GET', '/identity/v3/auth/projects');
      expect(mine.body.projects.map((p: any) => p.id)).toEqual(['alice']);
    });

    it('logs in with an application credential', async () => {
      const cred = await t.admin.post<any>(`/v1/openstack/users/${alice.userId}/application-credentials`, {
        name: 'ci',
      });
      const r = await call(null, 'POST', '/identity/v3/auth/tokens', {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: cred.id, secret: cred.secret },
          },
        },
      });
      expect(r.status).toBe(201);
      expect(r.body.token.methods).toEqual(['application_credential']);
      expect(r.body.token.application_credential.id).toBe(cred.id);
      expect(r.body.token.project.id).toBe('alice');
      const bad = await call(null, 'POST', '/identity/v3/auth/tokens', {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: cred.id, secret: 'nope' },
          },
        },
      });
      expect(bad.status).toBe(401);
    });
  });

  describe('Neutron discovery', () => {
    it('answers the versions and resources documents at the catalog URL', async () => {
      for (const path of ['/networking/os1', '/networking/os1/']) {
        const r = await call(null, 'GET', path);
        expect(r.status).toBe(200);
        expect(r.body).toEqual({
          versions: [
            {
              id: 'v2.0',
              status: 'CURRENT',
              links: [{ rel: 'self', href: `${t.url}/networking/os1/v2.0/` }],
            },
          ],
        });
      }
      const v2 = await call(null, 'GET', '/networking/os1/v2.0/');
      expect(v2.body.resources.map((r: any) => r.collection)).toEqual([
        'security_groups',
        'security_group_rules',
        'address_groups',
        'rbac_policies',
        'networks',
        'subnets',
        'ports',
      ]);
      expect(v2.body.resources[0].links[0].href).toBe(`${t.url}/networking/os1/v2.0/security-groups`);
    });

    it('lists the extensions it implements', async () => {
      const r = await n('GET', '/extensions');
      const aliases = r.body.extensions.map((e: any) => e.alias);
      for (const alias of [
        'security-group',
        'stateful-security-group',
        'address-group',
        'standard-attr-revisions',
        'standard-attr-timestamp',
        'standard-attr-tag',
        'standard-attr-description',
        'project-id',
        'pagination',
        'sorting',
        'revision-if-match',
      ])
        expect(aliases).toContain(alias);
      // Sharing security groups and address groups, not the RBAC types of objects Palisade lacks.
      expect(aliases).toEqual(
        expect.arrayContaining(['rbac-policies', 'rbac-security-groups', 'rbac-address-group']),
      );
      expect(aliases).not.toContain('rbac-address-scope');
      expect((await n('GET', '/extensions/security-group')).body.extension.name).toBe('security-group');
      await refused(n('GET', '/extensions/rbac-address-scope'), 404, 'HTTPNotFound');
    });

    it('needs a token, and serves openstack regions only', async () => {
      const none = await call(null, 'GET', '/networking/os1/v2.0/security-groups');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe(401);
      await refused(call(aliceToken, 'GET', '/networking/hw1/v2.0/security-groups'), 404, 'HTTPNotFound');
      await refused(call(aliceToken, 'GET', '/networking/nowhere/v2.0/security-groups'), 404, 'HTTPNotFound');
      await refused(n('GET', '/routers'), 404, 'HTTPNotFound', 'The resource could not be found.');
    });
  });

  describe('security groups', () => {
    it("creates the project's default group on its first listing, with Neutron's default rules", async () => {
      const first = await n('GET', '/security-groups');
      expect(first.status).toBe(200);
      expect(first.body.security_groups).toHaveLength(1);
      const dflt = first.body.security_groups[0];
      expect(dflt).toMatchObject({
        name: 'default',
        project_id: 'alice',
        tenant_id: 'alice',
        stateful: true,
        shared: false,
        tags: [],
      });
      const rules = dflt.security_group_rules;
      expect(rules.map((r: any) => [r.direction, r.ethertype, r.remote_group_id])).toEqual([
        ['ingress', 'IPv4', dflt.id],
        ['ingress', 'IPv6', dflt.id],
        ['egress', 'IPv4', null],
        ['egress', 'IPv6', null],
      ]);
      expect(rules.every((r: any) => r.protocol === null && r.belongs_to_default_sg === true)).toBe(true);
      // Listing again makes no second default group; the native API sees the same group.
      expect((await n('GET', '/security-groups')).body.security_groups.map((g: any) => g.id)).toEqual([
        dflt.id,
      ]);
      const native = await alice.tenant.get<any>(`/v1/security-groups/${dflt.id}`);
      expect(native).toMatchObject({ name: 'default', regionId: 'os1', tenantId: 'alice' });
      expect(native.rules).toHaveLength(4);
    });

    it("places a project's groups in its VPC named default (else its first, else a new one)", async () => {
      // alice had no VPC: one named "default" was made with her default group.
      const dflt = (await n('GET', '/security-groups?name=default')).body.security_groups[0];
      const vpcOf = async (c: PalisadeClient, id: string) =>
        (await c.get<any>(`/v1/security-groups/${id}`)).vpcId;
      const aliceVpc = await vpcOf(alice.tenant, dflt.id);
      expect((await alice.tenant.get<any>(`/v1/vpcs/${aliceVpc}`)).name).toBe('default');
      expect(await vpcOf(alice.tenant, (await newGroup('placed')).id)).toBe(aliceVpc);
      // carol has VPCs "aaa" and "default": both her groups go into "default".
      const carol = await osProject(t, 'carol', 'os1');
      await carol.tenant.post('/v1/vpcs', { regionId: 'os1', name: 'aaa' });
      const named = await carol.tenant.post<any>('/v1/vpcs', { regionId: 'os1', name: 'default' });
      const token = (await login(t, carol)).token;
      const listed = await call(token, 'GET', '/networking/os1/v2.0/security-groups');
      expect(await vpcOf(carol.tenant, listed.body.security_groups[0].id)).toBe(named.id);
      const made = await call(token, 'POST', '/networking/os1/v2.0/security-groups', {
        security_group: { name: 'c1' },
      });
      expect(await vpcOf(carol.tenant, made.body.security_group.id)).toBe(named.id);
    });

    it('creates a group with two egress rules and the standard attributes', async () => {
      const g = await newGroup('web', { description: 'web tier' });
      expect(g).toMatchObject({
        name: 'web',
        description: 'web tier',
        stateful: true,
        shared: false,
        tags: [],
      });
      expect(g.id).toMatch(/^sg-/);
      expect(g.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(g.updated_at).toBe(g.created_at);
      expect(g.revision_number).toEqual(expect.any(Number));
      expect(g.security_group_rules.map((r: any) => [r.direction, r.ethertype, r.protocol])).toEqual([
        ['egress', 'IPv4', null],
        ['egress', 'IPv6', null],
      ]);
      const stateless = await newGroup('udp-fast', { stateful: false });
      expect(stateless.stateful).toBe(false);
      // The same object through the native API.
      const native = await alice.tenant.get<any>(`/v1/security-groups/${g.id}`);
      expect(native).toMatchObject({
        id: g.id,
        name: 'web',
        description: 'web tier',
        createdAt: g.created_at,
      });
      // revision_number is Neutron's own count (made at 0, its default rules make it 1), not the
      // store's revision the native API shows.
      expect(g.revision_number).toBe(1);
      expect(native.revision).toEqual(expect.any(Number));
    });

    it('refuses bad group requests and creates nothing', async () => {
      const before = (await n('GET', '/security-groups')).body.security_groups.length;
      await refused(
        n('POST', '/security-groups', { security_group: { name: 'default' } }),
        409,
        'SecurityGroupDefaultAlreadyExists',
        'Default security group already exists.',
      );
      await refused(
        n('POST', '/security-groups', { security_group: { name: 'x', colour: 'red' } }),
        400,
        'HTTPBadRequest',
        "Unrecognized attribute(s) 'colour'",
      );
      await refused(
        n('POST', '/security-groups', { security_group: { name: 'x', project_id: 'bob' } }),
        400,
        'HTTPBadRequest',
        "Specifying 'project_id' other than the authenticated project in request is not allowed for the current user.",
      );
      await refused(
        n('POST', '/security-groups', { security_groups: [] }),
        400,
        'HTTPBadRequest',
        'Resources required',
      );
      await refused(
        n('POST', '/security-groups', { name: 'x' }),
        400,
        'HTTPBadRequest',
        "Unable to find 'security_group' in request body",
      );
      await refused(
        n('POST', '/security-groups', { security_group: { name: 'x', stateful: 'maybe' } }),
        400,
        'InvalidInput',
        "Invalid input for operation: 'maybe' cannot be converted to boolean.",
      );
      const bad = await fetch(`${t.url}/networking/os1/v2.0/security-groups`, {
        method: 'POST',
        headers: { 'x-auth-token': aliceToken, 'content-type': 'application/json' },
        body: '{"security_group": ',
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).NeutronError.type).toBe('HTTPBadRequest');
      expect((await n('GET', '/security-groups')).body.security_groups.length).toBe(before);
    });

    it('shows a group, trims it to fields=, and 404s unknown and foreign groups', async () => {
      const g = await newGroup('show-me');
      const trimmed = await n('GET', `/security-groups/${g.id}?fields=id&fields=name`);
      expect(trimmed.body).toEqual({ security_group: { id: g.id, name: 'show-me' } });
      await refused(
        n('GET', '/security-groups/sg-nothere'),
        404,
        'SecurityGroupNotFound',
        'Security group sg-nothere does not exist',
      );
      await refused(
        call(bobToken, 'GET', `/networking/os1/v2.0/security-groups/${g.id}`),
        404,
        'SecurityGroupNotFound',
      );
      const bobs = await call(bobToken, 'GET', '/networking/os1/v2.0/security-groups');
      expect(bobs.body.security_groups.map((x: any) => x.name)).toEqual(['default']);
    });

    it('updates name, description and stateful; If-Match revision_number guards the write', async () => {
      const g = await newGroup('rename-me');
      const r = await n('PUT', `/security-groups/${g.id}`, {
        security_group: { name: 'renamed', description: 'd2' },
      });
      expect(r.status).toBe(200);
      expect(r.body.security_group).toMatchObject({ name: 'renamed', description: 'd2' });
      expect(r.body.security_group.revision_number).toBeGreaterThan(g.revision_number);
      const rev = r.body.security_group.revision_number;

      const stale = await refused(
        n(
          'PUT',
          `/security-groups/${g.id}`,
          { security_group: { name: 'stale' } },
          { 'if-match': `revision_number=${rev - 1}` },
        ),
        412,
        'RevisionNumberConstraintFailed',
        `Constrained to ${rev - 1}, but current revision is ${rev}`,
      );
      expect(stale).toBeTruthy();
      expect(await group(g.id)).toMatchObject({ name: 'renamed', revision_number: rev });
      const fresh = await n(
        'PUT',
        `/security-groups/${g.id}`,
        { security_group: { stateful: false } },
        {
          'if-match': `revision_number=${rev}`,
        },
      );
      expect(fresh.status).toBe(200);
      expect(fresh.body.security_group.stateful).toBe(false);

      // An empty update writes nothing.
      const same = await n('PUT', `/security-groups/${g.id}`, { security_group: {} });
      expect(same.body.security_group.revision_number).toBe((await group(g.id)).revision_number);
      expect(same.body.security_group.revision_number).toBe(fresh.body.security_group.revision_number);
      await refused(
        n('PUT', `/security-groups/${g.id}`, { security_group: { id: 'sg-other' } }),
        400,
        'HTTPBadRequest',
        'Cannot update read-only attribute id',
      );
      await refused(
        n('PUT', `/security-groups/${g.id}`, { security_group: { name: 'Default' } }),
        409,
        'SecurityGroupDefaultAlreadyExists',
      );
      const dflt = (await n('GET', '/security-groups?name=default')).body.security_groups[0];
      await refused(
        n('PUT', `/security-groups/${dflt.id}`, { security_group: { name: 'main' } }),
        409,
        'SecurityGroupCannotUpdateDefault',
        'Updating default security group not allowed.',
      );
      expect((await group(dflt.id)).revision_number).toBe(dflt.revision_number);
      await refused(
        n(
          'PUT',
          `/security-groups/${g.id}`,
          { security_group: { name: 'x' } },
          { 'if-match': 'revision_number=abc' },
        ),
        400,
        'BadRequest',
      );
    });

    it('deletes a group with its rules; refuses the default group and groups in use', async () => {
      const g = await newGroup('doomed');
      const ruleId = g.security_group_rules[0].id;
      expect((await n('DELETE', `/security-groups/${g.id}`)).status).toBe(204);
      await refused(n('GET', `/security-group-rules/${ruleId}`), 404, 'SecurityGroupRuleNotFound');
      await refused(n('DELETE', `/security-groups/${g.id}`), 404, 'SecurityGroupNotFound');

      const dflt = (await n('GET', '/security-groups?name=default')).body.security_groups[0];
      await refused(
        n('DELETE', `/security-groups/${dflt.id}`),
        409,
        'SecurityGroupCannotRemoveDefault',
        'Insufficient rights for removing default security group.',
      );

      // A port (made through the native API) in the group: in use.
      const used = await newGroup('used');
      const vpcId = (await alice.tenant.get<any>(`/v1/security-groups/${used.id}`)).vpcId;
      await alice.tenant.post('/v1/instances', {
        regionId: 'os1',
        vpcId,
        name: 'vm1',
        ports: [{ ipv4: ['10.9.0.10'], groupIds: [used.id] }],
      });
      await refused(
        n('DELETE', `/security-groups/${used.id}`),
        409,
        'SecurityGroupInUse',
        `Security Group ${used.id} in use.`,
      );
      await refused(
        n('PUT', `/security-groups/${used.id}`, { security_group: { stateful: false } }),
        409,
        'SecurityGroupInUse',
      );
      expect((await group(used.id)).stateful).toBe(true);
      await refused(
        n('DELETE', `/security-groups/${used.id}`, undefined, { 'if-match': 'revision_number=1' }),
        409,
        'SecurityGroupInUse',
      );
    });
  });

  describe('security group rules', () => {
    let g: any;
    let other: any;
    beforeAll(async () => {
      g = await newGroup('rules');
      other = await newGroup('peers');
    });

    const rulesOf = async (groupId: string) =>
      (await n('GET', `/security-group-rules?security_group_id=${groupId}`)).body.security_group_rules;

    it("creates rules in Neutron's canonical form", async () => {
      const ssh = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'TCP',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: '10.0.0.5',
        description: 'ssh',
      });
      expect(ssh).toMatchObject({
        security_group_id: g.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: '10.0.0.5/32',
        normalized_cidr: '10.0.0.5/32',
        remote_group_id: null,
        remote_address_group_id: null,
        description: 'ssh',
        project_id: 'alice',
        tenant_id: 'alice',
        belongs_to_default_sg: false,
      });
      expect(ssh.id).toMatch(/^sgr-/);
      expect(ssh.created_at).toMatch(/Z$/);
      expect(ssh.revision_number).toEqual(expect.any(Number));

      const dns = await newRule({
        security_group_id: g.id,
        direction: 'egress',
        protocol: '17',
        port_range_min: '53',
        port_range_max: 53,
        remote_ip_prefix: '192.0.2.9/24',
      });
      expect(dns).toMatchObject({
        protocol: '17',
        port_range_min: 53,
        port_range_max: 53,
        remote_ip_prefix: '192.0.2.9/24',
        normalized_cidr: '192.0.2.0/24',
      });
      const ping = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'icmp',
        port_range_min: 8,
        port_range_max: 0,
      });
      expect(ping).toMatchObject({
        protocol: 'icmp',
        port_range_min: 8,
        port_range_max: 0,
        remote_ip_prefix: null,
      });
      const v6 = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        ethertype: 'ipv6',
        protocol: 'icmp',
      });
      expect(v6).toMatchObject({ ethertype: 'IPv6', protocol: 'ipv6-icmp', port_range_min: null });
      const all = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'udp',
        port_range_min: 1,
        port_range_max: 65535,
      });
      expect(all).toMatchObject({ protocol: 'udp', port_range_min: null, port_range_max: null });
      const peer = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        remote_group_id: other.id,
      });
      expect(peer).toMatchObject({ remote_group_id: other.id, protocol: null, remote_ip_prefix: null });

      // The native API holds the same rules.
      const native = await alice.tenant.get<any>(`/v1/security-groups/${g.id}`);
      const nssh = native.rules.find((r: any) => r.id === ssh.id);
      expect(nssh).toMatchObject({
        protocol: 'tcp',
        ports: [{ from: 22, to: 22 }],
        remoteIpPrefix: '10.0.0.5/32',
      });
      // The group's revision moved with its rules.
      expect((await group(g.id)).revision_number).toBeGreaterThanOrEqual(peer.revision_number);
    });

    it('refuses duplicates, naming the existing rule, and adds nothing', async () => {
      const before = await group(g.id);
      const ssh = before.security_group_rules.find((r: any) => r.port_range_min === 22);
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rule: {
            security_group_id: g.id,
            direction: 'ingress',
            protocol: '6',
            port_range_min: 22,
            port_range_max: 22,
            remote_ip_prefix: '10.0.0.5/32',
            description: 'other text',
          },
        }),
        409,
        'SecurityGroupRuleExists',
        `Security group rule already exists. Rule id is ${ssh.id}.`,
      );
      // null remote and 0.0.0.0/0 are the same remote (the default egress rule exists).
      const egress = before.security_group_rules.find(
        (r: any) => r.direction === 'egress' && r.ethertype === 'IPv4' && r.protocol === null,
      );
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rule: {
            security_group_id: g.id,
            direction: 'egress',
            remote_ip_prefix: '0.0.0.0/0',
          },
        }),
        409,
        'SecurityGroupRuleExists',
        `Security group rule already exists. Rule id is ${egress.id}.`,
      );
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rules: [
            {
              security_group_id: g.id,
              direction: 'ingress',
              protocol: 'tcp',
              port_range_min: 8080,
              port_range_max: 8080,
            },
            {
              security_group_rule: {
                security_group_id: g.id,
                direction: 'ingress',
                protocol: '6',
                port_range_min: 8080,
                port_range_max: 8080,
              },
            },
          ],
        }),
        409,
        'DuplicateSecurityGroupRuleInPost',
        'Duplicate Security Group Rule in POST.',
      );
      const after = await group(g.id);
      expect(after.revision_number).toBe(before.revision_number);
      expect(after.security_group_rules).toHaveLength(before.security_group_rules.length);
    });

    it("refuses invalid rules with Neutron's exceptions and messages, changing nothing", async () => {
      const before = await group(g.id);
      const post = (rule: object) =>
        n('POST', '/security-group-rules', {
          security_group_rule: { security_group_id: g.id, direction: 'ingress', ...rule },
        });
      const cases: [object, number, string, string | RegExp][] = [
        [
          { protocol: 'tcp', port_range_min: 70000, port_range_max: 70000 },
          400,
          'SecurityGroupInvalidPortValue',
          'Invalid value for port 70000',
        ],
        [
          { protocol: 'tcp', port_range_min: 0, port_range_max: 80 },
          400,
          'SecurityGroupInvalidPortValue',
          'Invalid value for port 0',
        ],
        [
          { protocol: 'tcp', port_range_min: 90, port_range_max: 80 },
          400,
          'SecurityGroupInvalidPortRange',
          'For TCP/UDP protocols, port_range_min must be <= port_range_max',
        ],
        [
          { protocol: 'udp', port_range_min: 90 },
          400,
          'SecurityGroupInvalidPortRange',
          'For TCP/UDP protocols, port_range_min must be <= port_range_max',
        ],
        [
          { port_range_min: 80, port_range_max: 80 },
          400,
          'SecurityGroupProtocolRequiredWithPorts',
          'Must also specify protocol if port range is given.',
        ],
        [
          { protocol: 'icmp', port_range_min: 300 },
          400,
          'SecurityGroupInvalidIcmpValue',
          'Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255.',
        ],
        [
          { protocol: 'icmp', port_range_min: 8, port_range_max: 256 },
          400,
          'SecurityGroupInvalidIcmpValue',
          'Invalid value for ICMP code (port_range_max) 256. It must be 0 to 255.',
        ],
        [
          { protocol: 'icmp', port_range_max: 0 },
          400,
          'SecurityGroupMissingIcmpType',
          'ICMP code (port-range-max) 0 is provided but ICMP type (port-range-min) is missing.',
        ],
        [
          { protocol: 'gre', port_range_min: 1, port_range_max: 2 },
          400,
          'SecurityGroupInvalidProtocolForPort',
          'Ports cannot be specified for protocol 47. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.',
        ],
        [
          { protocol: 'foo' },
          400,
          'SecurityGroupRuleInvalidProtocol',
          /^Security group rule protocol foo not supported\. Only protocol values \(None, 'any', 'ah', .*'vrrp'\) and integer representations \[0 to 255\] are supported\.$/,
        ],
        [
          { protocol: 256 },
          400,
          'SecurityGroupRuleInvalidProtocol',
          /^Security group rule protocol 256 not supported/,
        ],
        [
          { remote_ip_prefix: '10.0.0.0/8', remote_group_id: other.id },
          400,
          'SecurityGroupMultipleRemoteEntites',
          'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
        ],
        [
          { ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' },
          400,
          'SecurityGroupRuleParameterConflict',
          'Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8',
        ],
        [
          { remote_ip_prefix: '10.0.0.300' },
          400,
          'InvalidCIDR',
          'Invalid CIDR 10.0.0.300 given as IP prefix.',
        ],
        [
          { protocol: 'ipv6-icmp' },
          400,
          'SecurityGroupEthertypeConflictWithProtocol',
          'Invalid ethertype IPv4 for protocol ipv6-icmp.',
        ],
        [
          { ethertype: 'IPv5' },
          400,
          'SecurityGroupRuleInvalidEtherType',
          "Security group rule for ethertype 'IPv5' not supported. Allowed values are ['IPv4', 'IPv6'].",
        ],
        [
          { direction: 'sideways' },
          400,
          'HTTPBadRequest',
          "Invalid input for direction. Reason: sideways is not in ['ingress', 'egress'].",
        ],
        [
          { direction: undefined },
          400,
          'HTTPBadRequest',
          "Failed to parse request. Required attribute 'direction' not specified",
        ],
        [{ id: 'sgr-mine' }, 400, 'HTTPBadRequest', "Attribute 'id' not allowed in POST"],
        [
          { remote_group_id: 'sg-missing' },
          404,
          'SecurityGroupNotFound',
          'Security group sg-missing does not exist',
        ],
        [
          { remote_address_group_id: 'ag-missing' },
          404,
          'AddressGroupNotFound',
          'Address group ag-missing could not be found.',
        ],
        [
          { security_group_id: 'sg-missing' },
          404,
          'SecurityGroupNotFound',
          'Security group sg-missing does not exist',
        ],
      ];
      for (const [rule, status, type, message] of cases) await refused(post(rule), status, type, message);
      // A foreign group is missing, as remote and as parent.
      const bobsDefault = (await call(bobToken, 'GET', '/networking/os1/v2.0/security-groups')).body
        .security_groups[0];
      await refused(post({ remote_group_id: bobsDefault.id }), 404, 'SecurityGroupNotFound');
      await refused(post({ security_group_id: bobsDefault.id }), 404, 'SecurityGroupNotFound');
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rules: [
            {
              security_group_id: g.id,
              direction: 'ingress',
              protocol: 'tcp',
              port_range_min: 9000,
              port_range_max: 9000,
            },
            {
              security_group_id: other.id,
              direction: 'ingress',
              protocol: 'tcp',
              port_range_min: 9000,
              port_range_max: 9000,
            },
          ],
        }),
        400,
        'SecurityGroupNotSingleGroupRules',
      );
      // A batch with one bad rule adds none of them.
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rules: [
            {
              security_group_id: g.id,
              direction: 'ingress',
              protocol: 'tcp',
              port_range_min: 9001,
              port_range_max: 9001,
            },
            {
              security_group_id: g.id,
              direction: 'ingress',
              protocol: 'tcp',
              port_range_min: 9002,
              port_range_max: 1,
            },
          ],
        }),
        400,
        'SecurityGroupInvalidPortRange',
      );
      const after = await group(g.id);
      expect(after.revision_number).toBe(before.revision_number);
      expect(after.security_group_rules.map((r: any) => r.id)).toEqual(
        before.security_group_rules.map((r: any) => r.id),
      );
    });

    it('creates a batch of rules in one write', async () => {
      const r = await n('POST', '/security-group-rules', {
        security_group_rules: [
          {
            security_group_id: other.id,
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 80,
            port_range_max: 80,
          },
          {
            security_group_id: other.id,
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 443,
            port_range_max: 443,
          },
        ],
      });
      expect(r.status).toBe(201);
      expect(r.body.security_group_rules.map((x: any) => x.port_range_min)).toEqual([80, 443]);
      expect(r.body.security_group_rules[0].revision_number).toBe(
        r.body.security_group_rules[1].revision_number,
      );
    });

    it('keeps protocols the model has no name for by the name sent, and refuses DCCP ports', async () => {
      const h = await newGroup('numbers');
      const esp = await newRule({ security_group_id: h.id, direction: 'ingress', protocol: 'esp' });
      expect(esp.protocol).toBe('esp');
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rule: { security_group_id: h.id, direction: 'ingress', protocol: '50' },
        }),
        409,
        'SecurityGroupRuleExists',
        `Security group rule already exists. Rule id is ${esp.id}.`,
      );
      await refused(
        n('POST', '/security-group-rules', {
          security_group_rule: {
            security_group_id: h.id,
            direction: 'ingress',
            protocol: 'dccp',
            port_range_min: 5,
            port_range_max: 6,
          },
        }),
        400,
        'InvalidInput',
        'Invalid input for operation: port ranges are supported for tcp, udp and sctp rules only, not for protocol dccp.',
      );
      expect((await group(h.id)).security_group_rules).toHaveLength(3);
    });

    it('lists rules with filters, fields, sorting and pagination links', async () => {
      const mine = await rulesOf(g.id);
      expect(mine.length).toBeGreaterThanOrEqual(8);
      expect(mine.every((r: any) => r.security_group_id === g.id)).toBe(true);

      const tcp = (await n('GET', `/security-group-rules?security_group_id=${g.id}&protocol=tcp`)).body
        .security_group_rules;
      expect(tcp.map((r: any) => r.port_range_min)).toEqual([22]);
      const udp = (await n('GET', `/security-group-rules?security_group_id=${g.id}&protocol=udp`)).body
        .security_group_rules;
      // "udp" finds the rule stored as "17" too.
      expect(udp.map((r: any) => r.protocol).sort()).toEqual(['17', 'udp']);
      const either = (
        await n(
          'GET',
          `/security-group-rules?security_group_id=${g.id}&security_group_id=${other.id}&direction=egress`,
        )
      ).body.security_group_rules;
      expect(new Set(either.map((r: any) => r.security_group_id))).toEqual(new Set([g.id, other.id]));
      expect(either.every((r: any) => r.direction === 'egress')).toBe(true);

      const fields = (
        await n('GET', `/security-group-rules?security_group_id=${g.id}&fields=id&fields=protocol`)
      ).body;
      expect(Object.keys(fields.security_group_rules[0]).sort()).toEqual(['id', 'protocol']);

      const sorted = (
        await n(
          'GET',
          `/security-group-rules?security_group_id=${g.id}&protocol=tcp&protocol=17&sort_key=port_range_min&sort_dir=desc`,
        )
      ).body.security_group_rules;
      // "17" finds the udp rule stored by name too; no ports (null) sort first, so last descending.
      expect(sorted.map((r: any) => [r.protocol, r.port_range_min])).toEqual([
        ['17', 53],
        ['tcp', 22],
        ['udp', null],
      ]);

      // Pages of 3, following the next links to the end, then one page back.
      const seen: string[] = [];
      let url: string | undefined =
        `${t.url}/networking/os1/v2.0/security-group-rules?security_group_id=${g.id}&limit=3`;
      let pages = 0;
      let last: any;
      while (url && pages < 10) {
        const res = await fetch(url, { headers: { 'x-auth-token': aliceToken } });
        last = await res.json();
        seen.push(...last.security_group_rules.map((r: any) => r.id));
        pages++;
        url = last.security_group_rules_links.find((l: any) => l.rel === 'next')?.href;
      }
      expect(seen).toEqual(mine.map((r: any) => r.id).sort());
      expect(pages).toBe(Math.floor(mine.length / 3) + 1);
      const prev = last.security_group_rules_links.find((l: any) => l.rel === 'previous').href;
      expect(prev).toContain('page_reverse=True');
      const back = await (await fetch(prev, { headers: { 'x-auth-token': aliceToken } })).json();
      expect(back.security_group_rules.length).toBe(3);

      await refused(
        n('GET', '/security-group-rules?colour=red'),
        400,
        'HTTPBadRequest',
        "['colour'] is invalid attribute for filtering",
      );
      await refused(
        n('GET', '/security-group-rules?sort_key=colour&sort_dir=asc'),
        400,
        'HTTPBadRequest',
        "['colour'] is invalid attribute for sort_keys",
      );
      await refused(
        n('GET', '/security-group-rules?sort_key=id'),
        400,
        'HTTPBadRequest',
        'The number of sort_keys and sort_dirs must be same',
      );
      await refused(
        n('GET', '/security-group-rules?limit=-1'),
        400,
        'BadRequest',
        "Bad limit request: Limit must be an integer 0 or greater and not '-1'.",
      );
      await refused(n('GET', '/security-group-rules?protocol=foo'), 400, 'SecurityGroupRuleInvalidProtocol');
      // Another project's rules are not listed.
      const bobs = (
        await call(bobToken, 'GET', `/networking/os1/v2.0/security-group-rules?security_group_id=${g.id}`)
      ).body;
      expect(bobs.security_group_rules).toEqual([]);
    });

    it('shows, describes and deletes a rule; If-Match applies to the rule', async () => {
      const rule = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 5432,
        port_range_max: 5432,
      });
      expect((await n('GET', `/security-group-rules/${rule.id}`)).body.security_group_rule).toEqual(rule);
      const put = await n('PUT', `/security-group-rules/${rule.id}`, {
        security_group_rule: { description: 'postgres' },
      });
      expect(put.status).toBe(200);
      expect(put.body.security_group_rule).toMatchObject({
        id: rule.id,
        description: 'postgres',
        port_range_min: 5432,
      });
      await refused(
        n('PUT', `/security-group-rules/${rule.id}`, { security_group_rule: { direction: 'egress' } }),
        400,
        'HTTPBadRequest',
        'Cannot update read-only attribute direction',
      );
      const rev = put.body.security_group_rule.revision_number;
      await refused(
        n('DELETE', `/security-group-rules/${rule.id}`, undefined, {
          'if-match': `revision_number=${rev + 1}`,
        }),
        412,
        'RevisionNumberConstraintFailed',
        `Constrained to ${rev + 1}, but current revision is ${rev}`,
      );
      expect((await n('GET', `/security-group-rules/${rule.id}`)).status).toBe(200);
      expect(
        (
          await n('DELETE', `/security-group-rules/${rule.id}`, undefined, {
            'if-match': `revision_number=${rev}`,
          })
        ).status,
      ).toBe(204);
      await refused(
        n('DELETE', `/security-group-rules/${rule.id}`),
        404,
        'SecurityGroupRuleNotFound',
        `Security group rule ${rule.id} does not exist`,
      );
      await refused(
        call(bobToken, 'GET', `/networking/os1/v2.0/security-group-rules/${g.security_group_rules[0].id}`),
        404,
        'SecurityGroupRuleNotFound',
      );
    });

    it('deletes a group other groups reference together with the rules naming it, in one write', async () => {
      const naming = async () =>
        (
          await n('GET', `/security-group-rules?remote_group_id=${other.id}`)
        ).body.security_group_rules.filter((r: any) => r.security_group_id !== other.id);
      expect((await naming()).length).toBeGreaterThan(0);
      const revision = async () => ((await (await fetch(`${t.url}/readyz`)).json()) as any).revision;
      const before = await revision();
      expect((await n('DELETE', `/security-groups/${other.id}`)).status).toBe(204);
      expect(await revision()).toBe(before + 1);
      expect((await n('GET', `/security-groups/${other.id}`)).status).toBe(404);
      expect(await naming()).toEqual([]);
    });

    it('answers OverQuota when a group or rule quota is reached, changing nothing', async () => {
      const tn = (method: string, path: string, body?: unknown) =>
        call(tightToken, method, `/networking/os2/v2.0${path}`, body);
      // groupsPerTenant 3: the default group and two more.
      const a = (await tn('POST', '/security-groups', { security_group: { name: 'a' } })).body.security_group;
      await tn('POST', '/security-groups', { security_group: { name: 'b' } });
      await refused(
        tn('POST', '/security-groups', { security_group: { name: 'c' } }),
        409,
        'OverQuota',
        "Quota exceeded for resources: ['security_group'].",
      );
      expect(
        (await tn('GET', '/security-groups')).body.security_groups.map((x: any) => x.name).sort(),
      ).toEqual(['a', 'b', 'default']);
      // rulesPerGroup 3: two egress rules and one more.
      const third = await tn('POST', '/security-group-rules', {
        security_group_rule: {
          security_group_id: a.id,
          direction: 'ingress',
          protocol: 'tcp',
          port_range_min: 1,
          port_range_max: 2,
        },
      });
      expect(third.status).toBe(201);
      const r = await tn('POST', '/security-group-rules', {
        security_group_rule: {
          security_group_id: a.id,
          direction: 'ingress',
          protocol: 'tcp',
          port_range_min: 3,
          port_range_max: 4,
        },
      });
      expect(r.status).toBe(409);
      expect(r.body.NeutronError).toMatchObject({
        type: 'OverQuota',
        message: "Quota exceeded for resources: ['security_group_rule'].",
      });
      expect(
        (await tn('GET', `/security-groups/${a.id}`)).body.security_group.security_group_rules,
      ).toHaveLength(3);
    });
  });

  describe('tags', () => {
    it('sets, adds, checks and removes tags; filters on them; the native API sees them', async () => {
      const g = await newGroup('tagged');
      const plain = await newGroup('plain');
      const put = await n('PUT', `/security-groups/${g.id}/tags`, { tags: ['red', 'blue'] });
      expect(put.status).toBe(200);
      expect(put.body.tags).toEqual(['blue', 'red']);
      expect((await n('PUT', `/security-groups/${g.id}/tags/green`)).status).toBe(201);
      expect((await n('GET', `/security-groups/${g.id}/tags`)).body.tags).toEqual(['blue', 'green', 'red']);
      expect((await n('GET', `/security-groups/${g.id}/tags/green`)).status).toBe(204);
      await refused(
        n('GET', `/security-groups/${g.id}/tags/black`),
        404,
        'TagNotFound',
        'Tag black could not be found.',
      );
      expect((await group(g.id)).tags).toEqual(['blue', 'green', 'red']);
      expect((await alice.tenant.get<any>(`/v1/security-groups/${g.id}`)).tags).toEqual({
        blue: '',
        green: '',
        red: '',
      });

      const ids = async (q: string) =>
        (await n('GET', `/security-groups?${q}`)).body.security_groups.map((x: any) => x.id);
      expect(await ids('tags=red,blue')).toEqual([g.id]);
      expect(await ids('tags=red,black')).toEqual([]);
      expect(await ids('tags-any=black,green')).toEqual([g.id]);
      expect(await ids('not-tags=red')).toContain(plain.id);
      expect(await ids('not-tags=red')).not.toContain(g.id);
      expect(await ids('not-tags-any=black,blue')).not.toContain(g.id);

      expect((await n('DELETE', `/security-groups/${g.id}/tags/red`)).status).toBe(204);
      await refused(n('DELETE', `/security-groups/${g.id}/tags/red`), 404, 'TagNotFound');
      await refused(
        n('PUT', `/security-groups/${g.id}/tags`, { tags: 'red' }),
        400,
        'InvalidInput',
        'Invalid input for operation: Invalid tags body.',
      );
      expect((await n('DELETE', `/security-groups/${g.id}/tags`)).status).toBe(204);
      expect((await n('GET', `/security-groups/${g.id}/tags`)).body.tags).toEqual([]);
      await refused(n('GET', '/security-groups/sg-nothere/tags'), 404, 'SecurityGroupNotFound');
    });
  });

  describe('address groups', () => {
    it('creates, changes, references and deletes address groups', async () => {
      const r = await n('POST', '/address-groups', {
        address_group: { name: 'office', addresses: ['10.0.0.5/24', '2001:db8::1/64'] },
      });
      expect(r.status).toBe(201);
      const ag = r.body.address_group;
      expect(ag).toMatchObject({
        name: 'office',
        description: '',
        project_id: 'alice',
        addresses: ['10.0.0.0/24', '2001:db8::/64'],
      });
      expect(ag.id).toMatch(/^ag-/);
      await refused(
        n('POST', '/address-groups', { address_group: { name: 'x', addresses: ['10.0.0.5'] } }),
        400,
        'HTTPBadRequest',
        "Invalid input for addresses. Reason: '10.0.0.5' is not a valid IP subnet.",
      );
      await refused(
        n('PUT', `/address-groups/${ag.id}/add_addresses`, { addresses: ['10.0.0.0/24'] }),
        400,
        'AddressesAlreadyExist',
        `Addresses ['10.0.0.0/24'] already exist in the address group ${ag.id}.`,
      );
      await refused(
        n('PUT', `/address-groups/${ag.id}/remove_addresses`, { addresses: ['172.16.0.0/12'] }),
        404,
        'AddressesNotFound',
        `Addresses ['172.16.0.0/12'] not found in the address group ${ag.id}.`,
      );
      expect((await n('GET', `/address-groups/${ag.id}`)).body.address_group.revision_number).toBe(
        ag.revision_number,
      );
      const added = await n('PUT', `/address-groups/${ag.id}/add_addresses`, {
        addresses: ['172.16.0.0/12'],
      });
      expect(added.body.address_group.addresses).toEqual(['10.0.0.0/24', '2001:db8::/64', '172.16.0.0/12']);
      const removed = await n('PUT', `/address-groups/${ag.id}/remove_addresses`, {
        addresses: ['2001:db8::/64'],
      });
      expect(removed.body.address_group.addresses).toEqual(['10.0.0.0/24', '172.16.0.0/12']);
      const renamed = await n('PUT', `/address-groups/${ag.id}`, {
        address_group: { name: 'hq', description: 'head office' },
      });
      expect(renamed.body.address_group).toMatchObject({ name: 'hq', description: 'head office' });
      await refused(
        n('PUT', `/address-groups/${ag.id}`, { address_group: { addresses: [] } }),
        400,
        'HTTPBadRequest',
        'Cannot update read-only attribute addresses',
      );
      expect((await n('GET', '/address-groups?name=hq')).body.address_groups.map((x: any) => x.id)).toEqual([
        ag.id,
      ]);

      const g = await newGroup('from-office');
      const rule = await newRule({
        security_group_id: g.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 443,
        port_range_max: 443,
        remote_address_group_id: ag.id,
      });
      expect(rule.remote_address_group_id).toBe(ag.id);
      await refused(
        n('DELETE', `/address-groups/${ag.id}`),
        409,
        'AddressGroupInUse',
        `Address group ${ag.id} is in use on one or more security group rules.`,
      );
      expect((await n('DELETE', `/security-group-rules/${rule.id}`)).status).toBe(204);
      expect((await n('DELETE', `/address-groups/${ag.id}`)).status).toBe(204);
      await refused(
        n('GET', `/address-groups/${ag.id}`),
        404,
        'AddressGroupNotFound',
        `Address group ${ag.id} could not be found.`,
      );
    });
  });

  describe('listing groups', () => {
    it('filters on any attribute (repeated keys OR), sorts, pages and trims to fields', async () => {
      const names = ['list-c', 'list-a', 'list-b'];
      for (const name of names) await newGroup(name, { description: 'listing' });
      const byDesc = (await n('GET', '/security-groups?description=listing&sort_key=name&sort_dir=asc')).body
        .security_groups;
      expect(byDesc.map((x: any) => x.name)).toEqual(['list-a', 'list-b', 'list-c']);
      const or = (await n('GET', '/security-groups?name=list-a&name=list-c&sort_key=name&sort_dir=desc')).body
        .security_groups;
      expect(or.map((x: any) => x.name)).toEqual(['list-c', 'list-a']);
      // The CLI's own listing request.
      const cli = (
        await n(
          'GET',
          '/security-groups?fields=id&fields=name&fields=description&fields=project_id&fields=tags&name=list-b',
        )
      ).body;
      expect(cli.security_groups).toEqual([
        { id: expect.any(String), name: 'list-b', description: 'listing', project_id: 'alice', tags: [] },
      ]);
      const stateless = (await n('GET', '/security-groups?stateful=false')).body.security_groups;
      expect(stateless.every((x: any) => x.stateful === false)).toBe(true);
      expect(stateless.length).toBeGreaterThan(0);

      const page1 = (
        await n('GET', '/security-groups?description=listing&limit=2&sort_key=name&sort_dir=asc')
      ).body;
      expect(page1.security_groups.map((x: any) => x.name)).toEqual(['list-a', 'list-b']);
      const next = page1.security_groups_links.find((l: any) => l.rel === 'next').href;
      expect(next).toMatch(new RegExp(`^${t.url}/networking/os1/v2.0/security-groups\\?`));
      expect(new URL(next).searchParams.get('marker')).toBe(page1.security_groups[1].id);
      const page2 = await (await fetch(next, { headers: { 'x-auth-token': aliceToken } })).json();
      expect(page2.security_groups.map((x: any) => x.name)).toEqual(['list-c']);
      expect(page2.security_groups_links.map((l: any) => l.rel)).toEqual(['previous']);
      // A Neutron-made group is a native group too, listed by the native API.
      const native = await alice.tenant.get<any>('/v1/security-groups?regionId=os1&name=list-a');
      expect(native.items.map((x: any) => x.id)).toEqual([page1.security_groups[0].id]);
    });
  });

  describe('names of Object.prototype members', () => {
    it('are unknown protocols, unknown filters and ordinary tags and fields', async () => {
      const g = await newGroup('proto-names');
      for (const protocol of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
        await refused(
          n('POST', '/security-group-rules', {
            security_group_rule: { security_group_id: g.id, direction: 'ingress', protocol },
          }),
          400,
          'SecurityGroupRuleInvalidProtocol',
          new RegExp(`^Security group rule protocol ${protocol} not supported`),
        );
      for (const name of ['constructor', '__proto__', 'toString'])
        await refused(
          n('GET', `/security-groups?${name}=x`),
          400,
          'HTTPBadRequest',
          `['${name}'] is invalid attribute for filtering`,
        );
      const put = await n('PUT', `/security-groups/${g.id}/tags`, { tags: ['__proto__', 'constructor'] });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect((await group(g.id)).tags).toEqual(['__proto__', 'constructor']);
      const listed = (
        await n('GET', `/security-groups?id=${g.id}&fields=id&fields=__proto__&fields=toString`)
      ).body.security_groups;
      expect(listed).toEqual([{ id: g.id }]);
      expect(Object.keys(listed[0])).toEqual(['id']);
    });
  });
});
