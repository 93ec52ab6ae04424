// A fixed number of workers over `total` numbered tasks, bounded in time (the benchmarks' load
// phases).
import { performance } from 'node:perf_hooks';

/** Runs `total` tasks with `concurrency` workers; gives up after `limitMs`. */
export async function pool(
  total: number,
  concurrency: number,
  limitMs: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  const deadline = performance.now() + limitMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        if (performance.now() > deadline) throw new Error(`phase exceeded ${limitMs} ms`);
        await task(next++);
      }
    }),
  );
}
