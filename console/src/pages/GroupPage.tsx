// One group: its inbound and outbound rules, each table in the profile's evaluation order.
import type { Client, Rule } from '../api';
import { portsText, remoteOf } from '../format';
import { Link } from '../Link';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { Failure, Loading } from './Status';

export function GroupPage({ api, id }: { api: Client; id: string }) {
  const group = useLoad(() => api.group(id), [api, id]);
  if (group.state === 'loading') return <Loading what={`security group ${id}`} />;
  if (group.state === 'failed')
    return (
      <>
        <h1>Security group {id}</h1>
        <Failure error={group.error} />
        <p>
          <Link href={hrefOf({ page: 'groups' })}>Back to security groups</Link>
        </p>
      </>
    );
  const g = group.data;
  // The API answers both directions in evaluation order; each table keeps that order.
  const inbound = g.rules.filter((r) => r.direction === 'ingress');
  const outbound = g.rules.filter((r) => r.direction === 'egress');
  return (
    <>
      <p className="crumbs">
        <Link href={hrefOf({ page: 'groups' })}>Security groups</Link> / {g.name}
      </p>
      <h1>{g.name}</h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{g.id}</code>
        </dd>
        <dt>Region</dt>
        <dd>{g.regionId}</dd>
        <dt>VPC</dt>
        <dd>{g.vpcId ?? 'classic'}</dd>
        <dt>Type</dt>
        <dd>
          {g.type}, {g.stateful ? 'stateful' : 'stateless'}
        </dd>
        <dt>Members</dt>
        <dd>{g.memberCount}</dd>
        {g.description && (
          <>
            <dt>Description</dt>
            <dd>{g.description}</dd>
          </>
        )}
      </dl>
      <RuleTable title="Inbound rules" id="inbound" rules={inbound} remoteLabel="Source" />
      <RuleTable title="Outbound rules" id="outbound" rules={outbound} remoteLabel="Destination" />
    </>
  );
}

function RuleTable({
  title,
  id,
  rules,
  remoteLabel,
}: {
  title: string;
  id: string;
  rules: Rule[];
  remoteLabel: string;
}) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        {title} <span className="count">({rules.length})</span>
      </h2>
      {rules.length === 0 ? (
        <p>No {title.toLowerCase()}.</p>
      ) : (
        <table className="rules">
          <caption>{title} in the evaluation order of the region's profile</caption>
          <thead>
            <tr>
              <th scope="col" className="number">
                Position
              </th>
              <th scope="col" className="number">
                Priority
              </th>
              <th scope="col">Action</th>
              <th scope="col">Protocol</th>
              <th scope="col">Ports</th>
              <th scope="col">{remoteLabel}</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const remote = remoteOf(r);
              return (
                <tr key={r.id} id={`rule-${r.id}`}>
                  <td className="number">{r.position}</td>
                  <td className="number">{r.priority}</td>
                  <td>
                    <span className={`action ${r.action}`}>{r.action}</span>
                  </td>
                  <td>
                    {r.protocol} <span className="muted">{r.ethertype}</span>
                  </td>
                  <td>{portsText(r)}</td>
                  <td>
                    {remote.kind === 'group' ? (
                      <Link href={hrefOf({ page: 'group', id: remote.text })}>group {remote.text}</Link>
                    ) : remote.kind === 'addressGroup' ? (
                      `address group ${remote.text}`
                    ) : (
                      remote.text
                    )}
                  </td>
                  <td>{r.description ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
