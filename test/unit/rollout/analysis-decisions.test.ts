import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abortDetail,
  abortMessage,
  analysisRunEvent,
  classifyRuns,
  isControlledBy,
  isStepRunStale,
  needsCancel,
  needsNewRun,
  runEventDue,
  runPhaseEffect,
  runStatusOf,
  runsToDelete,
  shouldCancelAll,
  terminatePatch,
  type AnalysisRunKind,
  type AnalysisRunLike,
} from '../../../src/rollout/analysis-decisions.ts';

type RunOpts = {
  phase?: string;
  message?: string;
  terminate?: boolean;
  hash?: string | null;
  created?: string;
  deleting?: boolean;
  labels?: Record<string, string>;
};

function run(name: string, o: RunOpts = {}): AnalysisRunLike {
  const labels: Record<string, string> = { ...o.labels };
  if (o.hash !== null) labels['rollouts-pod-template-hash'] = o.hash ?? 'h1';
  const r: AnalysisRunLike = { metadata: { name, labels } };
  if (o.created !== undefined) r.metadata.creationTimestamp = o.created;
  if (o.deleting) r.metadata.deletionTimestamp = '2026-01-01T01:00:00Z';
  if (o.terminate !== undefined) r.spec = { terminate: o.terminate };
  if (o.phase !== undefined || o.message !== undefined) {
    r.status = {};
    if (o.phase !== undefined) r.status.phase = o.phase;
    if (o.message !== undefined) r.status.message = o.message;
  }
  return r;
}

const at = (sec: number) => `2026-01-01T00:00:${String(sec).padStart(2, '0')}Z`;

// ---------------------------------------------------------------------------------------------
// needsNewRun (§7.5 needsNew)

type Status = Parameters<typeof needsNewRun>[1];
const needsNewCases: [string, AnalysisRunLike | undefined, Status, boolean][] = [
  ['no current run', undefined, {}, true],
  ['no current run even while aborted', undefined, { abortedAt: at(1) }, true],
  ['running run, nothing set', run('r', { phase: 'Running' }), {}, false],
  ['successful run, nothing set', run('r', { phase: 'Successful' }), {}, false],
  ['retry after abort', run('r', { phase: 'Failed' }), { abortedAt: at(1) }, true],
  ['empty abortedAt is not set', run('r', { phase: 'Failed' }), { abortedAt: '' }, false],
  [
    'inconclusive pause cleared by user: rerun',
    run('r', { phase: 'Inconclusive' }),
    { controllerPause: true },
    true,
  ],
  [
    'inconclusive pause not yet taken: keep run',
    run('r', { phase: 'Running' }),
    { controllerPause: true, pauseConditions: [] },
    false,
  ],
  [
    'InconclusiveAnalysisRun condition does not block the rerun rule',
    run('r', { phase: 'Inconclusive' }),
    { controllerPause: true, pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }] },
    true,
  ],
  [
    'controllerPause branch ignores abortedAt',
    run('r', { phase: 'Failed' }),
    { controllerPause: true, abortedAt: at(1) },
    false,
  ],
  [
    'canary pause step: inconclusive run is not rerun',
    run('r', { phase: 'Inconclusive' }),
    { controllerPause: true, pauseConditions: [{ reason: 'CanaryPauseStep' }] },
    false,
  ],
  [
    'canary pause step falls through to abortedAt',
    run('r', { phase: 'Running' }),
    { controllerPause: true, pauseConditions: [{ reason: 'CanaryPauseStep' }], abortedAt: at(2) },
    true,
  ],
  [
    'blue-green pause: inconclusive run is not rerun',
    run('r', { phase: 'Inconclusive' }),
    { controllerPause: true, pauseConditions: [{ reason: 'BlueGreenPause' }] },
    false,
  ],
  [
    'blue-green pause falls through to abortedAt',
    run('r', { phase: 'Inconclusive' }),
    { controllerPause: true, pauseConditions: [{ reason: 'BlueGreenPause' }], abortedAt: at(3) },
    true,
  ],
  [
    'inconclusive without controllerPause waits for the pause',
    run('r', { phase: 'Inconclusive' }),
    { controllerPause: false },
    false,
  ],
];
for (const [name, current, status, want] of needsNewCases) {
  test(`needsNewRun: ${name}`, () => {
    assert.equal(needsNewRun(current, status), want);
  });
}

// ---------------------------------------------------------------------------------------------
// shouldCancelAll (§7.5 global cancellation)

const cancelAllCases: [string, Parameters<typeof shouldCancelAll>[0], boolean][] = [
  ['initial deploy (nothing set)', {}, true],
  ['initial deploy with a pod hash', { stableRS: '', currentPodHash: 'b' }, true],
  ['fully promoted', { stableRS: 'a', currentPodHash: 'a' }, true],
  ['mid update', { stableRS: 'a', currentPodHash: 'b' }, false],
  ['stable set, pod hash unknown', { stableRS: 'a' }, false],
  ['explicit false flags', { stableRS: 'a', currentPodHash: 'b', abort: false }, false],
  ['aborted', { stableRS: 'a', currentPodHash: 'b', abort: true }, true],
  ['promoteFull', { stableRS: 'a', currentPodHash: 'b', promoteFull: true }, true],
  ['fast rollback', { stableRS: 'a', currentPodHash: 'b', fastRollback: true }, true],
  [
    'rollback within window',
    { stableRS: 'a', currentPodHash: 'b', rollbackWithinWindow: true },
    true,
  ],
];
for (const [name, input, want] of cancelAllCases) {
  test(`shouldCancelAll: ${name}`, () => {
    assert.equal(shouldCancelAll(input), want);
  });
}

// ---------------------------------------------------------------------------------------------
// needsCancel / terminatePatch

const cancelCases: [string, AnalysisRunLike | undefined, boolean][] = [
  ['no run', undefined, false],
  ['fresh run without status', run('r'), true],
  ['empty phase', run('r', { phase: '' }), true],
  ['pending', run('r', { phase: 'Pending' }), true],
  ['running', run('r', { phase: 'Running' }), true],
  ['running, terminate false', run('r', { phase: 'Running', terminate: false }), true],
  ['running, already terminating', run('r', { phase: 'Running', terminate: true }), false],
  ['successful', run('r', { phase: 'Successful' }), false],
  ['failed', run('r', { phase: 'Failed' }), false],
  ['error', run('r', { phase: 'Error' }), false],
  ['inconclusive', run('r', { phase: 'Inconclusive' }), false],
  ['unknown phase is not completed', run('r', { phase: 'Bogus' }), true],
];
for (const [name, r, want] of cancelCases) {
  test(`needsCancel: ${name}`, () => {
    assert.equal(needsCancel(r), want);
  });
}

test('terminatePatch is the merge patch upstream sends', () => {
  assert.equal(JSON.stringify(terminatePatch), '{"spec":{"terminate":true}}');
});

// ---------------------------------------------------------------------------------------------
// runPhaseEffect (§7.6)

const effectCases: [string | undefined, ReturnType<typeof runPhaseEffect>][] = [
  [undefined, 'wait'],
  ['', 'wait'],
  ['Pending', 'wait'],
  ['Running', 'wait'],
  ['Successful', 'continue'],
  ['Inconclusive', 'pause'],
  ['Failed', 'abort'],
  ['Error', 'abort'],
  ['successful', 'wait'], // phases are case-sensitive
];
for (const [phase, want] of effectCases) {
  test(`runPhaseEffect: ${JSON.stringify(phase)} → ${want}`, () => {
    assert.equal(runPhaseEffect(phase), want);
  });
}

// ---------------------------------------------------------------------------------------------
// abortMessage / abortDetail (§7.6, rollout-semantics §4.2)

const abortCases: [AnalysisRunKind, string][] = [
  ['Step', 'Step-based analysis phase error/failed'],
  ['Background', 'Background analysis phase error/failed'],
  ['PrePromotion', 'Blue/green pre-promotion analysis phase error/failed'],
  ['PostPromotion', 'Blue/green post-promotion analysis phase error/failed'],
];
for (const [kind, prefix] of abortCases) {
  test(`abortMessage: ${kind} with and without a run message`, () => {
    assert.equal(
      abortMessage(
        kind,
        'Failed',
        '7',
        'Metric "m" assessed Failed due to failed (1) > failureLimit (0)',
      ),
      `Rollout aborted update to revision 7: ${prefix}: Metric "m" assessed Failed due to failed (1) > failureLimit (0)`,
    );
    assert.equal(
      abortMessage(kind, 'Error', '7'),
      `Rollout aborted update to revision 7: ${prefix}`,
    );
  });
}

test('abortMessage: Failed and Error read the same (upstream literal "error/failed")', () => {
  assert.equal(abortMessage('Step', 'Failed', '2', 'x'), abortMessage('Step', 'Error', '2', 'x'));
});

test('abortMessage: an empty run message adds no ": " suffix', () => {
  assert.equal(
    abortMessage('Background', 'Failed', '3', ''),
    'Rollout aborted update to revision 3: Background analysis phase error/failed',
  );
});

test('abortDetail is the part after the revision', () => {
  assert.equal(abortDetail('Step', 'boom'), 'Step-based analysis phase error/failed: boom');
  assert.equal(
    abortDetail('PostPromotion'),
    'Blue/green post-promotion analysis phase error/failed',
  );
});

// ---------------------------------------------------------------------------------------------
// runStatusOf (§7.9)

test('runStatusOf: name, phase and message', () => {
  assert.deepEqual(runStatusOf(run('r1', { phase: 'Failed', message: 'why' })), {
    name: 'r1',
    status: 'Failed',
    message: 'why',
  });
});

test('runStatusOf: a fresh run has status "" and no message key', () => {
  const s = runStatusOf(run('r2'));
  assert.deepEqual(s, { name: 'r2', status: '' });
  assert.equal(Object.hasOwn(s, 'message'), false);
});

test('runStatusOf: an empty message is omitted (omitempty)', () => {
  assert.equal(
    Object.hasOwn(runStatusOf(run('r3', { phase: 'Running', message: '' })), 'message'),
    false,
  );
});

// ---------------------------------------------------------------------------------------------
// analysisRunEvent / runEventDue (§7.6 last line)

const eventCases: [
  AnalysisRunKind,
  string,
  string | undefined,
  { reason: string; type: string; message: string },
][] = [
  [
    'Step',
    'Running',
    undefined,
    {
      reason: 'AnalysisRunRunning',
      type: 'Normal',
      message: "Step Analysis Run 'ar' Status New: 'Running' Previous: 'NoPreviousStatus'",
    },
  ],
  [
    'Background',
    'Failed',
    'Running',
    {
      reason: 'AnalysisRunFailed',
      type: 'Warning',
      message: "Background Analysis Run 'ar' Status New: 'Failed' Previous: 'Running'",
    },
  ],
  [
    'PrePromotion',
    'Error',
    'Running',
    {
      reason: 'AnalysisRunError',
      type: 'Warning',
      message: "PrePromotion Analysis Run 'ar' Status New: 'Error' Previous: 'Running'",
    },
  ],
  [
    'PostPromotion',
    'Inconclusive',
    'Running',
    {
      reason: 'AnalysisRunInconclusive',
      type: 'Normal',
      message: "PostPromotion Analysis Run 'ar' Status New: 'Inconclusive' Previous: 'Running'",
    },
  ],
  [
    'Step',
    'Successful',
    '',
    {
      reason: 'AnalysisRunSuccessful',
      type: 'Normal',
      message: "Step Analysis Run 'ar' Status New: 'Successful' Previous: ''",
    },
  ],
];
for (const [kind, phase, prev, want] of eventCases) {
  test(`analysisRunEvent: ${kind} ${prev ?? '∅'} → ${phase}`, () => {
    assert.deepEqual(analysisRunEvent(kind, run('ar', { phase }), prev), want);
  });
}

const dueCases: [string, AnalysisRunLike, { name: string; status: string } | undefined, boolean][] =
  [
    ['no phase yet', run('ar', { phase: '' }), undefined, false],
    ['first phase, nothing recorded', run('ar', { phase: 'Running' }), undefined, true],
    ['phase changed', run('ar', { phase: 'Failed' }), { name: 'ar', status: 'Running' }, true],
    [
      'recorded empty, now running',
      run('ar', { phase: 'Running' }),
      { name: 'ar', status: '' },
      true,
    ],
    ['phase unchanged', run('ar', { phase: 'Running' }), { name: 'ar', status: 'Running' }, false],
    [
      'entry names another run',
      run('ar', { phase: 'Running' }),
      { name: 'old', status: 'Failed' },
      false,
    ],
  ];
for (const [name, r, prev, want] of dueCases) {
  test(`runEventDue: ${name}`, () => {
    assert.equal(runEventDue(r, prev), want);
  });
}

// ---------------------------------------------------------------------------------------------
// classifyRuns / isControlledBy / isStepRunStale

test('classifyRuns: names in status are current, the rest are others', () => {
  const a = run('a');
  const b = run('b');
  const c = run('c');
  const { current, others } = classifyRuns([a, b, c], ['b', 'missing']);
  assert.deepEqual([...current.keys()], ['b']);
  assert.equal(current.get('b'), b);
  assert.deepEqual(others, [a, c]);
});

test('classifyRuns: runs being deleted are in neither group', () => {
  const { current, others } = classifyRuns(
    [run('a', { deleting: true }), run('b', { deleting: true }), run('c')],
    ['a'],
  );
  assert.equal(current.size, 0);
  assert.deepEqual(
    others.map((r) => r.metadata.name),
    ['c'],
  );
});

test('classifyRuns: an empty status name never matches a nameless run', () => {
  const nameless: AnalysisRunLike = { metadata: {} };
  const { current, others } = classifyRuns([nameless], ['']);
  assert.equal(current.size, 0);
  assert.deepEqual(others, [nameless]);
});

test('isControlledBy: only the first controller reference counts', () => {
  const r = run('r');
  r.metadata.ownerReferences = [{ uid: 'u1' }, { uid: 'u2', controller: true }];
  assert.equal(isControlledBy(r, 'u2'), true);
  assert.equal(isControlledBy(r, 'u1'), false);
  r.metadata.ownerReferences = [
    { uid: 'u3', controller: true },
    { uid: 'u2', controller: true },
  ];
  assert.equal(isControlledBy(r, 'u2'), false);
  assert.equal(isControlledBy(run('bare'), 'u2'), false);
});

test('isStepRunStale: compares the step-index label with the current index', () => {
  assert.equal(isStepRunStale(undefined, 0), false);
  assert.equal(isStepRunStale(run('r', { labels: { 'step-index': '1' } }), 1), false);
  assert.equal(isStepRunStale(run('r', { labels: { 'step-index': '0' } }), 1), true);
  assert.equal(isStepRunStale(run('r'), 0), true);
});

// ---------------------------------------------------------------------------------------------
// runsToDelete (§7.8)

const rsH1 = [{ hash: 'h1', deleting: false }];

test('runsToDelete: no hash label, unknown hash and deleting RS are deleted regardless of phase', () => {
  const got = runsToDelete(
    [
      run('nolabel', { hash: null, phase: 'Running', created: at(4) }),
      run('unknown', { hash: 'zz', phase: 'Running', created: at(3) }),
      run('rsgone', { hash: 'h2', phase: '', created: at(2) }),
      run('fine', { hash: 'h1', phase: 'Running', created: at(1) }),
    ],
    [...rsH1, { hash: 'h2', deleting: true }],
    {},
  );
  assert.deepEqual(got, ['nolabel', 'unknown', 'rsgone']);
});

test('runsToDelete: default keeps the newest 5 successful', () => {
  const others = [1, 2, 3, 4, 5, 6, 7].map((i) =>
    run(`s${i}`, { phase: 'Successful', created: at(i) }),
  );
  assert.deepEqual(runsToDelete(others, rsH1, {}), ['s2', 's1']);
});

test('runsToDelete: default keeps the newest 5 unsuccessful (Failed/Error/Inconclusive share)', () => {
  const phases = ['Failed', 'Error', 'Inconclusive', 'Failed', 'Error', 'Inconclusive'];
  const others = phases.map((phase, i) => run(`u${i}`, { phase, created: at(i) }));
  assert.deepEqual(runsToDelete(others, rsH1, {}), ['u0']);
});

test('runsToDelete: the two limits count independently', () => {
  const others = [
    run('s1', { phase: 'Successful', created: at(1) }),
    run('f1', { phase: 'Failed', created: at(2) }),
    run('s2', { phase: 'Successful', created: at(3) }),
    run('f2', { phase: 'Error', created: at(4) }),
    run('f3', { phase: 'Inconclusive', created: at(5) }),
  ];
  assert.deepEqual(runsToDelete(others, rsH1, { successful: 1, unsuccessful: 2 }), ['f1', 's1']);
});

test('runsToDelete: running, pending and empty-phase runs are never deleted by limits', () => {
  const others = [
    run('r', { phase: 'Running', created: at(1) }),
    run('p', { phase: 'Pending', created: at(2) }),
    run('e', { created: at(3) }),
    run('s', { phase: 'Successful', created: at(4) }),
  ];
  assert.deepEqual(runsToDelete(others, rsH1, { successful: 0, unsuccessful: 0 }), ['s']);
});

test('runsToDelete: ordering is by creationTimestamp, not input order', () => {
  const others = [
    run('mid', { phase: 'Successful', created: at(5) }),
    run('new', { phase: 'Successful', created: at(9) }),
    run('old', { phase: 'Successful', created: at(1) }),
  ];
  assert.deepEqual(runsToDelete(others, rsH1, { successful: 1 }), ['mid', 'old']);
});

test('runsToDelete: a run without creationTimestamp counts as the oldest', () => {
  const others = [
    run('undated', { phase: 'Failed' }),
    run('dated', { phase: 'Failed', created: at(1) }),
  ];
  assert.deepEqual(runsToDelete(others, rsH1, { unsuccessful: 1 }), ['undated']);
});

test('runsToDelete: a run already being deleted keeps its slot but is not returned', () => {
  const others = [
    run('newest', { phase: 'Successful', created: at(3), deleting: true }),
    run('middle', { phase: 'Successful', created: at(2) }),
    run('oldest', { phase: 'Successful', created: at(1) }),
  ];
  assert.deepEqual(runsToDelete(others, rsH1, { successful: 1 }), ['middle', 'oldest']);
  const gone = [run('x', { hash: 'nope', created: at(1), deleting: true })];
  assert.deepEqual(runsToDelete(gone, rsH1, {}), []);
});

test('runsToDelete: a later RS with the same hash wins', () => {
  const others = [run('a', { hash: 'h1', phase: 'Running', created: at(1) })];
  assert.deepEqual(
    runsToDelete(
      others,
      [
        { hash: 'h1', deleting: true },
        { hash: 'h1', deleting: false },
      ],
      {},
    ),
    [],
  );
  assert.deepEqual(
    runsToDelete(
      others,
      [
        { hash: 'h1', deleting: false },
        { hash: 'h1', deleting: true },
      ],
      {},
    ),
    ['a'],
  );
});

test('runsToDelete: a negative limit keeps nothing (Go compares retained < limit)', () => {
  const others = [run('s', { phase: 'Successful', created: at(1) })];
  assert.deepEqual(runsToDelete(others, rsH1, { successful: -1 }), ['s']);
});

test("runsToDelete: does not reorder the caller's array", () => {
  const others = [
    run('a', { phase: 'Successful', created: at(1) }),
    run('b', { phase: 'Successful', created: at(2) }),
  ];
  runsToDelete(others, rsH1, { successful: 0 });
  assert.deepEqual(
    others.map((r) => r.metadata.name),
    ['a', 'b'],
  );
});
