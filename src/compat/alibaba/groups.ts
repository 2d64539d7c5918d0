// Security group actions: CreateSecurityGroup, DescribeSecurityGroups,
// DescribeSecurityGroupAttribute, ModifySecurityGroupAttribute, ModifySecurityGroupPolicy,
// DeleteSecurityGroup, DescribeSecurityGroupReferences.
import { createGroup, deleteGroup, updateGroup } from '../../control/ops/groups.js';
import { orderedRules } from '../../control/rule-order.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { GroupRecord } from '../../control/world.js';
import { own } from '../../core/own.js';
import { AliError, missing } from './errors.js';
import { type Call, checkDescription, checkName, groupIn, page } from './call.js';
import { ruleToPermission } from './permissions.js';

const typeName = (g: GroupRecord) => (g.meta.type === 'advanced' ? 'enterprise' : 'normal');

/** Name of a group created without one: Palisade groups always have a name. */
export const UNNAMED = 'unnamed';

export async function createSecurityGroup(call: Call) {
  const { params } = call;
  const name = params.get('SecurityGroupName');
  if (name !== undefined) checkName(name, 'InvalidSecurityGroupName.Malformed', 'SecurityGroupName');
  const description = params.get('Description');
  if (description !== undefined) checkDescription(description);
  const typeParam = params.get('SecurityGroupType')?.toLowerCase();
  if (typeParam !== undefined && typeParam !== 'normal' && typeParam !== 'enterprise')
    throw new AliError(400, 'InvalidParams.GroupType', 'The specified security group type is not valid.');
  const vpcId = params.get('VpcId') ?? null;
  if (typeParam === 'enterprise' && vpcId === null)
    throw new AliError(
      400,
      'InvalidParams.VpcIdGroupType',
      'Only VPC instance supports enterprise level security group.',
    );
  const tags = params.tags();
  const result = await createGroup(
    call.svc,
    call.p,
    {
      regionId: call.region.region.id,
      vpcId,
      name: name ?? UNNAMED,
      ...(description !== undefined ? { description } : {}),
      type: typeParam === 'enterprise' ? 'advanced' : 'basic',
      ...(tags ? { tags } : {}),
    },
    call.opts,
  );
  return { SecurityGroupId: result.body.id };
}

function groupSummary(r: ScopedRegion, g: GroupRecord) {
  const instances = new Set<string>();
  for (const portId of g.members) {
    const at = r.port(portId);
    if (at) instances.add(at.instance.value.id);
  }
  const limit = g.meta.type === 'advanced' ? 65536 : r.quotasFor(g.meta.tenantId).portsPerGroup || 65536;
  return {
    SecurityGroupId: g.meta.id,
    SecurityGroupName: g.meta.name,
    Description: g.meta.description ?? '',
    SecurityGroupType: typeName(g),
    VpcId: g.meta.vpcId ?? '',
    CreationTime: g.meta.createdAt ?? '',
    RuleCount: g.rules.size,
    GroupToGroupRuleCount: g.ruleList().filter((x) => x.remote.kind === 'group').length,
    EcsCount: instances.size,
    AvailableInstanceAmount: Math.max(0, limit - g.members.size),
    ResourceGroupId: '',
    ServiceManaged: false,
    Tags: { Tag: Object.entries(g.meta.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
  };
}

export function describeSecurityGroups(call: Call) {
  const { params, region: r } = call;
  const ids = new Set<string>();
  const single = params.get('SecurityGroupId');
  if (single !== undefined) ids.add(single);
  for (const id of params.jsonList('SecurityGroupIds', 100) ?? []) ids.add(id);
  const name = params.get('SecurityGroupName');
  const fuzzy = params.get('FuzzyQuery')?.toLowerCase() === 'true';
  const type = params.get('SecurityGroupType')?.toLowerCase();
  if (type !== undefined && type !== 'normal' && type !== 'enterprise')
    throw new AliError(400, 'InvalidParams.GroupType', 'The specified security group type is not valid.');
  const vpcId = params.get('VpcId');
  const network = params.get('NetworkType')?.toLowerCase();
  if (network !== undefined && network !== 'vpc' && network !== 'classic')
    throw new AliError(
      400,
      'InvalidNetworkType.Malformed',
      'The specified parameter NetworkType is not valid.',
    );
  const tagFilter = params
    .objects('Tag')
    .map(({ fields }) => [fields.get('Key') ?? '', fields.get('Value')] as const);
  const all = r.groups().filter((g) => {
    const m = g.meta;
    if (ids.size && !ids.has(m.id)) return false;
    if (name !== undefined && (fuzzy ? !m.name.includes(name) : m.name !== name)) return false;
    if (type !== undefined && typeName(g) !== type) return false;
    if (vpcId !== undefined && m.vpcId !== vpcId) return false;
    if (network === 'vpc' && m.vpcId === null) return false;
    if (network === 'classic' && m.vpcId !== null) return false;
    return tagFilter.every(([k, v]) => {
      const tag = m.tags && own(m.tags, k);
      return tag !== undefined && (v === undefined || tag === v);
    });
  });
  const paged = page(
    params,
    all.map((g) => ({ id: g.meta.id, g })),
    { defaultSize: 10, maxSize: 50, maxResults: 100 },
  );
  return {
    RegionId: r.region.id,
    ...paged.body,
    SecurityGroups: { SecurityGroup: paged.items.map(({ g }) => groupSummary(r, g)) },
  };
}

export function describeSecurityGroupAttribute(call: Call) {
  const { params, region: r } = call;
  const g = groupIn(call);
  const direction = (params.get('Direction') ?? 'all').toLowerCase();
  if (!['all', 'ingress', 'egress'].includes(direction))
    throw new AliError(400, 'InvalidDirection.Malformed', 'The specified parameter Direction is not valid.');
  const nic = params.get('NicType')?.toLowerCase();
  if (nic !== undefined && nic !== 'internet' && nic !== 'intranet')
    throw new AliError(
      400,
      'InvalidNicType.ValueNotSupported',
      'The specified parameter NicType is not valid.',
    );
  const rules = orderedRules(r.region.profile, g)
    .map((o) => o.stored.rule)
    .filter(
      (rule) =>
        (direction === 'all' || rule.direction === direction) &&
        // NicType selects among classic-network rules; a VPC group's rules are all intranet.
        (nic === undefined || g.meta.vpcId !== null || rule.nicType === nic),
    );
  const size = params.int('MaxResults', 1000, 10, 1000);
  const token = params.get('NextToken');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw new AliError(
        400,
        'InvalidNextToken.Malformed',
        'The specified parameter NextToken is not valid.',
      );
  }
  const slice = rules.slice(start, start + size);
  const more = start + size < rules.length;
  return {
    RegionId: r.region.id,
    SecurityGroupId: g.meta.id,
    SecurityGroupName: g.meta.name,
    Description: g.meta.description ?? '',
    VpcId: g.meta.vpcId ?? '',
    InnerAccessPolicy: g.meta.innerAccessPolicy,
    ...(more || token !== undefined
      ? { NextToken: more ? Buffer.from(String(start + size)).toString('base64url') : '' }
      : {}),
    Permissions: { Permission: slice.map((rule) => ruleToPermission(rule, r)) },
  };
}

export async function modifySecurityGroupAttribute(call: Call) {
  const { params } = call;
  const g = groupIn(call);
  const name = params.get('SecurityGroupName');
  if (name !== undefined) checkName(name, 'InvalidSecurityGroupName.Malformed', 'SecurityGroupName');
  const description = params.get('Description');
  if (description !== undefined) checkDescription(description);
  if (name === undefined && description === undefined) return {};
  await updateGroup(
    call.svc,
    call.p,
    g.meta.id,
    { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) },
    call.opts,
  );
  return {};
}

export async function modifySecurityGroupPolicy(call: Call) {
  const g = groupIn(call);
  const value = call.params.get('InnerAccessPolicy');
  if (value === undefined) throw missing('InnerAccessPolicy');
  const lower = value.toLowerCase();
  if (lower !== 'accept' && lower !== 'drop')
    throw new AliError(
      400,
      'InvalidPolicy.Malformed',
      "The Policy is invalid. Only 'Accept' and 'Drop' are supported. Ignore case.",
    );
  if (g.meta.type === 'advanced')
    throw new AliError(
      404,
      'InvalidParameter.InnerAccessPolicy',
      "The InnerAccessPolicy attribute of enterprise level security group can't be modified.",
    );
  await updateGroup(
    call.svc,
    call.p,
    g.meta.id,
    { innerAccessPolicy: lower === 'accept' ? 'Accept' : 'Drop' },
    call.opts,
  );
  return {};
}

export async function deleteSecurityGroup(call: Call) {
  const g = groupIn(call);
  await deleteGroup(call.svc, call.p, g.meta.id, call.opts);
  return {};
}

export function describeSecurityGroupReferences(call: Call) {
  const ids = call.params.list('SecurityGroupId');
  if (!ids.length) throw missing('SecurityGroupId.1');
  if (ids.length > 10)
    throw new AliError(
      400,
      'InvalidParameter.SecurityGroupIdCount',
      'At most 10 SecurityGroupId.N may be given.',
    );
  const refs = ids.map((id) => {
    const g = groupIn(call, id);
    const referencedBy = call.region.groupsReferencing(g.meta.id);
    return {
      SecurityGroupId: id,
      ReferencingSecurityGroups: {
        ReferencingSecurityGroup: referencedBy.map((other) => ({
          SecurityGroupId: other,
          AliUid: call.region.group(other)?.meta.tenantId ?? '',
        })),
      },
    };
  });
  return { SecurityGroupReferences: { SecurityGroupReference: refs } };
}
