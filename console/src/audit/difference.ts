// An audit entry's before and after as a readable difference: the fields that changed (old and
// new value), and for lists of objects (a group's rules, an instance's ports) the items added and
// removed, with items of the same id compared field by field. The API records each write's
// target as it was and as the write answered it, in the shapes of its own answers, so this works
// on any JSON rather than on a table of kinds.

/** One line of a difference: a field that changed, or an item of a list that came or went. */
export type Difference =
  | { kind: 'field'; path: string; before?: string; after?: string }
  | { kind: 'item'; list: string; change: 'added' | 'removed'; text: string };

/**
 * Bookkeeping the server derives or stamps on every write (revisions, times, counts, positions,
 * the owner's ids): not what the caller changed, and present on one side only (the "before" of
 * an update is often the stored input, the "after" the answer).
 */
const BOOKKEEPING = new Set([
  'revision',
  'createdAt',
  'updatedAt',
  'changeCount',
  'ruleCount',
  'memberCount',
  'position',
  'id',
  'groupId',
  'instanceId',
  'tenantId',
  'regionId',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Port ranges ([{from, to}]) as the console writes them elsewhere: "80, 8000-8080". */
function rangesText(list: Json[]): string | null {
  const ranges = list.every((x) => isObject(x) && typeof x.from === 'number' && typeof x.to === 'number');
  if (!ranges || list.length === 0) return null;
  return (list as { from: number; to: number }[])
    .map(({ from, to }) => (from === to ? String(from) : `${from}-${to}`))
    .join(', ');
}

/** A value that reads as one field: a scalar, a list of scalars, a list of port ranges. */
function scalarText(v: Json): string | null {
  if (v === null) return 'none';
  if (typeof v !== 'object') return String(v);
  if (!Array.isArray(v)) return null;
  if (v.length === 0) return 'none';
  if (v.every((x) => x === null || typeof x !== 'object')) return v.map(String).join(', ');
  return rangesText(v);
}

/** A rule in one line: "ingress tcp 22 from 10.0.0.0/8, allow, priority 1". */
function ruleText(r: JsonObject): string {
  const ports = Array.isArray(r.ports) ? rangesText(r.ports) : null;
  const icmp =
    r.icmpType === undefined
      ? ''
      : ` type ${String(r.icmpType)}${r.icmpCode === undefined ? '' : ` code ${String(r.icmpCode)}`}`;
  const remote = r.remoteIpPrefix ?? r.remoteGroup ?? r.remoteAddressGroup ?? 'any';
  const side = r.direction === 'egress' ? 'to' : 'from';
  const parts = [
    `${String(r.direction)} ${String(r.protocol)}${ports ? ` ${ports}` : ''}${icmp} ${side} ${String(remote)}`,
    r.action === undefined ? null : String(r.action),
    r.priority === undefined ? null : `priority ${String(r.priority)}`,
    typeof r.description === 'string' && r.description ? `“${r.description}”` : null,
  ];
  return parts.filter((p) => p !== null).join(', ');
}

const looksLikeRule = (x: JsonObject) => typeof x.direction === 'string' && typeof x.protocol === 'string';

/** An item of a list in one line. */
export function itemText(x: Json): string {
  if (!isObject(x)) return scalarText(x) ?? JSON.stringify(x);
  if (looksLikeRule(x)) return ruleText(x) + (typeof x.id === 'string' ? ` (${x.id})` : '');
  const name = typeof x.name === 'string' ? x.name : null;
  const id = typeof x.id === 'string' ? x.id : null;
  if (name) return id ? `${name} (${id})` : name;
  // No name (a port): its id and what it says, "port-… ipv4 10.0.0.5; host host-1".
  const facts = Object.entries(withoutBookkeeping(x))
    .map(([key, value]) => [key, scalarText(value)] as const)
    .filter(([, text]) => text !== null && text !== 'none')
    .map(([key, text]) => `${key} ${text}`)
    .join('; ');
  return [id, facts].filter(Boolean).join(' ') || JSON.stringify(x);
}

function withoutBookkeeping(x: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(x).filter(([k]) => !BOOKKEEPING.has(k)));
}

/**
 * A list's items keyed for matching: by id when every item has one (so an item that changed is
 * compared field by field); else by what the item says (a rule input, which has no id).
 */
function keyed(list: Json[]): Map<string, Json> {
  const byId = list.every((x) => isObject(x) && typeof x.id === 'string');
  const out = new Map<string, Json>();
  for (const x of list) {
    const key = byId ? String((x as JsonObject).id) : JSON.stringify(isObject(x) ? withoutBookkeeping(x) : x);
    out.set(key, x);
  }
  return out;
}

/** The name a list's items go by: "rules" → "rule". */
const singular = (list: string) => (list.endsWith('s') ? list.slice(0, -1) : list) || 'item';

function diffList(path: string, before: Json[], after: Json[], out: Difference[]): void {
  const was = keyed(before);
  const now = keyed(after);
  const byId = [...was.values(), ...now.values()].every((x) => isObject(x) && typeof x.id === 'string');
  const list = singular(path.split('.').pop() ?? path);
  for (const [key, x] of was)
    if (!now.has(key)) out.push({ kind: 'item', list, change: 'removed', text: itemText(x) });
  for (const [key, x] of now)
    if (!was.has(key)) out.push({ kind: 'item', list, change: 'added', text: itemText(x) });
  if (byId)
    for (const [key, x] of now) {
      const old = was.get(key);
      if (old !== undefined) diffValue(`${path}[${key}]`, old, x, out);
    }
}

function diffValue(path: string, before: Json | undefined, after: Json | undefined, out: Difference[]): void {
  const listOfObjects = (v: Json | undefined): v is Json[] =>
    Array.isArray(v) && v.length > 0 && v.every(isObject) && rangesText(v) === null;
  if (listOfObjects(before) || listOfObjects(after)) {
    diffList(path, Array.isArray(before) ? before : [], Array.isArray(after) ? after : [], out);
    return;
  }
  if (isObject(before) || isObject(after)) {
    const was = isObject(before) ? before : {};
    const now = isObject(after) ? after : {};
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((k) => !BOOKKEEPING.has(k));
    for (const key of keys) diffValue(path ? `${path}.${key}` : key, was[key], now[key], out);
    return;
  }
  const was = before === undefined ? undefined : (scalarText(before) ?? JSON.stringify(before));
  const now = after === undefined ? undefined : (scalarText(after) ?? JSON.stringify(after));
  if (was === now) return;
  // An empty list or null on one side and nothing on the other says the same.
  if ((was ?? 'none') === (now ?? 'none')) return;
  out.push({ kind: 'field', path, before: was, after: now });
}

/**
 * The difference between an entry's `before` and `after` (either null: a create, a delete).
 * A delete of rules records the rules as a list (`before: [...]`): their removal.
 */
export function difference(before: unknown, after: unknown): Difference[] {
  const out: Difference[] = [];
  const b = (before ?? undefined) as Json | undefined;
  const a = (after ?? undefined) as Json | undefined;
  // A lone rule created or deleted reads as one line, as in a group's list of rules.
  if (b === undefined && isObject(a) && looksLikeRule(a))
    return [{ kind: 'item', list: 'rule', change: 'added', text: itemText(a) }];
  if (a === undefined && isObject(b) && looksLikeRule(b))
    return [{ kind: 'item', list: 'rule', change: 'removed', text: itemText(b) }];
  if (Array.isArray(b) || Array.isArray(a))
    diffList('rules', Array.isArray(b) ? b : [], Array.isArray(a) ? a : [], out);
  else diffValue('', b, a, out);
  return out;
}
