// One side of a checked flow (the egress of the source, the ingress of the destination): the
// verdict and what decided it in words, then each of the port's groups' rule tables of that
// direction with the deciding rule marked "deciding" (and scrolled to) and the other matches
// "matched".
import type { Client, GroupWithRules } from '../api';
import { seg } from '../api';
import { Link } from '../Link';
import { Failure, Loading } from '../pages/Status';
import { type Mark, RuleTable } from '../rules/RuleTable';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import type { DecidedBy, FlowSide } from './flow';

const SIDE_TITLE = { egress: 'Leaving the source (egress)', ingress: 'Reaching the destination (ingress)' };

export function Side({
  api,
  direction,
  side,
  endpoint,
  refresh,
}: {
  api: Client;
  direction: 'egress' | 'ingress';
  side: FlowSide;
  /** The endpoint as the form named it (a port id or an address). */
  endpoint: string;
  refresh: number;
}) {
  const explanation = side.explanation;
  const verdict = explanation?.verdict ?? side.verdict;
  return (
    <section aria-labelledby={`${direction}-side-title`} className="flow-side">
      <h2 id={`${direction}-side-title`}>
        {SIDE_TITLE[direction]}:{' '}
        {verdict ? <span className={`action ${verdict}`}>{verdict}</span> : 'not checked'}
      </h2>
      {explanation ? (
        <>
          <p className="summary" data-testid={`${direction}-summary`}>
            Port{' '}
            <Link href={hrefOf({ page: 'port', id: explanation.portId })}>
              <code>{explanation.portId}</code>
            </Link>
            : {decisionText(explanation.decidedBy)}
          </p>
          <GroupTables
            api={api}
            portId={explanation.portId}
            direction={direction}
            decidedBy={explanation.decidedBy}
            matched={explanation.matched.map((m) => m.ruleId)}
            refresh={refresh}
          />
        </>
      ) : side.verdict ? (
        <p className="summary">Another tenant's port: its verdict is shown, its rules are not.</p>
      ) : (
        <p className="summary">
          <code>{endpoint}</code> is no Palisade port: nothing in Palisade decides this side, it lets the
          packet through.
        </p>
      )}
    </section>
  );
}

export function decisionText(decidedBy: DecidedBy): string {
  switch (decidedBy.kind) {
    case 'rule':
      return `decided by rule ${decidedBy.ruleId} of group ${decidedBy.groupName} at position ${decidedBy.position + 1} of the port's evaluation order (${decidedBy.action}, priority ${decidedBy.priority}).`;
    case 'innerAccess':
      return `decided by group ${decidedBy.groupName}'s same-group access (${decidedBy.policy}).`;
    case 'default':
      return `no rule decided: the default, ${decidedBy.reason}.`;
  }
}

interface PortGroups {
  groupIds: string[];
}

function GroupTables({
  api,
  portId,
  direction,
  decidedBy,
  matched,
  refresh,
}: {
  api: Client;
  portId: string;
  direction: 'egress' | 'ingress';
  decidedBy: DecidedBy;
  matched: string[];
  refresh: number;
}) {
  // The port's groups in its order (the Huawei sequence), each with its rules.
  const groups = useLoad(
    async () => {
      const port = await api.get<PortGroups>(`/v1/ports/${seg(portId)}`);
      return Promise.all(port.groupIds.map((id) => api.group(id)));
    },
    [api, portId],
    refresh,
  );
  if (groups.state === 'loading') return <Loading what={`the groups of port ${portId}`} />;
  if (groups.state === 'failed') return <Failure error={groups.error} />;
  const deciding = decidedBy.kind === 'rule' ? decidedBy.ruleId : undefined;
  const marks = new Map<string, Mark>(matched.map((id) => [id, 'matched']));
  if (deciding) marks.set(deciding, 'deciding');
  if (groups.data.length === 0) return <p>The port is in no group: it fails closed.</p>;
  return (
    <>
      {groups.data.map((g: GroupWithRules, i) => {
        const rules = g.rules.filter((r) => r.direction === direction);
        const holdsDecider = deciding !== undefined && rules.some((r) => r.id === deciding);
        return (
          <RuleTable
            key={g.id}
            id={`${direction}-${i}`}
            title={`${direction === 'egress' ? 'Outbound' : 'Inbound'} rules of ${g.name}`}
            rules={rules}
            direction={direction}
            marks={marks}
            scrollTo={holdsDecider ? deciding : undefined}
          >
            <p className="muted">
              Group <Link href={hrefOf({ page: 'group', id: g.id })}>{g.name}</Link>, place {i + 1} of the
              port's groups.
            </p>
          </RuleTable>
        );
      })}
    </>
  );
}
