import { useEffect, useState } from 'react';

/** The current time, re-read every `ms` while `active`. */
export function useNow(ms = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    // Re-read at once: the value from before it became active may be long stale (a countdown
    // would show it for a whole tick).
    setNow(Date.now());
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms, active]);
  return now;
}

/** A JSON value kept in localStorage under `key`. */
export function useStoredState<T>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    try {
      const s = window.localStorage.getItem(key);
      return s === null ? initial : (JSON.parse(s) as T);
    } catch {
      return initial;
    }
  });
  const set = (nv: T) => {
    setV(nv);
    try {
      window.localStorage.setItem(key, JSON.stringify(nv));
    } catch {
      // storage full or disabled: keep it in memory
    }
  };
  return [v, set];
}
