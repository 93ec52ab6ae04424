import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryStep, CanaryStrategy } from '../../../src/api/rollout.ts';
import {
  canaryReached,
  canaryReplicasOrWeight,
  currentStep,
  type DesiredWeightInput,
  desiredWeight,
  explicitCanaryReplicas,
  maxTrafficWeight,
  type ReplicaProgressThreshold,
  stepLabel,
} from '../../../src/rollout/canary-weight.ts';

const STEPS: CanaryStep[] = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 50 },
  { pause: { duration: '1h' } },
];

describe('currentStep (§6.3.1)', () => {
  const rows: {
    name: string;
    steps: CanaryStep[] | undefined;
    index: number | undefined;
    want: ReturnType<typeof currentStep>;
  }[] = [
    { name: 'no steps ⇒ none', steps: undefined, index: 0, want: undefined },
    { name: 'empty steps ⇒ none', steps: [], index: 0, want: undefined },
    {
      name: 'absent index ⇒ 0',
      steps: STEPS,
      index: undefined,
      want: { index: 0, step: STEPS[0] },
    },
    { name: 'index 3 of 4', steps: STEPS, index: 3, want: { index: 3, step: STEPS[3] } },
    {
      name: 'index = len ⇒ no current step',
      steps: STEPS,
      index: 4,
      want: { index: 4, step: undefined },
    },
    {
      name: 'index > len ⇒ no current step',
      steps: STEPS,
      index: 9,
      want: { index: 9, step: undefined },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(currentStep(row.steps, { currentStepIndex: row.index }), row.want);
    });
  }
});

describe('maxTrafficWeight', () => {
  const rows: { name: string; canary: CanaryStrategy | undefined; want: number }[] = [
    { name: 'no canary', canary: undefined, want: 100 },
    { name: 'no trafficRouting', canary: {}, want: 100 },
    {
      name: 'trafficRouting without maxTrafficWeight',
      canary: { trafficRouting: { nginx: {} } },
      want: 100,
    },
    {
      name: 'nginx maxTrafficWeight 1000',
      canary: { trafficRouting: { nginx: {}, maxTrafficWeight: 1000 } },
      want: 1000,
    },
  ];
  for (const row of rows) {
    it(row.name, () => assert.equal(maxTrafficWeight(row.canary), row.want));
  }
});

const TR = { trafficRouting: { smi: {} } } satisfies CanaryStrategy;
const MID = { stableRS: 'stable', currentPodHash: 'canary' } as const;

describe('desiredWeight / explicitCanaryReplicas (§6.3.2)', () => {
  const rows: {
    name: string;
    input: DesiredWeightInput;
    want: { replicas?: number; weight: number };
  }[] = [
    // rule 1
    {
      name: 'promoteFull ⇒ M',
      input: { canary: { steps: STEPS }, status: { ...MID, promoteFull: true }, replicas: 4 },
      want: { weight: 100 },
    },
    {
      name: 'no stableRS ⇒ M',
      input: { canary: { steps: STEPS }, status: { currentPodHash: 'canary' }, replicas: 4 },
      want: { weight: 100 },
    },
    {
      name: 'empty stableRS ⇒ M',
      input: {
        canary: { steps: STEPS },
        status: { stableRS: '', currentPodHash: 'c' },
        replicas: 4,
      },
      want: { weight: 100 },
    },
    {
      name: 'promoted (current == stable) ⇒ M = maxTrafficWeight',
      input: {
        canary: { steps: STEPS, trafficRouting: { nginx: {}, maxTrafficWeight: 1000 } },
        status: { stableRS: 'h', currentPodHash: 'h', currentStepIndex: 0 },
        replicas: 4,
      },
      want: { weight: 1000 },
    },
    {
      name: 'promoteFull wins over abort and dynamic scaling',
      input: {
        canary: { ...TR, steps: STEPS, dynamicStableScale: true },
        status: { ...MID, promoteFull: true, abort: true },
        replicas: 4,
        stableRS: { availableReplicas: 0 },
        canaryRS: { availableReplicas: 4 },
      },
      want: { weight: 100 },
    },
    // rule 4
    {
      name: 'setWeight at the current index',
      input: { canary: { steps: STEPS }, status: { ...MID, currentStepIndex: 0 }, replicas: 4 },
      want: { weight: 20 },
    },
    {
      name: 'pause after setWeight 20 ⇒ 20',
      input: { canary: { steps: STEPS }, status: { ...MID, currentStepIndex: 1 }, replicas: 4 },
      want: { weight: 20 },
    },
    {
      name: 'index absent ⇒ step 0',
      input: { canary: { steps: STEPS }, status: { ...MID }, replicas: 4 },
      want: { weight: 20 },
    },
    {
      name: 'pause after setWeight 50 ⇒ 50',
      input: { canary: { steps: STEPS }, status: { ...MID, currentStepIndex: 3 }, replicas: 4 },
      want: { weight: 50 },
    },
    {
      name: 'all steps done ⇒ M',
      input: { canary: { steps: STEPS }, status: { ...MID, currentStepIndex: 4 }, replicas: 4 },
      want: { weight: 100 },
    },
    {
      name: 'no setWeight at or before the index ⇒ 0',
      input: {
        canary: { steps: [{ pause: {} }, { setWeight: 30 }] },
        status: { ...MID, currentStepIndex: 0 },
        replicas: 4,
      },
      want: { weight: 0 },
    },
    {
      name: 'no steps, not promoted ⇒ M',
      input: { canary: {}, status: { ...MID }, replicas: 4 },
      want: { weight: 100 },
    },
    {
      name: 'aborted ⇒ 0',
      input: {
        canary: { steps: STEPS },
        status: { ...MID, abort: true, currentStepIndex: 3 },
        replicas: 4,
      },
      want: { weight: 0 },
    },
    {
      name: 'aborted with no steps ⇒ 0',
      input: { canary: {}, status: { ...MID, abort: true }, replicas: 4 },
      want: { weight: 0 },
    },
    // rule 2: setCanaryScale
    {
      name: 'setCanaryScale replicas ⇒ explicit count, weight 0',
      input: {
        canary: { ...TR, steps: [{ setWeight: 10 }, { setCanaryScale: { replicas: 3 } }] },
        status: { ...MID, currentStepIndex: 1 },
        replicas: 4,
      },
      want: { replicas: 3, weight: 0 },
    },
    {
      name: 'setCanaryScale weight',
      input: {
        canary: { ...TR, steps: [{ setWeight: 10 }, { setCanaryScale: { weight: 25 } }] },
        status: { ...MID, currentStepIndex: 1 },
        replicas: 4,
      },
      want: { weight: 25 },
    },
    {
      name: 'setCanaryScale replicas beats weight',
      input: {
        canary: { ...TR, steps: [{ setCanaryScale: { replicas: 2, weight: 90 } }] },
        status: { ...MID, currentStepIndex: 0 },
        replicas: 4,
      },
      want: { replicas: 2, weight: 0 },
    },
    {
      name: 'setCanaryScale is sticky across later steps',
      input: {
        canary: {
          ...TR,
          steps: [{ setCanaryScale: { weight: 25 } }, { setWeight: 60 }, { pause: {} }],
        },
        status: { ...MID, currentStepIndex: 2 },
        replicas: 4,
      },
      want: { weight: 25 },
    },
    {
      name: 'matchTrafficWeight ends the override',
      input: {
        canary: {
          ...TR,
          steps: [
            { setCanaryScale: { replicas: 3 } },
            { setWeight: 40 },
            { setCanaryScale: { matchTrafficWeight: true } },
          ],
        },
        status: { ...MID, currentStepIndex: 2 },
        replicas: 4,
      },
      want: { weight: 40 },
    },
    {
      name: 'empty setCanaryScale falls through to setWeight',
      input: {
        canary: { ...TR, steps: [{ setWeight: 15 }, { setCanaryScale: {} }] },
        status: { ...MID, currentStepIndex: 1 },
        replicas: 4,
      },
      want: { weight: 15 },
    },
    {
      name: 'setCanaryScale ignored without trafficRouting',
      input: {
        canary: { steps: [{ setWeight: 20 }, { setCanaryScale: { replicas: 9, weight: 100 } }] },
        status: { ...MID, currentStepIndex: 1 },
        replicas: 10,
      },
      want: { weight: 20 },
    },
    {
      name: 'setCanaryScale ignored once all steps are done',
      input: {
        canary: { ...TR, steps: [{ setCanaryScale: { replicas: 3 } }] },
        status: { ...MID, currentStepIndex: 1 },
        replicas: 4,
      },
      want: { weight: 100 },
    },
    {
      name: 'aborted with default abortScaleDownDelaySeconds ⇒ override dropped, 0',
      input: {
        canary: { ...TR, steps: [{ setCanaryScale: { replicas: 1 } }] },
        status: { ...MID, abort: true },
        replicas: 1,
      },
      want: { weight: 0 },
    },
    {
      name: 'aborted with abortScaleDownDelaySeconds 30 ⇒ override dropped, 0',
      input: {
        canary: {
          ...TR,
          abortScaleDownDelaySeconds: 30,
          steps: [{ setCanaryScale: { replicas: 1 } }],
        },
        status: { ...MID, abort: true },
        replicas: 1,
      },
      want: { weight: 0 },
    },
    {
      name: 'aborted with abortScaleDownDelaySeconds 0 ⇒ override kept',
      input: {
        canary: {
          ...TR,
          abortScaleDownDelaySeconds: 0,
          steps: [{ setCanaryScale: { replicas: 1 } }],
        },
        status: { ...MID, abort: true },
        replicas: 1,
      },
      want: { replicas: 1, weight: 0 },
    },
    // rule 3: dynamic abort weight. Steps' setWeights: 10, 50, 80; R=10, M=100.
    {
      name: 'dynamic abort: c = max(need 6, canary 8) ⇒ first w from the end with ceil(R·w/M) < 8 is 50',
      input: {
        canary: {
          ...TR,
          dynamicStableScale: true,
          steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { setWeight: 80 }],
        },
        status: { ...MID, abort: true, currentStepIndex: 0 },
        replicas: 10,
        stableRS: { availableReplicas: 4 },
        canaryRS: { availableReplicas: 8 },
      },
      want: { weight: 50 },
    },
    {
      name: 'dynamic abort: canary availability keeps the weight up (c = 9 ⇒ 80)',
      input: {
        canary: {
          ...TR,
          dynamicStableScale: true,
          steps: [{ setWeight: 10 }, { setWeight: 50 }, { setWeight: 80 }],
        },
        status: { ...MID, abort: true },
        replicas: 10,
        stableRS: { availableReplicas: 4 },
        canaryRS: { availableReplicas: 9 },
      },
      want: { weight: 80 },
    },
    {
      name: 'dynamic abort with explicit non-zero delay: c = need (2) ⇒ 10',
      input: {
        canary: {
          ...TR,
          dynamicStableScale: true,
          abortScaleDownDelaySeconds: 30,
          steps: [{ setWeight: 10 }, { setWeight: 50 }, { setWeight: 80 }],
        },
        status: { ...MID, abort: true },
        replicas: 10,
        stableRS: { availableReplicas: 8 },
        canaryRS: { availableReplicas: 8 },
      },
      want: { weight: 10 },
    },
    {
      name: 'dynamic abort with explicit 0 delay: c = max(need, canary)',
      input: {
        canary: {
          ...TR,
          dynamicStableScale: true,
          abortScaleDownDelaySeconds: 0,
          steps: [{ setWeight: 10 }, { setWeight: 50 }, { setWeight: 80 }],
        },
        status: { ...MID, abort: true },
        replicas: 10,
        stableRS: { availableReplicas: 8 },
        canaryRS: { availableReplicas: 8 },
      },
      want: { weight: 50 },
    },
    {
      name: 'dynamic abort: stable almost full ⇒ no weight fits ⇒ 0',
      input: {
        canary: { ...TR, dynamicStableScale: true, steps: [{ setWeight: 10 }, { setWeight: 50 }] },
        status: { ...MID, abort: true },
        replicas: 10,
        stableRS: { availableReplicas: 9 },
        canaryRS: { availableReplicas: 0 },
      },
      want: { weight: 0 },
    },
    {
      name: 'dynamic abort uses M (maxTrafficWeight 1000)',
      input: {
        canary: {
          trafficRouting: { nginx: {}, maxTrafficWeight: 1000 },
          dynamicStableScale: true,
          steps: [{ setWeight: 100 }, { setWeight: 500 }],
        },
        status: { ...MID, abort: true },
        replicas: 10,
        stableRS: { availableReplicas: 7 },
        canaryRS: { availableReplicas: 0 },
      },
      want: { weight: 100 },
    },
    {
      name: 'dynamic abort needs both RSs, else plain abort 0',
      input: {
        canary: { ...TR, dynamicStableScale: true, steps: [{ setWeight: 10 }, { setWeight: 50 }] },
        status: { ...MID, abort: true },
        replicas: 10,
        stableRS: { availableReplicas: 2 },
      },
      want: { weight: 0 },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(canaryReplicasOrWeight(row.input), row.want);
      assert.equal(desiredWeight(row.input), row.want.weight);
      assert.equal(explicitCanaryReplicas(row.input), row.want.replicas);
    });
  }
});

describe('canaryReached (§6.3.3)', () => {
  const rows: {
    name: string;
    rs: { specReplicas: number; availableReplicas: number } | undefined;
    desired: number;
    threshold?: ReplicaProgressThreshold;
    want: boolean;
  }[] = [
    {
      name: 'unset: spec and available equal desired',
      rs: { specReplicas: 3, availableReplicas: 3 },
      desired: 3,
      want: true,
    },
    {
      name: 'unset: spec differs',
      rs: { specReplicas: 4, availableReplicas: 3 },
      desired: 3,
      want: false,
    },
    {
      name: 'unset: not all available',
      rs: { specReplicas: 3, availableReplicas: 2 },
      desired: 3,
      want: false,
    },
    {
      name: 'unset: more available than desired',
      rs: { specReplicas: 3, availableReplicas: 4 },
      desired: 3,
      want: false,
    },
    { name: 'unset: missing RS', rs: undefined, desired: 0, want: false },
    {
      name: 'negative value behaves as unset',
      rs: { specReplicas: 5, availableReplicas: 4 },
      desired: 5,
      threshold: { type: 'Percent', value: -1 },
      want: false,
    },
    {
      name: 'Percent 80: 4/5 met',
      rs: { specReplicas: 5, availableReplicas: 4 },
      desired: 5,
      threshold: { type: 'Percent', value: 80 },
      want: true,
    },
    {
      name: 'Percent 80: 3/5 not met',
      rs: { specReplicas: 5, availableReplicas: 3 },
      desired: 5,
      threshold: { type: 'Percent', value: 80 },
      want: false,
    },
    {
      name: 'Percent: desired 0 is met',
      rs: undefined,
      desired: 0,
      threshold: { type: 'Percent', value: 100 },
      want: true,
    },
    {
      name: 'Percent ignores spec (HPA may have grown it)',
      rs: { specReplicas: 9, availableReplicas: 5 },
      desired: 5,
      threshold: { type: 'Percent', value: 100 },
      want: true,
    },
    {
      name: 'Percent 1e-10 tolerance: 29/50·100 = 57.99999999999999 ≥ 58',
      rs: { specReplicas: 50, availableReplicas: 29 },
      desired: 50,
      threshold: { type: 'Percent', value: 58 },
      want: true,
    },
    {
      name: 'Percent: 28/50 < 58',
      rs: { specReplicas: 50, availableReplicas: 28 },
      desired: 50,
      threshold: { type: 'Percent', value: 58 },
      want: false,
    },
    {
      name: 'Pods 3: 3 available met',
      rs: { specReplicas: 10, availableReplicas: 3 },
      desired: 10,
      threshold: { type: 'Pods', value: 3 },
      want: true,
    },
    {
      name: 'Pods 3: 2 available not met',
      rs: { specReplicas: 10, availableReplicas: 2 },
      desired: 10,
      threshold: { type: 'Pods', value: 3 },
      want: false,
    },
    {
      name: 'Pods 0 with missing RS',
      rs: undefined,
      desired: 4,
      threshold: { type: 'Pods', value: 0 },
      want: true,
    },
  ];
  for (const row of rows) {
    it(row.name, () => assert.equal(canaryReached(row.rs, row.desired, row.threshold), row.want));
  }
});

describe('stepLabel (§4.4 RolloutStepCompleted text)', () => {
  const rows: { step: CanaryStep; want: string }[] = [
    { step: { setWeight: 20 }, want: 'setWeight: 20' },
    { step: { setWeight: 0 }, want: 'setWeight: 0' },
    { step: { pause: {} }, want: 'pause' },
    { step: { pause: { duration: '1h' } }, want: 'pause: 1h' },
    { step: { pause: { duration: '1h30m' } }, want: 'pause: 1h30m' },
    { step: { pause: { duration: 30 } }, want: 'pause: 30' },
    { step: { pause: { duration: '30' } }, want: 'pause: 30' },
    { step: { experiment: {} }, want: 'experiment' },
    { step: { analysis: { templates: [{ templateName: 'x' }] } }, want: 'analysis' },
    { step: { setCanaryScale: { weight: 25 } }, want: 'setCanaryScale{weight: 25}' },
    { step: { setCanaryScale: { replicas: 3 } }, want: 'setCanaryScale{replicas: 3}' },
    {
      step: { setCanaryScale: { matchTrafficWeight: true } },
      want: 'setCanaryScale{matchTrafficWeight: true}',
    },
    { step: { setCanaryScale: { weight: 10, replicas: 2 } }, want: 'setCanaryScale{weight: 10}' },
    {
      step: { setCanaryScale: { matchTrafficWeight: true, replicas: 2 } },
      want: 'setCanaryScale{matchTrafficWeight: true}',
    },
    { step: { setCanaryScale: {} }, want: 'invalid' },
    { step: { setHeaderRoute: { name: 'r' } }, want: 'invalid' },
    { step: { plugin: { name: 'p' } }, want: 'invalid' },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.step)} ⇒ ${row.want}`, () =>
      assert.equal(stepLabel(row.step), row.want));
  }
});
