// Alibaba ECS JSON: one DescribeSecurityGroupAttribute answer per group (Permissions.Permission[]
// with Policy, Priority, PortRange "from/to", SourcePortRange, Source*/Dest* peers, NicType), the
// group's type as DescribeSecurityGroups names it (normal, enterprise), and the prefix lists
// (DescribePrefixListAttributes: Entries.Entry[].Cidr). Permissions are rendered by the ECS
// front end's own ruleToPermission.
import type { AddressGroup, Direction, Ethertype } from '../../core/model.js';
import type { RuleInput } from '../../core/rule-input.js';
import { ruleToPermission } from '../alibaba/permissions.js';
import { groupOf, type Json, type Policy, Reader, type RenderContext } from './document.js';

export function renderAlibaba(policy: Policy, ctx: RenderContext) {
  const names = new Map(policy.groups.map((g) => [g.id, g.name]));
  const lists = new Map(policy.addressGroups.map((a) => [a.id, a.name]));
  return {
    RegionId: ctx.regionId,
    SecurityGroups: policy.groups.map((g) => ({
      RegionId: ctx.regionId,
      SecurityGroupId: g.id,
      SecurityGroupName: g.name,
      SecurityGroupType: g.type === 'advanced' ? 'enterprise' : 'normal',
      Description: g.description ?? '',
      VpcId: g.vpcId ?? '',
      InnerAccessPolicy: g.innerAccessPolicy,
      Permissions: {
        Permission: g.rules.map((rule) => {
          const p = ruleToPermission(rule);
          // Names of the document's own groups and prefix lists (the view names the region's).
          const ingress = rule.direction === 'ingress';
          if (rule.remote.kind === 'group') {
            const name = names.get(rule.remote.groupId) ?? '';
            if (ingress) p.SourceGroupName = name;
            else p.DestGroupName = name;
          }
          if (rule.remote.kind === 'addressGroup') {
            const name = lists.get(rule.remote.addressGroupId) ?? '';
            if (ingress) p.SourcePrefixListName = name;
            else p.DestPrefixListName = name;
          }
          return p;
        }),
      },
    })),
    PrefixLists: policy.addressGroups.map((ag) => ({
      PrefixListId: ag.id,
      PrefixListName: ag.name,
      AddressFamily: ag.ethertype ?? 'IPv4',
      MaxEntries: ag.maxEntries ?? ag.entries.length,
      Description: ag.description ?? '',
      Entries: { Entry: ag.entries.map((Cidr) => ({ Cidr, Description: '' })) },
    })),
  };
}

const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'all', 'sctp']);

/** "22/22", "1/65535", "-1/-1" (all) → ranges; undefined: all ports. */
function rangesOf(rd: Reader, text: string | undefined, at: string, ported: boolean) {
  if (text === undefined) return undefined;
  const out: { from: number; to: number }[] = [];
  for (const part of text.split(',')) {
    const m = /^(-?\d{1,5})\/(-?\d{1,5})$/.exec(part.trim());
    if (!m) {
      rd.add(at, `"${text}" is not a range like 22/22 or -1/-1`);
      return undefined;
    }
    const [from, to] = [Number(m[1]), Number(m[2])];
    if (from === -1 && to === -1) return undefined;
    if (ported && from <= 1 && to === 65535) return undefined;
    out.push({ from, to });
  }
  return out;
}

function readPermission(
  rd: Reader,
  o: Json,
  at: string,
  addressFamilies: Map<string, Ethertype>,
): RuleInput | null {
  const direction = rd.string(o, 'Direction', at, true)?.toLowerCase() as Direction | undefined;
  if (direction !== 'ingress' && direction !== 'egress') {
    if (direction !== undefined) rd.add(`${at}.Direction`, 'must be ingress or egress');
    return null;
  }
  const raw = rd.string(o, 'IpProtocol', at, true)?.toLowerCase();
  let protocol: string | number = 'all';
  if (raw !== undefined) {
    if (PROTOCOLS.has(raw)) protocol = raw;
    else if (/^\d{1,3}$/.test(raw) && Number(raw) <= 255) protocol = Number(raw);
    else rd.add(`${at}.IpProtocol`, `"${raw}" is not TCP, UDP, ICMP, ICMPv6, GRE, ALL or a protocol number`);
  }
  const ported = protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp';
  const far = direction === 'ingress' ? 'Source' : 'Dest';
  const input: RuleInput = { direction, protocol };
  const ports = rangesOf(rd, rd.string(o, 'PortRange', at), `${at}.PortRange`, ported);
  if (ports && ported) input.ports = ports;
  const sourcePorts = rangesOf(rd, rd.string(o, 'SourcePortRange', at), `${at}.SourcePortRange`, true);
  if (sourcePorts && ported) input.sourcePorts = sourcePorts;
  const v4 = rd.string(o, `${far}CidrIp`, at);
  const v6 = rd.string(o, `Ipv6${far}CidrIp`, at);
  const group = rd.string(o, `${far}GroupId`, at);
  const list = rd.string(o, `${far}PrefixListId`, at);
  if (v4 !== undefined) Object.assign(input, { remoteIpPrefix: v4, ethertype: 'IPv4' });
  else if (v6 !== undefined) Object.assign(input, { remoteIpPrefix: v6, ethertype: 'IPv6' });
  else if (group !== undefined) input.remoteGroup = group;
  else if (list !== undefined)
    Object.assign(input, { remoteAddressGroup: list, ethertype: addressFamilies.get(list) ?? 'IPv4' });
  else rd.add(at, `one of ${far}CidrIp, Ipv6${far}CidrIp, ${far}GroupId or ${far}PrefixListId is required`);
  if (protocol === 'icmpv6' && input.remoteGroup !== undefined) input.ethertype = 'IPv6';
  const policy = rd.string(o, 'Policy', at)?.toLowerCase();
  if (policy !== undefined && !['accept', 'drop', 'allow', 'deny'].includes(policy))
    rd.add(`${at}.Policy`, 'must be Accept or Drop');
  input.action = policy === 'drop' || policy === 'deny' ? 'deny' : 'allow';
  const priority = rd.integer(o, 'Priority', at);
  if (priority !== undefined) input.priority = priority;
  const nic = rd.string(o, 'NicType', at)?.toLowerCase();
  if (nic === 'internet' || nic === 'intranet') input.nicType = nic;
  const description = rd.string(o, 'Description', at);
  if (description !== undefined) input.description = description;
  return input;
}

export function parseAlibaba(doc: unknown, at = 'body'): { policy: Policy; rd: Reader } {
  const rd = new Reader();
  const policy: Policy = { groups: [], addressGroups: [] };
  const root = rd.object(doc, at);
  if (!root) return { policy, rd };
  const families = new Map<string, Ethertype>();
  rd.each(root, 'PrefixLists', at, 'PrefixListId', (o, id, pat) => {
    const ethertype: Ethertype = rd.string(o, 'AddressFamily', pat) === 'IPv6' ? 'IPv6' : 'IPv4';
    families.set(id, ethertype);
    const entries = rd.object(o.Entries ?? {}, `${pat}.Entries`);
    const ag: AddressGroup = {
      id,
      tenantId: '',
      regionId: '',
      name: rd.string(o, 'PrefixListName', pat) ?? id,
      ethertype,
      entries: (entries ? rd.list(entries, 'Entry', `${pat}.Entries`) : []).flatMap((e, k) => {
        const eo = rd.object(e, `${pat}.Entries.Entry[${k}]`);
        const c = eo && rd.string(eo, 'Cidr', `${pat}.Entries.Entry[${k}]`, true);
        return c ? [c] : [];
      }),
    };
    policy.addressGroups.push(ag);
  });
  rd.each(
    root,
    'SecurityGroups',
    at,
    'SecurityGroupId',
    (o, id, gat) => {
      const type = rd.string(o, 'SecurityGroupType', gat);
      if (type !== undefined && type !== 'normal' && type !== 'enterprise')
        rd.add(`${gat}.SecurityGroupType`, 'must be normal or enterprise');
      const inner = rd.string(o, 'InnerAccessPolicy', gat);
      if (inner !== undefined && inner !== 'Accept' && inner !== 'Drop')
        rd.add(`${gat}.InnerAccessPolicy`, 'must be Accept or Drop');
      const advanced = type === 'enterprise';
      const group = groupOf(id, rd.string(o, 'SecurityGroupName', gat) ?? id, {
        description: rd.string(o, 'Description', gat),
        type: advanced ? 'advanced' : 'basic',
        innerAccessPolicy: advanced ? 'Drop' : inner === 'Drop' ? 'Drop' : 'Accept',
        vpcId: rd.string(o, 'VpcId', gat) === undefined ? null : 'vpc',
      });
      const perms = rd.object(o.Permissions ?? {}, `${gat}.Permissions`);
      const list = perms ? rd.list(perms, 'Permission', `${gat}.Permissions`) : [];
      list.forEach((y, k) => {
        const pat = `${gat}.Permissions.Permission[${k}]`;
        const p = rd.object(y, pat);
        const input = p && readPermission(rd, p, pat, families);
        if (input) group.rules.push(rd.rule('alibaba', input, `${id}/r${k + 1}`, pat));
      });
      policy.groups.push(group);
    },
    true,
  );
  return { policy, rd };
}
