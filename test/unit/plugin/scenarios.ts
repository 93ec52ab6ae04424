// The situations the `get rollout` goldens render. Each returns the raw objects a view
// controller would hold, so the goldens cover derivation and rendering together.
import type { KubeObject } from '../../../src/api/kube-object.ts';
import type { RolloutInfoInput } from '../../../plugin/info/rollout-info.ts';
import {
  NOW,
  ago,
  analysisRun,
  container,
  experiment,
  measurement,
  pod,
  pods,
  replicaSet,
  rollout,
} from './fixtures.ts';

const demo = (tag: string) => `argoproj/rollouts-demo:${tag}`;

function input(
  ro: KubeObject,
  rest: Partial<Omit<RolloutInfoInput, 'rollout' | 'now'>> = {},
): RolloutInfoInput {
  return {
    rollout: ro,
    replicaSets: rest.replicaSets ?? [],
    pods: rest.pods ?? [],
    analysisRuns: rest.analysisRuns ?? [],
    experiments: rest.experiments ?? [],
    workload: rest.workload,
    now: NOW,
  };
}

/** §2.6 (a): canary paused at an indefinite pause step. */
export function specCanaryPaused(): RolloutInfoInput {
  const ro = rollout({
    name: 'canary-demo',
    created: ago('15m'),
    spec: {
      replicas: 5,
      strategy: {
        canary: {
          steps: [
            { setWeight: 20 },
            { pause: {} },
            { setWeight: 40 },
            { pause: { duration: '10s' } },
            { setWeight: 60 },
            { pause: { duration: '10s' } },
            { setWeight: 80 },
            { pause: { duration: '10s' } },
          ],
        },
      },
      template: { spec: { containers: [container(demo('yellow'), 'canary-demo')] } },
    },
    status: {
      phase: 'Paused',
      message: 'CanaryPauseStep',
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: ago('2m') }],
      replicas: 5,
      updatedReplicas: 1,
      readyReplicas: 5,
      availableReplicas: 5,
      currentPodHash: '5f8b7c9d4',
      stableRS: '7bf6d7b6c8',
    },
  });
  const canary = { owner: 'canary-demo', created: ago('2m10s') };
  const stable = { owner: 'canary-demo', created: ago('15m') };
  return input(ro, {
    replicaSets: [
      replicaSet({
        ...canary,
        hash: '5f8b7c9d4',
        revision: 2,
        replicas: 1,
        images: [demo('yellow')],
      }),
      replicaSet({
        ...stable,
        hash: '7bf6d7b6c8',
        revision: 1,
        replicas: 4,
        images: [demo('blue')],
      }),
    ],
    pods: [
      ...pods('canary-demo-7bf6d7b6c8', stable.created, ['vq5nl', 'h7w2t', '9pmzq', '4kxhd']),
      ...pods('canary-demo-5f8b7c9d4', canary.created, ['x2v9k']),
    ],
  });
}

/** §2.6 (b): blue-green waiting for promotion with the preview stack up. */
export function specBlueGreenPreview(): RolloutInfoInput {
  const ro = rollout({
    name: 'bluegreen-demo',
    created: ago('9d'),
    spec: {
      replicas: 3,
      strategy: {
        blueGreen: {
          activeService: 'bluegreen-demo',
          previewService: 'bluegreen-demo-preview',
          autoPromotionEnabled: false,
        },
      },
    },
    status: {
      phase: 'Paused',
      message: 'BlueGreenPause',
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: ago('3m') }],
      replicas: 6,
      updatedReplicas: 3,
      readyReplicas: 6,
      availableReplicas: 3,
      currentPodHash: '6d5c9b7f84',
      stableRS: '7c8d4f6b59',
      blueGreen: { activeSelector: '7c8d4f6b59', previewSelector: '6d5c9b7f84' },
    },
  });
  const owner = 'bluegreen-demo';
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner,
        hash: '58f9d7c6b4',
        revision: 1,
        replicas: 0,
        images: [demo('red')],
        created: ago('9d'),
      }),
      replicaSet({
        owner,
        hash: '7c8d4f6b59',
        revision: 2,
        replicas: 3,
        images: [demo('blue')],
        created: ago('2d1h'),
      }),
      replicaSet({
        owner,
        hash: '6d5c9b7f84',
        revision: 3,
        replicas: 3,
        images: [demo('green')],
        created: ago('3m2s'),
      }),
    ],
    pods: [
      ...pods('bluegreen-demo-6d5c9b7f84', ago('3m2s'), ['2x7fq', '8ltcm', 'rz4nj']),
      ...pods('bluegreen-demo-7c8d4f6b59', ago('2d1h'), ['5mbgk', 'fw9tz', 'kq2ds']),
    ],
  });
}

/** §2.6 (c): canary aborted by a failed step analysis (client-side phase from conditions). */
export function specCanaryAborted(): RolloutInfoInput {
  const abortMessage =
    'Rollout aborted update to revision 2: Step-based analysis phase error/failed: ' +
    'Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)';
  const ro = rollout({
    name: 'canary-demo',
    created: ago('26h'),
    spec: {
      replicas: 5,
      strategy: {
        canary: {
          steps: [
            { setWeight: 20 },
            { pause: { duration: '30s' } },
            { analysis: { templates: [{ templateName: 'success-rate' }] } },
            { setWeight: 60 },
            { pause: {} },
          ],
        },
      },
    },
    status: {
      abort: true,
      currentStepIndex: 2,
      conditions: [
        { type: 'Available', status: 'True', reason: 'AvailableReason', message: 'ok' },
        { type: 'Progressing', status: 'False', reason: 'RolloutAborted', message: abortMessage },
      ],
      replicas: 5,
      updatedReplicas: 0,
      readyReplicas: 5,
      availableReplicas: 5,
      currentPodHash: '5f8b7c9d4',
      stableRS: '7bf6d7b6c8',
      canary: {
        currentStepAnalysisRunStatus: { name: 'canary-demo-5f8b7c9d4-2-2', status: 'Failed' },
      },
    },
  });
  const started = (s: string) => measurement('Successful', ago(s));
  const failed = (s: string) => measurement('Failed', ago(s));
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner: 'canary-demo',
        hash: '5f8b7c9d4',
        revision: 2,
        replicas: 0,
        images: [demo('yellow')],
        created: ago('9m5s'),
      }),
      replicaSet({
        owner: 'canary-demo',
        hash: '7bf6d7b6c8',
        revision: 1,
        replicas: 5,
        images: [demo('blue')],
        created: ago('26h'),
      }),
    ],
    pods: pods('canary-demo-7bf6d7b6c8', ago('26h'), ['4kxhd', '9pmzq', 'h7w2t', 'vq5nl', 'zz8rb']),
    analysisRuns: [
      analysisRun({
        name: 'canary-demo-5f8b7c9d4-2-2',
        owner: 'canary-demo',
        revision: 2,
        created: ago('6m30s'),
        phase: 'Failed',
        message: 'Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)',
        metrics: [{ name: 'success-rate', failureLimit: 2, successCondition: 'result[0] >= 0.95' }],
        metricResults: [
          {
            name: 'success-rate',
            phase: 'Failed',
            count: 5,
            successful: 2,
            failed: 3,
            measurements: [
              started('6m30s'),
              started('6m'),
              failed('5m30s'),
              failed('5m'),
              failed('4m30s'),
            ],
          },
        ],
      }),
    ],
  });
}

/** Canary paused at a timed pause step, phase derived client-side; restarts and a terminating pod. */
export function canaryPausedStep(): RolloutInfoInput {
  const ro = rollout({
    name: 'checkout',
    created: ago('3h'),
    spec: {
      replicas: 4,
      strategy: {
        canary: {
          steps: [
            { setWeight: 25 },
            { pause: { duration: '1h' } },
            { setWeight: 50 },
            { pause: {} },
          ],
        },
      },
    },
    status: {
      currentStepIndex: 1,
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: ago('11m') }],
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 4,
      availableReplicas: 4,
      currentPodHash: '6c9f8d7b5',
      stableRS: '84d6b9c7f',
    },
  });
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner: 'checkout',
        hash: '84d6b9c7f',
        revision: 1,
        replicas: 3,
        images: ['registry.example.com/checkout:v1'],
        created: ago('3h'),
      }),
      replicaSet({
        owner: 'checkout',
        hash: '6c9f8d7b5',
        revision: 2,
        replicas: 1,
        images: ['registry.example.com/checkout:v2'],
        created: ago('12m'),
      }),
    ],
    pods: [
      pod({ rs: 'checkout-6c9f8d7b5', suffix: 'p8m2x', created: ago('12m'), restarts: 3 }),
      ...pods('checkout-84d6b9c7f', ago('3h'), ['a1b2c', 'd3e4f', 'g5h6j']),
      pod({ rs: 'checkout-84d6b9c7f', suffix: 'k7l8m', created: ago('3h'), deleted: true }),
    ],
  });
}

/** Canary with ALB traffic routing and ping-pong: ActualWeight comes from status.canary.weights. */
export function canaryTrafficRouting(): RolloutInfoInput {
  const ro = rollout({
    name: 'payments',
    created: ago('30d'),
    spec: {
      replicas: 2,
      strategy: {
        canary: {
          pingPong: { pingService: 'payments-ping', pongService: 'payments-pong' },
          trafficRouting: {
            alb: { ingress: 'payments', servicePort: 80, rootService: 'payments' },
          },
          steps: [{ setWeight: 20 }, { pause: { duration: 60 } }, { setWeight: 60 }, { pause: {} }],
        },
      },
    },
    status: {
      phase: 'Progressing',
      message: 'updated replicas are still becoming available',
      currentStepIndex: 2,
      replicas: 5,
      updatedReplicas: 2,
      readyReplicas: 4,
      availableReplicas: 4,
      currentPodHash: 'b7c6d5e4f',
      stableRS: '9a8b7c6d5',
      canary: {
        stablePingPong: 'ping',
        weights: {
          canary: { weight: 20, serviceName: 'payments-pong', podTemplateHash: 'b7c6d5e4f' },
          stable: { weight: 80, serviceName: 'payments-ping', podTemplateHash: '9a8b7c6d5' },
        },
      },
    },
  });
  const owner = 'payments';
  const image = (v: string) => `ghcr.io/acme/payments:${v}`;
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner,
        hash: 'b7c6d5e4f',
        revision: 3,
        replicas: 2,
        available: 1,
        images: [image('3.0.0')],
        created: ago('45s'),
      }),
      replicaSet({
        owner,
        hash: '9a8b7c6d5',
        revision: 2,
        replicas: 2,
        images: [image('2.4.1')],
        created: ago('6d2h'),
      }),
      replicaSet({
        owner,
        hash: '5d4c3b2a1',
        revision: 1,
        replicas: 1,
        images: [image('2.4.0')],
        created: ago('30d'),
        annotations: { 'scale-down-deadline': ago('5s') },
      }),
    ],
    pods: [
      pod({ rs: 'payments-b7c6d5e4f', suffix: 'q1w2e', created: ago('45s') }),
      pod({
        rs: 'payments-b7c6d5e4f',
        suffix: 'r3t4y',
        created: ago('44s'),
        phase: 'Pending',
        ready: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      }),
      ...pods('payments-9a8b7c6d5', ago('6d2h'), ['u5i6o', 'p7a8s']),
      ...pods('payments-5d4c3b2a1', ago('30d'), ['d9f0g']),
    ],
  });
}

/** Blue-green with a running pre-promotion analysis (jobs), a shared sidecar image and a delay. */
export function blueGreenPreviewAnalysis(): RolloutInfoInput {
  const ro = rollout({
    name: 'orders',
    created: ago('40d'),
    spec: {
      replicas: 2,
      strategy: {
        blueGreen: {
          activeService: 'orders',
          previewService: 'orders-preview',
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: 30,
          prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] },
        },
      },
    },
    status: {
      replicas: 6,
      updatedReplicas: 2,
      readyReplicas: 5,
      availableReplicas: 5,
      currentPodHash: 'f1e2d3c4b5',
      stableRS: '5b4c3d2e1f',
      blueGreen: {
        activeSelector: '5b4c3d2e1f',
        previewSelector: 'f1e2d3c4b5',
        prePromotionAnalysisRunStatus: { name: 'orders-f1e2d3c4b5-3-pre', status: 'Running' },
      },
    },
  });
  const owner = 'orders';
  const envoy = 'envoyproxy/envoy:v1.29.1';
  const preview = pods('orders-f1e2d3c4b5', ago('2m'), ['m1n2b', 'v3c4x']);
  // The second preview pod is still running its init container.
  const initPod = preview[1];
  if (initPod) {
    (initPod.spec as Record<string, unknown>).initContainers = [container('busybox', 'init')];
    initPod.status = {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'init',
          ready: false,
          restartCount: 0,
          state: { running: { startedAt: ago('2m') } },
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'PodInitializing' } },
        },
      ],
    };
  }
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner,
        hash: 'f1e2d3c4b5',
        revision: 3,
        replicas: 2,
        available: 1,
        images: ['acme/orders:1.3', envoy],
        created: ago('2m'),
      }),
      replicaSet({
        owner,
        hash: '5b4c3d2e1f',
        revision: 2,
        replicas: 2,
        images: ['acme/orders:1.2', envoy],
        created: ago('2d'),
      }),
      replicaSet({
        owner,
        hash: '3a2b1c0d9e',
        revision: 1,
        replicas: 2,
        images: ['acme/orders:1.1', envoy],
        created: ago('5d'),
        annotations: { 'scale-down-deadline': ago('-29s') },
      }),
    ],
    pods: [
      ...preview,
      ...pods('orders-5b4c3d2e1f', ago('2d'), ['k1j2h', 'g3f4d']),
      ...pods('orders-3a2b1c0d9e', ago('5d'), ['s5a6p', 'o7i8u']),
    ],
    analysisRuns: [
      analysisRun({
        name: 'orders-f1e2d3c4b5-3-pre',
        owner,
        revision: 3,
        created: ago('1m5s'),
        phase: 'Running',
        metrics: [{ name: 'smoke', count: 2, provider: { job: {} } }],
        metricResults: [
          {
            name: 'smoke',
            phase: 'Running',
            count: 2,
            successful: 1,
            measurements: [
              measurement('Successful', ago('1m'), 'orders-f1e2d3c4b5-3-pre-smoke-1'),
              measurement('Running', ago('20s'), 'orders-f1e2d3c4b5-3-pre-smoke-2'),
            ],
          },
        ],
      }),
    ],
  });
}

/** Canary aborted by a failed background analysis with Job measurements and an error metric. */
export function canaryAbortedAnalysis(): RolloutInfoInput {
  const message =
    'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase ' +
    'error/failed: Metric "job-check" assessed Failed due to failed (1) > failureLimit (0)';
  const ro = rollout({
    name: 'cart',
    created: ago('3d'),
    spec: {
      replicas: 3,
      strategy: {
        canary: {
          analysis: {
            templates: [{ templateName: 'job-check' }, { templateName: 'error-rate' }],
            startingStep: 1,
          },
          steps: [
            { setWeight: 33 },
            { pause: { duration: '5m' } },
            { setWeight: 66 },
            { pause: { duration: '5m' } },
          ],
        },
      },
    },
    status: {
      phase: 'Degraded',
      message,
      abort: true,
      abortedAt: ago('12m'),
      currentStepIndex: 1,
      replicas: 3,
      updatedReplicas: 0,
      readyReplicas: 3,
      availableReplicas: 3,
      currentPodHash: 'c4d5e6f7a8',
      stableRS: '7a6b5c4d3e',
      canary: {
        currentBackgroundAnalysisRunStatus: { name: 'cart-c4d5e6f7a8-2', status: 'Failed' },
      },
    },
  });
  const job = (n: number) => `cart-c4d5e6f7a8-2-job-check-${n}`;
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner: 'cart',
        hash: 'c4d5e6f7a8',
        revision: 2,
        replicas: 0,
        images: ['acme/cart:2'],
        created: ago('20m'),
      }),
      replicaSet({
        owner: 'cart',
        hash: '7a6b5c4d3e',
        revision: 1,
        replicas: 3,
        images: ['acme/cart:1'],
        created: ago('3d'),
      }),
    ],
    pods: pods('cart-7a6b5c4d3e', ago('3d'), ['b1n2m', 'c3v4x', 'z5l6k']),
    analysisRuns: [
      analysisRun({
        name: 'cart-7a6b5c4d3e-1',
        owner: 'cart',
        revision: 1,
        created: ago('3d'),
        phase: 'Successful',
        metrics: [{ name: 'job-check', failureLimit: 0, provider: { job: {} } }],
        metricResults: [{ name: 'job-check', phase: 'Successful', count: 3, successful: 3 }],
      }),
      analysisRun({
        name: 'cart-c4d5e6f7a8-2',
        owner: 'cart',
        revision: 2,
        created: ago('17m'),
        phase: 'Failed',
        metrics: [
          { name: 'job-check', failureLimit: 0, provider: { job: {} } },
          { name: 'error-rate', successCondition: 'result < 0.05', provider: { web: {} } },
        ],
        metricResults: [
          {
            name: 'job-check',
            phase: 'Failed',
            count: 2,
            successful: 1,
            failed: 1,
            measurements: [
              measurement('Successful', ago('17m'), job(1)),
              measurement('Failed', ago('12m'), job(2)),
            ],
          },
          {
            name: 'error-rate',
            phase: 'Error',
            count: 1,
            error: 1,
            measurements: [measurement('Error', ago('12m'))],
          },
        ],
      }),
    ],
  });
}

/** A spec the controller rejected: Degraded from the InvalidSpec condition, nothing deployed. */
export function invalidSpec(): RolloutInfoInput {
  const ro = rollout({
    name: 'broken',
    created: ago('47s'),
    spec: {
      replicas: 2,
      strategy: { canary: { steps: [{ setWeight: 120 }, { pause: {} }] } },
    },
    status: {
      conditions: [
        {
          type: 'InvalidSpec',
          status: 'True',
          reason: 'InvalidSpec',
          message:
            'The Rollout "broken" is invalid: spec.strategy.steps[0].setWeight: ' +
            'Invalid value: 120: SetWeight must be between 0 and 100',
        },
      ],
    },
  });
  return input(ro);
}

/** Canary at an experiment step: the experiment's ReplicaSets and run nest under it. */
export function canaryExperimentStep(): RolloutInfoInput {
  const ro = rollout({
    name: 'exp-demo',
    created: ago('1d'),
    spec: {
      replicas: 2,
      strategy: {
        canary: {
          steps: [
            { setWeight: 20 },
            {
              experiment: {
                duration: '10m',
                templates: [
                  { name: 'baseline', specRef: 'stable' },
                  { name: 'canary', specRef: 'canary' },
                ],
                analyses: [{ name: 'compare', templateName: 'compare' }],
              },
            },
            { setWeight: 100 },
          ],
        },
      },
    },
    status: {
      phase: 'Progressing',
      message: 'more replicas need to be updated',
      currentStepIndex: 1,
      replicas: 2,
      updatedReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 2,
      currentPodHash: 'd2c3b4a5f6',
      stableRS: '6f5e4d3c2b',
      canary: { currentExperiment: 'exp-demo-d2c3b4a5f6-2-1' },
    },
  });
  const exp = 'exp-demo-d2c3b4a5f6-2-1';
  const expRS = (template: string, hash: string, image: string) =>
    replicaSet({
      owner: exp,
      ownerKind: 'Experiment',
      name: `${exp}-${template}`,
      hash,
      revision: 2,
      replicas: 1,
      images: [image],
      created: ago('3m'),
      annotations: { 'experiment.argoproj.io/template-name': template },
    });
  return input(ro, {
    replicaSets: [
      replicaSet({
        owner: 'exp-demo',
        hash: 'd2c3b4a5f6',
        revision: 2,
        replicas: 1,
        images: [demo('green')],
        created: ago('4m'),
      }),
      replicaSet({
        owner: 'exp-demo',
        hash: '6f5e4d3c2b',
        revision: 1,
        replicas: 1,
        images: [demo('blue')],
        created: ago('1d'),
      }),
      expRS('baseline', '7c6b5a4d3', demo('blue')),
      expRS('canary', '8d7c6b5a4', demo('green')),
    ],
    pods: [
      ...pods('exp-demo-d2c3b4a5f6', ago('4m'), ['h2j3k']),
      ...pods('exp-demo-6f5e4d3c2b', ago('1d'), ['l4m5n']),
      ...pods(`${exp}-baseline`, ago('3m'), ['p6q7r']),
      ...pods(`${exp}-canary`, ago('3m'), ['s8t9u']),
    ],
    experiments: [
      experiment({
        name: exp,
        owner: 'exp-demo',
        revision: 2,
        created: ago('3m'),
        phase: 'Running',
      }),
    ],
    analysisRuns: [
      analysisRun({
        name: `${exp}-compare`,
        owner: exp,
        ownerKind: 'Experiment',
        revision: 2,
        created: ago('2m30s'),
        phase: 'Running',
        metrics: [{ name: 'compare', successCondition: 'result > 0.9' }],
        metricResults: [
          {
            name: 'compare',
            phase: 'Running',
            successful: 2,
            measurements: [
              measurement('Successful', ago('2m')),
              measurement('Successful', ago('1m')),
            ],
          },
        ],
      }),
    ],
  });
}

export const SCENARIOS: Record<string, () => RolloutInfoInput> = {
  'spec-canary-paused': specCanaryPaused,
  'spec-bluegreen-preview': specBlueGreenPreview,
  'spec-canary-aborted': specCanaryAborted,
  'canary-paused-step': canaryPausedStep,
  'canary-traffic-routing': canaryTrafficRouting,
  'bluegreen-preview-analysis': blueGreenPreviewAnalysis,
  'canary-aborted-analysis': canaryAbortedAnalysis,
  'invalid-spec': invalidSpec,
  'canary-experiment-step': canaryExperimentStep,
};
