// Response schemas of the native API (TypeBox): what every operation answers, per status, in
// the OpenAPI document (@fastify/swagger) and in the test servers' response check
// (response-check.ts). Request schemas live in schemas.ts; the pieces both sides share (a
// rule's fields, quotas, timeouts) come from the same TypeBox schemas. Objects are left open
// (no additionalProperties: false) because they grow; every field the server sends is listed.
//
// Fastify does not serialize with these schemas: app.ts compiles every response schema to
// JSON.stringify, so an answer is byte for byte what the route produced.
import { type Static, type TSchema, Type as T } from '@sinclair/typebox';
import { EXPOSURE_KINDS } from '../core/analysis/exposure.js';
import { PROFILES } from '../core/model.js';
import { PREVIEW_MEDIA_TYPE } from '../http/requests.js';
import { QuotasSchema, RuleSchema, TimeoutsSchema } from '../policy/schema.js';

/** A reference to a shared schema (a component of the document), typed as the schema. */
const ref = <S extends TSchema>(schema: S) => T.Unsafe<Static<S>>(T.Ref(schema.$id!));
/** A field of a request schema, required in answers (optionally with an answer's description). */
const required = <S extends TSchema>(schema: S, description?: string) => {
  const out = T.Optional(schema, false);
  return (description === undefined ? out : { ...out, description }) as S;
};
const nullable = <S extends TSchema>(schema: S, description?: string) =>
  T.Union([schema, T.Null()], description === undefined ? {} : { description });

const Id = T.String({ minLength: 1 });
const Revision = T.Integer({
  minimum: 0,
  description: 'The revision of the write that last changed it (its ETag)',
});
const Timestamp = T.String({ format: 'date-time', description: 'ISO 8601' });
/** A string from a fixed list, as one enum (clients generate one type of it). */
const Enum = <V extends string>(values: readonly V[], options: object = {}) =>
  T.Unsafe<V>({ type: 'string', enum: [...values], ...options });
const Profile = Enum([...PROFILES]);
const Ethertype = Enum(['IPv4', 'IPv6']);
const Action = Enum(['allow', 'deny']);
const Direction = Enum(['ingress', 'egress']);
const NicType = Enum(['intranet', 'internet']);
const Count = T.Integer({ minimum: 0 });
const PortNumber = T.Integer({ minimum: 1, maximum: 65535 });
const VpcId = nullable(Id, 'VPC id; null for the Alibaba classic network');
const Tags = T.Record(T.String(), T.String(), {
  description: 'Key/value tags (an OpenStack tag is a key with an empty value)',
});
const Any = (description: string) => T.Unknown({ description });

// ---- errors ----

export const ProblemSchema = T.Object(
  {
    type: T.String({ format: 'uri', description: 'https://palisade.dev/problems/<code in kebab case>' }),
    title: T.String({ description: 'The status text, such as "Bad Request"' }),
    status: T.Integer({ minimum: 400, maximum: 599 }),
    code: T.String({ description: 'A stable code, such as PORT_OUT_OF_RANGE or NOT_FOUND' }),
    detail: T.String({ description: 'What is wrong, naming the field' }),
    instance: T.String({ description: 'The request path (and query)' }),
    errors: T.Optional(
      T.Array(
        T.Object({
          path: T.String({
            description: 'The field as the request spelled it: body.rules[1].ports, query.cursor',
          }),
          code: T.String(),
          message: T.String(),
        }),
        { description: 'Every problem found, for validation errors' },
      ),
    ),
    facts: T.Optional(
      T.Object(
        {
          resource: T.Optional(T.String({ description: 'The kind of object the error is about' })),
          id: T.Optional(T.String({ description: "That object's id" })),
          quota: T.Optional(T.String({ description: "QUOTA_EXCEEDED: the quota's name" })),
          limit: T.Optional(T.Integer({ description: "QUOTA_EXCEEDED: the quota's limit" })),
          expected: T.Optional(T.Integer({ description: 'REVISION_MISMATCH: the revision If-Match gave' })),
          actual: T.Optional(T.Integer({ description: "REVISION_MISMATCH: the object's revision" })),
          existingRuleId: T.Optional(T.String({ description: 'DUPLICATE_RULE: the rule it repeats' })),
          referencedBy: T.Optional(
            T.Array(T.String(), {
              description: 'GROUP_REFERENCED, ADDRESS_GROUP_IN_USE: the groups whose rules name the object',
            }),
          ),
          ports: T.Optional(
            T.Array(T.String(), {
              description: 'GROUP_IN_USE: the member ports the caller sees (at most 100)',
            }),
          ),
        },
        { description: 'The facts of the error as data, for clients that act on them' },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

// ---- tenancy ----

const tenantFields = {
  id: Id,
  name: T.String(),
  description: T.Optional(T.String()),
  quotas: T.Optional(
    T.Record(T.String(), T.Ref('Quotas'), {
      description:
        "The operator's overrides of the regions' quotas for this tenant, by region id (Neutron's per-project quotas)",
    }),
  ),
};
export const TenantModel = T.Object(tenantFields, { $id: 'TenantModel', description: 'A tenant as stored' });
export const Tenant = T.Object({ ...tenantFields, revision: Revision }, { $id: 'Tenant' });

// The request schemas' fields. Each is optional in answers too: a region holds what was stored
// (every field, for a region created through this API, which fills in the profile's defaults;
// a region stored by an older version keeps what it had).
const numbers = (schema: typeof QuotasSchema | typeof TimeoutsSchema, $id: string, description: string) =>
  T.Object(
    Object.fromEntries(Object.keys(schema.properties).map((k) => [k, T.Optional(T.Integer({ minimum: 0 }))])),
    { $id, description },
  );
export const Quotas = numbers(
  QuotasSchema,
  'Quotas',
  'Quotas of a region; 0: no limit where a quota allows it',
);
export const ConntrackTimeouts = numbers(TimeoutsSchema, 'ConntrackTimeouts', 'Idle timeouts in seconds');

const regionFields = {
  id: Id,
  name: T.Optional(T.String()),
  profile: Profile,
  quotas: ref(Quotas),
  conntrackTimeouts: ref(ConntrackTimeouts),
};
export const RegionModel = T.Object(regionFields, { $id: 'RegionModel', description: 'A region as stored' });
const RuleTraitsOfGroupType = T.Object({
  denyRules: T.Boolean(),
  priorities: T.Boolean({ description: 'false: every rule has priority 1 and takes no other' }),
  remoteKinds: T.Array(Enum(['cidr', 'group', 'addressGroup']), {
    description: 'The remotes a rule may name: remoteIpPrefix, remoteGroup, remoteAddressGroup',
  }),
  evaluation: Enum(['firstMatch', 'anyAllow']),
});
export const RegionTraits = T.Object(
  {
    priority: T.Object({
      min: T.Integer(),
      max: T.Integer(),
      default: T.Integer({ description: 'The priority of a rule that names none' }),
      reserved: nullable(T.Integer(), "A priority outside the range that the profile's default rules use"),
    }),
    multiPortRules: T.Boolean({
      description: "The cloud's own API shows several port ranges as one rule (else one range per rule)",
    }),
    sourcePorts: T.Boolean(),
    statelessGroups: T.Boolean(),
    clearing: T.Object({
      reevaluate: T.Boolean({
        description: 'Live connections are re-evaluated (else inbound entries cleared)',
      }),
      onlyWhenNarrowing: T.Boolean({ description: 'Only changes that can narrow what passes clear' }),
    }),
    groupOrderMatters: T.Boolean({
      description: "The order of a port's groups changes what its rules decide (Huawei: groups in sequence)",
    }),
    groupTypes: T.Object(
      { basic: RuleTraitsOfGroupType, advanced: T.Optional(RuleTraitsOfGroupType) },
      { description: 'What rules may hold, per group type the profile has' },
    ),
  },
  { $id: 'RegionTraits', description: "What the region's profile lets rules hold (from its trait table)" },
);
export const Region = T.Object(
  { ...regionFields, revision: Revision, traits: ref(RegionTraits) },
  { $id: 'Region' },
);

const Subnet = T.Object(
  {
    id: Id,
    name: T.String(),
    cidr: T.String(),
    ipVersion: T.Union([T.Literal(4), T.Literal(6)]),
    gatewayIp: nullable(T.String(), 'null: no gateway'),
    createdAt: T.Optional(T.String({ format: 'date-time' })),
  },
  { description: "A subnet of the VPC (a Neutron network's): where its Neutron ports' fixed IPs come from" },
);
const vpcFields = {
  id: Id,
  tenantId: Id,
  regionId: Id,
  name: T.String(),
  cidr: T.Optional(T.String()),
  subnets: T.Optional(T.Array(Subnet, { description: 'Made and removed through Neutron' })),
  createdAt: T.Optional(T.String({ format: 'date-time' })),
};
export const VpcModel = T.Object(vpcFields, { $id: 'VpcModel', description: 'A VPC as stored' });
export const Vpc = T.Object({ ...vpcFields, revision: Revision }, { $id: 'Vpc' });

// ---- rules and groups ----

const R = RuleSchema.properties;
const ChangeCount = (description: string) => T.Integer({ minimum: 0, description });
const PortRange = T.Object(
  { from: PortNumber, to: PortNumber },
  { description: 'An inclusive range; one port has from = to' },
);
const PortRanges = (description: string) => T.Array(PortRange, { description });
const ruleCommon = {
  direction: required(R.direction),
  ethertype: required(R.ethertype, 'IPv4 or IPv6'),
  protocol: required(R.protocol),
  ports: T.Optional(PortRanges('Destination ports (tcp, udp, sctp); absent: all ports')),
  sourcePorts: T.Optional(PortRanges('Alibaba only: source ports; absent: all')),
  icmpType: R.icmpType,
  icmpCode: R.icmpCode,
  action: required(R.action, 'allow or deny'),
  priority: required(R.priority),
  nicType: required(R.nicType, 'intranet, except internet rules of the Alibaba classic network'),
  description: R.description,
  createdAt: T.Optional(Timestamp),
};

export const Rule = T.Object(
  {
    id: Id,
    groupId: Id,
    ...ruleCommon,
    remoteIpPrefix: R.remoteIpPrefix,
    remoteGroup: R.remoteGroup,
    remoteAddressGroup: R.remoteAddressGroup,
    position: T.Integer({
      minimum: 1,
      description: "1-based place among the group's rules of its direction in the profile's evaluation order",
    }),
    revision: Revision,
  },
  {
    $id: 'Rule',
    description:
      'A rule as the API answers it: the request fields (at most one of remoteIpPrefix, remoteGroup, remoteAddressGroup; none: any address) with ports as ranges',
  },
);

const Remote = T.Union(
  [
    T.Object({ kind: T.Literal('any') }),
    T.Object({ kind: T.Literal('cidr'), cidr: T.String() }),
    T.Object({ kind: T.Literal('group'), groupId: Id }),
    T.Object({ kind: T.Literal('addressGroup'), addressGroupId: Id }),
  ],
  { description: "The rule's far side" },
);
export const RuleModel = T.Object(
  {
    id: Id,
    ...ruleCommon,
    protocol: T.Union([T.String(), T.Integer({ minimum: 0, maximum: 255 })], {
      description: "The model's own name (all, tcp, udp, icmp, icmpv6, gre, sctp) or an IP protocol number",
    }),
    protocolName: T.Optional(
      T.String({ description: 'The keyword the client gave for a protocol held as its number (esp: 50)' }),
    ),
    changeCount: T.Optional(ChangeCount('Writes that modified the rule since it was made')),
    remote: Remote,
  },
  { $id: 'RuleModel', description: 'A rule as stored (snapshot, change events): the remote is an object' },
);

const groupFields = {
  id: Id,
  tenantId: Id,
  regionId: Id,
  vpcId: VpcId,
  name: T.String(),
  description: T.Optional(T.String()),
  type: Enum(['basic', 'advanced']),
  stateful: T.Boolean(),
  innerAccessPolicy: Enum(['Accept', 'Drop']),
  tags: T.Optional(Tags),
  createdAt: T.Optional(Timestamp),
  updatedAt: T.Optional(Timestamp),
  changeCount: T.Optional(
    ChangeCount(
      'Writes that changed the group or its rules, the making one counting once if it gave the group rules (Neutron revision_number)',
    ),
  ),
};
export const GroupMeta = T.Object(groupFields, {
  $id: 'GroupMeta',
  description: 'A group without its rules, as stored (change events)',
});
export const GroupModel = T.Object(
  { ...groupFields, rules: T.Array(ref(RuleModel)) },
  { $id: 'GroupModel', description: 'A group with its rules, as stored (snapshot)' },
);
const groupView = {
  ...groupFields,
  revision: T.Integer({ minimum: 0, description: 'The latest revision of the group or any of its rules' }),
  ruleCount: Count,
  memberCount: T.Integer({ minimum: 0, description: 'Ports in the group' }),
};
export const SecurityGroup = T.Object(groupView, { $id: 'SecurityGroup' });
export const SecurityGroupWithRules = T.Object(
  {
    ...groupView,
    rules: T.Array(ref(Rule), { description: 'In evaluation order, both directions' }),
  },
  { $id: 'SecurityGroupWithRules' },
);
export const GroupReferences = T.Object({
  groupId: Id,
  referencedBy: T.Array(Id, { description: 'Groups with rules naming this group' }),
});

const TemplateRule = T.Object({
  direction: required(R.direction),
  ethertype: required(R.ethertype, 'IPv4 or IPv6'),
  protocol: required(R.protocol),
  ports: T.Optional(PortRanges('Destination ports')),
  remote: Remote,
  action: Action,
  priority: T.Optional(T.Integer()),
});
export const Template = T.Object(
  {
    id: Id,
    name: T.String(),
    profiles: T.Array(Profile),
    rules: T.Array(TemplateRule),
  },
  { $id: 'Template' },
);

// ---- instances, ports, address groups ----

const portFields = {
  id: Id,
  instanceId: Id,
  ipv4: T.Array(T.String(), { description: 'Private addresses' }),
  ipv6: T.Array(T.String()),
  publicIpv4: T.Optional(T.String()),
  virtualIps: T.Array(T.String()),
  nicType: NicType,
  groupIds: T.Array(Id, { description: 'Ordered memberships: the index is the Huawei group sequence' }),
  host: T.Optional(T.String({ description: 'Hypervisor host that carries the port' })),
  interface: T.Optional(T.String({ description: "The port's interface on its host" })),
  securityEnabled: T.Optional(
    T.Boolean({ description: 'Port security (absent: on). Off: no groups, and all its traffic passes' }),
  ),
  name: T.Optional(T.String({ description: 'The name Neutron gave the port' })),
  macAddress: T.Optional(T.String({ description: 'The MAC address Neutron was given for the port' })),
  device: T.Optional(
    T.Object(
      { id: T.String(), owner: T.String() },
      { description: "Neutron's device_id and device_owner, as set through Neutron" },
    ),
  ),
  createdAt: T.Optional(T.String({ format: 'date-time' })),
  updatedAt: T.Optional(T.String({ format: 'date-time' })),
};
export const PortModel = T.Object(portFields, {
  $id: 'PortModel',
  description: 'A port as its instance holds it',
});
export const Port = T.Object(
  {
    ...portFields,
    regionId: Id,
    revision: T.Integer({ minimum: 0, description: "Its instance's revision" }),
  },
  { $id: 'Port' },
);
const instanceFields = {
  id: Id,
  tenantId: Id,
  regionId: Id,
  vpcId: VpcId,
  name: T.String(),
  ports: T.Array(ref(PortModel)),
};
export const InstanceModel = T.Object(instanceFields, {
  $id: 'InstanceModel',
  description: 'An instance as stored',
});
export const Instance = T.Object({ ...instanceFields, revision: Revision }, { $id: 'Instance' });

const addressGroupFields = {
  id: Id,
  tenantId: Id,
  regionId: Id,
  name: T.String(),
  ethertype: T.Optional(Ethertype),
  entries: T.Array(T.String({ description: 'An address or CIDR' })),
  description: T.Optional(T.String()),
  maxEntries: T.Optional(
    T.Integer({ description: 'The most entries it may hold (set by ECS CreatePrefixList MaxEntries)' }),
  ),
  changeCount: T.Optional(
    ChangeCount(
      'Writes that changed it, one per entry added or removed and one per new name or description (Neutron revision_number)',
    ),
  ),
  writtenEntries: T.Optional(
    T.Array(T.String(), {
      description:
        'The entries as the client wrote them where some were written as IP ranges (Huawei): entries holds their CIDR blocks',
    }),
  ),
  createdAt: T.Optional(T.String({ format: 'date-time' })),
  updatedAt: T.Optional(T.String({ format: 'date-time' })),
};
export const AddressGroupModel = T.Object(addressGroupFields, {
  $id: 'AddressGroupModel',
  description: 'An address group as stored',
});
export const AddressGroup = T.Object({ ...addressGroupFields, revision: Revision }, { $id: 'AddressGroup' });

export const AddressGroupReferences = T.Object({
  addressGroupId: Id,
  referencedBy: T.Array(
    T.Object({ groupId: Id, groupName: T.String(), ruleIds: T.Array(Id, { minItems: 1 }) }),
    { description: "The caller's groups with rules naming the address group, and those rules" },
  ),
  otherTenants: T.Integer({ minimum: 0, description: 'Groups of tenants it is shared with that name it' }),
});

export const ShareModel = T.Object(
  {
    id: Id,
    tenantId: T.String({ minLength: 1, description: "The shared object's owner" }),
    regionId: Id,
    objectType: Enum(['securityGroup', 'addressGroup']),
    objectId: Id,
    targetTenantId: T.String({ minLength: 1, description: 'A tenant id, or * for every tenant' }),
    action: T.Literal('access_as_shared'),
    createdAt: T.Optional(Timestamp),
  },
  {
    $id: 'ShareModel',
    description: "A share (Neutron RBAC policy): another tenant may use the owner's group, read-only",
  },
);
export const Share = T.Object(
  { ...ShareModel.properties, revision: Revision },
  { $id: 'Share', description: 'A share and the revision that last changed it' },
);

// ---- access keys, tokens, OpenStack identities ----

const Role = Enum(['admin', 'tenant']);
const keyFields = {
  id: Id,
  tenantId: nullable(Id, 'null for operator keys'),
  role: Role,
  description: nullable(T.String()),
  createdAt: Timestamp,
};
export const AccessKey = T.Object(keyFields, { $id: 'AccessKey' });
export const AccessKeyCreated = T.Object(
  {
    ...keyFields,
    secret: T.Optional(
      T.String({
        description:
          'The secret, shown only in this answer (absent when the answer replays an Idempotency-Key: it is never stored in the clear)',
      }),
    ),
  },
  { $id: 'AccessKeyCreated' },
);
export const TokenIssued = T.Object({
  token: T.String({ description: 'Send as Authorization: Bearer <token>' }),
  expiresAt: Timestamp,
  role: Role,
  tenantId: nullable(Id, 'null for operator keys'),
});
export const Principal = T.Object(
  { role: Role, keyId: Id, tenantId: T.Optional(Id) },
  { $id: 'Principal', description: 'Who the credentials speak for; tenantId for tenant keys' },
);

const userFields = {
  id: Id,
  tenantId: Id,
  domainId: T.String({ description: 'Always "default"' }),
  name: T.String(),
  description: nullable(T.String()),
  createdAt: Timestamp,
};
export const OpenStackUser = T.Object(userFields, { $id: 'OpenStackUser' });
const credentialFields = {
  id: Id,
  userId: Id,
  name: T.String(),
  description: nullable(T.String()),
  expiresAt: nullable(Timestamp, 'null: never expires'),
  createdAt: Timestamp,
};
export const AppCredential = T.Object(credentialFields, { $id: 'AppCredential' });
export const AppCredentialCreated = T.Object(
  {
    ...credentialFields,
    secret: T.Optional(
      T.String({
        description:
          'The secret, shown only in this answer (absent when the answer replays an Idempotency-Key: only its hash is stored)',
      }),
    ),
  },
  { $id: 'AppCredentialCreated' },
);

// ---- changes: watch events, snapshot, audit ----

const put = <K extends string>(op: string, key: K, value: TSchema) =>
  T.Object({ op: T.Literal(op), [key]: value } as Record<'op' | K, TSchema>);
const del = (op: string, inRegion: boolean) =>
  T.Object(inRegion ? { op: T.Literal(op), regionId: Id, id: Id } : { op: T.Literal(op), id: Id });
export const ChangeEvent = T.Union(
  [
    put('tenant.put', 'tenant', ref(TenantModel)),
    del('tenant.delete', false),
    put('region.put', 'region', ref(RegionModel)),
    del('region.delete', false),
    put('vpc.put', 'vpc', ref(VpcModel)),
    del('vpc.delete', true),
    put('group.put', 'group', ref(GroupMeta)),
    del('group.delete', true),
    T.Object({
      op: T.Literal('rule.put'),
      regionId: Id,
      groupId: Id,
      seq: T.Integer({ minimum: 0, description: "Orders a group's rules by creation" }),
      rule: ref(RuleModel),
    }),
    T.Object({ op: T.Literal('rule.delete'), regionId: Id, groupId: Id, id: Id }),
    put('addressGroup.put', 'addressGroup', ref(AddressGroupModel)),
    del('addressGroup.delete', true),
    put('instance.put', 'instance', ref(InstanceModel)),
    del('instance.delete', true),
    put('share.put', 'share', ref(ShareModel)),
    del('share.delete', true),
  ],
  { $id: 'ChangeEvent', description: 'A whole-object put or a delete' },
);
export const Change = T.Object(
  {
    revision: T.Integer({ minimum: 1 }),
    regionId: nullable(Id),
    tenantId: nullable(Id),
    action: T.String({ description: 'Such as rule.create, group.delete, accessKey.create' }),
    events: T.Array(ref(ChangeEvent)),
    at: Timestamp,
  },
  {
    $id: 'Change',
    description:
      'One committed write: the data of an "event: change" of GET /v1/watch (its id is the revision)',
  },
);
export const Snapshot = T.Object({
  revision: T.Integer({ minimum: 0 }),
  tenants: T.Array(ref(TenantModel)),
  regions: T.Array(
    T.Object({
      region: ref(RegionModel),
      vpcs: T.Array(ref(VpcModel)),
      groups: T.Array(ref(GroupModel)),
      addressGroups: T.Array(ref(AddressGroupModel)),
      instances: T.Array(ref(InstanceModel)),
    }),
  ),
});
export const AuditEntry = T.Object(
  {
    revision: T.Integer({ minimum: 1 }),
    at: Timestamp,
    actor: T.String({ description: 'The access key id (openstack:<user id> for Keystone users)' }),
    action: T.String(),
    regionId: nullable(Id),
    tenantId: nullable(Id),
    targetId: nullable(Id),
    before: Any('The target before the write (null for creates)'),
    after: Any("The write's answer (null for deletes)"),
  },
  { $id: 'AuditEntry' },
);

// ---- flows, simulations, enforcement status ----

const Packet = T.Object(
  {
    ethertype: Ethertype,
    protocol: T.Integer({ minimum: 0, maximum: 255, description: 'IP protocol number' }),
    src: T.String(),
    dst: T.String(),
    srcPort: T.Optional(T.Integer()),
    dstPort: T.Optional(T.Integer()),
    icmpType: T.Optional(T.Integer()),
    icmpCode: T.Optional(T.Integer()),
  },
  { $id: 'Packet', description: 'The packet as evaluated' },
);
const ruleRefFields = {
  groupId: Id,
  groupName: T.String(),
  groupSequence: T.Integer({ minimum: 0, description: "The group's place in the port's memberships" }),
  ruleId: Id,
  priority: T.Integer(),
  action: Action,
  position: T.Integer({
    minimum: 0,
    description: "The rule's place in the port's evaluation order (0 first)",
  }),
};
const RuleRef = T.Object(ruleRefFields);
export const Explanation = T.Object(
  {
    portId: Id,
    direction: Direction,
    verdict: Action,
    decidedBy: T.Union([
      T.Object({ kind: T.Literal('rule'), ...ruleRefFields }),
      T.Object({
        kind: T.Literal('innerAccess'),
        groupId: Id,
        groupName: T.String(),
        policy: Enum(['Accept', 'Drop']),
      }),
      T.Object({ kind: T.Literal('default'), reason: T.String() }),
    ]),
    matched: T.Array(RuleRef, {
      description: 'Every rule that matched, in evaluation order (the decider first)',
    }),
  },
  { $id: 'Explanation', description: "One port's verdict and why" },
);
const FlowSide = T.Object({
  portId: nullable(Id, "null: the address is no Palisade port's, or the port is another tenant's"),
  explanation: nullable(ref(Explanation)),
  verdict: T.Optional(
    Enum(['allow', 'deny'], { description: "Another tenant's side: its verdict without its rules" }),
  ),
});
export const FlowCheckResult = T.Object({
  packet: ref(Packet),
  verdict: Action,
  egress: FlowSide,
  ingress: FlowSide,
});

const Hop = T.Union(
  [
    T.Object({ portId: T.Null(), verdict: T.Literal('allow'), via: T.Literal('outside') }),
    T.Object({
      portId: Id,
      verdict: Action,
      via: T.Literal('conntrack'),
      direction: Enum(['original', 'reply']),
    }),
    T.Object({ portId: Id, verdict: T.Literal('deny'), via: T.Literal('cleared') }),
    T.Object({
      portId: Id,
      verdict: Action,
      via: Enum(['rules', 'stateless']),
      explanation: ref(Explanation),
    }),
  ],
  {
    description:
      'One side of a delivery: outside Palisade, a tracked connection, a cleared one, or the rules',
  },
);
const Connection = T.Object({
  portId: Id,
  origin: Enum(['inbound', 'outbound']),
  protocol: T.Integer(),
  src: T.String(),
  dst: T.String(),
  srcPort: T.Integer(),
  dstPort: T.Integer(),
  state: T.String(),
  expiresIn: T.Number({ description: 'Seconds' }),
});
const Connections = T.Array(Connection, { description: "Live tracked connections of the caller's ports" });
const changeOps = ['addRule', 'removeRule', 'join', 'leave', 'changeAddressGroup'] as const;
export const SimulationResult = T.Object({
  regionId: Id,
  revision: T.Integer({ minimum: 0, description: 'The stored revision simulated on' }),
  results: T.Array(
    T.Union([
      T.Object({
        op: T.Literal('send'),
        delivered: T.Boolean(),
        packet: ref(Packet),
        egress: Hop,
        ingress: Hop,
      }),
      T.Object({ op: T.Literal('advance'), now: T.Number({ description: 'Virtual seconds' }) }),
      T.Object({ op: T.Literal('connections'), now: T.Number(), connections: Connections }),
      T.Object({
        op: Enum(changeOps),
        cleared: T.Integer({ minimum: 0, description: 'Tracked entries turned into cleared markers' }),
        dropped: T.Integer({ minimum: 0, description: 'Tracked entries dropped' }),
        connections: Connections,
      }),
    ]),
    { description: 'One result per step, in order' },
  ),
});

export const EnforcementStatus = T.Object({
  revision: T.Integer({ minimum: 0 }),
  regions: T.Array(
    T.Object({
      regionId: Id,
      revision: T.Integer({ minimum: 0, description: 'The last revision that changed the region' }),
      enforcedEverywhere: T.Boolean(),
      hosts: T.Array(
        T.Object({
          host: T.String(),
          ports: T.Integer({ minimum: 0, description: "The caller's ports on the host" }),
          enforcedRevision: nullable(T.Integer({ minimum: 0 }), 'null: the host never reported'),
          upToDate: T.Boolean(),
          reportedAt: nullable(Timestamp),
          closed: T.Array(T.Object({ portId: Id, reason: T.String() })),
        }),
      ),
      ruleHits: T.Record(T.String(), T.Integer({ minimum: 0 }), { description: 'Rule id → packets matched' }),
    }),
  ),
});

/** The health checks' tags; no credentials. */
export const HEALTH = { tags: ['health'], security: [] };
export const Health = T.Object({ status: T.Literal('ok') });
export const Ready = T.Object({ status: T.Literal('ready'), revision: T.Integer({ minimum: 0 }) });

/** Every schema with an $id: added to the app (components of the document) and to the response check. */
export const SHARED_SCHEMAS: TSchema[] = [
  ProblemSchema,
  TenantModel,
  Tenant,
  Quotas,
  ConntrackTimeouts,
  RegionModel,
  RegionTraits,
  Region,
  VpcModel,
  Vpc,
  Rule,
  RuleModel,
  GroupMeta,
  GroupModel,
  SecurityGroup,
  SecurityGroupWithRules,
  Template,
  PortModel,
  Port,
  InstanceModel,
  Instance,
  AddressGroupModel,
  AddressGroup,
  ShareModel,
  Share,
  AccessKey,
  AccessKeyCreated,
  Principal,
  OpenStackUser,
  AppCredential,
  AppCredentialCreated,
  ChangeEvent,
  Change,
  AuditEntry,
  Packet,
  Explanation,
];

// ---- answers per operation ----

/** A page of a list: `cursor=<nextCursor>` for the next one. */
export const Page = (item: TSchema) =>
  T.Object({
    items: T.Array(ref(item)),
    nextCursor: T.Optional(T.String({ description: 'Pass as cursor for the next page; absent on the last' })),
  });
/** A whole list in one answer (no paging). */
export const List = (item: TSchema) => T.Object({ items: T.Array(ref(item)) });
export const One = ref;
/** POST .../rules/batch: the rules in the order of the request (existing ones for Alibaba no-ops). */
export const RuleBatchCreated = T.Object({ rules: T.Array(ref(Rule)) });

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const ERRORS = new Map<number, string>([
  [
    400,
    'Malformed or invalid request: schema (MISSING_FIELD, UNKNOWN_FIELD, INVALID_FIELD, INVALID_JSON) or semantics (the codes of the policy format), each problem in errors[]',
  ],
  [
    401,
    'No valid credentials: MISSING_CREDENTIALS, UNSUPPORTED_AUTHORIZATION, MALFORMED_SIGNATURE, SIGNATURE_EXPIRED, INVALID_CREDENTIALS, SIGNATURE_MISMATCH, REPLAYED_REQUEST, INVALID_TOKEN',
  ],
  [403, 'FORBIDDEN: the operation needs an operator key, or names another tenant'],
  [404, "NOT_FOUND: the object does not exist (or is another tenant's)"],
  [408, 'REQUEST_TIMEOUT: the request was not received in time'],
  [409, 'Conflict with the current state'],
  [412, 'REVISION_MISMATCH: the object changed since the If-Match revision'],
  [413, 'BODY_TOO_LARGE: the request body is larger than the server accepts'],
  [414, 'URI_TOO_LONG: a part of the path is longer than the server accepts'],
  [415, 'UNSUPPORTED_MEDIA_TYPE: the request body must be JSON'],
  [422, 'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used for a different request'],
  [
    429,
    'RATE_LIMITED (too many requests from the address) or TOO_MANY_FAILURES (authentication locked out for a while); Retry-After says when to retry',
  ],
  [431, 'HEADERS_TOO_LARGE: the request headers are larger than the server accepts'],
  [500, 'INTERNAL: a server fault (never a client mistake); the error is in the server log'],
  [503, 'Service unavailable'],
]);

const REVISION_HEADER = {
  'x-palisade-revision': T.String({
    pattern: '^[0-9]+$',
    description: 'The revision the write committed as (always sent on a write)',
  }),
};
const ETAG_HEADER = {
  etag: T.String({ description: 'The answered object\'s revision, quoted ("12"): send it back as If-Match' }),
};
const REPLAY_HEADER = {
  'idempotent-replayed': T.Literal('true', {
    description: "Sent when the answer replays an Idempotency-Key's first answer",
  }),
};
const RETRY_HEADER = {
  'retry-after': T.String({ pattern: '^[0-9]+$', description: 'Seconds until a retry may succeed' }),
};

/** What a route is, for the statuses every such route can answer besides its own. */
export interface RouteKind {
  /** Needs credentials (401, and 429 for lockouts). Default true. */
  auth?: boolean;
  /** Takes a JSON body (400 for bad JSON, 413, 415). */
  body?: boolean;
  /** A write through the service layer: x-palisade-revision, If-Match and Idempotency-Key (400, 422). */
  write?: boolean;
  /** A GET of one object: its revision as ETag. */
  etag?: boolean;
}
export const READ: RouteKind = {};
export const READ_ONE: RouteKind = { etag: true };
/** A POST that reads (flow checks, simulations): a body, no revision. */
export const QUERY: RouteKind = { body: true };
export const WRITE: RouteKind = { body: true, write: true };
export const PUBLIC: RouteKind = { auth: false };
/** POST /v1/tokens: a body, no credentials (401 is its own: wrong key or secret). */
export const LOGIN: RouteKind = { auth: false, body: true };

/** Statuses any request may meet before its route's code runs: timeouts, rate limits, oversized headers, faults. */
const EVERY_ROUTE = [408, 429, 431, 500];

/** A success with its own description (what a 200 means next to a 201, say). */
export class Described {
  constructor(
    readonly schema: TSchema | null,
    readonly description: string,
  ) {}
}
export const described = (schema: TSchema | null, description: string) => new Described(schema, description);

type Success = TSchema | null | Described;
type ErrorSpec = number | [number, string];

const SUCCESS_TEXT = new Map([
  [200, 'OK'],
  [201, 'Created'],
  [204, 'No content'],
]);

/**
 * The responses of an operation: its successes (a schema, or null for no content), the error
 * statuses its own code answers (optionally with what they mean there), and the statuses every
 * route of its kind answers. Errors are problem+json; 429 carries Retry-After.
 */
export function answers(
  kind: RouteKind,
  ok: Partial<Record<200 | 201 | 204, Success>>,
  errors: ErrorSpec[] = [],
): Record<string, object> {
  const out: [string, object][] = [];
  for (const [code, success] of Object.entries(ok) as [string, Success][]) {
    const { schema, description } =
      success instanceof Described
        ? success
        : { schema: success, description: SUCCESS_TEXT.get(Number(code))! };
    const headers = {
      ...(kind.write ? { ...REVISION_HEADER, ...REPLAY_HEADER } : {}),
      ...(kind.write || kind.etag ? ETAG_HEADER : {}),
    };
    out.push([
      code,
      {
        description,
        ...(Object.keys(headers).length ? { headers } : {}),
        // type null: @fastify/swagger documents no content.
        ...(schema === null && !(kind.write && code === '200')
          ? { type: 'null' }
          : {
              content: {
                ...(schema === null ? {} : { 'application/json': { schema } }),
                ...(kind.write && code === '200' ? PREVIEW_CONTENT() : {}),
              },
            }),
      },
    ]);
  }
  // ?preview=true: every write may answer what it would do instead (200, its own media type).
  if (kind.write && !Object.hasOwn(ok, 200))
    out.push([
      '200',
      {
        description: 'With ?preview=true: what the write would change (a Preview); nothing is stored',
        headers: { ...REVISION_HEADER, ...REPLAY_HEADER, ...ETAG_HEADER },
        content: PREVIEW_CONTENT(),
      },
    ]);
  const statuses = new Map<number, string[]>();
  const add = (status: number, what?: string) => {
    const list = statuses.get(status) ?? [];
    if (what !== undefined) list.push(what);
    statuses.set(status, list);
  };
  for (const status of EVERY_ROUTE) add(status);
  if (kind.auth !== false) add(401);
  if (kind.body) for (const status of [400, 413, 415]) add(status);
  if (kind.write) for (const status of [400, 422]) add(status);
  for (const e of errors) {
    if (typeof e === 'number') add(e);
    else add(e[0], e[1]);
  }
  for (const [status, specific] of [...statuses].sort(([a], [b]) => a - b))
    out.push([
      String(status),
      {
        description: [ERRORS.get(status) ?? 'Error', ...specific].join('. '),
        ...(status === 429 ? { headers: RETRY_HEADER } : {}),
        content: { [PROBLEM_MEDIA_TYPE]: { schema: ref(ProblemSchema) } },
      },
    ]);
  return Object.fromEntries(out);
}

/** GET /v1/watch: a Server-Sent Events stream, not JSON. */
export const EVENT_STREAM = {
  description:
    'text/event-stream: a comment line, then one event per committed write (id: <revision>, event: change, data: a Change as JSON, see components.schemas.Change), then live; ": keepalive" comments every 15 seconds',
  content: {
    'text/event-stream': {
      schema: T.String({ description: 'Server-Sent Events; each data line is a Change' }),
    },
  },
};

// ---- analysis (issue 13) ----

const Strings = (description: string) => T.Array(T.String(), { description });
const PacketBox = T.Object(
  {
    protocols: Strings('IP protocol numbers or ranges ("6", "0-255")'),
    ports: Strings('Destination ports of TCP/UDP/SCTP, or "any"'),
    icmp: Strings('ICMP type/code ("8/0", "8/any"), or "any"'),
    sourcePorts: Strings('Source ports (Alibaba), or "any"'),
    remote: Strings('Remote address ranges, or "any"'),
  },
  { description: 'One box of first packets: every combination of the listed values' },
);
const Packets = T.Object({
  boxes: T.Array(PacketBox, { description: 'Disjoint boxes of first packets (at most 20 shown)' }),
  more: T.Integer({ description: 'How many boxes were left out' }),
});
export const PortAnalysis = T.Object(
  {
    portId: Id,
    regionId: Id,
    revision: T.Integer({ description: 'The store revision analysed' }),
    effective: T.Array(
      T.Object({
        direction: Direction,
        ethertype: Ethertype,
        kind: Enum(['policy', 'unsecured', 'closed'], {
          description: 'policy: the groups decide; unsecured: port security off; closed: fail-closed',
        }),
        entries: T.Array(
          T.Object({
            position: T.Integer({ description: '1-based place in the evaluation order' }),
            kind: Enum(['rule', 'innerAccess']),
            ruleId: T.Optional(Id),
            groupId: Id,
            action: Action,
            decides: Enum(['nothing', 'packets']),
            packets: Packets,
          }),
          { description: "The port's groups' entries merged in evaluation order, each with what it decides" },
        ),
        default: T.Object({ verdict: Action, packets: Packets }),
      }),
    ),
    findings: T.Array(
      T.Object({
        kind: Enum(['empty', 'shadowed', 'partiallyShadowed', 'redundant', 'conflicting']),
        ruleId: Id,
        groupId: Id,
        direction: Direction,
        ethertype: Ethertype,
        by: Strings('The entries that cause it (rule ids, or innerAccess:<group id>)'),
      }),
    ),
  },
  { $id: 'PortAnalysis' },
);

const ExposureKinds = [...EXPOSURE_KINDS];
const Severity = Enum(['high', 'medium', 'low']);
/** The policy a lint applied: the request's, over the defaults. */
const ExposurePolicyApplied = T.Object({
  sensitivePorts: T.Array(PortNumber),
  widestRange: T.Integer(),
  quotaShare: T.Number(),
  maxEffectiveRules: T.Integer(),
  catchAllShare: T.Number(),
  catchAllMinPorts: T.Integer(),
  perInstanceGroups: T.Integer(),
  perInstanceDifference: T.Integer(),
  severities: T.Object(
    Object.fromEntries(ExposureKinds.map((k) => [k, Enum(['high', 'medium', 'low', 'off'])])),
  ),
});
const ExposureFinding = T.Object({
  kind: Enum(ExposureKinds),
  severity: Severity,
  groupId: T.Optional(Id),
  ruleId: T.Optional(Id),
  ports: T.Optional(T.Array(T.Integer(), { description: 'The sensitive ports the rule opens to everyone' })),
  groupIds: T.Optional(T.Array(Id, { description: 'groupPerInstance: the groups that could be one' })),
  portId: T.Optional(Id),
  count: T.Optional(
    T.Integer({
      minimum: 0,
      description:
        "The rules a port is under, the ports a group is alone on, the groups alike, a group's rules",
    }),
  ),
  fix: T.String({ description: 'What to change' }),
});
export const GroupExposure = T.Object(
  {
    groupId: Id,
    revision: T.Integer({ description: 'The store revision analysed' }),
    policy: ExposurePolicyApplied,
    findings: T.Array(ExposureFinding),
  },
  { $id: 'GroupExposure' },
);
export const RegionExposure = T.Object(
  {
    regionId: Id,
    revision: T.Integer({ description: 'The store revision analysed' }),
    policy: ExposurePolicyApplied,
    findings: T.Array(ExposureFinding, {
      description: "Every visible group's findings, then those across groups and ports",
    }),
  },
  { $id: 'RegionExposure' },
);

/** A rule's hit history, as GET .../unused answers it (ops/rule-usage.ts). */
const RuleUsage = T.Object({
  ruleId: Id,
  groupId: Id,
  direction: Direction,
  measuredSince: T.String({
    format: 'date-time',
    description:
      'Since when its hits are counted: an agent enforcing it first reported it, or it was made, whichever is later',
  }),
  measuredForDays: T.Integer({
    minimum: 0,
    description: 'Whole days measured: under `days`, "unused" covers only these',
  }),
  firstHit: nullable(Timestamp, 'The first hit counted; null if none'),
  lastHit: nullable(Timestamp, 'The last hit counted (to the report that counted it); null if none'),
  hits: T.Integer({ minimum: 0, description: 'Packets counted since measured' }),
  hitsInPeriod: T.Integer({
    minimum: 0,
    description: 'Packets counted in the daily windows of the last `days` days',
  }),
  enforcedNow: T.Boolean({ description: "Whether a host agent's latest report counts it" }),
});
const unusedRules = (owner: 'groupId' | 'portId', $id: string) =>
  T.Object(
    {
      [owner]: Id,
      revision: T.Integer({ description: 'The store revision whose rules are reported' }),
      days: T.Integer({ minimum: 1 }),
      asOf: Timestamp,
      unused: T.Array(RuleUsage, { description: 'Measured rules with no hit in the last `days` days' }),
      used: T.Array(RuleUsage, { description: 'Measured rules hit in the last `days` days' }),
      notMeasured: T.Array(T.Object({ ruleId: Id, groupId: Id, direction: Direction, reason: T.String() }), {
        description: 'Rules no agent has counted: no port holding them is on a host with an agent',
      }),
    },
    { $id },
  );
export const GroupUnusedRules = unusedRules('groupId', 'GroupUnusedRules');
export const PortUnusedRules = unusedRules('portId', 'PortUnusedRules');

// ---- findings per group and compaction (issue 13 items 2 and 10) ----

const SomePorts = {
  ports: T.Array(Id, { description: "The caller's ports among them (operators: all)" }),
  otherTenantsPorts: T.Integer({
    description: 'Ports of tenants the group is shared with, counted, not named',
  }),
};
export const GroupFindings = T.Object(
  {
    groupId: Id,
    revision: T.Integer({ description: 'The store revision analysed' }),
    members: T.Object(SomePorts, { description: 'The member ports analysed (port security on)' }),
    findings: T.Array(
      T.Object({
        kind: Enum(['empty', 'shadowed', 'partiallyShadowed', 'redundant', 'conflicting']),
        ruleId: Id,
        direction: Direction,
        ethertype: Ethertype,
        by: Strings('The entries that cause it on any of the ports (rule ids, or innerAccess:<group id>)'),
        holds: Enum(['everyPort', 'somePorts', 'groupAlone'], {
          description:
            "everyPort: on each member port; somePorts: on the listed ports only; groupAlone: the group has no members and was analysed as a port's only group",
        }),
        ...SomePorts,
      }),
    ),
  },
  { $id: 'GroupFindings' },
);

const ProposedRule = T.Object(
  {
    id: T.String({ description: 'A kept rule\'s id; "new:<n>" for a merged rule not yet written' }),
    ...ruleCommon,
    remoteIpPrefix: R.remoteIpPrefix,
    remoteGroup: R.remoteGroup,
    remoteAddressGroup: R.remoteAddressGroup,
  },
  { description: 'A rule of the proposal, in the request fields' },
);
export const GroupCompaction = T.Object(
  {
    groupId: Id,
    revision: T.Integer({ description: 'The store revision analysed (apply: the revision written)' }),
    applied: T.Boolean({ description: 'Whether the proposal was written' }),
    outcome: Enum(['compacted', 'unchanged'], {
      description: 'unchanged: no smaller equivalent rule set was found',
    }),
    counts: T.Object({
      before: T.Integer(),
      after: T.Integer(),
      dropped: T.Integer({ description: 'Rules removed whose packets keep their verdict without them' }),
      merged: T.Integer({ description: 'Rules removed into merged rules' }),
      added: T.Integer({ description: 'Merged rules' }),
    }),
    rules: T.Array(ProposedRule, { description: 'The proposed rule set of the group' }),
    removed: T.Array(
      T.Object({
        ruleId: Id,
        reason: Enum(['dropped', 'merged']),
        into: T.Array(T.String(), { description: 'The merged rules it went into' }),
      }),
    ),
    added: T.Array(
      T.Object({ rule: ProposedRule, from: T.Array(Id, { description: 'The rules it merges' }) }),
    ),
    proof: T.Object({
      equivalent: T.Boolean({
        description: 'Always true: a proposal that is not equivalent is never answered',
      }),
      checks: T.Array(
        T.Object({
          portId: T.String({ description: 'A member port, or "(the group alone)"' }),
          alone: T.Boolean(),
          direction: Direction,
          ethertype: Ethertype,
          equivalent: T.Boolean({ description: 'The allowed packets before and after are the same set' }),
        }),
      ),
    }),
  },
  { $id: 'GroupCompaction' },
);

// ---- differences and change previews (issue 13, items 5 and 6) ----

const DiffDecider = T.Object(
  {
    kind: Enum(['rule', 'innerAccess', 'default', 'unsecured', 'closed', 'portAbsent'], {
      description:
        'rule; innerAccess: same-group access; default: no entry matched; unsecured: port security off; closed: fail-closed (no group); portAbsent: no such port on this side',
    }),
    ruleId: T.Optional(Id),
    groupId: T.Optional(Id),
    action: T.Optional(Action),
    verdict: T.Optional(Action),
  },
  { description: 'What decides these packets on one side' },
);
const DiffPiece = T.Object({
  packets: Packets,
  before: DiffDecider,
  after: DiffDecider,
});
const portDifferences = {
  equivalent: T.Boolean({ description: 'No packet of any (visible) port gets another verdict' }),
  ports: T.Array(
    T.Object({
      portId: Id,
      direction: Direction,
      ethertype: Ethertype,
      newlyAllowed: T.Array(DiffPiece, { description: 'Denied before, allowed after, by deciding pair' }),
      newlyDenied: T.Array(DiffPiece, { description: 'Allowed before, denied after, by deciding pair' }),
    }),
    { description: 'Only the ports, directions and families whose verdicts differ' },
  ),
};
export const PolicyDifference = T.Object(
  {
    regionId: Id,
    from: T.Integer({ description: 'The revision of the "before" side (the stored region)' }),
    to: nullable(T.Integer(), 'The revision of the "after" side; null: the policy file'),
    ...portDifferences,
  },
  { $id: 'PolicyDifference' },
);

const CutConnection = T.Object({
  portId: Id,
  host: nullable(T.String(), 'The host whose agent listed it; null for a modelled connection'),
  protocol: T.Integer(),
  src: T.String(),
  dst: T.String(),
  sport: T.Optional(T.Integer()),
  dport: T.Optional(T.Integer()),
  origin: Enum(['inbound', 'outbound'], { description: 'inbound: opened towards the port' }),
  state: T.String({ description: 'The TCP state as conntrack names it; empty for other protocols' }),
  reason: Enum(['clearedByPolicy', 'reevaluatedDeny', 'portLeft'], {
    description:
      "clearedByPolicy: the profile's clearing removes the port's inbound entries (Huawei, OpenStack); reevaluatedDeny: the new policy denies it (Alibaba); portLeft: its port goes away",
  }),
  because: T.String({ description: 'The change that causes it' }),
});
export const Preview = T.Object(
  {
    preview: T.Literal(true),
    regionId: nullable(Id),
    revision: T.Integer({ description: 'The revision the write was decided against; nothing was stored' }),
    status: T.Integer({ description: 'The status the write would answer' }),
    result: T.Unknown({ description: 'What the write would answer (its body), with ids it would assign' }),
    events: T.Integer({ description: 'How many change events the write would emit' }),
    ...portDifferences,
    connections: T.Object({
      cut: T.Array(CutConnection, {
        description: "Live connections the change will cut, from the agents' conntrack listings",
      }),
      listedHosts: T.Array(
        T.Object({
          host: T.String(),
          reportedAt: Timestamp,
          connections: T.Integer({ description: "How many of the change's ports' connections it listed" }),
        }),
        {
          description:
            "Hosts of the change's ports whose agents listed their connections (the latest report)",
        },
      ),
      modelled: T.Array(
        T.Object({
          portId: Id,
          effect: Enum(['inboundCleared', 'reevaluated', 'forgotten']),
          because: T.String(),
        }),
        {
          description:
            "Ports without an agent's listing: what the profile's clearing does to their connections, as the simulator models it (which of them are live is not known)",
        },
      ),
    }),
  },
  { $id: 'Preview' },
);
SHARED_SCHEMAS.push(PolicyDifference, Preview);
/** A write's preview answer (a function: answers() is declared above the schema). */
function PREVIEW_CONTENT() {
  return { [PREVIEW_MEDIA_TYPE]: { schema: ref(Preview) } };
}

// ---- plan and apply (issue 13, item 8) ----

const PlannedChange = T.Object({
  kind: Enum(['vpc', 'addressGroup', 'group', 'rule', 'instance', 'port']),
  action: Enum(['create', 'update', 'delete']),
  ref: T.Optional(T.String({ description: "The object's id in the file (created and updated objects)" })),
  at: T.Optional(T.String({ description: 'Where the file gives it: groups[1].rules[0]' })),
  id: T.Optional(T.String({ description: "The stored object's id (updated and deleted objects)" })),
  name: T.Optional(T.String()),
  parent: T.Optional(
    T.String({
      description: "A rule's group, a port's instance: the stored id, or the file's for a new one",
    }),
  ),
  fields: T.Optional(T.Array(T.String(), { description: 'An update: the fields that change' })),
  rule: T.Optional(
    T.Object(RuleSchema.properties, {
      description:
        'A rule: what it is; remote ids are stored ids, or new:<where the file has it> for objects made now',
    }),
  ),
  groups: T.Optional(T.Array(T.String(), { description: 'A port: its groups after the change, in order' })),
});
const planFields = {
  regionId: Id,
  revision: T.Integer({
    minimum: 0,
    description:
      "The region's revision the plan is at: give it to apply (If-Match) to refuse a changed region",
  }),
  tenants: T.Array(Id, { description: 'The tenants whose objects the file holds' }),
  changes: T.Array(PlannedChange),
  summary: T.Object({ create: Count, update: Count, delete: Count }),
};
export const PolicyPlan = T.Object(
  {
    ...planFields,
    ...portDifferences,
    connections: {
      ...Preview.properties.connections,
      description: 'The live connections applying it will cut',
    },
  },
  { $id: 'PolicyPlan' },
);
export const AppliedPolicy = T.Object(
  {
    ...planFields,
    revision: T.Integer({
      minimum: 0,
      description:
        "The apply's revision; when nothing was written, the store's revision the region is as the file says at",
    }),
    applied: T.Boolean({
      description: 'Whether anything was written: false when the region already is as the file says',
    }),
  },
  { $id: 'AppliedPolicy' },
);

// ---- reachability (issue 13) ----

const ServiceBox = T.Object(
  {
    ethertype: Ethertype,
    protocols: Strings('IP protocol numbers or ranges ("6", "0-255")'),
    ports: Strings('Destination ports of TCP/UDP/SCTP, or "any"'),
    icmp: Strings('ICMP type/code ("8/0", "8/any"), or "any"'),
    sourcePorts: Strings('Source ports (Alibaba), or "any"'),
  },
  { description: 'One box of first packets a pair may send: every combination of the listed values' },
);
const Services = T.Object({
  boxes: T.Array(ServiceBox, { description: 'Disjoint boxes per family (at most 20 shown)' }),
  more: T.Integer({ description: 'How many boxes were left out' }),
});
const PathDecider = T.Union(
  [
    T.Object({ kind: T.Literal('rule'), ruleId: Id, groupId: Id }),
    T.Object({ kind: T.Literal('innerAccess'), groupId: Id }),
    T.Object({ kind: T.Literal('default') }),
    T.Object({ kind: T.Literal('unsecured') }),
  ],
  {
    description:
      "What lets the side's packets through: a rule, same-group access, the default verdict, port security off",
  },
);
export const Reachability = T.Union(
  [
    T.Object({
      regionId: Id,
      revision: T.Integer({ description: 'The store revision analysed' }),
      by: T.Literal('port'),
      ports: T.Array(T.Object({ id: Id, instanceId: Id, vpcId: VpcId, groupIds: T.Array(Id) }), {
        description: "The caller's ports (operators: every port), the matrix's rows and columns",
      }),
      pairs: T.Array(
        T.Object({
          from: Id,
          to: Id,
          services: Services,
          paths: T.Array(
            T.Object({
              ethertype: Ethertype,
              fromAddress: T.String(),
              toAddress: T.String(),
              egress: PathDecider,
              ingress: PathDecider,
              services: Services,
            }),
            { description: 'Per address pair and pair of deciders (egress of from, ingress of to)' },
          ),
        }),
        { description: 'Ordered pairs of distinct ports that allow something' },
      ),
      blockedPairs: T.Integer({ description: 'Ordered pairs of distinct ports that allow nothing' }),
      more: T.Integer({ description: 'Allowed pairs left out by the limit' }),
    }),
    T.Object({
      regionId: Id,
      revision: T.Integer({ description: 'The store revision analysed' }),
      by: T.Literal('group'),
      groups: T.Array(
        T.Object({ id: Id, name: T.String(), members: T.Integer({ description: 'Member ports analysed' }) }),
      ),
      pairs: T.Array(
        T.Object({
          from: Id,
          to: Id,
          allowedPairs: T.Integer({
            description: 'Ordered pairs of distinct members (from, to) that allow something',
          }),
          totalPairs: T.Integer(),
          some: Services,
          every: T.Object(
            { boxes: Services.properties.boxes, more: Services.properties.more },
            { description: 'What every such pair allows' },
          ),
        }),
        { description: 'Group pairs whose members reach each other; some: what some pair allows' },
      ),
      more: T.Integer({ description: 'Group pairs left out by the limit' }),
    }),
  ],
  { $id: 'Reachability' },
);

const WhyNotSide = T.Object({
  direction: Direction,
  portId: nullable(Id, "null: the address is no Palisade port's, or the port is another tenant's"),
  verdict: Action,
  reason: T.Object(
    {
      kind: Enum([
        'outside',
        'unsecured',
        'allowedByRule',
        'allowedByInnerAccess',
        'allowedByDefault',
        'noAllowMatched',
        'denyRule',
        'closed',
        'hidden',
      ]),
      ruleId: T.Optional(Id),
      groupId: T.Optional(Id),
      priority: T.Optional(T.Integer()),
      detail: T.Optional(T.String()),
    },
    { description: "What decided this side (hidden: another tenant's port)" },
  ),
  suggestions: T.Array(
    T.Object({
      kind: Enum(['addRule', 'removeRule']),
      groupId: Id,
      rule: T.Optional(Any('The rule to add, as POST /v1/security-groups/{id}/rules takes it')),
      ruleId: T.Optional(Id),
      text: T.String(),
    }),
    { description: 'Verified changes that make this side allow the packet, the narrowest first' },
  ),
});
export const WhyNot = T.Object(
  {
    regionId: Id,
    revision: T.Integer({ description: 'The store revision analysed' }),
    packet: ref(Packet),
    verdict: Action,
    egress: WhyNotSide,
    ingress: WhyNotSide,
    reachableAfterSuggestions: nullable(
      T.Boolean(),
      'Whether the first suggestion of each denying side together deliver the packet; null: nothing to apply, or a denying side is hidden',
    ),
    network: T.Object({
      crossesVpcs: T.Boolean(),
      note: T.Optional(T.String()),
    }),
  },
  { $id: 'WhyNot' },
);

// ---- translation between clouds (issue 13 item 9) ----
const FormatName = Enum(['alibaba', 'huawei', 'neutron', 'aws']);
const TranslationDifference = T.Object(
  {
    portId: T.Optional(Id),
    groupId: T.Optional(
      T.String({ description: 'The group whose probe (the group alone on a port) differs' }),
    ),
    direction: Direction,
    ethertype: Ethertype,
    lost: Packets,
    gained: Packets,
  },
  { description: 'Packets the source allows and the translation does not (lost), and the reverse (gained)' },
);
const Method = Enum(['direct', 'computed'], {
  description: 'direct: rule by rule; computed: from the exact set of packets the group allows',
});
export const RegionExport = T.Object(
  {
    regionId: Id,
    revision: T.Integer({ description: 'The store revision exported' }),
    profile: Profile,
    format: FormatName,
    equivalent: T.Boolean({
      description: 'Whether the document, read back, allows exactly what the region allows on every port',
    }),
    groups: T.Array(T.Object({ id: Id, name: T.String(), method: Method, ruleCount: T.Integer() })),
    differences: T.Array(TranslationDifference),
    document: T.Object(
      {},
      { additionalProperties: true, description: 'The document in the format asked for' },
    ),
  },
  { $id: 'RegionExport' },
);
export const RegionImport = T.Object(
  {
    regionId: Id,
    format: FormatName,
    profile: Profile,
    dryRun: T.Boolean(),
    revision: T.Integer({ description: 'The store revision written (dry run: the current one)' }),
    equivalent: T.Boolean({
      description: "Whether every imported group allows exactly what the document's allows",
    }),
    groups: T.Array(
      T.Object({ id: Id, sourceId: T.String(), name: T.String(), method: Method, ruleCount: T.Integer() }),
    ),
    addressGroups: T.Array(
      T.Object({ id: Id, sourceId: T.String(), name: T.String(), entryCount: T.Integer() }),
    ),
    differences: T.Array(TranslationDifference),
  },
  { $id: 'RegionImport' },
);

// ---- quota usage (the console's quota bars) ----

export const QuotaUsage = T.Object(
  {
    tenantId: Id,
    items: T.Array(
      T.Object({
        regionId: Id,
        quotas: T.Array(
          T.Object({
            name: Enum(Object.keys(QuotasSchema.properties)),
            limit: T.Integer({ minimum: 0, description: '0: no limit' }),
            overridden: T.Boolean({
              description:
                "Whether the limit is the tenant's own override in this region (else the region's)",
            }),
            per: Enum(['tenant', 'group', 'port', 'addressGroup'], {
              description:
                "What the quota counts: the tenant's objects in the region, or each group's, port's or address group's own (their reads carry those counts)",
            }),
            used: T.Optional(
              T.Integer({
                minimum: 0,
                description: 'Tenant-wide quotas: what the tenant has in the region now',
              }),
            ),
          }),
        ),
      }),
      { description: 'Per region, in id order' },
    ),
  },
  { $id: 'QuotaUsage' },
);
SHARED_SCHEMAS.push(QuotaUsage);
