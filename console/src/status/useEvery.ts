// A counter that grows every `ms` while the tab is visible (and once when it becomes visible
// again), for useLoad's refresh key: a page that polls stops polling in a hidden tab.
import { useEffect, useState } from 'react';

export function useEvery(ms: number): number {
  const [ticks, setTicks] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const tick = () => setTicks((n) => n + 1);
    const start = () => {
      if (timer === undefined && !document.hidden) timer = setInterval(tick, ms);
    };
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.hidden) stop();
      else {
        tick();
        start();
      }
    };
    start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [ms]);
  return ticks;
}
