// Abuse limits at the one step every API's requests pass: authentication. Failed
// authentications are counted per source address and per credential (an access key id, a
// Keystone user or application credential); too many within a window lock that source or
// credential out for a while, doubling with each lockout (Keystone's lockout_failure_attempts,
// with backoff), and a locked-out attempt is refused before any secret is checked or any
// password hashed, even when it would have been right. A verified credential's requests are
// also counted, so that one key cannot take the whole server. State is in memory, per server.
import { throttled } from '../errors.js';

export interface AuthLimits {
  /** Failed authentications of one credential within the window before it is locked out. */
  failuresPerCredential: number;
  /** Failed authentications from one source address within the window before it is locked out. */
  failuresPerSource: number;
  failureWindowMs: number;
  /** The first lockout; each further one doubles, up to maxLockoutMs. */
  lockoutMs: number;
  maxLockoutMs: number;
  /** Authenticated requests per credential and second (0: no limit). */
  requestsPerCredentialPerSecond: number;
}

/**
 * Generous enough that an honest client (and the benchmark's 32 connections on one key) never
 * meets them; a guesser is slowed to a few attempts a minute.
 */
export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  failuresPerCredential: 10,
  failuresPerSource: 30,
  failureWindowMs: 60_000,
  lockoutMs: 60_000,
  maxLockoutMs: 15 * 60_000,
  requestsPerCredentialPerSecond: 5000,
};

interface Counter {
  /** Failures (or requests) counted since windowStart. */
  count: number;
  windowStart: number;
  lockedUntil: number;
  /** Lockouts so far: the next one lasts lockoutMs * 2^lockouts. */
  lockouts: number;
}

/** Entries kept at most; the oldest are dropped first (a flood of sources cannot grow it without bound). */
const MAX_ENTRIES = 100_000;

export class AuthGuard {
  private readonly failures = new Map<string, Counter>();
  private readonly requests = new Map<string, Counter>();

  constructor(
    readonly limits: AuthLimits = DEFAULT_AUTH_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Run one authentication for a source and (when known) a credential: refused with 429 while
   * either is locked out; a failure (as `isFailure` judges the error) is counted; a success
   * clears the credential's failures and counts its request rate.
   */
  async attempt<T>(
    source: string,
    credential: string | undefined,
    verify: () => Promise<T>,
    isFailure: (e: unknown) => boolean,
  ): Promise<T> {
    this.refuseIfLocked(source, credential);
    let result: T;
    try {
      result = await verify();
    } catch (e) {
      if (isFailure(e)) this.failed(source, credential);
      throw e;
    }
    if (credential !== undefined) this.admitted(credential);
    return result;
  }

  refuseIfLocked(source: string, credential: string | undefined): void {
    const now = this.now();
    for (const key of [
      `source:${source}`,
      ...(credential === undefined ? [] : [`credential:${credential}`]),
    ]) {
      const c = this.failures.get(key);
      if (c && c.lockedUntil > now)
        throw throttled(
          'TOO_MANY_FAILURES',
          `too many failed authentications from this ${key.startsWith('source') ? 'address' : 'credential'}: try again in ${Math.ceil((c.lockedUntil - now) / 1000)} s`,
          (c.lockedUntil - now) / 1000,
        );
    }
  }

  failed(source: string, credential: string | undefined): void {
    this.countFailure(`source:${source}`, this.limits.failuresPerSource);
    if (credential !== undefined)
      this.countFailure(`credential:${credential}`, this.limits.failuresPerCredential);
  }

  /** A verified request of a credential: its failures are forgiven; its rate is counted. */
  admitted(credential: string): void {
    const key = `credential:${credential}`;
    const f = this.failures.get(key);
    if (f && f.lockedUntil <= this.now()) this.failures.delete(key);
    const perSecond = this.limits.requestsPerCredentialPerSecond;
    if (perSecond <= 0) return;
    const c = this.counter(this.requests, credential, 1000);
    if (++c.count > perSecond)
      throw throttled(
        'RATE_LIMITED',
        `more than ${perSecond} requests per second with this credential`,
        (c.windowStart + 1000 - this.now()) / 1000,
      );
  }

  private countFailure(key: string, threshold: number): void {
    const c = this.counter(this.failures, key, this.limits.failureWindowMs);
    if (++c.count < threshold) return;
    const now = this.now();
    c.lockedUntil = now + Math.min(this.limits.maxLockoutMs, this.limits.lockoutMs * 2 ** c.lockouts);
    c.lockouts++;
    c.count = 0;
    c.windowStart = now;
  }

  /** The key's counter, its window restarted once over (a lockout's history is kept meanwhile). */
  private counter(table: Map<string, Counter>, key: string, windowMs: number): Counter {
    const now = this.now();
    let c = table.get(key);
    if (!c) {
      if (table.size >= MAX_ENTRIES) table.delete(table.keys().next().value!);
      c = { count: 0, windowStart: now, lockedUntil: 0, lockouts: 0 };
      table.set(key, c);
    } else if (now - c.windowStart >= windowMs) {
      c.count = 0;
      c.windowStart = now;
      // A quiet spell as long as the longest lockout forgives the earlier lockouts.
      if (c.lockedUntil + this.limits.maxLockoutMs < now) c.lockouts = 0;
    }
    return c;
  }
}
