// Subnets: the address ranges of a VPC (Neutron's subnets of a network), kept in the VPC's own
// document, and the fixed addresses of ports drawn from them: a given address is checked to
// lie in its subnet, an address not given is the subnet's next free one.
import {
  canonicalCidr,
  canonicalIp,
  cidrContains,
  cidrFamily,
  ipFamily,
  isNetworkAligned,
  numberToV4,
  v4Range,
  v4ToNumber,
  v6Range,
  v6ToWords,
  wordsToV6,
  type V6,
} from '../../core/address.js';
import type { Subnet, Vpc } from '../../core/model.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Scope } from '../scope.js';
import type { Principal, Service, WriteOptions } from '../service.js';
import { versioned } from '../views.js';
import type { RegionRecord } from '../world.js';

export interface SubnetInput {
  vpcId: string;
  name?: string;
  cidr: string;
  /** Must match the CIDR's family when given. */
  ipVersion?: 4 | 6;
  /** Absent: the subnet's first host address; null: no gateway. */
  gatewayIp?: string | null;
}

/** A visible subnet by id and the VPC holding it. */
export function findSubnet(
  scope: Scope,
  id: string,
): { vpc: Vpc; subnet: Subnet; revision: number } | undefined {
  for (const r of scope.regions())
    for (const v of r.vpcs()) {
      const subnet = v.value.subnets?.find((s) => s.id === id);
      if (subnet) return { vpc: v.value, subnet, revision: v.revision };
    }
  return undefined;
}

const familyOf = (version: 4 | 6) => (version === 4 ? 'IPv4' : 'IPv6');

/** The addresses of a subnet as numbers (IPv6 as a bigint of its four words). */
function bounds(cidr: string): [bigint, bigint] {
  if (cidrFamily(cidr) === 'IPv4') {
    const [lo, hi] = v4Range(cidr);
    return [BigInt(lo), BigInt(hi)];
  }
  const [lo, hi] = v6Range(cidr);
  return [wordsToBig(lo), wordsToBig(hi)];
}

const wordsToBig = (w: V6) => w.reduce((n, word) => (n << 32n) | BigInt(word), 0n);
const bigToWords = (n: bigint): V6 => [96n, 64n, 32n, 0n].map((s) => Number((n >> s) & 0xffffffffn)) as V6;
const toNumber = (ip: string) =>
  ipFamily(ip) === 'IPv4' ? BigInt(v4ToNumber(ip)) : wordsToBig(v6ToWords(ip));
const toText = (n: bigint, v6: boolean) => (v6 ? wordsToV6(bigToWords(n)) : numberToV4(Number(n)));

/**
 * The addresses a port may hold in a subnet: not the network address and, in IPv4, not the
 * broadcast address (a /31 or /32 has no such addresses to spare), as Neutron's IPAM checks.
 */
function usable(subnet: Subnet, ip: string): boolean {
  if (!cidrContains(subnet.cidr, ip)) return false;
  const [lo, hi] = bounds(subnet.cidr);
  const n = toNumber(ip);
  const prefix = Number(subnet.cidr.split('/')[1]);
  if (subnet.ipVersion === 4 && prefix >= 31) return true;
  if (n === lo) return false;
  return !(subnet.ipVersion === 4 && n === hi);
}

export function createSubnet(svc: Service, p: Principal, input: SubnetInput, opts: WriteOptions = {}) {
  return svc.write(p, opts, (_w, scope) => {
    const found = scope.vpc(input.vpcId);
    if (!found) throw notFound('vpc', input.vpcId);
    const vpc = found.vpc.value;
    const family = cidrFamily(input.cidr);
    if (!family || !input.cidr.includes('/'))
      throw badRequest('INVALID_CIDR', 'body.cidr', `body.cidr "${input.cidr}" is not a valid CIDR`, {
        value: input.cidr,
      });
    const cidr = canonicalCidr(input.cidr);
    if (!isNetworkAligned(input.cidr))
      throw badRequest(
        'INVALID_CIDR',
        'body.cidr',
        `body.cidr "${input.cidr}" has host bits set; "${cidr}" is the network`,
        { value: input.cidr },
      );
    if (cidr.endsWith('/0'))
      throw badRequest('INVALID_CIDR', 'body.cidr', 'body.cidr: 0 is not allowed as CIDR prefix length', {
        value: input.cidr,
      });
    const ipVersion = input.ipVersion ?? (family === 'IPv4' ? 4 : 6);
    if (familyOf(ipVersion) !== family)
      throw badRequest(
        'CIDR_ETHERTYPE_MISMATCH',
        'body.cidr',
        `body.cidr "${input.cidr}" is not an IPv${ipVersion} CIDR`,
        { value: input.cidr },
      );
    const [lo, hi] = bounds(cidr);
    const overlapping = (vpc.subnets ?? []).find((s) => {
      if (s.ipVersion !== ipVersion) return false;
      const [a, b] = bounds(s.cidr);
      return a <= hi && lo <= b;
    });
    if (overlapping)
      throw badRequest(
        'SUBNET_OVERLAP',
        'body.cidr',
        `body.cidr "${cidr}" overlaps subnet ${overlapping.id} of VPC ${vpc.id}`,
        { value: cidr, resource: 'vpc', id: vpc.id },
      );
    let gatewayIp: string | null;
    if (input.gatewayIp === null) gatewayIp = null;
    else if (input.gatewayIp === undefined) gatewayIp = toText(lo + 1n, ipVersion === 6);
    else {
      if (ipFamily(input.gatewayIp) !== family || !cidrContains(cidr, input.gatewayIp))
        throw badRequest(
          'ADDRESS_OUTSIDE_SUBNET',
          'body.gatewayIp',
          `body.gatewayIp "${input.gatewayIp}" is not an address of ${cidr}`,
          { value: input.gatewayIp },
        );
      gatewayIp = canonicalIp(input.gatewayIp);
    }
    const subnet: Subnet = {
      id: newId('subnet'),
      name: input.name ?? '',
      cidr,
      ipVersion,
      gatewayIp,
      createdAt: svc.timestamp(),
    };
    const next: Vpc = { ...vpc, subnets: [...(vpc.subnets ?? []), subnet] };
    return {
      action: 'subnet.create',
      regionId: vpc.regionId,
      tenantId: vpc.tenantId,
      targetId: subnet.id,
      events: [{ op: 'vpc.put', vpc: next }],
      after: (rev) => ({ ...versioned(subnet, rev), vpcId: vpc.id }),
    };
  });
}

/** Which ports of a VPC hold an address of the subnet. */
function portsIn(r: RegionRecord, vpcId: string, subnet: Subnet): string[] {
  const out: string[] = [];
  for (const { value: inst } of r.instances.values()) {
    if (inst.vpcId !== vpcId) continue;
    for (const port of inst.ports)
      if ([...port.ipv4, ...port.ipv6].some((ip) => cidrContains(subnet.cidr, ip))) out.push(port.id);
  }
  return out;
}

function subnetOrThrow(scope: Scope, id: string) {
  const found = findSubnet(scope, id);
  if (!found) throw notFound('subnet', id);
  return found;
}

export function updateSubnet(
  svc: Service,
  p: Principal,
  id: string,
  input: { name?: string },
  opts: WriteOptions = {},
) {
  return svc.write(p, opts, (_w, scope) => {
    const { vpc, subnet } = subnetOrThrow(scope, id);
    const changed: Subnet = { ...subnet, ...(input.name !== undefined ? { name: input.name } : {}) };
    const next: Vpc = { ...vpc, subnets: (vpc.subnets ?? []).map((s) => (s.id === id ? changed : s)) };
    return {
      action: 'subnet.update',
      regionId: vpc.regionId,
      tenantId: vpc.tenantId,
      targetId: id,
      events: [{ op: 'vpc.put', vpc: next }],
      before: subnet,
      after: (rev) => ({ ...versioned(changed, rev), vpcId: vpc.id }),
      status: 200,
    };
  });
}

export function deleteSubnet(svc: Service, p: Principal, id: string, opts: WriteOptions = {}) {
  return svc.write(p, opts, (w, scope) => {
    const { vpc, subnet } = subnetOrThrow(scope, id);
    const users = portsIn(w.regions.get(vpc.regionId)!, vpc.id, subnet);
    if (users.length)
      throw conflict(
        'SUBNET_IN_USE',
        `subnet "${id}" holds addresses of ports ${users.slice(0, 5).join(', ')}${users.length > 5 ? ', ...' : ''}`,
        { resource: 'subnet', id },
      );
    const next: Vpc = { ...vpc, subnets: (vpc.subnets ?? []).filter((s) => s.id !== id) };
    return {
      action: 'subnet.delete',
      regionId: vpc.regionId,
      tenantId: vpc.tenantId,
      targetId: id,
      events: [{ op: 'vpc.put', vpc: next }],
      before: subnet,
      after: () => null,
      status: 204,
    };
  });
}

// ---- fixed addresses ----

export interface FixedIpInput {
  subnetId?: string;
  ipAddress?: string;
}

/**
 * A port's fixed addresses in its VPC's subnets: each given address must be a usable address
 * of its subnet (the one named, or the VPC's subnet holding it); an entry naming only a subnet
 * (and an empty list: the VPC's first subnet) gets the subnet's lowest free address. `taken`
 * says whether another port holds an address already. Paths name the entries as `at[i]`.
 */
export function resolveFixedIps(
  vpc: Vpc,
  fixedIps: FixedIpInput[] | undefined,
  taken: (ip: string) => boolean,
  at: string,
): { ipv4: string[]; ipv6: string[] } {
  const subnets = vpc.subnets ?? [];
  const wanted: FixedIpInput[] = fixedIps ?? (subnets.length ? [{ subnetId: subnets[0].id }] : []);
  const chosen: { ip: string; subnet: Subnet }[] = [];
  const inRequest = (ip: string) => chosen.some((c) => c.ip === ip);
  // Given addresses first, so an allocation never takes one the request names later.
  const order = wanted.map((f, i) => ({ f, i })).sort((a, b) => +!a.f.ipAddress - +!b.f.ipAddress);
  for (const { f, i } of order) {
    const path = `${at}[${i}]`;
    let subnet: Subnet | undefined;
    if (f.subnetId !== undefined) {
      subnet = subnets.find((s) => s.id === f.subnetId);
      if (!subnet)
        throw badRequest(
          'UNKNOWN_SUBNET',
          `${path}.subnetId`,
          `${path}.subnetId "${f.subnetId}" is not a subnet of VPC ${vpc.id}`,
          { resource: 'subnet', id: f.subnetId },
        );
    }
    if (f.ipAddress !== undefined) {
      const family = ipFamily(f.ipAddress);
      if (!family)
        throw badRequest(
          'INVALID_ADDRESS',
          `${path}.ipAddress`,
          `${path}.ipAddress "${f.ipAddress}" is not an IP address`,
          {
            value: f.ipAddress,
          },
        );
      const ip = canonicalIp(f.ipAddress);
      subnet ??= subnets.find((s) => familyOf(s.ipVersion) === family && cidrContains(s.cidr, ip));
      if (!subnet || !usable(subnet, ip))
        throw badRequest(
          'ADDRESS_OUTSIDE_SUBNET',
          `${path}.ipAddress`,
          `${path}.ipAddress "${ip}" is not a usable address of ${subnet ? `subnet ${subnet.id}` : `any subnet of VPC ${vpc.id}`}`,
          { value: ip, ...(subnet ? { resource: 'subnet' as const, id: subnet.id } : {}) },
        );
      if (ip === subnet.gatewayIp || inRequest(ip))
        throw conflict('ADDRESS_IN_USE', `${path}: address ${ip} is already in use`, {
          value: ip,
          id: vpc.id,
        });
      chosen.push({ ip, subnet });
      continue;
    }
    if (!subnet) throw badRequest('MISSING_FIELD', path, `${path} names neither a subnet nor an address`);
    chosen.push({ ip: allocate(subnet, (ip) => taken(ip) || inRequest(ip), vpc.id, path), subnet });
  }
  // Back in the request's order.
  const byIndex = order.map(({ i }, k) => ({ i, c: chosen[k] })).sort((a, b) => a.i - b.i);
  const ips = byIndex.map(({ c }) => c);
  return {
    ipv4: ips.filter((c) => c.subnet.ipVersion === 4).map((c) => c.ip),
    ipv6: ips.filter((c) => c.subnet.ipVersion === 6).map((c) => c.ip),
  };
}

/** The lowest usable, free address of a subnet other than its gateway (at most 65,536 looked at). */
function allocate(subnet: Subnet, taken: (ip: string) => boolean, vpcId: string, path: string): string {
  const [lo, hi] = bounds(subnet.cidr);
  const v6 = subnet.ipVersion === 6;
  for (let n = lo, seen = 0; n <= hi && seen < 65_536; n++, seen++) {
    const ip = toText(n, v6);
    if (ip === subnet.gatewayIp || !usable(subnet, ip) || taken(ip)) continue;
    return ip;
  }
  throw conflict('NO_FREE_ADDRESS', `${path}: subnet ${subnet.id} has no free address`, {
    resource: 'subnet',
    id: subnet.id,
    value: vpcId,
  });
}

/** The subnet of a VPC an address of a port lies in (how Neutron shows fixed_ips[].subnet_id). */
export function subnetOf(vpc: Pick<Vpc, 'subnets'> | undefined, ip: string): Subnet | undefined {
  return vpc?.subnets?.find((s) => cidrContains(s.cidr, ip));
}
