// What every Huawei route knows about its request once authenticated: the caller (a tenant key),
// the Palisade region its project id names, the nonce (its signature) to record, and small
// helpers for parsing bodies and queries the way the VPC v3 API states its constraints.
import type { FastifyRequest } from 'fastify';
import type { Principal, WriteOptions } from '../../control/service.js';
import type { ScopedRegion } from '../../control/scope.js';
import { own } from '../../core/own.js';
import { invalid } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The region named by the URL's project id (huawei profile). */
    huaweiRegion?: ScopedRegion;
  }
}

export type TenantPrincipal = Extract<Principal, { role: 'tenant' }>;

export function principalOf(req: FastifyRequest): TenantPrincipal {
  return req.principal as TenantPrincipal;
}

export function regionOf(req: FastifyRequest): ScopedRegion {
  return req.huaweiRegion!;
}

/** The write records the request's signature as its nonce in its own transaction. */
export function writeOpts(req: FastifyRequest): WriteOptions {
  return req.nonce ? { nonce: req.nonce } : {};
}

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body's wrapper object (`security_group`, `address_group`, ...), required. */
export function wrapped(body: unknown, key: string): { inner: Json; dryRun: boolean } {
  if (!isObject(body)) throw invalid(`The request body must be a JSON object with "${key}"`);
  const inner = own(body, key);
  if (!isObject(inner)) throw invalid(`Invalid request body: "${key}" is required and must be an object`);
  const dryRun = body.dry_run;
  if (dryRun !== undefined && typeof dryRun !== 'boolean')
    throw invalid('Invalid dry_run: it must be a boolean');
  return { inner, dryRun: dryRun === true };
}

/** An optional string field; null counts as absent. */
export function optString(o: Json, key: string, at: string): string | undefined {
  const v = own(o, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid ${at}.${key}: it must be a string`);
  return v;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function checkName(name: unknown, at: string): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalid(
      `Invalid ${at}.name: 1 to 64 characters, letters, digits, underscores (_), hyphens (-) and periods (.)`,
    );
  return name;
}

export function checkDescription(description: string | undefined, at: string): string | undefined {
  if (description === undefined) return undefined;
  if (description.length > 255 || /[<>]/.test(description))
    throw invalid(`Invalid ${at}.description: at most 255 characters, without angle brackets (< or >)`);
  return description;
}

/** Palisade has one enterprise project per tenant: "0", the default. */
export function checkEnterpriseProject(o: Json, at: string): void {
  const v = o.enterprise_project_id;
  if (v === undefined || v === null || v === '0' || v === 0) return;
  throw invalid(
    `Invalid ${at}.enterprise_project_id "${String(v)}": only the default enterprise project "0" exists here`,
  );
}

/** A query parameter given once or repeated: always a list. */
export function queryList(q: Json, key: string): string[] | undefined {
  const v = own(q, key);
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function queryOne(q: Json, key: string): string | undefined {
  const list = queryList(q, key);
  return list?.[list.length - 1];
}

/** limit 0-2000 (0 or absent: 2000) and marker: one page of items sorted by id after the marker. */
export function page<T extends { id: string }>(
  items: T[],
  q: Json,
): { items: T[]; pageInfo: { previous_marker?: string; current_count: number; next_marker?: string } } {
  const limitText = queryOne(q, 'limit');
  let limit = 2000;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) > 2000)
      throw invalid(`Invalid limit "${limitText}": it must be an integer from 0 to 2000`);
    limit = Number(limitText) || 2000;
  }
  const marker = queryOne(q, 'marker');
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const start = marker ? sorted.findIndex((x) => x.id > marker) : 0;
  const rest = start < 0 ? [] : sorted.slice(start);
  const out = rest.slice(0, limit);
  const pageInfo: { previous_marker?: string; current_count: number; next_marker?: string } = {
    current_count: out.length,
  };
  if (out.length) pageInfo.previous_marker = out[0].id;
  if (rest.length > limit) pageInfo.next_marker = out[out.length - 1].id;
  return { items: out, pageInfo };
}

/** Keeps items whose field is one of the listed values (a repeated filter is an OR). */
export function matches(values: string[] | undefined, actual: string | number | null | undefined): boolean {
  if (values === undefined) return true;
  return values.includes(actual === null || actual === undefined ? '' : String(actual));
}
