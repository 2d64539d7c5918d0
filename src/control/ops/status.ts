// Enforcement status: each host agent reports the revision its kernel enforces, the ports it
// had to close and its rules' hit counts; the API answers whether a region's latest change is
// enforced on every host that carries its ports. Each report also extends the rules' hit
// history (ops/rule-usage.ts), in the same transaction.
import type { TrackedFlow } from '../../conntrack/flows.js';
import { badRequest } from '../errors.js';
import { reportSteps, runTransaction } from './rule-usage.js';
import { sees } from '../scope.js';
import type { Principal, Service } from '../service.js';

export interface HostReport {
  revision: number;
  /** Ports whose policy could not be computed: closed, with the reason. */
  closed: { portId: string; reason: string }[];
  /** Rule id → packets matched, summed over the host's chains. */
  ruleHits: Record<string, number>;
  /** The host's tracked connections of its ports, bounded per port (change previews read them). */
  connections?: ReportedConnection[];
}

/** A conntrack entry as the agent lists it, with the port it belongs to and which side opened it. */
export interface ReportedConnection extends TrackedFlow {
  portId: string;
  origin: 'inbound' | 'outbound';
}

/** The latest report of every host that sent one. */
export async function hostReports(svc: Service): Promise<Map<string, HostReport & { reportedAt: string }>> {
  const rows = await svc.db.selectFrom('host_status').selectAll().execute();
  return new Map(
    rows.map((r) => [r.host, { ...(JSON.parse(r.body) as HostReport), reportedAt: r.reported_at }]),
  );
}

export async function reportHost(
  svc: Service,
  p: Principal,
  host: string,
  report: HostReport,
): Promise<void> {
  svc.requireAdmin(p);
  if (!host.trim()) throw badRequest('INVALID_FIELD', 'params.host', 'params.host must not be empty');
  // The latest world, so that a rule created on another server just now starts its history.
  await svc.sync();
  const at = svc.now();
  const counters = new Map(Object.entries(report.ruleHits));
  const known = (ruleId: string) => svc.world.locate('rule', ruleId) !== undefined;
  const postgres = svc.store.dialect === 'postgres';
  await runTransaction(svc, () =>
    reportSteps(
      svc.db,
      postgres,
      at,
      { host, revision: report.revision, body: JSON.stringify(report), counters },
      known,
    ),
  );
}

export async function enforcementStatus(svc: Service, p: Principal, regionId?: string) {
  const scope = await svc.read(p);
  const reports = await hostReports(svc);
  // Whole regions: a host carries ports of every tenant; only visible ports are reported below.
  const regions = scope
    .regions()
    .filter((r) => regionId === undefined || r.id === regionId)
    .map((r) => r.record);
  const out = regions.map((r) => {
    const hosts = new Map<string, string[]>();
    for (const { port, instanceId } of r.ports.values()) {
      const owner = r.instances.get(instanceId)?.value.tenantId;
      if (!port.host || owner === undefined || !sees(p, owner)) continue;
      hosts.set(port.host, [...(hosts.get(port.host) ?? []), port.id]);
    }
    const hostStatus = [...hosts].map(([host, ports]) => {
      const report = reports.get(host);
      return {
        host,
        ports: ports.length,
        enforcedRevision: report?.revision ?? null,
        upToDate: (report?.revision ?? -1) >= r.lastRevision,
        reportedAt: report?.reportedAt ?? null,
        closed: (report?.closed ?? []).filter((c) => ports.includes(c.portId)),
      };
    });
    const ruleHits = new Map<string, number>();
    const visibleRules = new Set<string>();
    for (const g of r.groups.values())
      if (sees(p, g.meta.tenantId)) for (const id of g.rules.keys()) visibleRules.add(id);
    for (const [host] of hosts)
      for (const [rule, n] of Object.entries(reports.get(host)?.ruleHits ?? {}))
        if (visibleRules.has(rule)) ruleHits.set(rule, (ruleHits.get(rule) ?? 0) + n);
    return {
      regionId: r.region.id,
      revision: r.lastRevision,
      enforcedEverywhere: hostStatus.every((h) => h.upToDate),
      hosts: hostStatus,
      ruleHits: Object.fromEntries(ruleHits),
    };
  });
  return { revision: scope.revision, regions: out };
}
