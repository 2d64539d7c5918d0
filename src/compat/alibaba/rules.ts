// Rule actions: AuthorizeSecurityGroup(Egress) (one atomic batch per request),
// RevokeSecurityGroup(Egress) by rule id or by matching permissions, and
// ModifySecurityGroupRule / ModifySecurityGroupEgressRule.
import type { Direction } from '../../core/model.js';
import { addRules, deleteRules, inputIdentity, modifyRule, sameRuleAs } from '../../control/ops/rules.js';
import type { RuleInput } from '../../core/rule-input.js';
import { AliError, missing } from './errors.js';
import { type Call, groupIn } from './call.js';
import { givenPermissions, peerKind, permissionToRule, RULE_FIELDS, ruleToFields } from './permissions.js';

const ruleNotFound = () =>
  new AliError(
    404,
    'InvalidSecurityGroupRuleId.NotFound',
    'The specified SecurityGroupRuleId is not exists.',
  );

/** The parameter a service error path names: Permissions.N or the legacy top level. */
function ruleParams(call: Call, direction: Direction, ats: string[]): void {
  call.errors.direction = direction;
  call.errors.ruleParam = (i) =>
    i === undefined ? (ats[0] ?? '').replace(/\.$/, '') : (ats[i] ?? '').replace(/\.$/, '');
}

export const authorize = (direction: Direction) => async (call: Call) => {
  const g = groupIn(call);
  const given = givenPermissions(call.params);
  if (!given.length) throw missing('IpProtocol');
  ruleParams(
    call,
    direction,
    given.map((x) => x.at),
  );
  const inputs = given.map((x) => permissionToRule(x, { direction, group: g, region: call.region }));
  const profile = call.region.region.profile;
  const seen = new Set<string>();
  for (const input of inputs) {
    const key = inputIdentity(profile, input);
    if (seen.has(key))
      throw new AliError(
        400,
        'InvalidParam.DuplicatePermissions',
        'There are duplicate permissions in the specified parameter Permissions.',
      );
    seen.add(key);
  }
  // One batch: every rule is added, or none (an identical existing rule is a no-op).
  await addRules(call.svc, call.p, g.meta.id, inputs, call.opts);
  return {};
};

export const revoke = (direction: Direction) => async (call: Call) => {
  const g = groupIn(call);
  const ids = call.params.list('SecurityGroupRuleId');
  const given = givenPermissions(call.params);
  if (ids.length && given.length)
    throw new AliError(
      400,
      'InvalidParam.Permissions',
      'The specified parameter SecurityGroupRuleId cannot coexist with rule fields or Permissions.',
    );
  let targets: string[];
  if (ids.length) {
    if (new Set(ids).size !== ids.length)
      throw new AliError(
        400,
        'InvalidParam.SecurityGroupRuleIdRepeated',
        'The specified parameter SecurityGroupRuleId is repeated.',
      );
    for (const id of ids) {
      const stored = g.rules.get(id);
      if (!stored || stored.rule.direction !== direction) throw ruleNotFound();
    }
    targets = ids;
  } else {
    if (!given.length) throw missing('SecurityGroupRuleId.1');
    ruleParams(
      call,
      direction,
      given.map((x) => x.at),
    );
    targets = given.map((x) => {
      const input = permissionToRule(x, { direction, group: g, region: call.region, matching: true });
      const id = sameRuleAs(g, input);
      if (id === undefined)
        throw new AliError(
          400,
          'InvalidSecurityGroupRule.RuleNotExist',
          'The specified rule does not exist.',
        );
      return id;
    });
    targets = [...new Set(targets)];
  }
  await deleteRules(call.svc, call.p, g.meta.id, targets, call.opts);
  return {};
};

/**
 * The legacy form without SecurityGroupRuleId (what older clients such as Terraform send to change
 * a rule's description): the fields name the rule as a revoke does, and only its description
 * changes.
 */
async function modifyDescriptionByMatch(call: Call, direction: Direction) {
  const g = groupIn(call);
  const given = givenPermissions(call.params);
  if (!given.length || !call.params.has('IpProtocol')) throw missing('SecurityGroupRuleId');
  ruleParams(call, direction, ['']);
  const input = permissionToRule(given[0], { direction, group: g, region: call.region, matching: true });
  const id = sameRuleAs(g, input);
  if (id === undefined)
    throw new AliError(400, 'InvalidSecurityGroupRule.RuleNotExist', 'The specified rule does not exist.');
  const description = call.params.get('Description');
  if (description === undefined || description === g.rules.get(id)!.rule.description) return {};
  await modifyRule(call.svc, call.p, g.meta.id, id, { description }, call.opts);
  return {};
}

export const modify = (direction: Direction) => async (call: Call) => {
  const g = groupIn(call);
  const id = call.params.get('SecurityGroupRuleId');
  if (id === undefined) return modifyDescriptionByMatch(call, direction);
  const stored = g.rules.get(id);
  if (!stored || stored.rule.direction !== direction) throw ruleNotFound();
  const rule = stored.rule;
  const fields = ruleToFields(rule, call.region);
  const asked = new Map<string, string>();
  for (const name of RULE_FIELDS) {
    const v = call.params.get(name);
    if (v !== undefined) asked.set(name, v);
  }
  const oldPeer = peerKind(fields, direction);
  const newPeer = peerKind(asked, direction);
  if (newPeer !== undefined && oldPeer !== undefined && newPeer !== oldPeer)
    throw new AliError(
      400,
      'InvalidOperation.ModifySgRuleEntityType',
      'The source or destination type of the rules cannot be modified.',
    );
  const nic = asked.get('NicType')?.toLowerCase();
  if (nic !== undefined && nic !== rule.nicType && g.meta.vpcId === null)
    throw new AliError(400, 'InvalidOperation.ModifyNicType', 'NicType is not allowed to modify.');
  if (newPeer !== undefined)
    for (const k of [...fields.keys()])
      if (/(CidrIp|GroupId|PrefixListId|GroupOwnerAccount|GroupOwnerId)$/.test(k)) fields.delete(k);
  // A new protocol brings its own port ranges (ALL and ICMP take -1/-1).
  if (asked.has('IpProtocol') && asked.get('IpProtocol')!.toLowerCase() !== String(rule.protocol)) {
    fields.delete('PortRange');
    fields.delete('SourcePortRange');
  }
  for (const [k, v] of asked) fields.set(k, v);
  ruleParams(call, direction, ['']);
  const input: RuleInput = permissionToRule({ fields, at: '' }, { direction, group: g, region: call.region });
  if (!asked.has('Priority') && g.meta.type !== 'advanced') input.priority = rule.priority;
  if (!asked.has('NicType')) input.nicType = rule.nicType;
  const twin = sameRuleAs(g, input);
  if (twin !== undefined && twin !== id)
    throw new AliError(
      400,
      'InvalidOperation.RuleDuplicate',
      `The modified rule would be the same rule as ${twin}.`,
    );
  await modifyRule(call.svc, call.p, g.meta.id, id, input, call.opts);
  return {};
};
