// Instances and their ports, and memberships: join (at a sequence), leave (never the last
// group), replace. An instance created without groups joins its tenant's default group of the
// VPC, which is created on first need.
import { isDefaultGroup } from '../../core/defaults.js';
import type { Instance, NicType, Port, SecurityGroup, Vpc } from '../../core/model.js';
import { makeDefaultGroup } from '../../core/defaults.js';
import { checkQuota, Problems, validatePlacement, validatePort } from '../../core/validate.js';
import { badRequest, conflict, invalid, notFound } from '../errors.js';
import { quotasFor, tenantGroupCount } from '../quotas.js';
import { type Event, groupEvents } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import { compareStrings, paginate } from '../paging.js';
import type { Scope } from '../scope.js';
import { deletion, type Plan, type Principal, type Service, type WriteOptions } from '../service.js';
import { versioned } from '../views.js';
import { ownedAddresses, type RegionRecord, type World } from '../world.js';
import { placeGroup } from './groups.js';
import { type FixedIpInput, resolveFixedIps } from './subnets.js';
import { TRAITS } from '../../core/profiles.js';

export interface PortInput {
  ipv4?: string[];
  ipv6?: string[];
  /**
   * Addresses from the VPC's subnets (given, or allocated: see resolveFixedIps), added to
   * ipv4/ipv6. Absent with no ipv4/ipv6 either on a VPC with subnets: one address of its first.
   */
  fixedIps?: FixedIpInput[];
  publicIpv4?: string;
  virtualIps?: string[];
  nicType?: NicType;
  host?: string;
  interface?: string;
  /** The interface's name from the new port's id, when `interface` is not given (Nova's tap naming). */
  interfaceOf?: (portId: string) => string;
  /** Ordered; absent or empty: the default group, unless withoutGroups or port security is off. */
  groupIds?: string[];
  /** The port holds no group (Neutron's security_groups: []), in a profile that allows it. */
  withoutGroups?: boolean;
  securityEnabled?: boolean;
  name?: string;
  macAddress?: string;
  device?: { id: string; owner: string };
}

export interface InstanceInput {
  regionId: string;
  vpcId: string | null;
  name: string;
  ports: PortInput[];
  tenantId?: string;
}

/** Checks a changed instance against the region: addresses, memberships, quotas. */
function checkInstance(
  r: RegionRecord,
  w: World,
  inst: Instance,
  extraGroups: SecurityGroup[],
  p: Problems,
  at: (i: number) => string,
): void {
  const lookup = lookupIn(w, r, extraGroups);
  const q = quotasFor(w, r, inst.tenantId);
  const seen = new Set<string>();
  inst.ports.forEach((port, i) => {
    validatePort(port, inst, at(i), p, lookup, r.region.profile);
    for (const ip of ownedAddresses(port)) {
      const owner = r.addressOwner.get(ip);
      if ((owner !== undefined && owner !== port.id) || seen.has(ip))
        p.add(
          `${at(i)}`,
          'ADDRESS_IN_USE',
          `${at(i)}: address ${ip} is already used by port ${owner ?? 'of this request'}`,
          { value: ip, ...(inst.vpcId !== null ? { id: inst.vpcId } : {}) },
        );
      seen.add(ip);
    }
    checkQuota(q, 'groupsPerPort', port.groupIds.length, `groups of port ${port.id}`, p, `${at(i)}.groupIds`);
    const rules = port.groupIds.reduce(
      (n, id) =>
        n + (r.groups.get(id)?.rules.size ?? extraGroups.find((g) => g.id === id)?.rules.length ?? 0),
      0,
    );
    checkQuota(q, 'rulesPerPort', rules, `rules over the groups of port ${port.id}`, p, `${at(i)}.groupIds`);
  });
  // Ports per group binds basic groups only (001); a profile without the limit has the quota 0.
  if (q.portsPerGroup > 0) {
    const before = new Set(
      r.instances.get(inst.id)?.value.ports.flatMap((pt) => pt.groupIds.map((g) => `${pt.id}|${g}`)) ?? [],
    );
    for (const port of inst.ports)
      for (const gid of port.groupIds) {
        const g = r.groups.get(gid);
        if (!g || g.meta.type !== 'basic' || before.has(`${port.id}|${gid}`)) continue;
        checkQuota(q, 'portsPerGroup', g.members.size + 1, `ports in ${gid}`, p, 'body');
      }
  }
}

/** Whether a new port joins the tenant's default group: it names none and may not go without. */
const wantsDefault = (pt: PortInput) =>
  pt.securityEnabled !== false && !pt.withoutGroups && !pt.groupIds?.length;

export function createInstance(svc: Service, p: Principal, input: InstanceInput, opts: WriteOptions) {
  return svc.write(p, opts, (w) => {
    const r = w.regions.get(input.regionId);
    if (!r)
      throw badRequest('UNKNOWN_REGION', 'body.regionId', `body.regionId "${input.regionId}" does not exist`);
    const tenantId = svc.tenantFor(p, input.tenantId);
    const problems = new Problems();
    const lookup = lookupIn(w, r);
    validatePlacement({ tenantId, vpcId: input.vpcId }, lookup, problems, 'body');
    if (problems.list.length) throw invalid(problems.list);
    const events: Event[] = [];
    let created: SecurityGroup | undefined;
    // Where a tenant has one default group (OpenStack's is project-wide), any VPC's will do.
    const defaultVpc = TRAITS[r.region.profile].uniqueDefaultName ? undefined : input.vpcId;
    const findDefault = () =>
      [...r.groups.values()].find(
        (g) =>
          g.meta.tenantId === tenantId &&
          isDefaultGroup(g.meta) &&
          (defaultVpc === undefined || g.meta.vpcId === defaultVpc),
      )?.meta;
    if (input.ports.some(wantsDefault) && !findDefault()) {
      const id = newId('sg');
      // Where groups keep out of the tenant's networks, the default group goes where any group
      // made without a VPC goes (a network it was made in could never be deleted).
      let groupVpc = input.vpcId;
      if (TRAITS[r.region.profile].groupsInDefaultVpc) {
        const placed = placeGroup(r, tenantId, undefined);
        groupVpc = placed.vpcId;
        events.push(...placed.newVpcs.map((vpc) => ({ op: 'vpc.put' as const, vpc })));
      }
      const made = makeDefaultGroup(r.region.profile, r.region.id, tenantId, groupVpc, id);
      const createdAt = svc.timestamp();
      created = {
        ...made,
        createdAt,
        updatedAt: createdAt,
        rules: made.rules.map((rule) => ({ ...rule, id: newId('sgr'), createdAt })),
      };
      checkQuota(
        quotasFor(w, r, tenantId),
        'groupsPerTenant',
        tenantGroupCount(r, tenantId) + 1,
        `security groups of tenant ${tenantId} (the default group is created now)`,
        problems,
        'body',
      );
      events.push(...groupEvents(r.region.id, created));
    }
    const defaultId = created?.id ?? findDefault()?.id;
    const portIds = input.ports.map(() => newId('port'));
    const instance: Instance = {
      id: newId('i'),
      tenantId,
      regionId: r.region.id,
      vpcId: input.vpcId,
      // A port made alone (a Neutron port) names its instance, after itself if it has no name.
      name: input.name === '' && input.ports.length === 1 ? portIds[0] : input.name,
      ports: [],
    };
    const vpc = input.vpcId === null ? undefined : r.vpcs.get(input.vpcId)?.value;
    const now = svc.timestamp();
    input.ports.forEach((pt, i) => {
      const addressed = withFixedIps(r, vpc, pt, `body.ports[${i}].fixedIps`, (ip) =>
        instance.ports.some((x) => [...x.ipv4, ...x.ipv6].includes(ip)),
      );
      const groups = wantsDefault(pt) ? [defaultId!] : (pt.groupIds ?? []);
      // Ports of an API that shows their times (Neutron: named ones) carry them.
      const times = pt.name !== undefined ? { createdAt: now, updatedAt: now } : {};
      const named =
        pt.interface === undefined && pt.interfaceOf && pt.host !== undefined
          ? { interface: pt.interfaceOf(portIds[i]) }
          : {};
      instance.ports.push(portOf(portIds[i], instance.id, { ...addressed, ...times, ...named }, groups));
    });
    checkInstance(r, w, instance, created ? [created] : [], problems, (i) => `body.ports[${i}]`);
    if (problems.list.length) throw invalid(problems.list);
    events.push({ op: 'instance.put', instance });
    return {
      action: 'instance.create',
      regionId: r.region.id,
      tenantId,
      targetId: instance.id,
      events,
      after: (rev) => versioned(instance, rev),
    };
  });
}

/** The port input with its fixed IPs drawn from the VPC's subnets (none asked for: as given). */
function withFixedIps(
  r: RegionRecord,
  vpc: Vpc | undefined,
  pt: PortInput,
  at: string,
  takenHere: (ip: string) => boolean,
  self?: string,
): PortInput {
  if (pt.fixedIps === undefined) return pt;
  if (!vpc)
    throw badRequest('UNKNOWN_SUBNET', at, `${at}: the port's instance is in no VPC, which has no subnets`);
  const owner = (ip: string) => r.addressOwner.get(ip);
  const { ipv4, ipv6 } = resolveFixedIps(
    vpc,
    pt.fixedIps,
    (ip) => (owner(ip) !== undefined && owner(ip) !== self) || takenHere(ip),
    at,
  );
  return { ...pt, ipv4: [...(pt.ipv4 ?? []), ...ipv4], ipv6: [...(pt.ipv6 ?? []), ...ipv6] };
}

function portOf(
  id: string,
  instanceId: string,
  pt: PortInput & Pick<Port, 'createdAt' | 'updatedAt'>,
  groupIds: string[],
): Port {
  const port: Port = {
    id,
    instanceId,
    ipv4: pt.ipv4 ?? [],
    ipv6: pt.ipv6 ?? [],
    virtualIps: pt.virtualIps ?? [],
    nicType: pt.nicType ?? 'intranet',
    groupIds,
  };
  if (pt.publicIpv4 !== undefined) port.publicIpv4 = pt.publicIpv4;
  if (pt.host !== undefined) port.host = pt.host;
  if (pt.interface !== undefined) port.interface = pt.interface;
  if (pt.securityEnabled !== undefined) port.securityEnabled = pt.securityEnabled;
  if (pt.name !== undefined) port.name = pt.name;
  if (pt.macAddress !== undefined) port.macAddress = pt.macAddress;
  if (pt.device !== undefined) port.device = pt.device;
  if (pt.createdAt !== undefined) port.createdAt = pt.createdAt;
  if (pt.updatedAt !== undefined) port.updatedAt = pt.updatedAt;
  return port;
}

function instanceOrThrow(scope: Scope, id: string) {
  const found = scope.instance(id);
  if (!found) throw notFound('instance', id);
  return { r: found.r.record, inst: found.instance };
}

export async function getInstance(svc: Service, p: Principal, id: string) {
  const { inst } = instanceOrThrow(await svc.read(p), id);
  return versioned(inst.value, inst.revision);
}

export async function listInstances(
  svc: Service,
  p: Principal,
  q: { regionId?: string; vpcId?: string; host?: string; cursor?: string; limit?: number },
) {
  const all = (await svc.read(p))
    .regions()
    .filter((r) => q.regionId === undefined || r.id === q.regionId)
    .flatMap((r) => r.instances())
    .filter(
      (i) =>
        (q.vpcId === undefined || i.value.vpcId === q.vpcId) &&
        (q.host === undefined || i.value.ports.some((pt) => pt.host === q.host)),
    )
    .map((i) => versioned(i.value, i.revision))
    .sort((a, b) => compareStrings(a.id, b.id));
  return paginate(all, (i) => i.id, compareStrings, q.cursor, q.limit);
}

export function updateInstance(
  svc: Service,
  p: Principal,
  id: string,
  input: { name?: string },
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, inst } = instanceOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, inst.revision, `instance ${id}`);
    const instance = { ...inst.value, ...(input.name !== undefined ? { name: input.name } : {}) };
    return instancePlan(r, 'instance.update', instance, inst.value);
  });
}

export function deleteInstance(svc: Service, p: Principal, id: string, opts: WriteOptions = {}) {
  return svc.write(p, opts, (w, scope) => {
    const { r, inst } = instanceOrThrow(scope, id);
    svc.checkRevision(opts.ifMatch, inst.revision, `instance ${id}`);
    const owner = { regionId: r.region.id, tenantId: inst.value.tenantId };
    return deletion(
      'instance.delete',
      owner,
      id,
      { op: 'instance.delete', regionId: r.region.id, id },
      inst.value,
    );
  });
}

function instancePlan(
  r: RegionRecord,
  action: string,
  instance: Instance,
  before: Instance,
  targetId = instance.id,
): Plan<Instance & { revision: number }> {
  return {
    action,
    regionId: r.region.id,
    tenantId: instance.tenantId,
    targetId,
    events: [{ op: 'instance.put', instance }],
    before,
    after: (rev) => versioned(instance, rev),
    status: 200,
  };
}

// ---- ports and memberships ----

function portOrThrow(scope: Scope, portId: string) {
  const found = scope.port(portId);
  if (!found) throw notFound('port', portId);
  return { r: found.r.record, inst: found.port.instance, port: found.port.port };
}

const portView = (inst: Instance, port: Port, revision: number) => ({
  ...port,
  regionId: inst.regionId,
  revision,
});

export async function getPort(svc: Service, p: Principal, portId: string) {
  const { inst, port } = portOrThrow(await svc.read(p), portId);
  return portView(inst.value, port, inst.revision);
}

export interface PortQuery {
  regionId?: string;
  vpcId?: string;
  host?: string;
  /** Ports holding this group. */
  groupId?: string;
  /** Ports whose id, name, instance's name or one of whose addresses contains this text. */
  match?: string;
  cursor?: string;
  limit?: number;
}

/** The caller's ports across their instances, by id: what a region of 10,000 ports is paged through. */
export async function listPorts(svc: Service, p: Principal, q: PortQuery) {
  const scope = await svc.read(p);
  const needle = q.match?.toLowerCase();
  const matches = (inst: Instance, port: Port) =>
    needle === undefined ||
    [port.id, port.name ?? '', inst.name, ...ownedAddresses(port)].some((text) =>
      text.toLowerCase().includes(needle),
    );
  const views = scope
    .regions()
    .filter((r) => q.regionId === undefined || r.id === q.regionId)
    .flatMap((r) => {
      // A group's members are indexed: the group's ports without a walk over the region.
      const ids =
        q.groupId === undefined
          ? [...r.record.ports.keys()]
          : [...(r.record.groups.get(q.groupId)?.members ?? [])];
      return ids.flatMap((id) => {
        const found = r.port(id);
        if (!found) return [];
        const { instance, port } = found;
        if (
          (q.vpcId !== undefined && instance.value.vpcId !== q.vpcId) ||
          (q.host !== undefined && port.host !== q.host) ||
          !matches(instance.value, port)
        )
          return [];
        return [portView(instance.value, port, instance.revision)];
      });
    })
    .sort((a, b) => compareStrings(a.id, b.id));
  return paginate(views, (v) => v.id, compareStrings, q.cursor, q.limit);
}

/** Replace one port of its instance, check, and plan the instance put. */
function changePort(
  svc: Service,
  p: Principal,
  portId: string,
  action: string,
  edit: (port: Port, r: RegionRecord) => Port,
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (w, scope) => {
    const { r, inst, port } = portOrThrow(scope, portId);
    svc.checkRevision(opts.ifMatch, inst.revision, `port ${portId}`);
    const next = edit(port, r);
    const instance = { ...inst.value, ports: inst.value.ports.map((x) => (x.id === portId ? next : x)) };
    const problems = new Problems();
    checkInstance(r, w, instance, [], problems, (i) =>
      instance.ports[i].id === portId ? 'body' : `ports[${i}]`,
    );
    if (problems.list.length) throw invalid(problems.list);
    const plan = instancePlan(r, action, instance, inst.value, portId);
    return { ...plan, before: port, after: (rev: number) => portView(instance, next, rev) };
  });
}

export function updatePort(
  svc: Service,
  p: Principal,
  portId: string,
  input: Omit<PortInput, 'groupIds'>,
  opts: WriteOptions = {},
) {
  return changePort(
    svc,
    p,
    portId,
    'port.update',
    (port) => portOf(port.id, port.instanceId, { ...port, ...input }, port.groupIds),
    opts,
  );
}

/** Join a group; `sequence` places it in the port's ordered membership (Huawei evaluates in that order). */
export function joinGroup(
  svc: Service,
  p: Principal,
  portId: string,
  groupId: string,
  sequence?: number,
  opts: WriteOptions = {},
) {
  return changePort(
    svc,
    p,
    portId,
    'port.join',
    (port) => {
      if (port.groupIds.includes(groupId))
        throw conflict('ALREADY_MEMBER', `port "${portId}" is already in security group "${groupId}"`);
      const ids = [...port.groupIds];
      const at = sequence === undefined ? ids.length : Math.min(Math.max(sequence, 0), ids.length);
      ids.splice(at, 0, groupId);
      return { ...port, groupIds: ids };
    },
    opts,
  );
}

export function leaveGroup(
  svc: Service,
  p: Principal,
  portId: string,
  groupId: string,
  opts: WriteOptions = {},
) {
  return changePort(
    svc,
    p,
    portId,
    'port.leave',
    (port) => {
      if (!port.groupIds.includes(groupId))
        throw notFound('membership', groupId, `membership of port ${portId} in security group`);
      if (port.groupIds.length === 1)
        throw conflict(
          'LAST_GROUP',
          `port "${portId}" would be left with no security group: join another group first`,
        );
      return { ...port, groupIds: port.groupIds.filter((g) => g !== groupId) };
    },
    opts,
  );
}

export function setGroups(
  svc: Service,
  p: Principal,
  portId: string,
  groupIds: string[],
  opts: WriteOptions = {},
) {
  return changePort(
    svc,
    p,
    portId,
    'port.setGroups',
    (port) => {
      if (groupIds.length === 0)
        throw conflict('LAST_GROUP', `port "${portId}" must stay in at least one security group`);
      return { ...port, groupIds };
    },
    opts,
  );
}

export interface NetworkPortChange {
  name?: string;
  /** Replaces the memberships (empty: none, where the profile allows a port without groups). */
  groupIds?: string[];
  securityEnabled?: boolean;
  virtualIps?: string[];
  /** Replaces the port's addresses with these, drawn from its VPC's subnets. */
  fixedIps?: FixedIpInput[];
  host?: string;
  interface?: string;
  device?: { id: string; owner: string };
}

/**
 * One Neutron port update, in one write: name, memberships, port security, virtual IPs,
 * addresses and binding together, checked as the port they make (a port with port security
 * off holds no groups and no virtual IPs).
 */
export function updateNetworkPort(
  svc: Service,
  p: Principal,
  portId: string,
  change: NetworkPortChange,
  opts: WriteOptions = {},
) {
  return changePort(
    svc,
    p,
    portId,
    'port.update',
    (port, r) => {
      const inst = r.instances.get(port.instanceId)!.value;
      const vpc = inst.vpcId === null ? undefined : r.vpcs.get(inst.vpcId)?.value;
      const base: PortInput =
        change.fixedIps === undefined ? port : { ...port, ipv4: [], ipv6: [], fixedIps: change.fixedIps };
      const addressed = withFixedIps(r, vpc, base, 'body.fixedIps', () => false, port.id);
      const { fixedIps: _f, groupIds: _g, withoutGroups: _w, ...rest } = addressed;
      const next = portOf(
        port.id,
        port.instanceId,
        {
          ...rest,
          ...(change.name !== undefined ? { name: change.name } : {}),
          ...(change.securityEnabled !== undefined ? { securityEnabled: change.securityEnabled } : {}),
          ...(change.virtualIps !== undefined ? { virtualIps: change.virtualIps } : {}),
          ...(change.host !== undefined ? { host: change.host } : {}),
          ...(change.interface !== undefined ? { interface: change.interface } : {}),
          ...(change.device !== undefined ? { device: change.device } : {}),
          createdAt: port.createdAt,
          updatedAt: svc.timestamp(),
        },
        change.groupIds ?? port.groupIds,
      );
      // Port security back on: the default of an absent field is true, so drop the field.
      if (next.securityEnabled === true) delete next.securityEnabled;
      return next;
    },
    opts,
  );
}
