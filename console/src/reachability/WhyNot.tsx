// Why a pair is blocked: GET /v1/regions/{id}/reachability/why-not for one packet between two of
// the caller's ports: each side's verdict and reason, and the verified narrowest rule changes
// that would let it through, each of which can be made from here (confirmed first).
import { type FormEvent, useEffect, useState } from 'react';
import { type Client, query, seg } from '../api';
import { Confirm } from '../analysis/Confirm';
import type { PortChoice } from '../analysis/ports';
import { Link } from '../Link';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';

interface Suggestion {
  kind: 'addRule' | 'removeRule';
  groupId: string;
  rule?: Record<string, unknown>;
  ruleId?: string;
  text: string;
}

interface WhyNotSide {
  direction: 'ingress' | 'egress';
  portId: string | null;
  verdict: 'allow' | 'deny';
  reason: { kind: string; ruleId?: string; groupId?: string; priority?: number; detail?: string };
  suggestions: Suggestion[];
}

interface WhyNotAnswer {
  verdict: 'allow' | 'deny';
  egress: WhyNotSide;
  ingress: WhyNotSide;
  reachableAfterSuggestions: boolean | null;
  network: { crossesVpcs: boolean; note?: string };
}

const REASON = new Map([
  ['outside', 'no Palisade port owns the address: this side lets it through'],
  ['unsecured', 'port security is off: this side lets it through'],
  ['allowedByRule', 'allowed by a rule'],
  ['allowedByInnerAccess', 'allowed by same-group access'],
  ['allowedByDefault', 'allowed by the default verdict'],
  ['noAllowMatched', 'no allow rule matched, and the default denies'],
  ['denyRule', 'a deny rule decided first'],
  ['closed', 'the port fails closed (no group, or a missing group)'],
  ['hidden', "another tenant's port: only its verdict is shown"],
]);

export interface Pair {
  from: string;
  to: string;
}

interface Asked extends Pair {
  protocol: string;
  port: string;
}

const PORTED = ['tcp', 'udp', 'sctp'];

export function WhyNot({
  api,
  regionId,
  ports,
  pair,
  refresh,
}: {
  api: Client;
  regionId: string;
  ports: readonly PortChoice[];
  /** The pair chosen on the picture (ports), if any. */
  pair: Pair | null;
  refresh: unknown;
}) {
  const [draft, setDraft] = useState<Asked>({ from: '', to: '', protocol: 'tcp', port: '22' });
  const [asked, setAsked] = useState<Asked | null>(null);
  useEffect(() => {
    if (!pair) return;
    setDraft((d) => ({ ...d, ...pair }));
    setAsked(null);
  }, [pair?.from, pair?.to]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked({ ...draft });
  };
  const label = new Map(ports.map((p) => [p.id, p.label]));
  return (
    <section aria-labelledby="why-not-title">
      <h2 id="why-not-title">Why not?</h2>
      <p className="muted">
        A blocked pair: choose two nodes without an edge on the picture, or two ports here, and a packet.
      </p>
      <form className="why-not-form" onSubmit={submit} aria-label="Blocked pair">
        {(['from', 'to'] as const).map((end) => (
          <div className="field" key={end}>
            <label htmlFor={`why-${end}`}>{end === 'from' ? 'From port' : 'To port'}</label>
            <select
              id={`why-${end}`}
              value={draft[end]}
              required
              onChange={(e) => setDraft({ ...draft, [end]: e.target.value })}
            >
              <option value="">choose a port</option>
              {ports.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label} · {p.id}
                </option>
              ))}
            </select>
          </div>
        ))}
        <div className="field">
          <label htmlFor="why-protocol">Protocol</label>
          <select
            id="why-protocol"
            value={draft.protocol}
            onChange={(e) => setDraft({ ...draft, protocol: e.target.value })}
          >
            {['tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'gre'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
        {PORTED.includes(draft.protocol) && (
          <div className="field">
            <label htmlFor="why-port">Destination port</label>
            <input
              id="why-port"
              inputMode="numeric"
              required
              value={draft.port}
              onChange={(e) => setDraft({ ...draft, port: e.target.value })}
            />
          </div>
        )}
        <button type="submit">Why not?</button>
      </form>
      {asked && <Answer api={api} regionId={regionId} asked={asked} label={label} refresh={refresh} />}
    </section>
  );
}

function Answer({
  api,
  regionId,
  asked,
  label,
  refresh,
}: {
  api: Client;
  regionId: string;
  asked: Asked;
  label: ReadonlyMap<string, string>;
  refresh: unknown;
}) {
  const answer = useLoad(
    () =>
      api.get<WhyNotAnswer>(
        `/v1/regions/${seg(regionId)}/reachability/why-not${query({
          from: asked.from,
          to: asked.to,
          protocol: asked.protocol,
          port: PORTED.includes(asked.protocol) ? asked.port : undefined,
        })}`,
      ),
    [api, regionId, asked],
    refresh,
  );
  if (answer.state === 'loading') return <Loading what="why not" />;
  if (answer.state === 'failed') return <Failure error={answer.error} />;
  const a = answer.data;
  const packet = `${asked.protocol}${PORTED.includes(asked.protocol) ? ` ${asked.port}` : ''}`;
  return (
    <div className="why-not">
      <p className="verdict" role="status">
        {label.get(asked.from) ?? asked.from} to {label.get(asked.to) ?? asked.to}, {packet}:{' '}
        <span className={`action ${a.verdict}`}>{a.verdict === 'allow' ? 'delivered' : 'blocked'}</span>
      </p>
      <SideReason api={api} title="Leaving the source (egress)" side={a.egress} reload={answer.reload} />
      <SideReason
        api={api}
        title="Reaching the destination (ingress)"
        side={a.ingress}
        reload={answer.reload}
      />
      {a.reachableAfterSuggestions !== null && (
        <p>
          {a.reachableAfterSuggestions
            ? 'The first suggestion of each denying side, together, deliver the packet.'
            : 'The first suggestions together do not deliver the packet.'}
        </p>
      )}
      {a.network.crossesVpcs && (
        <p className="muted">{a.network.note ?? 'The ports are in different networks.'}</p>
      )}
    </div>
  );
}

function SideReason({
  api,
  title,
  side,
  reload,
}: {
  api: Client;
  title: string;
  side: WhyNotSide;
  reload: () => void;
}) {
  const [applying, setApplying] = useState<Suggestion | null>(null);
  const r = side.reason;
  return (
    <section aria-label={title} className="why-side">
      <h3>
        {title}: <span className={`action ${side.verdict}`}>{side.verdict}</span>
      </h3>
      <p data-testid={`why-${side.direction}`}>
        {REASON.get(r.kind) ?? r.kind}
        {r.ruleId && r.groupId && (
          <>
            {': '}
            <Link href={`${hrefOf({ page: 'group', id: r.groupId })}#rule-${r.ruleId}`}>
              rule {r.ruleId}
            </Link>{' '}
            of group {r.groupId}
          </>
        )}
        {r.priority !== undefined && ` at priority ${r.priority}`}
        {r.detail && ` (${r.detail})`}.
      </p>
      {side.suggestions.length > 0 && (
        <ol aria-label={`Changes that would let it through, ${title.toLowerCase()}`}>
          {side.suggestions.map((s, i) => (
            <li key={i} className="suggestion">
              {s.text}{' '}
              <button type="button" className="secondary" onClick={() => setApplying(s)}>
                {s.kind === 'addRule' ? 'Add this rule' : 'Delete this rule'}
              </button>
            </li>
          ))}
        </ol>
      )}
      {applying && (
        <Confirm
          title={applying.kind === 'addRule' ? 'Add the rule?' : 'Delete the rule?'}
          confirmLabel={applying.kind === 'addRule' ? 'Add the rule' : 'Delete the rule'}
          onClose={() => setApplying(null)}
          onConfirm={async () => {
            const path = `/v1/security-groups/${seg(applying.groupId)}/rules`;
            if (applying.kind === 'addRule') await api.post(path, applying.rule);
            else if (applying.ruleId) await api.delete(`${path}/${seg(applying.ruleId)}`);
            reload();
          }}
        >
          <p>
            {applying.text} (group <code>{applying.groupId}</code>).
          </p>
        </Confirm>
      )}
    </section>
  );
}
