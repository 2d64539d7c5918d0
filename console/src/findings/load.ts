// Reading a region's findings: its groups (paged), each with its rules and its two per-group
// analyses, a few requests at a time, and the region's exposure lint.
import { type Client, type Group, type GroupWithRules, type Page, query, seg } from '../api';
import {
  type ExposureFinding,
  exposureRows,
  type FindingRow,
  groupAnalyses,
  ruleFindingRows,
  unusedRows,
  bySeverity,
} from './model';

/** Requests in flight at once: the server answers each analysis in a few milliseconds. */
const PARALLEL = 4;
const MAX_PAGES = 10;

export async function mapLimited<T, U>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<U>,
): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function regionGroups(api: Client, regionId: string): Promise<Group[]> {
  const groups: Group[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await api.get<Page<Group>>(
      `/v1/security-groups${query({ regionId, cursor, limit: '1000' })}`,
    );
    groups.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return groups;
}

export interface Findings {
  exposure: FindingRow[];
  rules: FindingRow[];
  unused: FindingRow[];
  notMeasured: number;
  groups: number;
}

/** Which group each rule is in, for the links of the rules a finding names. */
const ruleGroupsOf = (groups: readonly GroupWithRules[]) =>
  new Map(groups.flatMap((g) => g.rules.map((r) => [r.id, g.id] as const)));

export async function regionFindings(api: Client, regionId: string, days: number): Promise<Findings> {
  const [list, exposure] = await Promise.all([
    regionGroups(api, regionId),
    api.get<{ findings: ExposureFinding[] }>(`/v1/regions/${seg(regionId)}/exposure`),
  ]);
  const groups = await mapLimited(list, PARALLEL, (g) => api.group(g.id));
  const analyses = await mapLimited(groups, PARALLEL, (g) => groupAnalyses(api, g.id, days));
  const byId = new Map(groups.map((g) => [g.id, g]));
  const ruleGroups = ruleGroupsOf(groups);
  return {
    exposure: exposureRows(exposure.findings, byId).sort(bySeverity),
    rules: groups.flatMap((g, i) => ruleFindingRows(g, analyses[i]!.findings, ruleGroups)).sort(bySeverity),
    unused: groups.flatMap((g, i) => unusedRows(g, analyses[i]!.unused, days)),
    notMeasured: analyses.reduce((n, a) => n + a.notMeasured, 0),
    groups: groups.length,
  };
}

export async function groupFindings(api: Client, group: GroupWithRules, days: number): Promise<Findings> {
  const [exposure, analyses] = await Promise.all([
    api.get<{ findings: ExposureFinding[] }>(`/v1/security-groups/${seg(group.id)}/exposure`),
    groupAnalyses(api, group.id, days),
  ]);
  const byId = new Map([[group.id, group]]);
  return {
    exposure: exposureRows(exposure.findings, byId).sort(bySeverity),
    rules: ruleFindingRows(group, analyses.findings, ruleGroupsOf([group])).sort(bySeverity),
    unused: unusedRows(group, analyses.unused, days),
    notMeasured: analyses.notMeasured,
    groups: 1,
  };
}
