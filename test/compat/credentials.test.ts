// Credentials end when Keystone says they end, and reach only what Keystone lets them reach: a
// user validates, checks or revokes only its own tokens; deleting an application credential
// ends the tokens issued from it (and those derived from them) at once; a credential's expiry
// caps its tokens'; deleting a tenant ends its access keys, bearer tokens, users and their tokens,
// also for a tenant created later with the same id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { login, osProject, type OsProject } from '../support/openstack.js';
import { freshDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/servers.js';

describe('credential lifetimes and the Keystone token policy', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: OsProject;
  let bob: OsProject;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'os', profile: 'openstack' });
    alice = await osProject(t, 'alice', 'os');
    bob = await osProject(t, 'bob', 'os');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const tokens = (method: string, caller: string, subject: string) =>
    fetch(`${t.url}/identity/v3/auth/tokens`, {
      method,
      headers: { 'x-auth-token': caller, 'x-subject-token': subject },
    });

  /** Keystone's application_credential login. */
  const credentialLogin = (cred: { id: string; secret: string }) =>
    fetch(`${t.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: cred.id, secret: cred.secret },
          },
        },
      }),
    });

  const neutron = (token: string) =>
    fetch(`${t.url}/networking/os/v2.0/security-groups`, { headers: { 'x-auth-token': token } });

  it("refuses to validate, check or revoke another user's token, and says nothing about it", async () => {
    const a = (await login(t, alice)).token;
    const b = (await login(t, bob)).token;
    for (const [method, action] of [
      ['GET', 'identity:validate_token'],
      ['DELETE', 'identity:revoke_token'],
    ]) {
      const res = await tokens(method, a, b);
      expect(res.status).toBe(403);
      const body = await res.json();
      expect(body.error).toEqual({
        code: 403,
        title: 'Forbidden',
        message: `You are not authorized to perform the requested action: ${action}.`,
      });
      expect(JSON.stringify(body)).not.toContain(bob.userId);
    }
    expect((await tokens('HEAD', a, b)).status).toBe(403);
    // Bob's token survived the attempt to revoke it.
    expect((await neutron(b)).status).toBe(200);

    // A user's own tokens: validated, checked and revoked as before.
    const a2 = (await login(t, alice)).token;
    const own = await tokens('GET', a, a2);
    expect(own.status).toBe(200);
    expect((await own.json()).token.user.id).toBe(alice.userId);
    expect((await tokens('HEAD', a, a2)).status).toBe(200);
    expect((await tokens('DELETE', a, a2)).status).toBe(204);
    expect((await neutron(a2)).status).toBe(401);
  });

  it('ends the tokens of a deleted application credential at once, derived tokens included', async () => {
    const path = `/v1/openstack/users/${alice.userId}/application-credentials`;
    const cred = await alice.tenant.post<any>(path, { name: 'ci' });
    const issued = await credentialLogin(cred);
    expect(issued.status).toBe(201);
    const token = issued.headers.get('x-subject-token')!;
    // A token made from that token (the token method) carries the credential along.
    const derivedRes = await fetch(`${t.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: token } } } }),
    });
    expect(derivedRes.status).toBe(201);
    const derived = derivedRes.headers.get('x-subject-token')!;
    expect((await neutron(token)).status).toBe(200);
    expect((await neutron(derived)).status).toBe(200);

    await alice.tenant.delete(`${path}/${cred.id}`);
    expect((await neutron(token)).status).toBe(401);
    expect((await neutron(derived)).status).toBe(401);
    const password = (await login(t, alice)).token;
    expect((await tokens('GET', password, token)).status).toBe(404);
    expect((await tokens('GET', password, derived)).status).toBe(404);
  });

  it('caps a token at the expiry of the application credential it came from', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const cred = await alice.tenant.post<any>(`/v1/openstack/users/${alice.userId}/application-credentials`, {
      name: 'short-lived',
      expiresAt,
    });
    const body = await (await credentialLogin(cred)).json();
    expect(Date.parse(body.token.expires_at)).toBeLessThanOrEqual(Date.parse(expiresAt));
  });

  it("deletes a tenant's keys, tokens and users with it, so a tenant re-made with its id inherits none", async () => {
    const carol = await osProject(t, 'carol', 'os');
    const key = carol.tenant;
    const bearer = await t.admin.post<any>('/v1/access-keys', { tenantId: 'carol' });
    const issued = await fetch(`${t.url}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: bearer.id, accessKeySecret: bearer.secret }),
    });
    const console = new PalisadeClient(t.url, { token: (await issued.json()).token });
    const keystone = (await login(t, carol)).token;
    expect((await key.request('GET', '/v1/whoami')).status).toBe(200);
    expect((await console.request('GET', '/v1/whoami')).status).toBe(200);

    await t.admin.delete('/v1/tenants/carol');
    // At once, although this server had the key in its cache a moment ago.
    expect((await key.request('GET', '/v1/whoami', undefined, { raw: true })).status).toBe(401);
    expect((await console.request('GET', '/v1/whoami', undefined, { raw: true })).status).toBe(401);
    expect((await neutron(keystone)).status).toBe(401);

    await t.admin.post('/v1/tenants', { id: 'carol', name: 'another carol' });
    expect((await key.request('GET', '/v1/whoami', undefined, { raw: true })).status).toBe(401);
    expect((await console.request('GET', '/v1/whoami', undefined, { raw: true })).status).toBe(401);
    expect((await neutron(keystone)).status).toBe(401);
    await expect(login(t, carol)).rejects.toThrow(/401/);
    expect(await t.admin.get<any>('/v1/access-keys?tenantId=carol')).toEqual({ items: [] });
    expect(await t.admin.get<any>('/v1/openstack/users?tenantId=carol')).toEqual({ items: [] });
  });
});
