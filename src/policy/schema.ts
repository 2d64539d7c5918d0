// The policy file (YAML or JSON): the native model as a user writes it, with the shorthands
// cloud users know (ports "22,25,80-82", remoteIpPrefix/remoteGroup/remoteAddressGroup).
// One TypeBox schema gives the TypeScript type, the structural check and schema/policy.schema.json.
import { PROFILES } from '../core/model.js';
import { QUOTA_NAMES } from '../core/quotas.js';
import type { RuleInput } from '../core/rule-input.js';
import { type Static, Type as T } from '@sinclair/typebox';

const Id = T.String({
  minLength: 1,
  maxLength: 128,
  description: 'Identifier, unique among objects of its kind',
});
const Ports = T.Union(
  [
    T.String({ description: 'Ports as a cloud console takes them: "22", "80-82", "22,25,27", "22-24,25"' }),
    T.Integer({ description: 'One port' }),
    T.Array(T.Object({ from: T.Integer(), to: T.Integer() }, { additionalProperties: false })),
  ],
  {
    description:
      'Destination ports (tcp, udp, sctp). Omitted: all ports. Several ranges are still one rule (one quota unit).',
  },
);

export const RuleSchema = T.Object(
  {
    id: T.Optional(Id),
    direction: T.Union([T.Literal('ingress'), T.Literal('egress')]),
    ethertype: T.Optional(
      T.Union([T.Literal('IPv4'), T.Literal('IPv6')], {
        description: 'Default: the family of remoteIpPrefix, else IPv4',
      }),
    ),
    protocol: T.Union([
      T.String({
        description:
          'all, tcp, udp, icmp, icmpv6, gre, sctp, or another protocol keyword (esp, ah, vrrp, ...: /etc/protocols), held as its number and shown back as given',
      }),
      T.Integer({ description: 'IP protocol number 0-255' }),
    ]),
    ports: T.Optional(Ports),
    sourcePorts: T.Optional(
      T.Union([T.String(), T.Integer(), T.Array(T.Object({ from: T.Integer(), to: T.Integer() }))], {
        description: 'Alibaba only: source ports',
      }),
    ),
    icmpType: T.Optional(T.Integer()),
    icmpCode: T.Optional(T.Integer()),
    remoteIpPrefix: T.Optional(
      T.String({ description: 'Remote CIDR or address (source of ingress, destination of egress)' }),
    ),
    remoteGroup: T.Optional(
      T.String({ description: "Remote security group id: its member ports' private addresses" }),
    ),
    remoteAddressGroup: T.Optional(
      T.String({ description: 'Remote IP address group (Alibaba: prefix list) id' }),
    ),
    action: T.Optional(T.Union([T.Literal('allow'), T.Literal('deny')], { description: 'Default allow' })),
    priority: T.Optional(T.Integer({ description: '1 (highest) to 100; Alibaba default rules use 110' })),
    nicType: T.Optional(
      T.Union([T.Literal('intranet'), T.Literal('internet')], {
        description: 'Alibaba classic network only',
      }),
    ),
    description: T.Optional(T.String()),
  },
  { additionalProperties: false },
);

const GroupSchema = T.Object(
  {
    id: Id,
    name: T.Optional(T.String({ description: 'Default: the id' })),
    tenant: T.Optional(Id),
    vpc: T.Optional(
      T.Union([Id, T.Null()], { description: 'VPC id; null or "classic" for the Alibaba classic network' }),
    ),
    description: T.Optional(T.String()),
    type: T.Optional(T.Union([T.Literal('basic'), T.Literal('advanced')])),
    stateful: T.Optional(T.Boolean()),
    innerAccessPolicy: T.Optional(T.Union([T.Literal('Accept'), T.Literal('Drop')])),
    template: T.Optional(T.String({ description: 'Rules of a template added before the listed rules' })),
    rules: T.Optional(T.Array(RuleSchema)),
  },
  { additionalProperties: false },
);

const Addresses = T.Union([T.String(), T.Array(T.String())]);

const PortSchema = T.Object(
  {
    id: Id,
    ipv4: T.Optional(Addresses),
    ipv6: T.Optional(Addresses),
    publicIpv4: T.Optional(T.String()),
    virtualIps: T.Optional(T.Array(T.String())),
    nicType: T.Optional(T.Union([T.Literal('intranet'), T.Literal('internet')])),
    groups: T.Optional(
      T.Array(Id, {
        description:
          "Ordered memberships (Huawei group sequence). Omitted or empty: the tenant's default group",
      }),
    ),
  },
  { additionalProperties: false },
);

const InstanceSchema = T.Object(
  {
    id: Id,
    name: T.Optional(T.String()),
    tenant: T.Optional(Id),
    vpc: T.Optional(T.Union([Id, T.Null()])),
    ports: T.Array(PortSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

const Numbers = (keys: string[]) =>
  T.Object(Object.fromEntries(keys.map((k) => [k, T.Optional(T.Integer())])), {
    additionalProperties: false,
  });

export const QuotasSchema = Numbers([...QUOTA_NAMES]);
export const TimeoutsSchema = Numbers([
  'tcpSynSent',
  'tcpSynRecv',
  'tcpEstablished',
  'tcpFinWait',
  'tcpCloseWait',
  'tcpLastAck',
  'tcpTimeWait',
  'tcpClose',
  'icmp',
  'otherOneWay',
  'otherBothWays',
]);

export const PolicySchema = T.Object(
  {
    $schema: T.Optional(T.String()),
    apiVersion: T.Literal('palisade/v1'),
    region: T.Object(
      {
        id: Id,
        name: T.Optional(T.String()),
        profile: T.Union(PROFILES.map((p) => T.Literal(p))),
        quotas: T.Optional(QuotasSchema),
        conntrackTimeouts: T.Optional(TimeoutsSchema),
      },
      { additionalProperties: false },
    ),
    tenants: T.Optional(
      T.Array(T.Object({ id: Id, name: T.Optional(T.String()) }, { additionalProperties: false })),
    ),
    vpcs: T.Optional(
      T.Array(
        T.Object(
          { id: Id, tenant: T.Optional(Id), name: T.Optional(T.String()), cidr: T.Optional(T.String()) },
          { additionalProperties: false },
        ),
      ),
    ),
    addressGroups: T.Optional(
      T.Array(
        T.Object(
          {
            id: Id,
            name: T.Optional(T.String()),
            tenant: T.Optional(Id),
            ethertype: T.Optional(T.Union([T.Literal('IPv4'), T.Literal('IPv6')])),
            entries: T.Array(T.String()),
            description: T.Optional(T.String()),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    groups: T.Optional(T.Array(GroupSchema)),
    instances: T.Optional(T.Array(InstanceSchema)),
  },
  { additionalProperties: false, title: 'Palisade policy file', $id: 'urn:palisade:policy:v1' },
);

export type PolicyFile = Static<typeof PolicySchema>;
/** The schema checks exactly the core's RuleInput: each type must be assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ruleSchemaIsRuleInput: Same<Static<typeof RuleSchema>, RuleInput> = true;
void ruleSchemaIsRuleInput;
