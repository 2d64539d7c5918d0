// One port: its facts, what the host agents report about it, and its groups in order (join,
// leave, reorder where the order decides). Follows the change stream: a port joining a group
// through another API shows here.
import { useState } from 'react';
import type { Client } from '../api';
import { Link } from '../Link';
import { inRegion, useChanges } from '../live/Live';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { EnforcementText } from './Enforcement';
import { namesOf, regionGroups } from './groups';
import { Memberships } from './Memberships';
import { enforcementOf, type Port, portOf, regionOf, regionStatus } from './model';

export function PortPage({ api, id }: { api: Client; id: string }) {
  const [regionId, setRegionId] = useState<string | null>(null);
  const changes = useChanges(regionId ? inRegion(regionId) : undefined);
  const [saved, setSaved] = useState<Port | null>(null);
  const read = useLoad(
    async () => {
      const port = await portOf(api, id);
      const [region, groups, status] = await Promise.all([
        regionOf(api, port.regionId),
        regionGroups(api, port.regionId),
        regionStatus(api, port.regionId),
      ]);
      setRegionId(port.regionId);
      setSaved(null);
      return { port, region, groups, status };
    },
    [api, id],
    changes,
  );
  if (read.state === 'loading') return <Loading what={`port ${id}`} />;
  if (read.state === 'failed')
    return (
      <>
        <h1>Port {id}</h1>
        <Failure error={read.error} />
        <p>
          <Link href={hrefOf({ page: 'instances' })}>Back to instances</Link>
        </p>
      </>
    );
  const { region, groups, status } = read.data;
  // A save's answer is newer than the last read until the change stream brings the next one.
  const port = saved && saved.revision >= read.data.port.revision ? saved : read.data.port;
  const names = namesOf(groups);
  const title = port.name || port.id;
  return (
    <>
      <p className="crumbs">
        <Link href={hrefOf({ page: 'instances' })}>Instances</Link> /{' '}
        <Link href={hrefOf({ page: 'instance', id: port.instanceId })}>{port.instanceId}</Link> / {title}
      </p>
      <h1>Port {title}</h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{port.id}</code>
        </dd>
        <dt>Instance</dt>
        <dd>
          <Link href={hrefOf({ page: 'instance', id: port.instanceId })}>{port.instanceId}</Link>
        </dd>
        <dt>Region</dt>
        <dd>
          {region.id} · {region.profile}
        </dd>
        <dt>IPv4</dt>
        <dd>{port.ipv4.join(', ') || '—'}</dd>
        <dt>IPv6</dt>
        <dd>{port.ipv6.join(', ') || '—'}</dd>
        {port.publicIpv4 && (
          <>
            <dt>Public IPv4</dt>
            <dd>{port.publicIpv4}</dd>
          </>
        )}
        {port.virtualIps.length > 0 && (
          <>
            <dt>Virtual IPs</dt>
            <dd>{port.virtualIps.join(', ')}</dd>
          </>
        )}
        <dt>Host</dt>
        <dd>{port.host ?? 'not placed'}</dd>
        <dt>Interface</dt>
        <dd>{port.interface ?? '—'}</dd>
        <dt>NIC type</dt>
        <dd>{port.nicType}</dd>
        {port.macAddress && (
          <>
            <dt>MAC address</dt>
            <dd>{port.macAddress}</dd>
          </>
        )}
        <dt>Port security</dt>
        <dd>{port.securityEnabled === false ? 'off: no groups, all traffic passes' : 'on'}</dd>
        <dt>Enforcement</dt>
        <dd>
          <EnforcementText enforcement={enforcementOf(port, status)} />
        </dd>
      </dl>
      {port.securityEnabled !== false && (
        <Memberships
          api={api}
          port={port}
          ordered={region.traits.groupOrderMatters}
          groups={groups}
          names={names}
          onSaved={setSaved}
        />
      )}
    </>
  );
}
