// RPC parameters: flat `Name=value` pairs from the query string and a form body, with the
// repeat-list conventions of the clients (`Tag.1.Key`, `Permissions.2.IpProtocol`,
// `SecurityGroupRuleId.3`).
import { AliError, invalidParam, missing } from './errors.js';

/** `a=1&b=%20x` → pairs, decoded as a form is (`+` is a space). */
export function parsePairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  if (!text) return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const rawKey = at < 0 ? part : part.slice(0, at);
    const rawValue = at < 0 ? '' : part.slice(at + 1);
    out.push([decode(rawKey), decode(rawValue)]);
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new AliError(
      400,
      'InvalidParameter',
      `The request contains a malformed percent-encoding: "${text}".`,
    );
  }
}

export class Params {
  private readonly map = new Map<string, string>();

  constructor(readonly pairs: [string, string][]) {
    for (const [k, v] of pairs) this.map.set(k, v);
  }

  /** The value, or undefined when absent or empty (the clients omit unset fields). */
  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  require(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw missing(name);
    return v;
  }

  /** An integer parameter within bounds, or the default. */
  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw invalidParam(
        name,
        `The specified parameter "${name}" is not valid: an integer from ${min} to ${max} is expected.`,
      );
    return Number(v);
  }

  /** `Name.1`, `Name.2`, ... in index order (the clients number from 1). */
  list(name: string): string[] {
    return this.indexed(name)
      .map(([, rest, v]) => (rest === '' ? v : undefined))
      .filter((v): v is string => v !== undefined && v !== '');
  }

  /** `Name.N.Field` groups, in index order: one record per N with its fields. */
  objects(name: string): { index: number; fields: Map<string, string> }[] {
    const byIndex = new Map<number, Map<string, string>>();
    for (const [index, rest, v] of this.indexed(name)) {
      if (!rest.startsWith('.') || v === '') continue;
      const fields = byIndex.get(index) ?? new Map<string, string>();
      fields.set(rest.slice(1), v);
      byIndex.set(index, fields);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, fields]) => ({ index, fields }));
  }

  /** Any `Name.N...` key present (even with empty values the client would not send). */
  hasIndexed(name: string): boolean {
    return this.indexed(name).some(([, , v]) => v !== '');
  }

  /** Tag.N.Key / Tag.N.Value → a record (at most 20, keys unique). */
  tags(name = 'Tag'): Record<string, string> | undefined {
    const items = this.objects(name);
    if (!items.length) return undefined;
    if (items.length > 20)
      throw new AliError(403, 'QuotaExceed.Tags', `At most 20 tags can be set; ${items.length} were given.`);
    const out = new Map<string, string>();
    for (const { index, fields } of items) {
      const key = fields.get('Key');
      if (key === undefined)
        throw new AliError(
          400,
          'InvalidTagKey.Malformed',
          `The specified parameter "${name}.${index}.Key" is not valid.`,
        );
      if (key.length > 128 || /^(aliyun|acs:)/i.test(key) || /https?:\/\//.test(key))
        throw new AliError(400, 'InvalidTagKey.Malformed', 'Specified tag key is not valid.');
      const value = fields.get('Value') ?? '';
      if (value.length > 128 || /https?:\/\//.test(value))
        throw new AliError(400, 'InvalidTagValue.Malformed', 'Specified tag value is not valid.');
      if (out.has(key))
        throw new AliError(400, 'Duplicate.TagKey', `The ${name}.N.Key contain duplicate key.`);
      out.set(key, value);
    }
    return Object.fromEntries(out);
  }

  /** A JSON array of strings in one parameter (SecurityGroupIds, InstanceIds). */
  jsonList(name: string, max: number): string[] | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string') || parsed.length > max)
      throw invalidParam(
        name,
        `The specified parameter "${name}" is not valid: a JSON array of at most ${max} ids is expected.`,
      );
    return parsed as string[];
  }

  private indexed(name: string): [number, string, string][] {
    const prefix = `${name}.`;
    const out: [number, string, string][] = [];
    for (const [k, v] of this.map) {
      if (!k.startsWith(prefix)) continue;
      const m = /^(\d+)(.*)$/.exec(k.slice(prefix.length));
      if (!m) continue;
      out.push([Number(m[1]), m[2], v]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}
