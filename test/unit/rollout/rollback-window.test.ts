import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXPERIMENT_NAME_ANNOTATION,
  isRollbackWithinWindow,
  type WindowReplicaSet,
} from '../../../src/rollout/rollback-window.ts';
import {
  blueGreenPromotionReason,
  isFastTracked,
} from '../../../src/rollout/bluegreen-decisions.ts';

/** Revision n created at minute n. */
const rev = (n: number, extra: Partial<WindowReplicaSet> = {}): WindowReplicaSet => ({
  name: `web-r${n}`,
  creationTimestamp: `2026-01-01T00:${String(n).padStart(2, '0')}:00Z`,
  ...extra,
});

test('isRollbackWithinWindow: Go isRollbackWithinWindow', async (t) => {
  const all = [rev(1), rev(2), rev(3), rev(4), rev(5)];
  const cases: {
    name: string;
    revisions: number | undefined;
    newRS: WindowReplicaSet | undefined;
    stableRS: WindowReplicaSet | undefined;
    all?: WindowReplicaSet[];
    want: boolean;
  }[] = [
    {
      name: '5 → 4 with revisions 1: nothing in between',
      revisions: 1,
      newRS: rev(4),
      stableRS: rev(5),
      want: true,
    },
    {
      name: '5 → 3 with revisions 1: revision 4 in between',
      revisions: 1,
      newRS: rev(3),
      stableRS: rev(5),
      want: false,
    },
    { name: '5 → 3 with revisions 2', revisions: 2, newRS: rev(3), stableRS: rev(5), want: true },
    // The docs list 5→4 and 5→3 for revisions: 3; the code also lets 5→2 through (2 in between).
    {
      name: '5 → 2 with revisions 3 (two in between)',
      revisions: 3,
      newRS: rev(2),
      stableRS: rev(5),
      want: true,
    },
    { name: '5 → 1 with revisions 3', revisions: 3, newRS: rev(1), stableRS: rev(5), want: false },
    { name: 'forward, not a rollback', revisions: 3, newRS: rev(5), stableRS: rev(4), want: false },
    {
      name: 'no window configured',
      revisions: undefined,
      newRS: rev(4),
      stableRS: rev(5),
      want: false,
    },
    { name: 'revisions: 0', revisions: 0, newRS: rev(4), stableRS: rev(5), want: false },
    { name: 'no stable ReplicaSet', revisions: 3, newRS: rev(4), stableRS: undefined, want: false },
    {
      name: 'same second is not "before" (metav1.Time has whole seconds)',
      revisions: 3,
      newRS: { name: 'a', creationTimestamp: '2026-01-01T00:05:00.100Z' },
      stableRS: { name: 'b', creationTimestamp: '2026-01-01T00:05:00.900Z' },
      want: false,
    },
    {
      name: 'Experiment ReplicaSets are not revisions',
      revisions: 1,
      newRS: rev(3),
      stableRS: rev(5),
      all: [rev(3), rev(4, { annotations: { [EXPERIMENT_NAME_ANNOTATION]: 'exp' } }), rev(5)],
      want: true,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assert.equal(
        isRollbackWithinWindow({
          revisions: c.revisions,
          newRS: c.newRS,
          stableRS: c.stableRS,
          all: c.all ?? all,
        }),
        c.want,
      ),
    );
  }
});

test('blue-green: a rollback within the window is fast-tracked and promoted', () => {
  assert.equal(
    isFastTracked({
      promoteFull: false,
      activeServiceHash: 'v2',
      newHash: 'v1',
      rollbackWithinWindow: true,
    }),
    true,
  );
  const base = {
    stableHash: 'v2',
    activeSelector: 'v1',
    currentHash: 'v1',
    promoteFull: false,
    aborted: false,
    postPromotionConfigured: true,
    postPromotionSuccessful: false,
  };
  assert.equal(blueGreenPromotionReason(base), undefined);
  assert.equal(
    blueGreenPromotionReason({ ...base, rollbackWithinWindow: true }),
    'Rollback within window',
  );
  // Not before the active Service has switched.
  assert.equal(
    blueGreenPromotionReason({ ...base, activeSelector: 'v2', rollbackWithinWindow: true }),
    undefined,
  );
});
