// One address group: its facts, its entries edited in bulk (a textarea, one per line, saved as
// one PATCH that replaces them all) or one at a time (add, remove), the rules that use it, and
// delete, which the API refuses while rules use it (409 ADDRESS_GROUP_IN_USE: they are listed).
import { type FormEvent, useState } from 'react';
import { asError, ApiError, type Client, seg } from '../api';
import { Field, unplaced } from '../Field';
import { Link } from '../Link';
import { inRegion, useChanges } from '../live/Live';
import { Alert, Failure, Loading, problemText } from '../pages/Status';
import { hrefOf, navigate } from '../router';
import { useLoad } from '../useLoad';
import { EntriesField } from './EntriesField';
import { type AddressGroup, addressGroupOf, entryLines, referencesOf } from './model';

export function AddressGroupPage({ api, id }: { api: Client; id: string }) {
  const [regionId, setRegionId] = useState<string | null>(null);
  const changes = useChanges(regionId ? inRegion(regionId) : undefined);
  const read = useLoad(
    async () => {
      const [ag, refs] = await Promise.all([addressGroupOf(api, id), referencesOf(api, id)]);
      setRegionId(ag.regionId);
      return { ag, refs };
    },
    [api, id],
    changes,
  );
  if (read.state === 'loading') return <Loading what={`address group ${id}`} />;
  if (read.state === 'failed')
    return (
      <>
        <h1>Address group {id}</h1>
        <Failure error={read.error} />
        <p>
          <Link href={hrefOf({ page: 'address-groups' })}>Back to address groups</Link>
        </p>
      </>
    );
  const { ag, refs } = read.data;
  return (
    <>
      <p className="crumbs">
        <Link href={hrefOf({ page: 'address-groups' })}>Address groups</Link> / {ag.name}
      </p>
      <h1>{ag.name}</h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{ag.id}</code>
        </dd>
        <dt>Region</dt>
        <dd>{ag.regionId}</dd>
        <dt>Family</dt>
        <dd>{ag.ethertype ?? 'any'}</dd>
        <dt>Entries</dt>
        <dd>
          {ag.entries.length}
          {ag.maxEntries !== undefined ? ` of at most ${ag.maxEntries}` : ''}
        </dd>
        {ag.description && (
          <>
            <dt>Description</dt>
            <dd>{ag.description}</dd>
          </>
        )}
      </dl>
      <BulkEditor api={api} ag={ag} onSaved={read.reload} />
      <EntryList key={`list-${ag.revision}`} api={api} ag={ag} onSaved={read.reload} />
      <section aria-labelledby="ag-refs-title">
        <h2 id="ag-refs-title">Used by</h2>
        {refs.referencedBy.length === 0 && refs.otherTenants === 0 ? (
          <p>No rule uses this address group.</p>
        ) : (
          <ul>
            {refs.referencedBy.map((r) => (
              <li key={r.groupId}>
                <Link href={hrefOf({ page: 'group', id: r.groupId })}>{r.groupName}</Link>:{' '}
                {r.ruleIds.length === 1 ? 'rule' : `${r.ruleIds.length} rules`} {r.ruleIds.join(', ')}
              </li>
            ))}
            {refs.otherTenants > 0 && (
              <li>
                {refs.otherTenants} group{refs.otherTenants === 1 ? '' : 's'} of tenants it is shared with
              </li>
            )}
          </ul>
        )}
      </section>
      <DeleteAddressGroup api={api} ag={ag} refs={refs} />
    </>
  );
}

type EditorProps = { api: Client; ag: AddressGroup; onSaved: () => void };

function BulkEditor({ api, ag, onSaved }: EditorProps) {
  const stored = ag.entries.join('\n');
  const [shown, setShown] = useState(stored);
  const [text, setText] = useState(stored);
  // The entries changed (a save, or a change elsewhere): an untouched editor shows them; one
  // being edited keeps the edit.
  if (stored !== shown) {
    setShown(stored);
    if (text === shown) setText(stored);
  }
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const { entries, lineOf } = entryLines(text);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/v1/address-groups/${seg(ag.id)}`, { entries });
      // Saved: the editor shows the entries as sent (no blank lines, no repeats).
      setText(entries.join('\n'));
      setBusy(false);
      onSaved();
    } catch (err) {
      setError(asError(err));
      setBusy(false);
    }
  };
  const alert = unplaced(error, ['entries']);
  return (
    <form className="editor" aria-labelledby="ag-bulk-title" onSubmit={(e) => void submit(e)}>
      <h2 id="ag-bulk-title">Edit the entries</h2>
      <Alert>{alert}</Alert>
      <EntriesField
        id="ag-bulk"
        value={text}
        onChange={setText}
        error={error}
        lineOf={lineOf}
        rows={Math.min(20, Math.max(6, ag.entries.length + 2))}
      />
      <button type="submit" disabled={busy}>
        Save entries
      </button>
    </form>
  );
}

/** The entries one by one: add one, remove one (PATCH add / remove). */
function EntryList({ api, ag, onSaved }: EditorProps) {
  const [entry, setEntry] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const patch = async (body: { add: string[] } | { remove: string[] }) => {
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/v1/address-groups/${seg(ag.id)}`, body);
      onSaved();
    } catch (err) {
      setError(asError(err));
      setBusy(false);
    }
  };
  // The API names a refused added entry as sent (body.add[0]): shown at the field.
  const alert = unplaced(error, ['add']);
  return (
    <section aria-labelledby="ag-entries-title">
      <h2 id="ag-entries-title">Entries</h2>
      <table>
        <caption>{ag.entries.length === 0 ? 'No entries' : `Entries of ${ag.name}`}</caption>
        <thead>
          <tr>
            <th scope="col">Address or CIDR</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {ag.entries.map((e) => (
            <tr key={e}>
              <th scope="row">
                <code>{e}</code>
              </th>
              <td>
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Remove ${e}`}
                  onClick={() => void patch({ remove: [e] })}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="filters"
        aria-label="Add an entry"
        onSubmit={(e) => {
          e.preventDefault();
          if (entry.trim()) void patch({ add: [entry.trim()] });
        }}
      >
        <Field id="ag-add" label="Entry to add" field="add" error={error}>
          <input value={entry} onChange={(e) => setEntry(e.target.value)} />
        </Field>
        <button type="submit" disabled={busy}>
          Add entry
        </button>
      </form>
      <Alert>{alert}</Alert>
    </section>
  );
}

function DeleteAddressGroup({
  api,
  ag,
  refs,
}: {
  api: Client;
  ag: AddressGroup;
  refs: { referencedBy: unknown[] };
}) {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.delete(`/v1/address-groups/${seg(ag.id)}`);
      navigate(hrefOf({ page: 'address-groups' }));
    } catch (err) {
      setError(asError(err));
      setBusy(false);
    }
  };
  const inUse = error instanceof ApiError && error.code === 'ADDRESS_GROUP_IN_USE';
  return (
    <section aria-labelledby="ag-delete-title">
      <h2 id="ag-delete-title">Delete</h2>
      <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
        Delete address group
      </button>
      {error && (
        <div role="alert" className="error">
          <p>{problemText(error)}</p>
          {inUse && refs.referencedBy.length > 0 && (
            <p>The rules listed under “Used by” name it: delete them, or give them another remote, first.</p>
          )}
        </div>
      )}
    </section>
  );
}
