// A list the API pages with cursors, as every list page shows it: "Loading …", the API's refusal,
// or the table captioned with its page number (or "No …") and the pager below it.
import type { ReactElement } from 'react';
import type { Page } from '../api';
import type { Load } from '../useLoad';
import type { Column } from '../VirtualTable';
import { Pager, type useCursors } from './Pager';
import { Failure, Loading } from './Status';

export interface PagedTableProps<T> {
  load: Load<Page<T>>;
  /** What the list holds, plural and lower-case ("security groups"): caption, pager and loading text. */
  noun: string;
  columns: Column[];
  /** One item's row (a <tr> with its key). */
  row: (item: T) => ReactElement;
  cursors: ReturnType<typeof useCursors>;
}

export function PagedTable<T>({ load, noun, columns, row, cursors }: PagedTableProps<T>) {
  if (load.state === 'loading') return <Loading what={noun} />;
  if (load.state === 'failed') return <Failure error={load.error} />;
  const { items, nextCursor } = load.data;
  const title = noun.charAt(0).toUpperCase() + noun.slice(1);
  return (
    <>
      <table>
        <caption>{items.length === 0 ? `No ${noun}` : `${title}, page ${cursors.pageNumber}`}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={c.className}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{items.map(row)}</tbody>
      </table>
      <Pager label={`Pages of ${noun}`} cursors={cursors} nextCursor={nextCursor} />
    </>
  );
}
