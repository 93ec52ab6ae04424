// The blue-green decisions (rollout-semantics §7.2–7.3, traffic-routing §1.4) as case tables:
// each table lists the inputs that differ from a base and the expected answer, then one loop
// runs it. Times are whole seconds so the scale-down deadlines (RFC 3339, seconds) are exact.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  activeServiceTarget,
  blueGreenPauseAction,
  blueGreenPromotionReason,
  completedBlueGreenPause,
  decideBlueGreenOldReplicaSets,
  isFastTracked,
  isSaturated,
  newReplicaSetSize,
  readyForPause,
  scaleUpPreviewCheckPoint,
  type BgReplicaSet,
  type OldScaleAction,
  type PauseAction,
  type PauseInput,
  type PreviewSizing,
} from '../../../src/rollout/bluegreen-decisions.ts';

const NOW = new Date('2026-08-01T12:00:00.750Z');
/** NOW + 30 s, truncated to whole seconds (the default scaleDownDelaySeconds). */
const IN_30S = '2026-08-01T12:00:30Z';
const IN_5S = '2026-08-01T12:00:05Z';
const FUTURE = '2026-08-01T12:05:00Z';
const PAST = '2026-08-01T11:59:00Z';

function rs(
  name: string,
  o: Partial<BgReplicaSet> & { spec?: number; available?: number } = {},
): BgReplicaSet {
  const { spec, available, ...rest } = o;
  return {
    name,
    hash: `h-${name}`,
    revision: 1,
    specReplicas: spec ?? 3,
    availableReplicas: available ?? spec ?? 3,
    desiredAnnotation: 3,
    ...rest,
  };
}

// ---------------------------------------------------------------------------------------------
// §7.2 new ReplicaSet size

describe('newReplicaSetSize (§7.2)', () => {
  const base: PreviewSizing = {
    replicas: 3,
    activeRS: rs('old'),
    newRS: rs('new', { spec: 0 }),
    promoteFull: false,
    paused: false,
    scaleUpPreviewCheckPoint: false,
  };
  const cases: [string, Partial<PreviewSizing>, number][] = [
    ['no previewReplicaCount: R', {}, 3],
    ['previewReplicaCount while another RS is active', { previewReplicaCount: 1 }, 1],
    ['previewReplicaCount 0 is honoured', { previewReplicaCount: 0 }, 0],
    ['no active RS (initial deploy): R', { previewReplicaCount: 1, activeRS: undefined }, 3],
    [
      'the active RS is the new RS (promoted): R',
      { previewReplicaCount: 1, activeRS: rs('new') },
      3,
    ],
    ['promoteFull: R', { previewReplicaCount: 1, promoteFull: true }, 3],
    [
      'checkpoint reached and not paused: R',
      { previewReplicaCount: 1, scaleUpPreviewCheckPoint: true },
      3,
    ],
    [
      'checkpoint reached but still paused: previewReplicaCount',
      { previewReplicaCount: 1, scaleUpPreviewCheckPoint: true, paused: true },
      1,
    ],
    ['paused with promoteFull: R', { previewReplicaCount: 1, paused: true, promoteFull: true }, 3],
    ['paused without previewReplicaCount: R', { paused: true }, 3],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => assert.equal(newReplicaSetSize({ ...base, ...over }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.2 "ready for pause" and "saturated"

describe('readyForPause / isSaturated (§7.2)', () => {
  const ready: [string, BgReplicaSet, number, boolean][] = [
    ['sized and all available', rs('n', { spec: 3, available: 3 }), 3, true],
    ['sized, one not yet available', rs('n', { spec: 3, available: 2 }), 3, false],
    ['not yet sized', rs('n', { spec: 2, available: 2 }), 3, false],
    ['previewReplicaCount size, all available', rs('n', { spec: 1, available: 1 }), 1, true],
    ['over-sized is not ready', rs('n', { spec: 3, available: 3 }), 1, false],
    ['zero wanted, zero there', rs('n', { spec: 0, available: 0 }), 0, true],
  ];
  for (const [name, r, desired, want] of ready) {
    test(`readyForPause: ${name}`, () => assert.equal(readyForPause(r, desired), want));
  }

  const saturated: [string, BgReplicaSet, boolean][] = [
    ['spec, annotation and available all R', rs('n'), true],
    ['annotation missing', rs('n', { desiredAnnotation: undefined }), false],
    ['annotation stale (R changed)', rs('n', { desiredAnnotation: 2 }), false],
    ['one pod not available', rs('n', { available: 2 }), false],
    ['preview size only', rs('n', { spec: 1, available: 1 }), false],
  ];
  for (const [name, r, want] of saturated) {
    test(`isSaturated: ${name}`, () => assert.equal(isSaturated(r, 3), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.3 step 2: fast-tracked rollouts skip the pause

describe('isFastTracked (§7.3 step 2)', () => {
  const cases: [string, { promoteFull: boolean; activeServiceHash: string }, boolean][] = [
    [
      'active on the old RS: not fast-tracked',
      { promoteFull: false, activeServiceHash: 'h1' },
      false,
    ],
    ['promoteFull', { promoteFull: true, activeServiceHash: 'h1' }, true],
    [
      'active Service without a hash (initial deploy)',
      { promoteFull: false, activeServiceHash: '' },
      true,
    ],
    ['active already on the new RS', { promoteFull: false, activeServiceHash: 'h2' }, true],
  ];
  for (const [name, i, want] of cases) {
    test(name, () => assert.equal(isFastTracked({ ...i, newHash: 'h2' }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.3 step 3: the pause is completed

const STARTED = '2026-08-01T11:59:55Z'; // 5.75 s before NOW
const pauseBase: PauseInput = {
  autoPromotionEnabled: false,
  autoPromotionSeconds: 0,
  controllerPause: false,
  scaleUpPreviewCheckPoint: false,
  now: NOW,
};

describe('completedBlueGreenPause (§7.3 step 3)', () => {
  const cases: [string, Partial<PauseInput>, boolean][] = [
    ['manual: not paused yet (controllerPause unset)', {}, false],
    [
      'manual: paused, condition present',
      { controllerPause: true, pauseStartedAt: STARTED },
      false,
    ],
    ['manual: user removed the condition (controllerPause stays)', { controllerPause: true }, true],
    ['checkpoint reached', { scaleUpPreviewCheckPoint: true, pauseStartedAt: STARTED }, true],
    ['auto promotion without delay', { autoPromotionEnabled: true }, true],
    [
      'auto promotion without delay, a stale condition left from a manual pause',
      { autoPromotionEnabled: true, controllerPause: true, pauseStartedAt: STARTED },
      true,
    ],
    [
      'autoPromotionSeconds not yet elapsed',
      { autoPromotionEnabled: true, autoPromotionSeconds: 10, pauseStartedAt: STARTED },
      false,
    ],
    [
      'autoPromotionSeconds elapsed',
      { autoPromotionEnabled: true, autoPromotionSeconds: 5, pauseStartedAt: STARTED },
      true,
    ],
    [
      'autoPromotionSeconds: exactly at the deadline is not after it',
      {
        autoPromotionEnabled: true,
        autoPromotionSeconds: 5,
        pauseStartedAt: STARTED,
        now: new Date('2026-08-01T12:00:00Z'),
      },
      false,
    ],
    [
      'autoPromotionSeconds: never paused yet',
      { autoPromotionEnabled: true, autoPromotionSeconds: 10 },
      false,
    ],
    [
      'autoPromotionSeconds: condition removed (deadline passed or a user promoted)',
      { autoPromotionEnabled: true, autoPromotionSeconds: 10, controllerPause: true },
      true,
    ],
    [
      'autoPromotionSeconds is ignored when auto promotion is disabled',
      { autoPromotionSeconds: 5, controllerPause: true, pauseStartedAt: STARTED },
      false,
    ],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => assert.equal(completedBlueGreenPause({ ...pauseBase, ...over }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.3 step 2: adding / lifting the BlueGreenPause condition

describe('blueGreenPauseAction (§7.3 step 2)', () => {
  const cases: [string, Partial<PauseInput>, PauseAction][] = [
    ['auto promotion without delay never pauses', { autoPromotionEnabled: true }, { kind: 'none' }],
    ['manual: add the condition', {}, { kind: 'add' }],
    [
      'manual: condition present, keep waiting for a human',
      { controllerPause: true, pauseStartedAt: STARTED },
      { kind: 'none' },
    ],
    [
      'manual: a user removed it (controllerPause true): not added again',
      { controllerPause: true },
      { kind: 'none' },
    ],
    ['checkpoint reached: no pause', { scaleUpPreviewCheckPoint: true }, { kind: 'none' }],
    [
      'autoPromotionSeconds: add the condition',
      { autoPromotionEnabled: true, autoPromotionSeconds: 10 },
      { kind: 'add' },
    ],
    [
      'autoPromotionSeconds: wait until startTime + N',
      {
        autoPromotionEnabled: true,
        autoPromotionSeconds: 10,
        pauseStartedAt: STARTED,
        controllerPause: true,
      },
      { kind: 'wait', until: new Date('2026-08-01T12:00:05Z') },
    ],
    [
      'autoPromotionSeconds elapsed: remove the condition',
      {
        autoPromotionEnabled: true,
        autoPromotionSeconds: 5,
        pauseStartedAt: STARTED,
        controllerPause: true,
      },
      { kind: 'remove' },
    ],
    [
      'autoPromotionSeconds with auto promotion disabled: a plain manual pause',
      { autoPromotionSeconds: 5, pauseStartedAt: STARTED, controllerPause: true },
      { kind: 'none' },
    ],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => assert.deepEqual(blueGreenPauseAction({ ...pauseBase, ...over }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.3 step 5: where the active Service points

describe('activeServiceTarget (§7.3 step 5)', () => {
  type In = Parameters<typeof activeServiceTarget>[0];
  const base: In = {
    current: 'h1',
    newHash: 'h2',
    stableHash: 'h1',
    fastTracked: false,
    pauseCompleted: false,
    prePromotionDone: true,
    aborted: false,
  };
  const cases: [string, Partial<In>, string | undefined][] = [
    ['paused: unchanged', {}, undefined],
    ['pause completed, pre-promotion done: new', { pauseCompleted: true }, 'h2'],
    [
      'pause completed, pre-promotion still running: unchanged',
      { pauseCompleted: true, prePromotionDone: false },
      undefined,
    ],
    ['fast-tracked (promoteFull): new', { fastTracked: true }, 'h2'],
    [
      'initial deploy (no hash yet): new',
      { current: '', stableHash: undefined, fastTracked: true },
      'h2',
    ],
    ['already on the new RS: nothing to do', { current: 'h2', fastTracked: true }, undefined],
    [
      'aborted before the switch: stays on stable',
      { aborted: true, pauseCompleted: true },
      undefined,
    ],
    [
      'aborted after the switch (post-promotion failed): back to stable',
      { current: 'h2', fastTracked: true, aborted: true },
      'h1',
    ],
    [
      'aborted with no stable RS: unchanged',
      { current: 'h2', stableHash: undefined, aborted: true },
      undefined,
    ],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => assert.equal(activeServiceTarget({ ...base, ...over }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.3 step 7: promotion

describe('blueGreenPromotionReason (§7.3 step 7)', () => {
  type In = Parameters<typeof blueGreenPromotionReason>[0];
  const base: In = {
    stableHash: 'h1',
    activeSelector: 'h2',
    currentHash: 'h2',
    promoteFull: false,
    aborted: false,
    postPromotionConfigured: false,
    postPromotionSuccessful: false,
  };
  const cases: [string, Partial<In>, string | undefined][] = [
    ['already stable: nothing', { stableHash: 'h2' }, undefined],
    [
      'no stable RS: initial deploy',
      { stableHash: undefined, activeSelector: '' },
      'Initial deploy',
    ],
    [
      'no stable RS, even before the active switch',
      { stableHash: undefined, activeSelector: 'h1' },
      'Initial deploy',
    ],
    ['active Service without a hash: initial deploy', { activeSelector: '' }, 'Initial deploy'],
    ['active still on the old RS: not yet', { activeSelector: 'h1' }, undefined],
    ['active on the new RS: completed', {}, 'Completed blue-green update'],
    ['promoteFull', { promoteFull: true }, 'Full promotion requested'],
    [
      'promoteFull wins over abort',
      { promoteFull: true, aborted: true },
      'Full promotion requested',
    ],
    ['aborted: no', { aborted: true }, undefined],
    ['post-promotion analysis pending: no', { postPromotionConfigured: true }, undefined],
    [
      'post-promotion analysis Successful: completed',
      { postPromotionConfigured: true, postPromotionSuccessful: true },
      'Completed blue-green update',
    ],
    [
      'promoteFull skips the post-promotion analysis',
      { postPromotionConfigured: true, promoteFull: true },
      'Full promotion requested',
    ],
    [
      'promoteFull still needs the active switch',
      { activeSelector: 'h1', promoteFull: true },
      undefined,
    ],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => assert.equal(blueGreenPromotionReason({ ...base, ...over }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.3 step 4: the previewReplicaCount checkpoint

describe('scaleUpPreviewCheckPoint (§7.3 step 4)', () => {
  type In = Parameters<typeof scaleUpPreviewCheckPoint>[0];
  const base: In = {
    previewReplicaCount: 1,
    activeSelector: 'h1',
    currentHash: 'h2',
    before: false,
    prePromotionDone: true,
    pauseCompleted: true,
    newRSAvailable: 1,
  };
  const cases: [string, Partial<In>, boolean][] = [
    ['no previewReplicaCount: never', { previewReplicaCount: undefined }, false],
    ['pause completed, analysis done, preview available: set', {}, true],
    ['still paused: not yet', { pauseCompleted: false }, false],
    ['pre-promotion analysis running: not yet', { prePromotionDone: false }, false],
    ['preview pods not all available: not yet', { newRSAvailable: 0 }, false],
    [
      'already set: stays set while scaling up',
      { before: true, newRSAvailable: 2, pauseCompleted: false },
      true,
    ],
    ['promoted (active on the new RS): cleared', { before: true, activeSelector: 'h2' }, false],
  ];
  for (const [name, over, want] of cases) {
    test(name, () => assert.equal(scaleUpPreviewCheckPoint({ ...base, ...over }), want));
  }
});

// ---------------------------------------------------------------------------------------------
// §7.2 other ReplicaSets: the scale-down delay

describe('decideBlueGreenOldReplicaSets (§7.2)', () => {
  type In = Parameters<typeof decideBlueGreenOldReplicaSets>[0];
  const base: In = { replicas: 3, others: [], referencedHashes: new Set(), now: NOW };
  const cases: [string, Partial<In>, OldScaleAction[], string | undefined][] = [
    ['nothing to do', {}, [], undefined],
    [
      'previous active RS: deadline now + 30 s (default), kept up',
      { others: [rs('a', { revision: 1 })] },
      [{ rs: 'a', setDeadline: IN_30S }],
      IN_30S,
    ],
    [
      'explicit scaleDownDelaySeconds: 5',
      { others: [rs('a')], scaleDownDelaySeconds: 5 },
      [{ rs: 'a', setDeadline: IN_5S }],
      IN_5S,
    ],
    [
      'explicit scaleDownDelaySeconds: 0 scales down at once',
      { others: [rs('a')], scaleDownDelaySeconds: 0 },
      [{ rs: 'a', replicas: 0 }],
      undefined,
    ],
    [
      'deadline in the future: kept at R, look again then',
      { others: [rs('a', { scaleDownDeadline: FUTURE })] },
      [],
      FUTURE,
    ],
    [
      'deadline in the future and R grew: scaled to R',
      { replicas: 5, others: [rs('a', { scaleDownDeadline: FUTURE })] },
      [{ rs: 'a', replicas: 5 }],
      FUTURE,
    ],
    [
      'deadline passed: scaled to 0',
      { others: [rs('a', { scaleDownDeadline: PAST })] },
      [{ rs: 'a', replicas: 0 }],
      undefined,
    ],
    [
      'unparseable deadline: scaled to 0',
      { others: [rs('a', { scaleDownDeadline: 'soon' })] },
      [{ rs: 'a', replicas: 0 }],
      undefined,
    ],
    [
      'already at 0: left alone',
      { others: [rs('a', { spec: 0, scaleDownDeadline: PAST })] },
      [],
      undefined,
    ],
    [
      'referenced hashes (stable, new, active, preview) are skipped',
      { others: [rs('a')], referencedHashes: new Set(['h-a']) },
      [],
      undefined,
    ],
    [
      'revision limit 1: newest keeps its delay, older ones go to 0',
      {
        scaleDownDelayRevisionLimit: 1,
        others: [
          rs('r1', { revision: 1, scaleDownDeadline: FUTURE }),
          rs('r3', { revision: 3 }),
          rs('r2', { revision: 2, scaleDownDeadline: FUTURE }),
        ],
      },
      [
        { rs: 'r3', setDeadline: IN_30S },
        { rs: 'r2', replicas: 0 },
        { rs: 'r1', replicas: 0 },
      ],
      IN_30S,
    ],
    [
      'revision limit 2: the two newest delayed, earliest deadline requeued',
      {
        scaleDownDelayRevisionLimit: 2,
        others: [
          rs('r1', { revision: 1, scaleDownDeadline: FUTURE }),
          rs('r2', { revision: 2, scaleDownDeadline: FUTURE }),
          rs('r3', { revision: 3 }),
        ],
      },
      [
        { rs: 'r3', setDeadline: IN_30S },
        { rs: 'r1', replicas: 0 },
      ],
      IN_30S,
    ],
    [
      'revision limit 0: no delay at all',
      { scaleDownDelayRevisionLimit: 0, others: [rs('a', { scaleDownDeadline: FUTURE })] },
      [{ rs: 'a', replicas: 0 }],
      undefined,
    ],
  ];
  for (const [name, over, actions, requeue] of cases) {
    test(name, () => {
      const d = decideBlueGreenOldReplicaSets({ ...base, ...over });
      assert.deepEqual(d.actions, actions);
      assert.equal(
        d.requeueAt?.toISOString(),
        requeue ? new Date(requeue).toISOString() : undefined,
      );
    });
  }
});
