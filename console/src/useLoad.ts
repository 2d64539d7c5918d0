// One API read per set of inputs: its data, its error, and whether it is on its way.
import { useEffect, useState } from 'react';

export type Load<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; error: Error };

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Load<T> {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading' });
    load().then(
      (data) => current && setResult({ state: 'done', data }),
      (error: unknown) =>
        current &&
        setResult({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
    // The caller names what the load depends on (as with useEffect).
  }, deps);
  return result;
}
