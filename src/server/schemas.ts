// Request schemas of the native API (TypeBox): Fastify validates every request with them and
// @fastify/swagger turns the same schemas into the OpenAPI 3.1 document.
import { Type as T } from '@sinclair/typebox';
import { RULE_HIT_WINDOWS } from '../control/ops/rule-usage.js';
import { EXPOSURE_KINDS } from '../core/analysis/exposure.js';
import { PROFILES } from '../core/model.js';
import { QuotasSchema, RuleSchema, TimeoutsSchema } from '../policy/schema.js';

const strict = { additionalProperties: false } as const;
const Name = T.String({ minLength: 1, maxLength: 255 });
const Description = T.String({ maxLength: 1024 });
/** An id: no control characters (PostgreSQL text cannot hold a NUL: a 500 found by the fuzz). */
export const Id = T.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });
const TenantId = T.Optional(T.String({ description: 'Admin keys only: the tenant the object belongs to' }));
const Profile = T.Union(PROFILES.map((p) => T.Literal(p)));
const VpcRef = T.Union([Id, T.Null()], { description: 'VPC id; null for the Alibaba classic network' });

export const IdParams = T.Object({ id: Id });
export const RuleParams = T.Object({ id: Id, ruleId: Id });
export const MemberParams = T.Object({ id: Id, groupId: Id });

export const PageQuery = {
  cursor: T.Optional(T.String({ description: 'nextCursor of the previous page' })),
  limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000, default: 100 })),
};

export const TenantCreate = T.Object(
  { id: T.Optional(Id), name: Name, description: T.Optional(Description) },
  strict,
);
export const TenantPatch = T.Object({ name: T.Optional(Name), description: T.Optional(Description) }, strict);

export const RegionCreate = T.Object(
  {
    id: Id,
    name: T.Optional(Name),
    profile: Profile,
    quotas: T.Optional(QuotasSchema),
    conntrackTimeouts: T.Optional(TimeoutsSchema),
  },
  strict,
);
export const RegionPatch = T.Object(
  { name: T.Optional(Name), quotas: T.Optional(QuotasSchema), conntrackTimeouts: T.Optional(TimeoutsSchema) },
  strict,
);

export const VpcCreate = T.Object(
  { regionId: Id, name: Name, cidr: T.Optional(T.String()), tenantId: TenantId },
  strict,
);
export const VpcPatch = T.Object({ name: T.Optional(Name) }, strict);
export const RegionQuery = T.Object({ regionId: T.Optional(Id), ...PageQuery });

export const Rule = RuleSchema;
export const RulePatch = T.Partial(RuleSchema, { additionalProperties: false });
export const RuleBatch = T.Object({ rules: T.Array(RuleSchema, { minItems: 1, maxItems: 1000 }) }, strict);
export const RuleDelete = T.Object({ ruleIds: T.Array(Id, { minItems: 1, maxItems: 1000 }) }, strict);
export const RuleQuery = T.Object({
  direction: T.Optional(T.Union([T.Literal('ingress'), T.Literal('egress')])),
  ...PageQuery,
});

const Tags = T.Record(T.String({ minLength: 1, maxLength: 128 }), T.String({ maxLength: 256 }), {
  maxProperties: 50,
  description: 'Key/value tags (an OpenStack tag is a key with an empty value)',
});
export const GroupCreate = T.Object(
  {
    regionId: Id,
    vpcId: VpcRef,
    name: Name,
    description: T.Optional(Description),
    type: T.Optional(T.Union([T.Literal('basic'), T.Literal('advanced')])),
    stateful: T.Optional(T.Boolean()),
    innerAccessPolicy: T.Optional(T.Union([T.Literal('Accept'), T.Literal('Drop')])),
    template: T.Optional(
      T.String({
        description: 'A template id (GET /v1/templates), or "empty"; absent: the profile\'s starting rules',
      }),
    ),
    rules: T.Optional(T.Array(RuleSchema, { maxItems: 1000 })),
    tenantId: TenantId,
    tags: T.Optional(Tags),
  },
  strict,
);
export const GroupPatch = T.Object(
  {
    name: T.Optional(Name),
    description: T.Optional(Description),
    innerAccessPolicy: T.Optional(T.Union([T.Literal('Accept'), T.Literal('Drop')])),
    stateful: T.Optional(T.Boolean()),
    tags: T.Optional(Tags),
  },
  strict,
);
export const GroupClone = T.Object(
  { name: Name, vpcId: T.Optional(VpcRef), description: T.Optional(Description) },
  strict,
);
export const GroupQuery = T.Object({
  regionId: T.Optional(Id),
  vpcId: T.Optional(Id),
  name: T.Optional(T.String()),
  type: T.Optional(T.Union([T.Literal('basic'), T.Literal('advanced')])),
  tenantId: T.Optional(Id),
  ...PageQuery,
});

const PortFields = {
  ipv4: T.Optional(T.Array(T.String())),
  ipv6: T.Optional(T.Array(T.String())),
  publicIpv4: T.Optional(T.String()),
  virtualIps: T.Optional(T.Array(T.String())),
  nicType: T.Optional(T.Union([T.Literal('intranet'), T.Literal('internet')])),
  host: T.Optional(T.String({ description: 'Hypervisor host that carries the port' })),
  interface: T.Optional(T.String({ description: "The port's interface on its host" })),
};
export const PortCreate = T.Object(
  { ...PortFields, groupIds: T.Optional(T.Array(Id, { description: 'Ordered; empty: the default group' })) },
  strict,
);
export const PortPatch = T.Object(PortFields, strict);
export const InstanceCreate = T.Object(
  {
    regionId: Id,
    vpcId: VpcRef,
    name: Name,
    ports: T.Array(PortCreate, { minItems: 1, maxItems: 32 }),
    tenantId: TenantId,
  },
  strict,
);
export const InstancePatch = T.Object({ name: T.Optional(Name) }, strict);
export const InstanceQuery = T.Object({
  regionId: T.Optional(Id),
  vpcId: T.Optional(Id),
  host: T.Optional(T.String()),
  ...PageQuery,
});

export const PortQuery = T.Object({
  regionId: T.Optional(Id),
  vpcId: T.Optional(Id),
  host: T.Optional(T.String()),
  groupId: T.Optional(T.String({ description: 'Ports holding this group' })),
  match: T.Optional(
    T.String({
      minLength: 1,
      description: "Ports whose id, name, instance's name or an address contains this text (any case)",
    }),
  ),
  ...PageQuery,
});

export const Join = T.Object(
  { groupId: Id, sequence: T.Optional(T.Integer({ minimum: 0, description: '0 first; absent: last' })) },
  strict,
);
export const SetGroups = T.Object({ groupIds: T.Array(Id, { minItems: 1 }) }, strict);

const Entries = T.Array(T.String({ description: 'An address or CIDR' }), { maxItems: 20000 });
export const AddressGroupCreate = T.Object(
  {
    regionId: Id,
    name: Name,
    ethertype: T.Optional(T.Union([T.Literal('IPv4'), T.Literal('IPv6')])),
    entries: T.Optional(Entries),
    description: T.Optional(Description),
    tenantId: TenantId,
  },
  strict,
);
export const AddressGroupPatch = T.Object(
  {
    name: T.Optional(Name),
    description: T.Optional(Description),
    entries: T.Optional(T.Unsafe<string[]>({ ...Entries, description: 'Replace all entries' })),
    add: T.Optional(Entries),
    remove: T.Optional(Entries),
  },
  strict,
);
export const AddressGroupQuery = T.Object({
  regionId: T.Optional(Id),
  name: T.Optional(T.String()),
  ...PageQuery,
});

const Protocol = T.Union([
  T.String({ description: 'tcp, udp, icmp, icmpv6, gre, sctp' }),
  T.Integer({ minimum: 0, maximum: 255 }),
]);
const PacketFields = {
  from: T.String({ description: 'A port id or an IP address' }),
  to: T.String({ description: 'A port id or an IP address' }),
  protocol: Protocol,
  srcPort: T.Optional(T.Integer({ minimum: 0, maximum: 65535 })),
  dstPort: T.Optional(T.Integer({ minimum: 0, maximum: 65535 })),
  icmpType: T.Optional(T.Integer({ minimum: 0, maximum: 255 })),
  icmpCode: T.Optional(T.Integer({ minimum: 0, maximum: 255 })),
  ethertype: T.Optional(T.Union([T.Literal('IPv4'), T.Literal('IPv6')])),
};
export const FlowCheck = T.Object(PacketFields, strict);
const Step = T.Union([
  T.Object(
    {
      op: T.Literal('send'),
      ...PacketFields,
      flags: T.Optional(T.String({ description: 'TCP flags: S, SA, A, FA, R' })),
    },
    strict,
  ),
  T.Object({ op: T.Literal('advance'), seconds: T.Number({ minimum: 0 }) }, strict),
  T.Object({ op: T.Literal('addRule'), groupId: Id, rule: RuleSchema }, strict),
  T.Object({ op: T.Literal('removeRule'), groupId: Id, ruleId: Id }, strict),
  T.Object(
    { op: T.Literal('join'), portId: Id, groupId: Id, sequence: T.Optional(T.Integer({ minimum: 0 })) },
    strict,
  ),
  T.Object({ op: T.Literal('leave'), portId: Id, groupId: Id }, strict),
  T.Object(
    {
      op: T.Literal('changeAddressGroup'),
      addressGroupId: Id,
      add: T.Optional(Entries),
      remove: T.Optional(Entries),
    },
    strict,
  ),
  T.Object({ op: T.Literal('connections') }, strict),
]);
export const Simulation = T.Object({ steps: T.Array(Step, { minItems: 1, maxItems: 10000 }) }, strict);

export const WatchQuery = T.Object({
  fromRevision: T.Optional(T.Integer({ minimum: 0, description: 'Deliver changes after this revision' })),
  regionId: T.Optional(Id),
  host: T.Optional(T.String()),
});
export const SnapshotQuery = T.Object({
  regionId: T.Optional(Id),
  revision: T.Optional(T.Integer({ minimum: 0 })),
});
export const AuditQuery = T.Object({
  regionId: T.Optional(Id),
  tenantId: T.Optional(Id),
  targetId: T.Optional(Id),
  // Writes to the group or its rules (a single rule's write targets the rule, not its group).
  groupId: T.Optional(Id),
  action: T.Optional(T.String()),
  actor: T.Optional(T.String()),
  ...PageQuery,
});

export const HostParams = T.Object({ host: T.String({ minLength: 1, maxLength: 255 }) });
export const HostReport = T.Object(
  {
    // Counts the store keeps as 64-bit integers and reads back as numbers: at most 2^53 - 1.
    revision: T.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    closed: T.Array(T.Object({ portId: Id, reason: T.String() }, strict)),
    ruleHits: T.Record(T.String(), T.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    connections: T.Optional(
      T.Array(
        T.Object(
          {
            portId: Id,
            origin: T.Union([T.Literal('inbound'), T.Literal('outbound')]),
            protocol: T.Integer({ minimum: 0, maximum: 255 }),
            src: T.String({ minLength: 1, maxLength: 64 }),
            dst: T.String({ minLength: 1, maxLength: 64 }),
            sport: T.Optional(T.Integer({ minimum: 0, maximum: 65535 })),
            dport: T.Optional(T.Integer({ minimum: 0, maximum: 65535 })),
            state: T.String({ maxLength: 32 }),
            replied: T.Boolean(),
            assured: T.Boolean(),
            remainingS: T.Integer({ minimum: 0 }),
          },
          strict,
        ),
        {
          maxItems: 20000,
          description: "The host's tracked connections of its ports (bounded per port), for change previews",
        },
      ),
    ),
  },
  strict,
);
export const StatusQuery = T.Object({ regionId: T.Optional(Id) });

export const KeyCreate = T.Object(
  {
    tenantId: T.Optional(Id),
    role: T.Optional(T.Union([T.Literal('tenant'), T.Literal('admin')])),
    description: T.Optional(Description),
  },
  strict,
);
export const TokenCreate = T.Object({ accessKeyId: Id, accessKeySecret: T.String({ minLength: 1 }) }, strict);
export const IdentityUserCreate = T.Object(
  {
    tenantId: T.Optional(Id),
    name: T.String({ minLength: 1, maxLength: 255, description: 'The OpenStack user name (domain Default)' }),
    password: T.String({ minLength: 8, maxLength: 1024 }),
    description: T.Optional(Description),
    admin: T.Optional(
      T.Boolean({
        description:
          "Keystone's admin role on its project (operator keys only): its tokens speak as the operator. Otherwise the member role.",
      }),
    ),
  },
  strict,
);
export const PasswordSet = T.Object({ password: T.String({ minLength: 8, maxLength: 1024 }) }, strict);
export const AppCredentialCreate = T.Object(
  {
    name: T.String({ minLength: 1, maxLength: 255 }),
    description: T.Optional(Description),
    expiresAt: T.Optional(T.String({ description: 'ISO 8601; absent: never expires' })),
  },
  strict,
);

const Target = T.String({
  minLength: 1,
  maxLength: 128,
  description: 'The tenant that may use the object, or * for every tenant (admin keys only)',
});
export const ShareCreate = T.Object(
  {
    objectType: T.Union([T.Literal('securityGroup'), T.Literal('addressGroup')]),
    objectId: Id,
    targetTenantId: Target,
  },
  strict,
);
export const SharePatch = T.Object({ targetTenantId: Target }, strict);
export const ShareQuery = T.Object({ regionId: T.Optional(Id) });

/** GET .../unused: the period without hits, in days (at most the daily windows kept per rule). */
export const UnusedQuery = T.Object({
  days: T.Optional(
    T.Integer({ minimum: 1, maximum: RULE_HIT_WINDOWS, default: 30, description: 'Days without a hit' }),
  ),
});

/** POST .../exposure: what the lint flags; every field is optional and defaults as documented. */
const LintSeverity = T.Union([T.Literal('high'), T.Literal('medium'), T.Literal('low'), T.Literal('off')]);
export const ExposureQuery = T.Object(
  {
    policy: T.Optional(
      T.Object(
        {
          sensitivePorts: T.Optional(
            T.Array(T.Integer({ minimum: 1, maximum: 65535 }), {
              maxItems: 1024,
              description: 'Ports never to open to every address (replaces the default list)',
            }),
          ),
          widestRange: T.Optional(T.Integer({ minimum: 1, maximum: 65535 })),
          quotaShare: T.Optional(T.Number({ description: 'Above 0, at most 1' })),
          maxEffectiveRules: T.Optional(T.Integer({ minimum: 1 })),
          catchAllShare: T.Optional(T.Number({ description: 'Above 0, at most 1' })),
          catchAllMinPorts: T.Optional(T.Integer({ minimum: 1 })),
          perInstanceGroups: T.Optional(T.Integer({ minimum: 2 })),
          perInstanceDifference: T.Optional(T.Integer({ minimum: 0 })),
          severities: T.Optional(
            T.Object(Object.fromEntries(EXPOSURE_KINDS.map((k) => [k, T.Optional(LintSeverity)])), strict),
          ),
        },
        strict,
      ),
    ),
  },
  strict,
);

/** POST /v1/security-groups/{id}/compact: answer the proposal, or write it too. */
export const CompactQuery = T.Object(
  { apply: T.Optional(T.Boolean({ description: 'Write the proposal (default: only answer it)' })) },
  strict,
);
export const ReachabilityQuery = T.Object({
  by: T.Optional(T.Union([T.Literal('port'), T.Literal('group')], { default: 'port' })),
  limit: T.Optional(T.Integer({ minimum: 1, maximum: 100000, default: 1000 })),
});
export const WhyNotQuery = T.Object({
  from: T.String({ minLength: 1, description: 'A port id or an IP address' }),
  to: T.String({ minLength: 1, description: 'A port id or an IP address' }),
  protocol: T.String({
    minLength: 1,
    description: 'tcp, udp, icmp, icmpv6, gre, sctp or an IP protocol number',
  }),
  port: T.Optional(T.Integer({ minimum: 0, maximum: 65535, description: 'Destination port (TCP/UDP/SCTP)' })),
  srcPort: T.Optional(T.Integer({ minimum: 0, maximum: 65535 })),
  icmpType: T.Optional(T.Integer({ minimum: 0, maximum: 255 })),
  icmpCode: T.Optional(T.Integer({ minimum: 0, maximum: 255 })),
  ethertype: T.Optional(T.Union([T.Literal('IPv4'), T.Literal('IPv6')])),
});
// ---- translation between clouds (issue 13 item 9) ----
const Format = T.Union(
  ['alibaba', 'huawei', 'neutron', 'aws'].map((f) => T.Literal(f)),
  {
    description:
      'alibaba (DescribeSecurityGroupAttribute), huawei (VPC v3), neutron, aws (DescribeSecurityGroups)',
  },
);
export const ExportQuery = T.Object(
  {
    format: Format,
    tenantId: T.Optional(T.String({ description: "Admin keys only: export one tenant's groups" })),
  },
  strict,
);
export const ImportQuery = T.Object(
  {
    format: Format,
    dryRun: T.Optional(
      T.Boolean({
        default: false,
        description: 'Answer what would be created and what cannot be expressed; write nothing',
      }),
    ),
    tenantId: TenantId,
  },
  strict,
);
export const CloudDocument = T.Object(
  {},
  { additionalProperties: true, description: 'The document in the chosen format, as its cloud writes it' },
);

/** GET /v1/quotas: one region (else every region), and (operators) whose quotas. */
export const QuotaUsageQuery = T.Object({
  regionId: T.Optional(Id),
  /** Operator keys: the tenant whose quotas to read (required for them). */
  tenantId: T.Optional(Id),
});
