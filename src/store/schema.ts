// The database schema as Kysely types: one schema for SQLite and PostgreSQL.
// Domain objects are JSON documents keyed by kind and id (ids are unique per kind), with the
// columns the queries filter and order on; the change log is the change stream and the audit log at once (one row per write).
/** A share (Neutron RBAC policy) is a row like any other: `kind` is free text, no migration. */
export type ObjectKind =
  'tenant' | 'region' | 'vpc' | 'instance' | 'group' | 'rule' | 'addressGroup' | 'share';

export interface Database {
  objects: {
    id: string;
    kind: ObjectKind;
    region_id: string | null;
    tenant_id: string | null;
    /** A rule's group. */
    parent_id: string | null;
    /** Insertion order among siblings (a group's rules). */
    seq: number;
    /** The revision of the write that last changed the object. */
    revision: number;
    body: string;
  };
  change_log: {
    /** Allocated by the writer under the write lock: gap-free, in commit order. */
    revision: number;
    region_id: string | null;
    tenant_id: string | null;
    /** The access key (or token's key) that made the change. */
    actor: string;
    /** What was done, such as "rule.create". */
    action: string;
    target_id: string | null;
    /** The changes as the watch delivers them (JSON array of events). */
    events: string;
    /** The target object before and after (JSON or null). */
    before: string | null;
    after: string | null;
    created_at: string;
  };
  access_keys: {
    id: string;
    tenant_id: string | null;
    role: 'admin' | 'tenant';
    /** AES-256-GCM under the server's master key: HMAC verification needs the secret itself. */
    secret_enc: string;
    description: string | null;
    created_at: string;
  };
  tokens: {
    /** SHA-256 of the bearer token: the token itself is never stored. */
    hash: string;
    key_id: string;
    expires_at: number;
  };
  nonces: { key_id: string; nonce: string; expires_at: number };
  /** OpenStack users (Keystone): a tenant's user logs in with a password (scrypt hash). */
  identity_users: {
    id: string;
    tenant_id: string;
    domain_id: string;
    name: string;
    password_hash: string;
    description: string | null;
    created_at: string;
  };
  /** Keystone application credentials: the secret's SHA-256 only (it is random, 256 bits). */
  app_credentials: {
    id: string;
    user_id: string;
    name: string;
    secret_hash: string;
    description: string | null;
    expires_at: number | null;
    created_at: string;
  };
  /** Keystone tokens, by SHA-256: the token itself is never stored. */
  identity_tokens: {
    hash: string;
    user_id: string;
    methods: string;
    issued_at: number;
    expires_at: number;
    /** The application credential the token was issued from (deleting it ends the token). */
    app_credential_id: string | null;
  };
  /** Keystone role assignments: a user holds a role (admin, member, reader) on a project. */
  identity_role_assignments: { user_id: string; project_id: string; role: string };
  /** Server-wide settings, such as the master-key check. */
  settings: { name: string; value: string };
  host_status: { host: string; revision: number; body: string; reported_at: string };
  /** Per rule: since when an agent enforcing it reports it (ms), first and last hit, total hits. */
  rule_usage: {
    rule_id: string;
    measured_since: number;
    first_hit: number | null;
    last_hit: number | null;
    hits: number;
  };
  /** Per rule and window (a UTC day, by its start in ms): the packets counted in it. */
  rule_hit_windows: { rule_id: string; window_start: number; hits: number };
  idempotency: {
    principal: string;
    key: string;
    request_hash: string;
    status: number;
    response: string;
    created_at: number;
    /** The revision the write committed as (null: a record from before it was kept). */
    revision: number | null;
  };
}
