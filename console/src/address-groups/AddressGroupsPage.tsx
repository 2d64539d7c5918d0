// Address groups (prefix lists): the caller's, filtered by region and paged through the API's
// cursors, and a form to create one with its entries. Follows the change stream.
import { Alert } from '../pages/Status';
import { type FormEvent, useState } from 'react';
import { asError, type Client } from '../api';
import { Field, unplaced } from '../Field';
import { Link } from '../Link';
import { useChanges } from '../live/Live';
import { PagedTable } from '../pages/PagedTable';
import { useCursors } from '../pages/Pager';
import { hrefOf, navigate } from '../router';
import { useLoad } from '../useLoad';
import { EntriesField } from './EntriesField';
import { type AddressGroup, addressGroupsOf, entryLines } from './model';

const PAGE_SIZE = 25;

export function AddressGroupsPage({ api }: { api: Client }) {
  const [regionId, setRegionId] = useState('');
  const [applied, setApplied] = useState('');
  const cursors = useCursors();
  const { cursor } = cursors;
  const changes = useChanges();
  const regions = useLoad(() => api.regions(), [api]);
  const page = useLoad(
    () => addressGroupsOf(api, { regionId: applied || undefined, cursor, limit: PAGE_SIZE }),
    [api, applied, cursor],
    changes,
  );
  const regionList = regions.state === 'done' ? regions.data.items : [];
  return (
    <>
      <h1>Address groups</h1>
      <form
        className="filters"
        role="search"
        aria-label="Filter address groups"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(regionId);
          cursors.reset();
        }}
      >
        <div>
          <label htmlFor="ag-filter-region">Region</label>
          <select id="ag-filter-region" value={regionId} onChange={(e) => setRegionId(e.target.value)}>
            <option value="">All regions</option>
            {regionList.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name ? `${r.name} (${r.id})` : r.id} · {r.profile}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <PagedTable
        load={page}
        noun="address groups"
        cursors={cursors}
        columns={[
          { title: 'Name' },
          { title: 'Id' },
          { title: 'Region' },
          { title: 'Family' },
          { title: 'Entries', className: 'number' },
        ]}
        row={(a) => (
          <tr key={a.id}>
            <th scope="row">
              <Link href={hrefOf({ page: 'address-group', id: a.id })}>{a.name}</Link>
            </th>
            <td>
              <code>{a.id}</code>
            </td>
            <td>{a.regionId}</td>
            <td>{a.ethertype ?? 'any'}</td>
            <td className="number">{a.entries.length}</td>
          </tr>
        )}
      />
      <CreateAddressGroup api={api} regions={regionList.map((r) => r.id)} />
    </>
  );
}

function CreateAddressGroup({ api, regions }: { api: Client; regions: string[] }) {
  const [name, setName] = useState('');
  const [regionId, setRegionId] = useState('');
  const [ethertype, setEthertype] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const { entries, lineOf } = entryLines(text);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await api.post<AddressGroup>('/v1/address-groups', {
        regionId: regionId || regions[0],
        name,
        entries,
        ...(ethertype ? { ethertype } : {}),
      });
      navigate(hrefOf({ page: 'address-group', id: made.id }));
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  const alert = unplaced(error, ['name', 'regionId', 'ethertype', 'entries']);
  return (
    <form className="editor" aria-labelledby="ag-create-title" onSubmit={(e) => void submit(e)}>
      <h2 id="ag-create-title">Create an address group</h2>
      <Alert>{alert}</Alert>
      <Field id="ag-name" label="Name" field="name" error={error}>
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </Field>
      <Field id="ag-region" label="Region" field="regionId" error={error}>
        <select value={regionId || regions[0] || ''} onChange={(e) => setRegionId(e.target.value)}>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="ag-family"
        label="Family"
        field="ethertype"
        error={error}
        hint="Where the cloud keeps one family per group"
      >
        <select value={ethertype} onChange={(e) => setEthertype(e.target.value)}>
          <option value="">Any</option>
          <option value="IPv4">IPv4</option>
          <option value="IPv6">IPv6</option>
        </select>
      </Field>
      <EntriesField id="ag-entries" value={text} onChange={setText} error={error} lineOf={lineOf} rows={5} />
      <button type="submit" disabled={busy}>
        Create address group
      </button>
    </form>
  );
}
