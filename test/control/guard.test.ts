// The abuse limits' two small machines on their own: the authentication guard's counting,
// lockouts and backoff on a fake clock, and the fair queue that keeps one user's flood of
// password checks from delaying another user's login by more than one turn.
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../src/control/auth/fair-queue.js';
import { AuthGuard, DEFAULT_AUTH_LIMITS } from '../../src/control/auth/guard.js';
import { ServiceError } from '../../src/control/errors.js';

const refusal = (run: () => void): ServiceError | undefined => {
  try {
    run();
  } catch (e) {
    return e as ServiceError;
  }
  return undefined;
};

describe('AuthGuard', () => {
  const limits = { ...DEFAULT_AUTH_LIMITS, failuresPerCredential: 3, failuresPerSource: 5, lockoutMs: 1000 };

  it('locks a credential out after its failures, refuses it before any check, and doubles each lockout', () => {
    let now = 0;
    const guard = new AuthGuard(limits, () => now);
    for (let i = 0; i < 3; i++) guard.failed('10.0.0.1', 'key:K');
    const locked = refusal(() => guard.refuseIfLocked('10.0.0.2', 'key:K'));
    expect(locked).toMatchObject({ status: 429, code: 'TOO_MANY_FAILURES', retryAfter: 1 });
    // Another credential from the same address is not locked (the address has 3 of 5).
    expect(refusal(() => guard.refuseIfLocked('10.0.0.1', 'key:L'))).toBeUndefined();
    now = 1001;
    expect(refusal(() => guard.refuseIfLocked('10.0.0.1', 'key:K'))).toBeUndefined();
    for (let i = 0; i < 3; i++) guard.failed('10.0.0.3', 'key:K');
    expect(refusal(() => guard.refuseIfLocked('10.0.0.3', 'key:K'))?.retryAfter).toBe(2);
  });

  it('locks an address out after failures across credentials; a success forgives only its credential', () => {
    const guard = new AuthGuard(limits, () => 0);
    for (let i = 0; i < 5; i++) guard.failed('10.0.0.9', `key:guess-${i}`);
    expect(refusal(() => guard.refuseIfLocked('10.0.0.9', undefined))?.code).toBe('TOO_MANY_FAILURES');
    expect(refusal(() => guard.refuseIfLocked('10.0.0.8', 'key:guess-1'))).toBeUndefined();
    guard.failed('10.0.0.7', 'key:M');
    guard.failed('10.0.0.7', 'key:M');
    guard.admitted('key:M');
    guard.failed('10.0.0.7', 'key:M');
    guard.failed('10.0.0.7', 'key:M');
    expect(refusal(() => guard.refuseIfLocked('10.0.0.6', 'key:M'))).toBeUndefined();
  });

  it("counts a verified credential's requests per second", () => {
    let now = 0;
    const guard = new AuthGuard({ ...limits, requestsPerCredentialPerSecond: 3 }, () => now);
    for (let i = 0; i < 3; i++) guard.admitted('key:K');
    expect(refusal(() => guard.admitted('key:K'))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    now = 1000;
    expect(refusal(() => guard.admitted('key:K'))).toBeUndefined();
  });
});

describe('FairQueue', () => {
  it('runs at most its concurrency; a lone job of another key waits for the running job and one turn of the key ahead', async () => {
    const queue = new FairQueue(1);
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const job = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 2));
      order.push(name);
      running--;
    };
    const flood = Array.from({ length: 10 }, (_, i) => queue.run('attacker', job(`a${i}`)));
    const honest = queue.run('honest', job('honest'));
    await Promise.all([...flood, honest]);
    expect(most).toBe(1);
    expect(order.indexOf('honest')).toBe(2);
    expect(order.filter((n) => n.startsWith('a'))).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
  });
});
