// Own-property lookups in plain objects: the sanctioned ways to read a table by a key
// that came from outside (a request, a file, a command line). A plain object inherits
// Object.prototype, so `table[key]` with key "constructor", "toString" or "__proto__"
// finds something the table never held; these helpers only see the table's own
// properties. Tables indexed by request data on a hot path are better as a Map; own()
// is for occasional lookups; table() is for fixed tables (per profile, per dialect)
// that code indexes by a key checked elsewhere (eslint-rules/no-dynamic-key.js).

/** True when `key` is one of the table's own properties (never an inherited name such as "constructor"). */
export function hasOwnKey<T extends object>(table: T, key: PropertyKey): key is keyof T {
  return Object.hasOwn(table, key);
}

/** The table's own value for `key`, or undefined when the table has no own property of that name. */
export function own<T extends object>(table: T, key: PropertyKey): T[keyof T] | undefined {
  // Safe: the key was just checked to be one of the table's own properties, so no
  // inherited member of Object.prototype can be returned.
  // eslint-disable-next-line palisade/no-dynamic-key
  return Object.hasOwn(table, key) ? table[key as keyof T] : undefined;
}

declare const nullPrototype: unique symbol;

/**
 * A table made by table(): an object without a prototype, so `t[key]` is undefined for
 * every key it does not hold, "constructor" and "__proto__" included. The brand lets
 * palisade/no-dynamic-key allow computed keys into it.
 */
export type Table<T extends object> = T & { readonly [nullPrototype]: true };

/** A copy of `entries` without a prototype (see Table). */
export function table<T extends object>(entries: T): Table<T> {
  return Object.assign(Object.create(null) as object, entries) as Table<T>;
}
