// Cluster behaviour as seen through the real @kubernetes/client-node over HTTP: the
// ReplicaSet controller, the kubelet's pod lifecycle and the Deployment controller.
// The same tests run against a real cluster when KUBECONFIG_CONFORMANCE is set; the parts
// that steer the emulator's kubelet (unready / crash-looping images) skip themselves there.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
  type V1ReplicaSetStatus,
} from '@kubernetes/client-node';
import { eventually, openTarget, type Target } from '../support/target.ts';

const IMAGE = 'registry.k8s.io/pause:3.9';
/** utilrand's alphabet: no vowels and none of 0, 1, 3. */
const GENERATED_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const SIM_ONLY = 'needs the emulator kubelet controls (target.sim is absent on a real cluster)';

let target: Target;
let core: CoreV1Api;
let apps: AppsV1Api;

before(async () => {
  target = await openTarget({ crashIntervalMs: 100 });
  core = target.kc.makeApiClient(CoreV1Api);
  apps = target.kc.makeApiClient(AppsV1Api);
});

after(async () => {
  await target.close();
});

function replicaSet(
  name: string,
  replicas: number,
  labels: Record<string, string>,
  opts: { image?: string; minReadySeconds?: number } = {},
): V1ReplicaSet {
  return {
    metadata: { name },
    spec: {
      replicas,
      ...(opts.minReadySeconds !== undefined ? { minReadySeconds: opts.minReadySeconds } : {}),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'main', image: opts.image ?? IMAGE }],
        },
      },
    },
  };
}

function isControlledBy(obj: { metadata?: { ownerReferences?: unknown } }, uid: string): boolean {
  const refs = (obj.metadata?.ownerReferences ?? []) as { uid: string; controller?: boolean }[];
  return refs.some((r) => r.uid === uid && r.controller === true);
}

/** Live (not terminating) pods in `namespace` controlled by the object with `uid`. */
async function podsOf(namespace: string, uid: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace });
  return list.items.filter((p) => isControlledBy(p, uid) && !p.metadata?.deletionTimestamp);
}

function condition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}

function isReady(pod: V1Pod): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

/** Collects the status of every event a watch on one ReplicaSet delivers, in order. */
async function watchReplicaSetStatus(
  namespace: string,
  name: string,
): Promise<{ seen: Partial<V1ReplicaSetStatus>[]; stop(): void }> {
  const seen: Partial<V1ReplicaSetStatus>[] = [];
  const controller = await new Watch(target.kc).watch(
    `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    { fieldSelector: `metadata.name=${name}` },
    (type: string, obj: { status?: V1ReplicaSetStatus }) => {
      if (type === 'ADDED' || type === 'MODIFIED') seen.push(obj.status ?? {});
    },
    () => undefined,
  );
  return { seen, stop: () => controller.abort() };
}

function requireSim(t: TestContext): boolean {
  if (target.sim) return true;
  t.skip(SIM_ONLY);
  return false;
}

describe('ReplicaSet controller', () => {
  test('creates replicas pods named <rs>-<suffix>, owned by the ReplicaSet and labelled from the template', async () => {
    const namespace = await target.namespace('rs-create');
    const labels = { app: 'web', tier: 'front' };
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('web', 3, labels),
    });
    const uid = rs.metadata!.uid!;
    const pods = await eventually(async () => {
      const p = await podsOf(namespace, uid);
      return p.length === 3 && p.every(isReady) ? p : undefined;
    }, '3 ready pods');

    for (const pod of pods) {
      const name = pod.metadata!.name!;
      assert.ok(name.startsWith('web-'), name);
      assert.match(name.slice('web-'.length), GENERATED_SUFFIX);
      assert.equal(pod.metadata!.generateName, 'web-');
      const refs = pod.metadata!.ownerReferences ?? [];
      assert.equal(refs.length, 1);
      assert.equal(refs[0]!.apiVersion, 'apps/v1');
      assert.equal(refs[0]!.kind, 'ReplicaSet');
      assert.equal(refs[0]!.name, 'web');
      assert.equal(refs[0]!.uid, uid);
      assert.equal(refs[0]!.controller, true);
      assert.deepEqual(pod.metadata!.labels, labels);
    }
    assert.equal(new Set(pods.map((p) => p.metadata!.name)).size, 3);
  });

  test('scheduled, running pods carry nodeName, podIP and Ready/ContainersReady conditions', async () => {
    const namespace = await target.namespace('rs-pods');
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('api', 2, { app: 'api' }),
    });
    const pods = await eventually(async () => {
      const p = await podsOf(namespace, rs.metadata!.uid!);
      return p.length === 2 && p.every(isReady) ? p : undefined;
    }, '2 ready pods');
    for (const pod of pods) {
      assert.ok(pod.spec?.nodeName, 'spec.nodeName is set');
      assert.equal(pod.status?.phase, 'Running');
      assert.match(pod.status?.podIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok(pod.status?.startTime instanceof Date);
      for (const type of ['Ready', 'ContainersReady', 'PodScheduled', 'Initialized']) {
        const c = condition(pod, type);
        assert.equal(c?.status, 'True', `${type} condition`);
        assert.ok(c?.lastTransitionTime instanceof Date, `${type} lastTransitionTime`);
        assert.ok(!Number.isNaN(c.lastTransitionTime.getTime()), `${type} lastTransitionTime`);
      }
      const cs = pod.status?.containerStatuses ?? [];
      assert.equal(cs.length, 1);
      assert.equal(cs[0]!.name, 'main');
      assert.equal(cs[0]!.ready, true);
      assert.equal(cs[0]!.restartCount, 0);
      assert.ok(cs[0]!.state?.running, 'container is running');
    }
  });

  test('status counts become true once pods are ready', async () => {
    const namespace = await target.namespace('rs-status');
    const created = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('counted', 3, { app: 'counted' }),
    });
    const rs = await eventually(async () => {
      const r = await apps.readNamespacedReplicaSet({ namespace, name: 'counted' });
      return r.status?.availableReplicas === 3 ? r : undefined;
    }, 'availableReplicas 3');
    assert.equal(rs.status?.replicas, 3);
    assert.equal(rs.status?.readyReplicas, 3);
    assert.equal(rs.status?.availableReplicas, 3);
    assert.equal(rs.status?.fullyLabeledReplicas, 3);
    assert.equal(rs.metadata?.generation, created.metadata?.generation);
    assert.equal(rs.status?.observedGeneration, rs.metadata?.generation);
  });

  test('scaling down to 1 deletes 2 of the pods', async () => {
    const namespace = await target.namespace('rs-scale');
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('scaled', 3, { app: 'scaled' }),
    });
    const uid = rs.metadata!.uid!;
    const before = await eventually(async () => {
      const p = await podsOf(namespace, uid);
      return p.length === 3 && p.every(isReady) ? p : undefined;
    }, '3 ready pods');

    const scale = await apps.replaceNamespacedReplicaSetScale({
      namespace,
      name: 'scaled',
      body: { metadata: { name: 'scaled', namespace }, spec: { replicas: 1 } },
    });
    assert.equal(scale.spec?.replicas, 1);

    const after = await eventually(async () => {
      const all = (await core.listNamespacedPod({ namespace })).items;
      return all.length === 1 ? all : undefined;
    }, 'one pod left');
    const names = before.map((p) => p.metadata!.name!);
    const kept = after[0]!.metadata!.name!;
    assert.ok(names.includes(kept), `${kept} is one of the original pods`);
    for (const name of names.filter((n) => n !== kept)) {
      await assert.rejects(core.readNamespacedPod({ namespace, name }), (e: { code?: number }) => {
        assert.equal(e.code, 404);
        return true;
      });
    }
    const status = await eventually(async () => {
      const r = await apps.readNamespacedReplicaSet({ namespace, name: 'scaled' });
      return r.status?.replicas === 1 && r.status.observedGeneration === r.metadata?.generation
        ? r
        : undefined;
    }, 'status.replicas 1');
    assert.equal(status.spec?.replicas, 1);
    assert.equal(status.status?.readyReplicas, 1);
  });

  test('with minReadySeconds, readyReplicas reaches 3 before availableReplicas does', async () => {
    const namespace = await target.namespace('rs-minready');
    const watch = await watchReplicaSetStatus(namespace, 'slow');
    try {
      await apps.createNamespacedReplicaSet({
        namespace,
        body: replicaSet('slow', 3, { app: 'slow' }, { minReadySeconds: 1 }),
      });
      await eventually(
        () => watch.seen.some((s) => s.availableReplicas === 3),
        'availableReplicas 3 over the watch',
      );
      const allReady = watch.seen.findIndex((s) => s.readyReplicas === 3);
      const allAvailable = watch.seen.findIndex((s) => s.availableReplicas === 3);
      assert.ok(allReady >= 0, 'readyReplicas 3 was observed');
      assert.ok(allReady < allAvailable, 'readyReplicas 3 came before availableReplicas 3');
      const intermediate = watch.seen[allReady]!;
      assert.ok((intermediate.availableReplicas ?? 0) < 3, JSON.stringify(intermediate));
      // Counts never go backwards while the pods stay healthy.
      for (const s of watch.seen.slice(allReady)) assert.equal(s.readyReplicas, 3);
    } finally {
      watch.stop();
    }
  });

  test('adopts an orphan pod that matches its selector', async () => {
    const namespace = await target.namespace('rs-adopt');
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'orphan', labels: { app: 'adopt' } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: 'main', image: IMAGE }],
        },
      },
    });
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('adopter', 2, { app: 'adopt' }),
    });
    const uid = rs.metadata!.uid!;
    const orphan = await eventually(async () => {
      const p = await core.readNamespacedPod({ namespace, name: 'orphan' });
      return isControlledBy(p, uid) ? p : undefined;
    }, 'orphan adopted');
    const ref = orphan.metadata!.ownerReferences!.find((r) => r.uid === uid)!;
    assert.equal(ref.kind, 'ReplicaSet');
    assert.equal(ref.name, 'adopter');
    assert.equal(ref.controller, true);
    // The adopted pod counts towards replicas: only one more pod is created.
    const owned = await eventually(async () => {
      const r = await apps.readNamespacedReplicaSet({ namespace, name: 'adopter' });
      if (r.status?.readyReplicas !== 2) return undefined;
      return podsOf(namespace, uid);
    }, 'two ready replicas');
    assert.equal(owned.length, 2);
    assert.ok(owned.some((p) => p.metadata?.name === 'orphan'));
    assert.equal((await core.listNamespacedPod({ namespace })).items.length, 2);
  });
});

describe('kubelet image behaviour (emulator only)', () => {
  test('pods of an unready image run but are not Ready until the image is made ready', async (t) => {
    if (!requireSim(t)) return;
    const image = 'example.com/conformance/unready:1';
    target.sim!.setImageBehavior(image, 'unready');
    const namespace = await target.namespace('kubelet-unready');
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('sick', 2, { app: 'sick' }, { image }),
    });
    const uid = rs.metadata!.uid!;
    const pods = await eventually(async () => {
      const p = await podsOf(namespace, uid);
      return p.length === 2 && p.every((x) => x.status?.phase === 'Running') ? p : undefined;
    }, '2 running pods');
    for (const pod of pods) {
      assert.equal(condition(pod, 'Ready')?.status, 'False');
      assert.equal(condition(pod, 'ContainersReady')?.status, 'False');
      assert.equal(pod.status?.containerStatuses?.[0]?.ready, false);
      assert.ok(pod.status?.containerStatuses?.[0]?.state?.running, 'container is running');
      assert.ok(pod.spec?.nodeName);
      assert.ok(pod.status?.podIP);
    }
    const status = await eventually(async () => {
      const r = await apps.readNamespacedReplicaSet({ namespace, name: 'sick' });
      return r.status?.replicas === 2 ? r.status : undefined;
    }, 'status.replicas 2');
    assert.equal(status.readyReplicas ?? 0, 0);
    assert.equal(status.availableReplicas ?? 0, 0);

    target.sim!.setImageBehavior(image, 'ready');
    await eventually(async () => {
      const p = await podsOf(namespace, uid);
      return p.length === 2 && p.every(isReady);
    }, 'pods ready after switching the image to ready');
    const healed = await eventually(async () => {
      const r = await apps.readNamespacedReplicaSet({ namespace, name: 'sick' });
      return r.status?.readyReplicas === 2 ? r.status : undefined;
    }, 'readyReplicas 2');
    assert.equal(healed.availableReplicas, 2);
  });

  test('a crash-looping image shows CrashLoopBackOff and a growing restartCount', async (t) => {
    if (!requireSim(t)) return;
    const image = 'example.com/conformance/crash:1';
    target.sim!.setImageBehavior(image, 'crashloop');
    const namespace = await target.namespace('kubelet-crash');
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('crashy', 1, { app: 'crashy' }, { image }),
    });
    const uid = rs.metadata!.uid!;
    const first = await eventually(async () => {
      const [pod] = await podsOf(namespace, uid);
      const cs = pod?.status?.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === 'CrashLoopBackOff' ? cs : undefined;
    }, 'CrashLoopBackOff');
    assert.equal(first.ready, false);
    assert.ok(first.restartCount >= 1);
    assert.equal(first.lastState?.terminated?.exitCode, 1);
    const later = await eventually(async () => {
      const [pod] = await podsOf(namespace, uid);
      const cs = pod?.status?.containerStatuses?.[0];
      return cs && cs.restartCount > first.restartCount + 1 ? cs : undefined;
    }, 'restartCount to grow');
    assert.equal(later.state?.waiting?.reason, 'CrashLoopBackOff');
    const [pod] = await podsOf(namespace, uid);
    assert.equal(condition(pod!, 'Ready')?.status, 'False');
    const r = await apps.readNamespacedReplicaSet({ namespace, name: 'crashy' });
    assert.equal(r.status?.readyReplicas ?? 0, 0);
    target.sim!.setImageBehavior(image, 'ready');
  });
});

describe('Deployment controller', () => {
  function deployment(replicas: number, image: string): V1Deployment {
    return {
      metadata: { name: 'shop' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'main', image }],
          },
        },
      },
    };
  }

  async function ownedReplicaSets(namespace: string, uid: string): Promise<V1ReplicaSet[]> {
    const list = await apps.listNamespacedReplicaSet({ namespace });
    return list.items.filter((rs) => isControlledBy(rs, uid));
  }

  test('owns one ReplicaSet per template, scales it, rolls to a new one and is garbage-collected', async () => {
    const namespace = await target.namespace('deploy');
    const d = await apps.createNamespacedDeployment({
      namespace,
      body: deployment(2, IMAGE),
    });
    const uid = d.metadata!.uid!;

    const [first] = await eventually(async () => {
      const sets = await ownedReplicaSets(namespace, uid);
      return sets.length === 1 ? sets : undefined;
    }, 'one ReplicaSet');
    const hash = first!.metadata?.labels?.['pod-template-hash'];
    assert.ok(hash, 'pod-template-hash label');
    assert.equal(first!.metadata?.name, `shop-${hash}`);
    assert.equal(first!.metadata?.labels?.app, 'shop');
    assert.equal(first!.spec?.selector?.matchLabels?.['pod-template-hash'], hash);
    assert.equal(first!.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.equal(first!.spec?.replicas, 2);
    const ref = first!.metadata.ownerReferences![0]!;
    assert.equal(ref.kind, 'Deployment');
    assert.equal(ref.name, 'shop');
    await eventually(async () => {
      const pods = await podsOf(namespace, first!.metadata!.uid!);
      return pods.length === 2 && pods.every((p) => p.metadata?.labels?.['pod-template-hash']);
    }, '2 pods of the first ReplicaSet');

    await apps.patchNamespacedDeployment(
      { namespace, name: 'shop', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(async () => {
      const rs = await apps.readNamespacedReplicaSet({ namespace, name: first!.metadata!.name! });
      return rs.spec?.replicas === 3 && rs.status?.readyReplicas === 3;
    }, 'first ReplicaSet scaled to 3');
    assert.equal((await ownedReplicaSets(namespace, uid)).length, 1, 'scaling makes no new RS');
    await eventually(async () => {
      const dep = await apps.readNamespacedDeployment({ namespace, name: 'shop' });
      return (
        dep.status?.observedGeneration === dep.metadata?.generation &&
        dep.status?.replicas === 3 &&
        dep.status?.availableReplicas === 3
      );
    }, 'Deployment status with 3 available replicas');

    await apps.patchNamespacedDeployment(
      {
        namespace,
        name: 'shop',
        body: {
          spec: { template: { spec: { containers: [{ name: 'main', image: `${IMAGE}-v2` }] } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const second = await eventually(async () => {
      const sets = await ownedReplicaSets(namespace, uid);
      const next = sets.find((rs) => rs.metadata?.name !== first!.metadata?.name);
      const old = sets.find((rs) => rs.metadata?.name === first!.metadata?.name);
      return sets.length === 2 &&
        next?.spec?.replicas === 3 &&
        next.status?.readyReplicas === 3 &&
        old?.spec?.replicas === 0 &&
        (old.status?.replicas ?? 0) === 0
        ? next
        : undefined;
    }, 'a second ReplicaSet at 3 and the first at 0');
    const hash2 = second.metadata?.labels?.['pod-template-hash'];
    assert.ok(hash2 && hash2 !== hash, 'a different pod-template-hash');
    assert.equal(second.metadata?.name, `shop-${hash2}`);
    assert.equal(second.spec?.template?.spec?.containers[0]?.image, `${IMAGE}-v2`);
    await eventually(async () => {
      const pods = (await core.listNamespacedPod({ namespace })).items.filter(
        (p) => !p.metadata?.deletionTimestamp,
      );
      return (
        pods.length === 3 && pods.every((p) => p.metadata?.labels?.['pod-template-hash'] === hash2)
      );
    }, 'only pods of the new template');

    await apps.deleteNamespacedDeployment({ namespace, name: 'shop' });
    await eventually(async () => {
      const sets = (await apps.listNamespacedReplicaSet({ namespace })).items;
      const pods = (await core.listNamespacedPod({ namespace })).items;
      return sets.length === 0 && pods.length === 0;
    }, 'both ReplicaSets and their pods garbage-collected');
  });
});
