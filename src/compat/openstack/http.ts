// What every Neutron route shares: the caller from its Keystone token (X-Auth-Token), the
// region from the path, If-Match revision constraints, request bodies and links.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../../control/errors.js';
import { own } from '../../core/own.js';
import type { TokenInfo } from '../../control/auth/identity.js';
import type { Principal } from '../../control/service.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { Context } from '../../http/context.js';
import { badRequest, baseUrlOf, NeutronError, resourceNotFound, unauthenticated } from './errors.js';

export interface Session {
  /** A member's or reader's token: its project (tenant); an admin's: the operator. */
  p: Principal;
  /** The token's project. */
  tenantId: string;
  /** The region of the path, as the token sees it (its project's objects; every project's for admins). */
  r: ScopedRegion;
}

/**
 * The project a create acts for: the token's own; an admin's token may name another with
 * project_id or tenant_id (checkAttributes then refuses the pair if they differ).
 */
export function projectFor(s: Session, body: Record<string, unknown>): string {
  if (s.p.role !== 'admin') return s.tenantId;
  const named = own(body, 'project_id') ?? own(body, 'tenant_id');
  return typeof named === 'string' ? named : s.tenantId;
}

const WRITE_VERBS = new Map([
  ['POST', 'create'],
  ['PUT', 'update'],
  ['DELETE', 'delete'],
]);

/** The Neutron resource a path names, as its policy rules do. */
function resourceOf(url: string): string {
  const path = url.split('?')[0];
  if (path.includes('/quotas')) return 'quota';
  if (path.includes('/address-groups')) return 'address_group';
  if (path.includes('/security-group-rules')) return 'security_group_rule';
  return 'security_group';
}

/** The token's project (a Palisade tenant) and the region named by the path. */
export async function session(ctx: Context, req: FastifyRequest): Promise<Session> {
  const token = req.headers['x-auth-token'];
  if (typeof token !== 'string' || token === '') throw unauthenticated();
  let info: TokenInfo;
  try {
    info = await ctx.identity.validateToken(token, req.ip);
  } catch (e) {
    // A locked-out address is told so (429); any other refusal is keystonemiddleware's 401.
    if (e instanceof ServiceError && e.status === 429) throw e;
    throw unauthenticated();
  }
  const regionId = (req.params as { regionId: string }).regionId;
  const r = (await ctx.svc.read(info.principal)).region(regionId, 'openstack');
  if (!r) throw resourceNotFound();
  // Neutron's default policy: a reader reads; writing takes member (or admin, which implies it).
  const verb = WRITE_VERBS.get(req.method);
  if (verb !== undefined && !info.roles.includes('member'))
    throw new NeutronError(
      403,
      'PolicyNotAuthorized',
      `rule:${verb}_${resourceOf(req.url)} is disallowed by policy`,
    );
  return { p: info.principal, tenantId: info.project.id, r };
}

/** The URL of this request without its query, as links name it. */
export function selfUrl(req: FastifyRequest): string {
  return `${baseUrl(req)}${req.url.split('?')[0]}`;
}

/** scheme://host[:port] the client reached us at. */
export const baseUrl = (req: FastifyRequest) => baseUrlOf(req);

/** If-Match: revision_number=N (Neutron's revision-if-match extension); other ETags are ignored. */
export function ifMatch(req: FastifyRequest): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) return undefined;
  let revision: number | undefined;
  for (const raw of String(header).split(',')) {
    const e = raw
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1');
    if (!e.startsWith('revision_number=')) continue;
    if (revision !== undefined)
      throw new NeutronError(
        400,
        'BadRequest',
        'Bad if-match request: Multiple revision_number etags are not supported..',
      );
    const n = e.slice('revision_number='.length);
    if (!/^\d+$/.test(n))
      throw new NeutronError(
        400,
        'BadRequest',
        'Bad if-match request: Revision number etag must be in the format of revision_number=<int>..',
      );
    revision = Number(n);
  }
  return revision;
}

/** The resource object of a request body: {"<resource>": {...}}. */
export function resourceBody(body: unknown, resource: string): Record<string, unknown> {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0))
    throw badRequest('Resource body required');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Body contains invalid data');
  const item = own(body, resource) as unknown;
  if (item === undefined || item === null) throw badRequest(`Unable to find '${resource}' in request body`);
  if (typeof item !== 'object' || Array.isArray(item))
    throw badRequest(`Object '${resource}' contains invalid data`);
  return item as Record<string, unknown>;
}

export function noContent(reply: FastifyReply) {
  return reply.code(204).send();
}
