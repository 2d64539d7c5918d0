// The database schema as Kysely types: one schema for SQLite and PostgreSQL. JSON values are
// stored as text so both databases hold them the same way.
import type { Generated } from 'kysely';

export interface Database {
  tenants: { id: string; name: string };
  regions: { id: string; name: string | null; profile: string; quotas: string; conntrack_timeouts: string };
  vpcs: { id: string; tenant_id: string; region_id: string; name: string; cidr: string | null };
  instances: { id: string; tenant_id: string; region_id: string; vpc_id: string | null; name: string };
  ports: {
    id: string;
    instance_id: string;
    ipv4: string;
    ipv6: string;
    public_ipv4: string | null;
    virtual_ips: string;
    nic_type: string;
  };
  security_groups: {
    id: string;
    tenant_id: string;
    region_id: string;
    vpc_id: string | null;
    name: string;
    description: string | null;
    type: string;
    stateful: number;
    inner_access_policy: string;
  };
  /** One row per rule; `body` is the whole rule, the other columns serve filters and order. */
  rules: {
    id: string;
    group_id: string;
    position: number;
    direction: string;
    ethertype: string;
    protocol: string;
    action: string;
    priority: number;
    body: string;
  };
  memberships: { port_id: string; group_id: string; sequence: number };
  address_groups: {
    id: string;
    tenant_id: string;
    region_id: string;
    name: string;
    ethertype: string | null;
    description: string | null;
  };
  address_group_entries: { address_group_id: string; position: number; cidr: string };
  /** The change stream: every committed change, in revision order. */
  changes: {
    revision: Generated<number>;
    region_id: string;
    tenant_id: string | null;
    kind: string;
    body: string;
    created_at: string;
  };
}
