// Neutron's list semantics over rendered objects: any attribute is a filter (a repeated key is
// an OR), tag filters, sort_key/sort_dir (id breaks ties), limit/marker/page_reverse with
// <collection>_links, and fields= to trim each object. neutron/api/api_common.py is the model.
import { own } from '../../core/own.js';
import { badRequest, NeutronError } from './errors.js';

export type Dict = Record<string, unknown>;

/**
 * An object of a collection, rendered only as far as a response needs it: a list filters and
 * sorts on a few attributes of every object and renders the page alone, to `fields` if given.
 */
export interface Item {
  /** Whether the object has this attribute. */
  has(key: string): boolean;
  /** The attribute (undefined when the object has none of that name). */
  get(key: string): unknown;
  /** The whole object. */
  dict(): Dict;
}

/** How a kind of object shows: its attributes, each computed alone, in the order a whole object lists them. */
export class View<T> {
  private readonly byName: Map<string, (subject: T) => unknown>;

  constructor(private readonly attributes: [string, (subject: T) => unknown][]) {
    this.byName = new Map(attributes);
  }

  dict(subject: T): Dict {
    return Object.fromEntries(this.attributes.map(([name, value]) => [name, value(subject)]));
  }

  item(subject: T): Item {
    return new ViewItem(this, this.byName, subject);
  }
}

class ViewItem<T> implements Item {
  constructor(
    private readonly view: View<T>,
    private readonly byName: Map<string, (subject: T) => unknown>,
    private readonly subject: T,
  ) {}

  has(key: string): boolean {
    return this.byName.has(key);
  }

  get(key: string): unknown {
    return this.byName.get(key)?.(this.subject);
  }

  dict(): Dict {
    return this.view.dict(this.subject);
  }
}

/** A rendered object as an Item. */
export function dictItem(o: Dict): Item {
  return { has: (key) => Object.hasOwn(o, key), get: (key) => own(o, key), dict: () => o };
}

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

export function equal(actual: unknown, wanted: unknown): boolean {
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
  return listItems(spec, all.map(dictItem), q, selfUrl, match);
}

/**
 * listResponse over items: filters and sort keys read only the attributes they name, and only
 * the page is rendered (to fields=, if given), so a page costs what its objects cost.
 */
export function listItems(
  spec: CollectionSpec,
  all: Item[],
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
  let items = filters.length
    ? all.filter((o) => filters.every(([k, wanted]) => wanted.some((w) => eq(k, o.get(k), w))))
    : all;
  if (spec.tags) {
    const has = (o: Item) => new Set(o.get('tags') as string[]);
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
  // Each object's sort values read once, not at every comparison. With id last (or among the
  // keys) no two objects compare equal: the order is total, so a page can be selected from the
  // objects without sorting them all, and is the same page the whole sorted list holds.
  const keyed: Keyed[] = items.map((item) => ({ item, values: order.map(([k]) => item.get(k)) }));
  const cmp = (a: Keyed, b: Keyed) => {
    for (let i = 0; i < order.length; i++) {
      const c = compare(a.values[i], b.values[i]);
      if (c) return c * order[i][1];
    }
    return 0;
  };

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
    let page: Item[];
    const idAt = order.findIndex(([k]) => k === 'id');
    const at = marker ? keyed.find((x) => x.values[idAt] === marker) : undefined;
    if (marker && !at) page = [];
    else if (limit * 4 < keyed.length) {
      // A page of a larger list: the `limit` objects after the marker (before it, reversed).
      page = (
        reverse
          ? firstAfter(keyed, limit, (a, b) => cmp(b, a), at).reverse()
          : firstAfter(keyed, limit, cmp, at)
      ).map((x) => x.item);
    } else {
      const sorted = keyed.sort(cmp).map((x) => x.item);
      let i = reverse ? sorted.length : 0;
      if (at) i = sorted.indexOf(at.item);
      if (reverse) page = sorted.slice(Math.max(i - limit, 0), i);
      else page = sorted.slice(at ? i + 1 : i, (at ? i + 1 : i) + limit);
    }
    const links: Dict[] = [];
    const link = (params: URLSearchParams) => `${selfUrl}?${params.toString()}`;
    if (!(page.length < limit && !reverse)) {
      const p = new URLSearchParams(q);
      p.delete('marker');
      if (page.length) p.set('marker', String(page[page.length - 1].get('id')));
      p.delete('page_reverse');
      links.push({ rel: 'next', href: link(p) });
    }
    if (!(page.length < limit && reverse)) {
      const p = new URLSearchParams(q);
      p.delete('marker');
      if (page.length) p.set('marker', String(page[0].get('id')));
      p.set('page_reverse', 'True');
      links.push({ rel: 'previous', href: link(p) });
    }
    items = page;
    body.set(`${spec.collection}_links`, links);
  } else items = keyed.sort(cmp).map((x) => x.item);
  body.set(
    spec.collection,
    items.map((o) => render(o, q)),
  );
  // The collection first, as Neutron writes it.
  return Object.fromEntries([...body].reverse());
}

interface Keyed {
  item: Item;
  /** The item's values of the sort keys, in their order. */
  values: unknown[];
}

/**
 * The first `k` of `xs` in `cmp` order (a strict total order) that come after `after` (all of
 * them without it), in that order: one comparison for most objects, none of them sorted.
 */
function firstAfter(xs: Keyed[], k: number, cmp: (a: Keyed, b: Keyed) => number, after?: Keyed): Keyed[] {
  const out: Keyed[] = [];
  for (const x of xs) {
    if (after && cmp(x, after) <= 0) continue;
    if (out.length === k) {
      if (cmp(x, out[k - 1]) >= 0) continue;
      out.pop();
    }
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(out[mid], x) < 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, x);
  }
  return out;
}

/** fields=a&fields=b: only those attributes (unknown names are ignored, as Neutron does). */
export function trim(o: Dict, q: URLSearchParams): Dict {
  return render(dictItem(o), q);
}

/** An item as a response shows it: whole, or only the attributes fields= names (each computed alone). */
export function render(o: Item, q: URLSearchParams): Dict {
  const fields = q.getAll('fields').filter((f) => f !== '');
  if (!fields.length) return o.dict();
  return Object.fromEntries(fields.filter((f) => o.has(f)).map((f) => [f, o.get(f)]));
}
