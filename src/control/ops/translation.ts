// Translation between clouds (issue 13 item 9): a region's policy exported in a cloud's own JSON
// (Alibaba, Huawei, Neutron, AWS), and such a document imported into a region of any profile in
// one write. The pure core translates (core/translate); the formats' shapes live in
// control/formats. An export is proven by reading its own document back: what the document's
// cloud would allow is compared, port by port, with what the region allows. An import is proven
// the same way on each group alone (a document names no ports). A preview writes nothing.
import { setView } from '../../core/analysis/views.js';
import type { AddressGroup, Profile, RegionState, SecurityGroup, Vpc } from '../../core/model.js';
import { TRAITS } from '../../core/profiles.js';
import {
  type AllowedDifference,
  allowedDifferences,
  probeId,
  withProbes,
} from '../../core/translate/equivalence.js';
import {
  DEFAULT_MAX_RULES,
  TranslationTooLarge,
  translateRegion,
  type TranslationMethod,
} from '../../core/translate/translate.js';
import {
  checkQuota,
  Problems,
  validateAddressGroup,
  validateGroup,
  validatePlacement,
  validateRule,
  validateRuleReferences,
} from '../../core/validate.js';
import { invalid, notFound } from '../errors.js';
import { type Event, groupEvents } from '../events.js';
import { newId } from '../ids.js';
import { lookupIn } from '../lookup.js';
import { quotasFor, tenantAddressGroupCount, tenantGroupCount, tenantRuleCount } from '../quotas.js';
import type { Principal, Service, WriteOptions } from '../service.js';
import { placeGroup } from './groups.js';

/** A region's policy in the native model, ids as a document gave them. */
export interface Policy {
  groups: SecurityGroup[];
  addressGroups: AddressGroup[];
}

/**
 * A cloud's document format (src/compat/formats): the profile its rules are read under, how a
 * policy is written in it, and how a document is read back (problems named by their paths).
 */
export interface Codec {
  format: string;
  profile: Profile;
  render(policy: Policy, regionId: string): unknown;
  /** The policy, what is wrong with the document, and where it gave each rule (id → path). */
  parse(doc: unknown): { policy: Policy; problems: Problems; paths: ReadonlyMap<string, string> };
}

/** Translate, or refuse (409 QUOTA_EXCEEDED naming the group) a group that needs too many rules. */
function translateWithin(
  source: RegionState,
  profile: Profile,
  limit: number,
  at: (groupId: string) => string,
) {
  try {
    return translateRegion(source, profile, limit);
  } catch (e) {
    if (!(e instanceof TranslationTooLarge)) throw e;
    const p = new Problems();
    p.add(
      at(e.groupId),
      'QUOTA_EXCEEDED',
      `${at(e.groupId)}: translated into ${profile}, the group needs more than ${e.limit} rules`,
      {
        quota: 'rulesPerGroup',
        limit: e.limit,
      },
    );
    throw invalid(p.list);
  }
}

/** Differences as the API shows them: at most 20 boxes per side, and how many more there were. */
function differenceViews(differences: AllowedDifference[]) {
  return differences.map((d) => ({
    ...(d.groupId !== undefined ? { groupId: d.groupId } : { portId: d.portId }),
    direction: d.direction,
    ethertype: d.ethertype,
    lost: setView(d.lost, d.ethertype),
    gained: setView(d.gained, d.ethertype),
  }));
}

/** The caller's part of a region: its groups, address groups and ports (operators: everyone's, or one tenant's). */
function tenantState(state: RegionState, visibleGroups: Set<string>): RegionState {
  const groups = state.groups.filter((g) => visibleGroups.has(g.id));
  const instances = state.instances
    .map((i) => ({ ...i, ports: i.ports.filter((p) => p.groupIds.every((g) => visibleGroups.has(g))) }))
    .filter((i) => i.ports.length);
  const tenants = new Set(groups.map((g) => g.tenantId));
  return {
    ...state,
    groups,
    addressGroups: state.addressGroups.filter((a) => tenants.has(a.tenantId)),
    instances,
  };
}

export async function exportRegion(
  svc: Service,
  p: Principal,
  regionId: string,
  codec: Codec,
  tenantId?: string,
) {
  const scope = await svc.read(p);
  const r = scope.region(regionId);
  if (!r) throw notFound('region', regionId);
  const visible = new Set(
    r
      .groups()
      .filter((g) => tenantId === undefined || g.meta.tenantId === tenantId)
      .map((g) => g.meta.id),
  );
  const state = tenantState(svc.world.regionState(regionId)!, visible);
  const target = codec.profile;
  const translation = translateWithin(state, target, DEFAULT_MAX_RULES, (id) => `group ${id}`);
  const policy: Policy = {
    groups: translation.groups.map((g) => g.group),
    addressGroups: translation.addressGroups,
  };
  const document = codec.render(policy, regionId);
  // The proof reads the document back, as its cloud would, and compares it with the region.
  const back = codec.parse(JSON.parse(JSON.stringify(document))).policy;
  const ids = state.groups.map((g) => g.id);
  const source = withProbes(state, ids);
  const read = withProbes(
    {
      ...state,
      region: { ...state.region, profile: target },
      groups: back.groups,
      addressGroups: back.addressGroups,
    },
    ids,
  );
  const ports = [...state.instances.flatMap((i) => i.ports.map((x) => x.id)), ...ids.map(probeId)];
  const differences = allowedDifferences(source, read, ports, (x) =>
    x.startsWith('probe:') ? x.slice(6) : undefined,
  );
  return {
    regionId,
    revision: scope.revision,
    profile: state.region.profile,
    format: codec.format,
    equivalent: differences.length === 0,
    groups: translation.groups.map((g) => ({
      id: g.group.id,
      name: g.group.name,
      method: g.method,
      ruleCount: g.group.rules.length,
    })),
    differences: differenceViews(differences),
    document,
  };
}

export interface ImportView {
  regionId: string;
  format: string;
  profile: Profile;
  dryRun: boolean;
  revision: number;
  equivalent: boolean;
  groups: { id: string; sourceId: string; name: string; method: TranslationMethod; ruleCount: number }[];
  addressGroups: { id: string; sourceId: string; name: string; entryCount: number }[];
  differences: ReturnType<typeof differenceViews>;
}

/**
 * Import a document into a region: its groups and address groups made in one write, each group
 * translated into the region's profile. Ids the document gives its own objects are replaced by
 * new ones (references among them follow); a rule naming any other id names an object of the
 * region, which must be the caller's. With dryRun, every check runs and nothing is stored.
 */
export async function importRegion(
  svc: Service,
  p: Principal,
  input: { regionId: string; codec: Codec; document: unknown; tenantId?: string },
  opts: WriteOptions,
) {
  const { policy, problems: read, paths } = input.codec.parse(input.document);
  // The document's rules must be rules of its own cloud before anything is computed from them.
  for (const g of policy.groups)
    for (const rule of g.rules)
      validateRule(rule, g, input.codec.profile, read, paths.get(rule.id) ?? 'body');
  policy.addressGroups.forEach((a, i) =>
    validateAddressGroup(a, `body.addressGroups[${i}]`, read, () => true),
  );
  if (read.list.length) throw invalid(read.list);
  // Translated before the write: it reads nothing of the world but the region's profile, and a
  // large document should not hold the write lock while it is computed.
  const region = (await svc.read(p)).region(input.regionId);
  if (!region) throw notFound('region', input.regionId);
  const profile = region.profile;
  const source: RegionState = {
    region: { ...region.region, profile: input.codec.profile },
    tenants: [],
    vpcs: [],
    groups: policy.groups,
    addressGroups: policy.addressGroups,
    instances: [],
  };
  const tenantId = svc.tenantFor(p, input.tenantId);
  const limit = Math.min(region.quotasFor(tenantId).rulesPerGroup || DEFAULT_MAX_RULES, DEFAULT_MAX_RULES);
  const translation = translateWithin(source, profile, limit, (id) => {
    const i = policy.groups.findIndex((g) => g.id === id);
    return `document.groups[${i}]`;
  });
  return svc.write(p, opts, (w) => {
    const r = w.regions.get(input.regionId);
    if (!r) throw notFound('region', input.regionId);
    const groupIds = new Map(policy.groups.map((g) => [g.id, newId('sg')]));
    const agIds = new Map(policy.addressGroups.map((a) => [a.id, newId('ag')]));
    const at = svc.timestamp();
    const addressGroups: AddressGroup[] = policy.addressGroups.map((a) => ({
      ...a,
      id: agIds.get(a.id)!,
      tenantId,
      regionId: r.region.id,
      createdAt: at,
      updatedAt: at,
      changeCount: a.entries.length,
    }));
    const newVpcs: Vpc[] = [];
    const groups: SecurityGroup[] = translation.groups.map(({ group }) => {
      const classic = group.vpcId === null && TRAITS[profile].classicNetwork;
      const place = placeGroup(r, tenantId, classic ? null : undefined, newVpcs);
      newVpcs.push(...place.newVpcs);
      return {
        ...group,
        id: groupIds.get(group.id)!,
        tenantId,
        regionId: r.region.id,
        vpcId: place.vpcId,
        createdAt: at,
        updatedAt: at,
        changeCount: group.rules.length ? 1 : 0,
        rules: group.rules.map((rule) => ({
          ...rule,
          id: newId('sgr'),
          createdAt: at,
          remote:
            rule.remote.kind === 'group' && groupIds.has(rule.remote.groupId)
              ? { kind: 'group' as const, groupId: groupIds.get(rule.remote.groupId)! }
              : rule.remote.kind === 'addressGroup' && agIds.has(rule.remote.addressGroupId)
                ? { kind: 'addressGroup' as const, addressGroupId: agIds.get(rule.remote.addressGroupId)! }
                : rule.remote,
        })),
      };
    });
    const problems = new Problems();
    const base = lookupIn(w, r, groups, newVpcs);
    const pendingAgs = new Map(addressGroups.map((a) => [a.id, a]));
    const lookup = {
      ...base,
      addressGroup: (id: string) => pendingAgs.get(id) ?? base.addressGroup(id),
      mayUse: (kind: 'group' | 'addressGroup', id: string, t: string) =>
        kind === 'addressGroup' && pendingAgs.has(id)
          ? pendingAgs.get(id)!.tenantId === t
          : base.mayUse(kind, id, t),
    };
    const q = quotasFor(w, r, tenantId);
    addressGroups.forEach((a, i) => {
      validateAddressGroup(a, `document.addressGroups[${i}]`, problems, (id) => w.tenants.has(id));
      checkQuota(
        q,
        'entriesPerAddressGroup',
        a.entries.length,
        `entries of ${a.name}`,
        problems,
        `document.addressGroups[${i}]`,
      );
    });
    groups.forEach((g, i) => {
      const where = `document.groups[${i}]`;
      validatePlacement(g, lookup, problems, where);
      validateGroup(g, r.region, problems, where);
      g.rules.forEach((rule, k) => validateRuleReferences(rule, g, lookup, problems, `${where}.rules[${k}]`));
      checkQuota(
        q,
        'rulesPerGroup',
        g.rules.length,
        `rules of ${g.name} as translated`,
        problems,
        `${where}.rules`,
      );
    });
    checkQuota(
      q,
      'groupsPerTenant',
      tenantGroupCount(r, tenantId) + groups.length,
      `security groups of tenant ${tenantId}`,
      problems,
      'document',
    );
    checkQuota(
      q,
      'addressGroupsPerTenant',
      tenantAddressGroupCount(r, tenantId) + addressGroups.length,
      `address groups of tenant ${tenantId}`,
      problems,
      'document',
    );
    checkQuota(
      q,
      'rulesPerTenant',
      tenantRuleCount(r, tenantId) + groups.reduce((n, g) => n + g.rules.length, 0),
      `rules of tenant ${tenantId}`,
      problems,
      'document',
    );
    if (problems.list.length) throw invalid(problems.list);
    const events: Event[] = [
      ...newVpcs.map((vpc) => ({ op: 'vpc.put' as const, vpc })),
      ...addressGroups.map((addressGroup) => ({ op: 'addressGroup.put' as const, addressGroup })),
      ...groups.flatMap((g) => groupEvents(r.region.id, g)),
    ];
    const view = (revision: number): ImportView => ({
      regionId: r.region.id,
      format: input.codec.format,
      profile,
      dryRun: opts.dryRun === true,
      revision,
      equivalent: translation.differences.length === 0,
      groups: translation.groups.map((g, i) => ({
        id: groups[i].id,
        sourceId: g.sourceId,
        name: groups[i].name,
        method: g.method,
        ruleCount: groups[i].rules.length,
      })),
      addressGroups: addressGroups.map((a, i) => ({
        id: a.id,
        sourceId: policy.addressGroups[i].id,
        name: a.name,
        entryCount: a.entries.length,
      })),
      differences: differenceViews(translation.differences),
    });
    return {
      action: 'policy.import',
      regionId: r.region.id,
      tenantId,
      targetId: null,
      events,
      after: view,
      status: opts.dryRun ? 200 : 201,
    };
  });
}
