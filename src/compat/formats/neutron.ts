// Neutron JSON: security_groups[] and security_group_rules[] as GET /v2.0/security-groups and
// /v2.0/security-group-rules answer them, and address_groups[]. Rendered by the OpenStack front
// end's own views (a group record is built for each group); read back by Neutron's field names.
import type { AddressGroup, SecurityGroup } from '../../core/model.js';
import type { RuleInput } from '../../core/rule-input.js';
import { addressGroupDict, groupDict, ruleDict } from '../openstack/views.js';
import { toModelProtocol } from '../openstack/protocols.js';
import { GroupRecord } from '../../control/world.js';
import { groupOf, type Json, type Policy, Reader } from './document.js';

const NOBODY = { sharedWithCaller: () => false };

function recordOf(g: SecurityGroup): GroupRecord {
  const { rules, ...meta } = g;
  const record = new GroupRecord('openstack', meta, 0);
  rules.forEach((rule, seq) => record.putRule({ rule, groupId: g.id, seq, revision: 0 }));
  return record;
}

export function renderNeutron(policy: Policy) {
  const records = policy.groups.map(recordOf);
  return {
    security_groups: records.map((g) => groupDict(NOBODY, g)),
    security_group_rules: records.flatMap((g) => [...g.rules.values()].map((s) => ruleDict(g, s))),
    address_groups: policy.addressGroups.map((ag) => addressGroupDict(NOBODY, { value: ag, revision: 0 })),
  };
}

function readRule(rd: Reader, r: Json, rat: string): RuleInput {
  const direction = rd.string(r, 'direction', rat, true);
  if (direction !== undefined && direction !== 'ingress' && direction !== 'egress')
    rd.add(`${rat}.direction`, 'must be ingress or egress');
  const ethertype = rd.string(r, 'ethertype', rat);
  if (ethertype !== undefined && ethertype !== 'IPv4' && ethertype !== 'IPv6')
    rd.add(`${rat}.ethertype`, 'must be IPv4 or IPv6');
  const proto = rd.string(r, 'protocol', rat)?.toLowerCase();
  const protocol = toModelProtocol(proto === undefined || proto === 'any' ? null : proto);
  const input: RuleInput = {
    direction: direction === 'egress' ? 'egress' : 'ingress',
    ethertype: ethertype === 'IPv6' ? 'IPv6' : 'IPv4',
    protocol,
  };
  const min = rd.integer(r, 'port_range_min', rat);
  const max = rd.integer(r, 'port_range_max', rat);
  if (protocol === 'icmp' || protocol === 'icmpv6' || protocol === 1 || protocol === 58) {
    if (min !== undefined) input.icmpType = min;
    if (max !== undefined) input.icmpCode = max;
  } else if (min !== undefined || max !== undefined) input.ports = [{ from: min ?? max!, to: max ?? min! }];
  const cidr = rd.string(r, 'remote_ip_prefix', rat);
  const group = rd.string(r, 'remote_group_id', rat);
  const ag = rd.string(r, 'remote_address_group_id', rat);
  if (cidr !== undefined) input.remoteIpPrefix = cidr;
  if (group !== undefined) input.remoteGroup = group;
  if (ag !== undefined) input.remoteAddressGroup = ag;
  const description = rd.string(r, 'description', rat);
  if (description !== undefined) input.description = description;
  return input;
}

export function parseNeutron(doc: unknown, at = 'body'): { policy: Policy; rd: Reader } {
  const rd = new Reader();
  const policy: Policy = { groups: [], addressGroups: [] };
  const root = rd.object(doc, at);
  if (!root) return { policy, rd };
  rd.each(root, 'address_groups', at, 'id', (o, id, pat) => {
    const entries = rd.list(o, 'addresses', pat).flatMap((e, k) => {
      if (typeof e === 'string' && e !== '') return [e];
      rd.add(`${pat}.addresses[${k}]`, 'must be a CIDR');
      return [];
    });
    const ag: AddressGroup = {
      id,
      tenantId: '',
      regionId: '',
      name: rd.string(o, 'name', pat) ?? id,
      entries,
    };
    policy.addressGroups.push(ag);
  });
  const byId = new Map<string, SecurityGroup>();
  rd.each(
    root,
    'security_groups',
    at,
    'id',
    (o, id, gat) => {
      const group = groupOf(id, rd.string(o, 'name', gat) ?? id, {
        description: rd.string(o, 'description', gat),
        stateful: o.stateful !== false,
      });
      // A group's own rules, unless the document lists rules at the top level (then those count).
      const own = rd.list(o, 'security_group_rules', gat);
      own.forEach((y, k) => {
        const rat = `${gat}.security_group_rules[${k}]`;
        const r = rd.object(y, rat);
        if (r) group.rules.push(rd.rule('openstack', readRule(rd, r, rat), `${id}/r${k + 1}`, rat));
      });
      byId.set(id, group);
      policy.groups.push(group);
    },
    true,
  );
  const top = rd.list(root, 'security_group_rules', at);
  if (top.length) for (const g of policy.groups) g.rules = [];
  top.forEach((y, k) => {
    const rat = `${at}.security_group_rules[${k}]`;
    const r = rd.object(y, rat);
    if (!r) return;
    const gid = rd.string(r, 'security_group_id', rat, true);
    const group = gid === undefined ? undefined : byId.get(gid);
    if (gid !== undefined && !group) {
      rd.add(`${rat}.security_group_id`, `"${gid}" is not a group of the document`);
      return;
    }
    if (group)
      group.rules.push(
        rd.rule('openstack', readRule(rd, r, rat), `${group.id}/r${group.rules.length + 1}`, rat),
      );
  });
  return { policy, rd };
}
