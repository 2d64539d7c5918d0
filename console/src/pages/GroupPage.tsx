// One group: its inbound and outbound rules, each table in the profile's evaluation order.
import type { Client } from '../api';
import { touchesGroup, useChanges } from '../live/Live';
import { GroupMembers } from '../members/GroupMembers';
import { RuleTable } from '../rules/RuleTable';
import { Link } from '../Link';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { Failure, Loading } from './Status';

export function GroupPage({ api, id }: { api: Client; id: string }) {
  const changes = useChanges(touchesGroup(id));
  const group = useLoad(() => api.group(id), [api, id], changes);
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
      {/* group actions: rename, clone, delete */}
      <RuleTable title="Inbound rules" id="inbound" rules={inbound} direction="ingress" />
      <RuleTable title="Outbound rules" id="outbound" rules={outbound} direction="egress" />
      <GroupMembers api={api} group={g} reload={group.reload} />
      {/* references: the groups whose rules name this one */}
      {/* findings: shadowed, redundant, unused, exposure */}
    </>
  );
}
