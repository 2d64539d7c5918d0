// A fix or a suggested change, confirmed before it is made: a modal <dialog> (focus moves into it,
// Escape cancels) saying what will be written, with optional fields (the address range a rule is
// narrowed to), the API's refusal shown in it, and the write's progress.
import { Alert } from '../pages/Status';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { errorText } from './errors';

export interface ConfirmProps {
  title: string;
  /** What the write does, in words. */
  children: ReactNode;
  confirmLabel: string;
  /** Makes the change; a thrown error stays in the dialog. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function Confirm({ title, children, confirmLabel, onConfirm, onClose }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // No cleanup closing it: the element leaves the page with the component (and leaves the top
    // layer with it), while a close() here would fire `close`, that is onClose, under StrictMode's
    // second run of effects.
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    onConfirm().then(onClose, (err: unknown) => {
      setBusy(false);
      setError(errorText(err));
    });
  };
  return (
    <dialog ref={dialog} className="confirm" aria-labelledby="confirm-title" onClose={onClose}>
      <form onSubmit={submit}>
        <h2 id="confirm-title">{title}</h2>
        {children}
        <Alert>{error}</Alert>
        <div className="buttons">
          <button type="submit" disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
