// Security group rules: create one (POST /security-group-rules), create a batch
// (POST /security-groups/{id}/security-group-rules/batch-create), list with filters, show,
// delete. There is no update in the VPC v3 API. Each create is one addRules call (atomic).
import type { FastifyInstance } from 'fastify';
import { invalid as serviceInvalid } from '../../control/errors.js';
import { addRules, deleteRules } from '../../control/ops/rules.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { GroupRecord } from '../../control/world.js';
import type { Rule } from '../../core/model.js';
import { own } from '../../core/own.js';
import {
  checkQuota,
  Problems,
  ruleIdentity,
  validateRule,
  validateRuleReferences,
} from '../../core/validate.js';
import { toRule } from '../../policy/load.js';
import type { RuleInput } from '../../policy/schema.js';
import type { Context } from '../../server/app.js';
import {
  checkDescription,
  isObject,
  type Json,
  matches,
  optString,
  page,
  principalOf,
  queryList,
  queryOne,
  regionOf,
  writeOpts,
} from './context.js';
import { CODES, dryRunPassed, HuaweiError, invalid, notFound, requestIdOf } from './errors.js';
import { type RuleView, ruleView } from './views.js';

const PROTOCOL_NAMES = new Set(['tcp', 'udp', 'icmp', 'icmpv6']);
const MULTIPORT = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

/** A security group the caller owns in this project, or Huawei's 404. */
export function groupIn(r: ScopedRegion, id: string, what = 'Security group'): GroupRecord {
  const g = r.group(id);
  if (!g) throw notFound(`${what} ${id} could not be found.`);
  return g;
}

/** CreateSecurityGroupRuleOption / BatchCreateSecurityGroupRulesOption → the service's RuleInput. */
export function parseRule(o: Json, at: string): RuleInput {
  const direction = o.direction;
  if (direction !== 'ingress' && direction !== 'egress')
    throw invalid(`Invalid ${at}.direction "${String(direction)}": it must be ingress or egress`);

  let ethertype: 'IPv4' | 'IPv6' = 'IPv4';
  const eth = optString(o, 'ethertype', at);
  if (eth !== undefined && eth !== '') {
    const lower = eth.toLowerCase();
    if (lower !== 'ipv4' && lower !== 'ipv6')
      throw new HuaweiError(
        400,
        CODES.conflict,
        `Security group rule for ethertype ${eth} not supported. Allowed values are [IPv4, IPv6].`,
      );
    ethertype = lower === 'ipv4' ? 'IPv4' : 'IPv6';
  }

  let protocol: string | number = 'all';
  const proto = optString(o, 'protocol', at);
  if (proto !== undefined && proto !== '') {
    const lower = proto.toLowerCase();
    if (PROTOCOL_NAMES.has(lower)) protocol = lower;
    else if (/^\d{1,3}$/.test(proto) && Number(proto) <= 255) protocol = Number(proto);
    else
      throw invalid(
        `Invalid ${at}.protocol "${proto}": it must be icmp, tcp, udp, icmpv6 or an IP protocol number from 0 to 255`,
      );
  }

  const input: RuleInput = { direction, ethertype, protocol };
  const multiport = optString(o, 'multiport', at);
  if (multiport !== undefined && multiport !== '') {
    if (!MULTIPORT.test(multiport))
      throw invalid(
        `Invalid ${at}.multiport "${multiport}": ports and ranges separated by commas, such as 80, 1-30 or 80,500,600-800`,
      );
    input.ports = multiport;
  }

  const remotes: string[] = [];
  const remoteIp = optString(o, 'remote_ip_prefix', at);
  const remoteGroup = optString(o, 'remote_group_id', at);
  const remoteAddressGroup = optString(o, 'remote_address_group_id', at);
  if (remoteIp) {
    input.remoteIpPrefix = remoteIp;
    remotes.push('remote_ip_prefix');
  }
  if (remoteGroup) {
    input.remoteGroup = remoteGroup;
    remotes.push('remote_group_id');
  }
  if (remoteAddressGroup) {
    input.remoteAddressGroup = remoteAddressGroup;
    remotes.push('remote_address_group_id');
  }
  if (remotes.length > 1)
    throw invalid(`Invalid ${at}: ${remotes.join(', ')} are mutually exclusive; give one remote at most`);

  const action = optString(o, 'action', at);
  if (action !== undefined && action !== '') {
    if (action.toLowerCase() !== 'allow' && action.toLowerCase() !== 'deny')
      throw invalid(`Invalid ${at}.action "${action}": it must be allow or deny`);
    input.action = action.toLowerCase() as 'allow' | 'deny';
  }

  // The SDK sends the priority as a string; a number is accepted too.
  const priority = o.priority;
  if (priority !== undefined && priority !== null && priority !== '') {
    const text = String(priority);
    if ((typeof priority !== 'string' && typeof priority !== 'number') || !/^\d{1,3}$/.test(text))
      throw invalid(`Invalid ${at}.priority "${text}": it must be an integer from 1 to 100`);
    const n = Number(text);
    if (n < 1 || n > 100) throw invalid(`Invalid ${at}.priority ${n}: it must be from 1 to 100`);
    input.priority = n;
  }

  const description = checkDescription(optString(o, 'description', at), at);
  if (description !== undefined) input.description = description;

  if (o.enabled !== undefined && o.enabled !== null && o.enabled !== true)
    throw invalid(
      `Invalid ${at}.enabled: Palisade rules are always enabled; disabling a rule is not supported`,
    );
  return input;
}

/** Huawei shows "no remote" and "all addresses of the family" alike: one rule, not two. */
function sameRuleKey(rule: Rule): string {
  const all = rule.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0';
  const remote =
    rule.remote.kind === 'cidr' && rule.remote.cidr === all ? { kind: 'any' as const } : rule.remote;
  return ruleIdentity({ ...rule, remote, description: undefined });
}

/**
 * Everything addRules will check, decided on the current world without writing (dry runs, and
 * the Huawei duplicate rule the model does not see: "no remote" = 0.0.0.0/0). With
 * `ignoreDuplicate`, inputs that repeat an existing rule are dropped instead.
 */
export function checkRules(
  r: ScopedRegion,
  g: GroupRecord,
  inputs: RuleInput[],
  at: (i: number) => string,
  ignoreDuplicate = false,
): RuleInput[] {
  const profile = r.region.profile;
  const lookup = r.lookup();
  const problems = new Problems();
  const existing = new Map(g.ruleList().map((rule) => [sameRuleKey(rule), rule.id]));
  const kept: RuleInput[] = [];
  inputs.forEach((input, i) => {
    const rule = toRule(profile, input, `new-${i}`, at(i), problems);
    validateRule(rule, { ...g.meta, rules: [] }, profile, problems, at(i));
    validateRuleReferences(rule, g.meta, lookup, problems, at(i));
    const twin = existing.get(sameRuleKey(rule));
    if (twin !== undefined) {
      if (ignoreDuplicate && !twin.startsWith('new-')) return;
      problems.add(
        at(i),
        'DUPLICATE_RULE',
        `Security group rule already exists. Rule id is ${twin.startsWith('new-') ? `the same as ${at(Number(twin.slice(4)))}` : twin}.`,
      );
    }
    existing.set(sameRuleKey(rule), rule.id);
    kept.push(input);
  });
  if (!problems.list.length)
    checkQuota(
      r.quotasFor(g.meta.tenantId),
      'rulesPerGroup',
      g.rules.size + kept.length,
      `['security_group_rule'] (rules of ${g.meta.id})`,
      problems,
      'body',
    );
  if (problems.list.length) throw serviceInvalid(problems.list);
  return kept;
}

/** The rules a write just made, as the world now holds them. */
function createdViews(r: ScopedRegion, groupId: string, ids: string[]): RuleView[] {
  const g = r.group(groupId);
  return ids.flatMap((id) => {
    const stored = g?.rules.get(id);
    return stored ? [ruleView(stored.rule, groupId, r.region.id)] : [];
  });
}

export function ruleRoutes(app: FastifyInstance, { svc, keys }: Context): void {
  app.post('/:project_id/vpc/security-group-rules', async (req, reply) => {
    const body = req.body;
    if (!isObject(body) || !isObject(body.security_group_rule))
      throw invalid('Invalid request body: "security_group_rule" is required and must be an object');
    if (body.dry_run !== undefined && typeof body.dry_run !== 'boolean')
      throw invalid('Invalid dry_run: it must be a boolean');
    const o = body.security_group_rule;
    const groupId = o.security_group_id;
    if (typeof groupId !== 'string' || groupId === '')
      throw invalid('Invalid security_group_rule.security_group_id: it is required');
    const input = parseRule(o, 'security_group_rule');
    const r = regionOf(req);
    const p = principalOf(req);
    const g = groupIn(r, groupId, 'security_group_id');
    checkRules(r, g, [input], () => 'security_group_rule');
    if (body.dry_run === true) {
      if (req.nonce) await keys.recordNonce(req.nonce);
      return reply.code(202).send(dryRunPassed(req));
    }
    const result = await addRules(svc, p, groupId, [input], { ...writeOpts(req), single: true });
    const id = (result.body as { id: string }).id;
    const [rule] = createdViews(r, groupId, [id]);
    return reply.code(201).send({ request_id: requestIdOf(req), security_group_rule: rule });
  });

  app.post('/:project_id/vpc/security-groups/:id/security-group-rules/batch-create', async (req, reply) => {
    const { id: groupId } = req.params as { id: string };
    const body = req.body;
    if (
      !isObject(body) ||
      !Array.isArray(body.security_group_rules) ||
      body.security_group_rules.length === 0
    )
      throw invalid('Invalid request body: "security_group_rules" is required and must be a non-empty array');
    for (const flag of ['dry_run', 'ignore_duplicate'])
      if (body[flag] !== undefined && typeof body[flag] !== 'boolean')
        throw invalid(`Invalid ${flag}: it must be a boolean`);
    const at = (i: number) => `security_group_rules[${i}]`;
    const inputs = body.security_group_rules.map((o, i) => {
      if (!isObject(o)) throw invalid(`Invalid ${at(i)}: it must be an object`);
      return parseRule(o, at(i));
    });
    const r = regionOf(req);
    const p = principalOf(req);
    const g = groupIn(r, groupId);
    const kept = checkRules(r, g, inputs, at, body.ignore_duplicate === true);
    if (body.dry_run === true) {
      if (req.nonce) await keys.recordNonce(req.nonce);
      return reply.code(202).send(dryRunPassed(req));
    }
    let ids: string[] = [];
    if (kept.length) {
      const result = await addRules(svc, p, groupId, kept, writeOpts(req));
      ids = (result.body as { rules: { id: string }[] }).rules.map((x) => x.id);
    } else if (req.nonce) await keys.recordNonce(req.nonce);
    return reply
      .code(201)
      .send({ request_id: requestIdOf(req), security_group_rules: createdViews(r, groupId, ids) });
  });

  app.get('/:project_id/vpc/security-group-rules', async (req) => {
    const q = req.query as Json;
    const r = regionOf(req);
    const filters = {
      id: queryList(q, 'id'),
      security_group_id: queryList(q, 'security_group_id'),
      protocol: queryList(q, 'protocol'),
      description: queryList(q, 'description'),
      remote_group_id: queryList(q, 'remote_group_id'),
      direction: queryList(q, 'direction'),
      action: queryList(q, 'action'),
      remote_ip_prefix: queryList(q, 'remote_ip_prefix'),
      priority: queryList(q, 'priority'),
      ethertype: queryList(q, 'ethertype')?.map((e) => (e.toLowerCase() === 'ipv6' ? 'IPv6' : 'IPv4')),
      remote_address_group_id: queryList(q, 'remote_address_group_id'),
    };
    const enabled = queryOne(q, 'enabled');
    const all: RuleView[] = [];
    for (const g of r.groups()) {
      if (!matches(filters.security_group_id, g.meta.id)) continue;
      for (const rule of g.ruleList()) {
        const v = ruleView(rule, g.meta.id, r.region.id);
        const ok = Object.entries(filters).every(([k, wanted]) =>
          matches(wanted, own(v, k) as string | number | null),
        );
        if (ok && (enabled === undefined || enabled === 'true')) all.push(v);
      }
    }
    const { items, pageInfo } = page(all, q);
    return { request_id: requestIdOf(req), security_group_rules: items, page_info: pageInfo };
  });

  app.get('/:project_id/vpc/security-group-rules/:id', async (req) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const { g, rule } = ruleIn(r, id);
    return { request_id: requestIdOf(req), security_group_rule: ruleView(rule, g.meta.id, r.region.id) };
  });

  app.delete('/:project_id/vpc/security-group-rules/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const p = principalOf(req);
    const { g } = ruleIn(r, id);
    await deleteRules(svc, p, g.meta.id, [id], writeOpts(req));
    return reply.code(204).send();
  });
}

function ruleIn(r: ScopedRegion, id: string) {
  const g = r.groupOfRule(id);
  const stored = g?.rules.get(id);
  if (!g || !stored) throw notFound(`Security_group_rule ${id} could not be found.`);
  return { g, rule: stored.rule };
}
