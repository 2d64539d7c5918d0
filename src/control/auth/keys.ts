// Access keys (id + secret) for tenants and operators, bearer tokens for the console, and the
// check every request passes: a valid signature (fresh, never replayed) or a live token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, type ErrorCode, forbidden, notFound, ServiceError } from '../errors.js';
import {
  type NonceUse,
  type Principal,
  recordNonce,
  replayed,
  type Service,
  type WriteOptions,
  type WriteResult,
} from '../service.js';
import { sees } from '../scope.js';
import { AuthGuard } from './guard.js';
import type { MasterKey } from './secrets.js';
import { ALGORITHM, MAX_SKEW_MS, sha256Hex, signature, stringToSign } from './signing.js';

const TOKEN_TTL_MS = 12 * 3600 * 1000;
/** How long a server trusts its copy of a key; a key deleted through another server stops working after this. */
const KEY_CACHE_MS = 5000;
const NONCE_TTL_MS = 2 * MAX_SKEW_MS;
const MASTER_KEY_CHECK = 'master-key-check';

export interface KeyView {
  id: string;
  tenantId: string | null;
  role: 'admin' | 'tenant';
  description: string | null;
  createdAt: string;
}

const unauthorized = (code: ErrorCode, message: string) => new ServiceError(401, code, message);

function newKeyId(): string {
  return `PK${randomBytes(10).toString('hex').toUpperCase()}`;
}

interface CachedKey {
  row: { id: string; tenant_id: string | null; role: string };
  secret: string;
  at: number;
  /** The revision of the key's tenant when cached: a tenant deleted (and made again) since voids it. */
  tenantRevision: number | undefined;
}

export class KeyService {
  private lastSweep = 0;
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly svc: Service,
    private readonly master: MasterKey,
    private readonly guard: AuthGuard = new AuthGuard(),
  ) {}

  /**
   * An access key for a tenant (the tenant itself or an admin asks) or an operator key (admins),
   * with its secret. A replayed Idempotency-Key answers the key as first created, without the
   * secret: it is shown once, and never stored in the clear.
   */
  async create(
    p: Principal,
    input: { tenantId?: string; role?: 'admin' | 'tenant'; description?: string },
    opts: WriteOptions = {},
  ): Promise<WriteResult<KeyView & { secret?: string }>> {
    const role = input.role ?? (input.tenantId === undefined && p.role === 'admin' ? 'admin' : 'tenant');
    if (role === 'admin') this.svc.requireAdmin(p);
    const tenantId = role === 'admin' ? null : this.svc.tenantFor(p, input.tenantId);
    if (tenantId !== null && !this.svc.world.tenants.has(tenantId)) throw notFound('tenant', tenantId);
    const id = newKeyId();
    const secret = randomBytes(30).toString('base64url');
    const view: KeyView = {
      id,
      tenantId,
      role,
      description: input.description ?? null,
      createdAt: new Date(this.svc.now()).toISOString(),
    };
    const result = await this.svc.write(p, opts, () => ({
      action: 'accessKey.create',
      regionId: null,
      tenantId,
      targetId: id,
      events: [],
      after: () => view,
      sideEffect: async (tx) => {
        await tx
          .insertInto('access_keys')
          .values({
            id,
            tenant_id: tenantId,
            role,
            secret_enc: this.master.encrypt(secret),
            description: view.description,
            created_at: view.createdAt,
          })
          .execute();
      },
    }));
    return result.replayed ? result : { ...result, body: { ...view, secret } };
  }

  /**
   * Refuse to serve with a master key that is not the one the store's secrets were sealed
   * with: every signature check would fail later. The store keeps a value sealed by the first
   * server's key; a store from before that check is judged by one of its access keys.
   */
  async verifyMasterKey(): Promise<void> {
    const wrongKey = () =>
      new Error(
        'the master key (PALISADE_MASTER_KEY or master.key) is not the key this database was written with: ' +
          "its access-key secrets cannot be decrypted; start with the database's master key",
      );
    const check = () =>
      this.svc.db
        .selectFrom('settings')
        .select('value')
        .where('name', '=', MASTER_KEY_CHECK)
        .executeTakeFirst();
    let row = await check();
    if (!row) {
      const key = await this.svc.db.selectFrom('access_keys').select('secret_enc').executeTakeFirst();
      if (key && this.master.tryDecrypt(key.secret_enc) === undefined) throw wrongKey();
      await this.svc.db
        .insertInto('settings')
        .values({ name: MASTER_KEY_CHECK, value: this.master.encrypt(MASTER_KEY_CHECK) })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      // Another server may have sealed it first, with its key.
      row = await check();
    }
    if (this.master.tryDecrypt(row!.value) !== MASTER_KEY_CHECK) throw wrongKey();
  }

  /** Store a known key (operator bootstrap from the environment); no-op when it exists. */
  async ensureAdmin(id: string, secret: string): Promise<boolean> {
    const existing = await this.svc.db
      .selectFrom('access_keys')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (existing) return false;
    await this.svc.db
      .insertInto('access_keys')
      .values({
        id,
        tenant_id: null,
        role: 'admin',
        secret_enc: this.master.encrypt(secret),
        description: 'operator key',
        created_at: new Date(this.svc.now()).toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return true;
  }

  async hasAdmin(): Promise<boolean> {
    return !!(await this.svc.db
      .selectFrom('access_keys')
      .select('id')
      .where('role', '=', 'admin')
      .executeTakeFirst());
  }

  async list(p: Principal, tenantId?: string): Promise<KeyView[]> {
    let q = this.svc.db
      .selectFrom('access_keys')
      .select(['id', 'tenant_id', 'role', 'description', 'created_at']);
    if (p.role === 'tenant') q = q.where('tenant_id', '=', p.tenantId);
    else if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      role: r.role,
      description: r.description,
      createdAt: r.created_at,
    }));
  }

  async delete(p: Principal, id: string, opts: WriteOptions = {}): Promise<WriteResult<null>> {
    const row = await this.svc.db
      .selectFrom('access_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || !sees(p, row.tenant_id)) throw notFound('accessKey', id);
    if (row.role === 'admin' && p.role !== 'admin')
      throw forbidden('only an operator can delete an operator key');
    return this.svc.write(p, opts, () => ({
      action: 'accessKey.delete',
      regionId: null,
      tenantId: row.tenant_id,
      targetId: id,
      events: [],
      before: { id, tenantId: row.tenant_id, role: row.role },
      after: () => null,
      status: 204,
      sideEffect: async (tx) => {
        this.cache.delete(id);
        await tx.deleteFrom('tokens').where('key_id', '=', id).execute();
        await tx.deleteFrom('access_keys').where('id', '=', id).execute();
      },
    }));
  }

  /** A bearer token for the console, in exchange for an access key id and secret. */
  async issueToken(
    source: string,
    keyId: string,
    secret: string,
  ): Promise<{ token: string; expiresAt: string; principal: Principal }> {
    const key = await this.guard.attempt(
      source,
      keyCredential(keyId),
      async () => {
        const found = await this.key(keyId);
        if (!found || !equal(found.secret, secret))
          throw unauthorized('INVALID_CREDENTIALS', 'the access key id or secret is wrong');
        return found;
      },
      isAuthFailure,
    );
    const row = key.row;
    const token = randomBytes(32).toString('base64url');
    const expires = this.svc.now() + TOKEN_TTL_MS;
    await this.svc.db
      .insertInto('tokens')
      .values({ hash: sha256Hex(token), key_id: keyId, expires_at: expires })
      .execute();
    return { token, expiresAt: new Date(expires).toISOString(), principal: principalOf(row) };
  }

  /**
   * Sign-out: the bearer token a request was sent with stops authenticating at once (the console
   * forgets it too, but a copy of it must not outlive the session). A signed request has no token.
   */
  async revokeToken(authorization: string | undefined): Promise<void> {
    if (!authorization?.startsWith('Bearer '))
      throw badRequest(
        'INVALID_FIELD',
        'header.authorization',
        'sign-out revokes the bearer token the request is sent with; this request carries none',
      );
    await this.svc.db
      .deleteFrom('tokens')
      .where('hash', '=', sha256Hex(authorization.slice(7).trim()))
      .execute();
  }

  /**
   * Who sent this request, or a 401 saying what is wrong with its credentials. A signed
   * request's nonce is recorded now, or (deferNonce) handed back for the write to record in
   * its own transaction.
   */
  async authenticate(
    req: {
      /** The caller's address: failed attempts are counted per address too. */
      source: string;
      method: string;
      path: string;
      search: string;
      headers: Record<string, string | string[] | undefined>;
      body: string;
    },
    deferNonce = false,
  ): Promise<{ principal: Principal; nonce: NonceUse | null }> {
    const header = one(req.headers.authorization);
    if (!header)
      throw unauthorized('MISSING_CREDENTIALS', `sign the request (${ALGORITHM}) or send a bearer token`);
    if (header.startsWith('Bearer '))
      return { principal: await this.fromToken(req.source, header.slice(7).trim()), nonce: null };
    if (!header.startsWith(`${ALGORITHM} `))
      throw unauthorized(
        'UNSUPPORTED_AUTHORIZATION',
        `the Authorization scheme must be ${ALGORITHM} or Bearer`,
      );
    const fields = Object.fromEntries(
      header
        .slice(ALGORITHM.length + 1)
        .split(',')
        .map((kv) => kv.trim().split('=') as [string, string]),
    );
    const keyId = fields.Credential;
    const sig = fields.Signature;
    const date = one(req.headers['x-palisade-date']);
    const nonce = one(req.headers['x-palisade-nonce']);
    if (!keyId || !sig || !date || !nonce)
      throw unauthorized(
        'MALFORMED_SIGNATURE',
        'a signed request carries Credential and Signature, x-palisade-date and x-palisade-nonce',
      );
    const at = Date.parse(date);
    if (!Number.isFinite(at) || Math.abs(this.svc.now() - at) > MAX_SKEW_MS)
      throw unauthorized(
        'SIGNATURE_EXPIRED',
        `x-palisade-date ${date} is more than ${MAX_SKEW_MS / 60000} minutes from the server's clock`,
      );
    const principal = await this.verifySignature(
      req.source,
      keyId,
      (secret) => signature(secret, stringToSign(req.method, req.path, req.search, date, nonce, req.body)),
      sig,
    );
    const use: NonceUse = { keyId, nonce, expiresAt: this.svc.now() + NONCE_TTL_MS };
    if (!deferNonce) await this.recordNonce(use);
    return { principal, nonce: use };
  }

  /**
   * Check a request signature made with one of the access keys, in any scheme (this API's,
   * Alibaba's, Huawei's: `sign` computes the scheme's signature from the secret). The one place
   * where signed requests meet the abuse limits: refused while the address or the key is locked
   * out, a wrong key or signature counted, a right one counted against the key's request rate.
   * Throws 401 INVALID_CREDENTIALS (no such key) or SIGNATURE_MISMATCH, or 429.
   */
  async verifySignature(
    source: string,
    keyId: string,
    sign: (secret: string) => string,
    given: string,
  ): Promise<Principal> {
    const key = await this.guard.attempt(
      source,
      keyCredential(keyId),
      async () => {
        const found = await this.key(keyId);
        if (!found) throw unauthorized('INVALID_CREDENTIALS', `access key ${keyId} does not exist`);
        if (!equal(sign(found.secret), given))
          throw unauthorized('SIGNATURE_MISMATCH', 'the signature does not match the request');
        return found;
      },
      isAuthFailure,
    );
    await this.sweep();
    return principalOf(key.row);
  }

  /** A nonce that a compatible front end checks (and records now, or defers to the write). */
  nonceUse(keyId: string, nonce: string, ttlMs = NONCE_TTL_MS): NonceUse {
    return { keyId, nonce, expiresAt: this.svc.now() + ttlMs };
  }

  /** Record a nonce now, or answer 401 for a replay. */
  async recordNonce(use: NonceUse): Promise<void> {
    if (use.recorded) return;
    use.recorded = true;
    if (!(await recordNonce(this.svc.store, this.svc.db, use))) throw replayed(use);
  }

  /** A key and its decrypted secret, from a short-lived cache (saves a query and a decryption per request). */
  private async key(keyId: string): Promise<CachedKey | undefined> {
    const now = this.svc.now();
    const cached = this.cache.get(keyId);
    if (cached && now - cached.at < KEY_CACHE_MS && cached.tenantRevision === this.tenantRevision(cached.row))
      return cached;
    const row = await this.svc.db
      .selectFrom('access_keys')
      .selectAll()
      .where('id', '=', keyId)
      .executeTakeFirst();
    // The start-up check makes an undecryptable secret a damaged row: the key is unusable.
    const secret = row ? this.master.tryDecrypt(row.secret_enc) : undefined;
    if (!row || secret === undefined || (await tenantGone(this.svc, row))) {
      this.cache.delete(keyId);
      return undefined;
    }
    const fresh = { row, secret, at: now, tenantRevision: this.tenantRevision(row) };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(keyId, fresh);
    return fresh;
  }

  private tenantRevision(row: { tenant_id: string | null }): number | undefined {
    return row.tenant_id === null ? undefined : this.svc.world.tenants.get(row.tenant_id)?.revision;
  }

  /** Drop expired nonces and tokens, at most once a minute. */
  private async sweep(): Promise<void> {
    const now = this.svc.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    await this.svc.db.deleteFrom('nonces').where('expires_at', '<', now).execute();
    await this.svc.db.deleteFrom('tokens').where('expires_at', '<', now).execute();
  }

  private async fromToken(source: string, token: string): Promise<Principal> {
    // A guessed token names no credential: only its address is counted.
    const row = await this.guard.attempt(
      source,
      undefined,
      async () => {
        const found = await this.svc.db
          .selectFrom('tokens')
          .innerJoin('access_keys', 'access_keys.id', 'tokens.key_id')
          .select(['access_keys.id', 'access_keys.tenant_id', 'access_keys.role', 'tokens.expires_at'])
          .where('tokens.hash', '=', sha256Hex(token))
          .executeTakeFirst();
        if (!found || Number(found.expires_at) < this.svc.now() || (await tenantGone(this.svc, found)))
          throw unauthorized('INVALID_TOKEN', 'the bearer token is unknown or expired');
        return found;
      },
      isAuthFailure,
    );
    this.guard.admitted(keyCredential(row.id));
    return principalOf(row);
  }
}

/**
 * A tenant key whose tenant is gone is no key: deleting a tenant deletes its keys, but a cached
 * key may outlive that. A tenant this server has not seen yet may be another server's fresh
 * write: catch up before judging.
 */
async function tenantGone(svc: Service, row: { tenant_id: string | null; role: string }): Promise<boolean> {
  if (row.role === 'admin') return false;
  const tenantId = row.tenant_id ?? '';
  if (svc.world.tenants.has(tenantId)) return false;
  await svc.sync();
  return !svc.world.tenants.has(tenantId);
}

const keyCredential = (keyId: string) => `key:${keyId}`;

/** The refusals that count as a failed authentication (a guess), not a malformed request. */
const GUESSES = new Set(['INVALID_CREDENTIALS', 'SIGNATURE_MISMATCH', 'INVALID_TOKEN']);
export const isAuthFailure = (e: unknown) => e instanceof ServiceError && GUESSES.has(e.code);

function principalOf(row: { id: string; tenant_id: string | null; role: string }): Principal {
  return row.role === 'admin'
    ? { role: 'admin', keyId: row.id }
    : { role: 'tenant', keyId: row.id, tenantId: row.tenant_id! };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
