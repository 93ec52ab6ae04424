// Polling helpers for the start-up sequence: wait for an HTTP endpoint or a condition, giving up
// early when a child the wait depends on has exited or the demo is being stopped.
import type { DemoChild } from './processes.ts';

export class Cancelled extends Error {
  override readonly name = 'Cancelled';
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Give up when this child exits. */
  child?: DemoChild;
  /** Give up (Cancelled) when this returns true. */
  cancelled?: () => boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a value other than undefined. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, o: WaitOptions): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    if (o.cancelled?.()) throw new Cancelled(o.what);
    if (o.child && !o.child.running)
      throw new Error(`${o.child.name} exited while waiting for ${o.what}`);
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${o.timeoutMs / 1000} s waiting for ${o.what}${last ? ` (${last})` : ''}`,
      );
    await sleep(o.intervalMs ?? 100);
  }
}

/** The HTTP status of a GET, or undefined when nothing answers. */
export async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

/** Waits until a GET of url answers 2xx/3xx. */
export function waitForHttp(url: string, o: WaitOptions): Promise<number> {
  return waitFor(async () => {
    const s = await httpStatus(url);
    return s !== undefined && s < 400 ? s : undefined;
  }, o);
}
