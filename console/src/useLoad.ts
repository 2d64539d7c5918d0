// One API read per set of inputs: its data, its error, and whether it is on its way.
import { asError } from './api';
import { useEffect, useRef, useState } from 'react';

export type Load<T> =
  | { state: 'loading' }
  | { state: 'done'; data: T; reload: () => void }
  | { state: 'failed'; error: Error; reload: () => void };

/**
 * Read again when `deps` change (showing "loading" meanwhile), and when `refresh` changes
 * (a live change, a save: the data on screen stays until the new answer replaces it, so forms
 * and scroll positions survive). `reload()` reads again the same way.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], refresh: unknown = 0): Load<T> {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  const [again, setAgain] = useState(0);
  const reload = useRef(() => setAgain((n) => n + 1)).current;
  const shown = useRef<unknown[] | null>(null);
  useEffect(() => {
    let current = true;
    // New inputs: what is on screen is about something else.
    const same = shown.current !== null && shown.current.every((d, i) => Object.is(d, deps[i]));
    if (!same) setResult({ state: 'loading' });
    shown.current = [...deps];
    load().then(
      (data) => current && setResult({ state: 'done', data, reload }),
      (error: unknown) =>
        current &&
        setResult({
          state: 'failed',
          error: asError(error),
          reload,
        }),
    );
    return () => {
      current = false;
    };
    // The caller names what the load depends on (as with useEffect).
  }, [...deps, refresh, again]);
  return result;
}
