// §2.1.1: the plugin's status/message derivation, rule by rule and in precedence order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { rolloutPhase } from '../../../plugin/info/phase.ts';
import { rolloutIcon } from '../../../plugin/info/icons.ts';

interface Case {
  name: string;
  generation?: number;
  annotations?: Record<string, string>;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  workloadResolved?: boolean;
  want: [status: string, message: string];
}

const canary = { canary: { steps: [{ setWeight: 50 }] } };
const blueGreen = { blueGreen: { activeService: 'a' } };
/** A settled canary: every fallback rule passes, so each case changes one thing. */
const settled = {
  observedGeneration: '1',
  replicas: 3,
  updatedReplicas: 3,
  availableReplicas: 3,
  currentPodHash: 'h1',
  stableRS: 'h1',
};
const cond = (type: string, reason: string, message = 'm') => ({
  type,
  status: type === 'InvalidSpec' ? 'True' : 'False',
  reason,
  message,
});

const cases: Case[] = [
  { name: 'settled canary', want: ['Healthy', ''] },
  {
    name: 'observedGeneration behind metadata.generation',
    generation: 2,
    status: { phase: 'Healthy' },
    want: ['Progressing', 'waiting for rollout spec update to be observed'],
  },
  {
    name: 'observedGeneration ahead of metadata.generation counts as observed',
    generation: 2,
    status: { observedGeneration: '3', phase: 'Healthy' },
    want: ['Healthy', ''],
  },
  {
    name: 'a non-numeric (pre-0.10 hash) observedGeneration counts as observed',
    generation: 7,
    status: { observedGeneration: '5f8b7c9d4', phase: 'Paused', message: 'BlueGreenPause' },
    want: ['Paused', 'BlueGreenPause'],
  },
  {
    name: 'controllerPause with no pause conditions is an unpause in flight',
    status: { controllerPause: true, pauseConditions: [], phase: 'Paused' },
    want: ['Progressing', 'waiting for rollout to unpause'],
  },
  {
    name: 'controllerPause with pause conditions is a real pause',
    status: {
      controllerPause: true,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 't' }],
      phase: 'Paused',
      message: 'CanaryPauseStep',
    },
    want: ['Paused', 'CanaryPauseStep'],
  },
  {
    name: 'resolved workloadRef with an unobserved workload generation',
    annotations: { 'rollout.argoproj.io/workload-generation': '4' },
    status: { workloadObservedGeneration: '3', phase: 'Healthy' },
    workloadResolved: true,
    want: [
      'Progressing',
      'waiting for rollout spec update to be observed for the reference workload',
    ],
  },
  {
    name: 'the workload generation rule needs a resolved template',
    annotations: { 'rollout.argoproj.io/workload-generation': '4' },
    status: { workloadObservedGeneration: '3', phase: 'Healthy' },
    want: ['Healthy', ''],
  },
  {
    name: 'status.phase and message are taken as written',
    status: { phase: 'Degraded', message: 'RolloutAborted: x' },
    want: ['Degraded', 'RolloutAborted: x'],
  },
  {
    name: 'InvalidSpec wins over a manual pause',
    spec: { paused: true },
    status: { conditions: [cond('InvalidSpec', 'InvalidSpec', 'bad steps')] },
    want: ['Degraded', 'InvalidSpec: bad steps'],
  },
  {
    name: 'RolloutAborted condition',
    status: {
      conditions: [cond('Progressing', 'RolloutAborted', 'Rollout aborted update to revision 2')],
    },
    want: ['Degraded', 'RolloutAborted: Rollout aborted update to revision 2'],
  },
  {
    name: 'ProgressDeadlineExceeded condition',
    status: { conditions: [cond('Progressing', 'ProgressDeadlineExceeded', 'timed out')] },
    want: ['Degraded', 'ProgressDeadlineExceeded: timed out'],
  },
  {
    name: 'other conditions do not degrade',
    status: { conditions: [cond('Progressing', 'NewReplicaSetAvailable')] },
    want: ['Healthy', ''],
  },
  { name: 'spec.paused', spec: { paused: true }, want: ['Paused', 'manually paused'] },
  {
    name: 'first pause condition reason',
    status: {
      pauseConditions: [
        { reason: 'InconclusiveAnalysisRun', startTime: 't' },
        { reason: 'CanaryPauseStep', startTime: 't' },
      ],
    },
    want: ['Paused', 'InconclusiveAnalysisRun'],
  },
  {
    name: 'restartAt not yet reached by restartedAt',
    spec: { restartAt: '2024-05-01T12:00:00Z' },
    status: { restartedAt: '2024-05-01T11:00:00Z' },
    want: ['Progressing', 'rollout is restarting'],
  },
  {
    name: 'restartAt equal to restartedAt as an instant',
    spec: { restartAt: '2024-05-01T12:00:00Z' },
    status: { restartedAt: '2024-05-01T12:00:00.000+00:00' },
    want: ['Healthy', ''],
  },
  {
    name: 'spec.replicas defaults to 1',
    spec: { replicas: undefined },
    status: { replicas: 0, updatedReplicas: 0, availableReplicas: 0 },
    want: ['Progressing', 'more replicas need to be updated'],
  },
  {
    name: 'updated replicas not yet available',
    status: { availableReplicas: 2 },
    want: ['Progressing', 'updated replicas are still becoming available'],
  },
  {
    name: 'blue-green before the active service switches',
    spec: { strategy: blueGreen },
    status: { blueGreen: { activeSelector: 'h0' }, currentPodHash: 'h1', stableRS: 'h0' },
    want: ['Progressing', 'active service cutover pending'],
  },
  {
    name: 'blue-green with post-promotion analysis still running',
    spec: {
      strategy: {
        blueGreen: { activeService: 'a', postPromotionAnalysis: { templates: [] } },
      },
    },
    status: {
      blueGreen: {
        activeSelector: 'h1',
        postPromotionAnalysisRunStatus: { name: 'r', status: 'Running' },
      },
      stableRS: 'h0',
    },
    want: ['Progressing', 'waiting for analysis to complete'],
  },
  {
    name: 'blue-green switched but not yet stable, analysis done',
    spec: {
      strategy: {
        blueGreen: { activeService: 'a', postPromotionAnalysis: { templates: [] } },
      },
    },
    status: {
      blueGreen: {
        activeSelector: 'h1',
        postPromotionAnalysisRunStatus: { name: 'r', status: 'Successful' },
      },
      stableRS: 'h0',
    },
    want: ['Progressing', 'waiting for post-promotion verification to complete'],
  },
  {
    name: 'settled blue-green',
    spec: { strategy: blueGreen },
    status: { blueGreen: { activeSelector: 'h1' }, replicas: 6 },
    want: ['Healthy', ''],
  },
  {
    name: 'basic canary with old replicas still running',
    status: { replicas: 5 },
    want: ['Progressing', 'old replicas are pending termination'],
  },
  {
    name: 'traffic-routed canary keeps old replicas during scale-down delay',
    spec: {
      strategy: { canary: { trafficRouting: { nginx: { stableIngress: 'i' } }, steps: [] } },
    },
    status: { replicas: 5 },
    want: ['Healthy', ''],
  },
  {
    name: 'canary whose stable is not the current hash',
    status: { stableRS: 'h0' },
    want: ['Progressing', 'waiting for all steps to complete'],
  },
  {
    name: 'no strategy at all passes the strategy rules',
    spec: { strategy: {} },
    status: { stableRS: '' },
    want: ['Healthy', ''],
  },
];

for (const c of cases) {
  test(`phase: ${c.name}`, () => {
    const ro: KubeObject = {
      metadata: {
        name: 'r',
        generation: c.generation ?? 1,
        ...(c.annotations ? { annotations: c.annotations } : {}),
      },
      spec: { replicas: 3, strategy: canary, ...c.spec },
      status: { ...settled, ...c.status },
    };
    const got = rolloutPhase(ro, { workloadResolved: c.workloadResolved ?? false });
    assert.deepEqual([got.status, got.message], c.want);
  });
}

test('rollout icons by status', () => {
  const icons = ['Progressing', 'Error', 'InvalidSpec', 'Paused', 'Healthy', 'Degraded']
    .concat(['Unknown', 'ScaledDown', 'Whatever'])
    .map(rolloutIcon);
  assert.deepEqual(icons, ['◌', '⚠', '⚠', '॥', '✔', '✖', '?', '•', ' ']);
});
