// Which watch events rebuild one Rollout's view (get rollout -w, the dashboard's rollout page).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/kube/raw-client.ts';
import {
  concernsView,
  type ViewKind,
  type ViewScope,
} from '../../../plugin/commands/view-relevance.ts';

const obj = (kind: string, name: string, uid: string, owners: [string, string, string][] = []) =>
  ({
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      uid,
      ownerReferences: owners.map(([k, n, u]) => ({ apiVersion: 'v1', kind: k, name: n, uid: u })),
    },
  }) as KubeObject;

const ro = obj('Rollout', 'web', 'ro-1');
const rsMine = obj('ReplicaSet', 'web-abc', 'rs-1', [['Rollout', 'web', 'ro-1']]);
const rsOther = obj('ReplicaSet', 'api-def', 'rs-2', [['Rollout', 'api', 'ro-2']]);
const rsOfExperiment = obj('ReplicaSet', 'web-exp-x', 'rs-3', [['Experiment', 'web-exp', 'ex-1']]);
const cached = new Map([rsMine, rsOther, rsOfExperiment].map((r) => [r.metadata.name, r]));
const scope: ViewScope = {
  name: 'web',
  rollout: ro,
  experimentUids: new Set(['ex-1']),
  replicaSet: (n) => cached.get(n),
  workload: 'web-deploy',
};

const cases: [string, ViewKind, KubeObject, boolean, Partial<ViewScope>?][] = [
  ['the Rollout itself', 'Rollout', ro, true],
  ['another Rollout', 'Rollout', obj('Rollout', 'api', 'ro-2'), false],
  ['its ReplicaSet', 'ReplicaSet', rsMine, true],
  ['another Rollout’s ReplicaSet', 'ReplicaSet', rsOther, false],
  ['its Experiment’s ReplicaSet', 'ReplicaSet', rsOfExperiment, true],
  [
    'a pod of its ReplicaSet',
    'Pod',
    obj('Pod', 'p1', 'p1', [['ReplicaSet', 'web-abc', 'rs-1']]),
    true,
  ],
  [
    'a pod of another ReplicaSet',
    'Pod',
    obj('Pod', 'p2', 'p2', [['ReplicaSet', 'api-def', 'rs-2']]),
    false,
  ],
  [
    'a pod of an uncached ReplicaSet (counted)',
    'Pod',
    obj('Pod', 'p3', 'p3', [['ReplicaSet', 'new-rs', 'rs-9']]),
    true,
  ],
  [
    'a pod whose ReplicaSet was replaced (uid differs: counted)',
    'Pod',
    obj('Pod', 'p4', 'p4', [['ReplicaSet', 'api-def', 'rs-old']]),
    true,
  ],
  ['a bare pod', 'Pod', obj('Pod', 'p5', 'p5'), false],
  [
    'its AnalysisRun',
    'AnalysisRun',
    obj('AnalysisRun', 'web-1', 'ar-1', [['Rollout', 'web', 'ro-1']]),
    true,
  ],
  [
    'its Experiment’s AnalysisRun',
    'AnalysisRun',
    obj('AnalysisRun', 'e-1', 'ar-2', [['Experiment', 'web-exp', 'ex-1']]),
    true,
  ],
  [
    'another AnalysisRun',
    'AnalysisRun',
    obj('AnalysisRun', 'api-1', 'ar-3', [['Rollout', 'api', 'ro-2']]),
    false,
  ],
  [
    'its Experiment',
    'Experiment',
    obj('Experiment', 'web-exp', 'ex-1', [['Rollout', 'web', 'ro-1']]),
    true,
  ],
  [
    'another Experiment',
    'Experiment',
    obj('Experiment', 'api-exp', 'ex-2', [['Rollout', 'api', 'ro-2']]),
    false,
  ],
  ['its workload Deployment', 'Deployment', obj('Deployment', 'web-deploy', 'd-1'), true],
  ['another Deployment', 'Deployment', obj('Deployment', 'api-deploy', 'd-2'), false],
  [
    'any Deployment without a workloadRef',
    'Deployment',
    obj('Deployment', 'web-deploy', 'd-1'),
    false,
    { workload: undefined },
  ],
  ['anything before the Rollout is cached', 'ReplicaSet', rsOther, true, { rollout: undefined }],
];

describe('concernsView', () => {
  for (const [what, kind, o, want, over] of cases) {
    test(`${what}: ${want}`, () => {
      assert.equal(concernsView(kind, o, { ...scope, ...over }), want);
    });
  }
});
