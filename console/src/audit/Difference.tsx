// A write's before/after as a list: each changed field with its old value struck and its new one
// marked, and each rule (or other list item) added or removed. Words say what colour shows.
import { useMemo, useState } from 'react';
import { difference, type Difference as Line } from './difference';

/** A create of a big group lists its first lines; the entry's JSON stays a click away. */
const SHOWN = 20;

export function Difference({ before, after }: { before: unknown; after: unknown }) {
  // A live refresh re-renders every row; a big group's creation is worth comparing once.
  const lines = useMemo(() => difference(before, after), [before, after]);
  if (lines.length === 0)
    return (
      <>
        <span className="muted">no field changed</span>
        <Raw before={before} after={after} />
      </>
    );
  return (
    <>
      <ul className="diff">
        {lines.slice(0, SHOWN).map((line, i) => (
          <li key={i}>
            <LineText line={line} />
          </li>
        ))}
      </ul>
      {lines.length > SHOWN && <p className="muted">and {lines.length - SHOWN} more</p>}
      <Raw before={before} after={after} />
    </>
  );
}

function LineText({ line }: { line: Line }) {
  if (line.kind === 'item')
    return line.change === 'added' ? (
      <>
        <span className="diff-label">{line.list} added:</span> <ins>{line.text}</ins>
      </>
    ) : (
      <>
        <span className="diff-label">{line.list} removed:</span> <del>{line.text}</del>
      </>
    );
  return (
    <>
      <span className="diff-label">{line.path}:</span>{' '}
      {line.before === undefined ? (
        <>
          set to <ins>{line.after}</ins>
        </>
      ) : line.after === undefined ? (
        <>
          <del>{line.before}</del> removed
        </>
      ) : (
        <>
          <del>{line.before}</del> → <ins>{line.after}</ins>
        </>
      )}
    </>
  );
}

/** The entry as recorded, rendered once opened (a big group's JSON is long). */
function Raw({ before, after }: { before: unknown; after: unknown }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="raw" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Before and after as recorded</summary>
      {open && (
        // Focusable: a scrolled region must be reachable by keyboard.
        <pre tabIndex={0}>{JSON.stringify({ before, after }, null, 2)}</pre>
      )}
    </details>
  );
}
