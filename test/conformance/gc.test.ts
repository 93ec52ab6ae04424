// Conformance: deletion. Propagation policies and ownerReference garbage collection,
// finalizers, namespace deletion, deletecollection and delete preconditions. Runs against the
// emulator, or a real cluster when KUBECONFIG_CONFORMANCE is set. There the real garbage
// collector and ReplicaSet controller do the work asynchronously, so the tests poll.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { eventually, openTarget, type Target } from '../support/target.ts';

const PAUSE = 'registry.k8s.io/pause:3.10';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const FINALIZER = 'conformance.example.com/hold';
/** A real cluster's garbage collector and kubelet take seconds, not milliseconds. */
const SLOW = 60_000;

interface StatusBody {
  reason?: string;
  code?: number;
  message?: string;
}

async function failure(p: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const body: unknown = e.body;
      return { code: e.code, status: JSON.parse(String(body)) as StatusBody };
    }
    throw e;
  }
  return assert.fail('expected the request to be rejected');
}

/** True once a read is answered 404; other errors propagate. */
async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return true;
    throw e;
  }
}

function replicaSet(name: string, replicas: number): V1ReplicaSet {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: PAUSE }] },
      },
    },
  };
}

describe('conformance: garbage collection and deletion', () => {
  let target: Target;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  before(async () => {
    target = await openTarget();
    core = target.kc.makeApiClient(CoreV1Api);
    apps = target.kc.makeApiClient(AppsV1Api);
  });

  after(async () => {
    await target?.close();
  });

  /** Creates a ReplicaSet and waits until its controller has created `replicas` pods it owns. */
  async function replicaSetWithPods(
    namespace: string,
    name: string,
    replicas: number,
  ): Promise<{ rs: V1ReplicaSet; pods: V1Pod[] }> {
    const rs = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet(name, replicas),
    });
    const pods = await eventually(
      async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` });
        const owned = list.items.filter((p) =>
          p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata?.uid),
        );
        return owned.length === replicas ? owned : undefined;
      },
      `${replicas} pods owned by ReplicaSet ${name}`,
      SLOW,
    );
    for (const p of pods) {
      const ref = p.metadata?.ownerReferences?.find((r) => r.uid === rs.metadata?.uid);
      assert.equal(ref?.kind, 'ReplicaSet');
      assert.equal(ref?.apiVersion, 'apps/v1');
      assert.equal(ref?.name, name);
      assert.equal(ref?.controller, true);
      assert.equal(ref?.blockOwnerDeletion, true);
    }
    return { rs, pods };
  }

  test('background propagation: deleting a ReplicaSet deletes the pods it owns', async () => {
    const namespace = await target.namespace();
    await replicaSetWithPods(namespace, 'web', 2);
    // Only dependents go: an object the ReplicaSet does not own stays.
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'bystander' } } });

    await apps.deleteNamespacedReplicaSet({
      name: 'web',
      namespace,
      propagationPolicy: 'Background',
    });
    await eventually(
      () => gone(() => apps.readNamespacedReplicaSet({ name: 'web', namespace })),
      'the ReplicaSet to be gone',
      SLOW,
    );
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0,
      'the pods to be garbage collected',
      SLOW,
    );
    await core.readNamespacedConfigMap({ name: 'bystander', namespace });
  });

  test('foreground propagation: the owner waits with foregroundDeletion until its dependents are gone', async () => {
    const namespace = await target.namespace();
    const { rs } = await replicaSetWithPods(namespace, 'web', 1);
    // A dependent that cannot go away until the test says so keeps the owner waiting.
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'dependent',
          finalizers: [FINALIZER],
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'web',
              uid: rs.metadata!.uid!,
              blockOwnerDeletion: true,
            },
          ],
        },
      },
    });

    await apps.deleteNamespacedReplicaSet({
      name: 'web',
      namespace,
      propagationPolicy: 'Foreground',
    });
    const waiting = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
    assert.ok(waiting.metadata?.deletionTimestamp, 'the owner has a deletionTimestamp');
    assert.ok(waiting.metadata?.finalizers?.includes('foregroundDeletion'));

    // The collector deletes the dependents: the pod goes, the held ConfigMap is marked.
    await eventually(
      async () =>
        (await core.readNamespacedConfigMap({ name: 'dependent', namespace })).metadata
          ?.deletionTimestamp,
      'the dependent to be marked for deletion',
      SLOW,
    );
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0,
      'the pods to be deleted',
      SLOW,
    );
    const stillWaiting = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
    assert.ok(stillWaiting.metadata?.finalizers?.includes('foregroundDeletion'));
    assert.equal(stillWaiting.metadata?.uid, rs.metadata?.uid);

    await core.patchNamespacedConfigMap(
      { name: 'dependent', namespace, body: { metadata: { finalizers: null } } },
      MERGE,
    );
    await eventually(
      () => gone(() => core.readNamespacedConfigMap({ name: 'dependent', namespace })),
      'the dependent to be gone',
      SLOW,
    );
    await eventually(
      () => gone(() => apps.readNamespacedReplicaSet({ name: 'web', namespace })),
      'the owner to be gone once its dependents are',
      SLOW,
    );
  });

  test('orphan propagation: dependents stay and lose their ownerReference', async () => {
    const namespace = await target.namespace();
    const { rs, pods } = await replicaSetWithPods(namespace, 'web', 2);
    const names = pods.map((p) => p.metadata?.name).sort();

    await apps.deleteNamespacedReplicaSet({ name: 'web', namespace, propagationPolicy: 'Orphan' });
    await eventually(
      () => gone(() => apps.readNamespacedReplicaSet({ name: 'web', namespace })),
      'the ReplicaSet to be gone',
      SLOW,
    );
    const orphans = await eventually(
      async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
        const released = list.items.every(
          (p) => !p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata?.uid),
        );
        return released ? list.items : undefined;
      },
      'the pods to lose their ownerReference',
      SLOW,
    );
    assert.deepEqual(orphans.map((p) => p.metadata?.name).sort(), names);
    for (const p of orphans) {
      assert.equal(p.metadata?.deletionTimestamp, undefined);
      assert.equal(p.metadata?.ownerReferences?.length ?? 0, 0);
    }
  });

  test('a custom finalizer holds a deleted object until an update removes it', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'held', finalizers: [FINALIZER] }, data: { a: '1' } },
    });
    await core.deleteNamespacedConfigMap({ name: 'held', namespace });

    const terminating = await core.readNamespacedConfigMap({ name: 'held', namespace });
    assert.ok(terminating.metadata?.deletionTimestamp, 'deletionTimestamp is set');
    assert.deepEqual(terminating.metadata?.finalizers, [FINALIZER]);
    assert.equal(terminating.data?.a, '1');
    // Deleting again changes nothing; the object still waits for its finalizer.
    await core.deleteNamespacedConfigMap({ name: 'held', namespace });
    const again = await core.readNamespacedConfigMap({ name: 'held', namespace });
    assert.deepEqual(again.metadata?.finalizers, [FINALIZER]);

    again.metadata = { ...again.metadata, finalizers: [] };
    await core.replaceNamespacedConfigMap({ name: 'held', namespace, body: again });
    await eventually(
      () => gone(() => core.readNamespacedConfigMap({ name: 'held', namespace })),
      'the object to be gone once its finalizer is removed',
    );
  });

  test('deleting a namespace removes the objects in it', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'creds' }, stringData: { a: 'b' } },
    });
    await core.deleteNamespace({ name: namespace });
    await eventually(
      () => gone(() => core.readNamespace({ name: namespace })),
      'the namespace to be gone',
      SLOW,
    );
    assert.ok(await gone(() => core.readNamespacedConfigMap({ name: 'cfg', namespace })));
    assert.ok(await gone(() => core.readNamespacedSecret({ name: 'creds', namespace })));
  });

  test('deletecollection with a label selector deletes only the matching objects', async () => {
    const namespace = await target.namespace();
    const mine = ['doomed-1', 'doomed-2', 'kept', 'unlabelled'];
    const labels: Record<string, Record<string, string> | undefined> = {
      'doomed-1': { tier: 'doomed' },
      'doomed-2': { tier: 'doomed' },
      kept: { tier: 'kept' },
    };
    for (const name of mine) {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name, ...(labels[name] ? { labels: labels[name] } : {}) } },
      });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace, labelSelector: 'tier=doomed' });
    const left = await eventually(async () => {
      const names = (await core.listNamespacedConfigMap({ namespace })).items
        .map((c) => c.metadata?.name ?? '')
        .filter((n) => mine.includes(n))
        .sort();
      return names.some((n) => n.startsWith('doomed')) ? undefined : names;
    }, 'the matching ConfigMaps to be deleted');
    assert.deepEqual(left, ['kept', 'unlabelled']);
  });

  test('delete preconditions: a stale resourceVersion or another uid is 409 Conflict', async () => {
    const namespace = await target.namespace();
    const v1 = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    const v2 = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace, body: { data: { a: '2' } } },
      MERGE,
    );
    const staleRv = v1.metadata!.resourceVersion!;
    const currentRv = v2.metadata!.resourceVersion!;

    const stale = await failure(
      core.deleteNamespacedConfigMap({
        name: 'cfg',
        namespace,
        body: { preconditions: { resourceVersion: staleRv } },
      }),
    );
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, 'Conflict');
    // rest.BeforeDelete words it with the kind, not the resource.
    assert.equal(
      stale.status.message,
      `Operation cannot be fulfilled on ConfigMap "cfg": the ResourceVersion in the precondition (${staleRv}) does not match the ResourceVersion in record (${currentRv}). The object might have been modified`,
    );

    const otherUid = '00000000-0000-0000-0000-000000000000';
    const wrongUid = await failure(
      core.deleteNamespacedConfigMap({
        name: 'cfg',
        namespace,
        body: { preconditions: { uid: otherUid } },
      }),
    );
    assert.equal(wrongUid.code, 409);
    assert.equal(wrongUid.status.reason, 'Conflict');
    assert.equal(
      wrongUid.status.message,
      `Operation cannot be fulfilled on ConfigMap "cfg": the UID in the precondition (${otherUid}) does not match the UID in record (${v1.metadata?.uid}). The object might have been deleted and then recreated`,
    );
    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace });
    assert.equal(read.data?.a, '2');

    await core.deleteNamespacedConfigMap({
      name: 'cfg',
      namespace,
      body: { preconditions: { resourceVersion: currentRv, uid: v1.metadata?.uid } },
    });
    assert.ok(await gone(() => core.readNamespacedConfigMap({ name: 'cfg', namespace })));
  });
});
