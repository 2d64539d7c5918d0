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

export function decodeCursor<K>(cursor: string | undefined): K | undefined {
  if (cursor === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as K;
  } catch {
    throw new ServiceError(400, 'INVALID_CURSOR', `cursor "${cursor}" is not a cursor this API returned`, [
      { path: 'query.cursor', code: 'INVALID_CURSOR', message: 'not a cursor this API returned' },
    ]);
  }
}

/** One page of `sorted` (ascending by `key`) after the cursor's key. */
export function paginate<T, K extends string | number | (string | number)[]>(
  sorted: T[],
  key: (item: T) => K,
  compare: (a: K, b: K) => number,
  cursor: string | undefined,
  limit = DEFAULT_LIMIT,
): Page<T> {
  const after = decodeCursor<K>(cursor);
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
