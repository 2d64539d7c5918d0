// Versioned migrations, the same for both databases (only the integer columns' type differs).
// Add a migration for every schema change; never edit one that has shipped.
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function initial(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('objects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text')
        .addColumn('tenant_id', 'text')
        .addColumn('parent_id', 'text')
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('revision', bigint, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('objects_region').on('objects').columns(['region_id', 'kind']).execute();
      await db.schema.createIndex('objects_parent').on('objects').columns(['parent_id', 'seq']).execute();
      await db.schema
        .createTable('change_log')
        .addColumn('revision', bigint, (c) => c.primaryKey())
        .addColumn('region_id', 'text')
        .addColumn('tenant_id', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('change_log_region')
        .on('change_log')
        .columns(['region_id', 'revision'])
        .execute();
      await db.schema
        .createIndex('change_log_tenant')
        .on('change_log')
        .columns(['tenant_id', 'revision'])
        .execute();
      await db.schema
        .createIndex('change_log_target')
        .on('change_log')
        .columns(['target_id', 'revision'])
        .execute();
      await db.schema
        .createTable('access_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('nonces')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('nonces_pk', ['key_id', 'nonce'])
        .execute();
      await db.schema.createIndex('nonces_expiry').on('nonces').column('expires_at').execute();
      await db.schema
        .createTable('idempotency')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_pk', ['principal', 'key'])
        .execute();
    },
  };
}

/** What each host's agent last reported: the revision it enforces, closed ports, rule hits. */
function hostStatus(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('host_status')
        .addColumn('host', 'text', (c) => c.primaryKey())
        .addColumn('revision', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('reported_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

/** OpenStack identities: users with passwords, application credentials, Keystone tokens. */
function identity(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('identity_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('domain_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('identity_users_name', ['domain_id', 'name'])
        .execute();
      await db.schema
        .createTable('app_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('expires_at', bigint)
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('app_credentials_name', ['user_id', 'name'])
        .execute();
      await db.schema
        .createTable('identity_tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('methods', 'text', (c) => c.notNull())
        .addColumn('issued_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * Objects are identified by kind and id: an operator-chosen tenant id may equal a region id
 * (ids are unique per kind), and a write of one never replaces the other. Existing rows are
 * carried over as they are (a database written before this could not hold two objects of one
 * id). The same statements on both stores: make the new table, copy, swap.
 */
function objectIdentity(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('objects_by_kind')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('region_id', 'text')
        .addColumn('tenant_id', 'text')
        .addColumn('parent_id', 'text')
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('revision', bigint, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('objects_kind_id', ['kind', 'id'])
        .execute();
      await sql`insert into objects_by_kind (kind, id, region_id, tenant_id, parent_id, seq, revision, body)
        select kind, id, region_id, tenant_id, parent_id, seq, revision, body from objects`.execute(db);
      await db.schema.dropTable('objects').execute();
      await db.schema.alterTable('objects_by_kind').renameTo('objects').execute();
      await db.schema.createIndex('objects_region').on('objects').columns(['region_id', 'kind']).execute();
      await db.schema.createIndex('objects_parent').on('objects').columns(['parent_id', 'seq']).execute();
    },
  };
}

/**
 * Server-wide settings (the master-key check: a value only the right key decrypts), the
 * application credential a Keystone token was issued from (deleting the credential ends its
 * tokens), and the revision of an idempotent write (its replay answers it again).
 */
function settingsAndTokenOrigin(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('identity_tokens').addColumn('app_credential_id', 'text').execute();
      // The revision an idempotent write committed as, answered again with its replay.
      await db.schema.alterTable('idempotency').addColumn('revision', bigint).execute();
      await db.schema
        .createIndex('identity_tokens_credential')
        .on('identity_tokens')
        .column('app_credential_id')
        .execute();
    },
  };
}

/**
 * Keystone role assignments: which of the roles admin, member and reader a user holds on a
 * project. Users that exist already held member rights on their own project: they get that
 * assignment, so they log in as before.
 */
function roleAssignments(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('identity_role_assignments')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('project_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('identity_role_assignments_pk', ['user_id', 'project_id', 'role'])
        .execute();
      await db.schema
        .createIndex('identity_role_assignments_project')
        .on('identity_role_assignments')
        .column('project_id')
        .execute();
      await sql`insert into identity_role_assignments (user_id, project_id, role)
        select id, tenant_id, 'member' from identity_users`.execute(db);
    },
  };
}

/**
 * Rule hit history (unused rules): per rule, since when an agent enforcing it reports it, its
 * first and last hit and its total; per rule and day, the hits of that day (a bounded number of
 * days is kept, see ops/rule-usage.ts). Times are milliseconds since the epoch.
 */
function ruleUsage(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rule_usage')
        .addColumn('rule_id', 'text', (c) => c.primaryKey())
        .addColumn('measured_since', bigint, (c) => c.notNull())
        .addColumn('first_hit', bigint)
        .addColumn('last_hit', bigint)
        .addColumn('hits', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rule_hit_windows')
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('window_start', bigint, (c) => c.notNull())
        .addColumn('hits', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('rule_hit_windows_pk', ['rule_id', 'window_start'])
        .execute();
      // Old windows are dropped by start time.
      await db.schema
        .createIndex('rule_hit_windows_start')
        .on('rule_hit_windows')
        .column('window_start')
        .execute();
    },
  };
}

export function migrations(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () => ({
      '0001_initial': initial(dialect),
      '0002_host_status': hostStatus(dialect),
      '0003_identity': identity(dialect),
      '0004_object_identity': objectIdentity(dialect),
      '0005_settings_token_origin': settingsAndTokenOrigin(dialect),
      '0006_role_assignments': roleAssignments(),
      '0007_rule_usage': ruleUsage(dialect),
    }),
  };
}
