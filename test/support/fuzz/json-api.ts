// What the JSON front ends (Huawei, Keystone, Neutron) share in a fuzz case: a route template with
// a body schema used to generate valid-looking bodies and to mutate them one field at a time,
// whole-body attacks (deep nesting, not JSON, other content types), path and query attacks.
import fc from 'fast-check';
import { type Hints, type MutationPlan, arbFromSchema, arbPlan, mutate, type Schema } from './schema.js';
import {
  BROKEN_ENCODINGS,
  DEEP_ARRAY_JSON,
  DEEP_OBJECT_JSON,
  HUGE,
  MAIN_PROTO_NAMES,
  NOT_JSON_BODIES,
  OTHER_BODIES,
  PROTO_NAMES,
  RAW,
  URL_STRINGS,
  objectOf,
  toJson,
} from './values.js';

export interface Route {
  method: string;
  /** /v3/{project_id}/vpc/security-groups/{id}: {name} parameters filled from `params`. */
  path: string;
  body?: Schema;
  /** The query parameters the route reads (filters, paging). */
  query?: Record<string, fc.Arbitrary<string>>;
}

export const WHOLE_ATTACKS = [
  'deepArray',
  'deepObject',
  'notJson',
  'otherType',
  'empty',
  'noType',
  'array',
  'primitive',
  'dupKeys',
  'huge',
] as const;
export type WholeAttack = (typeof WHOLE_ATTACKS)[number];
export const PATH_ATTACKS = [
  'proto',
  'long301',
  'long200',
  'hostile',
  'broken',
  'empty',
  'extraSegment',
] as const;
export type PathAttack = (typeof PATH_ATTACKS)[number];
export const QUERY_ATTACKS = ['protoKeys', 'protoValues', 'repeat', 'hostile', 'broken'] as const;
export type QueryAttack = (typeof QUERY_ATTACKS)[number];

export interface JsonSample {
  body: unknown;
  query: [string, string][];
  plan: MutationPlan;
  whole: WholeAttack;
  path: PathAttack;
  queryAttack: QueryAttack;
  pick: number;
  text: string;
}

export function arbJsonSample(
  route: Route,
  hints: Hints,
  body?: fc.Arbitrary<unknown>,
): fc.Arbitrary<JsonSample> {
  const q = Object.entries(route.query ?? {});
  return fc.record({
    body: body ?? (route.body ? arbFromSchema(route.body, hints) : fc.constant(undefined)),
    query: fc
      .tuple(
        ...q.map(([k, arb]) =>
          fc.option(
            arb.map((v) => [k, v] as [string, string]),
            { nil: undefined, freq: 3 },
          ),
        ),
      )
      .map((xs) => xs.filter((x): x is [string, string] => x !== undefined)),
    plan: arbPlan,
    whole: fc.constantFrom(...WHOLE_ATTACKS),
    path: fc.constantFrom(...PATH_ATTACKS),
    queryAttack: fc.constantFrom(...QUERY_ATTACKS),
    pick: fc.nat(),
    text: fc.constantFrom(...URL_STRINGS),
  });
}

/** A field mutation of the sampled body: its JSON text and what was done. */
export function mutatedBody(route: Route, s: JsonSample): { value: unknown; label: string; field: string } {
  if (!route.body) return { value: s.body, label: 'no body', field: '' };
  const m = mutate(s.body, route.body, s.plan);
  const field = [...m.path].reverse().find((x): x is string => typeof x === 'string') ?? '';
  return { value: m.value, label: `body${m.label.startsWith('(') ? ' ' : ''}${m.label}`, field };
}

/** A whole-body attack: the text, its content type (undefined: none), and a label. */
export function wholeBody(s: JsonSample): { text: string; type: string | undefined; label: string } {
  switch (s.whole) {
    case 'deepArray':
      return { text: DEEP_ARRAY_JSON, type: 'application/json', label: 'body: 10,000 nested arrays' };
    case 'deepObject':
      return { text: DEEP_OBJECT_JSON, type: 'application/json', label: 'body: 10,000 nested objects' };
    case 'notJson': {
      const text = NOT_JSON_BODIES[s.pick % NOT_JSON_BODIES.length];
      return {
        text,
        type: 'application/json',
        label: `body not JSON (${JSON.stringify(text)}) as application/json`,
      };
    }
    case 'otherType': {
      const o = OTHER_BODIES[s.pick % OTHER_BODIES.length];
      return { text: o.body, type: o.type, label: `body as ${o.type ?? 'no content-type'}` };
    }
    case 'empty':
      return { text: '', type: 'application/json', label: 'empty body as application/json' };
    case 'noType':
      return { text: toJson(s.body ?? {}), type: undefined, label: 'JSON body without a content-type' };
    case 'array': {
      const text = s.pick % 2 ? '[]' : `[${toJson(s.body ?? {})}]`;
      return { text, type: 'application/json', label: `body is an array ${text.slice(0, 40)}` };
    }
    case 'primitive': {
      const text = ['"x"', '1', 'null', 'true', '"__proto__"', '-0', '1e400'][s.pick % 7];
      return { text, type: 'application/json', label: `body is the JSON ${text}` };
    }
    case 'dupKeys': {
      const base = toJson(s.body ?? {});
      const inner = base.startsWith('{') && base !== '{}' ? base.slice(1, -1) : '"a":1';
      return {
        text: `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${inner},${inner}}`,
        type: 'application/json',
        label: 'body with __proto__ and constructor keys and every key twice',
      };
    }
    case 'huge':
      return {
        text: toJson(
          objectOf([
            ['name', HUGE],
            ['description', HUGE],
            ['x', RAW.deepArray],
          ]),
        ),
        type: 'application/json',
        label: 'body with 100 KB strings and a deep array',
      };
  }
}

/** A path attack on one of the route's parameters: its raw (already encoded) value and a label. */
export function pathAttack(
  s: JsonSample,
  names: string[],
): { name?: string; raw?: string; extra?: string; label: string; trigger: string } {
  const name = names.length ? names[s.pick % names.length] : undefined;
  const proto = PROTO_NAMES[s.pick % PROTO_NAMES.length];
  if (!name || s.path === 'extraSegment')
    return { extra: `/${proto}`, label: `an extra path segment /${proto}`, trigger: 'an extra path segment' };
  switch (s.path) {
    case 'proto':
      return {
        name,
        raw: proto,
        label: `path {${name}} = ${proto}`,
        trigger: `path {${name}} = <inherited name>`,
      };
    case 'long301': {
      const n = 301 + (s.pick % 200);
      return {
        name,
        raw: 'p'.repeat(n),
        label: `path {${name}} of ${n} characters`,
        trigger: `path {${name}} over 300 characters`,
      };
    }
    case 'long200': {
      const n = 129 + (s.pick % 170);
      return {
        name,
        raw: 'q'.repeat(n),
        label: `path {${name}} of ${n} characters`,
        trigger: `path {${name}} of 129-300 characters`,
      };
    }
    case 'hostile':
      return {
        name,
        raw: encodeURIComponent(s.text),
        label: `path {${name}} = ${JSON.stringify(s.text.slice(0, 40))}`,
        trigger: `path {${name}} = <hostile string>`,
      };
    case 'broken': {
      const raw = BROKEN_ENCODINGS[s.pick % BROKEN_ENCODINGS.length];
      return {
        name,
        raw,
        label: `path {${name}} with a broken percent-encoding ${raw}`,
        trigger: `path {${name}} with a broken percent-encoding`,
      };
    }
    case 'empty':
      return { name, raw: '', label: `path {${name}} empty`, trigger: `path {${name}} empty` };
  }
  return { label: 'no path attack', trigger: '' };
}

/** A query attack: extra raw pairs (already encoded) and a label. */
export function queryAttack(
  s: JsonSample,
  names: string[],
): { raw: string[]; label: string; trigger: string } {
  const proto = MAIN_PROTO_NAMES[s.pick % MAIN_PROTO_NAMES.length];
  const name = names.length ? names[s.pick % names.length] : proto;
  const e = encodeURIComponent;
  switch (s.queryAttack) {
    case 'protoKeys':
      return {
        raw: [`${proto}=x`, `${PROTO_NAMES[(s.pick + 3) % PROTO_NAMES.length]}=1`, `${e(`${proto}[x]`)}=1`],
        label: `query ?${proto}=x&…`,
        trigger: 'query keys that are inherited names',
      };
    case 'protoValues':
      return {
        raw: [`${e(name)}=${proto}`],
        label: `query ${name}=${proto}`,
        trigger: `query ${name}=<inherited name>`,
      };
    case 'repeat':
      return {
        raw: [`${e(name)}=1`, `${e(name)}=2`, `${e(name)}=${proto}`],
        label: `query ${name} repeated`,
        trigger: `query ${name} repeated`,
      };
    case 'hostile':
      return {
        raw: [`${e(name)}=${e(s.text)}`],
        label: `query ${name}=${JSON.stringify(s.text.slice(0, 40))}`,
        trigger: `query ${name}=<hostile string>`,
      };
    case 'broken': {
      const raw = BROKEN_ENCODINGS[s.pick % BROKEN_ENCODINGS.length];
      return {
        raw: [`${e(name)}=${raw}`],
        label: `query ${name} with a broken percent-encoding ${raw}`,
        trigger: 'query with a broken percent-encoding',
      };
    }
  }
}

/** Fill a route template; `raw` values go in as they are, the others percent-encoded. */
export function fillPath(
  template: string,
  params: Record<string, string>,
  raw: Record<string, string> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    Object.hasOwn(raw, name) ? raw[name] : encodeURIComponent(params[name] ?? ''),
  );
}
