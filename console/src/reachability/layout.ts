// The picture's layout: nodes evenly on a circle (every pair of nodes can be joined without a
// line crossing a third node's centre, and it needs no iterative solver), edges as curves bent
// to their right so that the two directions of a pair stay apart, loops (a group's members
// reaching each other) outside their node. No graph library: this is all the picture needs.

export interface Point {
  x: number;
  y: number;
}

export const NODE_RADIUS = 16;
const LABEL_ROOM = 90;

export interface Layout {
  size: number;
  positions: Map<string, Point>;
  centre: Point;
}

export function circle(ids: readonly string[]): Layout {
  const radius = Math.max(110, (ids.length * (NODE_RADIUS * 2 + 24)) / (2 * Math.PI));
  const size = 2 * (radius + LABEL_ROOM);
  const centre = { x: size / 2, y: size / 2 };
  const positions = new Map<string, Point>();
  ids.forEach((id, i) => {
    const angle = (2 * Math.PI * i) / ids.length - Math.PI / 2;
    positions.set(id, { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
  });
  return { size, positions, centre };
}

export interface EdgeShape {
  d: string;
  /** Where the edge's label goes, and which of its ends is there (beside the curve's bulge). */
  label: Point;
  anchor: 'start' | 'middle' | 'end';
}

const round = (n: number) => Math.round(n * 10) / 10;

export function edgeShape(a: Point, b: Point, centre: Point): EdgeShape {
  if (a === b || (a.x === b.x && a.y === b.y)) return loop(a, centre);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy);
  const ux = dx / length;
  const uy = dy / length;
  // The control point: off the middle, to the right of the direction of travel.
  const bend = Math.min(40, length / 4);
  const c = { x: (a.x + b.x) / 2 - uy * bend, y: (a.y + b.y) / 2 + ux * bend };
  // Start and end on the circles' rims (the arrowhead ends at the target's rim).
  const start = towards(a, c, NODE_RADIUS);
  const end = towards(b, c, NODE_RADIUS + 4);
  const mid = { x: 0.25 * start.x + 0.5 * c.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * c.y + 0.25 * end.y };
  // The label sits just outside the bulge, extending away from the curve, so the labels of a
  // pair's two directions fall on either side of it.
  const nx = -uy;
  const ny = ux;
  return {
    d: `M ${round(start.x)} ${round(start.y)} Q ${round(c.x)} ${round(c.y)} ${round(end.x)} ${round(end.y)}`,
    label: { x: mid.x + nx * 6, y: mid.y + ny * 6 + 4 },
    anchor: nx > 0.3 ? 'start' : nx < -0.3 ? 'end' : 'middle',
  };
}

function towards(from: Point, to: Point, distance: number): Point {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return {
    x: from.x + ((to.x - from.x) / length) * distance,
    y: from.y + ((to.y - from.y) / length) * distance,
  };
}

function loop(p: Point, centre: Point): EdgeShape {
  // Outward from the centre of the circle, so the loop does not cover other edges.
  const out = towards(p, { x: 2 * p.x - centre.x, y: 2 * p.y - centre.y }, 1);
  const ox = out.x - p.x;
  const oy = out.y - p.y;
  const start = { x: p.x + (ox - oy) * NODE_RADIUS * 0.7, y: p.y + (oy + ox) * NODE_RADIUS * 0.7 };
  const end = { x: p.x + (ox + oy) * NODE_RADIUS * 0.7, y: p.y + (oy - ox) * NODE_RADIUS * 0.7 };
  const c1 = { x: p.x + (ox - oy) * 55, y: p.y + (oy + ox) * 55 };
  const c2 = { x: p.x + (ox + oy) * 55, y: p.y + (oy - ox) * 55 };
  return {
    d: `M ${round(start.x)} ${round(start.y)} C ${round(c1.x)} ${round(c1.y)} ${round(c2.x)} ${round(c2.y)} ${round(end.x)} ${round(end.y)}`,
    label: { x: p.x + ox * 52, y: p.y + oy * 52 },
    anchor: ox > 0.3 ? 'start' : ox < -0.3 ? 'end' : 'middle',
  };
}
