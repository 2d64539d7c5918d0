// /v2.0/subnets: a Neutron subnet is a subnet of a Palisade VPC (control/ops/subnets.ts), the
// range its ports' fixed IPs come from. Create, show, list, rename, delete.
import type { FastifyInstance } from 'fastify';
import { own } from '../../core/own.js';
import { createSubnet, deleteSubnet, updateSubnet } from '../../control/ops/subnets.js';
import type { Context } from '../../http/context.js';
import { badRequest, subnetNotFound } from './errors.js';
import { toBoolean } from './groups.js';
import { noContent, resourceBody, selfUrl, session, type Session } from './http.js';
import { type SubnetAt, SUBNET_VIEW, tenantSubnets } from './network-views.js';
import { networkOf } from './networks.js';
import { asInteger, asText, type CollectionSpec, listItems, queryOf, render } from './query.js';
import { checkAttributes, checkString, py } from './rule-input.js';

const SUBNET_ATTRS: [string, boolean][] = [
  ['id', false],
  ['name', true],
  ['tenant_id', true],
  ['project_id', true],
  ['network_id', true],
  ['cidr', true],
  ['ip_version', true],
  ['gateway_ip', true],
  ['enable_dhcp', true],
  ['allocation_pools', true],
  ['dns_nameservers', true],
  ['host_routes', true],
  ['description', true],
  ['created_at', false],
  ['updated_at', false],
  ['revision_number', false],
];
const UPDATABLE = new Set(['name', 'enable_dhcp', 'dns_nameservers', 'host_routes', 'description']);

const SUBNET_SPEC: CollectionSpec = {
  collection: 'subnets',
  filters: {
    id: asText,
    name: asText,
    network_id: asText,
    tenant_id: asText,
    project_id: asText,
    cidr: asText,
    ip_version: asInteger,
    gateway_ip: asText,
    revision_number: asInteger,
  },
  sortKeys: new Set(['id', 'name', 'network_id', 'tenant_id', 'project_id', 'cidr', 'ip_version']),
  tags: true,
};

function subnetOf(s: Session, id: string): SubnetAt {
  const found = tenantSubnets(s.r).find((x) => x.subnet.id === id);
  if (!found) throw subnetNotFound(id);
  return found;
}

/**
 * What Palisade does not keep (it serves no DHCP, DNS or routes, and draws addresses from the
 * whole subnet): accepted when empty (or enable_dhcp, which it ignores), refused otherwise.
 */
function checkUnkept(b: Record<string, unknown>): void {
  if (b.enable_dhcp !== undefined) toBoolean(b.enable_dhcp);
  for (const attr of ['allocation_pools', 'dns_nameservers', 'host_routes'])
    if (
      own(b, attr) !== undefined &&
      !(Array.isArray(own(b, attr)) && (own(b, attr) as unknown[]).length === 0)
    )
      throw badRequest(`Invalid input for ${attr}. Reason: Palisade keeps no ${attr} (only an empty list).`);
  if (b.description !== undefined && checkString('description', b.description, 255) !== '')
    throw badRequest('Invalid input for description. Reason: Palisade keeps no subnet descriptions.');
}

export function subnetRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/subnets';

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    return listItems(
      SUBNET_SPEC,
      tenantSubnets(s.r).map((x) => SUBNET_VIEW.item(x)),
      queryOf(req.url),
      selfUrl(req),
    );
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const at = subnetOf(s, (req.params as { id: string }).id);
    return { subnet: render(SUBNET_VIEW.item(at), queryOf(req.url)) };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const raw = req.body as Record<string, unknown> | undefined;
    if (raw && typeof raw === 'object' && 'subnets' in raw) throw badRequest('Bulk operation not supported');
    const b = resourceBody(req.body, 'subnet');
    checkAttributes(b, SUBNET_ATTRS, s.tenantId, true);
    for (const attr of ['network_id', 'ip_version'])
      if (own(b, attr) === undefined)
        throw badRequest(`Failed to parse request. Required attribute '${attr}' not specified`);
    if (b.cidr === undefined || b.cidr === null)
      throw badRequest('Bad subnets request: a cidr must be specified in the absence of a subnet pool.');
    const networkId = checkString('network_id', b.network_id, 255);
    const cidr = checkString('cidr', b.cidr, 255);
    const version = Number(b.ip_version);
    if (version !== 4 && version !== 6)
      throw badRequest(`Invalid input for ip_version. Reason: '${py(b.ip_version)}' is not in [4, 6].`);
    let gatewayIp: string | null | undefined;
    if (b.gateway_ip === null) gatewayIp = null;
    else if (b.gateway_ip !== undefined) gatewayIp = checkString('gateway_ip', b.gateway_ip, 64);
    checkUnkept(b);
    const name = b.name === undefined ? '' : checkString('name', b.name, 255);
    networkOf(s, networkId);
    const result = await createSubnet(svc, s.p, {
      vpcId: networkId,
      name,
      cidr,
      ipVersion: version,
      gatewayIp,
    });
    reply.code(201);
    return { subnet: SUBNET_VIEW.dict(subnetOf(s, (result.body as { id: string }).id)) };
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'subnet');
    checkAttributes(b, SUBNET_ATTRS, s.tenantId, false, UPDATABLE);
    checkUnkept(b);
    subnetOf(s, id);
    if (b.name !== undefined) await updateSubnet(svc, s.p, id, { name: checkString('name', b.name, 255) });
    return { subnet: SUBNET_VIEW.dict(subnetOf(s, id)) };
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    subnetOf(s, id);
    await deleteSubnet(svc, s.p, id);
    return noContent(reply);
  });
}
