// One group: its facts, its rules (rules/GroupRules: tables, editing, preview) and its sections.
import type { Client } from '../api';
import { GroupFindings } from '../findings/GroupFindings';
import { GroupActions } from '../groups/GroupActions';
import { touchesGroup, useChanges } from '../live/Live';
import { GroupRules } from '../rules/GroupRules';
import { References } from '../rules/References';
import { GroupMembers } from '../members/GroupMembers';
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
      <GroupActions api={api} group={g} reload={group.reload} />
      <GroupRules api={api} group={g} reload={group.reload} />
      <GroupMembers api={api} group={g} reload={group.reload} />
      <References api={api} group={g} reload={group.reload} />
      <GroupFindings api={api} group={g} reload={group.reload} />
    </>
  );
}
