// Neutron's list semantics over rendered objects: any attribute is a filter (a repeated key is
// an OR), tag filters, sort_key/sort_dir (id breaks ties), limit/marker/page_reverse with
// <collection>_links, and fields= to trim each object. neutron/api/api_common.py is the model.
import { own } from '../../core/own.js';
import { badRequest, NeutronError } from './errors.js';
import type { Dict } from './views.js';

export interface CollectionSpec {
  collection: string;
  /** Attributes that may be filtered on, with the conversion Neutron applies to the value. */
  filters: Record<string, (value: string) => unknown>;
  sortKeys: Set<string>;
  tags: boolean;
}

const RESERVED = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);
const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];

export const asText = (v: string) => v;

export function asBoolean(attr: string) {
  return (v: string): boolean => {
    const t = v.toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    throw badRequest(`Invalid input for ${attr}. Reason: '${v}' cannot be converted to boolean.`);
  };
}

export function asInteger(v: string): number | string {
  return /^-?\d+$/.test(v.trim()) ? Number(v) : v;
}

/** The query string as Neutron reads it: every key with all its values, in order. */
export function queryOf(url: string): URLSearchParams {
  const i = url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : url.slice(i + 1));
}

function equal(actual: unknown, wanted: unknown): boolean {
  if (actual === null || actual === undefined) return wanted === null;
  if (typeof actual === 'boolean' || typeof wanted === 'boolean') return actual === wanted;
  return String(actual) === String(wanted);
}

function compare(a: unknown, b: unknown): number {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function tagSet(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).filter((t) => t !== '');
}

/** Filter, sort and page a collection; returns the response body (objects trimmed to fields). */
export function listResponse(
  spec: CollectionSpec,
  all: Dict[],
  q: URLSearchParams,
  selfUrl: string,
  match?: (key: string, actual: unknown, wanted: unknown) => boolean,
): Dict {
  // Filters.
  const invalid: string[] = [];
  const filters: [string, unknown[]][] = [];
  const tagFilters = new Map<string, string[]>();
  for (const key of new Set(q.keys())) {
    if (RESERVED.has(key)) continue;
    const values = q.getAll(key).filter((v) => v !== '');
    if (TAG_FILTERS.includes(key) && spec.tags) {
      tagFilters.set(key, tagSet(values));
      continue;
    }
    const convert = own(spec.filters, key);
    if (!convert) {
      invalid.push(key);
      continue;
    }
    if (values.length) filters.push([key, values.map(convert)]);
  }
  if (invalid.length)
    throw badRequest(`[${invalid.map((k) => `'${k}'`).join(', ')}] is invalid attribute for filtering`);
  const eq = match ?? ((_k: string, a: unknown, w: unknown) => equal(a, w));
  let items = all.filter((o) => filters.every(([k, wanted]) => wanted.some((w) => eq(k, own(o, k), w))));
  if (spec.tags) {
    const has = (o: Dict) => new Set(o.tags as string[]);
    const [tags, any, not, notAny] = TAG_FILTERS.map((f) => tagFilters.get(f));
    if (tags?.length) items = items.filter((o) => tags.every((t) => has(o).has(t)));
    if (any?.length) items = items.filter((o) => any.some((t) => has(o).has(t)));
    if (not?.length) items = items.filter((o) => !not.every((t) => has(o).has(t)));
    if (notAny?.length) items = items.filter((o) => !notAny.some((t) => has(o).has(t)));
  }

  // Sorting: the requested keys, then id.
  const keys = q.getAll('sort_key').filter((v) => v !== '');
  const dirs = q.getAll('sort_dir').filter((v) => v !== '');
  if (keys.length !== dirs.length) throw badRequest('The number of sort_keys and sort_dirs must be same');
  const badKeys = keys.filter((k) => !spec.sortKeys.has(k));
  if (badKeys.length)
    throw badRequest(`[${badKeys.map((k) => `'${k}'`).join(', ')}] is invalid attribute for sort_keys`);
  const badDirs = dirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (badDirs.length)
    throw badRequest(
      `[${badDirs.map((d) => `'${d}'`).join(', ')}] is invalid value for sort_dirs, valid value is 'asc' and 'desc'`,
    );
  const order: [string, number][] = keys.map((k, i) => [k, dirs[i] === 'asc' ? 1 : -1]);
  if (!keys.includes('id')) order.push(['id', 1]);
  items.sort((a, b) => {
    for (const [k, dir] of order) {
      const c = compare(own(a, k), own(b, k));
      if (c) return c * dir;
    }
    return 0;
  });

  // Pagination (emulated, like Neutron's PaginationEmulatedHelper).
  const limitText = q.get('limit') ?? '0';
  const limit = /^\d+$/.test(limitText.trim()) ? Number(limitText) : NaN;
  if (!Number.isInteger(limit))
    throw new NeutronError(
      400,
      'BadRequest',
      `Bad limit request: Limit must be an integer 0 or greater and not '${limitText}'.`,
    );
  const body = new Map<string, unknown>();
  if (limit > 0) {
    const marker = q.get('marker');
    const reverse = (q.get('page_reverse') ?? 'False').toLowerCase() === 'true';
    let page: Dict[];
    let i = reverse ? items.length : 0;
    if (marker) i = items.findIndex((o) => o.id === marker);
    if (marker && i < 0) page = [];
    else if (reverse) page = items.slice(Math.max(i - limit, 0), i);
    else page = items.slice(marker ? i + 1 : i, (marker ? i + 1 : i) + limit);
    const links: Dict[] = [];
    const link = (params: URLSearchParams) => `${selfUrl}?${params.toString()}`;
    if (!(page.length < limit && !reverse)) {
      const p = new URLSearchParams(q);
      p.delete('marker');
      if (page.length) p.set('marker', String(page[page.length - 1].id));
      p.delete('page_reverse');
      links.push({ rel: 'next', href: link(p) });
    }
    if (!(page.length < limit && reverse)) {
      const p = new URLSearchParams(q);
      p.delete('marker');
      if (page.length) p.set('marker', String(page[0].id));
      p.set('page_reverse', 'True');
      links.push({ rel: 'previous', href: link(p) });
    }
    items = page;
    body.set(`${spec.collection}_links`, links);
  }
  body.set(
    spec.collection,
    items.map((o) => trim(o, q)),
  );
  // The collection first, as Neutron writes it.
  return Object.fromEntries([...body].reverse());
}

/** fields=a&fields=b: only those attributes (unknown names are ignored, as Neutron does). */
export function trim(o: Dict, q: URLSearchParams): Dict {
  const fields = q.getAll('fields').filter((f) => f !== '');
  if (!fields.length) return o;
  return Object.fromEntries(fields.filter((f) => Object.hasOwn(o, f)).map((f) => [f, own(o, f)]));
}
