// What every action handler gets: the caller, its parameters, its region, the write options
// (nonce and ClientToken) and a place to say what an error would be about.
import type { Principal, Service, WriteOptions } from '../../control/service.js';
import type { Scope, ScopedRegion } from '../../control/scope.js';
import type { GroupRecord } from '../../control/world.js';
import type { Context } from '../../http/context.js';
import { AliError, type ErrorContext, groupNotFound, missing } from './errors.js';
import type { Params } from './params.js';

export interface Call {
  ctx: Context;
  svc: Service;
  p: Principal;
  params: Params;
  action: string;
  /** The request's region (every action but DescribeRegions names one). */
  region: ScopedRegion;
  /** What the caller may see (current: caught up before the action). */
  scope: Scope;
  /** For writes: the nonce to record in the write's transaction and the ClientToken. */
  opts: WriteOptions;
  /** The host the client called (DescribeRegions' endpoints, error HostId). */
  host: string;
  errors: ErrorContext;
}

export type Handler = (call: Call) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** A security group of the caller in the request's region, or InvalidSecurityGroupId.NotFound. */
export function groupIn(
  call: Call,
  id: string | undefined = call.params.get('SecurityGroupId'),
): GroupRecord {
  if (id === undefined) throw missing('SecurityGroupId');
  const g = call.region.group(id);
  if (!g) throw groupNotFound();
  return g;
}

/** ECS names: 2-128 characters, a letter (or CJK character) first, not a URL. */
export function checkName(value: string, code: string, what: string): void {
  if (
    value.length < 2 ||
    value.length > 128 ||
    !/^[A-Za-z\u4e00-\u9fa5]/.test(value) ||
    /^https?:\/\//.test(value) ||
    !/^[A-Za-z0-9\u4e00-\u9fa5:_.\- ]+$/.test(value)
  )
    throw new AliError(400, code, `The specified parameter ${what} is not valid.`);
}

/** ECS descriptions: 2-256 characters, not a URL. */
export function checkDescription(value: string, code = 'InvalidDescription.Malformed'): void {
  if (value.length < 2 || value.length > 256 || /^https?:\/\//.test(value))
    throw new AliError(400, code, 'The specified parameter "Description" is not valid.');
}

/** Page selection: MaxResults/NextToken, or PageNumber/PageSize (with TotalCount). */
export interface Paged<T> {
  items: T[];
  body: Record<string, unknown>;
}

export function page<T extends { id: string }>(
  params: Params,
  all: T[],
  limits: { defaultSize: number; maxSize: number; maxResults: number },
): Paged<T> {
  const sorted = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (params.has('MaxResults') || params.has('NextToken')) {
    const size = params.int('MaxResults', limits.defaultSize, 1, limits.maxResults);
    const token = params.get('NextToken');
    let start = 0;
    if (token !== undefined) {
      const after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after || Buffer.from(after).toString('base64url') !== token)
        throw new AliError(
          400,
          'InvalidNextToken.Malformed',
          'The specified parameter NextToken is not valid.',
        );
      start = sorted.findIndex((x) => x.id > after);
      if (start < 0) start = sorted.length;
    }
    const items = sorted.slice(start, start + size);
    const more = start + size < sorted.length;
    return {
      items,
      body: {
        NextToken: more ? Buffer.from(items[items.length - 1].id).toString('base64url') : '',
        TotalCount: sorted.length,
      },
    };
  }
  const number = params.int('PageNumber', 1, 1, 1_000_000);
  const size = params.int('PageSize', limits.defaultSize, 1, limits.maxSize);
  const items = sorted.slice((number - 1) * size, number * size);
  return { items, body: { PageNumber: number, PageSize: size, TotalCount: sorted.length } };
}
