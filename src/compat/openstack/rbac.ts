// /v2.0/rbac-policies for the rbac-security-groups and rbac-address-group extensions: a project
// shares its security group or address group with another project (action access_as_shared),
// which may then use it as a rule's remote and (a group) on its ports, and read it, not change
// it. The front end translates Neutron's attributes and errors (neutron/extensions/rbac.py,
// neutron/db/rbac_db_mixin.py, neutron/db/rbac_db_models.py); ops/shares.ts decides.
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../../control/errors.js';
import type { Share, ShareObjectType } from '../../control/events.js';
import { createShare, deleteShare, listShares, updateShare } from '../../control/ops/shares.js';
import type { Context } from '../../http/context.js';
import { badRequest, invalidInput, NeutronError } from './errors.js';
import { noContent, resourceBody, selfUrl, session, type Session } from './http.js';
import { asText, type CollectionSpec, type Dict, dictItem, listResponse, queryOf, render } from './query.js';
import { checkAttributes, checkString, py } from './rule-input.js';

/** Neutron's object types Palisade has, and the service's names for them. */
const OBJECT_TYPES = new Map<string, ShareObjectType>([
  ['security_group', 'securityGroup'],
  ['address_group', 'addressGroup'],
]);
const NEUTRON_TYPE = new Map([...OBJECT_TYPES].map(([neutron, ours]) => [ours, neutron]));
const ACCESS_SHARED = 'access_as_shared';

const RBAC_ATTRS: [string, boolean][] = [
  ['id', false],
  ['object_type', true],
  ['object_id', true],
  ['target_tenant', true],
  ['tenant_id', true],
  ['project_id', true],
  ['action', true],
];
const REQUIRED = ['object_type', 'object_id', 'target_tenant', 'action'];

const RBAC_SPEC: CollectionSpec = {
  collection: 'rbac_policies',
  filters: {
    id: asText,
    object_type: asText,
    object_id: asText,
    target_tenant: asText,
    tenant_id: asText,
    project_id: asText,
    action: asText,
  },
  sortKeys: new Set(['id', 'object_type', 'object_id', 'target_tenant', 'tenant_id', 'project_id', 'action']),
  tags: false,
};

/** _make_rbac_policy_dict, as the API shows it (target_project is not in the attribute map). */
function policyDict(share: Share): Dict {
  return {
    id: share.id,
    project_id: share.tenantId,
    tenant_id: share.tenantId,
    action: share.action,
    object_id: share.objectId,
    target_tenant: share.targetTenantId,
    object_type: NEUTRON_TYPE.get(share.objectType)!,
  };
}

const policyNotFound = (id: string, type = 'unknown') =>
  new NeutronError(404, 'RbacPolicyNotFound', `RBAC policy of type ${type} with ID ${id} not found`);

const notOwner = () => invalidInput('Only admins can manipulate policies on objects they do not own');
const badTarget = (v: unknown) =>
  invalidInput(`'${py(v)}' is not a valid target project ID; expected a UUID or '*'`);

/** The service's refusals in Neutron's words (its order of checks: neutron/db/rbac_db_mixin.py). */
function neutronOf(e: unknown, target: unknown, creating: boolean): unknown {
  if (!(e instanceof ServiceError)) return e;
  switch (e.code) {
    case 'NOT_FOUND':
      return e.resource === 'share' ? policyNotFound(e.id ?? '') : notOwner();
    case 'UNKNOWN_TENANT':
      return badTarget(target);
    case 'ALREADY_EXISTS':
      return new NeutronError(409, 'DuplicateRbacPolicy', 'An RBAC policy already exists with those values.');
    case 'FORBIDDEN': {
      const action = creating ? 'create_rbac_policy' : 'update_rbac_policy';
      return new NeutronError(
        403,
        'PolicyNotAuthorized',
        `(rule:${action} and rule:${action}:target_tenant) is disallowed by policy`,
      );
    }
    default:
      return e;
  }
}

/** A share without the revision the service's views add. */
const shareOf = ({ revision: _revision, ...share }: Share & { revision: number }): Share => share;

function checkTargetTenant(v: unknown): string {
  if (typeof v !== 'string' || v === '') throw badTarget(v);
  return v;
}

function inUse(e: unknown, share: Share): unknown {
  if (e instanceof ServiceError && e.code === 'SHARE_IN_USE')
    return new NeutronError(
      409,
      'RbacPolicyInUse',
      `RBAC policy on object ${share.objectId} cannot be removed because other objects depend on it.\nDetails: project_id=${share.targetTenantId}`,
    );
  return e;
}

export function rbacRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/rbac-policies';
  /** The shares of this region the project manages (Neutron shows a policy to its owner only). */
  const sharesOf = async (s: Session) => (await listShares(svc, s.p, { regionId: s.r.id })).map(shareOf);
  /** One of them, or Neutron's 404. */
  const policyOf = async (s: Session, id: string) => {
    const found = (await sharesOf(s)).find((x) => x.id === id);
    if (!found) throw policyNotFound(id);
    return found;
  };

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    const all = (await sharesOf(s)).map(policyDict);
    return listResponse(RBAC_SPEC, all, queryOf(req.url), selfUrl(req));
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const share = await policyOf(s, (req.params as { id: string }).id);
    return { rbac_policy: render(dictItem(policyDict(share)), queryOf(req.url)) };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const raw = req.body as Record<string, unknown> | undefined;
    if (raw && typeof raw === 'object' && 'rbac_policies' in raw)
      throw badRequest('Bulk operation not supported');
    const b = resourceBody(req.body, 'rbac_policy');
    checkAttributes(b, RBAC_ATTRS, s.tenantId, true);
    for (const attr of REQUIRED)
      if (!Object.hasOwn(b, attr))
        throw badRequest(`Failed to parse request. Required attribute '${attr}' not specified`);
    // convert_valid_object_type, then the attributes' validators, then the type's actions.
    const typeText = typeof b.object_type === 'string' ? b.object_type.trim().toLowerCase() : undefined;
    const objectType = typeText === undefined ? undefined : OBJECT_TYPES.get(typeText);
    if (!objectType) throw invalidInput(`'${py(b.object_type)}' is not a valid RBAC object type`);
    const objectId = checkString('object_id', b.object_id, 255);
    const target = checkTargetTenant(b.target_tenant);
    const action = checkString('action', b.action, 255);
    if (action !== ACCESS_SHARED)
      throw new NeutronError(
        400,
        'InvalidActionForType',
        `Invalid action '${action}' for object type '${typeText}'. Valid actions: ('${ACCESS_SHARED}',)`,
      );
    let created;
    try {
      created = await createShare(
        svc,
        s.p,
        { objectType, objectId, targetTenantId: target, regionId: s.r.id },
        {},
      );
    } catch (e) {
      throw neutronOf(e, target, true);
    }
    reply.code(201);
    return { rbac_policy: policyDict(shareOf(created.body)) };
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'rbac_policy');
    checkAttributes(b, RBAC_ATTRS, s.tenantId, false, new Set(['target_tenant']));
    const share = await policyOf(s, id);
    if (b.target_tenant === undefined) return { rbac_policy: policyDict(share) };
    const target = checkTargetTenant(b.target_tenant);
    try {
      const updated = await updateShare(svc, s.p, id, { targetTenantId: target });
      return { rbac_policy: policyDict(shareOf(updated.body)) };
    } catch (e) {
      throw inUse(neutronOf(e, target, false), share);
    }
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const share = await policyOf(s, id);
    try {
      await deleteShare(svc, s.p, id);
    } catch (e) {
      throw inUse(neutronOf(e, undefined, false), share);
    }
    return noContent(reply);
  });
}
