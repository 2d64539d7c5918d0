// GET /v1/regions/{id}/reachability as the picture draws it: nodes (the caller's groups or
// ports), edges (the pairs that allow something, labelled with what they allow), and the
// filters (a protocol and port the edge must allow; a name one of its ends must contain).
import { type Client, query, seg } from '../api';
import type { PortChoice } from '../analysis/ports';
import { type Services, servicesAllow, servicesText } from '../analysis/services';

export type PathDecider =
  | { kind: 'rule'; ruleId: string; groupId: string }
  | { kind: 'innerAccess'; groupId: string }
  | { kind: 'default' }
  | { kind: 'unsecured' };

export interface PortPath {
  ethertype: 'IPv4' | 'IPv6';
  fromAddress: string;
  toAddress: string;
  egress: PathDecider;
  ingress: PathDecider;
  services: Services;
}

export interface PortReachability {
  by: 'port';
  revision: number;
  ports: { id: string; instanceId: string; vpcId: string | null; groupIds: string[] }[];
  pairs: { from: string; to: string; services: Services; paths: PortPath[] }[];
  blockedPairs: number;
  more: number;
}

export interface GroupReachability {
  by: 'group';
  revision: number;
  groups: { id: string; name: string; members: number }[];
  pairs: {
    from: string;
    to: string;
    allowedPairs: number;
    totalPairs: number;
    some: Services;
    every: Services;
  }[];
  more: number;
}

export type Reachability = PortReachability | GroupReachability;
export type By = Reachability['by'];

/**
 * The picture reads the API's default of 1,000 allowed pairs (the answer says how many more there
 * are); a group edge's rules need every pair of the port view, up to the API's maximum.
 */
export const readReachability = <T extends Reachability>(
  api: Client,
  regionId: string,
  by: T['by'],
  limit = 1000,
) => api.get<T>(`/v1/regions/${seg(regionId)}/reachability${query({ by, limit: String(limit) })}`);

export interface GraphNode {
  id: string;
  label: string;
}

export interface GraphEdge {
  key: string;
  from: string;
  to: string;
  services: Services;
  label: string;
  /** By group: how many member pairs allow something, of how many. */
  memberPairs?: { allowed: number; total: number };
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const edgeKey = (from: string, to: string) => `${from}>${to}`;

export function graphOf(answer: Reachability, ports: readonly PortChoice[]): Graph {
  if (answer.by === 'group')
    return {
      nodes: answer.groups.map((g) => ({ id: g.id, label: g.name })),
      edges: answer.pairs.map((p) => ({
        key: edgeKey(p.from, p.to),
        from: p.from,
        to: p.to,
        services: p.some,
        label: servicesText(p.some),
        memberPairs: { allowed: p.allowedPairs, total: p.totalPairs },
      })),
    };
  const labels = new Map(ports.map((p) => [p.id, p.label]));
  return {
    nodes: answer.ports.map((p) => ({ id: p.id, label: labels.get(p.id) ?? p.id })),
    edges: answer.pairs.map((p) => ({
      key: edgeKey(p.from, p.to),
      from: p.from,
      to: p.to,
      services: p.services,
      label: servicesText(p.services),
    })),
  };
}

export interface GraphFilter {
  /** A protocol number; undefined: any. */
  protocol?: number;
  port?: number;
  /** Part of a node's name (case-insensitive). */
  name: string;
}

/** The edges that pass the filter, and the nodes they touch plus those whose name matches. */
export function filtered(graph: Graph, filter: GraphFilter): Graph {
  const needle = filter.name.trim().toLowerCase();
  const named = (id: string) =>
    !needle ||
    (graph.nodes
      .find((n) => n.id === id)
      ?.label.toLowerCase()
      .includes(needle) ??
      false);
  const edges = graph.edges.filter(
    (e) => servicesAllow(e.services, filter.protocol, filter.port) && (named(e.from) || named(e.to)),
  );
  const touched = new Set(edges.flatMap((e) => [e.from, e.to]));
  const byService = filter.protocol !== undefined || filter.port !== undefined;
  const nodes = graph.nodes.filter(
    (n) => touched.has(n.id) || (!byService && needle !== '' && named(n.id)) || (!byService && !needle),
  );
  return { nodes, edges };
}
