// OpenStack identities through the native API: users with passwords and application credentials
// (operator or the tenant itself), tenant isolation, and the logins the Keystone endpoint builds on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type PalisadeClient } from '../../src/client/client.js';
import { IdentityError } from '../../src/control/auth/identity.js';
import {
  freshDatabase,
  newTenant,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '../support/servers.js';

async function failure(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, code: e.problem.code };
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('OpenStack identities', () => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;
  let bob: PalisadeClient;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startTestServer(db);
    alice = await newTenant(t.admin, t.url, 'alice');
    bob = await newTenant(t.admin, t.url, 'bob');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('creates users for a tenant, refuses duplicates and weak passwords, and keeps tenants apart', async () => {
    const user = await t.admin.post<any>('/v1/openstack/users', {
      tenantId: 'alice',
      name: 'alice-ops',
      password: 'correct horse',
    });
    expect(user).toMatchObject({ tenantId: 'alice', name: 'alice-ops', domainId: 'default' });
    expect(user.id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(user)).not.toContain('correct horse');

    expect(
      await failure(alice.post('/v1/openstack/users', { name: 'alice-ops', password: 'another one' })),
    ).toEqual({
      status: 409,
      code: 'USER_EXISTS',
    });
    expect(await failure(alice.post('/v1/openstack/users', { name: 'x', password: 'short' }))).toMatchObject({
      status: 400,
    });
    expect(
      await failure(
        alice.post('/v1/openstack/users', { name: 'x', password: 'long enough', tenantId: 'bob' }),
      ),
    ).toMatchObject({ status: 403 });

    const own = await alice.post<any>('/v1/openstack/users', { name: 'alice-ci', password: 'long enough' });
    expect(own.tenantId).toBe('alice');
    const listed = await alice.get<{ items: any[] }>('/v1/openstack/users');
    expect(listed.items.map((u) => u.name)).toEqual(['alice-ci', 'alice-ops']);
    expect((await bob.get<{ items: any[] }>('/v1/openstack/users')).items).toEqual([]);
    expect(await failure(bob.delete(`/v1/openstack/users/${own.id}`))).toMatchObject({ status: 404 });

    const audit = await t.admin.get<{ items: any[] }>('/v1/audit?tenantId=alice');
    expect(audit.items.map((a) => a.action)).toContain('identityUser.create');
    expect(JSON.stringify(audit.items)).not.toContain('correct horse');
  });

  it('logs in with a password or an application credential, scoped to the tenant as project', async () => {
    const { identity } = t.server;
    const user = await alice.post<any>('/v1/openstack/users', { name: 'alice-dev', password: 'pass word 1' });
    const session = await identity.authenticatePassword('127.0.0.1', {
      userName: 'alice-dev',
      domainName: 'Default',
      password: 'pass word 1',
      projectName: 'alice',
    });
    expect(session.project).toEqual({ id: 'alice', name: 'alice' });
    expect(session.principal).toMatchObject({ role: 'tenant', tenantId: 'alice' });
    const token = await identity.issueToken(session);
    expect((await identity.validateToken(token)).userId).toBe(user.id);

    for (const wrong of [
      { userName: 'alice-dev', domainName: 'Default', password: 'pass word 2' },
      { userName: 'nobody', domainName: 'Default', password: 'pass word 1' },
      { userName: 'alice-dev', domainName: 'Other', password: 'pass word 1' },
      { userName: 'alice-dev', domainName: 'Default', password: 'pass word 1', projectName: 'bob' },
    ])
      await expect(identity.authenticatePassword('127.0.0.1', wrong)).rejects.toBeInstanceOf(IdentityError);

    const cred = await alice.post<any>(`/v1/openstack/users/${user.id}/application-credentials`, {
      name: 'ci',
    });
    expect(cred.secret).toEqual(expect.any(String));
    const viaCred = await identity.authenticateAppCredential('127.0.0.1', {
      id: cred.id,
      secret: cred.secret,
    });
    expect(viaCred.methods).toEqual(['application_credential']);
    await expect(
      identity.authenticateAppCredential('127.0.0.1', { id: cred.id, secret: 'nope' }),
    ).rejects.toBeInstanceOf(IdentityError);
    const creds = await alice.get<{ items: any[] }>(`/v1/openstack/users/${user.id}/application-credentials`);
    expect(creds.items).toHaveLength(1);
    expect(JSON.stringify(creds)).not.toContain(cred.secret);

    // A new password revokes the user's tokens; deleting the credential ends its logins.
    await alice.put(`/v1/openstack/users/${user.id}/password`, { password: 'pass word 2' });
    await expect(identity.validateToken(token)).rejects.toBeInstanceOf(IdentityError);
    await alice.delete(`/v1/openstack/users/${user.id}/application-credentials/${cred.id}`);
    await expect(
      identity.authenticateAppCredential('127.0.0.1', { id: cred.id, secret: cred.secret }),
    ).rejects.toBeInstanceOf(IdentityError);
    // Deleting the user ends everything it had.
    const fresh = await identity.issueToken(
      await identity.authenticatePassword('127.0.0.1', { userId: user.id, password: 'pass word 2' }),
    );
    await alice.delete(`/v1/openstack/users/${user.id}`);
    await expect(identity.validateToken(fresh)).rejects.toBeInstanceOf(IdentityError);
  });
});

// PostgreSQL text cannot hold U+0000: a name or description carrying one is refused (400) on
// both stores, and nothing is stored (it was a 500 on PostgreSQL, found by the native fuzz).
describe.each(['sqlite', 'postgres'] as const)('identity fields with NUL on %s', (store) => {
  let db: TestDatabase;
  let t: TestServer;
  let alice: PalisadeClient;

  beforeAll(async () => {
    db = await freshDatabase(store);
    t = await startTestServer(db);
    alice = await newTenant(t.admin, t.url, 'alice');
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses a NUL in user and application-credential names and descriptions', async () => {
    for (const body of [
      { name: 'a\u0000b', password: 'long enough' },
      { name: 'ok-user', password: 'long enough', description: 'x\u0000' },
    ])
      expect(await failure(alice.post('/v1/openstack/users', body))).toMatchObject({ status: 400 });
    expect((await alice.get<{ items: unknown[] }>('/v1/openstack/users')).items).toEqual([]);
    const user = await alice.post<any>('/v1/openstack/users', { name: 'ops', password: 'long enough' });
    const creds = `/v1/openstack/users/${user.id}/application-credentials`;
    for (const body of [{ name: '\u0000' }, { name: 'ci', description: '/5c1\u0000' }])
      expect(await failure(alice.post(creds, body))).toMatchObject({ status: 400 });
    expect((await alice.get<{ items: unknown[] }>(creds)).items).toEqual([]);
  });
});
