// The operator's pages: tenants (paged, each linking to its page) and regions. Both follow the
// change stream.
import type { Client } from '../api';
import { useChanges } from '../live/Live';
import { Link } from '../Link';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { PagedTable } from './PagedTable';
import { useCursors } from './Pager';
import { Failure, Loading } from './Status';

export function TenantsPage({ api }: { api: Client }) {
  const cursors = useCursors();
  const { cursor } = cursors;
  const changes = useChanges();
  const page = useLoad(() => api.tenants(cursor), [api, cursor], changes);
  return (
    <>
      <h1>Tenants</h1>
      <PagedTable
        load={page}
        noun="tenants"
        cursors={cursors}
        columns={[{ title: 'Id' }, { title: 'Name' }, { title: 'Description' }]}
        row={(t) => (
          <tr key={t.id}>
            <th scope="row">
              <Link href={hrefOf({ page: 'tenant', id: t.id })}>
                <code>{t.id}</code>
              </Link>
            </th>
            <td>{t.name}</td>
            <td>{t.description ?? ''}</td>
          </tr>
        )}
      />
    </>
  );
}

export function RegionsPage({ api }: { api: Client }) {
  const changes = useChanges();
  const regions = useLoad(() => api.regions(), [api], changes);
  return (
    <>
      <h1>Regions</h1>
      {regions.state === 'loading' && <Loading what="regions" />}
      {regions.state === 'failed' && <Failure error={regions.error} />}
      {regions.state === 'done' && (
        <table>
          <caption>{regions.data.items.length === 0 ? 'No regions' : 'Regions'}</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Profile</th>
            </tr>
          </thead>
          <tbody>
            {regions.data.items.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <code>{r.id}</code>
                </th>
                <td>{r.name ?? ''}</td>
                <td>{r.profile}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
