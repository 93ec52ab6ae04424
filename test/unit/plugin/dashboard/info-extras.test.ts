// Our additions to the single-rollout info (plugin/dashboard/info-extras.ts): conditions and
// pauseConditions passed through, and pauseEndsAt only when a timed canary pause step will end
// on its own — the controller's own duration parsing, from the CanaryPauseStep's startTime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../src/api/kube-object.ts';
import { infoExtras, pauseEndsAt, withExtras } from '../../../../plugin/dashboard/info-extras.ts';

const START = '2026-11-22T06:00:00Z';

function rollout(o: {
  steps?: unknown[];
  index?: number;
  pauseConditions?: unknown[];
  paused?: boolean;
  abort?: boolean;
  conditions?: unknown[];
}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      ...(o.paused !== undefined ? { paused: o.paused } : {}),
      strategy: { canary: { ...(o.steps ? { steps: o.steps } : {}) } },
    },
    status: {
      ...(o.index !== undefined ? { currentStepIndex: o.index } : {}),
      ...(o.pauseConditions ? { pauseConditions: o.pauseConditions } : {}),
      ...(o.abort !== undefined ? { abort: o.abort } : {}),
      ...(o.conditions ? { conditions: o.conditions } : {}),
    },
  };
}

const canaryPause = [{ reason: 'CanaryPauseStep', startTime: START }];

const cases: [what: string, ro: KubeObject, want: string | undefined][] = [
  [
    'a Go duration',
    rollout({
      steps: [{ setWeight: 50 }, { pause: { duration: '1m30s' } }],
      index: 1,
      pauseConditions: canaryPause,
    }),
    '2026-11-22T06:01:30Z',
  ],
  [
    'a bare number of seconds',
    rollout({ steps: [{ pause: { duration: 42 } }], index: 0, pauseConditions: canaryPause }),
    '2026-11-22T06:00:42Z',
  ],
  [
    'a numeric string',
    rollout({ steps: [{ pause: { duration: '3600' } }], index: 0, pauseConditions: canaryPause }),
    '2026-11-22T07:00:00Z',
  ],
  [
    'no currentStepIndex is step 0',
    rollout({ steps: [{ pause: { duration: '10s' } }], pauseConditions: canaryPause }),
    '2026-11-22T06:00:10Z',
  ],
  [
    'an indefinite pause',
    rollout({ steps: [{ pause: {} }], index: 0, pauseConditions: canaryPause }),
    undefined,
  ],
  [
    'an invalid duration',
    rollout({ steps: [{ pause: { duration: 'soon' } }], index: 0, pauseConditions: canaryPause }),
    undefined,
  ],
  [
    'not paused yet (no CanaryPauseStep condition)',
    rollout({ steps: [{ pause: { duration: '10s' } }], index: 0 }),
    undefined,
  ],
  [
    'only another pause reason',
    rollout({
      steps: [{ pause: { duration: '10s' } }],
      index: 0,
      pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: START }],
    }),
    undefined,
  ],
  [
    'the current step is not a pause',
    rollout({
      steps: [{ setWeight: 10 }, { pause: { duration: '10s' } }],
      index: 0,
      pauseConditions: canaryPause,
    }),
    undefined,
  ],
  [
    'all steps done',
    rollout({ steps: [{ pause: { duration: '10s' } }], index: 1, pauseConditions: canaryPause }),
    undefined,
  ],
  [
    'a manual pause holds it',
    rollout({
      steps: [{ pause: { duration: '10s' } }],
      index: 0,
      pauseConditions: canaryPause,
      paused: true,
    }),
    undefined,
  ],
  [
    'an abort holds it',
    rollout({
      steps: [{ pause: { duration: '10s' } }],
      index: 0,
      pauseConditions: canaryPause,
      abort: true,
    }),
    undefined,
  ],
  [
    'a blue-green rollout (no canary steps)',
    {
      metadata: { name: 'bg' },
      spec: { strategy: { blueGreen: { autoPromotionSeconds: 30 } } },
      status: { pauseConditions: [{ reason: 'BlueGreenPause', startTime: START }] },
    },
    undefined,
  ],
];

for (const [what, ro, want] of cases) {
  test(`pauseEndsAt: ${what}`, () => {
    assert.equal(pauseEndsAt(ro), want);
  });
}

test('infoExtras passes conditions and pauseConditions through, and leaves empties out', () => {
  const conditions = [
    { type: 'Paused', status: 'True', reason: 'RolloutPaused', message: 'Rollout is paused' },
  ];
  const ro = rollout({
    steps: [{ pause: { duration: '5s' } }],
    index: 0,
    pauseConditions: canaryPause,
    conditions,
  });
  assert.deepEqual(infoExtras(ro), {
    conditions,
    pauseConditions: canaryPause,
    pauseEndsAt: '2026-11-22T06:00:05Z',
  });
  assert.deepEqual(infoExtras(rollout({ conditions: [], pauseConditions: [] })), {});
  assert.deepEqual(infoExtras({ metadata: { name: 'new' } }), {});
});

test('withExtras adds after Argo’s fields and changes none of them', () => {
  const encoded = { objectMeta: { name: 'web' }, status: 'Paused' };
  const out = withExtras(encoded, { pauseEndsAt: START });
  assert.deepEqual(Object.keys(out as object), ['objectMeta', 'status', 'pauseEndsAt']);
  assert.deepEqual(encoded, { objectMeta: { name: 'web' }, status: 'Paused' });
});
