// A measurement's phase from the metric's conditions (analysis.md §3.7, Go EvaluateResult), and
// recording a measurement into its metric result (§3.6 steps 2, 3 (terminate), 4–6).
import type { Measurement, Metric, MetricResult } from '../api/analysis.ts';
import { redactSecrets } from './args.ts';
import type { MetricTask } from './metric-tasks.ts';
import { isCompleted, rfc3339 } from './phase.ts';

/**
 * Evaluates one condition expression (§6) against a provider result. Throws on compile or
 * runtime errors, including a non-boolean outcome; the thrown message becomes the cause.
 */
export type ConditionEvaluator = (condition: string, result: unknown) => boolean;

export interface MeasurementOutcome {
  phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
  /** Only for Error: `could not evaluate <condition> "<expr>": <cause>`. */
  message?: string;
}

/** nil, or an empty array: the cause of an evaluation error is then replaced (§3.7). */
export function isNilOrEmpty(result: unknown): boolean {
  return result === null || result === undefined || (Array.isArray(result) && result.length === 0);
}

function evalError(kind: string, expr: string, result: unknown, e: unknown): MeasurementOutcome {
  const cause = isNilOrEmpty(result)
    ? 'metric result is nil or empty: no data returned from the metric provider'
    : e instanceof Error
      ? e.message
      : String(e);
  return { phase: 'Error', message: `could not evaluate ${kind} "${expr}": ${cause}` };
}

/**
 * The measurement phase for `result`: success condition first (an error stops there), then
 * failure condition; no conditions ⇒ Successful; failure beats success; success-only false ⇒
 * Failed; failure-only false ⇒ Successful; both false ⇒ Inconclusive.
 */
export function evaluateResult(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  result: unknown,
  evaluate: ConditionEvaluator,
): MeasurementOutcome {
  const successExpr = metric.successCondition ?? '';
  const failureExpr = metric.failureCondition ?? '';
  let success = false;
  let failure = false;
  if (successExpr !== '') {
    try {
      success = evaluate(successExpr, result);
    } catch (e) {
      return evalError('successCondition', successExpr, result, e);
    }
  }
  if (failureExpr !== '') {
    try {
      failure = evaluate(failureExpr, result);
    } catch (e) {
      return evalError('failureCondition', failureExpr, result, e);
    }
  }
  if (successExpr === '' && failureExpr === '') return { phase: 'Successful' };
  if (successExpr !== '' && failureExpr === '') failure = !success;
  if (successExpr === '' && failureExpr !== '') success = !failure;
  if (failure) return { phase: 'Failed' };
  if (!success) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}

// ---------------------------------------------------------------------------------------------
// Recording

export const METRIC_TERMINATED = 'Metric Terminated';

/** Sets an int32 counter the way Go serialises it (omitempty: 0 is absent). */
function setCounter(r: MetricResult, key: CounterKey, n: number): void {
  if (n === 0) delete r[key];
  else r[key] = n;
}
type CounterKey =
  | 'count'
  | 'successful'
  | 'failed'
  | 'inconclusive'
  | 'error'
  | 'consecutiveError'
  | 'consecutiveSuccess';

/**
 * The Error measurement for a provider that could not be created (§3.6 step 2): the in-flight
 * measurement being resumed/terminated is reused, otherwise a new one starts now.
 */
export function providerErrorMeasurement(task: MetricTask, error: string, now: Date): Measurement {
  const base: Measurement =
    task.kind === 'new' ? { phase: 'Error', startedAt: rfc3339(now) } : { ...task.measurement };
  const m: Measurement = { ...base, phase: 'Error' };
  if (error === '') delete m.message;
  else m.message = error;
  return m;
}

export interface RecordOptions {
  /** Whether the metric matched a dry-run rule; only used when the result is created. */
  dryRun?: boolean;
  /** provider.getMetadata(metric), captured when the result is created (absent on provider errors). */
  metadata?: Record<string, string> | undefined;
  /** Secret values to redact from the message (args.ts). */
  secretValues?: ReadonlySet<string>;
  now: Date;
}

/**
 * `result` (undefined = the metric has none yet) after recording the provider's measurement for
 * `task`: a terminated measurement that came back Successful or Inconclusive gets the message
 * `Metric Terminated`; a completed one gets `finishedAt` (now) if missing and updates the
 * counters; the message is redacted; a new task appends, resume/terminate replace the last
 * measurement. Returns a new object; the input is not modified.
 */
export function recordMeasurement(
  result: MetricResult | undefined,
  task: MetricTask,
  measurement: Measurement,
  opts: RecordOptions,
): MetricResult {
  const m: Measurement = { ...measurement };
  if (task.kind === 'terminate' && (m.phase === 'Successful' || m.phase === 'Inconclusive')) {
    m.message = METRIC_TERMINATED;
  }
  const r: MetricResult = result
    ? { ...result, measurements: [...(result.measurements ?? [])] }
    : { name: task.metric.name, phase: 'Running' };
  if (!result) {
    if (opts.dryRun === true) r.dryRun = true;
    if (opts.metadata && Object.keys(opts.metadata).length > 0) r.metadata = { ...opts.metadata };
  }
  if (isCompleted(m.phase)) {
    if (m.finishedAt === undefined) m.finishedAt = rfc3339(opts.now);
    const n = (k: CounterKey) => r[k] ?? 0;
    switch (m.phase) {
      case 'Successful':
        setCounter(r, 'successful', n('successful') + 1);
        setCounter(r, 'count', n('count') + 1);
        setCounter(r, 'consecutiveError', 0);
        setCounter(r, 'consecutiveSuccess', n('consecutiveSuccess') + 1);
        break;
      case 'Failed':
        setCounter(r, 'failed', n('failed') + 1);
        setCounter(r, 'count', n('count') + 1);
        setCounter(r, 'consecutiveError', 0);
        setCounter(r, 'consecutiveSuccess', 0);
        break;
      case 'Inconclusive':
        setCounter(r, 'inconclusive', n('inconclusive') + 1);
        setCounter(r, 'count', n('count') + 1);
        setCounter(r, 'consecutiveError', 0);
        setCounter(r, 'consecutiveSuccess', 0);
        break;
      case 'Error':
        setCounter(r, 'error', n('error') + 1);
        setCounter(r, 'consecutiveError', n('consecutiveError') + 1);
        setCounter(r, 'consecutiveSuccess', 0);
        break;
    }
  }
  if (m.message !== undefined) {
    m.message = redactSecrets(m.message, opts.secretValues ?? new Set());
    if (m.message === '') delete m.message;
  }
  const list = r.measurements ?? [];
  if (task.kind === 'new' || list.length === 0) list.push(m);
  else list[list.length - 1] = m;
  r.measurements = list;
  return r;
}
