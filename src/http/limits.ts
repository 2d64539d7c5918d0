// The server's limits on abuse, in one place: request rates, failed-authentication lockouts,
// connections and their timeouts. Every default is far above what an honest client (or the
// benchmark's 32 connections at full speed) does; each can be set from the environment.
import { readFileSync } from 'node:fs';
import { type AuthLimits, DEFAULT_AUTH_LIMITS } from '../control/auth/guard.js';
import { own } from '../core/own.js';

export interface ConnectionLimits {
  /** Open connections at most; beyond it the oldest idle connection is closed to make room. */
  maxConnections: number;
  /** Open connections per source address at most (the same shedding, within that address). */
  maxConnectionsPerSource: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** The request's headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** A connection silent both ways for this long is closed (watch streams send a heartbeat). */
  idleTimeoutMs: number;
}

export interface ServerLimits {
  auth: AuthLimits;
  /** Requests per source address and second, whatever their credentials (0: no limit). */
  requestsPerSourcePerSecond: number;
  connections: ConnectionLimits;
  /** Request bodies larger than this are refused (413). */
  bodyLimitBytes: number;
  /** Request headers larger than this are refused (431). */
  maxHeaderBytes: number;
}

/**
 * The soft limit on open files of this process (Linux), so that connections are shed before
 * descriptors run out; undefined elsewhere.
 */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

/** Descriptors kept for the database, files, the agent's streams: never given to clients. */
const RESERVED_DESCRIPTORS = 128;

export function defaultLimits(): ServerLimits {
  const files = openFileLimit();
  const maxConnections = Math.max(64, Math.min(50_000, (files ?? 10_000) - RESERVED_DESCRIPTORS));
  return {
    auth: DEFAULT_AUTH_LIMITS,
    requestsPerSourcePerSecond: 10_000,
    connections: {
      maxConnections,
      maxConnectionsPerSource: Math.max(32, Math.floor(maxConnections / 2)),
      keepAliveTimeoutMs: 5_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
    },
    bodyLimitBytes: 8 * 1024 * 1024,
    maxHeaderBytes: 16 * 1024,
  };
}

/** PALISADE_* environment variables over the defaults (integers; an unparsable one is an error). */
export function limitsFromEnv(env: NodeJS.ProcessEnv, base: ServerLimits = defaultLimits()): ServerLimits {
  const int = (name: string, fallback: number): number => {
    const text = own(env, name);
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${text}: expected a whole number 0 or above`);
    return n;
  };
  const c = base.connections;
  const a = base.auth;
  return {
    auth: {
      failuresPerCredential: int('PALISADE_AUTH_FAILURES_PER_CREDENTIAL', a.failuresPerCredential),
      failuresPerSource: int('PALISADE_AUTH_FAILURES_PER_SOURCE', a.failuresPerSource),
      failureWindowMs: int('PALISADE_AUTH_FAILURE_WINDOW_SECONDS', a.failureWindowMs / 1000) * 1000,
      lockoutMs: int('PALISADE_AUTH_LOCKOUT_SECONDS', a.lockoutMs / 1000) * 1000,
      maxLockoutMs: int('PALISADE_AUTH_MAX_LOCKOUT_SECONDS', a.maxLockoutMs / 1000) * 1000,
      requestsPerCredentialPerSecond: int('PALISADE_RATE_PER_CREDENTIAL', a.requestsPerCredentialPerSecond),
    },
    requestsPerSourcePerSecond: int('PALISADE_RATE_PER_SOURCE', base.requestsPerSourcePerSecond),
    connections: {
      maxConnections: int('PALISADE_MAX_CONNECTIONS', c.maxConnections),
      maxConnectionsPerSource: int('PALISADE_MAX_CONNECTIONS_PER_SOURCE', c.maxConnectionsPerSource),
      keepAliveTimeoutMs: int('PALISADE_KEEPALIVE_TIMEOUT_MS', c.keepAliveTimeoutMs),
      headersTimeoutMs: int('PALISADE_HEADERS_TIMEOUT_MS', c.headersTimeoutMs),
      requestTimeoutMs: int('PALISADE_REQUEST_TIMEOUT_MS', c.requestTimeoutMs),
      idleTimeoutMs: int('PALISADE_IDLE_TIMEOUT_MS', c.idleTimeoutMs),
    },
    bodyLimitBytes: int('PALISADE_BODY_LIMIT_BYTES', base.bodyLimitBytes),
    maxHeaderBytes: int('PALISADE_MAX_HEADER_BYTES', base.maxHeaderBytes),
  };
}
