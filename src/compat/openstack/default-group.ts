// Neutron's per-project default group, made on the project's first look at its groups (or its
// first group create; an admin's create for another project makes that project's) by the
// service's ensureDefaultGroup: one write, in the VPC any group made
// without one goes into (see GroupInput.vpcId).
import { isDefaultGroup } from '../../core/defaults.js';
import * as ops from '../../control/ops/groups.js';
import type { Service } from '../../control/service.js';
import type { Session } from './http.js';

/**
 * Make the project's default group (and its VPC) unless it exists. Over the group quota the
 * default group is not made (a listing still answers; a create then fails with OverQuota).
 */
export async function ensureDefaultGroup(svc: Service, s: Session, tenantId = s.tenantId): Promise<void> {
  if (s.r.groups().some((g) => g.meta.tenantId === tenantId && isDefaultGroup(g.meta))) return;
  await ops.ensureDefaultGroup(svc, s.p, { regionId: s.r.id, tenantId });
}
