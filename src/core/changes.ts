// The changes a region goes through, as the engine, the connection-tracking clearing policy
// and (later) the change stream see them. The service layer validates before emitting one.
import type { AddressGroup, Instance, InnerAccessPolicy, Rule, SecurityGroup } from './model.js';

export type Change =
  | { kind: 'groupAdded'; group: SecurityGroup }
  | { kind: 'groupRemoved'; groupId: string }
  | {
      kind: 'groupUpdated';
      groupId: string;
      name?: string;
      description?: string;
      innerAccessPolicy?: InnerAccessPolicy;
    }
  | { kind: 'ruleAdded'; groupId: string; rule: Rule }
  | { kind: 'ruleRemoved'; groupId: string; ruleId: string }
  | { kind: 'ruleModified'; groupId: string; rule: Rule }
  | { kind: 'memberAdded'; groupId: string; portId: string; position?: number }
  | { kind: 'memberRemoved'; groupId: string; portId: string }
  | { kind: 'addressGroupAdded'; addressGroup: AddressGroup }
  | { kind: 'addressGroupRemoved'; addressGroupId: string }
  | { kind: 'addressGroupEntriesChanged'; addressGroupId: string; added: string[]; removed: string[] }
  /** A port's port security turned on or off (Neutron's port_security_enabled). */
  | { kind: 'portSecurityChanged'; portId: string; enabled: boolean }
  | { kind: 'instanceAdded'; instance: Instance }
  | { kind: 'instanceRemoved'; instanceId: string };
