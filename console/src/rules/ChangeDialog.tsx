// Before any rule is added, edited or deleted: a modal dialog with what the change would do,
// from the API's preview (the packets newly allowed and denied, per port, direction and family,
// with the deciding rules; the agents' live connections it will cut) and from the simulator
// (the page's simulated connections: cleared, dropped or surviving). "Save" makes the write;
// "Cancel" (or Escape) stores nothing. A refused preview goes back to the form, at its fields.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type Client } from '../api';
import { Failure, Loading } from '../pages/Status';
import {
  type CutConnection,
  type DiffPiece,
  deciderText,
  type Preview,
  previewOf,
  type ProposedChange,
  protocolText,
  REASON_TEXT,
  saveOf,
} from './preview';
import { connectionText, type SimulatedConnection, simulate, type SimulationOutcome } from './simulate';

export interface ChangeDialogProps {
  api: Client;
  regionId: string;
  change: ProposedChange;
  connections: readonly SimulatedConnection[];
  onClose: () => void;
}

type Loaded<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; error: Error };

export function ChangeDialog({ api, regionId, change, connections, onClose }: ChangeDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [preview, setPreview] = useState<Loaded<Preview>>({ state: 'loading' });
  const [sim, setSim] = useState<Loaded<SimulationOutcome> | null>(
    connections.length ? { state: 'loading' } : null,
  );
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<Error | null>(null);

  useEffect(() => {
    dialog.current?.showModal();
    let current = true;
    previewOf(api, change).then(
      (data) => current && setPreview({ state: 'done', data }),
      (error: Error) => {
        if (!current) return;
        // The API refused the change itself: its messages belong at the form's fields.
        change.onRefused(error);
        onClose();
      },
    );
    if (connections.length)
      simulate(api, regionId, connections, change.simulation).then(
        (data) => current && setSim({ state: 'done', data }),
        (error: Error) => current && setSim({ state: 'failed', error }),
      );
    return () => {
      current = false;
    };
    // One preview per proposed change.
  }, [change]);

  const save = () => {
    setSaving(true);
    saveOf(api, change).then(
      () => {
        change.onSaved();
        onClose();
      },
      (error: Error) => {
        // Field problems (the group changed since the preview) go to the form, like a refused preview.
        if (error instanceof ApiError && error.problems.length) {
          change.onRefused(error);
          onClose();
          return;
        }
        setSaving(false);
        setSaveError(error);
      },
    );
  };

  return (
    <dialog
      ref={dialog}
      className="change-preview"
      aria-labelledby="change-preview-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="change-preview-title">{change.title}: preview</h2>
      {preview.state === 'loading' && <Loading what="the change's preview" />}
      {preview.state === 'failed' && <Failure error={preview.error} />}
      {preview.state === 'done' && <PreviewView preview={preview.data} />}
      <section aria-labelledby="simulated-preview-title">
        <h3 id="simulated-preview-title">Simulated connections</h3>
        {sim === null ? (
          <p className="muted">None listed: add some in the page's "Simulated connections" panel.</p>
        ) : sim.state === 'loading' ? (
          <Loading what="the simulation" />
        ) : sim.state === 'failed' ? (
          <Failure error={sim.error} />
        ) : (
          <SimulationView outcome={sim.data} />
        )}
      </section>
      {saveError && <Failure error={saveError} />}
      <div className="dialog-buttons">
        <button type="button" onClick={save} disabled={saving || preview.state !== 'done'}>
          {saving ? 'Saving…' : change.save}
        </button>
        {/* Focused first: Enter on a just-opened dialog stores nothing. */}
        <button type="button" className="secondary" onClick={onClose} disabled={saving} autoFocus>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

function PreviewView({ preview }: { preview: Preview }) {
  const { cut, listedHosts, modelled } = preview.connections;
  const rows = preview.ports.flatMap((p) => [
    ...p.newlyDenied.map((piece) => ({ p, piece, change: 'newly denied' })),
    ...p.newlyAllowed.map((piece) => ({ p, piece, change: 'newly allowed' })),
  ]);
  return (
    <>
      <section aria-labelledby="packets-preview-title">
        <h3 id="packets-preview-title">Packets</h3>
        {preview.equivalent ? (
          <p>No packet of any port changes its verdict.</p>
        ) : (
          <table className="preview">
            <caption>Packets whose verdict the change turns</caption>
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Port</th>
                <th scope="col">Direction</th>
                <th scope="col">Packets</th>
                <th scope="col">Decided before by</th>
                <th scope="col">Decided after by</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ p, piece, change }, i) => (
                <tr key={i}>
                  <td>
                    <span className={change === 'newly denied' ? 'action deny' : 'action allow'}>
                      {change}
                    </span>
                  </td>
                  <td>
                    <code>{p.portId}</code>
                  </td>
                  <td>
                    {p.direction} {p.ethertype}
                  </td>
                  <td>{packetsText(piece, p.direction)}</td>
                  <td>{deciderText(piece.before)}</td>
                  <td>{deciderText(piece.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="cut-preview-title">
        <h3 id="cut-preview-title">Live connections it will cut</h3>
        {cut.length === 0 ? (
          <p>
            None of the connections the agents listed
            {listedHosts.length
              ? ` (${listedHosts.map((h) => h.host).join(', ')})`
              : ' (no agent listed any)'}
            .
          </p>
        ) : (
          <table className="preview">
            <caption>Live connections the change will cut</caption>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Port</th>
                <th scope="col">State</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {cut.map((c, i) => (
                <tr key={i}>
                  <td>{tupleText(c)}</td>
                  <td>
                    <code>{c.portId}</code> {c.host ? `on ${c.host}` : ''}
                  </td>
                  <td>{c.state || '—'}</td>
                  <td>{REASON_TEXT[c.reason]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {modelled.length > 0 && (
          <p className="muted">
            Ports without an agent's listing, whose connections the profile's clearing would{' '}
            {modelled
              .map((m) => `${m.effect === 'inboundCleared' ? 'clear (inbound)' : m.effect} on ${m.portId}`)
              .join(', ')}
            .
          </p>
        )}
      </section>
    </>
  );
}

function SimulationView({ outcome }: { outcome: SimulationOutcome }) {
  return (
    <>
      <p>
        The profile's clearing policy cleared {outcome.cleared} and dropped {outcome.dropped} tracked{' '}
        {outcome.cleared + outcome.dropped === 1 ? 'entry' : 'entries'}.
      </p>
      <table className="preview">
        <caption>What the change does to the simulated connections</caption>
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col">After the change</th>
          </tr>
        </thead>
        <tbody>
          {outcome.fates.map((f, i) => (
            <tr key={i}>
              <td>{connectionText(f.connection)}</td>
              <td>
                {!f.opened ? (
                  <>does not open now: {f.stoppedBy}</>
                ) : f.survives ? (
                  <span className="action allow">survives ({f.passedVia})</span>
                ) : (
                  <>
                    <span className="action deny">cut</span>: {f.stoppedBy}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function tupleText(c: CutConnection): string {
  const end = (addr: string, port?: number) => (port === undefined ? addr : `${addr}:${port}`);
  return `${protocolText(c.protocol)} ${end(c.src, c.sport)} → ${end(c.dst, c.dport)} (${c.origin})`;
}

function packetsText(piece: DiffPiece, direction: 'ingress' | 'egress'): string {
  const boxes = piece.packets.boxes.map((b) => {
    const protocols = b.protocols.map(protocolText).join(',');
    const ports =
      b.ports.length && !(b.ports.length === 1 && b.ports[0] === 'any') ? ` ports ${b.ports.join(',')}` : '';
    const icmp =
      b.icmp.length && !(b.icmp.length === 1 && b.icmp[0] === 'any') ? ` icmp ${b.icmp.join(',')}` : '';
    return `${protocols}${ports}${icmp} ${direction === 'ingress' ? 'from' : 'to'} ${b.remote.join(', ')}`;
  });
  return boxes.join('; ') + (piece.packets.more ? ` and ${piece.packets.more} more` : '');
}
