// A region's ports across its instances, windowed (VirtualTable) and read page by page: what a
// region of 10,000 ports needs instead of one instance at a time.
import { Link } from '../Link';
import { hrefOf } from '../router';
import { VirtualTable } from '../VirtualTable';
import { Failure } from '../pages/Status';
import { addressesOf } from './model';
import type { PortList } from './usePortList';

export function PortsTable({
  list,
  caption,
  groupNames,
}: {
  list: PortList;
  caption: string;
  groupNames?: ReadonlyMap<string, string>;
}) {
  const columns = [
    { title: 'Port' },
    { title: 'Instance' },
    { title: 'Addresses' },
    { title: 'Host / interface' },
    { title: 'Groups, in order' },
  ];
  const shown = list.items.length;
  return (
    <>
      <VirtualTable
        caption={
          shown === 0 && !list.loading
            ? `${caption}: none`
            : `${caption}: ${shown} shown${list.nextCursor ? ', more on the server' : ''}`
        }
        className="ports"
        columns={columns}
        rows={list.items}
        rowKey={(p) => p.id}
        cells={(p) => (
          <>
            <th scope="row">
              <Link href={hrefOf({ page: 'port', id: p.id })}>{p.name || p.id}</Link>
            </th>
            <td>
              <Link href={hrefOf({ page: 'instance', id: p.instanceId })}>{p.instanceId}</Link>
            </td>
            <td>{addressesOf(p) || <span className="muted">none</span>}</td>
            <td>{hostText(p)}</td>
            <td>{p.groupIds.map((id) => groupNames?.get(id) ?? id).join(', ') || 'none'}</td>
          </>
        )}
      />
      {list.error && <Failure error={list.error} />}
      <p className="pager">
        {list.nextCursor && (
          <button type="button" onClick={list.more} disabled={list.loading}>
            Load the next ports
          </button>
        )}
        {list.loading && (
          <span role="status" className="loading">
            Loading ports…
          </span>
        )}
      </p>
    </>
  );
}

export const hostText = (p: { host?: string; interface?: string }) =>
  p.host ? `${p.host}${p.interface ? ` / ${p.interface}` : ''}` : 'not placed';
