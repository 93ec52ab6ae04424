// One reconcile of an AnalysisRun (analysis.md §3.1–3.14): the pure decisions of the other
// modules in this folder, put in order, with the provider calls in between. The caller owns the
// API: it reads the run and its secrets, persists the returned status, records the events,
// deletes the run when TTL says so, and requeues.
import type {
  AnalysisRun,
  AnalysisRunStatus,
  Measurement,
  Metric,
  MetricResult,
} from '../api/analysis.ts';
import {
  redactSecrets,
  resolveMetricArgs,
  unresolvableArgsMessage,
  type SecretLookup,
} from './args.ts';
import { recordMeasurement, providerErrorMeasurement } from './measurement.ts';
import { generateMetricTasks, findResult, type MetricTask } from './metric-tasks.ts';
import { isCompleted } from './phase.ts';
import type {
  ConditionEvaluator,
  MetricProvider,
  ProviderContext,
  StoredMeasurement,
} from './providers/provider.ts';
import { nextReconcileTime, requeueDelayMs } from './requeue.ts';
import { measurementsToTrim, trimMeasurements } from './retention.ts';
import { dryRunMetrics, measurementRetentionLimits } from './rules.ts';
import { assessRunStatus, errorRun, type AnalysisEvent } from './run-phase.ts';
import { isTtlExpired, ttlExpiresAt } from './ttl.ts';
import { invalidSpecMessage, validateMetrics } from './validate-metrics.ts';

/** The provider for a metric, or the error text when none can serve it. */
export type ProviderLookup = (metric: Metric) => MetricProvider | string;

export interface ReconcileDeps {
  providers: ProviderLookup;
  /** Secrets of the run's namespace, read fresh for this reconcile. */
  secrets: SecretLookup;
  evaluate: ConditionEvaluator;
  now: () => Date;
  signal?: AbortSignal;
  /** Problems worth a log line that do not change the status (garbage collection). */
  warn?: (message: string, meta: Record<string, unknown>) => void;
}

export interface ReconcileOutcome {
  /** The status to persist (equal to the stored one when nothing changed). */
  status: AnalysisRunStatus | undefined;
  events: AnalysisEvent[];
  requeueAfterMs?: number;
  /** TTL expired: delete the run. */
  delete?: boolean;
}

type Run = Pick<AnalysisRun, 'metadata' | 'spec' | 'status'>;

/** The names of the Secrets the run's args read (so the caller can fetch them first). */
export function referencedSecrets(run: Pick<AnalysisRun, 'spec'>): string[] {
  const names = new Set<string>();
  for (const a of run.spec.args ?? []) {
    const ref = a.valueFrom?.secretKeyRef;
    if (ref) names.add(ref.name);
  }
  return [...names];
}

export async function reconcileAnalysisRun(
  run: Run,
  deps: ReconcileDeps,
): Promise<ReconcileOutcome> {
  const now = deps.now();
  const stored = run.status;
  if (isCompleted(stored?.phase)) return completedRun(run, now);

  const early = (message: string): ReconcileOutcome => {
    const r = errorRun(stored, message);
    return { status: r.status, events: r.events };
  };
  // §3.2 steps 2–5: everything that can be decided without reading secrets.
  const plain = resolveMetricArgs(run.spec.metrics, run.spec.args);
  if (!plain.ok) return early(unresolvableArgsMessage(plain.error));
  const metrics = plain.value.metrics;
  const invalid = validateMetrics(metrics);
  if (invalid !== undefined) return early(invalidSpecMessage(invalid));
  const dry = dryRunMetrics(run.spec.dryRun, metrics);
  if (!dry.ok) return early(invalidSpecMessage(dry.error));
  const retention = measurementRetentionLimits(run.spec.measurementRetention, metrics);
  if (!retention.ok) return early(invalidSpecMessage(retention.error));

  let status: AnalysisRunStatus = {
    ...(stored ?? { phase: '' }),
    metricResults: stored?.metricResults ?? [],
  };
  // §3.3: secrets are read on every reconcile of a live run, so a missing Secret ends the run
  // even while no measurement is due (initialDelay, between intervals, terminating).
  const withSecrets = resolveMetricArgs(run.spec.metrics, run.spec.args, {
    secrets: deps.secrets,
  });
  if (!withSecrets.ok) return early(unresolvableArgsMessage(withSecrets.error));
  const secretValues = withSecrets.value.secretValues;
  const tasks = generateMetricTasks({ spec: run.spec, status }, metrics, now);
  if (tasks.length > 0) {
    // §3.6 step 1: the metrics as measured carry the real secret values.
    const byName = new Map(withSecrets.value.metrics.map((m) => [m.name, m]));
    const ctx: ProviderContext = {
      run: { ...run, status },
      evaluate: deps.evaluate,
      now: deps.now,
      ...(deps.signal ? { signal: deps.signal } : {}),
    };
    const measured = await Promise.all(
      tasks.map((task) =>
        measure({ ...task, metric: byName.get(task.metric.name) ?? task.metric }, deps, ctx),
      ),
    );
    const results = [...(status.metricResults ?? [])];
    for (const [i, task] of tasks.entries()) {
      const m = measured[i];
      if (!m) continue;
      const idx = results.findIndex((r) => r.name === task.metric.name);
      const next = recordMeasurement(results[idx], task, m.measurement, {
        dryRun: dry.value.has(task.metric.name),
        metadata: redactMetadata(m.metadata, secretValues),
        secretValues,
        now: deps.now(),
      });
      if (idx >= 0) results[idx] = next;
      else results.push(next);
    }
    status = { ...status, metricResults: results };
  }

  const assessed = assessRunStatus({ spec: run.spec, status }, metrics, dry.value, deps.now());
  status = assessed.status;
  status = await collectGarbage(run, status, metrics, retention.value, deps);

  const outcome: ReconcileOutcome = { status, events: assessed.events };
  if (isCompleted(status.phase)) {
    const expires = ttlExpiresAt({ spec: run.spec, status });
    if (expires) outcome.requeueAfterMs = Math.max(0, expires.getTime() - now.getTime());
  } else {
    const delay = requeueDelayMs(nextReconcileTime(status, metrics, deps.now()), deps.now());
    if (delay !== undefined) outcome.requeueAfterMs = delay;
  }
  return outcome;
}

/** §3.1: a completed run only waits for its TTL. */
function completedRun(run: Run, now: Date): ReconcileOutcome {
  const ttlRun = { spec: run.spec, status: run.status };
  if (isTtlExpired(ttlRun, now)) return { status: run.status, events: [], delete: true };
  const expires = ttlExpiresAt(ttlRun);
  return expires
    ? {
        status: run.status,
        events: [],
        requeueAfterMs: Math.max(0, expires.getTime() - now.getTime()),
      }
    : { status: run.status, events: [] };
}

interface Measured {
  measurement: Measurement;
  metadata: Record<string, string> | undefined;
}

/** §3.6 steps 1–3 for one task. Providers never reject; a thrown bug still becomes an Error. */
async function measure(task: MetricTask, deps: ReconcileDeps, ctx: ProviderContext) {
  const provider = deps.providers(task.metric);
  if (typeof provider === 'string') {
    return {
      measurement: providerErrorMeasurement(task, provider, deps.now()),
      metadata: undefined,
    } satisfies Measured;
  }
  let m: StoredMeasurement;
  try {
    if (task.kind === 'new') m = await provider.run(task.metric, ctx);
    else if (task.kind === 'resume') m = await provider.resume(task.metric, task.measurement, ctx);
    else m = await provider.terminate(task.metric, task.measurement, ctx);
  } catch (e) {
    m = providerErrorMeasurement(task, e instanceof Error ? e.message : String(e), deps.now());
  }
  let metadata: Record<string, string> | undefined;
  try {
    metadata = provider.getMetadata?.(task.metric);
  } catch {
    metadata = undefined; // metadata is informational; a provider bug must not stop the run
  }
  return { measurement: m, metadata } satisfies Measured;
}

function redactMetadata(
  metadata: Record<string, string> | undefined,
  secretValues: ReadonlySet<string>,
): Record<string, string> | undefined {
  if (!metadata) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) out[k] = redactSecrets(v, secretValues);
  return out;
}

/** §3.11: provider garbage collection, then trimming; a provider problem skips the trim. */
async function collectGarbage(
  run: Run,
  status: AnalysisRunStatus,
  metrics: readonly Metric[],
  limits: ReadonlyMap<string, number>,
  deps: ReconcileDeps,
): Promise<AnalysisRunStatus> {
  const work = measurementsToTrim(status, metrics, limits);
  if (work.length === 0) return status;
  const results: MetricResult[] = [...(status.metricResults ?? [])];
  for (const { metric, limit } of work) {
    const provider = deps.providers(metric);
    if (typeof provider === 'string') {
      deps.warn?.('cannot trim measurements', { metric: metric.name, error: provider });
      continue;
    }
    const err = await provider.garbageCollect?.(metric, limit, {
      run: { ...run, status },
      evaluate: deps.evaluate,
      now: deps.now,
    });
    if (err) deps.warn?.('measurement garbage collection failed', { error: err.message });
    const idx = results.findIndex((r) => r.name === metric.name);
    const r = findResult(status, metric.name);
    if (idx >= 0 && r) results[idx] = trimMeasurements(r, limit);
  }
  return { ...status, metricResults: results };
}
