// Conformance: the three patch types (merge, JSON, strategic merge), patches on the /status and
// /scale subresources, and resourceVersion preconditions carried in a patch. Runs against the
// emulator, or a real cluster when KUBECONFIG_CONFORMANCE is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { eventually, openTarget, type Target } from '../support/target.ts';

const PAUSE = 'registry.k8s.io/pause:3.10';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
/** Pods on a real cluster take a while to be created and counted. */
const SLOW = 60_000;

// Not the objects suite's CRD: files may run in parallel against one real cluster.
const GADGETS = { group: 'conformance.example.com', version: 'v1', plural: 'gadgets' } as const;
const GADGET_CRD = `${GADGETS.plural}.${GADGETS.group}`;

interface StatusBody {
  reason?: string;
  code?: number;
  message?: string;
}

interface Gadget {
  metadata: { name: string; resourceVersion?: string; generation?: number };
  spec?: { size?: number; tags?: string[] };
  status?: { phase?: string };
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

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

function images(rs: V1ReplicaSet): Record<string, string | undefined> {
  const containers: V1Container[] = rs.spec?.template?.spec?.containers ?? [];
  return Object.fromEntries(containers.map((c) => [c.name, c.image]));
}

function replicaSet(name: string, replicas: number, containers: V1Container[]): V1ReplicaSet {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers },
      },
    },
  };
}

describe('conformance: patch', () => {
  let target: Target;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let co: CustomObjectsApi;
  let ext: ApiextensionsV1Api;

  before(async () => {
    target = await openTarget();
    core = target.kc.makeApiClient(CoreV1Api);
    apps = target.kc.makeApiClient(AppsV1Api);
    co = target.kc.makeApiClient(CustomObjectsApi);
    ext = target.kc.makeApiClient(ApiextensionsV1Api);
    await ext
      .createCustomResourceDefinition({
        body: {
          metadata: { name: GADGET_CRD },
          spec: {
            group: GADGETS.group,
            scope: 'Namespaced',
            names: {
              plural: 'gadgets',
              singular: 'gadget',
              kind: 'Gadget',
              listKind: 'GadgetList',
            },
            versions: [
              {
                name: GADGETS.version,
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                  openAPIV3Schema: {
                    type: 'object',
                    properties: {
                      spec: {
                        type: 'object',
                        properties: {
                          size: { type: 'integer' },
                          tags: { type: 'array', items: { type: 'string' } },
                        },
                      },
                      status: { type: 'object', properties: { phase: { type: 'string' } } },
                    },
                  },
                },
              },
            ],
          },
        },
      })
      .catch((e: unknown) => {
        if (!(e instanceof ApiException && e.code === 409)) throw e;
      });
    await eventually(async () => {
      const crd = await ext.readCustomResourceDefinition({ name: GADGET_CRD });
      if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
        return false;
      await co.listNamespacedCustomObject({ ...GADGETS, namespace: 'default' });
      return true;
    }, `${GADGET_CRD} to be served`);
  });

  after(async () => {
    await ext?.deleteCustomResourceDefinition({ name: GADGET_CRD }).catch(() => undefined);
    await target?.close();
  });

  async function createGadget(namespace: string, name: string, spec: Gadget['spec']) {
    return (await co.createNamespacedCustomObject({
      ...GADGETS,
      namespace,
      body: {
        apiVersion: `${GADGETS.group}/${GADGETS.version}`,
        kind: 'Gadget',
        metadata: { name },
        spec,
      },
    })) as Gadget;
  }

  test('merge patch: sets keys, deletes keys set to null, replaces lists', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg', labels: { keep: 'yes' } }, data: { a: '1', b: '2' } },
    });
    const patched = await core.patchNamespacedConfigMap(
      {
        name: 'cfg',
        namespace,
        body: { metadata: { labels: { added: 'x' } }, data: { a: null, b: '3', c: '4' } },
      },
      MERGE,
    );
    assert.deepEqual(plain(patched.data), { b: '3', c: '4' });
    assert.deepEqual(plain(patched.metadata?.labels), { keep: 'yes', added: 'x' });

    await createGadget(namespace, 'g', { size: 1, tags: ['a', 'b', 'c'] });
    const gadget = (await co.patchNamespacedCustomObject(
      { ...GADGETS, namespace, name: 'g', body: { spec: { tags: ['z'] } } },
      MERGE,
    )) as Gadget;
    assert.deepEqual(gadget.spec, { size: 1, tags: ['z'] });
  });

  test('JSON patch: operations apply in order; a failing test op is 422 and changes nothing', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { a: '1', b: '2' } },
    });
    const patched = await core.patchNamespacedConfigMap(
      {
        name: 'cfg',
        namespace,
        body: [
          { op: 'test', path: '/data/a', value: '1' },
          { op: 'replace', path: '/data/a', value: '10' },
          { op: 'add', path: '/data/z', value: '26' },
          { op: 'remove', path: '/data/b' },
          { op: 'add', path: '/metadata/labels', value: { via: 'json-patch' } },
        ],
      },
      JSON_PATCH,
    );
    assert.deepEqual(plain(patched.data), { a: '10', z: '26' });
    assert.deepEqual(plain(patched.metadata?.labels), { via: 'json-patch' });

    const { code, status } = await failure(
      core.patchNamespacedConfigMap(
        {
          name: 'cfg',
          namespace,
          body: [
            { op: 'test', path: '/data/a', value: 'wrong' },
            { op: 'replace', path: '/data/a', value: 'never' },
          ],
        },
        JSON_PATCH,
      ),
    );
    assert.equal(code, 422);
    assert.equal(status.reason, 'Invalid');
    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace });
    assert.deepEqual(plain(read.data), { a: '10', z: '26' });
    assert.equal(read.metadata?.resourceVersion, patched.metadata?.resourceVersion);

    // client-node's default patch type is JSON patch.
    const byDefault = await core.patchNamespacedConfigMap({
      name: 'cfg',
      namespace,
      body: [{ op: 'replace', path: '/data/z', value: 'zz' }],
    });
    assert.equal(byDefault.data?.z, 'zz');
  });

  test('strategic merge patch on a ReplicaSet merges containers by name; $patch: delete removes one', async () => {
    const namespace = await target.namespace();
    await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('web', 0, [
        { name: 'app', image: 'registry.k8s.io/pause:3.9' },
        { name: 'sidecar', image: PAUSE },
      ]),
    });

    const updated = await apps.patchNamespacedReplicaSet(
      {
        name: 'web',
        namespace,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: PAUSE }] } } } },
      },
      STRATEGIC,
    );
    assert.deepEqual(images(updated), { app: PAUSE, sidecar: PAUSE });
    assert.deepEqual(
      updated.spec?.template?.spec?.containers.map((c) => c.name),
      ['app', 'sidecar'],
    );
    assert.equal(updated.metadata?.generation, 2);

    const removed = await apps.patchNamespacedReplicaSet(
      {
        name: 'web',
        namespace,
        body: {
          spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
        },
      },
      STRATEGIC,
    );
    assert.deepEqual(images(removed), { app: PAUSE });

    // The same list in a merge patch replaces the whole list instead.
    const added = await apps.patchNamespacedReplicaSet(
      {
        name: 'web',
        namespace,
        body: { spec: { template: { spec: { containers: [{ name: 'other', image: PAUSE }] } } } },
      },
      MERGE,
    );
    assert.deepEqual(images(added), { other: PAUSE });
  });

  test('strategic merge patch on a custom resource is 415 UnsupportedMediaType', async () => {
    const namespace = await target.namespace();
    await createGadget(namespace, 'g', { size: 1 });
    const { code, status } = await failure(
      co.patchNamespacedCustomObject(
        { ...GADGETS, namespace, name: 'g', body: { spec: { size: 2 } } },
        STRATEGIC,
      ),
    );
    assert.equal(code, 415);
    assert.equal(status.reason, 'UnsupportedMediaType');
    const read = (await co.getNamespacedCustomObject({
      ...GADGETS,
      namespace,
      name: 'g',
    })) as Gadget;
    assert.equal(read.spec?.size, 1);
  });

  test('a patch on /status changes only status; a main-resource patch does not change status', async () => {
    const namespace = await target.namespace();
    await createGadget(namespace, 'g', { size: 1 });
    const viaStatus = (await co.patchNamespacedCustomObjectStatus(
      { ...GADGETS, namespace, name: 'g', body: { spec: { size: 5 }, status: { phase: 'Ready' } } },
      MERGE,
    )) as Gadget;
    assert.deepEqual(viaStatus.status, { phase: 'Ready' });
    assert.deepEqual(viaStatus.spec, { size: 1 });
    assert.equal(viaStatus.metadata.generation, 1);

    const viaMain = (await co.patchNamespacedCustomObject(
      { ...GADGETS, namespace, name: 'g', body: { spec: { size: 2 }, status: { phase: 'Gone' } } },
      MERGE,
    )) as Gadget;
    assert.deepEqual(viaMain.spec, { size: 2 });
    assert.deepEqual(viaMain.status, { phase: 'Ready' });
    assert.equal(viaMain.metadata.generation, 2);

    // The same on a built-in: a ReplicaSet's /status patch leaves its spec alone.
    await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('web', 0, [{ name: 'app', image: PAUSE }]),
    });
    await eventually(
      async () =>
        (await apps.readNamespacedReplicaSet({ name: 'web', namespace })).status
          ?.observedGeneration === 1,
      'the ReplicaSet controller to observe generation 1',
    );
    const rs = await apps.patchNamespacedReplicaSetStatus(
      {
        name: 'web',
        namespace,
        body: { spec: { replicas: 4 }, status: { observedGeneration: 42 } },
      },
      MERGE,
    );
    assert.equal(rs.status?.observedGeneration, 42);
    assert.equal(rs.spec?.replicas, 0);
    assert.equal(rs.metadata?.generation, 1);
  });

  test('/scale: a ReplicaSet reads as an autoscaling/v1 Scale and scales through a patch', async () => {
    const namespace = await target.namespace();
    await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('web', 0, [{ name: 'app', image: PAUSE }]),
    });
    const scale = await apps.readNamespacedReplicaSetScale({ name: 'web', namespace });
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.metadata?.name, 'web');
    assert.equal(scale.spec?.replicas, 0);
    assert.equal(scale.status?.selector, 'app=web');

    const scaled = await apps.patchNamespacedReplicaSetScale(
      { name: 'web', namespace, body: { spec: { replicas: 2 } } },
      MERGE,
    );
    assert.equal(scaled.kind, 'Scale');
    assert.equal(scaled.spec?.replicas, 2);
    const rs = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
    assert.equal(rs.spec?.replicas, 2);
    assert.equal(rs.metadata?.generation, 2);
    await eventually(
      async () =>
        (await apps.readNamespacedReplicaSetScale({ name: 'web', namespace })).status?.replicas ===
        2,
      'the Scale to count 2 replicas',
      SLOW,
    );

    const { code } = await failure(
      apps.patchNamespacedReplicaSetScale(
        { name: 'web', namespace, body: { spec: { replicas: -1 } } },
        MERGE,
      ),
    );
    assert.equal(code, 422);
  });

  test('a patch carrying a stale metadata.resourceVersion is 409 Conflict', async () => {
    const namespace = await target.namespace();
    const v1 = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    const v2 = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace, body: { data: { a: '2' } } },
      MERGE,
    );
    const { code, status } = await failure(
      core.patchNamespacedConfigMap(
        {
          name: 'cfg',
          namespace,
          body: { metadata: { resourceVersion: v1.metadata?.resourceVersion }, data: { a: 'x' } },
        },
        MERGE,
      ),
    );
    assert.equal(code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal(
      status.message,
      'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again',
    );
    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace });
    assert.equal(read.data?.a, '2');

    // With the current resourceVersion the same patch applies.
    const v3 = await core.patchNamespacedConfigMap(
      {
        name: 'cfg',
        namespace,
        body: { metadata: { resourceVersion: v2.metadata?.resourceVersion }, data: { a: '3' } },
      },
      MERGE,
    );
    assert.equal(v3.data?.a, '3');
  });
});
