// When to reconcile the run again (analysis.md §3.12, Go calculateNextReconcileTime).
import type { AnalysisRunStatus, Metric } from '../api/analysis.ts';
import { parseDuration } from './duration.ts';
import { ERROR_RETRY_INTERVAL_MS, findResult, lastMeasurement } from './metric-tasks.ts';
import { effectiveCount } from './metric-values.ts';
import { isCompleted, timeMs } from './phase.ts';

/**
 * The earliest time a non-completed metric needs attention: the end of its initialDelay when it
 * was never measured (from startedAt, or now), the resumeAt of an in-flight measurement, or
 * the last finishedAt plus 10 s after an Error / plus `interval` otherwise while the effective
 * count is not reached. Metrics without interval and without error are not requeued; invalid
 * durations are skipped. Undefined when nothing is pending.
 */
export function nextReconcileTime(
  status: AnalysisRunStatus | undefined,
  metrics: readonly Metric[],
  now: Date,
): Date | undefined {
  let best: number | undefined;
  const consider = (t: number) => {
    if (!Number.isNaN(t) && (best === undefined || t < best)) best = t;
  };
  for (const metric of metrics) {
    const result = findResult(status, metric.name);
    if (result && isCompleted(result.phase)) continue;
    const last = lastMeasurement(result);
    if (!last) {
      if ((metric.initialDelay ?? '') !== '') {
        const d = parseDuration(metric.initialDelay ?? '');
        if (!d.ok) continue;
        const start = status?.startedAt !== undefined ? timeMs(status.startedAt) : now.getTime();
        consider(start + d.ms);
      }
      continue;
    }
    if (last.finishedAt === undefined) {
      if (last.resumeAt !== undefined) consider(timeMs(last.resumeAt));
      continue;
    }
    const count = effectiveCount(metric);
    if (count !== undefined && (result?.count ?? 0) >= count) continue;
    let intervalMs: number;
    if (last.phase === 'Error') intervalMs = ERROR_RETRY_INTERVAL_MS;
    else if ((metric.interval ?? '') !== '') {
      const d = parseDuration(metric.interval ?? '');
      if (!d.ok) continue;
      intervalMs = d.ms;
    } else continue;
    consider(timeMs(last.finishedAt) + intervalMs);
  }
  return best === undefined ? undefined : new Date(best);
}

/** Milliseconds from `now` until `next`, clamped at 0; undefined = no requeue. */
export function requeueDelayMs(next: Date | undefined, now: Date): number | undefined {
  if (next === undefined) return undefined;
  return Math.max(0, next.getTime() - now.getTime());
}
