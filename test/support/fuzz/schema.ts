// Requests from JSON Schema (the OpenAPI document's): fast-check arbitraries of valid-looking
// values, with field-name hints so that ids name real objects (as symbolic references resolved
// when the case is sent), and mutations that break one field at a time.
import fc from 'fast-check';
import { HOSTILE_JSON, HOSTILE_NUMBERS, HOSTILE_STRINGS, PROTO_NAMES, objectOf, put } from './values.js';

export type Schema = Record<string, any>;

/** A reference to a fixture object (its id), resolved when the case is built. */
export class Ref {
  constructor(readonly name: string) {}
  toJSON(): string {
    return `<${this.name}>`;
  }
}

/** Replace every Ref by its value; keeps own __proto__ keys. */
export function resolveRefs(v: unknown, resolve: (name: string) => unknown): unknown {
  if (v instanceof Ref) return resolve(v.name);
  if (Array.isArray(v)) return v.map((x) => resolveRefs(x, resolve));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) put(out, k, resolveRefs((v as Record<string, unknown>)[k], resolve));
    return out;
  }
  return v;
}

/** A deep copy (Refs are shared, they are immutable). */
export function clone<T>(v: T): T {
  if (v instanceof Ref) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) put(out, k, clone((v as Record<string, unknown>)[k]));
    return out as T;
  }
  return v;
}

/**
 * Field names whose values name fixtures or need a plausible shape to get past validation; a
 * function hint sees the field's schema and may decline (undefined: generate from the schema).
 */
export type Hints = Record<
  string,
  fc.Arbitrary<unknown> | ((s: Schema) => fc.Arbitrary<unknown> | undefined)
>;

const alnum = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  minLength: 1,
  maxLength: 8,
});

function arbString(s: Schema): fc.Arbitrary<string> {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? Math.min(s.maxLength, 24) : 24;
  return fc.string({ unit: 'grapheme-ascii', minLength: Math.min(min, max), maxLength: Math.max(min, max) });
}

function arbInteger(s: Schema): fc.Arbitrary<number> {
  const min = typeof s.minimum === 'number' ? s.minimum : 0;
  const max = typeof s.maximum === 'number' ? s.maximum : Math.max(min + 100, 100);
  return fc.integer({ min, max: Math.min(max, min + 100_000) });
}

/** A valid-looking value of the schema; `name` is the property it is for (hints key on it). */
export function arbFromSchema(s: Schema, hints: Hints, name = ''): fc.Arbitrary<unknown> {
  const hint = name ? hints[name] : undefined;
  const hinted = typeof hint === 'function' ? hint(s) : hint;
  if (hinted) return hinted;
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const branches = (s.anyOf ?? s.oneOf) as Schema[];
    return fc.oneof(...branches.map((b) => arbFromSchema(b, hints, name)));
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return arbString(s);
    case 'integer':
      return arbInteger(s);
    case 'number':
      return fc.double({ min: s.minimum ?? 0, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = s.items ? arbFromSchema(s.items, hints, `${name}[]`) : fc.constant('x');
      const minLength = s.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 3, 3)) });
    }
    case 'object':
    default: {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set<string>(s.required ?? []);
      const entries = Object.entries(props).map(
        ([k, ps]) => [k, required.has(k), arbFromSchema(ps, hints, k)] as const,
      );
      const fixed = fc.tuple(
        ...entries.map(([k, req, arb]) =>
          req
            ? arb.map((v) => [k, v] as [string, unknown])
            : fc.option(
                arb.map((v) => [k, v] as [string, unknown]),
                { nil: undefined, freq: 2 },
              ),
        ),
      );
      const extra =
        typeof s.additionalProperties === 'object'
          ? fc.array(fc.tuple(alnum, arbFromSchema(s.additionalProperties, hints, `${name}{}`)), {
              maxLength: 2,
            })
          : fc.constant([] as [string, unknown][]);
      return fc
        .tuple(fixed, extra)
        .map(([f, e]) => objectOf([...(f.filter((x) => x !== undefined) as [string, unknown][]), ...e]));
    }
  }
}

/** Every place in a value with the schema that governs it (anyOf: the first branch of its type). */
export interface Site {
  path: (string | number)[];
  schema: Schema;
  value: unknown;
}

function branchFor(s: Schema, v: unknown): Schema {
  const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (!branches) return s;
  const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v;
  return (
    branches.find(
      (b) =>
        b.type === t ||
        (t === 'number' && b.type === 'integer') ||
        (Array.isArray(b.enum) && b.enum.includes(v)),
    ) ?? branches[0]
  );
}

export function sitesOf(v: unknown, s: Schema, path: (string | number)[] = []): Site[] {
  const schema = branchFor(s ?? {}, v);
  const out: Site[] = [{ path, schema, value: v }];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...sitesOf(x, schema.items ?? {}, [...path, i])));
  else if (typeof v === 'object' && v !== null && !(v instanceof Ref))
    for (const k of Object.keys(v)) {
      const ps =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {});
      out.push(...sitesOf((v as Record<string, unknown>)[k], ps, [...path, k]));
    }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  if (!path.length) return value;
  const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (Array.isArray(parent)) parent[Number(last)] = value;
  else put(parent, String(last), value);
  return root;
}

export const MUTATIONS = [
  'missing',
  'unknown',
  'wrongType',
  'hostile',
  'overlong',
  'range',
  'protoValue',
  'protoKeys',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface MutationPlan {
  kind: Mutation;
  pick: number;
  value: unknown;
  key: string;
}

const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

export const UNKNOWN_KEYS = [
  ...PROTO_NAMES,
  'zzUnknown',
  '',
  ' ',
  'a'.repeat(300),
  'x.y',
  '$where',
  '\u0000',
];

export const arbPlan: fc.Arbitrary<MutationPlan> = fc.record({
  kind: fc.constantFrom(...MUTATIONS),
  pick: fc.nat(),
  value: fc.constantFrom(...HOSTILE_STRINGS, ...HOSTILE_NUMBERS, ...HOSTILE_JSON),
  key: fc.constantFrom(...UNKNOWN_KEYS),
});

const render = (path: (string | number)[]) =>
  path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('') : '(the body)';

const short = (v: unknown) => {
  if (typeof v === 'string' && v.startsWith('@@FUZZ:')) return v.slice(7, -2);
  if (typeof v === 'string')
    return v.length > 40 ? `"${v.slice(0, 12)}…" (${v.length} chars)` : JSON.stringify(v);
  if (Array.isArray(v) && v.length > 10) return `an array of ${v.length} items`;
  try {
    const t = JSON.stringify(v);
    return t.length > 60 ? `${t.slice(0, 60)}…` : t;
  } catch {
    return String(v);
  }
};

/** Apply one mutation to a copy of a valid value; the label says what was broken. */
export function mutate(
  valid: unknown,
  schema: Schema,
  plan: MutationPlan,
): { value: unknown; label: string; path: (string | number)[] } {
  let root = clone(valid);
  const sites = sitesOf(root, schema);
  const pickOf = <T>(list: T[]): T | undefined => (list.length ? list[plan.pick % list.length] : undefined);
  const objects = sites.filter((x) => typeOf(x.value) === 'object' && !(x.value instanceof Ref));
  switch (plan.kind) {
    case 'missing': {
      const withRequired = objects.filter((x) =>
        (x.schema.required ?? []).some((k: string) => Object.prototype.hasOwnProperty.call(x.value, k)),
      );
      const site = pickOf(withRequired);
      if (site) {
        const present = (site.schema.required as string[]).filter((k) =>
          Object.prototype.hasOwnProperty.call(site.value, k),
        );
        const k = present[plan.pick % present.length];
        delete (site.value as Record<string, unknown>)[k];
        return {
          value: root,
          label: `required ${render([...site.path, k])} missing`,
          path: [...site.path, k],
        };
      }
      break;
    }
    case 'unknown':
    case 'protoKeys': {
      const site = pickOf(objects);
      if (site) {
        const key = plan.kind === 'protoKeys' ? PROTO_NAMES[plan.pick % PROTO_NAMES.length] : plan.key;
        put(site.value as object, key, plan.kind === 'protoKeys' ? { polluted: true } : plan.value);
        return {
          value: root,
          label: `unknown field ${render([...site.path, key])} = ${short((site.value as any)[key])}`,
          path: [...site.path, key],
        };
      }
      break;
    }
    case 'overlong': {
      const site = pickOf(
        sites.filter(
          (x) =>
            typeof x.schema.maxLength === 'number' ||
            typeof x.schema.maxItems === 'number' ||
            typeof x.schema.maxProperties === 'number',
        ),
      );
      if (site) {
        let v: unknown;
        if (typeof site.schema.maxLength === 'number') v = 'x'.repeat(site.schema.maxLength + 1);
        else if (typeof site.schema.maxItems === 'number')
          v = Array.from({ length: site.schema.maxItems + 1 }, () =>
            Array.isArray(site.value) && site.value.length ? clone(site.value[0]) : 'x',
          );
        else v = objectOf(Array.from({ length: site.schema.maxProperties + 1 }, (_, i) => [`k${i}`, 'v']));
        root = setAt(root, site.path, v);
        return {
          value: root,
          label: `${render(site.path)} one over its maximum (${short(v)})`,
          path: site.path,
        };
      }
      break;
    }
    case 'range': {
      const site = pickOf(sites.filter((x) => x.schema.type === 'integer' || x.schema.type === 'number'));
      if (site) {
        const options = [
          typeof site.schema.maximum === 'number' ? site.schema.maximum + 1 : 2 ** 53 + 2,
          typeof site.schema.minimum === 'number' ? site.schema.minimum - 1 : -(2 ** 63),
          site.schema.type === 'integer' ? 1.5 : -1,
          ...HOSTILE_NUMBERS,
        ];
        const v = options[plan.pick % options.length];
        root = setAt(root, site.path, v);
        return { value: root, label: `${render(site.path)} out of range: ${short(v)}`, path: site.path };
      }
      break;
    }
    case 'protoValue': {
      const site = pickOf(sites.filter((x) => typeof x.value === 'string' || x.value instanceof Ref));
      if (site) {
        const v = PROTO_NAMES[plan.pick % PROTO_NAMES.length];
        root = setAt(root, site.path, v);
        return { value: root, label: `${render(site.path)} = "${v}"`, path: site.path };
      }
      break;
    }
    case 'wrongType': {
      const site = pickOf(sites);
      if (site) {
        const wanted = typeOf(site.value);
        const others = [...HOSTILE_JSON, ...HOSTILE_NUMBERS, 'text'].filter(
          (x) => typeOf(x) !== wanted && !(typeof x === 'string' && x.startsWith('@@')),
        );
        const v = others[plan.pick % others.length];
        root = setAt(root, site.path, v);
        return { value: root, label: `${render(site.path)} of the wrong type: ${short(v)}`, path: site.path };
      }
      break;
    }
    case 'hostile':
      break;
  }
  const site = pickOf(sites) ?? { path: [], schema, value: root };
  root = setAt(root, site.path, plan.value);
  return { value: root, label: `${render(site.path)} = ${short(plan.value)}`, path: site.path };
}
