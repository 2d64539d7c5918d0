// The change events: what one write did, as the change log stores it, the watch delivers it
// and every server's in-memory state applies it. Puts carry the whole object, so a follower
// needs nothing but the stream (and a snapshot to start from).
import type { AddressGroup, Instance, Region, Rule, SecurityGroup, Tenant, Vpc } from '../core/model.js';

/** A group without its rules: rules travel as their own events. */
export type GroupMeta = Omit<SecurityGroup, 'rules'>;

/** What a share can grant access to: a security group or an address group. */
export type ShareObjectType = 'securityGroup' | 'addressGroup';

/** A share's target that is every tenant (Neutron's target_tenant "*"). */
export const EVERY_TENANT = '*';

/**
 * A share (Neutron's RBAC policy): the owner of a group or address group lets another tenant
 * (or every tenant) use it, as a rule's remote and, for groups, on its ports. Read-only: the
 * target may see and reference the object, never change it. The one exception to isolation.
 */
export interface Share {
  id: string;
  /** The owner of the shared object (who made the share). */
  tenantId: string;
  regionId: string;
  objectType: ShareObjectType;
  objectId: string;
  /** A tenant id, or EVERY_TENANT. */
  targetTenantId: string;
  action: 'access_as_shared';
  createdAt?: string;
}

export type Event =
  | { op: 'tenant.put'; tenant: Tenant }
  | { op: 'tenant.delete'; id: string }
  | { op: 'region.put'; region: Region }
  | { op: 'region.delete'; id: string }
  | { op: 'vpc.put'; vpc: Vpc }
  | { op: 'vpc.delete'; regionId: string; id: string }
  | { op: 'group.put'; group: GroupMeta }
  /** Deleting a group deletes its rules. */
  | { op: 'group.delete'; regionId: string; id: string }
  /** `seq` orders a group's rules by creation; a modified rule keeps its seq. */
  | { op: 'rule.put'; regionId: string; groupId: string; seq: number; rule: Rule }
  | { op: 'rule.delete'; regionId: string; groupId: string; id: string }
  | { op: 'addressGroup.put'; addressGroup: AddressGroup }
  | { op: 'addressGroup.delete'; regionId: string; id: string }
  /** An instance with all its ports; a membership change puts the whole instance. */
  | { op: 'instance.put'; instance: Instance }
  | { op: 'instance.delete'; regionId: string; id: string }
  | { op: 'share.put'; share: Share }
  | { op: 'share.delete'; regionId: string; id: string };

/** A whole group as events: its meta, then each rule in order (a new group, or one replaced). */
export function groupEvents(regionId: string, { rules, ...group }: SecurityGroup): Event[] {
  return [
    { op: 'group.put', group },
    ...rules.map((rule, seq) => ({ op: 'rule.put' as const, regionId, groupId: group.id, seq, rule })),
  ];
}

/** One committed write: its revision and events, as the watch sends it. */
export interface ChangeRecord {
  revision: number;
  regionId: string | null;
  tenantId: string | null;
  action: string;
  events: Event[];
  at: string;
}
