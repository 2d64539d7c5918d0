// Enforcement status (GET /v1/status): per region, the latest revision and whether every host
// carrying the caller's ports enforces it; each host's enforced revision and last report; the
// ports an agent had to close, and why; the rules' hit counts.
import type { Client } from '../api';
import { useChanges } from '../live/Live';
import { Link } from '../Link';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { VirtualTable } from '../VirtualTable';
import { useEvery } from './useEvery';
import './status.css';

/** GET /v1/status as the API answers it (responses.ts, EnforcementStatus). */
export interface EnforcementStatus {
  revision: number;
  regions: RegionStatus[];
}

export interface RegionStatus {
  regionId: string;
  /** The last revision that changed the region. */
  revision: number;
  enforcedEverywhere: boolean;
  hosts: HostStatus[];
  /** Rule id → packets matched, summed over the hosts. */
  ruleHits: Record<string, number>;
}

export interface HostStatus {
  host: string;
  /** The caller's ports on the host. */
  ports: number;
  /** null: the host never reported. */
  enforcedRevision: number | null;
  upToDate: boolean;
  reportedAt: string | null;
  closed: { portId: string; reason: string }[];
}

/**
 * How often the page reads again. A host agent's report is not a change of the desired state,
 * so the change stream does not carry it: only a new read shows that a host caught up.
 */
const POLL_MS = 10_000;

export function StatusPage({ api }: { api: Client }) {
  // A write makes hosts fall behind at once (the stream says so); reports arrive by polling.
  const changes = useChanges();
  const ticks = useEvery(POLL_MS);
  const status = useLoad(() => api.get<EnforcementStatus>('/v1/status'), [api], `${changes}:${ticks}`);
  return (
    <>
      <h1>Enforcement status</h1>
      <p className="muted">
        Whether each region&apos;s latest change is enforced by the agents of every host that carries your
        ports. Reports are read again every {POLL_MS / 1000} seconds while this tab is visible.
      </p>
      {status.state === 'loading' && <Loading what="the enforcement status" />}
      {status.state === 'failed' && <Failure error={status.error} />}
      {status.state === 'done' &&
        (status.data.regions.length === 0 ? (
          <p>No regions.</p>
        ) : (
          status.data.regions.map((r) => <Region key={r.regionId} region={r} />)
        ))}
    </>
  );
}

function Region({ region: r }: { region: RegionStatus }) {
  const id = `region-${r.regionId}`;
  const closed = r.hosts.flatMap((h) => h.closed.map((c) => ({ ...c, host: h.host })));
  const behind = r.hosts.filter((h) => !h.upToDate).length;
  const hits = Object.entries(r.ruleHits).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>Region {r.regionId}</h2>
      <dl className="facts">
        <dt>Latest revision</dt>
        <dd>{r.revision}</dd>
        <dt>Enforced</dt>
        <dd className={r.enforcedEverywhere ? 'state-ok' : 'state-behind'}>
          {r.hosts.length === 0
            ? 'no host carries your ports here'
            : r.enforcedEverywhere
              ? `on every host (${r.hosts.length})`
              : `not yet: ${behind} of ${r.hosts.length} hosts behind`}
        </dd>
      </dl>
      {r.hosts.length > 0 && (
        <VirtualTable
          className="status-table"
          caption={`Hosts of region ${r.regionId}`}
          columns={[
            { title: 'Host' },
            { title: 'Your ports', className: 'number' },
            { title: 'Enforced revision', className: 'number' },
            { title: 'State' },
            { title: 'Reported' },
          ]}
          rows={r.hosts}
          rowKey={(h) => h.host}
          cells={(h) => (
            <>
              <th scope="row">{h.host}</th>
              <td className="number">{h.ports}</td>
              <td className="number">{h.enforcedRevision ?? '—'}</td>
              <td className={h.upToDate ? 'state-ok' : 'state-behind'}>{hostState(h)}</td>
              <td>
                {h.reportedAt ? (
                  <time dateTime={h.reportedAt}>{new Date(h.reportedAt).toLocaleString()}</time>
                ) : (
                  'never'
                )}
              </td>
            </>
          )}
        />
      )}
      {closed.length > 0 ? (
        <VirtualTable
          className="status-table"
          caption={`Closed ports of region ${r.regionId}`}
          columns={[{ title: 'Port' }, { title: 'Host' }, { title: 'Why' }]}
          rows={closed}
          rowKey={(c) => `${c.host}/${c.portId}`}
          cells={(c) => (
            <>
              <th scope="row">
                <Link href={hrefOf({ page: 'port', id: c.portId })}>
                  <code>{c.portId}</code>
                </Link>
              </th>
              <td>{c.host}</td>
              <td>{c.reason}</td>
            </>
          )}
        />
      ) : (
        r.hosts.length > 0 && <p>No port is closed.</p>
      )}
      {hits.length > 0 && (
        <VirtualTable
          className="status-table"
          caption={`Rule hits in region ${r.regionId}, most first`}
          columns={[{ title: 'Rule' }, { title: 'Packets matched', className: 'number' }]}
          rows={hits}
          rowKey={([rule]) => rule}
          cells={([rule, n]) => (
            <>
              <th scope="row">
                <code>{rule}</code>
              </th>
              <td className="number">{n.toLocaleString()}</td>
            </>
          )}
        />
      )}
    </section>
  );
}

function hostState(h: HostStatus): string {
  if (h.enforcedRevision === null) return 'never reported';
  return h.upToDate ? 'up to date' : 'behind';
}
