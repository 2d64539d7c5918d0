// What the host agents report about a port: whether its host enforces the region's latest
// revision, when it last reported, and whether the agent had to close the port.
import { type Enforcement } from './model';

export function EnforcementText({ enforcement }: { enforcement: Enforcement }) {
  switch (enforcement.kind) {
    case 'no-host':
      return <span className="muted">No host: the port is not placed</span>;
    case 'not-reported':
      return (
        <span className="status-warn">
          Not reported: host <code>{enforcement.host}</code> has sent no status
        </span>
      );
    case 'reported': {
      const { status, region, closed } = enforcement;
      const when = status.reportedAt ? new Date(status.reportedAt).toLocaleString() : '';
      return (
        <>
          {status.upToDate ? (
            <span className="status-ok">
              Up to date: revision {status.enforcedRevision} of {region.revision}
            </span>
          ) : (
            <span className="status-warn">
              Behind: enforces revision {status.enforcedRevision}, the region is at {region.revision}
            </span>
          )}
          <small> (reported {when})</small>
          {closed !== undefined && (
            <>
              <br />
              <span className="status-bad">Closed by the agent: {closed}</span>
            </>
          )}
        </>
      );
    }
  }
}
