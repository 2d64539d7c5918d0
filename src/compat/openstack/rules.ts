// /v2.0/security-group-rules: create one or a batch (one group, all or nothing), list with
// filters, show, update the description, delete.
import type { FastifyInstance } from 'fastify';
import { addRule, addRules, deleteRules, modifyRule } from '../../control/ops/rules.js';
import type { GroupRecord, RuleKeyOf } from '../../control/world.js';
import type { Context } from '../../http/context.js';
import { ensureDefaultGroup } from './default-group.js';
import {
  addressGroupNotFound,
  badRequest,
  duplicateInPost,
  groupNotFound,
  NeutronError,
  preconditionFailed,
  ruleExists,
  ruleNotFound,
} from './errors.js';
import { writableGroupOf } from './groups.js';
import { ifMatch, noContent, projectFor, resourceBody, selfUrl, session, type Session } from './http.js';
import {
  asBoolean,
  asInteger,
  asText,
  type CollectionSpec,
  listItems,
  listResponse,
  queryOf,
  render,
} from './query.js';
import { protocolNumberOf } from './protocols.js';
import {
  checkAttributes,
  checkString,
  convertPrefix,
  parseRule,
  RULE_ATTRS,
  ruleKey,
  toRuleInput,
} from './rule-input.js';
import { type Dict, RULE_VIEW, ruleDict, ruleKeyFields, tenantRules } from './views.js';

function filterProtocol(v: string): string | null {
  if (v === 'any') return null;
  if (/^\d+$/.test(v) && Number(v) <= 255) return String(Number(v));
  if (protocolNumberOf(v.toLowerCase()) !== undefined) return v.toLowerCase();
  throw new NeutronError(
    400,
    'SecurityGroupRuleInvalidProtocol',
    `Security group rule protocol ${v} not supported.`,
  );
}

function filterEthertype(v: string): string {
  if (v.toLowerCase() === 'ipv4') return 'IPv4';
  if (v.toLowerCase() === 'ipv6') return 'IPv6';
  throw new NeutronError(
    400,
    'SecurityGroupRuleInvalidEtherType',
    `Security group rule for ethertype '${v}' not supported. Allowed values are ['IPv4', 'IPv6'].`,
  );
}

function filterPort(v: string): number {
  if (/^\d+$/.test(v) && Number(v) <= 65535) return Number(v);
  throw new NeutronError(400, 'SecurityGroupInvalidPortValue', `Invalid value for port ${v}`);
}

export const RULE_SPEC: CollectionSpec = {
  collection: 'security_group_rules',
  filters: {
    id: asText,
    security_group_id: asText,
    remote_group_id: asText,
    direction: asText,
    protocol: filterProtocol,
    port_range_min: filterPort,
    port_range_max: filterPort,
    ethertype: filterEthertype,
    // The attribute's convert_to, as Neutron's get_filters applies it: str(IPNetwork(v)).
    remote_ip_prefix: convertPrefix,
    tenant_id: asText,
    project_id: asText,
    remote_address_group_id: asText,
    normalized_cidr: asText,
    belongs_to_default_sg: asBoolean('belongs_to_default_sg'),
    description: asText,
    revision_number: asInteger,
    created_at: asText,
    updated_at: asText,
  },
  sortKeys: new Set([
    'id',
    'security_group_id',
    'remote_group_id',
    'direction',
    'protocol',
    'port_range_min',
    'port_range_max',
    'ethertype',
    'remote_ip_prefix',
    'tenant_id',
    'project_id',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  tags: true,
};

/** A protocol filter matches by IP protocol number: "tcp" finds rules stored as "6" too. */
function match(key: string, actual: unknown, wanted: unknown): boolean {
  if (key === 'protocol') {
    if (wanted === null) return actual === null;
    return actual !== null && protocolNumberOf(String(actual)) === protocolNumberOf(String(wanted));
  }
  if (actual === null || actual === undefined) return wanted === null;
  if (typeof actual === 'boolean' || typeof wanted === 'boolean') return actual === wanted;
  return String(actual) === String(wanted);
}

/** A stored rule's duplicate key: Neutron's _rule_to_key of the rule as ruleDict shows it. */
const storedRuleKey: RuleKeyOf = (stored) => ruleKey(ruleKeyFields(stored));

/** A rule of the caller's project in this region, with its group. */
function ruleOf(s: Session, id: string): { g: GroupRecord; dict: Dict } {
  const g = s.r.groupOfRule(id);
  const stored = g?.rules.get(id);
  if (!g || !stored) throw ruleNotFound(id);
  return { g, dict: ruleDict(g, stored) };
}

export function ruleRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/security-group-rules';

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    const q = queryOf(req.url);
    const project = q.get('project_id') ?? q.get('tenant_id');
    // A list Neutron refuses makes no default group: check the query first.
    listResponse(RULE_SPEC, [], q, selfUrl(req), match);
    if (!project || project === s.tenantId) await ensureDefaultGroup(svc, s);
    // A security_group_id filter keeps other groups' rules out of the list: only its groups are read.
    const groupIds = q.getAll('security_group_id').filter((v) => v !== '');
    return listItems(
      RULE_SPEC,
      tenantRules(s.r, groupIds.length ? groupIds : undefined),
      q,
      selfUrl(req),
      match,
    );
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const g = s.r.groupOfRule(id);
    const stored = g?.rules.get(id);
    if (!g || !stored) throw ruleNotFound(id);
    return { security_group_rule: render(RULE_VIEW.item({ g, stored }), queryOf(req.url)) };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const raw = req.body;
    const bulk = !!raw && typeof raw === 'object' && 'security_group_rules' in raw;
    let items: unknown[];
    if (bulk) {
      const list = (raw as { security_group_rules: unknown }).security_group_rules;
      if (!Array.isArray(list)) throw badRequest('Body contains invalid data');
      if (!list.length) throw badRequest('Resources required');
      items = list.map((item) =>
        item && typeof item === 'object' && 'security_group_rule' in item
          ? (item as { security_group_rule: unknown }).security_group_rule
          : item,
      );
    } else items = [resourceBody(raw, 'security_group_rule')];

    const rules = items.map((item) =>
      parseRule(
        item,
        item && typeof item === 'object' ? projectFor(s, item as Record<string, unknown>) : s.tenantId,
      ),
    );
    const groupId = rules[0].security_group_id;
    if (rules.some((r) => r.security_group_id !== groupId))
      throw new NeutronError(
        400,
        'SecurityGroupNotSingleGroupRules',
        'Only allowed to update rules for one security profile at a time',
      );
    // Remote group, remote address group, then the group itself (Neutron's order).
    for (const rule of rules) {
      if (rule.remote_group_id) {
        // A group shared with the project (rbac-security-groups) is as good as its own here.
        if (!s.r.readableGroup(rule.remote_group_id)) throw groupNotFound(rule.remote_group_id);
      }
      if (rule.remote_address_group_id) {
        if (!s.r.readableAddressGroup(rule.remote_address_group_id))
          throw addressGroupNotFound(rule.remote_address_group_id);
      }
    }
    const g = writableGroupOf(s, groupId, 'create_security_group_rule');
    // Duplicates: within the request, then against the group's rules.
    const keys = new Set<string>();
    for (const rule of rules) {
      const key = ruleKey(rule);
      if (keys.has(key)) throw duplicateInPost();
      keys.add(key);
    }
    // The group's first rule with one of these keys, from the group's index of them (no scan).
    const existing = g.oldestWithKey(storedRuleKey, keys);
    if (existing) throw ruleExists(existing.rule.id);
    const inputs = rules.map(toRuleInput);
    const ids = bulk
      ? (await addRules(svc, s.p, groupId, inputs, {})).body.rules.map((x) => x.id)
      : [(await addRule(svc, s.p, groupId, inputs[0], {})).body.id];
    const dicts = ids.map((id) => ruleOf(s, id).dict);
    reply.code(201);
    return bulk ? { security_group_rules: dicts } : { security_group_rule: dicts[0] };
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'security_group_rule');
    checkAttributes(b, RULE_ATTRS, s.tenantId, false, new Set(['description']));
    const description = b.description === null ? '' : checkString('description', b.description ?? '', 255);
    const expected = ifMatch(req);
    const { g, dict } = ruleOf(s, id);
    if (expected !== undefined && expected !== dict.revision_number)
      throw preconditionFailed(expected, Number(dict.revision_number));
    if ('description' in b)
      await modifyRule(
        svc,
        s.p,
        g.meta.id,
        id,
        { description: description },
        expected === undefined ? {} : { ifChangeCount: expected },
      );
    return { security_group_rule: ruleOf(s, id).dict };
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const expected = ifMatch(req);
    const { g, dict } = ruleOf(s, id);
    if (expected !== undefined && expected !== dict.revision_number)
      throw preconditionFailed(expected, Number(dict.revision_number));
    await deleteRules(svc, s.p, g.meta.id, [id], expected === undefined ? {} : { ifChangeCount: expected });
    return noContent(reply);
  });
}
