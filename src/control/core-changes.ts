// The change stream's events as the core's changes, against the region before them: what the
// clearing policy (core/clearing.ts) needs to decide which connections a change affects.
import type { Change } from '../core/changes.js';
import type { RegionIndex } from '../core/region-index.js';
import type { Event } from './events.js';

export function coreChanges(before: RegionIndex, events: Event[]): Change[] {
  const out: Change[] = [];
  for (const e of events) {
    switch (e.op) {
      case 'rule.put': {
        const known = before.groups.get(e.groupId)?.rules.some((r) => r.id === e.rule.id);
        out.push({ kind: known ? 'ruleModified' : 'ruleAdded', groupId: e.groupId, rule: e.rule });
        break;
      }
      case 'rule.delete':
        out.push({ kind: 'ruleRemoved', groupId: e.groupId, ruleId: e.id });
        break;
      case 'group.put': {
        const old = before.groups.get(e.group.id);
        if (!old) out.push({ kind: 'groupAdded', group: { ...e.group, rules: [] } });
        else if (old.innerAccessPolicy !== e.group.innerAccessPolicy)
          out.push({
            kind: 'groupUpdated',
            groupId: e.group.id,
            innerAccessPolicy: e.group.innerAccessPolicy,
          });
        break;
      }
      case 'group.delete':
        out.push({ kind: 'groupRemoved', groupId: e.id });
        break;
      case 'addressGroup.put': {
        const old = before.addressGroups.get(e.addressGroup.id);
        if (!old) out.push({ kind: 'addressGroupAdded', addressGroup: e.addressGroup });
        else {
          const added = e.addressGroup.entries.filter((x) => !old.entries.includes(x));
          const removed = old.entries.filter((x) => !e.addressGroup.entries.includes(x));
          if (added.length || removed.length)
            out.push({ kind: 'addressGroupEntriesChanged', addressGroupId: old.id, added, removed });
        }
        break;
      }
      case 'addressGroup.delete':
        out.push({ kind: 'addressGroupRemoved', addressGroupId: e.id });
        break;
      case 'instance.put': {
        const old = before.state.instances.find((i) => i.id === e.instance.id);
        if (!old) {
          out.push({ kind: 'instanceAdded', instance: e.instance });
          break;
        }
        for (const port of e.instance.ports) {
          const oldPort = old.ports.find((p) => p.id === port.id);
          const secured = port.securityEnabled !== false;
          if (oldPort && (oldPort.securityEnabled !== false) !== secured)
            out.push({ kind: 'portSecurityChanged', portId: port.id, enabled: secured });
          const was = oldPort?.groupIds ?? [];
          for (const g of port.groupIds)
            if (!was.includes(g)) out.push({ kind: 'memberAdded', groupId: g, portId: port.id });
          for (const g of was)
            if (!port.groupIds.includes(g)) out.push({ kind: 'memberRemoved', groupId: g, portId: port.id });
        }
        break;
      }
      case 'instance.delete':
        out.push({ kind: 'instanceRemoved', instanceId: e.id });
        break;
      default:
        break;
    }
  }
  return out;
}
