// The caller's groups of a region, for their names in the port tables and the join pickers.
import { type Client, type Group } from '../api';

/** Every group of the caller's in the region, following the API's cursors. */
export async function regionGroups(api: Client, regionId: string): Promise<Group[]> {
  const all: Group[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.groups({ regionId, cursor, limit: 1000 });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Group id → name (an id the caller cannot read stays an id). */
export const namesOf = (groups: readonly Group[]) => new Map(groups.map((g) => [g.id, g.name]));
