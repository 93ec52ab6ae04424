// A metric's phase from its counters and last measurement (analysis.md §3.8, Go
// assessMetricStatus / assessMetricFailureInconclusiveOrError).
import type { Metric, MetricResult } from '../api/analysis.ts';
import {
  consecutiveErrorLimit,
  consecutiveSuccessLimit,
  effectiveCount,
  failureLimit,
  inconclusiveLimit,
} from './metric-values.ts';
import { isCompleted } from './phase.ts';

export interface LimitCheck {
  phase: 'Failed' | 'Inconclusive' | 'Error';
  /** `failed (%d) > failureLimit (%d)`, `inconclusive (%d) > inconclusiveLimit (%d)` or
   * `consecutiveErrors (%d) > consecutiveErrorLimit (%d)`. */
  message: string;
}

/**
 * The limit checks of §3.8 step 4, in order, a later one overriding an earlier one (so Error >
 * Inconclusive > Failed when several trip). `failureLimit: -1` disables the first check; the
 * comparisons are strictly greater-than. Undefined when nothing tripped.
 */
export function checkLimits(
  metric: Pick<Metric, 'failureLimit' | 'inconclusiveLimit' | 'consecutiveErrorLimit'>,
  result: Pick<MetricResult, 'failed' | 'inconclusive' | 'consecutiveError'>,
): LimitCheck | undefined {
  let out: LimitCheck | undefined;
  const failed = result.failed ?? 0;
  const fl = failureLimit(metric);
  if (fl >= 0 && failed > fl) {
    out = { phase: 'Failed', message: `failed (${failed}) > failureLimit (${fl})` };
  }
  const inconclusive = result.inconclusive ?? 0;
  const il = inconclusiveLimit(metric);
  if (inconclusive > il) {
    out = {
      phase: 'Inconclusive',
      message: `inconclusive (${inconclusive}) > inconclusiveLimit (${il})`,
    };
  }
  const consecutiveError = result.consecutiveError ?? 0;
  const cel = consecutiveErrorLimit(metric);
  if (consecutiveError > cel) {
    out = {
      phase: 'Error',
      message: `consecutiveErrors (${consecutiveError}) > consecutiveErrorLimit (${cel})`,
    };
  }
  return out;
}

/**
 * The metric's phase (§3.8). A completed result keeps its phase; no measurements ⇒ Successful
 * when terminating, else Pending; an in-flight last measurement ⇒ Running; then the limits; then
 * a reached consecutiveSuccessLimit ⇒ Successful; then an exhausted effective count ⇒
 * Inconclusive (failureLimit ≥ 0 and consecutiveSuccessLimit > 0), Failed (only
 * consecutiveSuccessLimit applies) or Successful; otherwise Successful when terminating, else
 * Running. Returns the stored phase string unchanged when it is completed.
 */
export function assessMetricStatus(
  metric: Metric,
  result: MetricResult,
  terminating: boolean,
): string {
  if (isCompleted(result.phase)) return result.phase;
  const ms = result.measurements ?? [];
  const last = ms[ms.length - 1];
  if (last === undefined) return terminating ? 'Successful' : 'Pending';
  if (!isCompleted(last.phase)) return 'Running';
  const limit = checkLimits(metric, result);
  if (limit) return limit.phase;
  const csl = consecutiveSuccessLimit(metric);
  if (csl > 0 && (result.consecutiveSuccess ?? 0) >= csl) return 'Successful';
  const count = effectiveCount(metric);
  if (count !== undefined && (result.count ?? 0) >= count) {
    const failureApplicable =
      metric.failureLimit === undefined ||
      metric.failureLimit === null ||
      failureLimit(metric) >= 0;
    const successApplicable = csl > 0;
    if (failureApplicable && successApplicable) return 'Inconclusive';
    if (successApplicable) return 'Failed';
    return 'Successful';
  }
  return terminating ? 'Successful' : 'Running';
}
