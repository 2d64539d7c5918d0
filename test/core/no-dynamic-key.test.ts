// The lint rule that keeps request-controlled strings from indexing plain objects
// (eslint-rules/no-dynamic-key.js): each snippet is linted with type information, as
// test/core/fixtures/no-dynamic-key/file.ts in that folder's small project.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import rule from '../../eslint-rules/no-dynamic-key.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'no-dynamic-key');
const filename = path.join(fixture, 'file.ts');

const tester = new RuleTester({
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: {
      project: './tsconfig.json',
      tsconfigRootDir: fixture,
      // CI=true turns on typescript-eslint's single-run mode, in which the snippets are linted
      // against a program it does not update, and lib types (Array, Map, Symbol) come out
      // unresolved: the exemptions for them would fail only in CI.
      disallowAutomaticSingleRunInference: true,
    },
  },
});

const TABLE = 'const T: Record<string, number> = { a: 1 };';
const PROTOCOLS = "const P: Record<'tcp' | 'udp', number> = { tcp: 6, udp: 17 };";

const TABLE_TYPE =
  'declare const nullPrototype: unique symbol; type Table<T> = T & { readonly [nullPrototype]: true };';

const valid = [
  // Literal keys are visible in review.
  `${TABLE} export const a = T['a'] + T[\`a\`];`,
  'const o: Record<number, string> = {}; export const z = o[0];',
  // Numbers, bigints and symbols never name an Object.prototype property.
  'export function f(o: Record<number, string>, n: number) { return o[n]; }',
  'export function f(o: Record<number, string>, n: 0 | 1 | 2) { return o[n]; }',
  'enum E { A, B } export function f(o: Record<E, string>, e: E) { return o[e]; }',
  'export function f(o: Record<number, string>, n: number & { brand: "id" }) { return o[n]; }',
  'export function f<K extends number>(o: Record<number, string>, k: K) { return o[k]; }',
  'export function f(o: Record<string, string>, n: bigint) { return o[n]; }',
  'const s = Symbol("s"); export function f(o: { [s]: number }, k: typeof s) { return o[k]; }',
  'export function f(o: Record<number, string>, n: number) { o[n] = "x"; delete o[n]; }',
  // Arrays, tuples, typed arrays, strings, Maps and arguments are not plain-object tables.
  'export function f(a: string[], i: string) { return a[i]; }',
  'export function f(a: readonly string[], k: string) { return a[k]; }',
  'export function f(t: [string, number], k: string) { return t[k]; }',
  'export function f(b: Uint8Array, k: string) { return b[k]; }',
  'export function f(b: Buffer, k: string) { return b[k]; }',
  'export function f(s: string, k: string) { return s[k]; }',
  'export function f(m: Map<string, number>, k: string) { return m[k] ?? m.get(k); }',
  'export function f(a: string[] | undefined, k: string) { return a?.[k]; }',
  'export function f(this: unknown, k: string) { return arguments[k]; }',
  'class L extends Array<string> {} export function f(l: L, k: string) { return l[k]; }',
  'class M extends Map<string, string> {} export function f(m: M, k: string) { return m[k]; }',
  // The sanctioned ways to ask about own properties.
  'export function f(o: object, k: string) { return Object.hasOwn(o, k); }',
  'export function f(o: object, k: string) { return Object.prototype.hasOwnProperty.call(o, k); }',
  "export function f(o: object) { return 'a' in o; }",
  'export function f(o: object, n: number) { return n in o; }',
  'export class C { #x = 1; static has(o: object) { return #x in o; } }',
  'const m = new Map([["a", 1]]); export function f(k: string) { return m.get(k); }',
  // A key that can only be one of the literals written in place.
  "export function f(r: { from: number; to: number }) { for (const end of ['from', 'to'] as const) r[end] = 1; }",
  "export function f(o: Record<string, string>) { for (const k of ['a', 'b']) if (k in o) return o[k]; }",
  "export function f(o: Record<string, string>) { for (const [a, b] of [['x', 'y'], ['z', 'w']] as const) o[a] = o[b]; }",
  "export function f(o: Record<string, string>) { return (['a', 'b'] as const).filter((k) => o[k] !== undefined); }",
  "const KEYS = ['a', 'b'] as const; export function f(o: Record<string, string>) { for (const k of KEYS) o[k] = ''; return KEYS.some((k) => o[k]); }",
  // A null-prototype table (src/core/own.ts table()): no inherited names to find.
  `${TABLE_TYPE} declare const N: Table<Record<string, number>>; export function f(k: string) { return N[k]; }`,
  // Dotted access and object literals with computed keys are not lookups.
  `${TABLE} export const a = T.a;`,
  'export function f(k: string) { return { [k]: 1 }; }',
];

const key = (code: string) => ({ code, errors: [{ messageId: 'dynamicKey' }] });
const inOp = (code: string) => ({ code, errors: [{ messageId: 'dynamicIn' }] });

const invalid = [
  key(`${TABLE} export function f(k: string) { return T[k]; }`),
  // A string-literal key type is no proof: casts let "constructor" through.
  key(`${PROTOCOLS} export function f(p: 'tcp' | 'udp') { return P[p]; }`),
  key(`${PROTOCOLS} export function f(p: string) { return P[p as 'tcp']; }`),
  key(`${PROTOCOLS} export function f(p: keyof typeof P) { return P[p]; }`),
  key(`enum S { A = 'a' } export function f(o: Record<S, number>, s: S) { return o[s]; }`),
  key(`export function f<K extends string>(o: Record<K, number>, k: K) { return o[k]; }`),
  key('export function f(o: Record<string, string>, k: string, v: string) { o[k] = v; }'),
  key('export function f(o: Record<string, string>, k: string) { delete o[k]; }'),
  {
    code: 'export function f(o: Record<string, number>, k: string) { o[k] ??= 0; o[k]++; }',
    errors: [{ messageId: 'dynamicKey' }, { messageId: 'dynamicKey' }],
  },
  key('export function f(o: Record<string, string> | undefined, k: string) { return o?.[k]; }'),
  key('export function f(o: any, k: string) { return o[k]; }'),
  key('export function f(o: Record<string, string>, k: any) { return o[k]; }'),
  key('export function f(o: Record<string, string>, k: unknown) { return o[k as string]; }'),
  key('export function f(o: Record<string, string>, k: unknown) { return o[k as never]; }'),
  key('export function f(o: Record<string, string>, k: string | number) { return o[k]; }'),
  key('export function f(o: Record<string, unknown>, k: string) { return o[`${k}_links`]; }'),
  key('export function f(o: string[] | Record<string, string>, k: string) { return o[k]; }'),
  key('export function f(k: string) { return process.env[k]; }'),
  key('export function f(o: Record<string, string>, k: string) { const { [k]: v } = o; return v; }'),
  // Not provably one of the literals: a mutable list, a let, a reassigned parameter, a
  // list with a computed element, a default, or a method whose first parameter is not an element.
  key(
    "const KEYS = ['a']; export function f(o: Record<string, string>) { for (const k of KEYS) o[k] = ''; }",
  ),
  key(
    "export function f(o: Record<string, string>, s: 'a') { for (let k of ['a'] as const) { k = s; o[k] = ''; } }",
  ),
  key(
    "export function f(o: Record<string, string>, s: 'a') { (['a'] as const).forEach((k) => { k = s; o[k] = ''; }); }",
  ),
  key("export function f(o: Record<string, string>, s: string) { for (const k of ['a', s]) o[k] = ''; }"),
  key(
    "export function f(o: Record<string, string>, s: string) { for (const [k = s] of [['a']]) o[k] = ''; }",
  ),
  key("export function f(o: Record<string, string>) { return ['a'].reduce((k) => o[k], ''); }"),
  key(`${TABLE_TYPE} declare const N: Record<string, number>; export function f(k: string) { return N[k]; }`),
  inOp('export function f(o: object, k: string) { return k in o; }'),
  inOp(`${PROTOCOLS} export function f(p: 'tcp') { return p in P; }`),
  {
    code: 'export function f(o: Record<string, string>, k: string) { return o.hasOwnProperty(k); }',
    errors: [{ messageId: 'hasOwnPropertyCall' }],
  },
  {
    code: `${TABLE} export function f(k: string) { return k in T ? T[k] : undefined; }`,
    errors: [{ messageId: 'dynamicIn' }, { messageId: 'dynamicKey' }],
  },
];

tester.run('no-dynamic-key', rule, {
  valid: valid.map((code) => ({ code, filename })),
  invalid: invalid.map((c) => ({ ...c, filename })),
});
