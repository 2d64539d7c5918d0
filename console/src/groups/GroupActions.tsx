// A group's own actions on its page: rename (name and description), clone (the safe way to
// change a live group: change the copy, then move the ports), and delete, which the API refuses
// while ports or other groups' rules use the group; the refusal's facts become links to them.
import { Alert } from '../pages/Status';
import { asError } from '../api';
import { type FormEvent, useState } from 'react';
import { Field, unplaced } from '../Field';
import { Link } from '../Link';
import type { GroupSectionProps } from '../pages/group-section';
import { hrefOf, navigate } from '../router';
import { cloneGroup, deleteGroup, type InUse, inUseOf, renameGroup } from './groups-api';
import './groups.css';

type Open = 'none' | 'rename' | 'clone' | 'delete';

/** The actions' buttons, in order; each opens its form below them. */
const ACTIONS: [Exclude<Open, 'none'>, string][] = [
  ['rename', 'Rename'],
  ['clone', 'Clone'],
  ['delete', 'Delete'],
];

export function GroupActions({ api, group, reload }: GroupSectionProps) {
  const [open, setOpen] = useState<Open>('none');
  const toggle = (which: Open) => setOpen(open === which ? 'none' : which);
  return (
    <section aria-label="Group actions">
      <div className="actions-bar">
        {ACTIONS.map(([which, label]) => (
          <button
            key={which}
            type="button"
            className="secondary"
            aria-expanded={open === which}
            onClick={() => toggle(which)}
          >
            {label}
          </button>
        ))}
      </div>
      {open === 'rename' && (
        <RenameForm
          api={api}
          group={group}
          reload={reload}
          done={() => {
            setOpen('none');
            reload();
          }}
        />
      )}
      {open === 'clone' && <CloneForm api={api} group={group} reload={reload} />}
      {open === 'delete' && (
        <DeleteConfirm api={api} group={group} reload={reload} cancel={() => setOpen('none')} />
      )}
    </section>
  );
}

function RenameForm({ api, group, done }: GroupSectionProps & { done: () => void }) {
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? '');
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await renameGroup(api, group.id, { name, description });
      done();
    } catch (err) {
      setError(asError(err));
    }
  };
  const formError = unplaced(error, ['name', 'description']);
  return (
    <form className="panel" aria-labelledby="rename-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="rename-title">Rename {group.name}</h2>
      <Alert>{formError}</Alert>
      <div className="form-grid">
        <Field id="rename-name" label="Name" field="name" error={error}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field id="rename-description" label="Description" field="description" error={error}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </Field>
      </div>
      <p>
        <button type="submit">Save name and description</button>
      </p>
    </form>
  );
}

function CloneForm({ api, group }: GroupSectionProps) {
  const [name, setName] = useState(`${group.name}-copy`);
  const [description, setDescription] = useState(group.description ?? '');
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const copy = await cloneGroup(api, group.id, { name, ...(description ? { description } : {}) });
      navigate(hrefOf({ page: 'group', id: copy.id }));
    } catch (err) {
      setError(asError(err));
    }
  };
  const formError = unplaced(error, ['name', 'description']);
  return (
    <form className="panel" aria-labelledby="clone-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="clone-title">Clone {group.name}</h2>
      <p id="clone-why">
        Cloning is the recommended way to change a group that is in use: the copy gets the same{' '}
        {group.rules.length} rules and no members. Change the copy, move the ports to it, then delete this
        group — the ports keep their traffic until they move.
      </p>
      <Alert>{formError}</Alert>
      <div className="form-grid">
        <Field id="clone-name" label="Name of the copy" field="name" error={error}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field id="clone-description" label="Description" field="description" error={error}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </Field>
      </div>
      <p>
        <button type="submit" aria-describedby="clone-why">
          Clone group
        </button>
      </p>
    </form>
  );
}

function DeleteConfirm({ api, group, reload, cancel }: GroupSectionProps & { cancel: () => void }) {
  const [refused, setRefused] = useState<InUse | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [deleting, setDeleting] = useState(false);
  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await deleteGroup(api, group.id);
      navigate(hrefOf({ page: 'groups' }));
    } catch (err) {
      const inUse = inUseOf(err);
      setRefused(inUse);
      setError(inUse ? null : asError(err));
      setDeleting(false);
      // What uses the group may have changed meanwhile: the page shows the present members.
      reload();
    }
  };
  return (
    <div className="panel" role="group" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete {group.name}?</h2>
      <p>
        The group and its {group.rules.length} rules go for good. The API refuses while ports are members or
        other groups' rules name it.
      </p>
      {refused && <InUseExplanation inUse={refused} />}
      <Alert>{error?.message}</Alert>
      <p className="actions-bar">
        <button type="button" className="danger" disabled={deleting} onClick={() => void remove()}>
          {refused ? 'Try deleting again' : 'Delete group'}
        </button>
        <button type="button" className="secondary" onClick={cancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}

/** The 409's message, and the ports and groups it names as links to their pages. */
function InUseExplanation({ inUse }: { inUse: InUse }) {
  return (
    <div className="in-use" role="alert">
      <p>
        <strong>Not deleted ({inUse.code}):</strong> {inUse.message}
      </p>
      {inUse.ports.length > 0 && (
        <>
          <p>Member ports (remove the group from them first):</p>
          <ul aria-label="Ports using the group">
            {inUse.ports.map((id) => (
              <li key={id}>
                <Link href={hrefOf({ page: 'port', id })}>{id}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      {inUse.groups.length > 0 && (
        <>
          <p>Groups whose rules name it (delete those rules first):</p>
          <ul aria-label="Groups referencing the group">
            {inUse.groups.map((id) => (
              <li key={id}>
                <Link href={hrefOf({ page: 'group', id })}>{id}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
