// A "permission" (an ECS security group rule as the API names its fields) and the native rule:
// parsing one from the legacy top-level fields or a Permissions.N record, with the ECS errors
// for each bad field, and rendering a native rule back as a Permission.
import { cidrFamily } from '../../core/address.js';
import { own } from '../../core/own.js';
import type { Direction, Ethertype, Rule } from '../../core/model.js';
import type { RuleInput } from '../../core/rule-input.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { GroupRecord } from '../../control/world.js';
import { AliError, missing } from './errors.js';
import type { Params } from './params.js';

/** The rule fields of AuthorizeSecurityGroup(Egress) that may also stand at the top level. */
export const RULE_FIELDS = [
  'IpProtocol',
  'PortRange',
  'SourcePortRange',
  'SourceCidrIp',
  'Ipv6SourceCidrIp',
  'SourceGroupId',
  'SourceGroupOwnerAccount',
  'SourceGroupOwnerId',
  'SourcePrefixListId',
  'DestCidrIp',
  'Ipv6DestCidrIp',
  'DestGroupId',
  'DestGroupOwnerAccount',
  'DestGroupOwnerId',
  'DestPrefixListId',
  'Policy',
  'Priority',
  'NicType',
  'Description',
  'PortRangeListId',
] as const;

export type Fields = Map<string, string>;

/** A permission as given: its fields and the parameter prefix that names them in errors. */
export interface GivenPermission {
  fields: Fields;
  /** "" for the legacy top-level form, "Permissions.N." for the array form. */
  at: string;
}

/** The permissions of a request: the legacy top-level fields or Permissions.N, never both. */
export function givenPermissions(params: Params): GivenPermission[] {
  const legacy = new Map<string, string>();
  for (const f of RULE_FIELDS) {
    const v = params.get(f);
    if (v !== undefined) legacy.set(f, v);
  }
  const listed = params.objects('Permissions');
  if (listed.length && legacy.size)
    throw new AliError(
      400,
      'InvalidParam.Permissions',
      'The specified parameter Permissions cannot coexist with other parameters.',
    );
  if (listed.length > 100)
    throw new AliError(
      400,
      'InvalidParam.Permissions',
      'The specified parameter Permissions has more than 100 items.',
    );
  if (listed.length) return listed.map(({ index, fields }) => ({ fields, at: `Permissions.${index}.` }));
  return legacy.size ? [{ fields: legacy, at: '' }] : [];
}

const PROTOCOL_NAMES = new Map<string, RuleInput['protocol']>([
  ['tcp', 'tcp'],
  ['udp', 'udp'],
  ['icmp', 'icmp'],
  ['icmpv6', 'icmpv6'],
  ['gre', 'gre'],
  ['all', 'all'],
]);
const PROTOCOL_BY_NUMBER: Record<number, string> = {
  6: 'tcp',
  17: 'udp',
  1: 'icmp',
  58: 'icmpv6',
  47: 'gre',
};

function protocolOf(value: string | undefined, at: string): RuleInput['protocol'] {
  if (value === undefined) throw missing(`${at}IpProtocol`);
  const lower = value.toLowerCase();
  const named = PROTOCOL_NAMES.get(lower);
  if (named !== undefined) return named;
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) {
    const n = Number(lower);
    return PROTOCOL_BY_NUMBER[n] ?? n;
  }
  if (!/^[a-z0-9]+$/.test(lower))
    throw new AliError(
      400,
      'InvalidIpProtocol.Malformed',
      `The specified parameter ${at}IpProtocol is not valid.`,
    );
  throw new AliError(
    400,
    'InvalidIpProtocol.ValueNotSupported',
    `The parameter ${at}IpProtocol must be specified with case insensitive TCP, UDP, ICMP, ICMPv6, GRE or All.`,
  );
}

const PORTED = new Set(['tcp', 'udp']);

/** "a/b" → a range; "-1/-1" → null (all); undefined when malformed. */
function parseRange(text: string): { from: number; to: number } | null | undefined {
  if (text === '-1/-1') return null;
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  return { from: Number(m[1]), to: Number(m[2]) };
}

function portsOf(protocol: RuleInput['protocol'], value: string | undefined, at: string) {
  const name = `${at}PortRange`;
  if (typeof protocol === 'string' && PORTED.has(protocol)) {
    if (value === undefined)
      throw new AliError(400, 'InvalidPortRange.Malformed', `The specified parameter ${name} must set.`);
    const range = parseRange(value);
    if (range === undefined)
      throw new AliError(
        400,
        'InvalidParam.PortRange',
        `The specified parameter ${name} is not valid. It should be two integers less than 65535 in ?/? format.`,
      );
    if (range === null || range.from < 1 || range.to > 65535 || range.from > range.to)
      throw new AliError(
        400,
        'InvalidPortRange.Malformed',
        `The specified parameter ${name} is not valid: ${String(protocol).toUpperCase()} takes a range a/b with 1 <= a <= b <= 65535.`,
      );
    return [range];
  }
  if (value !== undefined && value !== '-1/-1')
    throw new AliError(
      400,
      'InvalidPortRange.Malformed',
      `The specified parameter ${name} is not valid: ${String(protocol).toUpperCase()} rules take -1/-1.`,
    );
  return undefined;
}

function sourcePortsOf(protocol: RuleInput['protocol'], value: string | undefined, at: string) {
  if (value === undefined || value === '-1/-1') return undefined;
  const range = parseRange(value);
  const bad = () =>
    new AliError(
      400,
      'InvalidSourcePortRange.Malformed',
      `The specified parameter ${at}SourcePortRange is not valid.`,
    );
  if (typeof protocol !== 'string' || !PORTED.has(protocol) || !range) throw bad();
  if (range.from < 1 || range.to > 65535 || range.from > range.to) throw bad();
  return [range];
}

function policyOf(value: string | undefined, at: string): 'allow' | 'deny' {
  if (value === undefined) return 'allow';
  const lower = value.toLowerCase();
  if (lower === 'accept') return 'allow';
  if (lower === 'drop') return 'deny';
  throw new AliError(400, 'InvalidPolicy.Malformed', `The specified parameter ${at}Policy is not valid.`);
}

function priorityOf(value: string | undefined, at: string, matching: boolean): number {
  if (value === undefined) return 1;
  // Default-group rules sit at 110: a revoke may name them by that priority.
  if (matching && value === '110') return 110;
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 100)
    throw new AliError(400, 'InvalidPriority.Malformed', `The parameter ${at}Priority is invalid.`);
  return Number(value);
}

/**
 * Which account's group a permission names. An ECS account is a Palisade tenant: its id is the
 * tenant id (…OwnerId, …OwnerAccount), its name the tenant's name (…OwnerAccount). Without an
 * owner the group is the caller's own (ECS: "access permissions are configured for another
 * security group managed by your account"); with one, it is that account's group. Whether the
 * caller may use another account's group at all is the service's question (a share).
 */
function checkGroupOwner(
  region: ScopedRegion,
  groupId: string,
  account: string | undefined,
  ownerId: string | undefined,
  far: 'Source' | 'Dest',
): void {
  const notFound = () =>
    new AliError(
      404,
      `Invalid${far}GroupId.NotFound`,
      `The ${far}GroupId provided does not exist in our records.`,
    );
  const owner = region.ownerOfReadableGroup(groupId);
  // A group the caller cannot read at all: the service refuses it as any unknown group.
  if (!owner) return;
  if (account === undefined && ownerId === undefined) {
    if (!region.group(groupId)) throw notFound();
    return;
  }
  if (account !== undefined && account !== owner.id && account !== owner.name) throw notFound();
  if (ownerId !== undefined && ownerId !== owner.id) throw notFound();
}

export interface ParseOptions {
  direction: Direction;
  group: GroupRecord;
  region: ScopedRegion;
  /** Revoke by match: the permission names an existing rule, which may be a default one. */
  matching?: boolean;
}

/** One permission → the native rule input, or the ECS error for its first bad field. */
export function permissionToRule(given: GivenPermission, o: ParseOptions): RuleInput {
  const { fields, at } = given;
  const f = (name: string) => {
    const v = fields.get(name);
    return v === undefined || v === '' ? undefined : v;
  };
  const protocol = protocolOf(f('IpProtocol'), at);
  const ports = portsOf(protocol, f('PortRange'), at);
  const sourcePorts = sourcePortsOf(protocol, f('SourcePortRange'), at);
  const action = policyOf(f('Policy'), at);
  const advanced = o.group.meta.type === 'advanced';
  // Enterprise (advanced) groups have no priorities: every rule is at 1.
  const priority = advanced ? 1 : priorityOf(f('Priority'), at, o.matching === true);
  if (f('PortRangeListId') !== undefined)
    throw new AliError(
      400,
      'InvalidPortRangeListId.NotFound',
      'The specified port range list was not found.',
    );
  const description = f('Description');
  if (description !== undefined && (description.length > 512 || /^https?:\/\//.test(description)))
    throw new AliError(
      400,
      'InvalidSecurityGroupDiscription.Malformed',
      `The specified security group rule description ${at}Description is not valid.`,
    );

  // The far side: Source* for ingress, Dest* for egress; the near side (quintuple rules) is not modelled.
  const far = o.direction === 'ingress' ? 'Source' : 'Dest';
  const near = o.direction === 'ingress' ? 'Dest' : 'Source';
  for (const name of [`${near}CidrIp`, `Ipv6${near}CidrIp`]) {
    if (f(name) !== undefined)
      throw new AliError(
        400,
        `InvalidParam.${near}CidrIp`,
        `The specified parameter ${at}${name} is not valid: Palisade rules have no local address range (quintuple rules are not supported).`,
      );
  }
  const v4 = f(`${far}CidrIp`);
  const v6 = f(`Ipv6${far}CidrIp`);
  const groupId = f(`${far}GroupId`);
  const prefixList = f(`${far}PrefixListId`);
  if (v4 !== undefined && v6 !== undefined)
    throw new AliError(
      400,
      `InvalidParam.${far}Ip`,
      `The Parameters ${far}CidrIp and Ipv6${far}CidrIp in ${at || 'the request'} cannot be set at the same time.`,
    );
  let remote: Pick<RuleInput, 'remoteIpPrefix' | 'remoteGroup' | 'remoteAddressGroup'>;
  let ethertype: Ethertype = 'IPv4';
  if (v4 !== undefined) {
    if (cidrFamily(v4) !== 'IPv4')
      throw new AliError(
        400,
        `Invalid${far}CidrIp.Malformed`,
        `The specified parameter ${at}${far}CidrIp is not valid.`,
      );
    remote = { remoteIpPrefix: v4 };
  } else if (v6 !== undefined) {
    if (cidrFamily(v6) !== 'IPv6')
      throw new AliError(
        400,
        `InvalidParam.Ipv6${far}CidrIp`,
        `The specified parameter ${at}Ipv6${far}CidrIp is not valid.`,
      );
    remote = { remoteIpPrefix: v6 };
    ethertype = 'IPv6';
  } else if (groupId !== undefined) {
    checkGroupOwner(o.region, groupId, f(`${far}GroupOwnerAccount`), f(`${far}GroupOwnerId`), far);
    remote = { remoteGroup: groupId };
  } else if (prefixList !== undefined) {
    remote = { remoteAddressGroup: prefixList };
    ethertype = o.region.addressGroup(prefixList)?.value.ethertype ?? 'IPv4';
  } else {
    throw new AliError(
      400,
      `MissingParameter.${far}`,
      `One of the parameters ${far}CidrIp, Ipv6${far}CidrIp, ${far}GroupId or ${far}PrefixListId in ${at || 'the request'} must be specified.`,
    );
  }
  if (protocol === 'icmp' && ethertype === 'IPv6')
    throw new AliError(
      400,
      'InvalidParam.Ipv4ProtocolConflictWithIpv6Address',
      'IPv6 address cannot be specified for IPv4-specific protocol.',
    );
  if (protocol === 'icmpv6' && ethertype === 'IPv4')
    throw new AliError(
      400,
      'InvalidParam.Ipv6ProtocolConflictWithIpv4Address',
      'IPv4 address cannot be specified for IPv6-specific protocol.',
    );

  // NIC type: VPC rules are intranet rules; classic ones default to internet unless the peer is a group.
  const nic = f('NicType')?.toLowerCase();
  if (nic !== undefined && nic !== 'internet' && nic !== 'intranet')
    throw new AliError(
      400,
      'InvalidNicType.ValueNotSupported',
      `The specified parameter ${at}NicType is not valid.`,
    );
  const classic = o.group.meta.vpcId === null;
  const groupPeer = remote.remoteGroup !== undefined;
  if (classic && groupPeer && nic === 'internet')
    throw new AliError(
      403,
      `Invalid${far}GroupId.Mismatch`,
      'NicType is required or NicType expects intranet.',
    );
  const nicType: 'internet' | 'intranet' =
    !classic || groupPeer ? 'intranet' : ((nic ?? 'internet') as 'internet');

  const input: RuleInput = {
    direction: o.direction,
    ethertype,
    protocol,
    ...remote,
    action,
    priority,
    nicType,
  };
  if (ports) input.ports = ports;
  if (sourcePorts) input.sourcePorts = sourcePorts;
  if (description !== undefined) input.description = description;
  return input;
}

const PROTOCOL_LABEL: Record<string, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  gre: 'GRE',
  all: 'ALL',
  sctp: 'SCTP',
};

const rangeText = (rs: Rule['ports']) => (rs ?? []).map((r) => `${r.from}/${r.to}`).join(',');

/** A native rule as an ECS Permission (unset fields are ""). */
/** One side (source or destination) of a Permission with no peer: every field empty. */
const noPeer = () => ({
  CidrIp: '',
  Ipv6CidrIp: '',
  GroupId: '',
  GroupName: '',
  GroupOwnerAccount: '',
  PrefixListId: '',
  PrefixListName: '',
});

/** `region` names the rule's remote group or prefix list (absent: names are left empty). */
export function ruleToPermission(rule: Rule, region?: ScopedRegion): Record<string, unknown> {
  const protocol =
    typeof rule.protocol === 'number'
      ? String(rule.protocol)
      : (own(PROTOCOL_LABEL, rule.protocol) ?? rule.protocol.toUpperCase());
  const ported = rule.protocol === 'tcp' || rule.protocol === 'udp' || rule.protocol === 'sctp';
  const side = noPeer();
  const remote = rule.remote;
  if (remote.kind === 'any') {
    if (rule.ethertype === 'IPv4') side.CidrIp = '0.0.0.0/0';
    else side.Ipv6CidrIp = '::/0';
  } else if (remote.kind === 'cidr') {
    if (cidrFamily(remote.cidr) === 'IPv6') side.Ipv6CidrIp = remote.cidr;
    else side.CidrIp = remote.cidr;
  } else if (remote.kind === 'group') {
    side.GroupId = remote.groupId;
    side.GroupName = region?.readableGroup(remote.groupId)?.meta.name ?? '';
    // Another account's group (shared with the caller) names its owner; the caller's own, none.
    if (region && !region.group(remote.groupId))
      side.GroupOwnerAccount = region.ownerOfReadableGroup(remote.groupId)?.id ?? '';
  } else {
    side.PrefixListId = remote.addressGroupId;
    side.PrefixListName = region?.addressGroup(remote.addressGroupId)?.value.name ?? '';
  }
  const empty = noPeer();
  const source = rule.direction === 'ingress' ? side : empty;
  const dest = rule.direction === 'egress' ? side : empty;
  return {
    SecurityGroupRuleId: rule.id,
    Direction: rule.direction,
    IpProtocol: protocol,
    PortRange: rule.ports?.length ? rangeText(rule.ports) : ported ? '1/65535' : '-1/-1',
    SourcePortRange: rule.sourcePorts?.length ? rangeText(rule.sourcePorts) : '',
    SourceCidrIp: source.CidrIp,
    Ipv6SourceCidrIp: source.Ipv6CidrIp,
    SourceGroupId: source.GroupId,
    SourceGroupName: source.GroupName,
    SourceGroupOwnerAccount: source.GroupOwnerAccount,
    SourcePrefixListId: source.PrefixListId,
    SourcePrefixListName: source.PrefixListName,
    DestCidrIp: dest.CidrIp,
    Ipv6DestCidrIp: dest.Ipv6CidrIp,
    DestGroupId: dest.GroupId,
    DestGroupName: dest.GroupName,
    DestGroupOwnerAccount: dest.GroupOwnerAccount,
    DestPrefixListId: dest.PrefixListId,
    DestPrefixListName: dest.PrefixListName,
    Policy: rule.action === 'deny' ? 'Drop' : 'Accept',
    // A string in the ECS models (the Go and Python SDKs refuse a number).
    Priority: String(rule.priority),
    NicType: rule.nicType,
    Description: rule.description ?? '',
    CreateTime: rule.createdAt ?? '',
    PortRangeListId: '',
    PortRangeListName: '',
  };
}

/** A stored rule as the request fields that would recreate it (for ModifySecurityGroupRule). */
export function ruleToFields(rule: Rule, region: ScopedRegion): Fields {
  const p = ruleToPermission(rule, region);
  const out: Fields = new Map();
  for (const name of RULE_FIELDS) {
    const v = p[name];
    if (typeof v === 'string' && v !== '') out.set(name, v);
    else if (typeof v === 'number') out.set(name, String(v));
  }
  // A rule that matches any address has no CIDR of its own to restate.
  if (rule.remote.kind === 'any') {
    out.delete('SourceCidrIp');
    out.delete('Ipv6SourceCidrIp');
    out.delete('DestCidrIp');
    out.delete('Ipv6DestCidrIp');
    const far = rule.direction === 'ingress' ? 'Source' : 'Dest';
    out.set(
      rule.ethertype === 'IPv4' ? `${far}CidrIp` : `Ipv6${far}CidrIp`,
      rule.ethertype === 'IPv4' ? '0.0.0.0/0' : '::/0',
    );
  }
  if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') out.delete('SourcePortRange');
  // The priority is restated by the caller: stored rules may sit at 110 (default-group rules),
  // which a request may not ask for.
  out.delete('Priority');
  return out;
}

/** Which kind of far side a permission's fields name (cidr, group, prefix list). */
export function peerKind(fields: Fields, direction: Direction): 'cidr' | 'group' | 'prefixList' | undefined {
  const far = direction === 'ingress' ? 'Source' : 'Dest';
  if (fields.get(`${far}CidrIp`) || fields.get(`Ipv6${far}CidrIp`)) return 'cidr';
  if (fields.get(`${far}GroupId`)) return 'group';
  if (fields.get(`${far}PrefixListId`)) return 'prefixList';
  return undefined;
}
