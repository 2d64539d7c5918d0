// The group page's members: the ports holding the group (paged through the port list's
// cursors, GET /v1/ports?groupId), joining one of the caller's ports of the region found by id,
// name or address, and leaving. Follows the change stream, so a port joining through another
// API appears.
import { type FormEvent, useState } from 'react';
import { asError, type Client } from '../api';
import { addressesOf, joinGroup, leaveGroup, type Port, portsOf } from '../instances/model';
import { hostText } from '../instances/PortsTable';
import { Link } from '../Link';
import { inRegion, useChanges } from '../live/Live';
import type { GroupSectionProps } from '../pages/group-section';
import { Pager, useCursors } from '../pages/Pager';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import { VirtualTable } from '../VirtualTable';

const PAGE_SIZE = 50;
const MATCHES = 10;

export function GroupMembers({ api, group, reload }: GroupSectionProps) {
  const changes = useChanges(inRegion(group.regionId));
  const cursors = useCursors();
  const { cursor } = cursors;
  const members = useLoad(
    () => portsOf(api, { groupId: group.id, regionId: group.regionId, cursor, limit: PAGE_SIZE }),
    [api, group.id, cursor],
    changes,
  );
  const [error, setError] = useState<Error | null>(null);
  const [said, setSaid] = useState('');
  const [busy, setBusy] = useState(false);

  const act = async (what: () => Promise<Port>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      setSaid(done);
      if (members.state !== 'loading') members.reload();
      reload();
    } catch (e) {
      setError(asError(e));
      setSaid('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.state === 'loading' && <Loading what="members" />}
      {members.state === 'failed' && <Failure error={members.error} />}
      {members.state === 'done' && (
        <>
          <VirtualTable
            caption={
              members.data.items.length === 0
                ? `No port holds ${group.name}`
                : `Ports holding ${group.name}, page ${cursors.pageNumber}`
            }
            columns={[
              { title: 'Port' },
              { title: 'Instance' },
              { title: 'Addresses' },
              { title: 'Host / interface' },
              { title: 'Place in the port’s groups', className: 'number' },
              { title: 'Actions' },
            ]}
            rows={members.data.items}
            rowKey={(p) => p.id}
            cells={(p) => (
              <>
                <th scope="row">
                  <Link href={hrefOf({ page: 'port', id: p.id })}>{p.name || p.id}</Link>
                </th>
                <td>
                  <Link href={hrefOf({ page: 'instance', id: p.instanceId })}>{p.instanceId}</Link>
                </td>
                <td>{addressesOf(p)}</td>
                <td>{hostText(p)}</td>
                <td className="number">
                  {p.groupIds.indexOf(group.id) + 1} of {p.groupIds.length}
                </td>
                <td>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Remove port ${p.name || p.id} from ${group.name}`}
                    onClick={() =>
                      void act(
                        () => leaveGroup(api, p.id, group.id),
                        `Port ${p.name || p.id} left ${group.name}`,
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </>
            )}
          />
          <Pager label="Pages of members" cursors={cursors} nextCursor={members.data.nextCursor} />
        </>
      )}
      {error && <Failure error={error} />}
      <p role="status" className="saved">
        {said}
      </p>
      <JoinPort
        api={api}
        groupId={group.id}
        regionId={group.regionId}
        busy={busy}
        onJoin={(p) =>
          void act(() => joinGroup(api, p.id, group.id), `Port ${p.name || p.id} joined ${group.name}`)
        }
      />
    </section>
  );
}

/** Find the caller's ports of the region by id, name or address (GET /v1/ports?match), and join one. */
function JoinPort({
  api,
  groupId,
  regionId,
  busy,
  onJoin,
}: {
  api: Client;
  groupId: string;
  regionId: string;
  busy: boolean;
  onJoin: (port: Port) => void;
}) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<{ items: Port[]; more: boolean } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const match = text.trim();
    if (!match) return;
    try {
      const page = await portsOf(api, { regionId, match, limit: MATCHES });
      setFound({ items: page.items, more: page.nextCursor !== undefined });
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Find a port to join"
        onSubmit={(e) => void search(e)}
      >
        <div>
          <label htmlFor="member-find">Port to join</label>
          <input
            id="member-find"
            type="search"
            value={text}
            aria-describedby="member-find-hint"
            onChange={(e) => setText(e.target.value)}
          />
          <small id="member-find-hint">
            A port’s id, name, instance name or address (part of it will do).
          </small>
        </div>
        <button type="submit">Find ports</button>
      </form>
      {error && <Failure error={error} />}
      {found && (
        <table>
          <caption>
            {found.items.length === 0
              ? 'No port of yours in the region matches'
              : `Ports matching “${text.trim()}”${found.more ? ` (the first ${MATCHES})` : ''}`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col">Addresses</th>
              <th scope="col">Groups</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {found.items.map((p) => {
              const member = p.groupIds.includes(groupId);
              return (
                <tr key={p.id}>
                  <th scope="row">{p.name || p.id}</th>
                  <td>{addressesOf(p)}</td>
                  <td>{p.groupIds.length}</td>
                  <td>
                    <button
                      type="button"
                      disabled={busy || member}
                      aria-label={member ? undefined : `Join port ${p.name || p.id}`}
                      onClick={() => {
                        onJoin(p);
                        setFound(null);
                      }}
                    >
                      {member ? 'Already a member' : 'Join'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
