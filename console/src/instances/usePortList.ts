// The ports of a filter, read page by page through the API's cursors: the first page at once,
// the next on request, so a region of 10,000 ports shows its first rows without waiting for the
// rest. A live change reads again as many pages as are shown, keeping them on screen meanwhile.
import { useEffect, useRef, useState } from 'react';
import { asError, type Client } from '../api';
import { type Port, type PortFilter, portsOf } from './model';

export const PORT_PAGE = 500;

export interface PortList {
  items: Port[];
  nextCursor?: string;
  loading: boolean;
  error: Error | null;
  more: () => void;
}

export function usePortList(api: Client, filter: PortFilter, refresh: unknown): PortList {
  const key = JSON.stringify(filter);
  const [list, setList] = useState<Omit<PortList, 'more'>>({ items: [], loading: true, error: null });
  const pages = useRef({ key, count: 1 });
  const generation = useRef(0);

  useEffect(() => {
    if (pages.current.key !== key) {
      pages.current = { key, count: 1 };
      setList({ items: [], loading: true, error: null });
    }
    const mine = ++generation.current;
    const wanted = pages.current.count;
    void (async () => {
      try {
        const items: Port[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < wanted; i++) {
          const page = await portsOf(api, { ...filter, cursor, limit: PORT_PAGE });
          items.push(...page.items);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        if (mine === generation.current) setList({ items, nextCursor: cursor, loading: false, error: null });
      } catch (error) {
        if (mine === generation.current)
          setList((l) => ({
            ...l,
            loading: false,
            error: asError(error),
          }));
      }
    })();
    // `key` stands for the filter's fields.
  }, [api, key, refresh]);

  const more = () => {
    const cursor = list.nextCursor;
    if (!cursor || list.loading) return;
    const mine = ++generation.current;
    setList((l) => ({ ...l, loading: true }));
    portsOf(api, { ...filter, cursor, limit: PORT_PAGE }).then(
      (page) => {
        if (mine !== generation.current) return;
        pages.current.count++;
        setList((l) => ({
          items: [...l.items, ...page.items],
          nextCursor: page.nextCursor,
          loading: false,
          error: null,
        }));
      },
      (error: unknown) => {
        if (mine === generation.current)
          setList((l) => ({
            ...l,
            loading: false,
            error: asError(error),
          }));
      },
    );
  };
  return { ...list, more };
}
