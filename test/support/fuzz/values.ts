// Hostile values a malicious client sends, shared by every fuzz suite: the names of
// Object.prototype's properties (as keys, values and parameters), huge and overlong strings,
// unicode edge cases (astral characters, lone surrogates, NUL), numbers out of any range,
// deeply nested JSON, and text that looks like ids, CIDRs, ports or injections.
import fc from 'fast-check';

/** Property names every plain object inherits: lookups `obj[name]` find something for them. */
export const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
] as const;

/** The five the briefs name first; the others in rarer cases. */
export const MAIN_PROTO_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
] as const;

export const HUGE = 'A'.repeat(100_000);
export const DEPTH = 10_000;
/** 10,000 nested arrays and 10,000 nested objects, as JSON text (JSON.stringify cannot build them). */
export const DEEP_ARRAY_JSON = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
export const DEEP_OBJECT_JSON = '{"a":'.repeat(DEPTH) + 'null' + '}'.repeat(DEPTH);

/**
 * Placeholders for JSON text that no JS value stringifies to: deep nesting and number literals
 * out of double range. `toJson` swaps them in after JSON.stringify.
 */
export const RAW = {
  deepArray: '@@FUZZ:deepArray@@',
  deepObject: '@@FUZZ:deepObject@@',
  infinity: '@@FUZZ:1e400@@',
  negInfinity: '@@FUZZ:-1e400@@',
  bigint: '@@FUZZ:123456789012345678901234567890@@',
  negZero: '@@FUZZ:-0@@',
  tiny: '@@FUZZ:1e-400@@',
} as const;

const RAW_TEXT: Record<string, string> = {
  [RAW.deepArray]: DEEP_ARRAY_JSON,
  [RAW.deepObject]: DEEP_OBJECT_JSON,
  [RAW.infinity]: '1e400',
  [RAW.negInfinity]: '-1e400',
  [RAW.bigint]: '123456789012345678901234567890',
  [RAW.negZero]: '-0',
  [RAW.tiny]: '1e-400',
};

/** JSON.stringify, then the raw placeholders replaced by their JSON text. */
export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"@@FUZZ:[^"@]+@@"/g, (m) => RAW_TEXT[m.slice(1, -1)] ?? m);
}

/** What a body built with `toJson` contains, for a reproducer's recipe. */
export function recipeOf(text: string): string | undefined {
  const parts: string[] = [];
  if (text.includes(DEEP_ARRAY_JSON)) parts.push(`"[".repeat(${DEPTH}) + "]".repeat(${DEPTH}) inside`);
  if (text.includes(DEEP_OBJECT_JSON))
    parts.push(`'{"a":'.repeat(${DEPTH}) + 'null' + '}'.repeat(${DEPTH}) inside`);
  if (text.includes(HUGE)) parts.push(`"A".repeat(100000) as a string value`);
  return parts.length ? parts.join('; ') : undefined;
}

/** Sets an own property, even one named __proto__ (plain assignment would set the prototype). */
export function put<T extends object>(o: T, key: string, value: unknown): T {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

/** An object with exactly these own properties, __proto__ included. */
export function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) put(o, k, v);
  return o;
}

export const UNICODE_STRINGS = [
  '😀𝕏🂡', // astral (surrogate pairs)
  '\u{10FFFF}',
  '\ud800', // a lone high surrogate: JSON.stringify writes it as \ud800
  'a\udfffb', // a lone low surrogate
  '\u0000', // NUL
  'a\u0000b',
  '\u202egnp.exe', // right-to-left override
  '\u200b\ufeff', // zero width, BOM
  'e\u0301'.repeat(40), // combining marks
  'Ω≈ç√∫',
  '\r\n\t',
] as const;

export const INJECTION_STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE objects; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  '\\',
  '*',
  'https://example.com/',
] as const;

export const LOOKALIKE_STRINGS = [
  '',
  ' ',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '007',
  '65536',
  '-0',
  'null',
  'true',
  '[]',
  '{}',
  '10.0.0.0/33',
  '::/129',
  '999.1.1.1',
  '10.0.0.1/-1',
  '1.2.3.4/24/5',
  'fe80::1%eth0',
  '1-',
  '-1/-1',
  '0/0',
  '65535/1',
  '1/65536',
  '22,',
  ',',
  '1-2-3',
  '99999999999999999999',
] as const;

/** Strings that are too long for any name, description or id field. */
export const LONG_STRINGS = ['x'.repeat(129), 'x'.repeat(256), 'y'.repeat(1025), 'z'.repeat(4097)] as const;

export const HOSTILE_STRINGS: string[] = [
  ...PROTO_NAMES,
  ...UNICODE_STRINGS,
  ...INJECTION_STRINGS,
  ...LOOKALIKE_STRINGS,
  ...LONG_STRINGS,
  HUGE,
];

export const HOSTILE_NUMBERS: unknown[] = [
  -1,
  0,
  1.5,
  65536,
  256,
  2 ** 31,
  2 ** 53 + 2,
  -(2 ** 63),
  1e308,
  RAW.infinity,
  RAW.negInfinity,
  RAW.bigint,
  RAW.negZero,
  RAW.tiny,
];

const protoObject = () =>
  objectOf([
    ['__proto__', { polluted: true }],
    ['constructor', { prototype: { polluted: true } }],
    ['toString', 'x'],
    ['hasOwnProperty', 1],
  ]);

/** Non-string JSON values in a place that wants something else. */
export const HOSTILE_JSON: unknown[] = [
  null,
  true,
  false,
  [],
  {},
  [null],
  [[]],
  protoObject(),
  [protoObject()],
  RAW.deepArray,
  RAW.deepObject,
  Array.from({ length: 20_000 }, (_, i) => `e${i}`),
];

/** Every hostile value: strings, numbers and other JSON. */
export const HOSTILE_VALUES: unknown[] = [...HOSTILE_STRINGS, ...HOSTILE_NUMBERS, ...HOSTILE_JSON];

export const arbProtoName = fc.constantFrom(...PROTO_NAMES);
export const arbMainProtoName = fc.constantFrom(...MAIN_PROTO_NAMES);
export const arbHostileString = fc.constantFrom(...HOSTILE_STRINGS);
export const arbHostileValue = fc.constantFrom(...HOSTILE_VALUES);

/** Hostile strings that can travel in a URL (lone surrogates cannot be percent-encoded). */
export const URL_STRINGS = HOSTILE_STRINGS.filter((s) => {
  try {
    encodeURIComponent(s);
    return s.length <= 5000;
  } catch {
    return false;
  }
});
export const arbUrlString = fc.constantFrom(...URL_STRINGS);

/** Percent-encoded text that decodes to nothing valid: broken escapes, UTF-8 of a surrogate. */
export const BROKEN_ENCODINGS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%FF%FE',
  '%C0%AF',
  '%25%',
  '%u0041',
] as const;

/** Content types that are not the API's, with bodies to match. */
export const OTHER_BODIES: { type: string | undefined; body: string }[] = [
  { type: 'text/plain', body: 'hello' },
  { type: 'application/xml', body: '<a><b>1</b></a>' },
  { type: 'application/x-www-form-urlencoded', body: 'a=1&__proto__=x&constructor=y' },
  {
    type: 'multipart/form-data; boundary=XyZ',
    body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XyZ--\r\n',
  },
  { type: 'application/octet-stream', body: '\u0000\u0001\u0002' },
  { type: 'application/json; charset=utf-16', body: '{}' },
  { type: 'application/vnd.api+json', body: '{}' },
  { type: 'application/json-patch+json', body: '[]' },
  { type: '*/*', body: '{}' },
  { type: 'garbage', body: '{}' },
  { type: undefined, body: '{"a":1}' },
];

/** Bodies that are not JSON, sent as application/json. */
export const NOT_JSON_BODIES = [
  '{',
  '}',
  '{"a":',
  "{'a': 1}",
  '{"a":1,}',
  '[1,2',
  'undefined',
  'NaN',
  '\u0000',
  'a=1&b=2',
  '<xml/>',
  '{"a":"\\x41"}',
  '{"a":01}',
  '\ufeff{}',
] as const;
