// The dashboard's list builds each Rollout's info from an index of the namespace (OwnerIndex)
// rather than from the whole namespace: the result must be the same as the plugin's model
// given everything, for every scenario of the `get rollout` goldens, also with another
// Rollout's ReplicaSets and pods in the namespace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../src/api/kube-object.ts';
import { indexNamespace, listInfoOf } from '../../../../plugin/dashboard/rollout-infos.ts';
import { OwnerIndex } from '../../../../plugin/info/owner-index.ts';
import { buildRolloutInfo } from '../../../../plugin/info/rollout-info.ts';
import { SCENARIOS } from '../scenarios.ts';

/** The same objects with every UID (own and in ownerReferences) prefixed: another Rollout's. */
function foreign(objs: readonly KubeObject[]): KubeObject[] {
  return objs.map((o) => ({
    ...o,
    metadata: {
      ...o.metadata,
      name: `other-${o.metadata.name}`,
      uid: `other-${o.metadata.uid ?? ''}`,
      ownerReferences: (o.metadata.ownerReferences ?? []).map((r) => ({
        ...r,
        uid: `other-${r.uid}`,
      })),
    },
  }));
}

describe('list info from the namespace index', () => {
  for (const [name, make] of Object.entries(SCENARIOS)) {
    test(`${name}: same info as from the whole namespace`, () => {
      const input = make();
      const whole = buildRolloutInfo({ ...input, analysisRuns: [], experiments: [] });
      const replicaSets = [...input.replicaSets, ...foreign(input.replicaSets)];
      const pods = [...foreign(input.pods), ...input.pods];
      const idx = indexNamespace({
        replicaSets,
        pods,
        deployments: input.workload ? [input.workload] : [],
      });
      assert.deepEqual(listInfoOf(input.rollout, idx, input.now), whole);
    });
  }
});

describe('OwnerIndex', () => {
  const o = (name: string, ...owners: string[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      ownerReferences: owners.map((uid) => ({ apiVersion: 'v1', kind: 'X', name: uid, uid })),
    },
  });
  const idx = new OwnerIndex([o('a', 'u1'), o('b', 'u2', 'u1'), o('c'), o('d', 'u2')]);
  const cases: [string | undefined, string[]][] = [
    ['u1', ['a', 'b']],
    ['u2', ['b', 'd']],
    ['u3', []],
    ['', []],
    [undefined, []],
  ];
  for (const [uid, want] of cases) {
    test(`owned(${String(uid)}) = [${want.join(', ')}]`, () => {
      assert.deepEqual(
        idx.owned(uid).map((x) => x.metadata.name),
        want,
      );
    });
  }
});
