// Analysis of the stored policy (issue 13): a port's effective rules, each with the packets it
// really decides, and the findings about its rules (shadowed, redundant, ...). Reads only; the
// port must be the caller's (operators: any), and what is computed is the pure core's.
import { decidedPolicy } from '../../core/analysis/decided.js';
import { groupExposure } from '../../core/analysis/exposure.js';
import { portFindings } from '../../core/analysis/findings.js';
import { setView } from '../../core/analysis/views.js';
import type { Direction, Ethertype } from '../../core/model.js';
import { RegionIndex } from '../../core/region-index.js';
import { notFound } from '../errors.js';
import { quotasFor } from '../quotas.js';
import type { Principal, Service } from '../service.js';
import { exposurePolicy, type ExposurePolicyInput } from './exposure.js';
import { groupOrThrow } from './groups.js';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];
const FAMILIES: Ethertype[] = ['IPv4', 'IPv6'];

export async function portAnalysis(svc: Service, p: Principal, portId: string) {
  const scope = await svc.read(p);
  const found = scope.port(portId);
  if (!found) throw notFound('port', portId);
  const state = svc.world.regionState(found.r.id)!;
  const index = new RegionIndex(state);
  const effective = DIRECTIONS.flatMap((direction) =>
    FAMILIES.map((ethertype) => {
      const d = decidedPolicy(index, portId, direction, ethertype);
      return {
        direction,
        ethertype,
        kind: d.kind,
        entries: d.entries.map((x, position) => ({
          position: position + 1,
          ...(x.entry.kind === 'rule'
            ? { kind: 'rule' as const, ruleId: x.entry.rule.id, action: x.entry.rule.action }
            : { kind: 'innerAccess' as const, action: 'allow' as const }),
          groupId: x.entry.group.id,
          decides: x.decides.isEmpty ? 'nothing' : 'packets',
          packets: setView(x.decides, ethertype),
        })),
        default: { verdict: d.defaultVerdict, packets: setView(d.unmatched, ethertype) },
      };
    }),
  );
  return {
    portId,
    regionId: found.r.id,
    revision: scope.revision,
    effective,
    findings: portFindings(index, portId),
  };
}

/** Exposure lint of one of the caller's groups: rules open to every address, quota, use; by the caller's policy. */
export async function groupExposureOf(
  svc: Service,
  p: Principal,
  groupId: string,
  input?: ExposurePolicyInput,
  at = 'body.policy',
) {
  const policy = exposurePolicy(input, at);
  const scope = await svc.read(p);
  const { r, g } = groupOrThrow(scope, groupId);
  const findings = groupExposure(
    { ...g.meta, rules: g.ruleList() },
    {
      members: g.members.size,
      referencedBy: r.groupsReferencing(g.meta.id).length,
      quotas: quotasFor(svc.world, r, g.meta.tenantId),
    },
    policy,
  );
  return { groupId, revision: scope.revision, policy, findings };
}
