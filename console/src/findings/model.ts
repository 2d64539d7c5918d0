// The findings the console lists, from three analyses of the API (docs/analysis.md): the exposure
// lint (GET /v1/security-groups/{id}/exposure, POST /v1/regions/{id}/exposure), the findings
// about a group's rules on its ports (GET .../findings) and the agents' hit counters
// (GET .../unused?days=N). Each becomes a row: severity, what, where, and the fix.
import { type Client, type GroupWithRules, type Rule, seg } from '../api';

export type Severity = 'high' | 'medium' | 'low';

export interface ExposureFinding {
  kind: string;
  severity: Severity;
  groupId?: string;
  ruleId?: string;
  ports?: number[];
  groupIds?: string[];
  portId?: string;
  count?: number;
  fix: string;
}

export interface RuleFinding {
  kind: 'empty' | 'shadowed' | 'partiallyShadowed' | 'redundant' | 'conflicting';
  ruleId: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  by: string[];
  holds: 'everyPort' | 'somePorts' | 'groupAlone';
  ports: string[];
  otherTenantsPorts: number;
}

export interface RuleUsage {
  ruleId: string;
  groupId: string;
  measuredForDays: number;
  lastHit: string | null;
  hits: number;
}

interface UnusedRules {
  days: number;
  unused: RuleUsage[];
  notMeasured: { ruleId: string }[];
}

/** What a fix button writes (each confirmed first). */
export type Fix =
  | { kind: 'deleteRule'; group: GroupWithRules; rule: Rule }
  | { kind: 'narrowRule'; group: GroupWithRules; rule: Rule }
  | { kind: 'deleteGroup'; group: GroupWithRules }
  | { kind: 'compact'; group: GroupWithRules };

export interface FindingRow {
  key: string;
  severity: Severity;
  what: string;
  group?: GroupWithRules;
  rule?: Rule;
  /** Other rules the finding names (the entries causing it), with their group where known. */
  by: { ruleId: string; groupId?: string; text?: string }[];
  detail: string;
  fixText: string;
  fix: Fix | null;
}

const EXPOSURE_TEXT = new Map([
  ['allPortsOpen', 'All ports open to every address'],
  ['sensitivePortOpen', 'Administrative or database port open to every address'],
  ['wideRangeOpen', 'Wide port range open to every address'],
  ['nearRuleQuota', 'Near the rules quota'],
  ['unusedGroup', 'Unused group'],
  ['defaultGroupOpen', 'Default group open to every address'],
  ['catchAllGroup', 'One group for everything'],
  ['groupPerInstance', 'A group per instance'],
  ['tooManyEffectiveRules', 'Too many rules on a port'],
]);
/** Exposure findings about a rule open to every address: narrowing its remote fixes them. */
const OPEN_RULE = new Set(['allPortsOpen', 'sensitivePortOpen', 'wideRangeOpen', 'defaultGroupOpen']);

const RULE_TEXT: Record<RuleFinding['kind'], string> = {
  shadowed: 'Shadowed rule',
  partiallyShadowed: 'Partly shadowed rule',
  redundant: 'Redundant rule',
  conflicting: 'Conflicting rules',
  empty: 'Rule that matches nothing',
};
// The API gives rule findings no severity: the console's own judgement. A shadowed rule or a
// conflict is likely a mistake about what passes (medium); the rest only cost rules (low).
const RULE_SEVERITY: Record<RuleFinding['kind'], Severity> = {
  shadowed: 'medium',
  conflicting: 'medium',
  partiallyShadowed: 'low',
  redundant: 'low',
  empty: 'low',
};
const HOLDS_TEXT: Record<RuleFinding['holds'], string> = {
  everyPort: 'on every member port',
  somePorts: 'on some member ports only',
  groupAlone: 'the group has no members: as a port’s only group',
};
/** Findings whose rule can go: removing it changes no verdict where the finding holds. */
const REMOVABLE = new Set<RuleFinding['kind']>(['shadowed', 'redundant', 'empty']);

const ruleOf = (group: GroupWithRules | undefined, id: string | undefined) =>
  id === undefined ? undefined : group?.rules.find((r) => r.id === id);

export function exposureRows(
  findings: readonly ExposureFinding[],
  groups: ReadonlyMap<string, GroupWithRules>,
) {
  return findings.map((f, i): FindingRow => {
    const group = f.groupId ? groups.get(f.groupId) : undefined;
    const rule = ruleOf(group, f.ruleId);
    let fix: Fix | null = null;
    if (group && rule && OPEN_RULE.has(f.kind)) fix = { kind: 'narrowRule', group, rule };
    else if (group && f.kind === 'unusedGroup') fix = { kind: 'deleteGroup', group };
    else if (group && f.kind === 'nearRuleQuota') fix = { kind: 'compact', group };
    const details = [
      f.ports?.length ? `ports ${f.ports.join(', ')}` : '',
      f.portId ? `port ${f.portId}` : '',
      f.groupIds?.length ? `groups ${f.groupIds.join(', ')}` : '',
      f.count !== undefined ? `count ${f.count}` : '',
    ];
    return {
      key: `exposure-${i}-${f.kind}-${f.groupId ?? ''}-${f.ruleId ?? f.portId ?? ''}`,
      severity: f.severity,
      what: EXPOSURE_TEXT.get(f.kind) ?? f.kind,
      group,
      rule,
      by: [],
      detail: details.filter(Boolean).join('; '),
      fixText: f.fix,
      fix,
    };
  });
}

export function ruleFindingRows(
  group: GroupWithRules,
  findings: readonly RuleFinding[],
  ruleGroups: ReadonlyMap<string, string>,
) {
  return findings.map((f): FindingRow => {
    const rule = ruleOf(group, f.ruleId);
    const removable = REMOVABLE.has(f.kind) && f.holds !== 'somePorts' && rule !== undefined;
    const ports = f.holds === 'somePorts' ? ` (${f.ports.length} of them)` : '';
    return {
      key: `finding-${group.id}-${f.kind}-${f.ruleId}-${f.ethertype}`,
      severity: RULE_SEVERITY[f.kind],
      what: RULE_TEXT[f.kind],
      group,
      rule,
      by: f.by.map((entry) =>
        entry.startsWith('innerAccess:')
          ? { ruleId: entry, groupId: entry.slice('innerAccess:'.length), text: 'same-group access' }
          : { ruleId: entry, groupId: ruleGroups.get(entry) },
      ),
      detail: `${f.direction} ${f.ethertype}, ${HOLDS_TEXT[f.holds]}${ports}`,
      fixText: ruleFixText(f, removable),
      fix: removable && rule ? { kind: 'deleteRule', group, rule } : null,
    };
  });
}

function ruleFixText(f: RuleFinding, removable: boolean): string {
  if (removable)
    return f.kind === 'empty'
      ? 'delete the rule: it matches no packet now (its remote has no members or entries)'
      : f.kind === 'shadowed'
        ? 'delete the rule: the earlier rules named take every packet it matches'
        : 'delete the rule: without it every packet keeps its verdict';
  if (REMOVABLE.has(f.kind))
    return 'it still decides packets on other member ports: change it there before deleting it';
  return f.kind === 'conflicting'
    ? 'their order decides these packets: make sure the rule meant to win comes first'
    : 'the earlier rules named take part of its packets: narrow it to what it still decides';
}

export function unusedRows(group: GroupWithRules, usage: readonly RuleUsage[], days: number) {
  return usage.map((u): FindingRow => {
    const rule = ruleOf(group, u.ruleId);
    const partly = u.measuredForDays < days ? ` (measured for ${u.measuredForDays} days only)` : '';
    return {
      key: `unused-${u.ruleId}`,
      severity: 'low',
      what: 'Unused rule',
      group,
      rule,
      by: [],
      detail: `no packet in ${days} days${partly}; last hit ${u.lastHit ?? 'never'}, ${u.hits} hits in all`,
      fixText: 'delete the rule if nothing needs it',
      fix: rule ? { kind: 'deleteRule', group, rule } : null,
    };
  });
}

/** One group's three analyses, read together. */
export async function groupAnalyses(api: Client, groupId: string, days: number) {
  const base = `/v1/security-groups/${seg(groupId)}`;
  const [findings, unused] = await Promise.all([
    api.get<{ findings: RuleFinding[] }>(`${base}/findings`),
    api.get<UnusedRules>(`${base}/unused?days=${days}`),
  ]);
  return { findings: findings.findings, unused: unused.unused, notMeasured: unused.notMeasured.length };
}

export const DEFAULT_DAYS = 30;

export const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
export const bySeverity = (a: FindingRow, b: FindingRow) =>
  SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
