// Exposure lint with the caller's policy (what to flag, thresholds, severities), for one group
// (ops/analysis.ts) or a whole region: every visible group's findings plus those across groups
// (one group for everything, a group per instance, ports under too many rules). Reads only.
import {
  DEFAULT_EXPOSURE_POLICY,
  type ExposureKind,
  type ExposurePolicy,
  groupExposure,
  type Severity,
} from '../../core/analysis/exposure.js';
import { regionExposure } from '../../core/analysis/region-exposure.js';
import { badRequest, notFound } from '../errors.js';
import { quotasFor } from '../quotas.js';
import type { Principal, Service } from '../service.js';

/** A policy as a request carries it: any field left out keeps its default. */
export type ExposurePolicyInput = Partial<Omit<ExposurePolicy, 'severities'>> & {
  severities?: Partial<Record<ExposureKind, Severity | 'off'>>;
};

/**
 * The policy a request asks for, over the defaults. The request schema bounds each field; what
 * it cannot say (shares are fractions of a whole; a cluster is at least two groups) is checked
 * here, naming the field as the request spells it.
 */
export function exposurePolicy(input: ExposurePolicyInput | undefined, at: string): ExposurePolicy {
  const share = (name: 'quotaShare' | 'catchAllShare', v: number | undefined) => {
    if (v !== undefined && !(v > 0 && v <= 1))
      throw badRequest('INVALID_FIELD', `${at}.${name}`, `${at}.${name} must be above 0 and at most 1`);
  };
  share('quotaShare', input?.quotaShare);
  share('catchAllShare', input?.catchAllShare);
  if (input?.perInstanceGroups !== undefined && input.perInstanceGroups < 2)
    throw badRequest(
      'INVALID_FIELD',
      `${at}.perInstanceGroups`,
      `${at}.perInstanceGroups must be at least 2: one group of one instance is not a pattern`,
    );
  const { severities, sensitivePorts, ...rest } = input ?? {};
  return {
    ...DEFAULT_EXPOSURE_POLICY,
    ...rest,
    ...(sensitivePorts ? { sensitivePorts: [...new Set(sensitivePorts)].sort((a, b) => a - b) } : {}),
    severities: { ...DEFAULT_EXPOSURE_POLICY.severities, ...severities },
  };
}

/** The exposure lint of a region: the caller's groups and ports there (operators: every tenant's). */
export async function regionExposureOf(
  svc: Service,
  p: Principal,
  regionId: string,
  input: ExposurePolicyInput | undefined,
  at = 'body.policy',
) {
  const policy = exposurePolicy(input, at);
  const scope = await svc.read(p);
  const r = scope.region(regionId);
  if (!r) throw notFound('region', regionId);
  const groups = r.groups();
  const models = groups.map((g) => ({ ...g.meta, rules: g.ruleList() }));
  const perGroup = groups.flatMap((g, i) =>
    groupExposure(
      models[i],
      {
        members: g.members.size,
        referencedBy: r.record.groupsReferencing(g.meta.id).length,
        quotas: quotasFor(svc.world, r.record, g.meta.tenantId),
      },
      policy,
    ),
  );
  // Ports count the rules of every group they are in, shared ones too.
  const across = regionExposure(
    r.profile,
    r.readableGroups().map((g) => ({ ...g.meta, rules: g.ruleList() })),
    r.instances().map((i) => i.value),
    policy,
  );
  return { regionId, revision: scope.revision, policy, findings: [...perGroup, ...across] };
}
