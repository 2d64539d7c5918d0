// What the store keeps, on both stores: objects of different kinds may share an operator-chosen
// id without replacing each other, across restarts and deletes; a database written before
// objects were keyed by kind is carried over by the migration; a server refuses to start with
// a master key that is not its database's.
import { randomBytes, scryptSync } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { StartupError, startServer } from '../../src/server/serve.js';
import {
  freshDatabase,
  newTenant,
  STORES,
  startTestServer,
  TEST_ENV,
  type TestDatabase,
} from '../support/servers.js';
import { passwordLogin } from '../support/openstack.js';

describe.each(STORES)('stored objects on %s', (kind) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('keeps a tenant, a region and a VPC-less group whose ids collide, across restarts and deletes', async () => {
    db = await freshDatabase(kind);
    let t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'acme', profile: 'huawei', quotas: { rulesPerGroup: 7 } });
    const acme = await newTenant(t.admin, t.url, 'acme');
    await t.admin.post('/v1/regions', { id: 'globex', profile: 'alibaba' });
    await t.admin.post('/v1/tenants', { id: 'globex', name: 'Globex' });
    const vpc = await acme.post<any>('/v1/vpcs', { regionId: 'acme', name: 'main' });
    // A region named like the VPC and a tenant named like a group: ids are unique per kind.
    await t.admin.post('/v1/regions', { id: vpc.id, profile: 'openstack' });
    const group = await acme.post<any>('/v1/security-groups', {
      regionId: 'acme',
      vpcId: vpc.id,
      name: 'web',
    });
    await t.admin.post('/v1/tenants', { id: group.id, name: 'named like a group' });
    await t.close();

    t = await startTestServer(db);
    expect(await t.admin.get<any>('/v1/tenants/acme')).toMatchObject({ id: 'acme', name: 'acme' });
    expect(await t.admin.get<any>('/v1/regions/acme')).toMatchObject({
      id: 'acme',
      profile: 'huawei',
      quotas: expect.objectContaining({ rulesPerGroup: 7 }),
    });
    expect(await t.admin.get<any>(`/v1/regions/${vpc.id}`)).toMatchObject({ profile: 'openstack' });
    expect(await t.admin.get<any>(`/v1/vpcs/${vpc.id}`)).toMatchObject({ regionId: 'acme', name: 'main' });
    expect(await t.admin.get<any>(`/v1/security-groups/${group.id}`)).toMatchObject({ name: 'web' });
    expect(await t.admin.get<any>(`/v1/tenants/${group.id}`)).toMatchObject({ name: 'named like a group' });

    // Deleting one of two same-id objects deletes that one only.
    await t.admin.delete('/v1/tenants/globex');
    await t.admin.delete(`/v1/tenants/${group.id}`);
    await t.close();
    t = await startTestServer(db);
    expect(await t.admin.get<any>('/v1/regions/globex')).toMatchObject({ profile: 'alibaba' });
    expect(await t.admin.get<any>(`/v1/security-groups/${group.id}`)).toMatchObject({ name: 'web' });
    expect((await t.admin.request('GET', '/v1/tenants/globex', undefined, { raw: true })).status).toBe(404);
    await t.close();
  });

  it('knows after a restart when a region last changed, though objects load out of revision order and a deletion leaves none', async () => {
    db = await freshDatabase(kind);
    let t = await startTestServer(db);
    await t.admin.post('/v1/regions', { id: 'acme', profile: 'huawei' });
    const acme = await newTenant(t.admin, t.url, 'acme');
    const vpc = await acme.post<any>('/v1/vpcs', { regionId: 'acme', name: 'main' });
    const group = await acme.post<any>('/v1/security-groups', {
      regionId: 'acme',
      vpcId: vpc.id,
      name: 'web',
    });
    const rule = (port: number) => ({ direction: 'ingress', protocol: 'tcp', ports: String(port) });
    const kept = await acme.post<any>(`/v1/security-groups/${group.id}/rules`, rule(80));
    const gone = await acme.post<any>(`/v1/security-groups/${group.id}/rules`, rule(22));
    // The group is written after its rules, and the region's last change deletes a rule.
    await acme.patch(`/v1/security-groups/${group.id}`, { description: 'renamed after its rules' });
    await acme.delete(`/v1/security-groups/${group.id}/rules/${gone.id}`);
    const lastChange = async () =>
      (await t.admin.get<any>('/v1/status?regionId=acme')).regions[0].revision as number;
    const before = await lastChange();
    await t.close();

    t = await startTestServer(db);
    expect(await lastChange()).toBe(before);
    const rules = await t.admin.get<any>(`/v1/security-groups/${group.id}/rules`);
    expect(JSON.stringify(rules)).toContain(kept.id);
    expect(JSON.stringify(rules)).not.toContain(gone.id);
  });

  it('carries a database written before objects were keyed by kind over to the new identity', async () => {
    db = await freshDatabase(kind);
    // The schema as it was (migrations up to 0003), with rows as that version wrote them.
    const old = openKysely(kind, db.location);
    const { error } = await new Migrator({ db: old, provider: migrations(kind) }).migrateTo('0003_identity');
    expect(error).toBeUndefined();
    const rows = [
      ['tenant', 'acme', null, 'acme', null, 0, 1, { id: 'acme', name: 'Acme' }],
      [
        'region',
        'hw',
        null,
        null,
        null,
        0,
        2,
        {
          id: 'hw',
          profile: 'huawei',
          quotas: { rulesPerGroup: 9 },
          conntrackTimeouts: {},
        },
      ],
    ] as const;
    for (const [k, id, region, tenant, parent, seq, revision, body] of rows)
      await old
        .insertInto('objects' as never)
        .values({
          kind: k,
          id,
          region_id: region,
          tenant_id: tenant,
          parent_id: parent,
          seq,
          revision,
          body: JSON.stringify(body),
        } as never)
        .execute();
    await old.destroy();

    const t = await startTestServer(db);
    try {
      expect(await t.admin.get<any>('/v1/tenants/acme')).toMatchObject({ name: 'Acme' });
      expect(await t.admin.get<any>('/v1/regions/hw')).toMatchObject({ quotas: { rulesPerGroup: 9 } });
      // The migrated table takes a second object of an existing id, of another kind.
      await t.admin.post('/v1/tenants', { id: 'hw', name: 'named like the region' });
      expect(await t.admin.get<any>('/v1/regions/hw')).toMatchObject({ profile: 'huawei' });
    } finally {
      await t.close();
    }
  });

  it('gives the users of a database written before role assignments the member role, so they log in as before', async () => {
    db = await freshDatabase(kind);
    const old = openKysely(kind, db.location);
    const { error } = await new Migrator({ db: old, provider: migrations(kind) }).migrateTo(
      '0005_settings_token_origin',
    );
    expect(error).toBeUndefined();
    await old
      .insertInto('objects' as never)
      .values({
        kind: 'tenant',
        id: 'acme',
        region_id: null,
        tenant_id: 'acme',
        parent_id: null,
        seq: 0,
        revision: 1,
        body: JSON.stringify({ id: 'acme', name: 'acme' }),
      } as never)
      .execute();
    // A password hash as the identity service writes it (scrypt, N=16384, r=8, p=1).
    const salt = randomBytes(16);
    const hash = scryptSync('pw-old-user-secret', salt, 32, { N: 16384, r: 8, p: 1 });
    await old
      .insertInto('identity_users' as never)
      .values({
        id: 'u-old',
        tenant_id: 'acme',
        domain_id: 'default',
        name: 'old-user',
        password_hash: `scrypt$16384$${salt.toString('base64')}$${hash.toString('base64')}`,
        description: null,
        created_at: '2026-01-01T00:00:00Z',
      } as never)
      .execute();
    await old.destroy();

    const t = await startTestServer(db);
    try {
      const res = await passwordLogin(t.url, 'old-user', 'pw-old-user-secret', 'acme');
      expect(res.status).toBe(201);
      const body = (await res.json()) as { token: { roles: { name: string }[] } };
      expect(body.token.roles.map((r) => r.name).sort()).toEqual(['member', 'reader']);
    } finally {
      await t.close();
    }
  });

  it('refuses to start with a master key that is not the database’s, and names the problem', async () => {
    db = await freshDatabase(kind);
    const t = await startTestServer(db);
    await t.admin.post('/v1/tenants', { id: 'acme', name: 'Acme' });
    await t.close();
    const start = startServer({
      port: 0,
      database: db.location,
      logger: false,
      env: { ...TEST_ENV, PALISADE_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') },
    });
    await expect(start).rejects.toBeInstanceOf(StartupError);
    await expect(start).rejects.toThrow(/master key .* not the key this database was written with/);
    // The right key still works: the refused start changed nothing.
    const again = await startTestServer(db);
    expect(await again.admin.get<any>('/v1/tenants/acme')).toMatchObject({ name: 'Acme' });
    await again.close();
  });
});

function openKysely(kind: 'sqlite' | 'postgres', location: string): Kysely<unknown> {
  if (kind === 'sqlite')
    return new Kysely({ dialect: new SqliteDialect({ database: new SQLite(location) }) });
  return new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location }) }),
  });
}
