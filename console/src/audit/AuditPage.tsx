// The audit log (GET /v1/audit): who changed what and when, newest first, each write's target
// linked to its page and its before/after shown as a difference. Filters live in the query
// string (a filtered log is a link: a group's history is /console/audit?groupId=sg-...), pages
// follow the API's cursors, and the first page follows the change stream.
import { type FormEvent, useState } from 'react';
import { type Client, type Page, query } from '../api';
import { useChanges } from '../live/Live';
import { Link } from '../Link';
import { Pager, useCursors } from '../pages/Pager';
import { Failure, Loading } from '../pages/Status';
import { hrefOf, navigate, useQuery, withQuery } from '../router';
import { useLoad } from '../useLoad';
import { Difference } from './Difference';
import { targetOf } from './target';
import './audit.css';

/** One write as GET /v1/audit answers it. */
export interface AuditEntry {
  revision: number;
  at: string;
  /** The access key id (openstack:<user id> for Keystone users). */
  actor: string;
  action: string;
  regionId: string | null;
  tenantId: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

const PAGE_SIZE = 25;

/** The filters the page reads from its query string, named as the API names them. */
const FILTERS = ['targetId', 'groupId', 'action', 'actor', 'regionId', 'tenantId'] as const;
type Filter = Record<(typeof FILTERS)[number], string>;

/** The filters typed in as text, in the form's order (region is a choice, tenant the operator's). */
const TEXT_FILTERS: { key: 'targetId' | 'groupId' | 'action' | 'actor'; label: string; hint: string }[] = [
  { key: 'targetId', label: 'Target', hint: "An object's id" },
  { key: 'groupId', label: 'Group', hint: 'A group and its rules' },
  { key: 'action', label: 'Action', hint: 'e.g. rule.update' },
  { key: 'actor', label: 'Who', hint: 'An access key id' },
];

/** The audit log filtered (a group's history, its rules' writes included: `auditHref({ groupId })`). */
export const auditHref = (filter: Partial<Filter>) => withQuery(hrefOf({ page: 'audit' }), filter);

export function AuditPage({ api }: { api: Client }) {
  const params = useQuery();
  const filter = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filter;
  // A new filter starts from the first page: the page's state is keyed by it.
  return <AuditLog key={JSON.stringify(filter)} api={api} filter={filter} />;
}

function AuditLog({ api, filter }: { api: Client; filter: Filter }) {
  const cursors = useCursors();
  const { cursor } = cursors;
  const regions = useLoad(() => api.regions(), [api]);
  // Every committed write is a change; the log's first page shows it on top as it comes. Later
  // pages are bounded by their cursor (older revisions), so a new write does not shift them.
  const changes = useChanges();
  const page = useLoad(
    () => api.get<Page<AuditEntry>>(`/v1/audit${query({ ...filter, cursor, limit: String(PAGE_SIZE) })}`),
    [api, cursor],
    cursor === undefined ? changes : 0,
  );
  const filtered = FILTERS.some((k) => filter[k]);
  return (
    <>
      <h1>Audit log</h1>
      <FilterForm
        filter={filter}
        regions={regions.state === 'done' ? regions.data.items : []}
        operator={api.session.role === 'admin'}
      />
      {filtered && (
        <p>
          <Link href={auditHref({})}>Show every write</Link>
        </p>
      )}
      {page.state === 'loading' && <Loading what="the audit log" />}
      {page.state === 'failed' && <Failure error={page.error} />}
      {page.state === 'done' && (
        <>
          <table className="audit">
            <caption>
              {page.data.items.length === 0
                ? 'No writes'
                : `Writes, newest first, page ${cursors.pageNumber}`}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="number">
                  Revision
                </th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((entry) => (
                <Row key={entry.revision} entry={entry} operator={api.session.role === 'admin'} />
              ))}
            </tbody>
          </table>
          <Pager label="Pages of the audit log" cursors={cursors} nextCursor={page.data.nextCursor} />
        </>
      )}
    </>
  );
}

function Row({ entry, operator }: { entry: AuditEntry; operator: boolean }) {
  const target = targetOf(entry);
  return (
    <tr>
      <th scope="row" className="number">
        {entry.revision}
      </th>
      <td>
        <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
      </td>
      <td>
        <Link href={auditHref({ actor: entry.actor })}>
          <code>{entry.actor}</code>
        </Link>
        {/* An operator reads every tenant's writes: whose object it was. */}
        {operator && entry.tenantId && (
          <>
            <br />
            <span className="muted">tenant {entry.tenantId}</span>
          </>
        )}
      </td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>
        {target ? (
          <>
            {target.href ? (
              <Link href={target.href}>
                <code>{target.id}</code>
              </Link>
            ) : (
              <code>{target.id}</code>
            )}
            {target.within && (
              <>
                {' '}
                in{' '}
                <Link href={target.within.href}>
                  <code>{target.within.id}</code>
                </Link>
              </>
            )}
            <br />
            {/* A group's history holds its rules' writes too (they target the rule). */}
            <Link href={auditHref(target.group ? { groupId: target.id } : { targetId: target.id })}>
              History<span className="visually-hidden"> of {target.id}</span>
            </Link>
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td>
        <Difference before={entry.before} after={entry.after} />
      </td>
    </tr>
  );
}

interface RegionChoice {
  id: string;
  name?: string;
}

function FilterForm({
  filter,
  regions,
  operator,
}: {
  filter: Filter;
  regions: RegionChoice[];
  /** An operator sees every tenant's writes, and may keep one tenant's. */
  operator: boolean;
}) {
  const [draft, setDraft] = useState<Filter>(filter);
  const set = (key: keyof Filter) => (value: string) => setDraft({ ...draft, [key]: value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = Object.fromEntries(FILTERS.map((k) => [k, draft[k].trim()]));
    navigate(auditHref(trimmed));
  };
  return (
    <form className="filters audit-filters" role="search" aria-label="Filter the audit log" onSubmit={submit}>
      {TEXT_FILTERS.map(({ key, label, hint }) => (
        <TextFilter
          key={key}
          id={`audit-${key}`}
          label={label}
          hint={hint}
          value={draft[key]}
          onChange={set(key)}
        />
      ))}
      <div>
        <label htmlFor="audit-region">Region</label>
        <select id="audit-region" value={draft.regionId} onChange={(e) => set('regionId')(e.target.value)}>
          <option value="">All regions</option>
          {regions.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name ? `${r.name} (${r.id})` : r.id}
            </option>
          ))}
        </select>
      </div>
      {operator && (
        <TextFilter
          id="audit-tenant"
          label="Tenant"
          hint="A tenant's id"
          value={draft.tenantId}
          onChange={set('tenantId')}
        />
      )}
      <button type="submit">Filter</button>
    </form>
  );
}

function TextFilter(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="search"
        value={props.value}
        aria-describedby={`${props.id}-hint`}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <small id={`${props.id}-hint`}>{props.hint}</small>
    </div>
  );
}
