// Conformance: the object verbs (create, get, update, delete on a dry run) and the metadata the
// API server owns. Runs against the emulator, or a real cluster when KUBECONFIG_CONFORMANCE is
// set, so every assertion here is something kube-apiserver 1.32 does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  V1MicroTime,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { eventually, openTarget, type Target } from '../support/target.ts';

const PAUSE = 'registry.k8s.io/pause:3.10';
const SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const WIDGETS = { group: 'conformance.example.com', version: 'v1', plural: 'widgets' } as const;
const WIDGET_CRD = `${WIDGETS.plural}.${WIDGETS.group}`;

interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  reason?: string;
  code?: number;
  message?: string;
  details?: { name?: string; group?: string; kind?: string };
}

interface Widget {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; resourceVersion?: string; generation?: number };
  spec?: { size?: number; color?: string };
  status?: { phase?: string; observedSize?: number };
}

/** The rejection of `p` as the HTTP code and the parsed Status body; fails if `p` resolves. */
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

/** Typed client objects are class instances; compare their JSON form. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

/** Read-modify-write against a real cluster's controllers may race; retry on 409. */
async function retryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiException) || e.code !== 409 || attempt >= 10) throw e;
    }
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

describe('conformance: objects', () => {
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
  });

  after(async () => {
    await ext?.deleteCustomResourceDefinition({ name: WIDGET_CRD }).catch(() => undefined);
    await target?.close();
  });

  test('create with generateName: the server sets name, uid, creationTimestamp, generation and resourceVersion', async () => {
    const namespace = await target.namespace();
    const rs = replicaSet('gen', 0);
    rs.metadata = { generateName: 'gen-', labels: { app: 'gen' } };
    const created = await apps.createNamespacedReplicaSet({ namespace, body: rs });
    const name = created.metadata?.name ?? '';
    assert.ok(name.startsWith('gen-'), name);
    assert.match(name.slice('gen-'.length), SUFFIX);
    assert.equal(created.metadata?.generateName, 'gen-');
    assert.match(created.metadata?.uid ?? '', UUID);
    assert.equal(created.metadata?.generation, 1);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.equal(created.metadata?.namespace, namespace);

    // The typed client turns timestamps into Dates; read the wire form through CustomObjectsApi.
    const raw = (await co.getNamespacedCustomObject({
      group: 'apps',
      version: 'v1',
      namespace,
      plural: 'replicasets',
      name,
    })) as { metadata: { creationTimestamp: string; uid: string } };
    assert.match(raw.metadata.creationTimestamp, RFC3339_SECONDS);
    assert.equal(raw.metadata.uid, created.metadata?.uid);

    const cm = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { generateName: 'settings-' }, data: { a: '1' } },
    });
    assert.match((cm.metadata?.name ?? '').slice('settings-'.length), SUFFIX);
    assert.notEqual(cm.metadata?.uid, created.metadata?.uid);
  });

  test('creating an existing name is 409 AlreadyExists', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'x' } } });
    const { code, status } = await failure(
      core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'x' } } }),
    );
    assert.equal(code, 409);
    assert.equal(status.reason, 'AlreadyExists');
    assert.equal(status.message, 'configmaps "x" already exists');
    assert.equal(status.details?.name, 'x');
    assert.equal(status.details?.kind, 'configmaps');
  });

  test('getting a missing object is 404 with a NotFound Status', async () => {
    const namespace = await target.namespace();
    const { code, status } = await failure(
      apps.readNamespacedReplicaSet({ name: 'nope', namespace }),
    );
    assert.equal(code, 404);
    assert.deepEqual(
      {
        kind: status.kind,
        apiVersion: status.apiVersion,
        status: status.status,
        reason: status.reason,
        code: status.code,
        message: status.message,
        details: status.details,
      },
      {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: 'replicasets.apps "nope" not found',
        details: { name: 'nope', group: 'apps', kind: 'replicasets' },
      },
    );
  });

  test('creating in a namespace that does not exist is 404', async () => {
    const missing = `missing-${process.pid}`;
    const { code, status } = await failure(
      core.createNamespacedConfigMap({ namespace: missing, body: { metadata: { name: 'x' } } }),
    );
    assert.equal(code, 404);
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, `namespaces "${missing}" not found`);
  });

  test('update: a stale resourceVersion is 409 Conflict; no resourceVersion is unconditional', async () => {
    const namespace = await target.namespace();
    const v1 = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    const v2 = await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace,
      body: {
        metadata: { name: 'cfg', resourceVersion: v1.metadata?.resourceVersion },
        data: { a: '2' },
      },
    });
    assert.notEqual(v2.metadata?.resourceVersion, v1.metadata?.resourceVersion);

    const { code, status } = await failure(
      core.replaceNamespacedConfigMap({
        name: 'cfg',
        namespace,
        body: {
          metadata: { name: 'cfg', resourceVersion: v1.metadata?.resourceVersion },
          data: { a: 'stale' },
        },
      }),
    );
    assert.equal(code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal(
      status.message,
      'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again',
    );
    const current = await core.readNamespacedConfigMap({ name: 'cfg', namespace });
    assert.deepEqual(plain(current.data), { a: '2' });

    const v3 = await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace,
      body: { metadata: { name: 'cfg' }, data: { a: '3' } },
    });
    assert.deepEqual(plain(v3.data), { a: '3' });
    assert.notEqual(v3.metadata?.resourceVersion, v2.metadata?.resourceVersion);
    assert.equal(v3.metadata?.uid, v1.metadata?.uid);
  });

  test('generation: bumps on a spec change, not on a label change or a status write', async () => {
    const namespace = await target.namespace();
    const created = await apps.createNamespacedReplicaSet({
      namespace,
      body: replicaSet('web', 0),
    });
    assert.equal(created.metadata?.generation, 1);
    // Let the ReplicaSet controller write its first status so it does not race the writes below.
    await eventually(
      async () =>
        (await apps.readNamespacedReplicaSet({ name: 'web', namespace })).status
          ?.observedGeneration === 1,
      'the ReplicaSet controller to observe generation 1',
    );

    const labelled = await apps.patchNamespacedReplicaSet(
      { name: 'web', namespace, body: { metadata: { labels: { tier: 'frontend' } } } },
      MERGE,
    );
    assert.equal(labelled.metadata?.labels?.tier, 'frontend');
    assert.equal(labelled.metadata?.generation, 1);

    const statusWritten = await retryOnConflict(async () => {
      const rs = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
      rs.status = { ...rs.status!, observedGeneration: 1, replicas: 0 };
      rs.status.conditions = [
        { type: 'ReplicaFailure', status: 'True', reason: 'Conformance', message: 'test' },
      ];
      return apps.replaceNamespacedReplicaSetStatus({ name: 'web', namespace, body: rs });
    });
    assert.equal(statusWritten.status?.conditions?.[0]?.reason, 'Conformance');
    assert.equal(statusWritten.metadata?.generation, 1);

    const respec = await apps.patchNamespacedReplicaSet(
      { name: 'web', namespace, body: { spec: { minReadySeconds: 5 } } },
      MERGE,
    );
    assert.equal(respec.metadata?.generation, 2);
    const again = await apps.patchNamespacedReplicaSet(
      {
        name: 'web',
        namespace,
        body: { spec: { template: { metadata: { labels: { v: '2' } } } } },
      },
      MERGE,
    );
    assert.equal(again.metadata?.generation, 3);

    // Kinds without a spec do not track generation at all.
    const cm = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { a: '1' } },
    });
    assert.equal(cm.metadata?.generation, undefined);
    const cm2 = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace, body: { data: { a: '2' } } },
      MERGE,
    );
    assert.equal(cm2.metadata?.generation, undefined);
  });

  test('ReplicaSet: a /status write changes only status; a main-resource write does not change status', async () => {
    const namespace = await target.namespace();
    await apps.createNamespacedReplicaSet({ namespace, body: replicaSet('web', 0) });
    await eventually(
      async () =>
        (await apps.readNamespacedReplicaSet({ name: 'web', namespace })).status
          ?.observedGeneration === 1,
      'the ReplicaSet controller to observe generation 1',
    );

    const viaStatus = await retryOnConflict(async () => {
      const rs = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
      rs.spec!.minReadySeconds = 7;
      rs.status = {
        replicas: 0,
        observedGeneration: 1,
        conditions: [
          { type: 'ReplicaFailure', status: 'True', reason: 'Conformance', message: 'test' },
        ],
      };
      return apps.replaceNamespacedReplicaSetStatus({ name: 'web', namespace, body: rs });
    });
    assert.equal(viaStatus.status?.conditions?.[0]?.reason, 'Conformance');
    assert.equal(viaStatus.spec?.minReadySeconds ?? 0, 0);
    assert.equal(viaStatus.metadata?.generation, 1);
    const afterStatus = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
    assert.equal(afterStatus.spec?.minReadySeconds ?? 0, 0);

    const viaMain = await retryOnConflict(async () => {
      const rs = await apps.readNamespacedReplicaSet({ name: 'web', namespace });
      rs.spec!.minReadySeconds = 3;
      rs.status = { replicas: 5, observedGeneration: 99 };
      return apps.replaceNamespacedReplicaSet({ name: 'web', namespace, body: rs });
    });
    assert.equal(viaMain.spec?.minReadySeconds, 3);
    assert.equal(viaMain.metadata?.generation, 2);
    assert.notEqual(viaMain.status?.observedGeneration, 99);
    assert.equal(viaMain.status?.replicas, 0);
  });

  describe('custom resource with a status subresource', () => {
    before(async () => {
      await ext
        .createCustomResourceDefinition({
          body: {
            metadata: { name: WIDGET_CRD },
            spec: {
              group: WIDGETS.group,
              scope: 'Namespaced',
              names: {
                plural: 'widgets',
                singular: 'widget',
                kind: 'Widget',
                listKind: 'WidgetList',
              },
              versions: [
                {
                  name: WIDGETS.version,
                  served: true,
                  storage: true,
                  subresources: { status: {} },
                  schema: {
                    openAPIV3Schema: {
                      type: 'object',
                      properties: {
                        spec: {
                          type: 'object',
                          properties: { size: { type: 'integer' }, color: { type: 'string' } },
                        },
                        status: {
                          type: 'object',
                          properties: {
                            phase: { type: 'string' },
                            observedSize: { type: 'integer' },
                          },
                        },
                      },
                    },
                  },
                },
              ],
            },
          },
        })
        .catch((e: unknown) => {
          // Left over from an interrupted run against a real cluster: the same definition.
          if (!(e instanceof ApiException && e.code === 409)) throw e;
        });
      await eventually(async () => {
        const crd = await ext.readCustomResourceDefinition({ name: WIDGET_CRD });
        const established = crd.status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
        if (!established) return false;
        await co.listNamespacedCustomObject({ ...WIDGETS, namespace: 'default' });
        return true;
      }, `${WIDGET_CRD} to be served`);
    });

    test('create drops status; /status writes only status; main writes only the rest', async () => {
      const namespace = await target.namespace();
      const created = (await co.createNamespacedCustomObject({
        ...WIDGETS,
        namespace,
        body: {
          apiVersion: `${WIDGETS.group}/${WIDGETS.version}`,
          kind: 'Widget',
          metadata: { name: 'w' },
          spec: { size: 1, color: 'red' },
          status: { phase: 'Ignored' },
        },
      })) as Widget;
      assert.equal(created.status, undefined);
      assert.equal(created.metadata.generation, 1);

      const viaStatus = (await co.replaceNamespacedCustomObjectStatus({
        ...WIDGETS,
        namespace,
        name: 'w',
        body: { ...created, spec: { size: 99, color: 'blue' }, status: { phase: 'Ready' } },
      })) as Widget;
      assert.deepEqual(viaStatus.spec, { size: 1, color: 'red' });
      assert.deepEqual(viaStatus.status, { phase: 'Ready' });
      assert.equal(viaStatus.metadata.generation, 1);

      const viaMain = (await co.replaceNamespacedCustomObject({
        ...WIDGETS,
        namespace,
        name: 'w',
        body: { ...viaStatus, spec: { size: 2, color: 'red' }, status: { phase: 'Bogus' } },
      })) as Widget;
      assert.deepEqual(viaMain.spec, { size: 2, color: 'red' });
      assert.deepEqual(viaMain.status, { phase: 'Ready' });
      assert.equal(viaMain.metadata.generation, 2);

      const read = (await co.getNamespacedCustomObject({
        ...WIDGETS,
        namespace,
        name: 'w',
      })) as Widget;
      assert.deepEqual(read.spec, { size: 2, color: 'red' });
      assert.deepEqual(read.status, { phase: 'Ready' });
      assert.equal(read.metadata.resourceVersion, viaMain.metadata.resourceVersion);
    });
  });

  test('an update that changes nothing keeps the resourceVersion', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'same', labels: { a: 'b' } }, data: { k: 'v' } },
    });
    const before = await core.readNamespacedConfigMap({ name: 'same', namespace });
    const replaced = await core.replaceNamespacedConfigMap({
      name: 'same',
      namespace,
      body: before,
    });
    assert.equal(replaced.metadata?.resourceVersion, before.metadata?.resourceVersion);
    const patched = await core.patchNamespacedConfigMap(
      { name: 'same', namespace, body: { data: { k: 'v' } } },
      MERGE,
    );
    assert.equal(patched.metadata?.resourceVersion, before.metadata?.resourceVersion);
    const read = await core.readNamespacedConfigMap({ name: 'same', namespace });
    assert.equal(read.metadata?.resourceVersion, before.metadata?.resourceVersion);
  });

  test('an update whose metadata.name differs from the URL is 400 BadRequest', async () => {
    const namespace = await target.namespace();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a' } } });
    const { code, status } = await failure(
      core.replaceNamespacedConfigMap({
        name: 'a',
        namespace,
        body: { metadata: { name: 'b' }, data: { x: 'y' } },
      }),
    );
    assert.equal(code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(
      status.message,
      'the name of the object (b) does not match the name on the URL (a)',
    );
    await failure(core.readNamespacedConfigMap({ name: 'b', namespace }));
  });

  test('a core/v1 Event reads back through events.k8s.io/v1 with note and regarding', async () => {
    const namespace = await target.namespace();
    const events = target.kc.makeApiClient(EventsV1Api);
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: 'cfg.conformance' },
        involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'cfg' },
        reason: 'Conformance',
        message: 'hello from core/v1',
        type: 'Normal',
        source: { component: 'conformance-test' },
      },
    });
    const ev = await events.readNamespacedEvent({ name: 'cfg.conformance', namespace });
    assert.equal(ev.note, 'hello from core/v1');
    assert.equal(ev.reason, 'Conformance');
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.regarding?.kind, 'ConfigMap');
    assert.equal(ev.regarding?.name, 'cfg');
    assert.equal(ev.regarding?.namespace, namespace);
    assert.equal(ev.deprecatedSource?.component, 'conformance-test');
    const listed = await events.listNamespacedEvent({ namespace });
    assert.ok(listed.items.some((e) => e.metadata?.name === 'cfg.conformance'));
  });

  test('Lease (coordination.k8s.io/v1): create and update', async () => {
    const namespace = await target.namespace();
    const leases = target.kc.makeApiClient(CoordinationV1Api);
    const renewTime = new V1MicroTime('2025-01-02T03:04:05.678Z');
    const created = await leases.createNamespacedLease({
      namespace,
      body: {
        metadata: { name: 'leader' },
        spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime },
      },
    });
    assert.equal(created.spec?.holderIdentity, 'a');
    assert.equal(created.spec?.leaseDurationSeconds, 15);
    // client-node leaves MicroTime as the wire string: RFC3339 with microseconds.
    assert.equal(String(created.spec?.renewTime), '2025-01-02T03:04:05.678000Z');

    const current = await leases.readNamespacedLease({ name: 'leader', namespace });
    current.spec = { ...current.spec, holderIdentity: 'b', leaseTransitions: 1 };
    const updated = await leases.replaceNamespacedLease({
      name: 'leader',
      namespace,
      body: current,
    });
    assert.equal(updated.spec?.holderIdentity, 'b');
    assert.equal(updated.spec?.leaseTransitions, 1);
    assert.notEqual(updated.metadata?.resourceVersion, created.metadata?.resourceVersion);
    const { code } = await failure(
      leases.replaceNamespacedLease({ name: 'leader', namespace, body: current }),
    );
    assert.equal(code, 409);
  });

  test('an rbac Role is stored as given', async () => {
    const namespace = await target.namespace();
    const rbac = target.kc.makeApiClient(RbacAuthorizationV1Api);
    const rules = [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], resourceNames: ['web'], verbs: ['get'] },
    ];
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'reader' }, rules } });
    const role = await rbac.readNamespacedRole({ name: 'reader', namespace });
    assert.deepEqual(plain(role.rules), rules);
  });

  test('a Secret: stringData is merged into data and type defaults to Opaque', async () => {
    const namespace = await target.namespace();
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const created = await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'creds' },
        data: { user: b64('admin'), password: b64('old') },
        stringData: { password: 's3cr3t' },
      },
    });
    assert.equal(created.type, 'Opaque');
    assert.equal(created.stringData, undefined);
    const read = await core.readNamespacedSecret({ name: 'creds', namespace });
    assert.deepEqual(plain(read.data), { user: b64('admin'), password: b64('s3cr3t') });
    assert.equal(read.stringData, undefined);
    assert.equal(read.type, 'Opaque');
  });

  test('a Service gets a clusterIP and its ports default to TCP', async () => {
    const namespace = await target.namespace();
    const svc = await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
      },
    });
    const ip = svc.spec?.clusterIP ?? '';
    assert.notEqual(isIP(ip), 0, `clusterIP ${ip}`);
    assert.deepEqual(svc.spec?.clusterIPs, [ip]);
    assert.equal(svc.spec?.type, 'ClusterIP');
    assert.equal(svc.spec?.ports?.[0]?.protocol, 'TCP');
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 80);
    const read = await core.readNamespacedService({ name: 'web', namespace });
    assert.equal(read.spec?.clusterIP, ip);
  });

  test('dryRun=All create returns the object but stores nothing', async () => {
    const namespace = await target.namespace();
    const dry = await core.createNamespacedConfigMap({
      namespace,
      dryRun: 'All',
      body: { metadata: { name: 'ghost' }, data: { a: '1' } },
    });
    assert.equal(dry.metadata?.name, 'ghost');
    assert.deepEqual(plain(dry.data), { a: '1' });
    const { code } = await failure(core.readNamespacedConfigMap({ name: 'ghost', namespace }));
    assert.equal(code, 404);
    const list = await core.listNamespacedConfigMap({ namespace });
    assert.ok(!list.items.some((c) => c.metadata?.name === 'ghost'));
    // The name is still free.
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'ghost' } } });
  });
});
