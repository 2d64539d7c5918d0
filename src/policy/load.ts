// Load a policy file: parse (YAML or JSON), check its structure against the schema, turn the
// user's shorthands into the native model with defaults, then validate the model. Every
// problem is returned with its path; nothing half-loaded is ever returned.
import { Value } from '@sinclair/typebox/value';
import { YAMLParseError, parse } from 'yaml';
import { cidrFamily } from '../core/address.js';
import { findDefaultGroup, makeDefaultGroup } from '../core/defaults.js';
import type {
  Instance,
  PortRange,
  Profile,
  RegionState,
  Remote,
  Rule,
  SecurityGroup,
} from '../core/model.js';
import { PROTOCOL_KEYWORDS } from '../core/model.js';
import { DEFAULT_QUOTAS, DEFAULT_TIMEOUTS, TEMPLATES, TRAITS, materializeRules } from '../core/profiles.js';
import { Problems, type ValidationError, ruleIdentity, validateRegionState } from '../core/validate.js';
import { type PolicyFile, PolicySchema, type RuleInput } from './schema.js';

export interface LoadResult {
  state: RegionState | null;
  errors: ValidationError[];
}

const DEFAULT_TENANT = 'default';
const CLASSIC = 'classic';

export function loadPolicy(text: string, filename = 'policy'): LoadResult {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (e) {
    const where =
      e instanceof YAMLParseError && e.linePos
        ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: `
        : '';
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return {
      state: null,
      errors: [{ path: '', code: 'SYNTAX_ERROR', message: `${filename}: ${where}${message}` }],
    };
  }
  const structural = [...Value.Errors(PolicySchema, doc)].map((e) => ({
    path: pointerToPath(e.path),
    code: 'INVALID_FIELD',
    message: `${pointerToPath(e.path) || filename}: ${e.message}`,
  }));
  if (structural.length > 0) return { state: null, errors: dedupe(structural) };
  const p = new Problems();
  const state = normalize(doc as PolicyFile, p);
  const errors = [...p.list, ...validateRegionState(state)];
  return errors.length > 0 ? { state: null, errors } : { state, errors: [] };
}

/** "/groups/0/rules/1/ports" → "groups[0].rules[1].ports". */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
}

function dedupe(errors: ValidationError[]): ValidationError[] {
  // TypeBox reports each failed union branch; keep one error per path.
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.path) && seen.add(e.path));
}

/** "22", 22, "80-82", "22,25,27", [{from,to}] → ranges; malformed text is reported. */
export function parsePortList(input: string | number | PortRange[], at: string, p: Problems): PortRange[] {
  if (typeof input === 'number') return [{ from: input, to: input }];
  if (Array.isArray(input)) return input;
  const out: PortRange[] = [];
  for (const part of input.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) {
      p.add(at, 'INVALID_PORTS', `${at} "${input}": "${part}" is not a port or a range like 80-82`);
      continue;
    }
    out.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]) });
  }
  return out;
}

function remoteOf(r: RuleInput, at: string, p: Problems): Remote {
  const given = (['remoteIpPrefix', 'remoteGroup', 'remoteAddressGroup'] as const).filter(
    (k) => r[k] !== undefined,
  );
  if (given.length > 1)
    p.add(
      at,
      'REMOTE_CONFLICT',
      `${at} names ${given.join(' and ')}: a rule's remote is one CIDR, one group or one address group`,
    );
  if (r.remoteIpPrefix !== undefined) return { kind: 'cidr', cidr: r.remoteIpPrefix };
  if (r.remoteGroup !== undefined) return { kind: 'group', groupId: r.remoteGroup };
  if (r.remoteAddressGroup !== undefined)
    return { kind: 'addressGroup', addressGroupId: r.remoteAddressGroup };
  return { kind: 'any' };
}

export function toRule(profile: Profile, r: RuleInput, id: string, at: string, p: Problems): Rule {
  const rule: Rule = {
    id: r.id ?? id,
    direction: r.direction,
    ethertype: r.ethertype ?? (r.remoteIpPrefix ? (cidrFamily(r.remoteIpPrefix) ?? 'IPv4') : 'IPv4'),
    protocol: (typeof r.protocol === 'string' ? r.protocol.toLowerCase() : r.protocol) as Rule['protocol'],
    remote: remoteOf(r, at, p),
    action: r.action ?? 'allow',
    priority: r.priority ?? TRAITS[profile].defaultPriority,
    nicType: r.nicType ?? 'intranet',
  };
  // A keyword the model has no name for ("esp") is held as its number, the keyword kept beside it.
  const keyword = typeof rule.protocol === 'string' ? PROTOCOL_KEYWORDS.get(rule.protocol) : undefined;
  if (keyword !== undefined) {
    rule.protocolName = rule.protocol as string;
    rule.protocol = keyword;
  }
  if (r.ports !== undefined) rule.ports = parsePortList(r.ports, `${at}.ports`, p);
  if (r.sourcePorts !== undefined) rule.sourcePorts = parsePortList(r.sourcePorts, `${at}.sourcePorts`, p);
  if (r.icmpType !== undefined) rule.icmpType = r.icmpType;
  if (r.icmpCode !== undefined) rule.icmpCode = r.icmpCode;
  if (r.description !== undefined) rule.description = r.description;
  return rule;
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function normalize(doc: PolicyFile, p: Problems): RegionState {
  const profile = doc.region.profile;
  const regionId = doc.region.id;
  const tenants = (doc.tenants ?? [{ id: DEFAULT_TENANT }]).map((t) => ({ id: t.id, name: t.name ?? t.id }));
  const firstTenant = tenants[0]?.id ?? DEFAULT_TENANT;
  const vpcs = (doc.vpcs ?? []).map((v) => ({
    id: v.id,
    tenantId: v.tenant ?? firstTenant,
    regionId,
    name: v.name ?? v.id,
    ...(v.cidr && { cidr: v.cidr }),
  }));
  /** A group or instance's VPC: given, "classic"/null, or the tenant's only VPC (made if none). */
  const vpcOf = (given: string | null | undefined, tenantId: string): string | null => {
    if (given === null || given === CLASSIC) return null;
    if (given !== undefined) return given;
    const own = vpcs.filter((v) => v.tenantId === tenantId);
    if (own.length >= 1) return own[0].id;
    const made = { id: `${tenantId}-vpc`, tenantId, regionId, name: `${tenantId}-vpc` };
    vpcs.push(made);
    return made.id;
  };

  const groups: SecurityGroup[] = (doc.groups ?? []).map((g, gi) => {
    const at = `groups[${gi}]`;
    const tenantId = g.tenant ?? firstTenant;
    const type = g.type ?? 'basic';
    let n = 0;
    const rules: Rule[] = [];
    if (g.template !== undefined) {
      const t = TEMPLATES.find((x) => x.id === g.template);
      if (!t || !t.profiles.includes(profile)) {
        const names = TEMPLATES.filter((x) => x.profiles.includes(profile)).map((x) => x.id);
        p.add(
          `${at}.template`,
          'UNKNOWN_TEMPLATE',
          `${at}.template "${g.template}" is not a ${profile} template (${names.join(', ')})`,
        );
      } else rules.push(...materializeRules(profile, g.id, t.rules, () => `${g.id}-t${n++}`));
    }
    (g.rules ?? []).forEach((r, ri) =>
      rules.push(toRule(profile, r, `${g.id}-r${ri}`, `${at}.rules[${ri}]`, p)),
    );
    return {
      id: g.id,
      tenantId,
      regionId,
      vpcId: vpcOf(g.vpc, tenantId),
      name: g.name ?? g.id,
      ...(g.description !== undefined && { description: g.description }),
      type,
      stateful: g.stateful ?? true,
      innerAccessPolicy:
        g.innerAccessPolicy ?? (profile === 'alibaba' && type === 'basic' ? 'Accept' : 'Drop'),
      rules: TRAITS[profile].duplicateRuleIsConflict ? rules : collapseDuplicates(rules),
    };
  });

  const instances: Instance[] = (doc.instances ?? []).map((inst) => {
    const tenantId = inst.tenant ?? firstTenant;
    const vpcId = vpcOf(inst.vpc, tenantId);
    return {
      id: inst.id,
      tenantId,
      regionId,
      vpcId,
      name: inst.name ?? inst.id,
      ports: inst.ports.map((pt) => {
        let groupIds = pt.groups ?? [];
        if (groupIds.length === 0) {
          // Default group on first need (001, 002, 003).
          let dg = findDefaultGroup(groups, tenantId, vpcId);
          if (!dg)
            groups.push(
              (dg = makeDefaultGroup(
                profile,
                regionId,
                tenantId,
                vpcId,
                `${tenantId}-${vpcId ?? CLASSIC}-default`,
              )),
            );
          groupIds = [dg.id];
        }
        return {
          id: pt.id,
          instanceId: inst.id,
          ipv4: list(pt.ipv4),
          ipv6: list(pt.ipv6),
          ...(pt.publicIpv4 && { publicIpv4: pt.publicIpv4 }),
          virtualIps: pt.virtualIps ?? [],
          nicType: pt.nicType ?? 'intranet',
          groupIds,
        };
      }),
    };
  });

  return {
    region: {
      id: regionId,
      ...(doc.region.name && { name: doc.region.name }),
      profile,
      quotas: { ...DEFAULT_QUOTAS[profile], ...doc.region.quotas },
      conntrackTimeouts: { ...DEFAULT_TIMEOUTS, ...doc.region.conntrackTimeouts },
    },
    tenants,
    vpcs,
    groups,
    addressGroups: (doc.addressGroups ?? []).map((a) => ({
      id: a.id,
      tenantId: a.tenant ?? firstTenant,
      regionId,
      name: a.name ?? a.id,
      ...(a.ethertype && { ethertype: a.ethertype }),
      entries: a.entries,
      ...(a.description !== undefined && { description: a.description }),
    })),
    instances,
  };
}

/** Alibaba: authorizing an identical rule succeeds and adds nothing. */
function collapseDuplicates(rules: Rule[]): Rule[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const id = ruleIdentity(r);
    return !seen.has(id) && seen.add(id);
  });
}
