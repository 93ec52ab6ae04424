// Metric validation (analysis.md §1.8), run by the run controller on every reconcile after arg
// substitution. The first failure wins; the run then ends Error with
// `Analysis spec invalid: <message>`.
import type { Metric } from '../api/analysis.ts';
import { parseDuration } from './duration.ts';
import { intValue } from './metric-values.ts';

/** Number of providers a metric names: each set key of `provider`, each key of `plugin`. */
export function countProviders(provider: Metric['provider'] | null | undefined): number {
  if (provider === undefined || provider === null) return 0;
  let n = 0;
  for (const [key, value] of Object.entries(provider)) {
    if (value === undefined || value === null) continue;
    if (key === 'plugin') {
      if (typeof value === 'object') n += Object.keys(value).length;
    } else {
      n++;
    }
  }
  return n;
}

/** One metric's rules 1–12; the message without the `metrics[<i>]: ` prefix. */
export function validateMetric(m: Metric): string | undefined {
  const present = (v: unknown) => v !== undefined && v !== null;
  const failureLimit = intValue(m.failureLimit);
  const inconclusiveLimit = intValue(m.inconclusiveLimit);
  const consecutiveSuccessLimit = intValue(m.consecutiveSuccessLimit);
  if (consecutiveSuccessLimit < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (failureLimit < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (consecutiveSuccessLimit === 0 && failureLimit === -1) {
    return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  }
  if (inconclusiveLimit < 0) return 'inconclusiveLimit must be >= 0';
  if (present(m.consecutiveErrorLimit) && intValue(m.consecutiveErrorLimit) < 0) {
    return 'consecutiveErrorLimit must be >= 0';
  }
  if (present(m.count)) {
    const count = intValue(m.count);
    if (count > 0) {
      if (failureLimit >= 0 && count < failureLimit + consecutiveSuccessLimit) {
        return `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${consecutiveSuccessLimit}) if both >= 0`;
      }
      if (failureLimit < 0 && count < consecutiveSuccessLimit) {
        return 'count must be >= consecutiveSuccessLimit';
      }
      if (count < inconclusiveLimit) return 'count must be >= inconclusiveLimit';
    }
    if (count > 1 && (m.interval ?? '') === '') return 'interval must be specified when count > 1';
  }
  if ((m.interval ?? '') !== '') {
    const d = parseDuration(m.interval ?? '');
    if (!d.ok) return `invalid interval string: ${d.error}`;
  }
  if ((m.initialDelay ?? '') !== '') {
    const d = parseDuration(m.initialDelay ?? '');
    if (!d.ok) return `invalid startDelay string: ${d.error}`;
  }
  const providers = countProviders(m.provider);
  if (providers === 0) return 'no provider specified';
  if (providers > 1) return 'multiple providers specified';
  return undefined;
}

/**
 * The run-level check: `no metrics specified`, `metrics[<i>]: duplicate name '<name>'` (at the
 * later index), or `metrics[<i>]: <rule message>`; undefined when every metric is valid.
 */
export function validateMetrics(metrics: readonly Metric[] | undefined): string | undefined {
  if (metrics === undefined || metrics.length === 0) return 'no metrics specified';
  const seen = new Set<string>();
  for (const [i, m] of metrics.entries()) {
    if (seen.has(m.name)) return `metrics[${i}]: duplicate name '${m.name}'`;
    seen.add(m.name);
    const err = validateMetric(m);
    if (err !== undefined) return `metrics[${i}]: ${err}`;
  }
  return undefined;
}

/** The run's message when validation fails (§3.2 step 3). */
export function invalidSpecMessage(err: string): string {
  return `Analysis spec invalid: ${err}`;
}
