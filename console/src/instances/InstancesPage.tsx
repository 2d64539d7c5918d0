// Instances and their ports in a region: the caller's instances (paged), and every port across
// them in one windowed table read page by page through the API's cursors. Follows the change
// stream, so an instance created elsewhere appears.
import { useState } from 'react';
import type { Client } from '../api';
import { Link } from '../Link';
import { inRegion, useChanges } from '../live/Live';
import { PagedTable } from '../pages/PagedTable';
import { useCursors } from '../pages/Pager';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { namesOf, regionGroups } from './groups';
import { addressesOf, instancesOf } from './model';
import { PortsTable } from './PortsTable';
import { usePortList } from './usePortList';

const PAGE_SIZE = 25;

export function InstancesPage({ api }: { api: Client }) {
  const [regionId, setRegionId] = useState('');
  const [host, setHost] = useState('');
  const [applied, setApplied] = useState({ regionId: '', host: '' });
  const cursors = useCursors();
  const { cursor } = cursors;
  const changes = useChanges(applied.regionId ? inRegion(applied.regionId) : undefined);
  const regions = useLoad(() => api.regions(), [api]);
  const instances = useLoad(
    () =>
      instancesOf(api, {
        regionId: applied.regionId || undefined,
        ...(applied.host ? { host: applied.host } : {}),
        cursor,
        limit: PAGE_SIZE,
      }),
    [api, applied, cursor],
    changes,
  );
  // Group names for the ports table, when one region is shown (its groups are one read).
  const groups = useLoad(
    () => (applied.regionId ? regionGroups(api, applied.regionId) : Promise.resolve([])),
    [api, applied.regionId],
    changes,
  );
  const ports = usePortList(
    api,
    { regionId: applied.regionId || undefined, host: applied.host || undefined },
    changes,
  );

  return (
    <>
      <h1>Instances and ports</h1>
      <form
        className="filters"
        role="search"
        aria-label="Filter instances and ports"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ regionId, host: host.trim() });
          cursors.reset();
        }}
      >
        <div>
          <label htmlFor="instances-region">Region</label>
          <select id="instances-region" value={regionId} onChange={(e) => setRegionId(e.target.value)}>
            <option value="">All regions</option>
            {regions.state === 'done' &&
              regions.data.items.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name ? `${r.name} (${r.id})` : r.id} · {r.profile}
                </option>
              ))}
          </select>
        </div>
        <div>
          <label htmlFor="instances-host">Host</label>
          <input id="instances-host" type="search" value={host} onChange={(e) => setHost(e.target.value)} />
        </div>
        <button type="submit">Show</button>
      </form>
      <h2>Instances</h2>
      <PagedTable
        load={instances}
        noun="instances"
        cursors={cursors}
        columns={[
          { title: 'Name' },
          { title: 'Id' },
          { title: 'Region' },
          { title: 'VPC' },
          { title: 'Ports', className: 'number' },
          { title: 'Addresses' },
        ]}
        row={(i) => (
          <tr key={i.id}>
            <th scope="row">
              <Link href={hrefOf({ page: 'instance', id: i.id })}>{i.name || i.id}</Link>
            </th>
            <td>
              <code>{i.id}</code>
            </td>
            <td>{i.regionId}</td>
            <td>{i.vpcId ?? 'classic'}</td>
            <td className="number">{i.ports.length}</td>
            <td>{i.ports.map(addressesOf).filter(Boolean).join('; ')}</td>
          </tr>
        )}
      />
      <h2>Ports</h2>
      <PortsTable
        list={ports}
        caption="Ports"
        groupNames={groups.state === 'done' ? namesOf(groups.data) : undefined}
      />
    </>
  );
}
