// §3.15 worked example, step by step, through the pure core wired the way the run controller
// wires it (§3.2–3.12): resolve args, validate, rules, tasks, measure, record, assess, trim,
// requeue. The Prometheus provider is a stub returning queued values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisRun, AnalysisRunStatus, Metric } from '../../../src/api/analysis.ts';
import { resolveMetricArgs, unresolvableArgsMessage } from '../../../src/analysis/args.ts';
import {
  evaluateResult,
  recordMeasurement,
  type ConditionEvaluator,
} from '../../../src/analysis/measurement.ts';
import { findResult, generateMetricTasks } from '../../../src/analysis/metric-tasks.ts';
import { isCompleted, rfc3339 } from '../../../src/analysis/phase.ts';
import { measurementsToTrim, trimMeasurements } from '../../../src/analysis/retention.ts';
import { nextReconcileTime } from '../../../src/analysis/requeue.ts';
import { dryRunMetrics, measurementRetentionLimits } from '../../../src/analysis/rules.ts';
import { assessRunStatus, errorRun, type AnalysisEvent } from '../../../src/analysis/run-phase.ts';
import { invalidSpecMessage, validateMetrics } from '../../../src/analysis/validate-metrics.ts';
import { at, ts } from './helpers.ts';

/** Only the one condition of the example. */
const evaluate: ConditionEvaluator = (cond, result) => {
  assert.equal(cond, 'result[0] >= 0.95');
  return (result as number[])[0]! >= 0.95;
};

interface Step {
  run: AnalysisRun;
  queries: string[];
  next: string | undefined;
  events: AnalysisEvent[];
}

/** One reconcile. `values` is what the stub Prometheus answers, in order. */
function reconcile(run: AnalysisRun, now: Date, values: number[]): Step {
  const queries: string[] = [];
  if (isCompleted(run.status?.phase)) return { run, queries, next: undefined, events: [] };
  const resolved = resolveMetricArgs(run.spec.metrics, run.spec.args);
  const fail = (msg: string): Step => {
    const e = errorRun(run.status, msg);
    return { run: { ...run, status: e.status }, queries, next: undefined, events: e.events };
  };
  if (!resolved.ok) return fail(unresolvableArgsMessage(resolved.error));
  const metrics: Metric[] = resolved.value.metrics;
  const invalid = validateMetrics(metrics);
  if (invalid) return fail(invalidSpecMessage(invalid));
  const dry = dryRunMetrics(run.spec.dryRun, metrics);
  if (!dry.ok) return fail(invalidSpecMessage(dry.error));
  const limits = measurementRetentionLimits(run.spec.measurementRetention, metrics);
  if (!limits.ok) return fail(invalidSpecMessage(limits.error));

  let status: AnalysisRunStatus = { ...(run.status ?? { phase: '' }) };
  status.metricResults = [...(status.metricResults ?? [])];
  for (const task of generateMetricTasks(run, metrics, now)) {
    assert.equal(task.kind, 'new');
    queries.push(task.metric.provider.prometheus?.query ?? '');
    const value = values.shift();
    assert.ok(value !== undefined, 'unexpected measurement');
    const outcome = evaluateResult(task.metric, [value], evaluate);
    const m = {
      ...outcome,
      startedAt: rfc3339(now),
      finishedAt: rfc3339(now),
      value: `[${value}]`,
    };
    const prev = findResult(status, task.metric.name);
    const next = recordMeasurement(prev, task, m, { now, dryRun: dry.value.has(task.metric.name) });
    status.metricResults = prev
      ? status.metricResults.map((r) => (r === prev ? next : r))
      : [...status.metricResults, next];
  }
  const a = assessRunStatus({ spec: run.spec, status }, metrics, dry.value, now);
  status = a.status;
  for (const w of measurementsToTrim(status, metrics, limits.value)) {
    status.metricResults = status.metricResults?.map((r) =>
      r.name === w.metric.name ? trimMeasurements(r, w.limit) : r,
    );
  }
  const next = isCompleted(status.phase) ? undefined : nextReconcileTime(status, metrics, now);
  return {
    run: { ...run, status },
    queries,
    next: next && rfc3339(next),
    events: a.events,
  };
}

const template: AnalysisRun = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'guestbook-6c54544bf9-2-1', namespace: 'default' },
  spec: {
    args: [{ name: 'service-name', value: 'guestbook-svc' }],
    metrics: [
      {
        name: 'success-rate',
        interval: '5m',
        successCondition: 'result[0] >= 0.95',
        failureLimit: 3,
        provider: {
          prometheus: {
            address: 'http://prometheus:9090',
            query: 'sum(rate(requests{service="{{args.service-name}}",code!~"5.."}[5m]))',
          },
        },
      },
    ],
  },
};

const result0 = (s: Step) => s.run.status?.metricResults?.[0];

test('§3.15: Successful, then three failures within failureLimit 3, then the 4th fails the run', () => {
  // t0: no results ⇒ first measurement 0.97 ⇒ Successful; startedAt = t0; metric and run Running.
  let s = reconcile(template, at(0), [0.97]);
  assert.deepEqual(s.queries, ['sum(rate(requests{service="guestbook-svc",code!~"5.."}[5m]))']);
  assert.equal(s.run.status?.startedAt, ts(0));
  assert.equal(s.run.status?.phase, 'Running');
  assert.equal(s.run.status?.message, undefined);
  assert.equal(result0(s)?.phase, 'Running');
  assert.deepEqual(
    result0(s)?.measurements?.map((m) => [m.phase, m.value]),
    [['Successful', '[0.97]']],
  );
  assert.deepEqual(s.run.status?.runSummary, { count: 1 });
  assert.equal(s.next, ts(300)); // requeue t0 + 5m

  // At exactly t0+5m nothing is due yet ("strictly after finishedAt + interval").
  const early = reconcile(s.run, at(300), []);
  assert.deepEqual(early.queries, []);
  assert.equal(early.next, ts(300));

  // 0.9, 0.8, 0.85 ⇒ Failed ×3: 3 ≤ failureLimit 3, still Running.
  let t = 301;
  for (const [i, v] of [0.9, 0.8, 0.85].entries()) {
    s = reconcile(s.run, at(t), [v]);
    assert.equal(s.queries.length, 1);
    assert.equal(result0(s)?.failed, i + 1);
    assert.equal(result0(s)?.phase, 'Running');
    assert.equal(s.run.status?.phase, 'Running');
    assert.equal(s.next, ts(t + 300));
    t += 301;
  }
  assert.deepEqual(
    result0(s)?.measurements?.map((m) => m.phase),
    ['Successful', 'Failed', 'Failed', 'Failed'],
  );
  assert.equal(result0(s)?.count, 4);

  // A 4th failure ⇒ metric Failed (failed (4) > failureLimit (3)) ⇒ run Failed.
  s = reconcile(s.run, at(t), [0.7]);
  assert.equal(result0(s)?.phase, 'Failed');
  assert.equal(s.run.status?.phase, 'Failed');
  assert.equal(
    s.run.status?.message,
    'Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
  );
  assert.equal(s.run.status?.completedAt, ts(t));
  assert.deepEqual(s.run.status?.runSummary, { count: 1, failed: 1 });
  assert.deepEqual(
    s.events.map((e) => `${e.type} ${e.reason}`),
    ['Warning MetricFailed', 'Warning AnalysisRunFailed'],
  );
  assert.equal(s.next, undefined);

  // A completed run does not change any more (§3.1).
  const after = reconcile(s.run, at(t + 1000), []);
  assert.equal(after.run, s.run);
});

test('§3.15: if the Rollout finishes first it sets terminate ⇒ next reconcile Successful, "Run Terminated"', () => {
  let s = reconcile(template, at(0), [0.97]);
  s = reconcile(s.run, at(301), [0.9]);
  assert.equal(s.run.status?.phase, 'Running');
  const terminated: AnalysisRun = { ...s.run, spec: { ...s.run.spec, terminate: true } };
  s = reconcile(terminated, at(400), []);
  assert.deepEqual(s.queries, []); // no new measurements while terminating
  assert.equal(result0(s)?.phase, 'Successful'); // indefinite metric, no limit tripped
  assert.equal(s.run.status?.phase, 'Successful');
  assert.equal(s.run.status?.message, 'Run Terminated');
  assert.equal(s.run.status?.completedAt, ts(400));
  assert.deepEqual(
    s.events.map((e) => e.reason),
    ['MetricSuccessful', 'AnalysisRunSuccessful'],
  );
});

test('§3.2: early exits set Error without startedAt/completedAt', () => {
  const unresolved = reconcile({ ...template, spec: { ...template.spec, args: [] } }, at(0), []);
  assert.equal(unresolved.run.status?.phase, 'Error');
  assert.equal(
    unresolved.run.status?.message,
    'Unable to resolve metric arguments: failed to resolve {{args.service-name}}',
  );
  assert.equal(unresolved.run.status?.startedAt, undefined);
  assert.equal(unresolved.run.status?.completedAt, undefined);
  const badDry = reconcile(
    { ...template, spec: { ...template.spec, dryRun: [{ metricName: '*' }] } },
    at(0),
    [],
  );
  assert.equal(
    badDry.run.status?.message,
    "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)",
  );
  const badCount = reconcile(
    {
      ...template,
      spec: {
        ...template.spec,
        args: [...(template.spec.args ?? []), { name: 'n', value: '4' }],
        metrics: template.spec.metrics.map((m) => ({
          ...m,
          interval: undefined,
          count: '{{args.n}}',
        })),
      },
    },
    at(0),
    [],
  );
  assert.equal(
    badCount.run.status?.message,
    'Analysis spec invalid: metrics[0]: interval must be specified when count > 1',
  );
});

test('retention: measurements beyond the default 10 are trimmed, counters keep counting', () => {
  const indefinite: AnalysisRun = {
    ...template,
    spec: {
      ...template.spec,
      metrics: template.spec.metrics.map((m) => ({ ...m, interval: '1s' })),
    },
  };
  let s = reconcile(indefinite, at(0), [0.99]);
  for (let i = 1; i <= 11; i++) s = reconcile(s.run, at(i * 2), [0.99]);
  assert.equal(result0(s)?.measurements?.length, 10);
  assert.equal(result0(s)?.count, 12);
  assert.equal(result0(s)?.measurements?.[0]?.startedAt, ts(4));
});
