// Paging through an API list: the API's cursors go forward; the console remembers the way back.
import { useState } from 'react';

export function useCursors() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    pageNumber: cursors.length,
    back: () => setCursors(cursors.slice(0, -1)),
    forward: (next: string) => setCursors([...cursors, next]),
    reset: () => setCursors([undefined]),
  };
}

export function Pager({
  label,
  cursors,
  nextCursor,
}: {
  label: string;
  cursors: ReturnType<typeof useCursors>;
  nextCursor: string | undefined;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={cursors.pageNumber === 1} onClick={cursors.back}>
        Previous page
      </button>
      <button
        type="button"
        disabled={nextCursor === undefined}
        onClick={() => nextCursor && cursors.forward(nextCursor)}
      >
        Next page
      </button>
    </nav>
  );
}
