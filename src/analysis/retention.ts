// Measurement retention (analysis.md §3.11): after assessment each metric result keeps at most
// `limit` measurements — the matching measurementRetention rule's limit when > 0, else 10. The
// provider garbage-collects first (a Job provider deletes the Jobs of dropped measurements);
// counters are never touched.
import type { AnalysisRunStatus, Metric, MetricResult } from '../api/analysis.ts';

export const DEFAULT_MEASUREMENT_RETENTION = 10;

/** The limit for `metricName`; `limits` comes from rules.ts measurementRetentionLimits. */
export function retentionLimit(metricName: string, limits: ReadonlyMap<string, number>): number {
  const l = limits.get(metricName);
  return l !== undefined && l > 0 ? l : DEFAULT_MEASUREMENT_RETENTION;
}

export interface RetentionWork {
  /** The (arg-resolved) metric, for provider.garbageCollect(run, metric, limit). */
  metric: Metric;
  limit: number;
}

/**
 * The metric results holding more measurements than their limit, in status order; results
 * whose metric is no longer in the spec are skipped. Call provider.garbageCollect for each, then
 * trimMeasurements for those whose provider could be created.
 */
export function measurementsToTrim(
  status: Pick<AnalysisRunStatus, 'metricResults'> | undefined,
  metrics: readonly Metric[],
  limits: ReadonlyMap<string, number>,
): RetentionWork[] {
  const out: RetentionWork[] = [];
  for (const r of status?.metricResults ?? []) {
    const limit = retentionLimit(r.name, limits);
    if ((r.measurements ?? []).length <= limit) continue;
    const metric = metrics.find((m) => m.name === r.name);
    if (metric) out.push({ metric, limit });
  }
  return out;
}

/** `result` keeping only its newest `limit` measurements (a copy; counters unchanged). */
export function trimMeasurements(result: MetricResult, limit: number): MetricResult {
  const ms = result.measurements ?? [];
  if (ms.length <= limit) return result;
  return { ...result, measurements: ms.slice(ms.length - limit) };
}
