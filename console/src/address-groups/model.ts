// Address groups (prefix lists) as the native API answers them, and the entry lines of the bulk
// editor: one address or CIDR per line, blank lines skipped, repeats dropped as the API drops
// them, so the API's `body.entries[i]` names a line the editor can point at.
import { ApiError, type Client, type Page, query, seg } from '../api';

export interface AddressGroup {
  id: string;
  tenantId: string;
  regionId: string;
  name: string;
  ethertype?: 'IPv4' | 'IPv6';
  entries: string[];
  description?: string;
  maxEntries?: number;
  revision: number;
}

export interface References {
  addressGroupId: string;
  referencedBy: { groupId: string; groupName: string; ruleIds: string[] }[];
  otherTenants: number;
}

export const addressGroupsOf = (api: Client, filter: { regionId?: string; cursor?: string; limit: number }) =>
  api.get<Page<AddressGroup>>(`/v1/address-groups${query({ ...filter, limit: String(filter.limit) })}`);

export const addressGroupOf = (api: Client, id: string) =>
  api.get<AddressGroup>(`/v1/address-groups/${seg(id)}`);

export const referencesOf = (api: Client, id: string) =>
  api.get<References>(`/v1/address-groups/${seg(id)}/references`);

/** The entries of a textarea, and the (1-based) line each came from. */
export function entryLines(text: string): { entries: string[]; lineOf: number[] } {
  const entries: string[] = [];
  const lineOf: number[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const entry = raw.trim();
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    entries.push(entry);
    lineOf.push(i + 1);
  });
  return { entries, lineOf };
}

/** The API's problems about `entries`, each with the editor's line it is about. */
export function entryProblems(error: Error | null, field: string, lineOf: readonly number[]) {
  if (!(error instanceof ApiError)) return [];
  const pattern = new RegExp(`^body\\.${field}\\[(\\d+)\\]`);
  return error.about(field).map((p) => {
    const index = pattern.exec(p.path)?.[1];
    const line = index === undefined ? undefined : lineOf[Number(index)];
    return { ...p, line };
  });
}
