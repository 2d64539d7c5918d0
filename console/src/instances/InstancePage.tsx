// One instance: its facts and its ports with their addresses, host and interface, groups in
// membership order, and what the host agents report about enforcing them.
import type { Client } from '../api';
import { Link } from '../Link';
import { useChanges } from '../live/Live';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { EnforcementText } from './Enforcement';
import { GroupLinks } from './GroupLinks';
import { namesOf, regionGroups } from './groups';
import { enforcementOf, instanceOf, regionStatus } from './model';
import { hostText } from './PortsTable';

export function InstancePage({ api, id }: { api: Client; id: string }) {
  const changes = useChanges();
  const instance = useLoad(
    async () => {
      const inst = await instanceOf(api, id);
      const [groups, status] = await Promise.all([
        regionGroups(api, inst.regionId),
        regionStatus(api, inst.regionId),
      ]);
      return { inst, names: namesOf(groups), status };
    },
    [api, id],
    changes,
  );
  if (instance.state === 'loading') return <Loading what={`instance ${id}`} />;
  if (instance.state === 'failed')
    return (
      <>
        <h1>Instance {id}</h1>
        <Failure error={instance.error} />
        <p>
          <Link href={hrefOf({ page: 'instances' })}>Back to instances</Link>
        </p>
      </>
    );
  const { inst, names, status } = instance.data;
  return (
    <>
      <p className="crumbs">
        <Link href={hrefOf({ page: 'instances' })}>Instances</Link> / {inst.name || inst.id}
      </p>
      <h1>{inst.name || inst.id}</h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{inst.id}</code>
        </dd>
        <dt>Region</dt>
        <dd>{inst.regionId}</dd>
        <dt>VPC</dt>
        <dd>{inst.vpcId ?? 'classic'}</dd>
        <dt>Tenant</dt>
        <dd>{inst.tenantId}</dd>
      </dl>
      <table>
        <caption>Ports of {inst.name || inst.id}</caption>
        <thead>
          <tr>
            <th scope="col">Port</th>
            <th scope="col">IPv4</th>
            <th scope="col">IPv6</th>
            <th scope="col">Host / interface</th>
            <th scope="col">Groups, in order</th>
            <th scope="col">Enforcement</th>
          </tr>
        </thead>
        <tbody>
          {inst.ports.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link href={hrefOf({ page: 'port', id: p.id })}>{p.name || p.id}</Link>
              </th>
              <td>{[...p.ipv4, ...(p.publicIpv4 ? [`${p.publicIpv4} (public)`] : [])].join(', ') || '—'}</td>
              <td>{p.ipv6.join(', ') || '—'}</td>
              <td>{hostText(p)}</td>
              <td>
                <GroupLinks ids={p.groupIds} names={names} />
              </td>
              <td>
                <EnforcementText enforcement={enforcementOf(p, status)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
