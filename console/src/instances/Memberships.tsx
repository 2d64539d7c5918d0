// A port's groups in membership order: join (at a place, where order matters), leave (the API
// refuses to leave the last group, and says so), and, where the profile evaluates the groups
// in sequence (traits.groupOrderMatters: Huawei), reorder by drag and drop or with the Move up /
// Move down buttons, saved as one PUT of the whole order.
import { type DragEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { asError, type Client, type Group } from '../api';
import { Link } from '../Link';
import { Failure } from '../pages/Status';
import { hrefOf } from '../router';
import { joinGroup, leaveGroup, type Port, setGroups } from './model';

interface Props {
  api: Client;
  port: Port;
  ordered: boolean;
  groups: readonly Group[];
  names: ReadonlyMap<string, string>;
  /** The port as the API answered a save (shown until the next read). */
  onSaved: (port: Port) => void;
}

export function Memberships({ api, port, ordered, groups, names, onSaved }: Props) {
  const [error, setError] = useState<Error | null>(null);
  const [said, setSaid] = useState('');
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState<number | null>(null);
  // After a move the row has moved: the keyboard focus goes back to the button that moved it,
  // once, when the saved order is on screen (a later change must not pull the focus back).
  const [focus, setFocus] = useState<{ key: string; after: number } | null>(null);
  const table = useRef<HTMLTableElement>(null);
  useEffect(() => {
    if (!focus || port.revision <= focus.after) return;
    table.current?.querySelector<HTMLButtonElement>(`[data-focus="${CSS.escape(focus.key)}"]`)?.focus();
    setFocus(null);
  }, [focus, port]);

  const nameOf = (id: string) => names.get(id) ?? id;
  const save = async (what: () => Promise<Port>, done: (p: Port) => string) => {
    setBusy(true);
    setError(null);
    try {
      const saved = await what();
      onSaved(saved);
      setSaid(done(saved));
    } catch (e) {
      setError(asError(e));
      setSaid('');
    } finally {
      setBusy(false);
    }
  };
  const orderText = (p: Port) => p.groupIds.map(nameOf).join(', ');

  const move = (from: number, to: number, focusKey?: string) => {
    if (to < 0 || to >= port.groupIds.length || from === to) return;
    const ids = [...port.groupIds];
    const [id] = ids.splice(from, 1);
    ids.splice(to, 0, id!);
    setFocus(focusKey ? { key: focusKey, after: port.revision } : null);
    void save(
      () => setGroups(api, port.id, ids),
      (p) => `Saved the order: ${orderText(p)}`,
    );
  };
  const leave = (groupId: string) =>
    void save(
      () => leaveGroup(api, port.id, groupId),
      () => `Left ${nameOf(groupId)}`,
    );

  const onDrop = (e: DragEvent, to: number) => {
    e.preventDefault();
    const from = Number(e.dataTransfer.getData('text/plain'));
    setDragging(null);
    if (Number.isInteger(from)) move(from, to);
  };

  return (
    <section aria-labelledby="memberships-title">
      <h2 id="memberships-title">Security groups</h2>
      <p className="muted">
        {ordered
          ? 'This region evaluates a port’s groups one after another, in this order: drag a row, or use Move up and Move down.'
          : 'This region’s profile decides the same whatever the order of the groups.'}
      </p>
      <table ref={table} className={ordered ? 'memberships ordered' : 'memberships'}>
        <caption>Groups of port {port.name || port.id}, in order</caption>
        <thead>
          <tr>
            <th scope="col" className="number">
              Sequence
            </th>
            <th scope="col">Group</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {port.groupIds.map((id, i) => (
            <tr
              key={id}
              data-key={id}
              draggable={ordered && !busy}
              className={dragging === i ? 'dragging' : undefined}
              onDragStart={(e) => {
                e.dataTransfer.setData('text/plain', String(i));
                e.dataTransfer.effectAllowed = 'move';
                setDragging(i);
              }}
              onDragEnd={() => setDragging(null)}
              onDragOver={(e) => ordered && e.preventDefault()}
              onDrop={(e) => ordered && onDrop(e, i)}
            >
              <td className="number">{i + 1}</td>
              <th scope="row">
                <Link href={hrefOf({ page: 'group', id })}>{nameOf(id)}</Link>
              </th>
              <td className="actions">
                {ordered && (
                  <>
                    <button
                      type="button"
                      data-focus={`up-${id}`}
                      disabled={busy || i === 0}
                      aria-label={`Move up ${nameOf(id)}`}
                      onClick={() => move(i, i - 1, `up-${id}`)}
                    >
                      Move up
                    </button>
                    <button
                      type="button"
                      data-focus={`down-${id}`}
                      disabled={busy || i === port.groupIds.length - 1}
                      aria-label={`Move down ${nameOf(id)}`}
                      onClick={() => move(i, i + 1, `down-${id}`)}
                    >
                      Move down
                    </button>
                  </>
                )}
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Leave ${nameOf(id)}`}
                  onClick={() => leave(id)}
                >
                  Leave
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <Failure error={error} />}
      <p role="status" className="saved">
        {said}
      </p>
      <JoinForm
        key={port.groupIds.join(',')}
        port={port}
        ordered={ordered}
        groups={groups}
        busy={busy}
        onJoin={(groupId, sequence) =>
          void save(
            () => joinGroup(api, port.id, groupId, sequence),
            () => `Joined ${nameOf(groupId)}`,
          )
        }
      />
    </section>
  );
}

function JoinForm({
  port,
  ordered,
  groups,
  busy,
  onJoin,
}: {
  port: Port;
  ordered: boolean;
  groups: readonly Group[];
  busy: boolean;
  onJoin: (groupId: string, sequence?: number) => void;
}) {
  const open = groups.filter((g) => !port.groupIds.includes(g.id));
  const [groupId, setGroupId] = useState(open[0]?.id ?? '');
  const [place, setPlace] = useState(String(port.groupIds.length));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (groupId) onJoin(groupId, ordered ? Number(place) : undefined);
  };
  if (open.length === 0) return <p className="muted">The port holds every group of yours in its region.</p>;
  return (
    <form className="filters" onSubmit={submit} aria-label="Join a security group">
      <div>
        <label htmlFor="join-group">Group to join</label>
        <select id="join-group" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
          {open.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name} ({g.id})
            </option>
          ))}
        </select>
      </div>
      {ordered && (
        <div>
          <label htmlFor="join-place">Place</label>
          <select id="join-place" value={place} onChange={(e) => setPlace(e.target.value)}>
            {port.groupIds.map((id, i) => (
              <option key={id} value={i}>
                {i + 1}: before the group now at {i + 1}
              </option>
            ))}
            <option value={port.groupIds.length}>{port.groupIds.length + 1}: last</option>
          </select>
        </div>
      )}
      <button type="submit" disabled={busy}>
        Join
      </button>
    </form>
  );
}
