// A table whose body renders only the rows near the viewport once it is long (a group's 1,000
// rules, a region's 10,000 ports), with spacer rows keeping the scroll height. Short tables render
// every row. Rows keep aria-rowindex and the table aria-rowcount, so assistive technology knows
// where it is in the whole; `scrollTo` brings a row (a highlighted rule) into view.
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** Tables up to this many rows render whole (find-in-page works on them). */
const WHOLE_UP_TO = 200;
const ROW_HEIGHT = 38;

export interface Column {
  title: ReactNode;
  className?: string;
}

export interface VirtualTableProps<T> {
  caption: ReactNode;
  columns: Column[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** The row's cells (th/td). */
  cells: (row: T, index: number) => ReactNode;
  rowProps?: (row: T) => { id?: string; className?: string; 'aria-current'?: boolean };
  /** A key of the row to bring into view (when it changes). */
  scrollTo?: string;
  className?: string;
}

export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { caption, columns, rows, className } = props;
  return (
    <table className={className} aria-rowcount={rows.length + 1}>
      <caption>{caption}</caption>
      <thead>
        <tr aria-rowindex={1}>
          {columns.map((c, i) => (
            <th key={i} scope="col" className={c.className}>
              {c.title}
            </th>
          ))}
        </tr>
      </thead>
      {rows.length <= WHOLE_UP_TO ? <WholeBody {...props} /> : <WindowedBody {...props} />}
    </table>
  );
}

function Row<T>({ row, index, props }: { row: T; index: number; props: VirtualTableProps<T> }) {
  const extra = props.rowProps?.(row) ?? {};
  return (
    <tr {...extra} aria-rowindex={index + 2} data-key={props.rowKey(row)}>
      {props.cells(row, index)}
    </tr>
  );
}

/**
 * The row still to bring into view: `scrollTo` from when it is set until the user scrolls, clicks
 * or types (then the page is theirs). Until then the row is brought back into view whenever what
 * is above it changes size (a form, a section loading), which would otherwise push it away.
 */
function usePendingScroll(scrollTo: string | undefined) {
  const pending = useRef<string | undefined>(undefined);
  useEffect(() => {
    pending.current = scrollTo;
  }, [scrollTo]);
  useEffect(() => {
    const takeOver = () => (pending.current = undefined);
    for (const event of USER_EVENTS) window.addEventListener(event, takeOver, { passive: true });
    return () => {
      for (const event of USER_EVENTS) window.removeEventListener(event, takeOver);
    };
  }, []);
  return pending;
}

const USER_EVENTS = ['wheel', 'touchstart', 'keydown', 'mousedown'] as const;

function WholeBody<T>(props: VirtualTableProps<T>) {
  const body = useRef<HTMLTableSectionElement>(null);
  const pending = usePendingScroll(props.scrollTo);
  useEffect(() => {
    const bring = () => {
      if (pending.current === undefined) return;
      const row = body.current?.querySelector(`tr[data-key="${CSS.escape(pending.current)}"]`);
      row?.scrollIntoView({ block: 'center' });
    };
    bring();
    const observer = new ResizeObserver(bring);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, [props.scrollTo]);
  return (
    <tbody ref={body}>
      {props.rows.map((row, index) => (
        <Row key={props.rowKey(row)} row={row} index={index} props={props} />
      ))}
    </tbody>
  );
}

function WindowedBody<T>(props: VirtualTableProps<T>) {
  const { rows, rowKey, columns, scrollTo } = props;
  const body = useRef<HTMLTableSectionElement>(null);
  // Where the body starts on the page: the virtualizer counts rows from there.
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const measure = () => {
      const top = body.current?.getBoundingClientRect().top ?? 0;
      setMargin(top + window.scrollY);
    };
    measure();
    // What is above the table may grow or shrink later (another list loading, a form's error):
    // measure again whenever the page's size changes, or the rows drawn are not the ones in view.
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  const virtual = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    scrollMargin: margin,
    getItemKey: (index) => rowKey(rows[index]!),
  });
  const pending = usePendingScroll(scrollTo);
  useEffect(() => {
    if (pending.current === undefined) return;
    const index = rows.findIndex((row) => rowKey(row) === pending.current);
    if (index >= 0) virtual.scrollToIndex(index, { align: 'center' });
  }, [scrollTo, rows, margin]);
  const items = virtual.getVirtualItems();
  const before = items.length ? items[0]!.start - margin : 0;
  const after = items.length ? virtual.getTotalSize() - (items[items.length - 1]!.end - margin) : 0;
  return (
    <tbody ref={body}>
      {before > 0 && <Spacer height={before} span={columns.length} />}
      {items.map((item) => (
        <Row key={item.key} row={rows[item.index]!} index={item.index} props={props} />
      ))}
      {after > 0 && <Spacer height={after} span={columns.length} />}
    </tbody>
  );
}

function Spacer({ height, span }: { height: number; span: number }) {
  return (
    <tr aria-hidden="true" className="spacer">
      <td colSpan={span} style={{ height, padding: 0, border: 0 }} />
    </tr>
  );
}
