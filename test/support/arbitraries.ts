// fast-check generators of valid regions and packets, crowded into a small address and port
// space so that random packets hit rules, rule edges, remote groups and address groups often.
import fc from 'fast-check';
import type { Change } from '../../src/core/changes.js';
import type {
  AddressGroup,
  Ethertype,
  Packet,
  Port,
  Profile,
  Protocol,
  RegionState,
  Remote,
  Rule,
  SecurityGroup,
} from '../../src/core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';

export const V4_POOL = [
  '10.0.0.1',
  '10.0.0.2',
  '10.0.0.3',
  '10.0.0.4',
  '10.0.0.5',
  '10.0.1.9',
  '192.168.3.4',
  '8.8.8.8',
];
export const V6_POOL = [
  '2001:db8::1',
  '2001:db8::2',
  '2001:db8::3',
  '2001:db8::5',
  '2001:db8:0:1::9',
  'fd00::7',
];
const V4_CIDRS = [
  '0.0.0.0/0',
  '10.0.0.0/8',
  '10.0.0.0/24',
  '10.0.0.0/30',
  '10.0.0.4/31',
  '10.0.0.3/32',
  '192.168.0.0/16',
  '10.0.1.0/24',
];
const V6_CIDRS = [
  '::/0',
  '2001:db8::/32',
  '2001:db8::/126',
  '2001:db8::4/127',
  '2001:db8:0:1::/64',
  'fd00::/8',
];
const PORT_VALUES = [1, 21, 22, 23, 79, 80, 81, 443, 1000, 1005, 65535];
const GROUPS = ['sg-a', 'sg-b', 'sg-c', 'sg-d'];
const ADDRESS_GROUPS = ['ag-1', 'ag-2'];

export type Kind = 'alibaba-basic' | 'alibaba-advanced' | 'alibaba-classic' | 'huawei' | 'openstack';
export const KINDS: Kind[] = ['alibaba-basic', 'alibaba-advanced', 'alibaba-classic', 'huawei', 'openstack'];

const profileOf = (k: Kind): Profile => (k.startsWith('alibaba') ? 'alibaba' : (k as Profile));

const portRange = fc
  .tuple(fc.constantFrom(...PORT_VALUES), fc.constantFrom(0, 0, 1, 2, 100))
  .map(([from, span]) => ({ from, to: Math.min(65535, from + span) }));

function protocolArb(ethertype: Ethertype): fc.Arbitrary<Protocol> {
  const icmp = ethertype === 'IPv4' ? 'icmp' : 'icmpv6';
  return fc.constantFrom<Protocol>('all', 'tcp', 'tcp', 'udp', icmp, 'gre', 132);
}

function remoteArb(kind: Kind, ethertype: Ethertype): fc.Arbitrary<Remote> {
  const cidrs = ethertype === 'IPv4' ? V4_CIDRS : V6_CIDRS;
  const options: fc.Arbitrary<Remote>[] = [
    fc.constant<Remote>({ kind: 'any' }),
    fc.constantFrom(...cidrs).map<Remote>((cidr) => ({ kind: 'cidr', cidr })),
  ];
  if (kind !== 'alibaba-advanced') {
    options.push(fc.constantFrom(...GROUPS).map<Remote>((groupId) => ({ kind: 'group', groupId })));
    options.push(
      fc.constantFrom(...ADDRESS_GROUPS).map<Remote>((id) => ({ kind: 'addressGroup', addressGroupId: id })),
    );
  }
  return fc.oneof(...options);
}

function ruleArb(kind: Kind, id: string): fc.Arbitrary<Rule> {
  const withDeny = kind === 'alibaba-basic' || kind === 'alibaba-classic' || kind === 'huawei';
  return fc
    .record({
      direction: fc.constantFrom('ingress' as const, 'egress' as const),
      ethertype: fc.constantFrom('IPv4' as const, 'IPv4' as const, 'IPv6' as const),
    })
    .chain(({ direction, ethertype }) =>
      fc
        .record({
          protocol: protocolArb(ethertype),
          ports: fc.array(portRange, { maxLength: 3 }),
          sourcePorts: fc.array(portRange, { maxLength: 2 }),
          icmpType: fc.option(fc.constantFrom(0, 3, 8), { nil: undefined }),
          icmpCode: fc.option(fc.constantFrom(0, 1), { nil: undefined }),
          remote: remoteArb(kind, ethertype),
          action: withDeny
            ? fc.constantFrom('allow' as const, 'deny' as const)
            : fc.constant('allow' as const),
          priority: withDeny ? fc.integer({ min: 1, max: 4 }) : fc.constant(1),
          nicType:
            kind === 'alibaba-classic'
              ? fc.constantFrom('intranet' as const, 'internet' as const)
              : fc.constant('intranet' as const),
        })
        .map((r): Rule => {
          const ported = r.protocol === 'tcp' || r.protocol === 'udp' || r.protocol === 132;
          const icmp = r.protocol === 'icmp' || r.protocol === 'icmpv6';
          const rule: Rule = {
            id,
            direction,
            ethertype,
            protocol: r.protocol,
            remote: r.remote,
            action: r.action,
            priority: r.priority,
            nicType: r.nicType,
          };
          if (ported && r.ports.length) rule.ports = r.ports;
          if (ported && kind.startsWith('alibaba') && r.sourcePorts.length) rule.sourcePorts = r.sourcePorts;
          if (icmp && r.icmpType !== undefined) {
            rule.icmpType = r.icmpType;
            if (r.icmpCode !== undefined) rule.icmpCode = r.icmpCode;
          }
          return rule;
        }),
    );
}

function groupArb(kind: Kind, id: string): fc.Arbitrary<SecurityGroup> {
  return fc
    .record({
      n: fc.integer({ min: 0, max: 12 }),
      inner: fc.constantFrom('Accept' as const, 'Drop' as const),
    })
    .chain(({ n, inner }) =>
      fc
        .tuple(...Array.from({ length: n }, (_, i) => ruleArb(kind, `${id}-r${i}`)))
        .map((rules): SecurityGroup => ({
          id,
          tenantId: 't1',
          regionId: 'r1',
          vpcId: kind === 'alibaba-classic' ? null : 'vpc-1',
          name: id,
          type: kind === 'alibaba-advanced' ? 'advanced' : 'basic',
          stateful: true,
          innerAccessPolicy: kind === 'alibaba-advanced' ? 'Drop' : inner,
          rules,
        })),
    );
}

const portArb = (kind: Kind, id: string): fc.Arbitrary<Port> =>
  fc
    .record({
      ipv4: fc.subarray(V4_POOL.slice(0, 6), { minLength: 0, maxLength: 2 }),
      ipv6: fc.subarray(V6_POOL.slice(0, 4), { minLength: 0, maxLength: 1 }),
      groupIds: fc.shuffledSubarray(GROUPS, { minLength: 1, maxLength: 3 }),
      nicType:
        kind === 'alibaba-classic'
          ? fc.constantFrom('intranet' as const, 'internet' as const)
          : fc.constant('intranet' as const),
      vip: fc.boolean(),
    })
    .map(({ vip, ...p }) => ({ id, instanceId: `i-${id}`, virtualIps: vip ? ['10.0.0.5'] : [], ...p }));

const addressGroupArb = (id: string): fc.Arbitrary<AddressGroup> =>
  fc
    .subarray([...V4_CIDRS.slice(1), ...V6_CIDRS.slice(1), '10.0.0.2', '2001:db8::3'], { maxLength: 4 })
    .map((entries) => ({ id, tenantId: 't1', regionId: 'r1', name: id, entries }));

export function regionArb(kind: Kind): fc.Arbitrary<RegionState> {
  const profile = profileOf(kind);
  return fc
    .record({
      groups: fc.tuple(...GROUPS.map((g) => groupArb(kind, g))),
      ports: fc.tuple(...['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => portArb(kind, p))),
      addressGroups: fc.tuple(...ADDRESS_GROUPS.map(addressGroupArb)),
    })
    .map(({ groups, ports, addressGroups }) => ({
      region: { id: 'r1', profile, quotas: DEFAULT_QUOTAS[profile], conntrackTimeouts: DEFAULT_TIMEOUTS },
      tenants: [{ id: 't1', name: 't1' }],
      vpcs:
        kind === 'alibaba-classic' ? [] : [{ id: 'vpc-1', tenantId: 't1', regionId: 'r1', name: 'vpc-1' }],
      groups,
      addressGroups,
      instances: ports.map((port) => ({
        id: port.instanceId,
        tenantId: 't1',
        regionId: 'r1',
        vpcId: kind === 'alibaba-classic' ? null : 'vpc-1',
        name: port.instanceId,
        ports: [port],
      })),
    }));
}

export const packetArb: fc.Arbitrary<Packet> = fc
  .constantFrom('IPv4' as const, 'IPv4' as const, 'IPv6' as const)
  .chain((ethertype) =>
    fc
      .record({
        protocol: fc.constantFrom(6, 6, 17, ethertype === 'IPv4' ? 1 : 58, 47, 132, 50),
        src: fc.constantFrom(...(ethertype === 'IPv4' ? V4_POOL : V6_POOL)),
        dst: fc.constantFrom(...(ethertype === 'IPv4' ? V4_POOL : V6_POOL)),
        srcPort: fc.constantFrom(...PORT_VALUES, 40000),
        dstPort: fc.constantFrom(...PORT_VALUES, 82, 40000),
        icmpType: fc.option(fc.constantFrom(0, 3, 8, 11), { nil: undefined }),
        icmpCode: fc.option(fc.constantFrom(0, 1, 4), { nil: undefined }),
      })
      .map((p): Packet => {
        const packet: Packet = { ethertype, protocol: p.protocol, src: p.src, dst: p.dst };
        if ([6, 17, 132].includes(p.protocol))
          Object.assign(packet, { srcPort: p.srcPort, dstPort: p.dstPort });
        if (p.protocol === 1 || p.protocol === 58) {
          if (p.icmpType !== undefined) packet.icmpType = p.icmpType;
          if (p.icmpType !== undefined && p.icmpCode !== undefined) packet.icmpCode = p.icmpCode;
        }
        return packet;
      }),
  );

/** Membership and address-group changes: the ones the engine applies incrementally. */
export const setChangeArb: fc.Arbitrary<Change> = fc.oneof(
  fc
    .record({
      groupId: fc.constantFrom(...GROUPS),
      portId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'),
      position: fc.nat(3),
    })
    .map((c): Change => ({ kind: 'memberAdded', ...c })),
  fc
    .record({ groupId: fc.constantFrom(...GROUPS), portId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5') })
    .map((c): Change => ({ kind: 'memberRemoved', ...c })),
  fc
    .record({
      addressGroupId: fc.constantFrom(...ADDRESS_GROUPS),
      added: fc.subarray([...V4_CIDRS.slice(1), '10.0.0.2', '10.0.0.4/31', '2001:db8::3', '2001:db8::/126'], {
        maxLength: 2,
      }),
      removed: fc.subarray([...V4_CIDRS.slice(1), '10.0.0.2', '2001:db8::3', '2001:db8::/126'], {
        maxLength: 2,
      }),
    })
    .map((c): Change => ({ kind: 'addressGroupEntriesChanged', ...c })),
);
