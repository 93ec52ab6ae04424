// Metric-gated canaries end to end (analysis.md §7): the Rollout controller and the AnalysisRun
// controller against the emulator, a REAL Prometheus (Debian's binary, 1 s scrapes) and the
// prom-client metrics app whose error rate the test sets. A healthy app promotes itself to 100%;
// an error-rate jump mid-rollout aborts and returns to stable; an unreachable Prometheus errors
// the run and aborts; an Inconclusive step pauses until promoted; the rollouts-demo analysis
// example runs with only the Prometheus address changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  FIXTURES,
  canaryRollout,
  conditionOf,
  eventsOf,
  loadYamlDocs,
  minimalService,
  ownedReplicaSets,
  promote,
  serviceSelectorOf,
  startController,
  statusOf,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { startMetricsApp, type MetricsApp } from '../../support/metrics-app.ts';
import { startPrometheus, type PrometheusHandle } from '../../support/prometheus.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const QUERY =
  'sum(rate(http_requests_total{code!~"5.."}[10s])) / sum(rate(http_requests_total[10s]))';

interface RunObject extends KubeObject {
  spec: { terminate?: boolean; args?: { name: string; value?: string }[] };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: { name: string; phase: string; count?: number; successful?: number }[];
  };
}

function template(name: string, metric: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: {
      args: [{ name: 'address' }],
      metrics: [
        {
          name: 'success-rate',
          successCondition: 'len(result) > 0 && result[0] >= 0.95',
          provider: { prometheus: { address: '{{args.address}}', query: QUERY } },
          ...metric,
        },
      ],
    },
  };
}

describe('canary analysis with a real Prometheus', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let app: MetricsApp;
  let prom: PrometheusHandle;

  before(async () => {
    app = await startMetricsApp({ errorRate: 0, ingress: 'canary-demo' });
    prom = await startPrometheus({ targets: [app.target] });
    await prom.waitForTarget();
    await eventually(
      async () => {
        const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(QUERY)}`);
        const body = (await res.json()) as { data?: { result?: unknown[] } };
        return (body.data?.result?.length ?? 0) > 0;
      },
      'the success-rate query to have data',
      30_000,
      250,
    );
    target = await openTarget({ kubeletReadyDelayMs: 50 });
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });

  after(async () => {
    await ctl?.stop();
    await target?.close();
    await prom?.stop();
    await app?.stop();
  });

  /** Until `query` (a success ratio) reads at least `min`: an earlier test's errors have left the window. */
  const waitForRatio = (query: string, min: number) =>
    eventually(
      async () => {
        const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
        return Number(body.data?.result?.[0]?.value[1]) >= min;
      },
      `${query} >= ${min}`,
      40_000,
      250,
    );

  const runs = async (ns: string): Promise<RunObject[]> =>
    (await cluster.client.list<RunObject>(cluster.path('AnalysisRun', ns))).items;
  const run = (ns: string, name: string) =>
    cluster.get('AnalysisRun', ns, name) as Promise<RunObject>;
  const hashOf = async (ns: string, name: string, revision: number) => {
    const rs = [...(await ownedReplicaSets(cluster, ns, name)).values()].find(
      (r) => r.revision === String(revision),
    );
    assert.ok(rs, `revision ${revision} ReplicaSet`);
    return rs.hash;
  };

  /** A 4-replica canary with a background success-rate analysis, deployed and Healthy. */
  async function deploy(ns: string, name: string, steps: unknown[], tmpl: KubeObject) {
    await cluster.apply(tmpl, ns);
    await cluster.apply(minimalService(`${name}-stable`, { app: name }), ns);
    await cluster.apply(
      canaryRollout({
        name,
        steps,
        canary: {
          stableService: `${name}-stable`,
          analysis: {
            templates: [{ templateName: tmpl.metadata.name }],
            args: [{ name: 'address', value: prom.url }],
          },
        },
      }),
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    // The initial deploy never starts a background run (no stable ReplicaSet yet, §7.5).
    assert.deepEqual(await runs(ns), []);
  }

  test('a healthy app: the background run measures, the canary promotes itself to 100%', async () => {
    app.setErrorRate(0);
    await waitForRatio(QUERY, 0.99);
    const ns = await target.namespace('an-ok');
    await deploy(
      ns,
      'ok',
      [
        { setWeight: 25 },
        { pause: { duration: 2 } },
        { setWeight: 50 },
        { pause: { duration: 2 } },
      ],
      template('success-rate', { interval: '1s' }),
    );
    await cluster.setImage(ns, 'ok', 'app', 'example/app:v2');
    const hash = await eventually(() => hashOf(ns, 'ok', 2).catch(() => undefined), 'new RS');
    const name = `ok-${hash}-2`;
    const created = await eventually(() => run(ns, name).catch(() => undefined), name);
    assert.equal(created.metadata.labels?.['rollout-type'], 'Background');
    assert.equal(created.metadata.labels?.['rollouts-pod-template-hash'], hash);
    assert.equal(created.metadata.labels?.app, 'ok');
    assert.equal(created.metadata.annotations?.['rollout.argoproj.io/revision'], '2');
    assert.deepEqual(created.spec.args, [{ name: 'address', value: prom.url }]);
    const owner = created.metadata.ownerReferences?.[0];
    assert.equal(owner?.kind, 'Rollout');
    assert.equal(owner?.controller, true);

    // The pass that promotes can still carry the run it reconciled just before promoting (seen
    // once in CI); the next pass cancels the run and clears the field. Wait for both, so a field
    // that is never cleared still fails.
    await eventually(
      async () => {
        const s = statusOf(await cluster.rollout(ns, 'ok'));
        const background = (
          s.canary as { currentBackgroundAnalysisRunStatus?: unknown } | undefined
        )?.currentBackgroundAnalysisRunStatus;
        return s.phase === 'Healthy' && s.stableRS === hash && background === undefined
          ? true
          : undefined;
      },
      'full promotion, and the background run status cleared',
      40_000,
    );
    // Fully promoted: the run is told to stop, and ends Successful ("Run Terminated").
    const done = await eventually(
      async () => {
        const r = await run(ns, name);
        return r.status?.phase === 'Successful' ? r : undefined;
      },
      'the run to end',
      15_000,
    );
    assert.equal(done.spec.terminate, true);
    assert.equal(done.status?.message, 'Run Terminated');
    assert.ok((done.status?.metricResults?.[0]?.successful ?? 0) >= 1);
    const reasons = (await eventsOf(cluster, ns, 'ok')).map((e) => e.reason);
    assert.ok(reasons.includes('AnalysisRunRunning'), reasons.join(','));
  });

  test('the error rate jumps mid-rollout: the run fails, the Rollout aborts back to stable', async () => {
    app.setErrorRate(0);
    await waitForRatio(QUERY, 0.99);
    const ns = await target.namespace('an-fail');
    await deploy(
      ns,
      'jump',
      [{ setWeight: 25 }, { pause: {} }],
      template('success-rate', { interval: '1s' }),
    );
    const stableHash = await hashOf(ns, 'jump', 1);
    await cluster.setImage(ns, 'jump', 'app', 'example/app:v2');
    const hash = await eventually(() => hashOf(ns, 'jump', 2).catch(() => undefined), 'new RS');
    const name = `jump-${hash}-2`;
    await eventually(
      async () =>
        ((await run(ns, name).catch(() => undefined))?.status?.metricResults?.[0]?.successful ??
          0) >= 2,
      'two good measurements',
      20_000,
    );
    await waitForPhase(cluster, ns, 'jump', 'Paused');
    app.setErrorRate(0.5);
    try {
      const ro = await eventually(
        async () => {
          const r = await cluster.rollout(ns, 'jump');
          return statusOf(r).abort === true ? r : undefined;
        },
        'the abort',
        30_000,
      );
      const s = statusOf(ro);
      const prog = conditionOf(s, 'Progressing');
      assert.equal(prog?.reason, 'RolloutAborted');
      assert.match(
        prog?.message ?? '',
        /^Rollout aborted update to revision 2: Background analysis phase error\/failed: Metric "success-rate" assessed Failed due to failed \(1\) > failureLimit \(0\)$/,
      );
      const failed = await run(ns, name);
      assert.equal(failed.status?.phase, 'Failed');
      // Traffic back to stable: canary scaled to 0, stable full, the stable Service on stable.
      await waitForPhase(cluster, ns, 'jump', 'Degraded');
      await eventually(async () => {
        const rss = [...(await ownedReplicaSets(cluster, ns, 'jump')).values()];
        const canary = rss.find((r) => r.hash === hash);
        const stable = rss.find((r) => r.hash === stableHash);
        return canary?.spec === 0 && stable?.available === 4;
      }, 'canary scaled down, stable available');
      const svc = await cluster.get('Service', ns, 'jump-stable');
      assert.equal(serviceSelectorOf(svc)['rollouts-pod-template-hash'], stableHash);
      const events = await eventsOf(cluster, ns, 'jump');
      const ev = events.find((e) => e.reason === 'AnalysisRunFailed');
      assert.equal(ev?.type, 'Warning');
      assert.equal(
        ev?.message,
        `Background Analysis Run '${name}' Status New: 'Failed' Previous: 'Running'`,
      );
      assert.ok(events.some((e) => e.reason === 'RolloutAborted'));
    } finally {
      app.setErrorRate(0);
    }
  });

  test('an unreachable Prometheus: Error measurements, the run Errors, the Rollout aborts', async () => {
    const ns = await target.namespace('an-unreach');
    await cluster.apply(template('unreachable', { interval: '1s', consecutiveErrorLimit: 1 }), ns);
    await cluster.apply(minimalService('down-stable', { app: 'down' }), ns);
    await cluster.apply(
      canaryRollout({
        name: 'down',
        steps: [{ setWeight: 25 }, { pause: {} }],
        canary: {
          stableService: 'down-stable',
          analysis: {
            templates: [{ templateName: 'unreachable' }],
            args: [{ name: 'address', value: 'http://127.0.0.1:1' }],
          },
        },
      }),
      ns,
    );
    await waitForPhase(cluster, ns, 'down', 'Healthy');
    await cluster.setImage(ns, 'down', 'app', 'example/app:v2');
    const ro = await eventually(
      async () => {
        const r = await cluster.rollout(ns, 'down');
        return statusOf(r).abort === true ? r : undefined;
      },
      'the abort',
      40_000,
    );
    const hash = await hashOf(ns, 'down', 2);
    const errored = await run(ns, `down-${hash}-2`);
    assert.equal(errored.status?.phase, 'Error');
    const prog = conditionOf(statusOf(ro), 'Progressing');
    assert.match(
      prog?.message ?? '',
      /^Rollout aborted update to revision 2: Background analysis phase error\/failed: Metric "success-rate" assessed Error due to consecutiveErrors \(2\) > consecutiveErrorLimit \(1\): "Error Message: Post "http:\/\/127\.0\.0\.1:1\/api\/v1\/query": .*connection refused"$/,
    );
  });

  test('an Inconclusive step analysis pauses the Rollout; promote continues it', async () => {
    const ns = await target.namespace('an-inconc');
    await cluster.apply(
      template('inconclusive', {
        count: 1,
        successCondition: 'len(result) > 0 && result[0] >= 0.99',
        failureCondition: 'len(result) > 0 && result[0] < 0.5',
      }),
      ns,
    );
    await cluster.apply(minimalService('inc-stable', { app: 'inc' }), ns);
    await cluster.apply(
      canaryRollout({
        name: 'inc',
        steps: [
          { setWeight: 50 },
          {
            analysis: {
              templates: [{ templateName: 'inconclusive' }],
              args: [{ name: 'address', value: prom.url }],
            },
          },
          { setWeight: 75 },
        ],
        canary: { stableService: 'inc-stable' },
      }),
      ns,
    );
    await waitForPhase(cluster, ns, 'inc', 'Healthy');
    app.setErrorRate(0.2);
    try {
      await eventually(
        async () => {
          const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(QUERY)}`);
          const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
          const v = Number(body.data?.result?.[0]?.value[1]);
          return v > 0.6 && v < 0.9;
        },
        'the success rate to settle near 0.8',
        30_000,
        250,
      );
      await cluster.setImage(ns, 'inc', 'app', 'example/app:v2');
      const hash = await eventually(() => hashOf(ns, 'inc', 2).catch(() => undefined), 'new RS');
      const ro = await eventually(
        async () => {
          const r = await cluster.rollout(ns, 'inc');
          const s = statusOf(r);
          return s.phase === 'Paused' ? r : undefined;
        },
        'the inconclusive pause',
        30_000,
      );
      const s = statusOf(ro) as ReturnType<typeof statusOf> & {
        controllerPause?: boolean;
        pauseConditions?: { reason: string }[];
        canary?: { currentStepAnalysisRunStatus?: { name: string; status: string } };
      };
      assert.equal(s.message, 'InconclusiveAnalysisRun');
      assert.equal(s.controllerPause, true);
      assert.deepEqual(
        s.pauseConditions?.map((p) => p.reason),
        ['InconclusiveAnalysisRun'],
      );
      assert.equal(s.currentStepIndex, 1);
      assert.deepEqual(s.canary?.currentStepAnalysisRunStatus, {
        name: `inc-${hash}-2-1`,
        status: 'Inconclusive',
        message:
          'Metric "success-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
      });
      const r = await run(ns, `inc-${hash}-2-1`);
      assert.equal(r.metadata.labels?.['rollout-type'], 'Step');
      assert.equal(r.metadata.labels?.['step-index'], '1');
      // `kubectl argo rollouts promote` on an inconclusive step run: skip the step.
      await cluster.patchRolloutStatus(ns, 'inc', {
        status: { pauseConditions: null, controllerPause: false, currentStepIndex: 2 },
      });
      const done = await waitForPhase(cluster, ns, 'inc', 'Healthy', () => true, 30_000);
      assert.equal(done.stableRS, hash);
    } finally {
      app.setErrorRate(0);
    }
  });

  test('rollouts-demo analysis example, unchanged except for the Prometheus address', async () => {
    app.setErrorRate(0);
    // The template's own query, over its 20 s window: the previous test's errors must be gone.
    await waitForRatio(
      'sum(rate(nginx_ingress_controller_requests{ingress="canary-demo",status!~"[4-5].*"}[20s])) / sum(rate(nginx_ingress_controller_requests{ingress="canary-demo"}[20s]))',
      0.99,
    );
    const ns = await target.namespace('an-demo');
    const dir = new URL('rollouts-demo/', FIXTURES);
    const tmpl = loadYamlDocs(new URL('analysis/analysis-success-rate.yaml', dir))[0]!;
    const prometheus = (
      tmpl.spec as { metrics: { provider: { prometheus: { address: string } } }[] }
    ).metrics[0]!.provider.prometheus;
    assert.equal(
      prometheus.address,
      'http://prometheus-operator-prometheus.prometheus-operator:9090',
    );
    prometheus.address = prom.url;
    await cluster.apply(tmpl, ns);
    for (const doc of loadYamlDocs(new URL('base/canary/canary-preview-service.yaml', dir)))
      await cluster.apply(doc, ns);
    for (const doc of loadYamlDocs(new URL('analysis/rollout-with-analysis.yaml', dir)))
      await cluster.apply(doc, ns);
    await waitForPhase(cluster, ns, 'canary-demo', 'Healthy', () => true, 30_000);
    await cluster.setImage(ns, 'canary-demo', 'canary-demo', 'argoproj/rollouts-demo:yellow');
    const hash = await eventually(
      () => hashOf(ns, 'canary-demo', 2).catch(() => undefined),
      'new RS',
    );
    const name = `canary-demo-${hash}-2`;
    // The template measures every 10 s and retries errors after 10 s: allow a few rounds on a
    // loaded machine, and say what the run looked like if it never succeeds.
    let seen: RunObject | undefined;
    const measured = await eventually(
      async () => {
        seen = await run(ns, name).catch(() => seen);
        return (seen?.status?.metricResults?.[0]?.successful ?? 0) >= 1 ? seen : undefined;
      },
      'a successful measurement of the nginx success rate',
      60_000,
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; run status: ${JSON.stringify(seen?.status)}`);
    });
    assert.deepEqual(measured.spec.args, [{ name: 'ingress', value: 'canary-demo' }]);
    await waitForPhase(cluster, ns, 'canary-demo', 'Paused');
    // Step 2 is `pause: {}`; the rest (60% → 10 s → 80% → 10 s) runs on its own.
    await promote(cluster, ns, 'canary-demo');
    const done = await eventually(
      async () => {
        const r = await cluster.rollout(ns, 'canary-demo');
        const s = statusOf(r);
        return s.phase === 'Healthy' && s.stableRS === hash ? r : undefined;
      },
      'full promotion',
      60_000,
    );
    assert.equal(statusOf(done).currentStepIndex, 6);
    const ended = await eventually(
      async () => {
        const r = await run(ns, name);
        return r.status?.phase === 'Successful' ? r : undefined;
      },
      'the background run to end',
      15_000,
    );
    assert.ok((ended.status?.metricResults?.[0]?.successful ?? 0) >= 2);
    assert.equal(ended.status?.metricResults?.[0]?.phase, 'Successful');
  });
});
