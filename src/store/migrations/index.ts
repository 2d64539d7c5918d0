// Versioned migrations, the same for both databases (only the revision column's type differs).
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('regions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('quotas', 'text', (c) => c.notNull())
        .addColumn('conntrack_timeouts', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('vpcs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('cidr', 'text')
        .execute();
      await db.schema
        .createTable('instances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id'))
        .addColumn('vpc_id', 'text', (c) => c.references('vpcs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
        .addColumn('ipv4', 'text', (c) => c.notNull())
        .addColumn('ipv6', 'text', (c) => c.notNull())
        .addColumn('public_ipv4', 'text')
        .addColumn('virtual_ips', 'text', (c) => c.notNull())
        .addColumn('nic_type', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('security_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id'))
        .addColumn('vpc_id', 'text', (c) => c.references('vpcs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('stateful', 'integer', (c) => c.notNull())
        .addColumn('inner_access_policy', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('security_groups_tenant')
        .on('security_groups')
        .columns(['tenant_id', 'region_id', 'name'])
        .execute();
      await db.schema
        .createTable('rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_id', 'text', (c) =>
          c.notNull().references('security_groups.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('ethertype', 'text', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('rules_group_position')
        .on('rules')
        .columns(['group_id', 'position'])
        .unique()
        .execute();
      await db.schema
        .createTable('memberships')
        .addColumn('port_id', 'text', (c) => c.notNull().references('ports.id').onDelete('cascade'))
        .addColumn('group_id', 'text', (c) => c.notNull().references('security_groups.id'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['port_id', 'group_id'])
        .execute();
      await db.schema.createIndex('memberships_group').on('memberships').column('group_id').execute();
      await db.schema
        .createTable('address_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('ethertype', 'text')
        .addColumn('description', 'text')
        .execute();
      await db.schema
        .createTable('address_group_entries')
        .addColumn('address_group_id', 'text', (c) =>
          c.notNull().references('address_groups.id').onDelete('cascade'),
        )
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('cidr', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('address_group_entries_pk', ['address_group_id', 'cidr'])
        .execute();
      await db.schema
        .createTable('changes')
        .addColumn('revision', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('region_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
        .execute();
      await db.schema
        .createIndex('changes_region')
        .on('changes')
        .columns(['region_id', 'revision'])
        .execute();
    },
  };
}

export function migrations(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => ({ '0001_initial': initial(dialect) }) };
}
