// Cursor pagination over a list sorted by a key: the cursor is the last key returned, so pages
// stay stable while objects are created or deleted between requests.
import { ServiceError } from './errors.js';

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a cursor holds, if it is one this API could have returned: any other text, or JSON of
 * another shape (a client can make both), is 400 INVALID_CURSOR, never a key the query trips on.
 */
export function decodeCursor<K>(cursor: string | undefined, isKey: (v: unknown) => v is K): K | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (isKey(key)) return key;
  throw new ServiceError(400, 'INVALID_CURSOR', `cursor "${cursor}" is not a cursor this API returned`, [
    { path: 'query.cursor', code: 'INVALID_CURSOR', message: 'not a cursor this API returned' },
  ]);
}

const isScalarKey = (v: unknown): v is string | number =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** A key of paginate: a string or number, or a tuple of them. */
export const isSortKey = (v: unknown): v is string | number | (string | number)[] =>
  isScalarKey(v) || (Array.isArray(v) && v.every(isScalarKey));

export const isRevision = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** One page of `sorted` (ascending by `key`) after the cursor's key. */
export function paginate<T, K extends string | number | (string | number)[]>(
  sorted: T[],
  key: (item: T) => K,
  compare: (a: K, b: K) => number,
  cursor: string | undefined,
  limit = DEFAULT_LIMIT,
): Page<T> {
  const after = decodeCursor(cursor, isSortKey) as K | undefined;
  let start = 0;
  if (after !== undefined) {
    // Binary search for the first item whose key is greater than the cursor.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(key(sorted[mid]), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const items = sorted.slice(start, start + limit);
  const more = start + limit < sorted.length;
  return more ? { items, nextCursor: encodeCursor(key(items[items.length - 1])) } : { items };
}

export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function compareTuples(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}
