// Plan and apply: the file's instances and their ports against the stored ones (matching as
// plan-match.ts says: by id, else name; a port by id, else by its place). A port keeps what the
// file cannot say (its host, interface, name, MAC address, device); what the file says (its
// addresses, virtual IPs, NIC type, memberships in order) is set.
import type { Instance, Port, RegionState } from '../../core/model.js';
import type { Problems } from '../../core/validate.js';
import type { RegionRecord } from '../world.js';
import {
  type FileFacts,
  type MakeId,
  type Matched,
  matchOne,
  owned,
  type PlannedChange,
  sameJson,
} from './plan-match.js';

export interface InstanceContext {
  r: RegionRecord;
  file: RegionState;
  facts: FileFacts;
  tenants: Set<string>;
  makeId: MakeId;
  now: string;
  p: Problems;
  /** File group id → stored (or new) id; file VPC id → stored (or new) id. */
  groupIds: Map<string, string>;
  vpcOf: (id: string | null) => string | null;
}

/** Adds the instances to create, change and delete to `m`. */
export function matchInstances(m: Matched, ctx: InstanceContext): void {
  const { r, file, facts, tenants, makeId, now, p, groupIds, vpcOf } = ctx;
  const changes = m.changes;
  const storedInstances = [...r.instances.values()].map((x) => x.value);
  const takenInstances = new Set<string>();
  file.instances.forEach((inst, i) => {
    const at = `instances[${i}]`;
    const found = matchOne(owned(storedInstances, inst.tenantId), inst, p, at, 'instance', takenInstances);
    const vpcId = vpcOf(inst.vpcId);
    const id = found?.id ?? makeId('i', inst.id);
    if (found) {
      takenInstances.add(found.id);
      if (found.vpcId !== vpcId)
        p.add(
          `${at}.vpc`,
          'INVALID_FIELD',
          `${at}.vpc: instance ${found.id} is in ${found.vpcId ?? 'the classic network'}; an instance cannot move to another VPC`,
        );
    }
    const left = [...(found?.ports ?? [])];
    const portChanges: PlannedChange[] = [];
    const ports = inst.ports.map((pt, k) => {
      const pat = `${at}.ports[${k}]`;
      const twin = left.find((s) => s.id === pt.id) ?? (found ? left[0] : undefined);
      const groups = pt.groupIds.map((g) => groupIds.get(g) ?? g);
      const port: Port = {
        ...(twin ?? {}),
        id: twin?.id ?? makeId('port', pt.id),
        instanceId: id,
        ipv4: pt.ipv4,
        ipv6: pt.ipv6,
        virtualIps: pt.virtualIps,
        nicType: pt.nicType,
        groupIds: groups,
      };
      if (pt.publicIpv4 !== undefined) port.publicIpv4 = pt.publicIpv4;
      else delete port.publicIpv4;
      if (!twin) {
        if (found)
          portChanges.push({ kind: 'port', action: 'create', ref: pt.id, at: pat, parent: id, groups });
        return port;
      }
      left.splice(left.indexOf(twin), 1);
      const fields = (['ipv4', 'ipv6', 'publicIpv4', 'virtualIps', 'nicType', 'groupIds'] as const).filter(
        (f) => !sameJson(twin[f], port[f]),
      );
      if (fields.length) {
        if (twin.updatedAt !== undefined) port.updatedAt = now;
        portChanges.push({
          kind: 'port',
          action: 'update',
          ref: pt.id,
          at: pat,
          id: twin.id,
          parent: id,
          fields,
          groups,
        });
      }
      return port;
    });
    for (const s of left) portChanges.push({ kind: 'port', action: 'delete', id: s.id, parent: id });
    const instance: Instance = {
      id,
      tenantId: inst.tenantId,
      regionId: r.region.id,
      vpcId: found ? found.vpcId : vpcId,
      name: inst.name,
      ports,
    };
    if (!found) {
      m.instances.push({ instance, at, created: true, changed: true });
      changes.push({ kind: 'instance', action: 'create', ref: inst.id, at, name: inst.name });
      ports.forEach((port, k) =>
        changes.push({
          kind: 'port',
          action: 'create',
          ref: inst.ports[k].id,
          at: `${at}.ports[${k}]`,
          parent: inst.id,
          groups: port.groupIds,
        }),
      );
      return;
    }
    const renamed = found.name !== inst.name;
    if (!renamed && !portChanges.length) {
      m.instances.push({ instance: found, at, created: false, changed: false });
      return;
    }
    m.instances.push({ instance, at, created: false, changed: true });
    if (renamed)
      changes.push({
        kind: 'instance',
        action: 'update',
        ref: inst.id,
        at,
        id: found.id,
        name: inst.name,
        fields: ['name'],
      });
    changes.push(...portChanges);
  });
  if (facts.declares.instances)
    for (const s of storedInstances)
      if (tenants.has(s.tenantId) && !takenInstances.has(s.id)) {
        m.deletedInstances.push(s);
        changes.push({ kind: 'instance', action: 'delete', id: s.id, name: s.name });
      }
}
