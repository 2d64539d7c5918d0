// The server's in-memory view of the store: every object at one revision, indexed for the
// questions the service asks (who is in this group, is this rule a duplicate, what references
// this group). It changes only by applying committed events, in revision order, so every
// server that follows the change log holds the same world.
import type {
  AddressGroup,
  Instance,
  Port,
  Profile,
  Region,
  RegionState,
  Rule,
  SecurityGroup,
  Tenant,
  Vpc,
} from '../core/model.js';
import { canonicalIp, isValidIp } from '../core/address.js';
import { ruleIdentity } from '../core/validate.js';
import { EVERY_TENANT, type Event, type GroupMeta, type Share } from './events.js';
import { rankOf } from './rule-order.js';

export interface Versioned<T> {
  value: T;
  revision: number;
}

export interface StoredRule {
  rule: Rule;
  groupId: string;
  seq: number;
  revision: number;
}

/** A front end's own "same rule" key (Neutron's is not ruleIdentity): see GroupRecord.oldestWithKey. */
export type RuleKeyOf = (stored: StoredRule) => string;

interface KeyIndex {
  keyOf: RuleKeyOf;
  /** rule id → its key */
  keys: Map<string, string>;
  /** key → the ids of the rules with that key */
  ids: Map<string, Set<string>>;
}

export class GroupRecord {
  /** Insertion order is creation order (seq); a modified rule keeps its place. */
  readonly rules = new Map<string, StoredRule>();
  /** ruleIdentity under the region's profile → rule id: duplicate detection without a scan. */
  readonly identities = new Map<string, string>();
  readonly members = new Set<string>();
  /** Per direction, how many rules have each evaluation rank (rankOf): where a new rule goes, without a scan. */
  private readonly ingressRanks = new Map<number, number>();
  private readonly egressRanks = new Map<number, number>();
  nextSeq = 0;
  /** The latest revision of the group or any of its rules: the group's ETag. */
  contentRevision: number;
  private rulesView: Rule[] | null = null;
  /** Indexes by a front end's key: each built on its first question, then kept by putRule and deleteRule. */
  private readonly keyIndexes: KeyIndex[] = [];

  constructor(
    /** Its region's profile: what makes two of its rules the same rule. */
    readonly profile: Profile,
    public meta: GroupMeta,
    public revision: number,
  ) {
    this.contentRevision = revision;
  }

  ruleList(): Rule[] {
    return (this.rulesView ??= [...this.rules.values()].map((r) => r.rule));
  }

  putRule(stored: StoredRule): void {
    const old = this.rules.get(stored.rule.id);
    if (old) {
      this.identities.delete(ruleIdentity(this.profile, old.rule));
      this.count(old.rule, -1);
    }
    this.rules.set(stored.rule.id, stored);
    this.identities.set(ruleIdentity(this.profile, stored.rule), stored.rule.id);
    this.count(stored.rule, 1);
    for (const index of this.keyIndexes) {
      this.unindexKey(index, stored.rule.id);
      this.indexKey(index, stored);
    }
    this.nextSeq = Math.max(this.nextSeq, stored.seq + 1);
    this.touch(stored.revision);
  }

  deleteRule(id: string, revision: number): void {
    const old = this.rules.get(id);
    if (!old) return;
    this.rules.delete(id);
    const identity = ruleIdentity(this.profile, old.rule);
    if (this.identities.get(identity) === id) this.identities.delete(identity);
    for (const index of this.keyIndexes) this.unindexKey(index, id);
    this.count(old.rule, -1);
    this.touch(revision);
  }

  /**
   * Of the rules whose `keyOf` is one of `keys`, the first in the group's order (creation
   * order: seq, then id, as the store loads them), without a scan once the index is built.
   */
  oldestWithKey(keyOf: RuleKeyOf, keys: Iterable<string>): StoredRule | undefined {
    let index = this.keyIndexes.find((x) => x.keyOf === keyOf);
    if (!index) {
      index = { keyOf, keys: new Map(), ids: new Map() };
      for (const stored of this.rules.values()) this.indexKey(index, stored);
      this.keyIndexes.push(index);
    }
    let oldest: StoredRule | undefined;
    for (const key of keys)
      for (const id of index.ids.get(key) ?? []) {
        const stored = this.rules.get(id)!;
        if (!oldest || stored.seq < oldest.seq || (stored.seq === oldest.seq && id < oldest.rule.id))
          oldest = stored;
      }
    return oldest;
  }

  private indexKey(index: KeyIndex, stored: StoredRule): void {
    const key = index.keyOf(stored);
    index.keys.set(stored.rule.id, key);
    let ids = index.ids.get(key);
    if (!ids) index.ids.set(key, (ids = new Set()));
    ids.add(stored.rule.id);
  }

  private unindexKey(index: KeyIndex, id: string): void {
    const key = index.keys.get(id);
    if (key === undefined) return;
    index.keys.delete(id);
    const ids = index.ids.get(key)!;
    ids.delete(id);
    if (!ids.size) index.ids.delete(key);
  }

  toGroup(): SecurityGroup {
    return { ...this.meta, rules: this.ruleList() };
  }

  ranks(direction: Rule['direction']): ReadonlyMap<number, number> {
    return direction === 'ingress' ? this.ingressRanks : this.egressRanks;
  }

  private count(rule: Rule, delta: number): void {
    const ranks = rule.direction === 'ingress' ? this.ingressRanks : this.egressRanks;
    const rank = rankOf(rule);
    const n = (ranks.get(rank) ?? 0) + delta;
    if (n) ranks.set(rank, n);
    else ranks.delete(rank);
  }

  private touch(revision: number): void {
    this.rulesView = null;
    this.contentRevision = Math.max(this.contentRevision, revision);
  }
}

export class RegionRecord {
  readonly vpcs = new Map<string, Versioned<Vpc>>();
  readonly groups = new Map<string, GroupRecord>();
  readonly addressGroups = new Map<string, Versioned<AddressGroup>>();
  readonly instances = new Map<string, Versioned<Instance>>();
  readonly ports = new Map<string, { port: Port; instanceId: string }>();
  /** rule id → group id */
  readonly ruleGroup = new Map<string, string>();
  /** Private and public addresses → the port holding them (unique in a region; VIPs may be shared). */
  readonly addressOwner = new Map<string, string>();
  /** The last revision that changed anything in the region. */
  lastRevision: number;
  private stateView: { revision: number; state: RegionState } | null = null;

  constructor(
    public region: Region,
    public revision: number,
  ) {
    this.lastRevision = revision;
  }

  /** A change at this revision: loading from the store visits objects out of revision order. */
  changedAt(revision: number): void {
    if (revision > this.lastRevision) this.lastRevision = revision;
  }

  /** The region as the engine and the simulator take it (shared; do not mutate). */
  toState(tenants: Iterable<Tenant>): RegionState {
    if (this.stateView?.revision !== this.lastRevision) {
      const state: RegionState = {
        region: this.region,
        tenants: [...tenants],
        vpcs: [...this.vpcs.values()].map((v) => v.value),
        groups: [...this.groups.values()].map((g) => g.toGroup()),
        addressGroups: [...this.addressGroups.values()].map((a) => a.value),
        instances: [...this.instances.values()].map((i) => i.value),
      };
      this.stateView = { revision: this.lastRevision, state };
    }
    return this.stateView.state;
  }

  putInstance(instance: Instance, revision: number): void {
    this.deleteInstance(instance.id);
    this.instances.set(instance.id, { value: instance, revision });
    for (const port of instance.ports) {
      this.ports.set(port.id, { port, instanceId: instance.id });
      for (const ip of ownedAddresses(port)) this.addressOwner.set(ip, port.id);
      for (const g of port.groupIds) this.groups.get(g)?.members.add(port.id);
    }
  }

  deleteInstance(id: string): void {
    const old = this.instances.get(id);
    if (!old) return;
    for (const port of old.value.ports) {
      this.ports.delete(port.id);
      for (const ip of ownedAddresses(port))
        if (this.addressOwner.get(ip) === port.id) this.addressOwner.delete(ip);
      for (const g of port.groupIds) this.groups.get(g)?.members.delete(port.id);
    }
    this.instances.delete(id);
  }

  /** Groups (other than `except`) with a rule whose remote satisfies `names`. */
  private groupsWith(names: (remote: Rule['remote']) => boolean, except?: string): string[] {
    const out: string[] = [];
    for (const g of this.groups.values()) {
      if (g.meta.id === except) continue;
      for (const { rule } of g.rules.values())
        if (names(rule.remote)) {
          out.push(g.meta.id);
          break;
        }
    }
    return out;
  }

  /** Groups whose rules name `groupId` as their remote (other than itself). */
  groupsReferencing(groupId: string): string[] {
    return this.groupsWith((r) => r.kind === 'group' && r.groupId === groupId, groupId);
  }

  groupsReferencingAddressGroup(addressGroupId: string): string[] {
    return this.groupsWith((r) => r.kind === 'addressGroup' && r.addressGroupId === addressGroupId);
  }
}

/** The addresses a port holds alone, canonical (virtual IPs move between ports and are shared). */
export function ownedAddresses(port: Port): string[] {
  const all = [...port.ipv4, ...port.ipv6, ...(port.publicIpv4 ? [port.publicIpv4] : [])];
  return all.filter((ip) => isValidIp(ip)).map((ip) => canonicalIp(ip));
}

export type ObjectKind =
  'tenant' | 'region' | 'vpc' | 'group' | 'rule' | 'addressGroup' | 'instance' | 'port' | 'share';

/**
 * The shares, indexed for the questions validation and visibility ask in O(1): is this object
 * shared with this tenant, and which shares does an object (or a target tenant) have.
 */
export class ShareIndex {
  readonly byId = new Map<string, Versioned<Share>>();
  /** object id → target tenant (or EVERY_TENANT) → the ids of the shares granting it. */
  private readonly byObject = new Map<string, Map<string, Set<string>>>();

  put(share: Share, revision: number): void {
    this.delete(share.id);
    this.byId.set(share.id, { value: share, revision });
    let targets = this.byObject.get(share.objectId);
    if (!targets) this.byObject.set(share.objectId, (targets = new Map()));
    let ids = targets.get(share.targetTenantId);
    if (!ids) targets.set(share.targetTenantId, (ids = new Set()));
    ids.add(share.id);
  }

  delete(id: string): void {
    const old = this.byId.get(id)?.value;
    if (!old) return;
    this.byId.delete(id);
    const targets = this.byObject.get(old.objectId)!;
    const ids = targets.get(old.targetTenantId)!;
    ids.delete(id);
    if (!ids.size) targets.delete(old.targetTenantId);
    if (!targets.size) this.byObject.delete(old.objectId);
  }

  /** Whether a share lets `tenantId` use the object (one naming it, or every tenant). */
  isSharedWith(objectId: string, tenantId: string): boolean {
    const targets = this.byObject.get(objectId);
    return targets !== undefined && (targets.has(tenantId) || targets.has(EVERY_TENANT));
  }

  /** The shares of one object. */
  of(objectId: string): Share[] {
    const targets = this.byObject.get(objectId);
    if (!targets) return [];
    return [...targets.values()].flatMap((ids) => [...ids].map((id) => this.byId.get(id)!.value));
  }

  /** The targets an object is shared with (tenant ids and EVERY_TENANT). */
  targetsOf(objectId: string): Set<string> {
    return new Set(this.byObject.get(objectId)?.keys() ?? []);
  }
}

export class World {
  revision = 0;
  readonly tenants = new Map<string, Versioned<Tenant>>();
  readonly regions = new Map<string, RegionRecord>();
  /** Any region-scoped object id → its region, so an id alone finds the object. */
  readonly regionOf = new Map<string, { kind: ObjectKind; regionId: string }>();
  readonly shares = new ShareIndex();

  region(id: string): RegionRecord | undefined {
    return this.regions.get(id);
  }

  /** The region holding an object of this kind, if the id names one. */
  locate(kind: ObjectKind, id: string): RegionRecord | undefined {
    const at = this.regionOf.get(id);
    return at?.kind === kind ? this.regions.get(at.regionId) : undefined;
  }

  regionState(regionId: string): RegionState | undefined {
    return this.regions.get(regionId)?.toState([...this.tenants.values()].map((t) => t.value));
  }

  /** Apply one committed write. Writes arrive in revision order; a replay is ignored. */
  applyWrite(revision: number, events: Event[]): boolean {
    if (revision <= this.revision) return false;
    for (const e of events) this.applyEvent(e, revision);
    this.revision = revision;
    return true;
  }

  /** Apply one event with the revision the object was last written at (loading from the store). */
  applyEvent(e: Event, rev: number): void {
    const touch = (regionId: string) => {
      const r = this.regions.get(regionId);
      if (r) r.changedAt(rev);
      return r;
    };
    switch (e.op) {
      case 'tenant.put':
        this.tenants.set(e.tenant.id, { value: e.tenant, revision: rev });
        for (const r of this.regions.values()) r.changedAt(rev);
        return;
      case 'tenant.delete':
        this.tenants.delete(e.id);
        for (const r of this.regions.values()) r.changedAt(rev);
        return;
      case 'region.put': {
        const existing = this.regions.get(e.region.id);
        if (existing) {
          existing.region = e.region;
          existing.revision = rev;
          existing.changedAt(rev);
        } else this.regions.set(e.region.id, new RegionRecord(e.region, rev));
        return;
      }
      case 'region.delete':
        this.regions.delete(e.id);
        return;
      case 'vpc.put':
        touch(e.vpc.regionId)?.vpcs.set(e.vpc.id, { value: e.vpc, revision: rev });
        this.regionOf.set(e.vpc.id, { kind: 'vpc', regionId: e.vpc.regionId });
        return;
      case 'vpc.delete':
        touch(e.regionId)?.vpcs.delete(e.id);
        this.regionOf.delete(e.id);
        return;
      case 'group.put': {
        const r = touch(e.group.regionId);
        if (!r) return;
        const existing = r.groups.get(e.group.id);
        if (existing) {
          existing.meta = e.group;
          existing.revision = rev;
          existing.contentRevision = rev;
        } else {
          const record = new GroupRecord(r.region.profile, e.group, rev);
          for (const [portId, { port }] of r.ports)
            if (port.groupIds.includes(e.group.id)) record.members.add(portId);
          r.groups.set(e.group.id, record);
        }
        this.regionOf.set(e.group.id, { kind: 'group', regionId: e.group.regionId });
        return;
      }
      case 'group.delete': {
        const r = touch(e.regionId);
        const g = r?.groups.get(e.id);
        if (!r || !g) return;
        for (const ruleId of g.rules.keys()) {
          r.ruleGroup.delete(ruleId);
          this.regionOf.delete(ruleId);
        }
        r.groups.delete(e.id);
        this.regionOf.delete(e.id);
        return;
      }
      case 'rule.put': {
        const r = touch(e.regionId);
        r?.groups.get(e.groupId)?.putRule({ rule: e.rule, groupId: e.groupId, seq: e.seq, revision: rev });
        r?.ruleGroup.set(e.rule.id, e.groupId);
        this.regionOf.set(e.rule.id, { kind: 'rule', regionId: e.regionId });
        return;
      }
      case 'rule.delete': {
        const r = touch(e.regionId);
        r?.groups.get(e.groupId)?.deleteRule(e.id, rev);
        r?.ruleGroup.delete(e.id);
        this.regionOf.delete(e.id);
        return;
      }
      case 'addressGroup.put':
        touch(e.addressGroup.regionId)?.addressGroups.set(e.addressGroup.id, {
          value: e.addressGroup,
          revision: rev,
        });
        this.regionOf.set(e.addressGroup.id, { kind: 'addressGroup', regionId: e.addressGroup.regionId });
        return;
      case 'addressGroup.delete':
        touch(e.regionId)?.addressGroups.delete(e.id);
        this.regionOf.delete(e.id);
        return;
      case 'instance.put': {
        const r = touch(e.instance.regionId);
        const old = r?.instances.get(e.instance.id);
        for (const port of old?.value.ports ?? []) this.regionOf.delete(port.id);
        r?.putInstance(e.instance, rev);
        this.regionOf.set(e.instance.id, { kind: 'instance', regionId: e.instance.regionId });
        for (const port of e.instance.ports)
          this.regionOf.set(port.id, { kind: 'port', regionId: e.instance.regionId });
        return;
      }
      case 'instance.delete': {
        const r = touch(e.regionId);
        for (const port of r?.instances.get(e.id)?.value.ports ?? []) this.regionOf.delete(port.id);
        r?.deleteInstance(e.id);
        this.regionOf.delete(e.id);
        return;
      }
      case 'share.put':
        this.shares.put(e.share, rev);
        this.regionOf.set(e.share.id, { kind: 'share', regionId: e.share.regionId });
        return;
      case 'share.delete':
        this.shares.delete(e.id);
        this.regionOf.delete(e.id);
        return;
    }
  }
}

/** The desired state at a revision, as GET /v1/snapshot answers it. */
export interface Snapshot {
  revision: number;
  tenants: { id: string; name: string }[];
  regions: Omit<RegionState, 'tenants'>[];
}

/** A world holding a snapshot, at the snapshot's revision. */
export function worldOf(snap: Snapshot): World {
  const w = new World();
  const rev = snap.revision;
  for (const tenant of snap.tenants) w.applyEvent({ op: 'tenant.put', tenant }, rev);
  for (const r of snap.regions) {
    w.applyEvent({ op: 'region.put', region: r.region }, rev);
    for (const vpc of r.vpcs) w.applyEvent({ op: 'vpc.put', vpc }, rev);
    for (const { rules, ...group } of r.groups) {
      w.applyEvent({ op: 'group.put', group }, rev);
      rules.forEach((rule, seq) =>
        w.applyEvent({ op: 'rule.put', regionId: r.region.id, groupId: group.id, seq, rule }, rev),
      );
    }
    for (const addressGroup of r.addressGroups) w.applyEvent({ op: 'addressGroup.put', addressGroup }, rev);
    for (const instance of r.instances) w.applyEvent({ op: 'instance.put', instance }, rev);
  }
  w.revision = rev;
  return w;
}
