// The promote decision table (§1.4.4) row by row, on Rollout objects (no cluster): the rows the
// integration tests cannot reach with our controller (inconclusive analysis, blue-green).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/kube/raw-client.ts';
import { promotePlan } from '../../../plugin/commands/promote.ts';

const steps = [{ setWeight: 20 }, { pause: {} }, { analysis: {} }];
const canary = (status: Record<string, unknown>, paused = false): KubeObject => ({
  metadata: { name: 'r' },
  spec: { ...(paused ? { paused: true } : {}), strategy: { canary: { steps } } },
  status,
});
const blueGreen = (status: Record<string, unknown>, paused = false): KubeObject => ({
  metadata: { name: 'r' },
  spec: { ...(paused ? { paused: true } : {}), strategy: { blueGreen: {} } },
  status,
});

describe('promote decision table', () => {
  test('--full: promoteFull only while the pod hash differs from stable; unpause if paused', () => {
    assert.deepEqual(
      promotePlan(canary({ currentPodHash: 'a', stableRS: 'b' }, true), { full: true }),
      {
        specPatch: { spec: { paused: false } },
        statusPatch: { status: { promoteFull: true } },
        unifiedPatch: { spec: { paused: false }, status: { promoteFull: true } },
      },
    );
    assert.deepEqual(promotePlan(canary({ currentPodHash: 'a', stableRS: 'a' }), { full: true }), {
      unifiedPatch: { spec: { paused: false }, status: { promoteFull: true } },
    });
  });

  test('inconclusive step analysis with a controller pause: skip the step and clear controllerPause', () => {
    const st = {
      currentStepIndex: 2,
      controllerPause: true,
      pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }],
      canary: { currentStepAnalysisRunStatus: { status: 'Inconclusive' } },
    };
    assert.deepEqual(promotePlan(canary(st), {}), {
      statusPatch: {
        status: { pauseConditions: null, controllerPause: false, currentStepIndex: 3 },
      },
      unifiedPatch: { spec: { paused: false }, status: { pauseConditions: null } },
    });
  });

  test('pause conditions: clear them (blue-green too); unpause first in the spec patch', () => {
    const st = { pauseConditions: [{ reason: 'BlueGreenPause' }] };
    assert.deepEqual(promotePlan(blueGreen(st, true), {}), {
      specPatch: { spec: { paused: false } },
      statusPatch: { status: { pauseConditions: null } },
      unifiedPatch: { spec: { paused: false }, status: { pauseConditions: null } },
    });
  });

  test('canary with steps and no conditions: next step, capped at len(steps); index 0 when unset', () => {
    assert.deepEqual(promotePlan(canary({}), {}).statusPatch, {
      status: { pauseConditions: null, currentStepIndex: 1 },
    });
    assert.deepEqual(promotePlan(canary({ currentStepIndex: 3 }), {}).statusPatch, {
      status: { pauseConditions: null, currentStepIndex: 3 },
    });
  });

  test('anything else: only the unpause, or nothing at all', () => {
    assert.deepEqual(promotePlan(blueGreen({}, true), {}), {
      specPatch: { spec: { paused: false } },
    });
    assert.deepEqual(promotePlan(blueGreen({}), {}), {});
    const noSteps: KubeObject = { metadata: {}, spec: { strategy: { canary: {} } }, status: {} };
    assert.deepEqual(promotePlan(noSteps, {}), {});
  });

  test('deprecated skip flags', () => {
    assert.deepEqual(
      promotePlan(canary({ currentStepIndex: 1 }, true), { skipCurrentStep: true }),
      {
        statusPatch: { status: { currentStepIndex: 2 } },
        unifiedPatch: { status: { currentStepIndex: 2 } },
      },
    );
    assert.deepEqual(promotePlan(canary({}), { skipAllSteps: true }).statusPatch, {
      status: { currentStepIndex: 3 },
    });
    assert.throws(() => promotePlan(blueGreen({}), { skipAllSteps: true }), {
      message: 'Cannot skip steps of a bluegreen rollout. Run without a flags',
    });
    const noSteps: KubeObject = { metadata: {}, spec: { strategy: { canary: {} } }, status: {} };
    assert.throws(() => promotePlan(noSteps, { skipCurrentStep: true }), {
      message: 'Cannot skip steps of a rollout without steps',
    });
  });
});
