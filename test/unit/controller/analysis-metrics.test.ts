// analysis_run_* series (cli-dashboard-ops.md §4.2): names, labels and values read from the
// AnalysisRun cache at scrape time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import {
  metricType,
  registerAnalysisMetrics,
  type AnalysisRunLike,
} from '../../../src/controller/analysis-metrics.ts';

const runs: AnalysisRunLike[] = [
  {
    metadata: { namespace: 'ns', name: 'r1' },
    spec: {
      metrics: [
        { name: 'success-rate', provider: { prometheus: { query: 'up' } } },
        { name: 'smoke', provider: { job: {} } },
      ],
    },
    status: {
      phase: 'Running',
      metricResults: [{ name: 'success-rate', phase: 'Successful', dryRun: true }],
    },
  },
  { metadata: { namespace: 'ns', name: 'r2' }, spec: { metrics: [] } },
];

async function scrape(): Promise<string> {
  const registry = new Registry();
  const m = registerAnalysisMetrics(registry, () => runs, [0.01, 0.15]);
  m.reconcile.observe({ namespace: 'ns', name: 'r1' }, 0.1);
  m.reconcileError.inc({ namespace: 'ns', name: 'r1' });
  return registry.metrics();
}

test('analysis_run_info: one series per run, an empty phase reported as Pending', async () => {
  const text = await scrape();
  assert.match(text, /^analysis_run_info\{namespace="ns",name="r1",phase="Running"\} 1$/m);
  assert.match(text, /^analysis_run_info\{namespace="ns",name="r2",phase="Pending"\} 1$/m);
});

test('analysis_run_phase: six series per run, 1 for the current phase', async () => {
  const lines = (await scrape()).split('\n').filter((l) => l.startsWith('analysis_run_phase{'));
  assert.equal(lines.length, 12);
  assert.ok(lines.includes('analysis_run_phase{namespace="ns",name="r1",phase="Running"} 1'));
  assert.ok(lines.includes('analysis_run_phase{namespace="ns",name="r1",phase="Failed"} 0'));
});

test('analysis_run_metric_type and _metric_phase: per metric, with type and dry_run', async () => {
  const text = await scrape();
  assert.match(
    text,
    /^analysis_run_metric_type\{namespace="ns",name="r1",metric="success-rate",type="Prometheus"\} 1$/m,
  );
  assert.match(
    text,
    /^analysis_run_metric_type\{namespace="ns",name="r1",metric="smoke",type="Job"\} 1$/m,
  );
  assert.match(
    text,
    /^analysis_run_metric_phase\{namespace="ns",name="r1",metric="success-rate",type="Prometheus",dry_run="true",phase="Successful"\} 1$/m,
  );
  assert.match(
    text,
    /^analysis_run_metric_phase\{namespace="ns",name="r1",metric="smoke",type="Job",dry_run="false",phase="Pending"\} 1$/m,
  );
});

test('analysis_run_reconcile histogram and analysis_run_reconcile_error counter', async () => {
  const text = await scrape();
  assert.match(text, /^analysis_run_reconcile_count\{namespace="ns",name="r1"\} 1$/m);
  assert.match(text, /^analysis_run_reconcile_error\{namespace="ns",name="r1"\} 1$/m);
});

test('metricType: Argo label values', () => {
  const cases: [Record<string, unknown> | undefined, string][] = [
    [{ prometheus: {} }, 'Prometheus'],
    [{ web: {} }, 'Web'],
    [{ newRelic: {} }, 'NewRelic'],
    [{ plugin: { x: {} } }, 'RPCPlugin'],
    [{ skywalking: {} }, 'skywalking'],
    [{}, 'Unknown Provider'],
    [undefined, 'Unknown Provider'],
  ];
  for (const [p, want] of cases) assert.equal(metricType(p), want);
});
