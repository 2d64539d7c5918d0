// AWS EC2 DescribeSecurityGroups JSON: SecurityGroups[] with IpPermissions (inbound) and
// IpPermissionsEgress (outbound), each permission one protocol and port range (FromPort/ToPort;
// ICMP type and code, -1 for any) over lists of peers: IpRanges (CidrIp), Ipv6Ranges (CidrIpv6),
// UserIdGroupPairs (GroupId: the group's members, either family) and PrefixListIds. AWS groups
// allow only and decide together, as Neutron's do. Prefix lists' entries are not part of
// DescribeSecurityGroups: the document carries them beside it, as PrefixLists[] shaped like
// DescribeManagedPrefixLists with GetManagedPrefixListEntries' Entries.
import { cidrFamily } from '../../core/address.js';
import type { AddressGroup, Direction, Ethertype, Rule, SecurityGroup } from '../../core/model.js';
import { protocolNumber } from '../../core/model.js';
import type { RuleInput } from '../../core/rule-input.js';
import { groupOf, type Json, type Policy, Reader, type RenderContext } from './document.js';

const NAMED = new Map<number, string>([
  [6, 'tcp'],
  [17, 'udp'],
  [1, 'icmp'],
  [58, 'icmpv6'],
]);

interface Permission {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges: { CidrIp: string; Description?: string }[];
  Ipv6Ranges: { CidrIpv6: string; Description?: string }[];
  UserIdGroupPairs: { GroupId: string; UserId: string; Description?: string }[];
  PrefixListIds: { PrefixListId: string; Description?: string }[];
}

/** The protocol and ports a rule's permission is keyed by (one permission per port range). */
function heads(rule: Rule): Pick<Permission, 'IpProtocol' | 'FromPort' | 'ToPort'>[] {
  const n = protocolNumber(rule.protocol);
  if (n === null) return [{ IpProtocol: '-1' }];
  const name = NAMED.get(n) ?? String(n);
  if (n === 6 || n === 17) {
    const ranges = rule.ports?.length ? rule.ports : [{ from: 0, to: 65535 }];
    return ranges.map((r) => ({ IpProtocol: name, FromPort: r.from, ToPort: r.to }));
  }
  if (n === 1 || n === 58)
    return [{ IpProtocol: name, FromPort: rule.icmpType ?? -1, ToPort: rule.icmpCode ?? -1 }];
  // Other protocols carry no ports in AWS (an SCTP rule's ports are lost: the proof shows it).
  return [{ IpProtocol: name }];
}

function permissions(rules: Rule[], direction: Direction, tenantId: string): Permission[] {
  const byHead = new Map<string, Permission>();
  const seen = new Set<string>();
  for (const rule of rules.filter((r) => r.direction === direction && r.action === 'allow'))
    for (const head of heads(rule)) {
      const key = JSON.stringify(head);
      let p = byHead.get(key);
      if (!p) {
        p = { ...head, IpRanges: [], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [] };
        byHead.set(key, p);
      }
      const d = rule.description ? { Description: rule.description } : {};
      const r = rule.remote;
      const peer =
        r.kind === 'group'
          ? `g:${r.groupId}`
          : r.kind === 'addressGroup'
            ? `pl:${r.addressGroupId}`
            : `${rule.ethertype}:${r.kind === 'cidr' ? r.cidr : 'any'}`;
      // A group pair covers both families: the IPv4 and IPv6 rules naming a group are one pair.
      if (seen.has(`${key}|${peer}`)) continue;
      seen.add(`${key}|${peer}`);
      if (r.kind === 'group') p.UserIdGroupPairs.push({ GroupId: r.groupId, UserId: tenantId, ...d });
      else if (r.kind === 'addressGroup') p.PrefixListIds.push({ PrefixListId: r.addressGroupId, ...d });
      else if (rule.ethertype === 'IPv4')
        p.IpRanges.push({ CidrIp: r.kind === 'cidr' ? r.cidr : '0.0.0.0/0', ...d });
      else p.Ipv6Ranges.push({ CidrIpv6: r.kind === 'cidr' ? r.cidr : '::/0', ...d });
    }
  return [...byHead.values()];
}

export function renderAws(policy: Policy, ctx: RenderContext) {
  return {
    SecurityGroups: policy.groups.map((g) => ({
      Description: g.description ?? '',
      GroupName: g.name,
      IpPermissions: permissions(g.rules, 'ingress', g.tenantId),
      OwnerId: g.tenantId,
      GroupId: g.id,
      IpPermissionsEgress: permissions(g.rules, 'egress', g.tenantId),
      Tags: Object.entries(g.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      VpcId: g.vpcId ?? '',
    })),
    PrefixLists: policy.addressGroups.map((ag) => ({
      PrefixListId: ag.id,
      PrefixListName: ag.name,
      AddressFamily: ag.ethertype ?? (ag.entries.some((e) => e.includes(':')) ? 'IPv6' : 'IPv4'),
      Entries: ag.entries.map((Cidr) => ({ Cidr })),
    })),
    RegionId: ctx.regionId,
  };
}

function readPermission(
  rd: Reader,
  v: unknown,
  direction: Direction,
  at: string,
  families: Map<string, Ethertype>,
): [RuleInput, string][] {
  const o = rd.object(v, at);
  if (!o) return [];
  const proto = rd.string(o, 'IpProtocol', at, true)?.toLowerCase();
  if (proto === undefined) return [];
  const from = rd.integer(o, 'FromPort', at);
  const to = rd.integer(o, 'ToPort', at);
  let protocol: string | number;
  if (proto === '-1' || proto === 'all') protocol = 'all';
  else if (/^\d{1,3}$/.test(proto) && Number(proto) <= 255)
    protocol = NAMED.get(Number(proto)) ?? Number(proto);
  else if ([...NAMED.values()].includes(proto)) protocol = proto;
  else {
    rd.add(`${at}.IpProtocol`, `"${proto}" is not tcp, udp, icmp, icmpv6, -1 or a protocol number`);
    return [];
  }
  const base: Partial<RuleInput> = {};
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) {
      rd.add(at, `FromPort and ToPort are required for ${protocol}`);
      return [];
    }
    // 0-65535 (or -1, as some tools write it) is every port.
    if (!(from <= 0 && (to >= 65535 || to === -1))) base.ports = [{ from: Math.max(1, from), to }];
  } else if (protocol === 'icmp' || protocol === 'icmpv6') {
    if (from !== undefined && from !== -1) {
      base.icmpType = from;
      if (to !== undefined && to !== -1) base.icmpCode = to;
    } else if (to !== undefined && to !== -1)
      rd.add(`${at}.ToPort`, 'an ICMP code needs an ICMP type (FromPort)');
  }
  const out: [RuleInput, string][] = [];
  const rule = (extra: Partial<RuleInput>, d: Json, where: string): [RuleInput, string] => {
    const description =
      typeof d.Description === 'string' && d.Description !== '' ? { description: d.Description } : {};
    return [{ direction, protocol, ...base, ...extra, ...description } as RuleInput, where];
  };
  const fits = (e: Ethertype) =>
    !((protocol === 'icmp' && e === 'IPv6') || (protocol === 'icmpv6' && e === 'IPv4'));
  rd.each(o, 'IpRanges', at, 'CidrIp', (r, cidr, rat) =>
    out.push(rule({ ethertype: 'IPv4', remoteIpPrefix: cidr }, r, rat)),
  );
  rd.each(o, 'Ipv6Ranges', at, 'CidrIpv6', (r, cidr, rat) =>
    out.push(rule({ ethertype: 'IPv6', remoteIpPrefix: cidr }, r, rat)),
  );
  rd.each(o, 'UserIdGroupPairs', at, 'GroupId', (r, id, rat) => {
    for (const ethertype of ['IPv4', 'IPv6'] as const)
      if (fits(ethertype)) out.push(rule({ ethertype, remoteGroup: id }, r, rat));
  });
  rd.each(o, 'PrefixListIds', at, 'PrefixListId', (r, id, rat) =>
    out.push(rule({ ethertype: families.get(id) ?? 'IPv4', remoteAddressGroup: id }, r, rat)),
  );
  return out;
}

export function parseAws(doc: unknown, at = 'body'): { policy: Policy; rd: Reader } {
  const rd = new Reader();
  const policy: Policy = { groups: [], addressGroups: [] };
  const root = rd.object(doc, at);
  if (!root) return { policy, rd };
  const families = new Map<string, Ethertype>();
  rd.each(root, 'PrefixLists', at, 'PrefixListId', (o, id, pat) => {
    const fam = rd.string(o, 'AddressFamily', pat);
    const entries = rd.list(o, 'Entries', pat).flatMap((e, k) => {
      const eo = rd.object(e, `${pat}.Entries[${k}]`);
      const c = eo && rd.string(eo, 'Cidr', `${pat}.Entries[${k}]`, true);
      return c ? [c] : [];
    });
    const ethertype: Ethertype =
      fam === 'IPv6' || (fam === undefined && entries.some((e) => cidrFamily(e) === 'IPv6'))
        ? 'IPv6'
        : 'IPv4';
    families.set(id, ethertype);
    const ag: AddressGroup = {
      id,
      tenantId: '',
      regionId: '',
      name: rd.string(o, 'PrefixListName', pat) ?? id,
      ethertype,
      entries,
    };
    policy.addressGroups.push(ag);
  });
  rd.each(
    root,
    'SecurityGroups',
    at,
    'GroupId',
    (o, id, gat) => {
      const tags = new Map<string, string>();
      rd.list(o, 'Tags', gat).forEach((t, k) => {
        const to = rd.object(t, `${gat}.Tags[${k}]`);
        const key = to && rd.string(to, 'Key', `${gat}.Tags[${k}]`, true);
        if (to && key) tags.set(key, typeof to.Value === 'string' ? to.Value : '');
      });
      const group: SecurityGroup = groupOf(id, rd.string(o, 'GroupName', gat) ?? id, {
        description: rd.string(o, 'Description', gat),
        tags: Object.fromEntries(tags),
      });
      const inputs = [
        ...rd
          .list(o, 'IpPermissions', gat)
          .flatMap((p, k) => readPermission(rd, p, 'ingress', `${gat}.IpPermissions[${k}]`, families)),
        ...rd
          .list(o, 'IpPermissionsEgress', gat)
          .flatMap((p, k) => readPermission(rd, p, 'egress', `${gat}.IpPermissionsEgress[${k}]`, families)),
      ];
      group.rules = inputs.map(([input, where], k) => rd.rule('openstack', input, `${id}/r${k + 1}`, where));
      policy.groups.push(group);
    },
    true,
  );
  return { policy, rd };
}
