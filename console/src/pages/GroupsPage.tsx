// Security groups: filter by name, region, VPC and type, page through the API's cursors; the
// tenant's group quota per region above the list, each group's rules against its quota, and the
// form that creates a group. Follows the change stream: a group made elsewhere appears.
import { type FormEvent, useState } from 'react';
import type { Client, Group, Region } from '../api';
import { CreateGroup } from '../groups/CreateGroup';
import { vpcsOf } from '../groups/groups-api';
import { useChanges } from '../live/Live';
import { Link } from '../Link';
import { QuotaMeter } from '../quotas/QuotaMeter';
import { quotaOf, type QuotaUsage, readQuotas } from '../quotas/quotas';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { PagedTable } from './PagedTable';
import { useCursors } from './Pager';

const PAGE_SIZE = 25;

interface Filter {
  name: string;
  regionId: string;
  vpcId: string;
  type: '' | 'basic' | 'advanced';
}

const NO_FILTER: Filter = { name: '', regionId: '', vpcId: '', type: '' };

export function GroupsPage({ api }: { api: Client }) {
  const [draft, setDraft] = useState<Filter>(NO_FILTER);
  const [filter, setFilter] = useState<Filter>(draft);
  const [creating, setCreating] = useState(false);
  const cursors = useCursors();
  const { cursor } = cursors;
  const changes = useChanges();
  const operator = api.session.role === 'admin';
  const regions = useLoad(() => api.regions(), [api], changes);
  // The VPCs the filter offers: the chosen region's, else every region's.
  const vpcs = useLoad(() => vpcsOf(api, draft.regionId), [api, draft.regionId], changes);
  const page = useLoad(
    () =>
      api.groups({
        name: filter.name || undefined,
        regionId: filter.regionId || undefined,
        vpcId: filter.vpcId || undefined,
        type: filter.type || undefined,
        cursor,
        limit: PAGE_SIZE,
      }),
    [api, filter, cursor],
    changes,
  );
  // The quotas binding each tenant on the page (a tenant key: its own, in one read).
  const tenantIds = page.state === 'done' ? [...new Set(page.data.items.map((g) => g.tenantId))] : [];
  const quotas = useLoad(
    () =>
      operator
        ? Promise.all(tenantIds.map((tenantId) => readQuotas(api, { tenantId })))
        : readQuotas(api).then((q) => [q]),
    [api, operator, tenantIds.join(' ')],
    changes,
  );
  const usageOf = (tenantId: string): QuotaUsage | undefined =>
    quotas.state === 'done' ? quotas.data.find((q) => q.tenantId === tenantId) : undefined;

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft, name: draft.name.trim() });
    cursors.reset();
  };

  const regionList: Region[] = regions.state === 'done' ? regions.data.items : [];
  return (
    <>
      <h1>Security groups</h1>
      {!operator && quotas.state === 'done' && quotas.data[0] && (
        <TenantQuotas usage={quotas.data[0]} regionId={filter.regionId} />
      )}
      {operator && (
        <p className="muted">
          Quotas bind each tenant: open one from the{' '}
          <Link href={hrefOf({ page: 'tenants' })}>tenant list</Link> to see and edit its quotas.
        </p>
      )}
      <p>
        <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          {creating ? 'Close the new group form' : 'Create security group'}
        </button>
      </p>
      {creating && <CreateGroup api={api} regions={regionList} />}
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
            // Another region's VPC would match nothing: the VPC choice starts over.
            onChange={(e) => setDraft({ ...draft, regionId: e.target.value, vpcId: '' })}
          >
            <option value="">All regions</option>
            {regionList.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name ? `${r.name} (${r.id})` : r.id} · {r.profile}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="group-vpc">VPC</label>
          <select
            id="group-vpc"
            value={draft.vpcId}
            onChange={(e) => setDraft({ ...draft, vpcId: e.target.value })}
          >
            <option value="">All VPCs</option>
            {vpcs.state === 'done' &&
              vpcs.data.items.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} ({v.id}){draft.regionId ? '' : ` · ${v.regionId}`}
                </option>
              ))}
          </select>
        </div>
        <div>
          <label htmlFor="group-type">Type</label>
          <select
            id="group-type"
            value={draft.type}
            aria-describedby="group-type-hint"
            onChange={(e) => setDraft({ ...draft, type: e.target.value as Filter['type'] })}
          >
            <option value="">All types</option>
            <option value="basic">basic</option>
            <option value="advanced">advanced</option>
          </select>
          <small id="group-type-hint">Advanced groups exist on Alibaba regions.</small>
        </div>
        <button type="submit">Search</button>
      </form>
      <PagedTable
        load={page}
        noun="security groups"
        cursors={cursors}
        columns={[
          { title: 'Name' },
          { title: 'Id' },
          { title: 'Region' },
          { title: 'VPC' },
          { title: 'Type' },
          { title: 'Members', className: 'number' },
          { title: 'Rules', className: 'number' },
          { title: 'Rule quota' },
        ]}
        row={(g) => <GroupRow key={g.id} group={g} usage={usageOf(g.tenantId)} />}
      />
    </>
  );
}

function GroupRow({ group: g, usage }: { group: Group; usage: QuotaUsage | undefined }) {
  const limit = quotaOf(
    usage?.items.find((i) => i.regionId === g.regionId),
    'rulesPerGroup',
  )?.limit;
  return (
    <tr>
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
      <td>
        {limit === undefined ? (
          ''
        ) : (
          <QuotaMeter
            id={`rules-quota-${g.id}`}
            label={`Rules of ${g.name}`}
            used={g.ruleCount}
            limit={limit}
          />
        )}
      </td>
    </tr>
  );
}

/** The tenant's groups against its group quota, per region (the filtered region's alone). */
function TenantQuotas({ usage, regionId }: { usage: QuotaUsage; regionId: string }) {
  const shown = usage.items.filter((r) => !regionId || r.regionId === regionId);
  return (
    <section aria-labelledby="tenant-quotas">
      <h2 id="tenant-quotas">Group quotas</h2>
      <ul className="quota-list">
        {shown.map((r) => {
          const groups = quotaOf(r, 'groupsPerTenant');
          return (
            groups && (
              <li key={r.regionId}>
                <QuotaMeter
                  id={`groups-quota-${r.regionId}`}
                  label={`Groups in ${r.regionId}`}
                  used={groups.used ?? 0}
                  limit={groups.limit}
                />
              </li>
            )
          );
        })}
      </ul>
    </section>
  );
}
