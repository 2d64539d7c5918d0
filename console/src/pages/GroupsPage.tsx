// Security groups: filter by name and region, page through the API's cursors.
import { type FormEvent, useState } from 'react';
import type { Client } from '../api';
import { Link } from '../Link';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { Pager, useCursors } from './Pager';
import { Failure, Loading } from './Status';

const PAGE_SIZE = 25;

interface Filter {
  name: string;
  regionId: string;
}

export function GroupsPage({ api }: { api: Client }) {
  const [draft, setDraft] = useState<Filter>({ name: '', regionId: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const cursors = useCursors();
  const { cursor } = cursors;
  const regions = useLoad(() => api.regions(), [api]);
  const page = useLoad(
    () =>
      api.groups({
        name: filter.name || undefined,
        regionId: filter.regionId || undefined,
        cursor,
        limit: PAGE_SIZE,
      }),
    [api, filter, cursor],
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft, name: draft.name.trim() });
    cursors.reset();
  };

  return (
    <>
      <h1>Security groups</h1>
      <form className="filters" role="search" onSubmit={search} aria-label="Filter security groups">
        <div>
          <label htmlFor="group-name">Name</label>
          <input
            id="group-name"
            type="search"
            value={draft.name}
            aria-describedby="group-name-hint"
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
          <small id="group-name-hint">The exact name; empty: every group.</small>
        </div>
        <div>
          <label htmlFor="group-region">Region</label>
          <select
            id="group-region"
            value={draft.regionId}
            onChange={(e) => setDraft({ ...draft, regionId: e.target.value })}
          >
            <option value="">All regions</option>
            {regions.state === 'done' &&
              regions.data.items.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name ? `${r.name} (${r.id})` : r.id} · {r.profile}
                </option>
              ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      {page.state === 'loading' && <Loading what="security groups" />}
      {page.state === 'failed' && <Failure error={page.error} />}
      {page.state === 'done' && (
        <>
          <table>
            <caption>
              {page.data.items.length === 0
                ? 'No security groups'
                : `Security groups, page ${cursors.pageNumber}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Region</th>
                <th scope="col">VPC</th>
                <th scope="col">Type</th>
                <th scope="col" className="number">
                  Members
                </th>
                <th scope="col" className="number">
                  Rules
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((g) => (
                <tr key={g.id}>
                  <th scope="row">
                    <Link href={hrefOf({ page: 'group', id: g.id })}>{g.name}</Link>
                  </th>
                  <td>
                    <code>{g.id}</code>
                  </td>
                  <td>{g.regionId}</td>
                  <td>{g.vpcId ?? 'classic'}</td>
                  <td>{g.type}</td>
                  <td className="number">{g.memberCount}</td>
                  <td className="number">{g.ruleCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager label="Pages of security groups" cursors={cursors} nextCursor={page.data.nextCursor} />
        </>
      )}
    </>
  );
}
