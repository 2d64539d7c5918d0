// /v2.0/networks: a Neutron network is a Palisade VPC (its subnets live in the VPC's document).
// Only what security groups need: create, show, list, rename, delete.
import type { FastifyInstance } from 'fastify';
import { own } from '../../core/own.js';
import { createVpc, deleteVpc, updateVpc } from '../../control/ops/tenancy.js';
import type { Vpc } from '../../core/model.js';
import type { Versioned } from '../../control/world.js';
import type { Context } from '../../http/context.js';
import { badRequest, networkNotFound, preconditionFailed } from './errors.js';
import { toBoolean } from './groups.js';
import { ifMatch, noContent, resourceBody, selfUrl, session, type Session } from './http.js';
import { NETWORK_VIEW } from './network-views.js';
import { asBoolean, asInteger, asText, type CollectionSpec, listItems, queryOf, render } from './query.js';
import { checkAttributes, checkString } from './rule-input.js';

const NETWORK_ATTRS: [string, boolean][] = [
  ['id', false],
  ['name', true],
  ['tenant_id', true],
  ['project_id', true],
  ['admin_state_up', true],
  ['shared', true],
  ['port_security_enabled', true],
  ['description', true],
  ['mtu', true],
  ['status', false],
  ['subnets', false],
  ['created_at', false],
  ['updated_at', false],
  ['revision_number', false],
];
const UPDATABLE = new Set(['name', 'admin_state_up', 'shared', 'port_security_enabled', 'description']);

const NETWORK_SPEC: CollectionSpec = {
  collection: 'networks',
  filters: {
    id: asText,
    name: asText,
    tenant_id: asText,
    project_id: asText,
    status: asText,
    admin_state_up: asBoolean('admin_state_up'),
    shared: asBoolean('shared'),
    'router:external': asBoolean('router:external'),
    port_security_enabled: asBoolean('port_security_enabled'),
    mtu: asInteger,
    revision_number: asInteger,
    description: asText,
  },
  sortKeys: new Set(['id', 'name', 'tenant_id', 'project_id', 'status', 'revision_number']),
  tags: true,
};

export function networkOf(s: Session, id: string): Versioned<Vpc> {
  const v = s.r.vpc(id);
  if (!v) throw networkNotFound(id);
  return v;
}

/**
 * Attributes Palisade serves as fixed values: accepted when the request asks for that value,
 * refused (with the reason) otherwise, so that no request is answered as if it had been honoured.
 */
function checkFixed(b: Record<string, unknown>): void {
  const fixed: [string, unknown, string][] = [
    ['admin_state_up', true, 'a Palisade network is always up'],
    ['shared', false, 'sharing networks is not supported'],
    ['port_security_enabled', true, 'port security is set port by port'],
  ];
  for (const [attr, value, reason] of fixed)
    if (own(b, attr) !== undefined && toBoolean(own(b, attr)) !== value)
      throw badRequest(`Invalid input for ${attr}. Reason: ${reason} in Palisade.`);
  if (b.description !== undefined && checkString('description', b.description, 255) !== '')
    throw badRequest('Invalid input for description. Reason: Palisade keeps no network descriptions.');
  if (b.mtu !== undefined && b.mtu !== 1500)
    throw badRequest('Invalid input for mtu. Reason: Palisade networks have an MTU of 1500.');
}

export function networkRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/networks';

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    return listItems(
      NETWORK_SPEC,
      s.r.vpcs().map((v) => NETWORK_VIEW.item(v)),
      queryOf(req.url),
      selfUrl(req),
    );
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const v = networkOf(s, (req.params as { id: string }).id);
    return { network: render(NETWORK_VIEW.item(v), queryOf(req.url)) };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const raw = req.body as Record<string, unknown> | undefined;
    if (raw && typeof raw === 'object' && 'networks' in raw) throw badRequest('Bulk operation not supported');
    const b = resourceBody(req.body, 'network');
    checkAttributes(b, NETWORK_ATTRS, s.tenantId, true);
    const name = b.name === undefined ? '' : checkString('name', b.name, 255);
    checkFixed(b);
    const result = await createVpc(svc, s.p, { regionId: s.r.id, name }, {});
    reply.code(201);
    return { network: NETWORK_VIEW.dict(networkOf(s, (result.body as { id: string }).id)) };
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'network');
    checkAttributes(b, NETWORK_ATTRS, s.tenantId, false, UPDATABLE);
    checkFixed(b);
    const v = networkOf(s, id);
    const expected = ifMatch(req);
    if (expected !== undefined && expected !== v.revision) throw preconditionFailed(expected, v.revision);
    if (b.name !== undefined) {
      const name = checkString('name', b.name, 255);
      await updateVpc(svc, s.p, id, { name }, expected === undefined ? {} : { ifMatch: expected });
    }
    return { network: NETWORK_VIEW.dict(networkOf(s, id)) };
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    networkOf(s, id);
    const expected = ifMatch(req);
    // The VPC's subnets go with it; ports (or groups) in it keep it (NetworkInUse).
    await deleteVpc(svc, s.p, id, expected === undefined ? {} : { ifMatch: expected });
    return noContent(reply);
  });
}
