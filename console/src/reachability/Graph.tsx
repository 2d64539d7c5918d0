// The reachability picture as SVG: each node and each edge is a focusable button (Tab to reach,
// Enter or Space to choose), named for assistive technology; the page's table of the same edges
// is its text alternative. Choosing an edge shows the rules that allow it; choosing two nodes
// picks a pair (without an edge: a blocked pair, to ask why not).
import type { KeyboardEvent } from 'react';
import { circle, edgeShape, NODE_RADIUS } from './layout';
import type { Graph } from './model';

/** Labels on the picture are cut to this many characters (the full text is the element's name). */
const LABEL_CHARS = 28;
const cut = (text: string) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text);

const activate = (run: () => void) => (e: KeyboardEvent) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    run();
  }
};

export function GraphPicture({
  graph,
  title,
  selectedEdge,
  chosenNode,
  onEdge,
  onNode,
}: {
  graph: Graph;
  title: string;
  selectedEdge: string | null;
  chosenNode: string | null;
  onEdge: (key: string) => void;
  onNode: (id: string) => void;
}) {
  const layout = circle(graph.nodes.map((n) => n.id));
  const names = new Map(graph.nodes.map((n) => [n.id, n.label]));
  return (
    <svg
      viewBox={`0 0 ${Math.round(layout.size)} ${Math.round(layout.size)}`}
      role="group"
      aria-label={title}
      data-testid="reachability-graph"
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="8"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" className="arrow" />
        </marker>
      </defs>
      {graph.edges.map((e) => {
        const a = layout.positions.get(e.from);
        const b = layout.positions.get(e.to);
        if (!a || !b) return null;
        const shape = edgeShape(a, b, layout.centre);
        const name = `${names.get(e.from) ?? e.from} to ${names.get(e.to) ?? e.to}: ${e.label}`;
        return (
          <g
            key={e.key}
            className={selectedEdge === e.key ? 'edge selected' : 'edge'}
            role="button"
            tabIndex={0}
            aria-label={`Path ${name}`}
            aria-pressed={selectedEdge === e.key}
            data-edge={e.key}
            onClick={() => onEdge(e.key)}
            onKeyDown={activate(() => onEdge(e.key))}
          >
            <title>{name}</title>
            <path d={shape.d} markerEnd="url(#arrow)" />
            <text x={shape.label.x} y={shape.label.y} textAnchor={shape.anchor}>
              {cut(e.label)}
            </text>
          </g>
        );
      })}
      {graph.nodes.map((n) => {
        const p = layout.positions.get(n.id)!;
        // The label sits outside the circle of nodes, away from the edges.
        const dx = p.x - layout.centre.x;
        const dy = p.y - layout.centre.y;
        const d = Math.hypot(dx, dy) || 1;
        const lx = p.x + (dx / d) * (NODE_RADIUS + 10);
        const ly = p.y + (dy / d) * (NODE_RADIUS + 10) + 4;
        const anchor = Math.abs(dx) < 1 ? 'middle' : dx > 0 ? 'start' : 'end';
        return (
          <g
            key={n.id}
            className={chosenNode === n.id ? 'node chosen' : 'node'}
            role="button"
            tabIndex={0}
            aria-label={`Node ${n.label}`}
            aria-pressed={chosenNode === n.id}
            data-node={n.id}
            onClick={() => onNode(n.id)}
            onKeyDown={activate(() => onNode(n.id))}
          >
            <title>{n.label}</title>
            <circle cx={p.x} cy={p.y} r={NODE_RADIUS} />
            <text x={lx} y={ly} textAnchor={anchor}>
              {cut(n.label)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
