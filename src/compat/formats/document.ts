// What the four cloud formats share: which profile's semantics each document is read under, the
// policy a document holds (groups and address groups in the native model, under the document's
// own ids), and a reader of untrusted JSON that reports every bad field by its path.
import type { Profile, Rule, SecurityGroup } from '../../core/model.js';
import { type RuleInput, toRule } from '../../core/rule-input.js';
import { own } from '../../core/own.js';
import { Problems } from '../../core/validate.js';

export const FORMATS = ['alibaba', 'huawei', 'neutron', 'aws'] as const;
export type FormatName = (typeof FORMATS)[number];

export const isFormat = (v: unknown): v is FormatName =>
  typeof v === 'string' && (FORMATS as readonly string[]).includes(v);

/** The profile whose evaluation a document's rules follow: AWS groups allow only, like Neutron's. */
export const FORMAT_PROFILE: ReadonlyMap<FormatName, Profile> = new Map([
  ['alibaba', 'alibaba'],
  ['huawei', 'huawei'],
  ['neutron', 'openstack'],
  ['aws', 'openstack'],
]);

import type { Policy } from '../../control/ops/translation.js';
export type { Policy };

/** Who a rendered document names as owner and region. */
export interface RenderContext {
  regionId: string;
}

export type Json = Record<string, unknown>;

/** Reads fields of untrusted JSON, recording what is wrong at its path instead of throwing. */
export class Reader {
  readonly problems = new Problems();
  /** Where the document gave each rule (its id → path): what a later check names. */
  readonly paths = new Map<string, string>();

  /** A rule of the document in the model, remembered with its path. */
  rule(profile: Profile, input: RuleInput, id: string, at: string): Rule {
    this.paths.set(id, at);
    return toRule(profile, input, id, at, this.problems);
  }

  object(v: unknown, at: string): Json | null {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    this.problems.add(at, 'INVALID_FIELD', `${at} must be an object`);
    return null;
  }

  list(o: Json, key: string, at: string, required = false): unknown[] {
    const v = own(o, key);
    if (v === undefined || v === null) {
      if (required) this.problems.add(`${at}.${key}`, 'MISSING_FIELD', `${at}.${key} is required`);
      return [];
    }
    if (Array.isArray(v)) return v;
    this.problems.add(`${at}.${key}`, 'INVALID_FIELD', `${at}.${key} must be a list`);
    return [];
  }

  string(o: Json, key: string, at: string, required = false): string | undefined {
    const v = own(o, key);
    if (v === undefined || v === null || (v === '' && !required)) {
      if (required) this.problems.add(`${at}.${key}`, 'MISSING_FIELD', `${at}.${key} is required`);
      return undefined;
    }
    if (typeof v === 'string' && v !== '') return v;
    this.problems.add(`${at}.${key}`, 'INVALID_FIELD', `${at}.${key} must be a non-empty string`);
    return undefined;
  }

  /** An integer given as a number or as text (the ECS and VPC SDKs send some numbers as strings). */
  integer(o: Json, key: string, at: string): number | undefined {
    const v = own(o, key);
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,6}$/.test(v) ? Number(v) : NaN;
    if (Number.isInteger(n)) return n;
    this.problems.add(`${at}.${key}`, 'INVALID_FIELD', `${at}.${key} must be an integer`);
    return undefined;
  }

  /**
   * Each object of a list with its required key (an id, a CIDR): `fn` gets the object, the key's
   * value and the item's path; an item that is not an object or lacks the key is a problem.
   */
  each(
    o: Json,
    listKey: string,
    at: string,
    key: string,
    fn: (item: Json, value: string, at: string) => void,
    required = false,
  ): void {
    this.list(o, listKey, at, required).forEach((x, i) => {
      const itemAt = `${at}.${listKey}[${i}]`;
      const item = this.object(x, itemAt);
      const value = item && this.string(item, key, itemAt, true);
      if (item && value) fn(item, value, itemAt);
    });
  }

  add(at: string, message: string): void {
    this.problems.add(at, 'INVALID_FIELD', `${at}: ${message}`);
  }
}

/** A document's group in the model before the service places it: region and owner filled in later. */
export function groupOf(
  id: string,
  name: string,
  rest: Partial<
    Pick<SecurityGroup, 'description' | 'type' | 'innerAccessPolicy' | 'stateful' | 'vpcId' | 'tags'>
  >,
): SecurityGroup {
  return {
    id,
    tenantId: '',
    regionId: '',
    vpcId: rest.vpcId ?? 'vpc',
    name,
    ...(rest.description ? { description: rest.description } : {}),
    type: rest.type ?? 'basic',
    stateful: rest.stateful ?? true,
    innerAccessPolicy: rest.innerAccessPolicy ?? (rest.type === 'advanced' ? 'Drop' : 'Accept'),
    rules: [],
    ...(rest.tags && Object.keys(rest.tags).length ? { tags: rest.tags } : {}),
  };
}
