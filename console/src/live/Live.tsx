// Live pages: one change stream per session, shared by every page through a context. A page
// asks `useChanges()` for a number that grows with each change it cares about and passes it to
// `useLoad` as the refresh key, so a change made elsewhere (the CLI, a cloud's API, another tab)
// appears without a reload.
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { Client } from '../api';
import { type Change, followChanges } from './changes';

type Listener = (change: Change) => void;

interface Stream {
  subscribe: (listener: Listener) => () => void;
  connected: boolean;
}

const LiveContext = createContext<Stream>({ subscribe: () => () => undefined, connected: false });

export function LiveProvider({ api, children }: { api: Client; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const stop = new AbortController();
    void followChanges(
      api,
      stop.signal,
      (change) => listeners.current.forEach((listener) => listener(change)),
      setConnected,
    );
    return () => stop.abort();
  }, [api]);
  const stream = useMemo<Stream>(
    () => ({
      subscribe: (listener) => {
        listeners.current.add(listener);
        return () => void listeners.current.delete(listener);
      },
      connected,
    }),
    [connected],
  );
  return <LiveContext.Provider value={stream}>{children}</LiveContext.Provider>;
}

/**
 * A counter of the changes `relevant` accepts (default: every change), for useLoad's refresh key.
 * `relevant` may change between renders; the latest one is used.
 */
export function useChanges(relevant?: (change: Change) => boolean): number {
  const { subscribe } = useContext(LiveContext);
  const [count, setCount] = useState(0);
  const filter = useRef(relevant);
  filter.current = relevant;
  useEffect(
    () =>
      subscribe((change) => {
        if (!filter.current || filter.current(change)) setCount((n) => n + 1);
      }),
    [subscribe],
  );
  return count;
}

/** Whether the change stream is connected (the header's "Live" badge). */
export const useLiveState = () => useContext(LiveContext).connected;

/** A change that touches the region `regionId`. */
export const inRegion = (regionId: string) => (change: Change) => change.regionId === regionId;

/** A change that touches the group `groupId` (its own record or one of its rules). */
export const touchesGroup = (groupId: string) => (change: Change) =>
  change.events.some(
    (e) =>
      e.groupId === groupId ||
      (e.op === 'group.put' && (e as { group?: { id?: string } }).group?.id === groupId) ||
      (e.op === 'group.delete' && e.id === groupId),
  );
