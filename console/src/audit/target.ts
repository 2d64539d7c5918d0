// An audit entry's target as a place in the console: a group, an instance, a port or an address
// group links to its page; a rule links to the group it belongs to (the write's answer names it).
import { hrefOf, type Route } from '../router';

export interface Target {
  id: string;
  href?: string;
  /** A security group (its history includes its rules'). */
  group?: boolean;
  /** The object the target lives in (a rule's group). */
  within?: { id: string; href: string };
}

type ObjectPage = Extract<Route, { id: string }>['page'];

/** Generated ids carry their kind's prefix (docs/api.md); only those name a page here. */
const BY_PREFIX: [prefix: string, page: ObjectPage][] = [
  ['sg-', 'group'],
  ['ag-', 'address-group'],
  ['i-', 'instance'],
  ['port-', 'port'],
];

/** Actions whose target id is chosen by the operator (a tenant `sg-x` is no group). */
const CHOSEN_IDS = ['tenant.', 'region.', 'accessKey.'];

export function targetOf(entry: {
  action: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}): Target | null {
  const id = entry.targetId;
  if (id === null) return null;
  if (CHOSEN_IDS.some((a) => entry.action.startsWith(a))) return { id };
  const page = BY_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1];
  if (page) return { id, href: hrefOf({ page, id }), ...(page === 'group' ? { group: true } : {}) };
  const groupId = groupOf(entry.after) ?? groupOf(entry.before);
  if (entry.action.startsWith('rule.') && groupId)
    return { id, within: { id: groupId, href: hrefOf({ page: 'group', id: groupId }) } };
  return { id };
}

function groupOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('groupId' in value)) return undefined;
  return typeof value.groupId === 'string' ? value.groupId : undefined;
}
