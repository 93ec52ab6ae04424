import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ControllerMetrics,
  metricPhaseOf,
  startOpsServers,
  strategyOf,
  trafficRouterOf,
  type RolloutLike,
} from '../../../src/controller/metrics.ts';
import { WorkQueue } from '../../../src/controller/work-queue.ts';
import { requestInfo } from '../../../src/kube/raw-client.ts';
import { eventually } from '../../support/target.ts';

const canary: RolloutLike = {
  metadata: { namespace: 'prod', name: 'web' },
  spec: {
    replicas: 5,
    strategy: { canary: { trafficRouting: { nginx: { stableIngress: 'web' } } } },
  },
  status: {
    replicas: 5,
    availableReplicas: 3,
    updatedReplicas: 2,
    conditions: [
      { type: 'Available', status: 'True', reason: 'AvailableReason' },
      { type: 'Progressing', status: 'True', reason: 'RolloutPaused' },
    ],
  },
};

const blueGreen: RolloutLike = {
  metadata: { namespace: 'prod', name: 'api' },
  spec: { strategy: { blueGreen: { activeService: 'api' } } },
  status: {
    replicas: 1,
    availableReplicas: 1,
    updatedReplicas: 1,
    conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
  },
};

/** The sample lines of one metric family, without HELP/TYPE. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .sort();
}

describe('metric label derivation', () => {
  test('strategy', () => {
    assert.equal(strategyOf(canary), 'canary');
    assert.equal(strategyOf(blueGreen), 'blueGreen');
    assert.equal(strategyOf({ metadata: {} }), 'none');
  });

  test('traffic_router: the last set in ALB, Ambassador, Istio, Nginx, SMI, AppMesh order', () => {
    const withTr = (trafficRouting: Record<string, unknown>): RolloutLike => ({
      metadata: {},
      spec: { strategy: { canary: { trafficRouting } } },
    });
    assert.equal(trafficRouterOf(canary), 'Nginx');
    assert.equal(trafficRouterOf(blueGreen), '');
    assert.equal(trafficRouterOf(withTr({ alb: {}, istio: {} })), 'Istio');
    assert.equal(trafficRouterOf(withTr({ smi: {}, alb: {} })), 'SMI');
    assert.equal(trafficRouterOf(withTr({ appMesh: {}, nginx: {} })), 'AppMesh');
    assert.equal(trafficRouterOf(withTr({ ambassador: {} })), 'Ambassador');
    assert.equal(trafficRouterOf(withTr({ traefik: {} })), '');
    assert.equal(trafficRouterOf(withTr({ plugins: {} })), '');
  });

  test('phase from the Progressing reason; InvalidSpec overrides', () => {
    const withConds = (conditions: { type: string; reason?: string }[]): RolloutLike => ({
      metadata: {},
      status: { conditions },
    });
    assert.equal(metricPhaseOf({ metadata: {} }), 'Progressing');
    assert.equal(
      metricPhaseOf(withConds([{ type: 'Progressing', reason: 'ReplicaSetUpdated' }])),
      'Progressing',
    );
    assert.equal(
      metricPhaseOf(withConds([{ type: 'Progressing', reason: 'NewReplicaSetAvailable' }])),
      'Completed',
    );
    assert.equal(
      metricPhaseOf(withConds([{ type: 'Progressing', reason: 'RolloutPaused' }])),
      'Paused',
    );
    assert.equal(
      metricPhaseOf(withConds([{ type: 'Progressing', reason: 'ReplicaSetCreateError' }])),
      'Error',
    );
    assert.equal(
      metricPhaseOf(withConds([{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }])),
      'Timeout',
    );
    assert.equal(
      metricPhaseOf(withConds([{ type: 'Progressing', reason: 'RolloutAborted' }])),
      'Abort',
    );
    assert.equal(
      metricPhaseOf(
        withConds([
          { type: 'Progressing', reason: 'RolloutAborted' },
          { type: 'InvalidSpec', reason: 'x' },
        ]),
      ),
      'InvalidSpec',
    );
  });

  test('controller_clientset_k8s_request_total labels from requests', () => {
    assert.deepEqual(
      requestInfo('GET', '/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web', {}, 200),
      {
        kind: 'rollouts',
        namespace: 'prod',
        name: 'web',
        verb: 'Get',
        statusCode: '200',
      },
    );
    assert.deepEqual(
      requestInfo('GET', '/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts', {}, 200),
      {
        kind: 'rollouts',
        namespace: 'prod',
        name: 'N/A',
        verb: 'List',
        statusCode: '200',
      },
    );
    assert.deepEqual(
      requestInfo('GET', '/apis/argoproj.io/v1alpha1/rollouts', { watch: true }, 200),
      {
        kind: 'rollouts',
        namespace: '',
        name: '',
        verb: 'Watch',
        statusCode: '200',
      },
    );
    assert.deepEqual(
      requestInfo('PATCH', '/apis/apps/v1/namespaces/prod/replicasets/web-abc', {}, 422),
      {
        kind: 'replicasets',
        namespace: 'prod',
        name: 'N/A',
        verb: 'Patch',
        statusCode: '422',
      },
    );
    assert.deepEqual(requestInfo('POST', '/api/v1/namespaces/prod/events', {}, 201), {
      kind: 'events',
      namespace: 'prod',
      name: 'N/A',
      verb: 'Create',
      statusCode: '201',
    });
    assert.deepEqual(
      requestInfo('PUT', '/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web/status', {}, 409),
      {
        kind: 'rollouts',
        namespace: 'prod',
        name: 'web',
        verb: 'Update',
        statusCode: '409',
      },
    );
    assert.deepEqual(requestInfo('DELETE', '/api/v1/namespaces/prod', {}, 200), {
      kind: 'namespaces',
      namespace: '',
      name: 'prod',
      verb: 'Delete',
      statusCode: '200',
    });
    assert.deepEqual(requestInfo('OPTIONS', '/api/v1/namespaces/prod/pods', {}, 0), {
      kind: 'Unknown',
      namespace: 'Unknown',
      name: 'Unknown',
      verb: 'Unknown',
      statusCode: '0',
    });
  });
});

describe('ControllerMetrics exposition', () => {
  test('collect-time rollout gauges from the current rollouts', async () => {
    let rollouts: RolloutLike[] = [canary, blueGreen];
    const m = new ControllerMetrics({
      getRollouts: () => rollouts,
      version: 'v1.8.0+ts',
      defaultMetrics: false,
    });
    const text = await m.metrics();
    assert.deepEqual(samples(text, 'rollout_info'), [
      'rollout_info{namespace="prod",name="api",strategy="blueGreen",traffic_router="",phase="Completed"} 1',
      'rollout_info{namespace="prod",name="web",strategy="canary",traffic_router="Nginx",phase="Paused"} 1',
    ]);
    assert.deepEqual(samples(text, 'rollout_info_replicas_available'), [
      'rollout_info_replicas_available{namespace="prod",name="api"} 1',
      'rollout_info_replicas_available{namespace="prod",name="web"} 3',
    ]);
    assert.deepEqual(samples(text, 'rollout_info_replicas_unavailable'), [
      'rollout_info_replicas_unavailable{namespace="prod",name="api"} 0',
      'rollout_info_replicas_unavailable{namespace="prod",name="web"} 2',
    ]);
    assert.deepEqual(samples(text, 'rollout_info_replicas_desired'), [
      'rollout_info_replicas_desired{namespace="prod",name="api"} 1',
      'rollout_info_replicas_desired{namespace="prod",name="web"} 5',
    ]);
    assert.deepEqual(samples(text, 'rollout_info_replicas_updated'), [
      'rollout_info_replicas_updated{namespace="prod",name="api"} 1',
      'rollout_info_replicas_updated{namespace="prod",name="web"} 2',
    ]);
    assert.deepEqual(
      samples(text, 'rollout_phase').filter((l) => l.includes('name="web"')),
      [
        'rollout_phase{namespace="prod",name="web",strategy="canary",phase="Abort"} 0',
        'rollout_phase{namespace="prod",name="web",strategy="canary",phase="Completed"} 0',
        'rollout_phase{namespace="prod",name="web",strategy="canary",phase="Error"} 0',
        'rollout_phase{namespace="prod",name="web",strategy="canary",phase="Paused"} 1',
        'rollout_phase{namespace="prod",name="web",strategy="canary",phase="Progressing"} 0',
        'rollout_phase{namespace="prod",name="web",strategy="canary",phase="Timeout"} 0',
      ],
    );
    assert.match(text, /# TYPE rollout_info gauge/);
    assert.match(
      text,
      /# HELP rollout_phase Information on the state of the rollout \(DEPRECATED - use rollout_info\)/,
    );
    assert.deepEqual(samples(text, 'argo_rollouts_controller_info'), [
      'argo_rollouts_controller_info{version="v1.8.0+ts"} 1',
    ]);
    assert.match(
      samples(text, 'build_info')[0]!,
      /^build_info\{version="v1\.8\.0\+ts",goversion="v\d+\.\d+\.\d+",goarch="[a-z0-9]+",commit="unknown"\} 1$/,
    );
    assert.doesNotMatch(text, /^process_/m, 'default metrics off');

    // Deleted rollouts disappear from the next scrape.
    rollouts = [blueGreen];
    const next = await m.metrics();
    assert.deepEqual(samples(next, 'rollout_info').length, 1);
    assert.equal(samples(next, 'rollout_phase').length, 6);
  });

  test('reconcile histogram and counters; per-rollout series removed after the cleanup delay', async () => {
    const m = new ControllerMetrics({ defaultMetrics: false, cleanupDelayMs: 5 });
    m.observeRolloutReconcile('prod', 'web', 0.2);
    m.observeRolloutReconcile('prod', 'web', 2);
    m.incRolloutReconcileError('prod', 'web');
    m.incRolloutEvent('prod', 'web', 'Normal', 'RolloutUpdated');
    m.incRolloutEvent('prod', 'web', 'Normal', 'RolloutUpdated');
    m.incRolloutEvent('prod', 'web', 'Warning', 'RolloutAborted');
    m.incRolloutEvent('prod', 'api', 'Normal', 'RolloutUpdated');
    m.observeRolloutDurations('Promoted', 600, 120);
    const text = await m.metrics();
    assert.deepEqual(samples(text, 'rollout_reconcile_bucket'), [
      'rollout_reconcile_bucket{le="+Inf",namespace="prod",name="web"} 2',
      'rollout_reconcile_bucket{le="0.01",namespace="prod",name="web"} 0',
      'rollout_reconcile_bucket{le="0.15",namespace="prod",name="web"} 0',
      'rollout_reconcile_bucket{le="0.25",namespace="prod",name="web"} 1',
      'rollout_reconcile_bucket{le="0.5",namespace="prod",name="web"} 1',
      'rollout_reconcile_bucket{le="1",namespace="prod",name="web"} 1',
    ]);
    assert.deepEqual(samples(text, 'rollout_reconcile_count'), [
      'rollout_reconcile_count{namespace="prod",name="web"} 2',
    ]);
    assert.deepEqual(samples(text, 'rollout_reconcile_error'), [
      'rollout_reconcile_error{namespace="prod",name="web"} 1',
    ]);
    assert.deepEqual(samples(text, 'rollout_events_total'), [
      'rollout_events_total{namespace="prod",name="api",type="Normal",reason="RolloutUpdated"} 1',
      'rollout_events_total{namespace="prod",name="web",type="Normal",reason="RolloutUpdated"} 2',
      'rollout_events_total{namespace="prod",name="web",type="Warning",reason="RolloutAborted"} 1',
    ]);
    assert.deepEqual(samples(text, 'rollout_duration_seconds_sum'), [
      'rollout_duration_seconds_sum{status="Promoted"} 600',
    ]);
    assert.deepEqual(samples(text, 'rollout_progression_duration_seconds_sum'), [
      'rollout_progression_duration_seconds_sum{status="Promoted"} 480',
    ]);
    assert.deepEqual(samples(text, 'rollout_manual_pause_duration_seconds_sum'), [
      'rollout_manual_pause_duration_seconds_sum{status="Promoted"} 120',
    ]);

    m.rolloutDeleted('prod', 'web');
    await eventually(
      async () => !(await m.metrics()).includes('name="web"'),
      'web series to be removed',
    );
    const after = await m.metrics();
    assert.deepEqual(samples(after, 'rollout_events_total'), [
      'rollout_events_total{namespace="prod",name="api",type="Normal",reason="RolloutUpdated"} 1',
    ]);
    m.close();
  });

  test('a reconcile after the delete cancels the pending cleanup', async () => {
    const m = new ControllerMetrics({ defaultMetrics: false, cleanupDelayMs: 60_000 });
    m.observeRolloutReconcile('prod', 'web', 0.1);
    m.rolloutDeleted('prod', 'web');
    assert.deepEqual(m.pendingCleanups(), ['prod/web']);
    m.observeRolloutReconcile('prod', 'web', 0.1); // recreated with the same name
    assert.deepEqual(m.pendingCleanups(), []);
    m.close();
    assert.deepEqual(samples(await m.metrics(), 'rollout_reconcile_count'), [
      'rollout_reconcile_count{namespace="prod",name="web"} 2',
    ]);
  });

  test('controller_clientset_k8s_request_total and default process metrics', async () => {
    const m = new ControllerMetrics();
    m.incK8sRequest(
      requestInfo('GET', '/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts', {}, 200),
    );
    m.incK8sRequest(
      requestInfo('GET', '/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts', {}, 200),
    );
    m.incK8sRequest(
      requestInfo('PUT', '/apis/argoproj.io/v1alpha1/namespaces/prod/rollouts/web', {}, 409),
    );
    const text = await m.metrics();
    assert.deepEqual(samples(text, 'controller_clientset_k8s_request_total'), [
      'controller_clientset_k8s_request_total{kind="rollouts",namespace="prod",name="N/A",verb="List",status_code="200"} 2',
      'controller_clientset_k8s_request_total{kind="rollouts",namespace="prod",name="web",verb="Update",status_code="409"} 1',
    ]);
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_total_bytes /m);
  });

  test('workqueue metrics from a WorkQueue', async () => {
    let now = 1000;
    const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
    const m = new ControllerMetrics({ defaultMetrics: false, now: () => now });
    const q = new WorkQueue({ name: 'Rollouts', clock, metrics: m.workQueueMetrics('Rollouts') });
    q.add('prod/web');
    q.add('prod/api');
    q.add('prod/web');
    now += 2000;
    const key = await q.get();
    now += 3000;
    let text = await m.metrics();
    assert.deepEqual(samples(text, 'workqueue_adds_total'), [
      'workqueue_adds_total{name="Rollouts"} 3',
    ]);
    assert.deepEqual(samples(text, 'workqueue_depth'), ['workqueue_depth{name="Rollouts"} 1']);
    assert.deepEqual(samples(text, 'workqueue_queue_duration_seconds_sum'), [
      'workqueue_queue_duration_seconds_sum{name="Rollouts"} 2',
    ]);
    assert.deepEqual(samples(text, 'workqueue_unfinished_work_seconds'), [
      'workqueue_unfinished_work_seconds{name="Rollouts"} 3',
    ]);
    assert.deepEqual(samples(text, 'workqueue_longest_running_processor_seconds'), [
      'workqueue_longest_running_processor_seconds{name="Rollouts"} 3',
    ]);
    q.done(key!);
    q.addRateLimited('prod/web');
    text = await m.metrics();
    assert.deepEqual(samples(text, 'workqueue_work_duration_seconds_count'), [
      'workqueue_work_duration_seconds_count{name="Rollouts"} 1',
    ]);
    assert.deepEqual(samples(text, 'workqueue_work_duration_seconds_sum'), [
      'workqueue_work_duration_seconds_sum{name="Rollouts"} 3',
    ]);
    assert.deepEqual(samples(text, 'workqueue_retries_total'), [
      'workqueue_retries_total{name="Rollouts"} 1',
    ]);
    assert.deepEqual(samples(text, 'workqueue_unfinished_work_seconds'), [
      'workqueue_unfinished_work_seconds{name="Rollouts"} 0',
    ]);
    await q.shutDown({ drain: false });
  });
});

describe('ops HTTP servers', () => {
  test('/metrics on the metrics port, /healthz on the healthz port', async () => {
    const m = new ControllerMetrics({ getRollouts: () => [canary], defaultMetrics: false });
    const servers = await startOpsServers({
      registry: m.registry,
      metricsPort: 0,
      healthzPort: 0,
      host: '127.0.0.1',
    });
    try {
      const base = (p: number): string => `http://127.0.0.1:${p}`;
      const health = await fetch(`${base(servers.healthz.port)}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await health.text(), 'ok');
      const metrics = await fetch(`${base(servers.metrics.port)}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await metrics.text(), /rollout_info\{namespace="prod",name="web"/);
      assert.equal((await fetch(`${base(servers.metrics.port)}/healthz`)).status, 404);
      assert.equal((await fetch(`${base(servers.healthz.port)}/metrics`)).status, 404);
      assert.equal(
        (await fetch(`${base(servers.healthz.port)}/healthz`, { method: 'POST' })).status,
        405,
      );
    } finally {
      await servers.close(100);
    }
  });

  test('one server serves both paths when the ports are equal', async () => {
    const m = new ControllerMetrics({ defaultMetrics: false });
    // Find a free port, then ask for the same one twice.
    const probe = await startOpsServers({
      registry: m.registry,
      metricsPort: 0,
      healthzPort: 0,
      host: '127.0.0.1',
    });
    const port = probe.metrics.port;
    await probe.close(0);
    const servers = await startOpsServers({
      registry: m.registry,
      metricsPort: port,
      healthzPort: port,
      host: '127.0.0.1',
    });
    try {
      assert.equal(servers.metrics, servers.healthz);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
    } finally {
      await servers.close(100);
    }
  });
});
