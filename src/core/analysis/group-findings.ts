// Rule findings for a group (issue 13 item 2): the findings about its own rules on every port
// that holds it, each saying whether it holds on all of them or listing those where it does. A
// rule shadowed on one port may decide packets on another, whose other groups come first. A
// group without members is analysed alone, as if it were a port's only group under the region's
// profile (group-contexts.ts).
import type { Direction, Ethertype } from '../model.js';
import type { RegionIndex } from '../region-index.js';
import { type FindingKind, portFindings } from './findings.js';
import { aloneContexts, memberClasses, memberPorts } from './group-contexts.js';

export interface GroupFinding {
  kind: FindingKind;
  ruleId: string;
  direction: Direction;
  ethertype: Ethertype;
  /** The entries that cause it, on any of the ports (rule ids, "innerAccess:<group id>"). */
  by: string[];
  /** everyPort: on each member port; somePorts: on `ports` only; groupAlone: the group has no members. */
  holds: 'everyPort' | 'somePorts' | 'groupAlone';
  /** The member ports where it holds. */
  ports: string[];
}

export interface GroupFindings {
  /** The member ports analysed (port security on). */
  members: string[];
  findings: GroupFinding[];
}

export function groupFindings(index: RegionIndex, groupId: string): GroupFindings {
  const members = memberPorts(index, groupId);
  // One port per class of ports with the same policy; a finding on it holds on the whole class.
  const contexts = members.length
    ? memberClasses(index, groupId).map((c) => ({ index, portId: c.portId, ports: c.ports }))
    : aloneContexts(index.state, groupId).map((c) => ({ ...c, ports: [] }));
  const byKey = new Map<string, GroupFinding>();
  for (const { index: at, portId, ports } of contexts)
    for (const f of portFindings(at, portId)) {
      if (f.groupId !== groupId) continue;
      const key = [f.kind, f.ruleId, f.direction, f.ethertype].join('|');
      let found = byKey.get(key);
      if (!found) {
        found = {
          kind: f.kind,
          ruleId: f.ruleId,
          direction: f.direction,
          ethertype: f.ethertype,
          by: [],
          holds: members.length ? 'somePorts' : 'groupAlone',
          ports: [],
        };
        byKey.set(key, found);
      }
      for (const b of f.by) if (!found.by.includes(b)) found.by.push(b);
      for (const p of ports) if (!found.ports.includes(p)) found.ports.push(p);
    }
  const findings = [...byKey.values()];
  for (const f of findings) f.ports.sort();
  for (const f of findings)
    if (f.holds === 'somePorts' && f.ports.length === members.length) f.holds = 'everyPort';
  return { members, findings };
}
