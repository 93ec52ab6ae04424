// Which metrics to measure in this reconcile (analysis.md §3.5, Go generateMetricTasks), and
// whether the run is terminating (§3.5, §3.10).
import type {
  AnalysisRunSpec,
  AnalysisRunStatus,
  Measurement,
  Metric,
  MetricResult,
} from '../api/analysis.ts';
import { parseDuration } from './duration.ts';
import { effectiveCount } from './metric-values.ts';
import { isCompleted, timeMs } from './phase.ts';

/** Errored measurements are retried after this long, whatever the metric's interval. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;
/** The wait between measurements of a metric without `interval` that still needs some. */
export const DEFAULT_MEASUREMENT_INTERVAL_MS = 10_000;

export type MetricTask =
  /** Take a new measurement (provider.run). */
  | { kind: 'new'; metric: Metric }
  /** Poll the in-flight last measurement again (provider.resume). */
  | { kind: 'resume'; metric: Metric; measurement: Measurement }
  /** Stop the in-flight last measurement (provider.terminate). */
  | { kind: 'terminate'; metric: Metric; measurement: Measurement };

export function findResult(
  status: Pick<AnalysisRunStatus, 'metricResults'> | undefined,
  name: string,
): MetricResult | undefined {
  return status?.metricResults?.find((r) => r.name === name);
}

export function lastMeasurement(result: MetricResult | undefined): Measurement | undefined {
  const ms = result?.measurements;
  return ms && ms.length > 0 ? ms[ms.length - 1] : undefined;
}

/**
 * `spec.terminate`, or some metric result not marked dryRun already Failed, Error or
 * Inconclusive — read from the status as stored at the start of the pass.
 */
export function isTerminating(
  spec: Pick<AnalysisRunSpec, 'terminate'>,
  status: Pick<AnalysisRunStatus, 'metricResults'> | undefined,
): boolean {
  if (spec.terminate === true) return true;
  return (status?.metricResults ?? []).some(
    (r) =>
      r.dryRun !== true &&
      (r.phase === 'Failed' || r.phase === 'Error' || r.phase === 'Inconclusive'),
  );
}

/**
 * The tasks for this reconcile, in spec order. `metrics` are the run's metrics after arg
 * substitution (their `interval`/`initialDelay`/`count` may come from args); tasks carry them.
 */
export function generateMetricTasks(
  run: { spec: Pick<AnalysisRunSpec, 'terminate'>; status?: AnalysisRunStatus | undefined },
  metrics: readonly Metric[],
  now: Date,
): MetricTask[] {
  const t = now.getTime();
  const terminating = isTerminating(run.spec, run.status);
  const tasks: MetricTask[] = [];
  for (const metric of metrics) {
    const result = findResult(run.status, metric.name);
    if (result && isCompleted(result.phase)) continue;
    const last = lastMeasurement(result);
    if (last && last.finishedAt === undefined) {
      if (!terminating && last.resumeAt !== undefined && timeMs(last.resumeAt) > t) continue;
      tasks.push({ kind: terminating ? 'terminate' : 'resume', metric, measurement: last });
      continue;
    }
    if (terminating) continue;
    if (!last) {
      if ((metric.initialDelay ?? '') !== '') {
        if (run.status?.startedAt === undefined) continue;
        const delay = parseDuration(metric.initialDelay ?? '');
        if (!delay.ok) continue;
        if (timeMs(run.status.startedAt) + delay.ms > t) continue;
      }
      tasks.push({ kind: 'new', metric });
      continue;
    }
    const count = effectiveCount(metric);
    if (count !== undefined && (result?.count ?? 0) >= count) continue;
    let intervalMs = DEFAULT_MEASUREMENT_INTERVAL_MS;
    if (last.phase === 'Error') intervalMs = ERROR_RETRY_INTERVAL_MS;
    else if ((metric.interval ?? '') !== '') {
      const d = parseDuration(metric.interval ?? '');
      if (!d.ok) continue;
      intervalMs = d.ms;
    }
    if (t > timeMs(last.finishedAt) + intervalMs) tasks.push({ kind: 'new', metric });
  }
  return tasks;
}
