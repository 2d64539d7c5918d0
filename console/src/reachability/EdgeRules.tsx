// What allows one edge of the picture: per address pair (and, for a group edge, per member
// pair), the rule that lets the packets out of the source (egress) and the one that lets them
// into the destination (ingress). A group edge reads the port view to find its member pairs.
import type { Client, GroupWithRules, Rule } from '../api';
import { servicesText } from '../analysis/services';
import { ruleText } from '../findings/Fixes';
import { mapLimited } from '../findings/load';
import { Link } from '../Link';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import {
  type GraphEdge,
  type PathDecider,
  type PortPath,
  type PortReachability,
  type Reachability,
  readReachability,
} from './model';

interface PathRow extends PortPath {
  from: string;
  to: string;
}

async function pathsOf(
  api: Client,
  regionId: string,
  answer: Reachability,
  edge: GraphEdge,
): Promise<PathRow[]> {
  if (answer.by === 'port') {
    const pair = answer.pairs.find((p) => p.from === edge.from && p.to === edge.to);
    return (pair?.paths ?? []).map((path) => ({ ...path, from: edge.from, to: edge.to }));
  }
  const ports = await readReachability<PortReachability>(api, regionId, 'port', 100_000);
  const members = (groupId: string) =>
    new Set(ports.ports.filter((p) => p.groupIds.includes(groupId)).map((p) => p.id));
  const sources = members(edge.from);
  const targets = members(edge.to);
  return ports.pairs
    .filter((p) => sources.has(p.from) && targets.has(p.to))
    .flatMap((p) => p.paths.map((path) => ({ ...path, from: p.from, to: p.to })));
}

async function rulesOf(
  api: Client,
  rows: readonly PathRow[],
): Promise<Map<string, { rule: Rule; group: GroupWithRules }>> {
  const groupIds = [
    ...new Set(
      rows.flatMap((r) => [r.egress, r.ingress]).flatMap((d) => (d.kind === 'rule' ? [d.groupId] : [])),
    ),
  ];
  const groups = await mapLimited(groupIds, 4, (id) => api.group(id).catch(() => null));
  const rules = new Map<string, { rule: Rule; group: GroupWithRules }>();
  for (const group of groups) if (group) for (const rule of group.rules) rules.set(rule.id, { rule, group });
  return rules;
}

export function EdgeRules({
  api,
  regionId,
  answer,
  edge,
  names,
  refresh,
}: {
  api: Client;
  regionId: string;
  answer: Reachability;
  edge: GraphEdge;
  names: ReadonlyMap<string, string>;
  refresh: unknown;
}) {
  const detail = useLoad(
    async () => {
      const rows = await pathsOf(api, regionId, answer, edge);
      return { rows, rules: await rulesOf(api, rows) };
    },
    [api, regionId, edge.key, answer.by],
    refresh,
  );
  const name = (id: string) => names.get(id) ?? id;
  const title = `Rules allowing ${name(edge.from)} to ${name(edge.to)}`;
  return (
    <section aria-labelledby="edge-rules-title" className="edge-rules">
      <h2 id="edge-rules-title">{title}</h2>
      <p>
        Allows {edge.label}
        {edge.memberPairs && ` (${edge.memberPairs.allowed} of ${edge.memberPairs.total} member pairs)`}.
      </p>
      {detail.state === 'loading' && <Loading what="the rules of this path" />}
      {detail.state === 'failed' && <Failure error={detail.error} />}
      {detail.state === 'done' && (
        <table>
          <caption>{title}: the deciding rule of each side</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Leaving the source (egress)</th>
              <th scope="col">Reaching the destination (ingress)</th>
              <th scope="col">Allows</th>
            </tr>
          </thead>
          <tbody>
            {detail.data.rows.map((r, i) => (
              <tr key={i}>
                <th scope="row">
                  {name(r.from)} <span className="muted">{r.fromAddress}</span>
                </th>
                <td>
                  {name(r.to)} <span className="muted">{r.toAddress}</span>
                </td>
                <td>
                  <Decider decider={r.egress} rules={detail.data.rules} />
                </td>
                <td>
                  <Decider decider={r.ingress} rules={detail.data.rules} />
                </td>
                <td>{servicesText(r.services)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Decider({
  decider,
  rules,
}: {
  decider: PathDecider;
  rules: ReadonlyMap<string, { rule: Rule; group: GroupWithRules }>;
}) {
  switch (decider.kind) {
    case 'rule': {
      const found = rules.get(decider.ruleId);
      const href = `${hrefOf({ page: 'group', id: decider.groupId })}#rule-${decider.ruleId}`;
      return (
        <>
          <Link href={href}>{found ? ruleText(found.rule) : `rule ${decider.ruleId}`}</Link>{' '}
          <span className="muted">
            of group {found?.group.name ?? decider.groupId} ({decider.ruleId})
          </span>
        </>
      );
    }
    case 'innerAccess':
      return <>same-group access of group {decider.groupId}</>;
    case 'default':
      return <>the default verdict (allow)</>;
    case 'unsecured':
      return <>port security off</>;
  }
}
