// /v2.0/security-groups and their tags (/security-groups/{id}/tags[/{tag}]).
import { DEFAULT_GROUP_NAME, isDefaultGroup } from '../../core/defaults.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createGroup,
  createGroups,
  deleteGroup,
  type NewGroup,
  updateGroup,
} from '../../control/ops/groups.js';
import { ServiceError } from '../../control/errors.js';
import type { GroupRecord } from '../../control/world.js';
import type { Context } from '../../http/context.js';
import { ensureDefaultGroup } from './default-group.js';
import {
  badRequest,
  cannotRemoveDefault,
  cannotUpdateDefault,
  defaultExists,
  groupInUse,
  groupNotFound,
  invalidInput,
  NeutronError,
  policyNotAuthorized,
  preconditionFailed,
} from './errors.js';
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
import { checkAttributes, checkString, py } from './rule-input.js';
import { groupDict, groupView, tagList, tagRecord } from './views.js';

const GROUP_ATTRS: [string, boolean][] = [
  ['id', false],
  ['name', true],
  ['tenant_id', true],
  ['project_id', true],
  ['security_group_rules', false],
  ['stateful', true],
  ['shared', false],
  ['description', true],
  ['tags', true],
  ['created_at', false],
  ['updated_at', false],
  ['revision_number', false],
];
const UPDATABLE = new Set(['name', 'description', 'stateful']);

export const GROUP_SPEC: CollectionSpec = {
  collection: 'security_groups',
  filters: {
    id: asText,
    name: asText,
    description: asText,
    tenant_id: asText,
    project_id: asText,
    stateful: asBoolean('stateful'),
    shared: asBoolean('shared'),
    revision_number: asInteger,
    created_at: asText,
    updated_at: asText,
  },
  sortKeys: new Set([
    'id',
    'name',
    'description',
    'tenant_id',
    'project_id',
    'stateful',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  tags: true,
};

/** A group of the caller's project in this region, or Neutron's 404. */
export function groupOf(s: Session, id: string): GroupRecord {
  const g = s.r.group(id);
  if (!g) throw groupNotFound(id);
  return g;
}

/** A group the caller may read: its project's, or one shared with it (rbac-security-groups). */
export function readableGroupOf(s: Session, id: string): GroupRecord {
  const g = s.r.readableGroup(id);
  if (!g) throw groupNotFound(id);
  return g;
}

/**
 * A group the caller may change (its project's). A group shared with it is readable, so
 * Neutron's refusal is the policy's 403 (api/v2/base.py: 404 only where the caller cannot see it).
 */
export function writableGroupOf(s: Session, id: string, rule: string): GroupRecord {
  if (s.r.sharedGroup(id)) throw policyNotAuthorized(rule);
  return groupOf(s, id);
}

/** neutron_lib converters.convert_to_boolean */
export function toBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string' && ['true', 'false', '1', '0'].includes(v.toLowerCase()))
    return v.toLowerCase() === 'true' || v === '1';
  throw invalidInput(`'${py(v)}' cannot be converted to boolean`);
}

function checkName(v: unknown): string {
  const name = checkString('name', v, 255);
  if (name.toLowerCase() === DEFAULT_GROUP_NAME) throw defaultExists();
  return name;
}

/** validate_tags + validate_tags_limit */
function checkTags(body: unknown): string[] {
  const tags = (body as { tags?: unknown } | null)?.tags;
  if (
    body === null ||
    typeof body !== 'object' ||
    !Array.isArray(tags) ||
    tags.some((t) => typeof t !== 'string' || t.length > 255) ||
    new Set(tags).size !== tags.length
  )
    throw invalidInput('Invalid tags body');
  if (tags.length > 50)
    throw new NeutronError(
      400,
      'BadRequest',
      'Bad security_groups request: The number of tags exceed the per-resource limit of 50..',
    );
  return tags as string[];
}

function checkTag(tag: string): void {
  if (tag.length > 255) throw invalidInput(`'${tag}' exceeds maximum length of 255`);
}

/** A security_group body of a create, checked as Neutron's attribute layer checks it. */
function groupInput(b: Record<string, unknown>, projectId: string): NewGroup {
  checkAttributes(b, GROUP_ATTRS, projectId, true);
  const name = b.name === undefined ? '' : checkName(b.name);
  const description = b.description === undefined ? '' : checkString('description', b.description, 255);
  const stateful = b.stateful === undefined ? true : toBoolean(b.stateful);
  const tags = b.tags === undefined ? undefined : checkTags({ tags: b.tags });
  if (name.trim() === '')
    throw badRequest(
      'Invalid input for name. Reason: Palisade needs a security group name that is not empty.',
    );
  return { name, description, stateful, ...(tags ? { tags: tagRecord(tags, undefined) } : {}) };
}

export function groupRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/security-groups';

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    const q = queryOf(req.url);
    const project = q.get('project_id') ?? q.get('tenant_id');
    // A list Neutron refuses (a bad filter, sort or limit) makes no default group: check first.
    listResponse(GROUP_SPEC, [], q, selfUrl(req));
    if (!project || project === s.tenantId) await ensureDefaultGroup(svc, s);
    // Each group's rules are rendered only if the page shows them.
    const view = groupView(s.r);
    const all = s.r.readableGroups().map((g) => view.item(g));
    return listItems(GROUP_SPEC, all, q, selfUrl(req));
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const g = readableGroupOf(s, (req.params as { id: string }).id);
    return { security_group: render(groupView(s.r).item(g), queryOf(req.url)) };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const raw = req.body as Record<string, unknown> | undefined;
    const bulk = !!raw && typeof raw === 'object' && 'security_groups' in raw;
    let bodies: Record<string, unknown>[];
    if (bulk) {
      // prepare_request_body: a list of groups, each bare or as {"security_group": {...}}.
      const list = (raw as { security_groups: unknown }).security_groups;
      if (!Array.isArray(list)) throw badRequest('Body contains invalid data');
      if (!list.length) throw badRequest('Resources required');
      bodies = list.map((item) =>
        resourceBody(
          item && typeof item === 'object' && 'security_group' in item ? item : { security_group: item },
          'security_group',
        ),
      );
    } else bodies = [resourceBody(req.body, 'security_group')];
    // An admin may name another project (project_id / tenant_id); one write holds one project's groups.
    const owner = projectFor(s, bodies[0]);
    if (bodies.some((b) => projectFor(s, b) !== owner))
      throw badRequest('Invalid input for operation: a bulk create makes the groups of one project.');
    const items = bodies.map((b) => groupInput(b, owner));
    await ensureDefaultGroup(svc, s, owner);
    // No vpcId: the service places them in the project's VPC (where the default group went),
    // making one in the same write if needed.
    reply.code(201);
    if (!bulk) {
      const result = await createGroup(svc, s.p, { regionId: s.r.id, tenantId: owner, ...items[0] }, {});
      return { security_group: groupDict(s.r, groupOf(s, result.body.id)) };
    }
    // Neutron's native bulk create: one transaction, all or nothing.
    const result = await createGroups(svc, s.p, { regionId: s.r.id, tenantId: owner, groups: items }, {});
    const made = result.body.groups;
    return { security_groups: made.map((g) => groupDict(s.r, groupOf(s, g.id))) };
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'security_group');
    checkAttributes(b, GROUP_ATTRS, s.tenantId, false, UPDATABLE);
    const patch: { name?: string; description?: string; stateful?: boolean } = {};
    if (b.name !== undefined) patch.name = checkName(b.name);
    if (b.description !== undefined) patch.description = checkString('description', b.description, 255);
    if (b.stateful !== undefined) patch.stateful = toBoolean(b.stateful);
    const expected = ifMatch(req);
    const g = writableGroupOf(s, id, 'update_security_group');
    if (isDefaultGroup(g.meta) && 'name' in b) throw cannotUpdateDefault();
    if (patch.name !== undefined && patch.name.trim() === '')
      throw badRequest(
        'Invalid input for name. Reason: Palisade needs a security group name that is not empty.',
      );
    if (patch.stateful !== undefined && patch.stateful !== g.meta.stateful && g.members.size > 0)
      throw groupInUse(id);
    const count = g.meta.changeCount ?? 0;
    if (expected !== undefined && expected !== count) throw preconditionFailed(expected, count);
    // An empty update changes nothing (no new revision), as in Neutron.
    if (Object.keys(patch).length)
      await updateGroup(svc, s.p, id, patch, expected === undefined ? {} : { ifChangeCount: expected });
    return { security_group: groupDict(s.r, groupOf(s, id)) };
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const expected = ifMatch(req);
    const g = writableGroupOf(s, id, 'delete_security_group');
    if (g.members.size > 0) throw groupInUse(id);
    // Neutron lets an admin remove a default group (a project's, before the project goes).
    if (isDefaultGroup(g.meta) && s.p.role !== 'admin') throw cannotRemoveDefault();
    const count = g.meta.changeCount ?? 0;
    if (expected !== undefined && expected !== count) throw preconditionFailed(expected, count);
    await deleteGroup(
      svc,
      s.p,
      id,
      expected === undefined ? { cascade: true } : { ifChangeCount: expected, cascade: true },
    );
    return noContent(reply);
  });

  // ---- tags (standard-attr-tag): a tag is a group tag whose value is empty ----

  /** Replace the group's tags; retried if the group changed between the read and the write. */
  async function setTags(s: Session, id: string, next: (current: string[]) => string[]) {
    for (let attempt = 0; ; attempt++) {
      const g = writableGroupOf(s, id, 'update_security_group:tags');
      const tags = next(tagList(g.meta.tags));
      checkTags({ tags: [...new Set(tags)] });
      try {
        await updateGroup(
          svc,
          s.p,
          id,
          { tags: tagRecord([...new Set(tags)], g.meta.tags) },
          {
            ifMatch: g.contentRevision,
          },
        );
        return tagList(groupOf(s, id).meta.tags);
      } catch (e) {
        if (!(e instanceof ServiceError && e.code === 'REVISION_MISMATCH') || attempt >= 4) throw e;
      }
    }
  }
  const tagOf = (req: FastifyRequest) => {
    const tag = (req.params as { tag: string }).tag;
    checkTag(tag);
    return tag;
  };
  const tagNotFound = (tag: string) => new NeutronError(404, 'TagNotFound', `Tag ${tag} could not be found.`);

  app.get(`${base}/:id/tags`, async (req) => {
    const s = await session(ctx, req);
    return { tags: tagList(readableGroupOf(s, (req.params as { id: string }).id).meta.tags) };
  });
  app.put(`${base}/:id/tags`, async (req) => {
    const s = await session(ctx, req);
    const tags = checkTags(req.body);
    return { tags: await setTags(s, (req.params as { id: string }).id, () => tags) };
  });
  app.post(`${base}/:id/tags`, async (req, reply) => {
    const s = await session(ctx, req);
    const tags = checkTags(req.body);
    const out = await setTags(s, (req.params as { id: string }).id, (cur) => [...cur, ...tags]);
    reply.code(201);
    return { tags: out };
  });
  app.delete(`${base}/:id/tags`, async (req, reply) => {
    const s = await session(ctx, req);
    await setTags(s, (req.params as { id: string }).id, () => []);
    return noContent(reply);
  });
  app.get(`${base}/:id/tags/:tag`, async (req, reply) => {
    const s = await session(ctx, req);
    const tag = tagOf(req);
    if (!tagList(readableGroupOf(s, (req.params as { id: string }).id).meta.tags).includes(tag))
      throw tagNotFound(tag);
    return noContent(reply);
  });
  app.put(`${base}/:id/tags/:tag`, async (req, reply) => {
    const s = await session(ctx, req);
    const tag = tagOf(req);
    await setTags(s, (req.params as { id: string }).id, (cur) => [...cur, tag]);
    return reply.code(201).send();
  });
  app.delete(`${base}/:id/tags/:tag`, async (req, reply) => {
    const s = await session(ctx, req);
    const tag = tagOf(req);
    const id = (req.params as { id: string }).id;
    if (!tagList(writableGroupOf(s, id, 'delete_security_group:tags').meta.tags).includes(tag))
      throw tagNotFound(tag);
    await setTags(s, id, (cur) => cur.filter((t) => t !== tag));
    return noContent(reply);
  });
}
