import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePhase, type PhaseInput } from '../../../src/rollout/phase.ts';
import {
  newCondition,
  setCondition,
  refreshCondition,
  removeCondition,
} from '../../../src/rollout/conditions.ts';

const base: PhaseInput = {
  conditions: [],
  specPaused: false,
  specRestartAt: undefined,
  specReplicas: 3,
  status: {
    updatedReplicas: 3,
    availableReplicas: 3,
    replicas: 3,
    stableRS: 'abc',
    currentPodHash: 'abc',
  },
  strategy: 'canary',
  trafficRouting: false,
};

const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message = 'm') =>
  newCondition(type, status, reason, message, '2026-01-01T00:00:00Z');

const cases: [string, Partial<PhaseInput>, string, string][] = [
  ['healthy', {}, 'Healthy', ''],
  [
    'invalid spec wins over everything',
    { conditions: [cond('InvalidSpec', 'True', 'InvalidSpec', 'bad')], specPaused: true },
    'Degraded',
    'InvalidSpec: bad',
  ],
  [
    'aborted',
    {
      conditions: [
        cond('Progressing', 'False', 'RolloutAborted', 'Rollout aborted update to revision 2'),
      ],
    },
    'Degraded',
    'RolloutAborted: Rollout aborted update to revision 2',
  ],
  [
    'deadline',
    { conditions: [cond('Progressing', 'False', 'ProgressDeadlineExceeded', 'x')] },
    'Degraded',
    'ProgressDeadlineExceeded: x',
  ],
  [
    'first matching condition in stored order decides',
    {
      conditions: [
        cond('Progressing', 'False', 'ProgressDeadlineExceeded', 'a'),
        cond('InvalidSpec', 'True', 'InvalidSpec', 'b'),
      ],
    },
    'Degraded',
    'ProgressDeadlineExceeded: a',
  ],
  ['manually paused', { specPaused: true }, 'Paused', 'manually paused'],
  [
    'pause condition',
    {
      status: { ...base.status, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }] },
    },
    'Paused',
    'CanaryPauseStep',
  ],
  ['restarting', { specRestartAt: '2026-01-01T00:00:00Z' }, 'Progressing', 'rollout is restarting'],
  [
    'restarted',
    { specRestartAt: 'x', status: { ...base.status, restartedAt: 'x' } },
    'Healthy',
    '',
  ],
  [
    'updating',
    { status: { ...base.status, updatedReplicas: 1 } },
    'Progressing',
    'more replicas need to be updated',
  ],
  [
    'becoming available',
    { status: { ...base.status, availableReplicas: 2 } },
    'Progressing',
    'updated replicas are still becoming available',
  ],
  [
    'old replicas pending',
    { status: { ...base.status, replicas: 4 } },
    'Progressing',
    'old replicas are pending termination',
  ],
  [
    'old replicas ignored with traffic routing',
    { trafficRouting: true, status: { ...base.status, replicas: 4 } },
    'Healthy',
    '',
  ],
  [
    'steps pending',
    { status: { ...base.status, stableRS: 'old' } },
    'Progressing',
    'waiting for all steps to complete',
  ],
  [
    'no stable yet',
    { status: { ...base.status, stableRS: '' } },
    'Progressing',
    'waiting for all steps to complete',
  ],
  [
    'bg cutover pending',
    { strategy: 'blueGreen', status: { ...base.status, blueGreen: { activeSelector: 'old' } } },
    'Progressing',
    'active service cutover pending',
  ],
  [
    'bg post-promotion pending',
    {
      strategy: 'blueGreen',
      postPromotionPending: true,
      status: { ...base.status, stableRS: 'old', blueGreen: { activeSelector: 'abc' } },
    },
    'Progressing',
    'waiting for analysis to complete',
  ],
  [
    'bg post-promotion verification',
    {
      strategy: 'blueGreen',
      status: { ...base.status, stableRS: 'old', blueGreen: { activeSelector: 'abc' } },
    },
    'Progressing',
    'waiting for post-promotion verification to complete',
  ],
  [
    'bg healthy',
    {
      strategy: 'blueGreen',
      status: { ...base.status, replicas: 6, blueGreen: { activeSelector: 'abc' } },
    },
    'Healthy',
    '',
  ],
];

for (const [name, over, phase, message] of cases) {
  test(`phase: ${name}`, () => {
    assert.deepEqual(computePhase({ ...base, ...over }), { phase, message });
  });
}

test('setCondition keeps the condition when type, status and reason match', () => {
  const a = cond('Available', 'True', 'AvailableReason', 'one');
  const list = setCondition([a], { ...a, message: 'two', lastUpdateTime: 'later' });
  assert.equal(list[0]!.message, 'one');
  assert.equal(list[0]!.lastUpdateTime, a.lastUpdateTime);
});

test('setCondition keeps lastTransitionTime when only the reason changes', () => {
  const a = cond('Progressing', 'True', 'NewReplicaSetCreated');
  const b = newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'x', '2026-02-02T00:00:00Z');
  const list = setCondition([a], b);
  assert.equal(list[0]!.reason, 'ReplicaSetUpdated');
  assert.equal(list[0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(list[0]!.lastUpdateTime, '2026-02-02T00:00:00Z');
});

test('setCondition resets lastTransitionTime on a status change and appends new types', () => {
  const a = cond('Paused', 'True', 'RolloutPaused');
  const b = newCondition(
    'Paused',
    'False',
    'RolloutPaused',
    'Rollout is paused',
    '2026-03-03T00:00:00Z',
  );
  const list = setCondition([a], b);
  assert.equal(list[0]!.lastTransitionTime, '2026-03-03T00:00:00Z');
  assert.equal(setCondition(list, cond('Healthy', 'True', 'RolloutHealthy')).length, 2);
});

test('refreshCondition moves lastUpdateTime even when nothing else changed', () => {
  const a = cond('Progressing', 'True', 'ReplicaSetUpdated');
  const list = refreshCondition(
    [a],
    newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'm', 'later'),
  );
  assert.equal(list[0]!.lastUpdateTime, 'later');
  assert.equal(list[0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.deepEqual(removeCondition(list, 'Progressing'), []);
});
