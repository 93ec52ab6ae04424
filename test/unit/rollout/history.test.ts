import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaSetsToDelete } from '../../../src/rollout/history.ts';
import { rsView } from '../../../src/rollout/replicasets.ts';

const rs = (name: string, created: string, spec: number, replicas: number, revision: number) =>
  rsView({
    metadata: {
      name,
      creationTimestamp: created,
      annotations: { 'rollout.argoproj.io/revision': String(revision) },
    },
    spec: { replicas: spec },
    status: { replicas },
  });

const others = [
  rs('a', '2026-01-01T00:00:01Z', 0, 0, 1),
  rs('b', '2026-01-01T00:00:02Z', 0, 0, 2),
  rs('c', '2026-01-01T00:00:03Z', 0, 1, 3), // still has a pod: kept
  rs('d', '2026-01-01T00:00:04Z', 2, 2, 4), // not scaled down: kept
  rs('e', '2026-01-01T00:00:05Z', 0, 0, 5),
];

// Idle (fully scaled down) are a, b and e; c and d still have pods.
const cases: [string, number | undefined, string[]][] = [
  ['default keeps 10', undefined, []],
  ['limit 3 keeps all three idle ones', 3, []],
  ['limit 2 deletes the oldest idle one', 2, ['a']],
  ['limit 1 deletes the two oldest', 1, ['a', 'b']],
  ['limit 0 deletes every idle one', 0, ['a', 'b', 'e']],
];

for (const [name, limit, want] of cases) {
  test(`revisionHistoryLimit: ${name}`, () => {
    assert.deepEqual(
      replicaSetsToDelete(others, limit).map((v) => v.name),
      want,
    );
  });
}
