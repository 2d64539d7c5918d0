// Ports' security groups, as the VPC v3 API manages them: show a port, and insert groups into or
// remove groups from its ordered list (the SDK's ShowPort, AddSecurityGroups and
// RemoveSecurityGroups: GET /ports/{id}, PUT /ports/{id}/insert-security-groups and
// /remove-security-groups with {port: {security_groups, index?}, dry_run?}). Each change is one
// setGroups write of the whole new list. Ports themselves are made through the native API.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setGroups } from '../../control/ops/instances.js';
import type { ScopedRegion } from '../../control/scope.js';
import type { Instance, Port } from '../../core/model.js';
import type { Context } from '../../http/context.js';
import { principalOf, regionOf, wrapped, writeOpts } from './context.js';
import { CODES, dryRunPassed, HuaweiError, invalid, notFound, requestIdOf } from './errors.js';
import { groupIn } from './rules.js';

/** A port of this project the caller may see, or Huawei's 404. */
function portIn(r: ScopedRegion, id: string): { port: Port; instance: Instance } {
  const found = r.port(id);
  if (!found) throw notFound(`Port ${id} could not be found.`);
  return { port: found.port, instance: found.instance.value };
}

/** The Port model's fields Palisade knows; the rest of Huawei's are absent. */
export function portView(port: Port, instance: Instance, projectId: string) {
  return {
    id: port.id,
    name: '',
    description: '',
    project_id: projectId,
    tenant_id: projectId,
    instance_id: instance.id,
    device_id: instance.id,
    vpc_id: instance.vpcId,
    private_ips: [...port.ipv4, ...port.ipv6].map((ip_address) => ({ ip_address })),
    security_groups: [...port.groupIds],
    port_security_enabled: true,
    admin_state_up: true,
    status: 'ACTIVE',
  };
}

/** port.security_groups: a non-empty list of distinct ids of groups in this project. */
function groupList(r: ScopedRegion, o: Record<string, unknown>): string[] {
  const ids = o.security_groups;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((x) => typeof x !== 'string' || x === ''))
    throw invalid(
      'Invalid port.security_groups parameter in request body: a non-empty array of security group ids',
    );
  if (new Set(ids).size !== ids.length)
    throw invalid('Invalid port.security_groups parameter in request body: a security group is given twice');
  for (const id of ids as string[]) groupIn(r, id, 'Security group');
  return ids as string[];
}

export function portRoutes(app: FastifyInstance, { svc }: Context): void {
  app.get('/:project_id/ports/:id', async (req) => {
    const { id } = req.params as { id: string };
    const r = regionOf(req);
    const { port, instance } = portIn(r, id);
    return { request_id: requestIdOf(req), port: portView(port, instance, r.region.id) };
  });

  /** One write of the port's new list; 200 with the port as it now is. */
  async function change(
    req: FastifyRequest,
    edit: (current: string[], o: Record<string, unknown>) => string[],
  ) {
    const { id } = req.params as { id: string };
    const { inner, dryRun } = wrapped(req.body, 'port');
    const r = regionOf(req);
    const { port } = portIn(r, id);
    const next = edit(port.groupIds, inner);
    await setGroups(svc, principalOf(req), id, next, { ...writeOpts(req), dryRun });
    if (dryRun) return { dryRun: true as const };
    const now = portIn(regionOf(req), id);
    return {
      dryRun: false as const,
      body: { request_id: requestIdOf(req), port: portView(now.port, now.instance, r.region.id) },
    };
  }

  app.put('/:project_id/ports/:id/insert-security-groups', async (req, reply) => {
    const out = await change(req, (current, o) => {
      const ids = groupList(regionOf(req), o);
      const already = ids.find((g) => current.includes(g));
      if (already !== undefined)
        throw new HuaweiError(
          409,
          CODES.conflict,
          `Security group ${already} is already associated with the port.`,
        );
      let index = current.length;
      if (o.index !== undefined && o.index !== null) {
        if (typeof o.index !== 'number' || !Number.isInteger(o.index) || o.index < 0)
          throw invalid(`Invalid port.index ${String(o.index)} parameter in request body: an integer from 0`);
        index = Math.min(o.index, current.length);
      }
      return [...current.slice(0, index), ...ids, ...current.slice(index)];
    });
    return out.dryRun ? reply.code(202).send(dryRunPassed(req)) : out.body;
  });

  app.put('/:project_id/ports/:id/remove-security-groups', async (req, reply) => {
    const out = await change(req, (current, o) => {
      const ids = groupList(regionOf(req), o);
      const absent = ids.find((g) => !current.includes(g));
      if (absent !== undefined)
        throw invalid(
          `Invalid port.security_groups parameter in request body: security group ${absent} is not associated with the port`,
        );
      return current.filter((g) => !ids.includes(g));
    });
    return out.dryRun ? reply.code(202).send(dryRunPassed(req)) : out.body;
  });
}
