import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  ephemeralMetadataAnnotationValue,
  ephemeralStrategy,
  ephemeralTargets,
  newReplicaSetMetadata,
  podMetadataPatch,
  replicaSetWithEphemeralMetadata,
  syncEphemeralPodMetadata,
  type EphemeralMetadata,
} from '../../../src/rollout/ephemeral-metadata.ts';
import {
  parseEphemeralMetadataAnnotation,
  podTemplatesSemanticallyEqual,
} from '../../../src/rollout/template-equality.ts';

const ANN = 'rollout.argoproj.io/ephemeral-metadata';

test('syncEphemeralPodMetadata: Go SyncEphemeralPodMetadata', async (t) => {
  const cases: {
    name: string;
    meta: { labels?: Record<string, string>; annotations?: Record<string, string> };
    existing?: EphemeralMetadata;
    desired?: EphemeralMetadata;
    labels: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    modified: boolean;
  }[] = [
    {
      name: 'inject into empty metadata',
      meta: {},
      desired: { labels: { role: 'preview' }, annotations: { note: 'x' } },
      labels: { role: 'preview' },
      annotations: { note: 'x' },
      modified: true,
    },
    {
      name: 'already there: not modified',
      meta: { labels: { app: 'web', role: 'preview' } },
      existing: { labels: { role: 'preview' } },
      desired: { labels: { role: 'preview' } },
      labels: { app: 'web', role: 'preview' },
      modified: false,
    },
    {
      name: 'role changes value',
      meta: { labels: { app: 'web', role: 'preview' } },
      existing: { labels: { role: 'preview' } },
      desired: { labels: { role: 'active' } },
      labels: { app: 'web', role: 'active' },
      modified: true,
    },
    {
      name: 'a key dropped from the spec is removed; others’ labels stay',
      meta: { labels: { app: 'web', role: 'preview', tier: 'x', istio: 'on' } },
      existing: { labels: { role: 'preview', tier: 'x' } },
      desired: { labels: { role: 'preview' } },
      labels: { app: 'web', role: 'preview', istio: 'on' },
      modified: true,
    },
    {
      name: 'no desired metadata: everything injected goes',
      meta: { labels: { app: 'web', role: 'stable' }, annotations: { a: '1', keep: 'k' } },
      existing: { labels: { role: 'stable' }, annotations: { a: '1' } },
      desired: undefined,
      labels: { app: 'web' },
      annotations: { keep: 'k' },
      modified: true,
    },
    {
      name: 'Go quirk: deleting an already-missing key still counts as modified',
      meta: { labels: { app: 'web' } },
      existing: { labels: { role: 'stable' } },
      desired: undefined,
      labels: { app: 'web' },
      modified: true,
    },
    {
      name: 'nothing recorded, nothing desired',
      meta: { labels: { app: 'web' } },
      labels: { app: 'web' },
      modified: false,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const before = structuredClone(c.meta);
      const got = syncEphemeralPodMetadata(c.meta, c.existing, c.desired);
      assert.deepEqual(got.labels, c.labels);
      assert.deepEqual(got.annotations, c.annotations ?? c.meta.annotations);
      assert.equal(got.modified, c.modified);
      assert.deepEqual(c.meta, before, 'input not mutated');
    });
  }
});

test('ephemeralMetadataAnnotationValue: Go json.Marshal of PodTemplateMetadata', () => {
  assert.equal(
    ephemeralMetadataAnnotationValue({
      annotations: { z: '1', a: '<&>' },
      labels: { role: 'canary', b: 'x' },
    }),
    '{"labels":{"b":"x","role":"canary"},"annotations":{"a":"\\u003c\\u0026\\u003e","z":"1"}}',
  );
  assert.equal(ephemeralMetadataAnnotationValue({ labels: {} }), '{}');
  assert.equal(
    ephemeralMetadataAnnotationValue({ annotations: { a: 'b' } }),
    '{"annotations":{"a":"b"}}',
  );
});

function rs(opts: {
  labels?: Record<string, string>;
  annotation?: string;
  replicas?: number;
}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-abc',
      labels: { app: 'web', 'rollouts-pod-template-hash': 'abc' },
      annotations: {
        'rollout.argoproj.io/revision': '2',
        ...(opts.annotation !== undefined ? { [ANN]: opts.annotation } : {}),
      },
    },
    spec: {
      replicas: opts.replicas ?? 2,
      template: {
        metadata: {
          labels: { app: 'web', 'rollouts-pod-template-hash': 'abc', ...(opts.labels ?? {}) },
        },
        spec: { containers: [{ name: 'web', image: 'web:2' }] },
      },
    },
  };
}

test('replicaSetWithEphemeralMetadata: template and bookkeeping annotation', async (t) => {
  await t.test('inject preview metadata', () => {
    const next = replicaSetWithEphemeralMetadata(rs({}), { labels: { role: 'preview' } })!;
    const tpl = (next.spec as { template: { metadata: { labels: Record<string, string> } } })
      .template;
    assert.deepEqual(tpl.metadata.labels, {
      app: 'web',
      'rollouts-pod-template-hash': 'abc',
      role: 'preview',
    });
    assert.equal(next.metadata.annotations?.[ANN], '{"labels":{"role":"preview"}}');
    // The ReplicaSet's own labels (what its selector and tools see) do not change.
    assert.deepEqual(next.metadata.labels, { app: 'web', 'rollouts-pod-template-hash': 'abc' });
  });
  await t.test('unchanged: no write', () => {
    const cur = rs({ labels: { role: 'preview' }, annotation: '{"labels":{"role":"preview"}}' });
    assert.equal(replicaSetWithEphemeralMetadata(cur, { labels: { role: 'preview' } }), undefined);
  });
  await t.test('role moves preview → active', () => {
    const cur = rs({ labels: { role: 'preview' }, annotation: '{"labels":{"role":"preview"}}' });
    const next = replicaSetWithEphemeralMetadata(cur, { labels: { role: 'active' } })!;
    assert.equal(next.metadata.annotations?.[ANN], '{"labels":{"role":"active"}}');
    const labels = (next.spec as { template: { metadata: { labels: Record<string, string> } } })
      .template.metadata.labels;
    assert.equal(labels.role, 'active');
  });
  await t.test('no role any more: keys and annotation removed', () => {
    const cur = rs({ labels: { role: 'stable' }, annotation: '{"labels":{"role":"stable"}}' });
    const next = replicaSetWithEphemeralMetadata(cur, undefined)!;
    assert.equal(next.metadata.annotations?.[ANN], undefined);
    assert.equal(next.metadata.annotations?.['rollout.argoproj.io/revision'], '2');
    const labels = (next.spec as { template: { metadata: { labels: Record<string, string> } } })
      .template.metadata.labels;
    assert.deepEqual(labels, { app: 'web', 'rollouts-pod-template-hash': 'abc' });
  });
  await t.test('the injected metadata does not change template equality', () => {
    const desiredTemplate = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:2' }] },
    };
    const next = replicaSetWithEphemeralMetadata(rs({}), {
      labels: { role: 'canary' },
      annotations: { 'sidecar.example.com/inject': 'true' },
    })!;
    const spec = next.spec as { template: unknown };
    assert.ok(
      podTemplatesSemanticallyEqual(spec.template, desiredTemplate, {
        ephemeralMetadata: parseEphemeralMetadataAnnotation(next.metadata.annotations),
      }),
    );
    assert.ok(!podTemplatesSemanticallyEqual(spec.template, desiredTemplate));
  });
});

test('podMetadataPatch: a merge patch of the injected keys only', async (t) => {
  const pod = (
    labels: Record<string, string>,
    annotations?: Record<string, string>,
  ): KubeObject => ({
    metadata: { name: 'web-abc-x1', labels, ...(annotations ? { annotations } : {}) },
  });
  const cases: {
    name: string;
    pod: KubeObject;
    existing?: EphemeralMetadata;
    desired?: EphemeralMetadata;
    want: unknown;
  }[] = [
    {
      name: 'label added',
      pod: pod({ app: 'web' }),
      desired: { labels: { role: 'preview' } },
      want: { metadata: { labels: { role: 'preview' } } },
    },
    {
      name: 'role moved, an annotation dropped',
      pod: pod({ app: 'web', role: 'preview' }, { note: 'n', other: 'o' }),
      existing: { labels: { role: 'preview' }, annotations: { note: 'n' } },
      desired: { labels: { role: 'active' } },
      want: { metadata: { labels: { role: 'active' }, annotations: { note: null } } },
    },
    {
      name: 'already right: no patch',
      pod: pod({ app: 'web', role: 'active' }),
      existing: { labels: { role: 'active' } },
      desired: { labels: { role: 'active' } },
      want: undefined,
    },
    {
      name: 'role gone',
      pod: pod({ app: 'web', role: 'stable' }),
      existing: { labels: { role: 'stable' } },
      desired: undefined,
      want: { metadata: { labels: { role: null } } },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assert.deepEqual(podMetadataPatch(c.pod, c.existing, c.desired), c.want),
    );
  }
});

test('ephemeralTargets: which role each ReplicaSet plays (Go reconcileEphemeralMetadata)', async (t) => {
  const strategy = ephemeralStrategy({
    blueGreen: {
      previewMetadata: { labels: { role: 'preview' } },
      activeMetadata: { labels: { role: 'active' } },
    },
  });
  const v1 = { hash: 'v1' };
  const v2 = { hash: 'v2' };
  const v0 = { hash: 'v0' };
  const roles = (targets: ReturnType<typeof ephemeralTargets<{ hash: string }>>) =>
    Object.fromEntries(targets.map((x) => [x.rs.hash, x.desired?.labels?.role ?? null]));
  await t.test('initial deploy: the new ReplicaSet is the active one', () => {
    assert.deepEqual(
      roles(
        ephemeralTargets({
          strategy,
          stableHash: undefined,
          newRS: v1,
          stableRS: undefined,
          others: [],
        }),
      ),
      { v1: 'active' },
    );
  });
  await t.test('update in flight: preview and active; older ones nothing', () => {
    assert.deepEqual(
      roles(
        ephemeralTargets({ strategy, stableHash: 'v1', newRS: v2, stableRS: v1, others: [v0] }),
      ),
      { v2: 'preview', v1: 'active', v0: null },
    );
  });
  await t.test('promoted: the new one is active, the previous active has no role', () => {
    assert.deepEqual(
      roles(
        ephemeralTargets({ strategy, stableHash: 'v2', newRS: v2, stableRS: v2, others: [v1] }),
      ),
      { v2: 'active', v1: null },
    );
  });
  await t.test('canary names its roles canary/stable', () => {
    const canary = ephemeralStrategy({
      canary: { canaryMetadata: { labels: { r: 'c' } }, stableMetadata: { labels: { r: 's' } } },
    });
    assert.deepEqual(canary, {
      newMetadata: { labels: { r: 'c' } },
      stableMetadata: { labels: { r: 's' } },
    });
    assert.deepEqual(newReplicaSetMetadata(canary, true), { labels: { r: 'c' } });
    assert.deepEqual(newReplicaSetMetadata(canary, false), { labels: { r: 's' } });
  });
});
