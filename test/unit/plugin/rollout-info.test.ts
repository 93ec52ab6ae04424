// §2.1.2–2.1.7: the pieces of RolloutInfo the goldens do not pin down one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { buildRolloutInfo, goTimeText } from '../../../plugin/info/rollout-info.ts';
import { podInfo } from '../../../plugin/info/pod-info.ts';
import { rolloutImages } from '../../../plugin/info/images.ts';
import { encodeRolloutInfo } from '../../../plugin/info/encode.ts';
import { scaleDownDelay } from '../../../plugin/render/tree.ts';
import {
  NOW,
  ago,
  analysisRun,
  container,
  experiment,
  measurement,
  pod,
  replicaSet,
  rollout,
} from './fixtures.ts';

const build = (ro: KubeObject, rest: Partial<Parameters<typeof buildRolloutInfo>[0]> = {}) =>
  buildRolloutInfo({ rollout: ro, replicaSets: [], pods: [], analysisRuns: [], now: NOW, ...rest });

// --- pods (§2.1.4) ---------------------------------------------------------------------------

interface PodCase {
  name: string;
  spec?: Record<string, unknown>;
  status: Record<string, unknown>;
  deleted?: boolean;
  want: [status: string, icon: string, ready: string, restarts: number];
}

const running = (restartCount = 0, ready = true) => ({
  name: 'app',
  ready,
  restartCount,
  state: { running: {} },
});

const podCases: PodCase[] = [
  {
    name: 'running and ready',
    status: { phase: 'Running', containerStatuses: [running()] },
    want: ['Running', '✔', '1/1', 0],
  },
  {
    name: 'pending with no statuses',
    status: { phase: 'Pending' },
    want: ['Pending', '◌', '0/1', 0],
  },
  {
    name: 'status.reason overrides the phase',
    status: { phase: 'Failed', reason: 'Evicted' },
    want: ['Evicted', ' ', '0/1', 0],
  },
  {
    name: 'waiting reason of a container',
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    },
    want: ['CrashLoopBackOff', '✖', '0/1', 4],
  },
  {
    name: 'image pull problems warn',
    status: {
      phase: 'Pending',
      containerStatuses: [
        { name: 'app', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } },
      ],
    },
    want: ['ImagePullBackOff', '⚠', '0/1', 0],
  },
  {
    name: 'reasons ending in Error warn',
    status: {
      phase: 'Pending',
      containerStatuses: [
        { name: 'app', ready: false, state: { waiting: { reason: 'CreateContainerConfigError' } } },
      ],
    },
    want: ['CreateContainerConfigError', '⚠', '0/1', 0],
  },
  {
    name: 'terminated without a reason shows the signal',
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, state: { terminated: { exitCode: 137, signal: 9 } } },
      ],
    },
    want: ['Signal:9', '✖', '0/1', 0],
  },
  {
    name: 'terminated without a reason or signal shows the exit code',
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 2 } } }],
    },
    want: ['ExitCode:2', '✖', '0/1', 0],
  },
  {
    name: 'Completed with another container still running is Running',
    spec: { containers: [container('a'), container('b', 'side')] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        running(1),
      ],
    },
    want: ['Running', '✔', '1/2', 1],
  },
  {
    name: 'containers are read last to first: the first one decides',
    spec: { containers: [container('a'), container('b', 'side')] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: false, state: { waiting: { reason: 'ErrImagePull' } } },
        { name: 'side', ready: false, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    },
    want: ['ErrImagePull', '⚠', '0/2', 0],
  },
  {
    name: 'init container still running',
    spec: {
      initContainers: [container('i', 'init1'), container('i', 'init2')],
      containers: [container('a')],
    },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'init1', state: { terminated: { exitCode: 0 } }, restartCount: 1 },
        { name: 'init2', state: { running: {} }, restartCount: 2 },
      ],
      containerStatuses: [
        { name: 'app', restartCount: 9, state: { waiting: { reason: 'PodInitializing' } } },
      ],
    },
    want: ['Init:1/2', '◌', '0/1', 3],
  },
  {
    name: 'init container failed',
    spec: { initContainers: [container('i', 'init1')], containers: [container('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'init1', state: { terminated: { exitCode: 1, reason: 'Error' } } },
      ],
    },
    want: ['Init:Error', '◌', '0/1', 0],
  },
  {
    name: 'init container crash-looping',
    spec: { initContainers: [container('i', 'init1')], containers: [container('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'init1', state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
    want: ['Init:CrashLoopBackOff', '◌', '0/1', 0],
  },
  {
    name: 'a started, ready sidecar is skipped',
    spec: {
      initContainers: [{ ...container('i', 'proxy'), restartPolicy: 'Always' }],
      containers: [container('a')],
    },
    status: {
      phase: 'Running',
      initContainerStatuses: [
        { name: 'proxy', started: true, ready: true, restartCount: 5, state: { running: {} } },
      ],
      containerStatuses: [running()],
    },
    want: ['Running', '✔', '1/1', 0],
  },
  {
    name: 'deleted pod is Terminating',
    status: { phase: 'Running', containerStatuses: [running()] },
    deleted: true,
    want: ['Terminating', '◌', '1/1', 0],
  },
  {
    name: 'deleted pod on a lost node is Unknown',
    status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] },
    deleted: true,
    want: ['Unknown', '?', '1/1', 0],
  },
];

for (const c of podCases) {
  test(`pod status: ${c.name}`, () => {
    const p = pod({ rs: 'rs', suffix: 'x', created: ago('1m'), deleted: c.deleted ?? false });
    p.spec = { containers: [container('a')], ...c.spec };
    p.status = c.status;
    const got = podInfo(p);
    assert.deepEqual([got.status, got.icon, got.ready, got.restarts], c.want);
  });
}

// --- ReplicaSets (§2.1.3) --------------------------------------------------------------------

test('ReplicaSet health: generation, ReplicaFailure, availability, scale-down', () => {
  const rs = (patch: (o: KubeObject) => void) => {
    const o = replicaSet({
      owner: 'r',
      hash: 'h',
      revision: 1,
      replicas: 2,
      images: ['i'],
      created: ago('1m'),
    });
    patch(o);
    return o;
  };
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { strategy: { canary: {} } },
    status: {},
  });
  const health = (o: KubeObject) =>
    build(ro, { replicaSets: [o] }).replicaSets.map((x) => [x.status, x.icon]);
  assert.deepEqual(health(rs(() => {})), [['Healthy', '✔']]);
  assert.deepEqual(
    health(
      rs((o) => {
        o.metadata.generation = 2;
      }),
    ),
    [['Progressing', '◌']],
  );
  assert.deepEqual(
    health(
      rs((o) => {
        (o.status as Record<string, unknown>).conditions = [
          { type: 'ReplicaFailure', status: 'True' },
        ];
      }),
    ),
    [['ReplicaFailure', '✖']],
  );
  assert.deepEqual(
    health(
      rs((o) => {
        (o.status as Record<string, unknown>).availableReplicas = 1;
      }),
    ),
    [['Progressing', '◌']],
  );
  assert.deepEqual(
    health(
      rs((o) => {
        o.spec = { replicas: 0 };
      }),
    ),
    [['ScaledDown', '•']],
  );
  assert.deepEqual(
    health(
      rs((o) => {
        o.spec = {};
      }),
    ),
    [['Healthy', '✔']],
  );
});

test('ReplicaSets: only the rollout-owned ones, revision desc then name; pods by time then name', () => {
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { strategy: { canary: {} } },
    status: {},
  });
  const mk = (name: string, revision: number) =>
    replicaSet({
      owner: 'r',
      name,
      hash: name,
      revision,
      replicas: 1,
      images: ['i'],
      created: ago('1m'),
    });
  const stranger = replicaSet({
    owner: 'other',
    hash: 'z',
    revision: 9,
    replicas: 1,
    images: ['i'],
    created: ago('1m'),
  });
  const info = build(ro, {
    replicaSets: [mk('b', 1), mk('c', 2), stranger, mk('a', 1)],
    pods: [
      pod({ rs: 'a', suffix: 'late', created: ago('1m') }),
      pod({ rs: 'a', suffix: 'zz', created: ago('2m') }),
      pod({ rs: 'a', suffix: 'aa', created: ago('2m') }),
      pod({ rs: 'nobody', suffix: 'x', created: ago('2m') }),
    ],
  });
  assert.deepEqual(
    info.replicaSets.map((r) => r.objectMeta.name),
    ['c', 'a', 'b'],
  );
  assert.deepEqual(
    info.replicaSets[1]?.pods.map((p) => p.objectMeta.name),
    ['a-aa', 'a-zz', 'a-late'],
  );
});

test('ReplicaSet roles: blue-green stable/active/preview, canary ping-pong', () => {
  const bg = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { strategy: { blueGreen: { activeService: 'a' } } },
    status: { stableRS: 'h1', blueGreen: { activeSelector: 'h1', previewSelector: 'h2' } },
  });
  const rss = ['h1', 'h2', 'h3'].map((hash, i) =>
    replicaSet({
      owner: 'r',
      hash,
      revision: 3 - i,
      replicas: 1,
      images: ['i'],
      created: ago('1m'),
    }),
  );
  const roles = (ro: KubeObject) =>
    build(ro, { replicaSets: rss }).replicaSets.map((r) =>
      (['stable', 'canary', 'active', 'preview', 'ping', 'pong'] as const)
        .filter((k) => r[k])
        .join('+'),
    );
  assert.deepEqual(roles(bg), ['stable+active', 'preview', '']);
  const pingPong = (stablePingPong?: string) =>
    rollout({
      name: 'r',
      created: ago('1h'),
      spec: { strategy: { canary: { pingPong: { pingService: 'p', pongService: 'q' } } } },
      status: {
        stableRS: 'h1',
        currentPodHash: 'h2',
        canary: stablePingPong ? { stablePingPong } : {},
      },
    });
  assert.deepEqual(roles(pingPong()), ['stable+ping', 'canary+pong', '']);
  assert.deepEqual(roles(pingPong('pong')), ['stable+pong', 'canary+ping', '']);
});

test('scale-down delay text', () => {
  assert.equal(scaleDownDelay(ago('-29s'), NOW), '29s');
  assert.equal(scaleDownDelay(ago('1s'), NOW), 'passed');
  assert.equal(scaleDownDelay(ago('0s'), NOW), '0s');
  assert.equal(scaleDownDelay('tomorrow', NOW), '');
});

// --- weights (§2.1.2) ------------------------------------------------------------------------

test('canary weights', () => {
  const steps = [{ setWeight: 10 }, { pause: {} }, { setWeight: 40 }, { pause: {} }];
  const weights = (
    canary: Record<string, unknown>,
    status: Record<string, unknown>,
    canaryAvailable = 1,
  ) => {
    const ro = rollout({
      name: 'r',
      created: ago('1h'),
      spec: { replicas: 4, strategy: { canary: { steps, ...canary } } },
      status: { currentPodHash: 'c', stableRS: 's', availableReplicas: 4, ...status },
    });
    const rs = replicaSet({
      owner: 'r',
      hash: 'c',
      revision: 2,
      replicas: 1,
      available: canaryAvailable,
      images: ['i'],
      created: ago('1m'),
    });
    const i = build(ro, { replicaSets: [rs] });
    return [i.step, i.setWeight, i.actualWeight];
  };
  assert.deepEqual(weights({}, { currentStepIndex: 1 }), ['1/4', '10', '25']);
  assert.deepEqual(weights({}, { currentStepIndex: 3 }, 3), ['3/4', '40', '75']);
  // No index yet: step 0 is current, but Step stays empty.
  assert.deepEqual(weights({}, {}), ['', '10', '25']);
  assert.deepEqual(weights({}, { currentStepIndex: 4 }), ['4/4', '100', '100']);
  assert.deepEqual(weights({}, { currentStepIndex: 2, abort: true }, 0), ['2/4', '0', '0']);
  assert.deepEqual(weights({}, { currentStepIndex: 1, availableReplicas: 0 }), ['1/4', '10', '0']);
  const tr = { trafficRouting: { nginx: { stableIngress: 'i' }, maxTrafficWeight: 1000 } };
  assert.deepEqual(weights(tr, { currentStepIndex: 4 }), ['4/4', '1000', '1000']);
  assert.deepEqual(weights(tr, { currentStepIndex: 2 }), ['2/4', '40', '40']);
  assert.deepEqual(
    weights(tr, {
      currentStepIndex: 2,
      canary: { weights: { canary: { weight: 15 }, stable: { weight: 85 } } },
    }),
    ['2/4', '40', '15'],
  );
  const noSteps = build(
    rollout({
      name: 'r',
      created: ago('1h'),
      spec: { strategy: { canary: {} } },
      status: { currentStepIndex: 0 },
    }),
  );
  assert.deepEqual(
    [noSteps.step, noSteps.setWeight, noSteps.actualWeight, noSteps.steps],
    ['', '100', '100', undefined],
  );
  const bg = build(
    rollout({
      name: 'r',
      created: ago('1h'),
      spec: { strategy: { blueGreen: { activeService: 'a' } } },
      status: {},
    }),
  );
  assert.deepEqual(
    [bg.strategy, bg.step, bg.setWeight, bg.actualWeight],
    ['BlueGreen', '', '', ''],
  );
});

// --- images (§2.1.7) -------------------------------------------------------------------------

test('images: running ReplicaSets only, fixed tag order once, sorted union when repeated', () => {
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { strategy: { blueGreen: { activeService: 'a' } } },
    status: { stableRS: 'h1', blueGreen: { activeSelector: 'h1', previewSelector: 'h2' } },
  });
  const info = build(ro, {
    replicaSets: [
      replicaSet({
        owner: 'r',
        hash: 'h1',
        revision: 2,
        replicas: 1,
        images: ['z/app:1', 'sidecar:1'],
        created: ago('1m'),
      }),
      replicaSet({
        owner: 'r',
        hash: 'h2',
        revision: 3,
        replicas: 1,
        images: ['z/app:2', 'sidecar:1'],
        created: ago('1m'),
      }),
      replicaSet({
        owner: 'r',
        hash: 'h0',
        revision: 1,
        replicas: 0,
        images: ['z/app:0'],
        created: ago('1m'),
      }),
    ],
  });
  assert.deepEqual(rolloutImages(info), [
    { image: 'sidecar:1', tags: ['active', 'preview', 'stable'] },
    { image: 'z/app:1', tags: ['stable', 'active'] },
    { image: 'z/app:2', tags: ['preview'] },
  ]);
});

// --- analysis runs and experiments (§2.1.5, §2.1.6) -------------------------------------------

test('analysis runs: counters, metrics, jobs vs other measurements, sort order', () => {
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { strategy: { canary: {} } },
    status: {},
  });
  const run = (name: string, revision: number, created: string) =>
    analysisRun({ name, owner: 'r', revision, created, phase: 'Successful' });
  const detailed = analysisRun({
    name: 'd',
    owner: 'r',
    revision: 1,
    created: ago('5m'),
    phase: 'Failed',
    metrics: [
      {
        name: 'm1',
        successCondition: 'result > 1',
        count: 3,
        failureLimit: 1,
        inconclusiveLimit: '2',
      },
    ],
    metricResults: [
      {
        name: 'm1',
        successful: 1,
        failed: 2,
        inconclusive: 1,
        error: 1,
        measurements: [
          measurement('Failed', ago('4m'), 'job-a'),
          {
            ...measurement('Successful', ago('3m'), 'job-b'),
            metadata: { 'job-name': 'job-b', 'job-namespace': 'jobs' },
          },
          measurement('Inconclusive', ago('2m')),
        ],
      },
    ],
  });
  const info = build(ro, {
    analysisRuns: [
      run('b', 1, ago('5m')),
      run('a', 1, ago('5m')),
      run('new', 2, ago('1m')),
      run('old', 1, ago('9m')),
      detailed,
    ],
  });
  assert.deepEqual(
    info.analysisRuns.map((a) => a.objectMeta.name),
    ['new', 'old', 'd', 'b', 'a'],
  );
  const d = info.analysisRuns[2];
  assert.ok(d);
  assert.deepEqual(
    [d.status, d.icon, d.successful, d.failed, d.inconclusive, d.error],
    ['Failed', '✖', 1, 2, 1, 1],
  );
  assert.deepEqual(d.metrics, [
    { name: 'm1', successCondition: 'result > 1', count: 3, inconclusiveLimit: 0, failureLimit: 1 },
  ]);
  assert.deepEqual(
    d.jobs.map((j) => [
      j.objectMeta.name,
      j.objectMeta.namespace,
      j.status,
      j.icon,
      j.metricName,
      j.objectMeta.creationTimestamp,
    ]),
    [
      ['job-a', 'default', 'Failed', '✖', 'm1', ago('4m')],
      ['job-b', 'jobs', 'Successful', '✔', 'm1', ago('3m')],
    ],
  );
  assert.deepEqual(d.nonJobInfo, [
    { value: '0.99', status: 'Inconclusive', metricName: 'm1', startedAt: ago('2m') },
  ]);
  assert.equal((d.specAndStatus.status as { phase: string }).phase, 'Failed');
});

test('experiments: owned by the rollout, with their own ReplicaSets and runs', () => {
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { strategy: { canary: {} } },
    status: {},
  });
  const exps = [
    experiment({ name: 'e-old', owner: 'r', revision: 1, created: ago('9m'), phase: 'Successful' }),
    experiment({ name: 'e-2b', owner: 'r', revision: 2, created: ago('2m'), phase: 'Pending' }),
    experiment({ name: 'e-2a', owner: 'r', revision: 2, created: ago('3m'), phase: 'Running' }),
    experiment({ name: 'e-x', owner: 'other', revision: 5, created: ago('1m'), phase: 'Running' }),
  ];
  const info = build(ro, {
    experiments: exps,
    replicaSets: [
      replicaSet({
        owner: 'e-2a',
        ownerKind: 'Experiment',
        hash: 'h',
        revision: 2,
        replicas: 1,
        images: ['i'],
        created: ago('3m'),
        annotations: { 'experiment.argoproj.io/template-name': 'canary' },
      }),
    ],
    analysisRuns: [
      analysisRun({
        name: 'e-2a-run',
        owner: 'e-2a',
        ownerKind: 'Experiment',
        revision: 2,
        created: ago('2m'),
        phase: 'Running',
      }),
    ],
  });
  assert.deepEqual(
    info.experiments.map((e) => [e.objectMeta.name, e.icon]),
    [
      ['e-2a', '◌'],
      ['e-2b', '◷'],
      ['e-old', '✔'],
    ],
  );
  assert.deepEqual(
    info.experiments[0]?.replicaSets.map((r) => [r.template, r.canary, r.stable]),
    [['canary', false, false]],
  );
  assert.deepEqual(
    info.experiments[0]?.analysisRuns.map((a) => a.objectMeta.name),
    ['e-2a-run'],
  );
  // Experiment-owned objects are not the rollout's own.
  assert.deepEqual([info.replicaSets.length, info.analysisRuns.length], [0, 0]);
  assert.deepEqual(rolloutImages(info), [{ image: 'i', tags: ['Σ:canary'] }]);
});

// --- the rest of the model --------------------------------------------------------------------

test('containers come from the workload Deployment when there is one, and it enables rule 3', () => {
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    annotations: { 'rollout.argoproj.io/workload-generation': '2' },
    spec: {
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' },
      strategy: { canary: {} },
    },
    status: { phase: 'Healthy', workloadObservedGeneration: '1' },
  });
  const workload: KubeObject = {
    metadata: { name: 'd' },
    spec: {
      template: {
        spec: {
          initContainers: [container('busybox', 'init')],
          containers: [container('web:2', 'web')],
        },
      },
    },
  };
  const info = build(ro, { workload });
  assert.deepEqual(info.containers, [{ name: 'web', image: 'web:2' }]);
  assert.deepEqual(info.initContainers, [{ name: 'init', image: 'busybox' }]);
  assert.equal(
    info.message,
    'waiting for rollout spec update to be observed for the reference workload',
  );
  assert.equal(build(ro).status, 'Healthy');
});

test('restartedAt, generation, desired and metadata', () => {
  const ro = rollout({
    name: 'r',
    generation: 3,
    created: ago('1h'),
    spec: { strategy: { canary: {} } },
    status: { restartedAt: '2024-05-01T11:00:00Z' },
  });
  ro.metadata.resourceVersion = '42';
  ro.metadata.labels = { app: 'r' };
  const info = build(ro);
  assert.equal(info.restartedAt, '2024-05-01 11:00:00 +0000 UTC');
  assert.equal(info.generation, '3');
  assert.equal(info.desired, 1);
  assert.deepEqual(info.objectMeta, {
    name: 'r',
    namespace: 'default',
    uid: 'uid-r',
    creationTimestamp: ago('1h'),
    labels: { app: 'r' },
    generation: 3,
    resourceVersion: '42',
  });
  assert.equal(
    build(rollout({ name: 'r', created: ago('1h'), spec: {}, status: {} })).restartedAt,
    'Never',
  );
  assert.equal(goTimeText('2024-05-01T13:00:00.250+02:00'), '2024-05-01 11:00:00.25 +0000 UTC');
});

test('dashboard JSON omits zero values of the model but keeps embedded objects verbatim', () => {
  const ro = rollout({
    name: 'r',
    created: ago('1h'),
    spec: { replicas: 2, strategy: { canary: { steps: [{ setWeight: 0 }, { pause: {} }] } } },
    status: { currentStepIndex: 0, phase: 'Paused', message: 'CanaryPauseStep' },
  });
  const json = encodeRolloutInfo(build(ro));
  assert.deepEqual(JSON.parse(JSON.stringify(json)), {
    objectMeta: {
      name: 'r',
      namespace: 'default',
      uid: 'uid-r',
      creationTimestamp: ago('1h'),
      generation: 1,
    },
    status: 'Paused',
    message: 'CanaryPauseStep',
    icon: '॥',
    strategy: 'Canary',
    step: '0/2',
    setWeight: '0',
    actualWeight: '0',
    desired: 2,
    restartedAt: 'Never',
    generation: '1',
    steps: [{ setWeight: 0 }, { pause: {} }],
  });
});
