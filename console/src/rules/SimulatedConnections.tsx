// The group page's simulated connections: the user lists connections (from a port or address to
// a port or address, protocol, destination port) that every change's preview opens in the
// simulator before applying the change, to see which the profile's clearing policy cuts. Kept
// in the tab's session storage per group, so they outlast a reload. "Try them" shows whether
// each opens on the stored rules.
import { type FormEvent, useState } from 'react';
import type { Client } from '../api';
import { Field } from '../Field';
import { Alert, Failure, Loading } from '../pages/Status';
import { connectionText, type SimulatedConnection, simulate, type SimulationOutcome } from './simulate';

const storageKey = (groupId: string) => `palisade.simulated.${groupId}`;

export function loadConnections(groupId: string): SimulatedConnection[] {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(storageKey(groupId)) ?? '[]');
    return Array.isArray(stored) ? (stored as SimulatedConnection[]) : [];
  } catch {
    return [];
  }
}

export interface SimulatedConnectionsProps {
  api: Client;
  regionId: string;
  groupId: string;
  connections: readonly SimulatedConnection[];
  onChange: (connections: SimulatedConnection[]) => void;
}

const EMPTY: SimulatedConnection = { from: '', to: '', protocol: 'tcp', dstPort: '22' };

export function SimulatedConnections({
  api,
  regionId,
  groupId,
  connections,
  onChange,
}: SimulatedConnectionsProps) {
  const [draft, setDraft] = useState(EMPTY);
  const [missing, setMissing] = useState<string | null>(null);
  const [tried, setTried] = useState<
    | { state: 'loading' }
    | { state: 'done'; data: SimulationOutcome }
    | { state: 'failed'; error: Error }
    | null
  >(null);
  const store = (next: SimulatedConnection[]) => {
    sessionStorage.setItem(storageKey(groupId), JSON.stringify(next));
    setTried(null);
    onChange(next);
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    if (!draft.from.trim() || !draft.to.trim()) {
      setMissing('Name both ends: a port id or an address');
      return;
    }
    setMissing(null);
    store([...connections, { ...draft, from: draft.from.trim(), to: draft.to.trim() }]);
    setDraft({ ...EMPTY, protocol: draft.protocol, dstPort: draft.dstPort });
  };
  const tryThem = () => {
    setTried({ state: 'loading' });
    simulate(api, regionId, connections, []).then(
      (data) => setTried({ state: 'done', data }),
      (error: Error) => setTried({ state: 'failed', error }),
    );
  };
  return (
    <section aria-labelledby="simulated-title" className="simulated">
      <h2 id="simulated-title">Simulated connections</h2>
      <p className="muted">
        Every change's preview opens these in the simulator on the stored rules, applies the change, and shows
        which the region's clearing policy cuts.
      </p>
      <form aria-label="Add a simulated connection" onSubmit={add} className="rule-fields" noValidate>
        <Field id="sim-from" label="From (port id or address)">
          <input
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            autoComplete="off"
          />
        </Field>
        <Field id="sim-to" label="To (port id or address)">
          <input
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            autoComplete="off"
          />
        </Field>
        <Field id="sim-protocol" label="Connection protocol">
          <select
            value={draft.protocol}
            onChange={(e) =>
              setDraft({ ...draft, protocol: e.target.value as SimulatedConnection['protocol'] })
            }
          >
            <option value="tcp">tcp</option>
            <option value="udp">udp</option>
            <option value="icmp">icmp (echo)</option>
          </select>
        </Field>
        {draft.protocol !== 'icmp' && (
          <Field id="sim-port" label="Destination port">
            <input
              value={draft.dstPort}
              onChange={(e) => setDraft({ ...draft, dstPort: e.target.value })}
              inputMode="numeric"
              autoComplete="off"
            />
          </Field>
        )}
        <button type="submit">Add connection</button>
        <Alert>{missing}</Alert>
      </form>
      {connections.length > 0 && (
        <>
          <table>
            <caption>Simulated connections</caption>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">On the stored rules</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {connections.map((c, i) => {
                const fate = tried?.state === 'done' ? tried.data.fates[i] : undefined;
                return (
                  <tr key={i}>
                    <td>{connectionText(c)}</td>
                    <td>{fate ? (fate.opened ? 'opens' : `does not open: ${fate.stoppedBy}`) : '—'}</td>
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        aria-label={`Remove ${connectionText(c)}`}
                        onClick={() => store(connections.filter((_, j) => j !== i))}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button type="button" className="secondary" onClick={tryThem}>
            Try them on the stored rules
          </button>
          {tried?.state === 'loading' && <Loading what="the simulation" />}
          {tried?.state === 'failed' && <Failure error={tried.error} />}
        </>
      )}
    </section>
  );
}
