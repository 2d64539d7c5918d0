// Huawei VPC v3 JSON: security_groups[] as ShowSecurityGroup answers them (SecurityGroupInfo with
// security_group_rules: multiport, action, priority) and address_groups[] as ShowAddressGroup
// does. Rendered by the Huawei front end's own views; read back field by field.
import type { AddressGroup, Ethertype } from '../../core/model.js';
import type { RuleInput } from '../../core/rule-input.js';
import { addressGroupView, groupView, ruleView } from '../huawei/views.js';
import { groupOf, type Policy, Reader, type RenderContext } from './document.js';

export function renderHuawei(policy: Policy, ctx: RenderContext) {
  return {
    security_groups: policy.groups.map((g) => ({
      ...groupView(g, ctx.regionId),
      security_group_rules: g.rules.map((r) => ruleView(r, g.id, ctx.regionId)),
    })),
    address_groups: policy.addressGroups.map((ag) => addressGroupView(ag, { region: { id: ctx.regionId } })),
  };
}

const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'sctp']);

export function parseHuawei(doc: unknown, at = 'body'): { policy: Policy; rd: Reader } {
  const rd = new Reader();
  const policy: Policy = { groups: [], addressGroups: [] };
  const root = rd.object(doc, at);
  if (!root) return { policy, rd };
  rd.each(root, 'address_groups', at, 'id', (o, id, pat) => {
    const version = rd.integer(o, 'ip_version', pat);
    const entries = rd.list(o, 'ip_set', pat).flatMap((e, k) => {
      if (typeof e === 'string' && e !== '') return [e];
      rd.add(`${pat}.ip_set[${k}]`, 'must be an address or CIDR');
      return [];
    });
    const ag: AddressGroup = {
      id,
      tenantId: '',
      regionId: '',
      name: rd.string(o, 'name', pat) ?? id,
      ...(version === 6
        ? { ethertype: 'IPv6' as Ethertype }
        : version === 4
          ? { ethertype: 'IPv4' as Ethertype }
          : {}),
      entries,
      ...(rd.string(o, 'description', pat) ? { description: rd.string(o, 'description', pat) } : {}),
    };
    policy.addressGroups.push(ag);
  });
  rd.each(
    root,
    'security_groups',
    at,
    'id',
    (o, id, gat) => {
      const group = groupOf(id, rd.string(o, 'name', gat) ?? id, {
        description: rd.string(o, 'description', gat),
      });
      const inputs: RuleInput[] = [];
      rd.list(o, 'security_group_rules', gat).forEach((y, k) => {
        const rat = `${gat}.security_group_rules[${k}]`;
        const r = rd.object(y, rat);
        if (!r) return;
        const direction = rd.string(r, 'direction', rat, true);
        if (direction !== undefined && direction !== 'ingress' && direction !== 'egress')
          rd.add(`${rat}.direction`, 'must be ingress or egress');
        const ethertype = rd.string(r, 'ethertype', rat);
        if (ethertype !== undefined && ethertype !== 'IPv4' && ethertype !== 'IPv6')
          rd.add(`${rat}.ethertype`, 'must be IPv4 or IPv6');
        const proto = rd.string(r, 'protocol', rat)?.toLowerCase();
        let protocol: string | number = 'all';
        if (proto !== undefined && proto !== 'any') {
          if (PROTOCOLS.has(proto)) protocol = proto;
          else if (/^\d{1,3}$/.test(proto) && Number(proto) <= 255) protocol = Number(proto);
          else rd.add(`${rat}.protocol`, `"${proto}" is not icmp, tcp, udp, icmpv6 or a protocol number`);
        }
        const action = rd.string(r, 'action', rat)?.toLowerCase();
        if (action !== undefined && action !== 'allow' && action !== 'deny')
          rd.add(`${rat}.action`, 'must be allow or deny');
        const input: RuleInput = {
          direction: direction === 'egress' ? 'egress' : 'ingress',
          ...(ethertype === 'IPv6'
            ? { ethertype: 'IPv6' }
            : ethertype === 'IPv4'
              ? { ethertype: 'IPv4' }
              : {}),
          protocol,
          action: action === 'deny' ? 'deny' : 'allow',
        };
        const multiport = rd.string(r, 'multiport', rat);
        if (multiport !== undefined) input.ports = multiport;
        const priority = rd.integer(r, 'priority', rat);
        if (priority !== undefined) input.priority = priority;
        const cidr = rd.string(r, 'remote_ip_prefix', rat);
        const remoteGroup = rd.string(r, 'remote_group_id', rat);
        const remoteAg = rd.string(r, 'remote_address_group_id', rat);
        if (cidr !== undefined) input.remoteIpPrefix = cidr;
        if (remoteGroup !== undefined) input.remoteGroup = remoteGroup;
        if (remoteAg !== undefined) input.remoteAddressGroup = remoteAg;
        const description = rd.string(r, 'description', rat);
        if (description !== undefined) input.description = description;
        inputs.push(input);
      });
      group.rules = inputs.map((input, k) =>
        rd.rule('huawei', input, `${id}/r${k + 1}`, `${gat}.security_group_rules[${k}]`),
      );
      policy.groups.push(group);
    },
    true,
  );
  return { policy, rd };
}
