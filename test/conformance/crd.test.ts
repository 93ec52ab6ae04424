// Custom resources as kube-apiserver 1.32 serves them, through client-node: Argo Rollouts'
// own CRDs applied unchanged, pruning and field validation (Strict/Warn/Ignore), schema type
// errors as 422 with causes, schema defaults, the status and scale subresources, and Table
// output built from additionalPrinterColumns. Runs against the emulator, or a real cluster
// when KUBECONFIG_CONFORMANCE is set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { kubectl } from '../support/kubectl.ts';
import { eventually, openTarget, type Target } from '../support/target.ts';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const CRD_DIR = new URL('argo-rollouts/crds/', FIXTURES);

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface Status {
  kind: string;
  status: string;
  reason: string;
  code: number;
  message: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; field?: string; message?: string }[];
  };
}

interface Table {
  kind: string;
  apiVersion: string;
  columnDefinitions: { name: string; type: string; format: string; priority: number }[];
  rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[];
}

/** Plain JSON, exactly as in the file. */
function loadYaml(url: URL): unknown[] {
  return yaml.loadAll(readFileSync(url, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA });
}

/**
 * client-node's typed models: its serializer drops keys it does not know under their wire
 * names (`default`, `x-kubernetes-*` become `_default`, `x_kubernetes_*`), so a CRD must be
 * deserialized into the model before ApiextensionsV1Api sends it.
 */
function loadCrds(url: URL): V1CustomResourceDefinition[] {
  return loadAllYaml(readFileSync(url, 'utf8'), {
    schema: yaml.CORE_SCHEMA,
  }) as V1CustomResourceDefinition[];
}

/** A Rollout valid under Argo's CRD. */
function rollout(name: string, replicas = 2): Obj {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Rollout',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

/** The Status body of a failed client-node call. */
async function failure(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const body: unknown = e.body;
      return (typeof body === 'string' ? JSON.parse(body) : body) as Status;
    }
    throw e;
  }
  assert.fail('expected the request to fail');
}

/** Creates the CRD, or replaces it when it already exists (shared real clusters). */
async function applyCrd(ext: ApiextensionsV1Api, crd: V1CustomResourceDefinition): Promise<void> {
  try {
    await ext.createCustomResourceDefinition({ body: crd });
  } catch (e) {
    if (!(e instanceof ApiException && e.code === 409)) throw e;
    const live = await ext.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    await ext.replaceCustomResourceDefinition({
      name: crd.metadata?.name ?? '',
      body: {
        ...crd,
        metadata: { ...crd.metadata, resourceVersion: live.metadata?.resourceVersion },
      },
    });
  }
}

async function established(ext: ApiextensionsV1Api, name: string): Promise<boolean> {
  const crd = await ext.readCustomResourceDefinition({ name });
  return !!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
}

describe('custom resources', () => {
  let target: Target;
  let ext: ApiextensionsV1Api;
  let custom: CustomObjectsApi;
  const crdNames: string[] = [];
  const extraCrds: string[] = [];

  before(async () => {
    target = await openTarget();
    ext = target.kc.makeApiClient(ApiextensionsV1Api);
    custom = target.kc.makeApiClient(CustomObjectsApi);
    for (const file of readdirSync(CRD_DIR).sort()) {
      for (const crd of loadCrds(new URL(file, CRD_DIR))) {
        await applyCrd(ext, crd);
        crdNames.push(crd.metadata?.name ?? '');
      }
    }
    for (const name of crdNames) {
      await eventually(() => established(ext, name), `${name} established`, 30_000, 200);
    }
  });

  after(async () => {
    for (const name of extraCrds) {
      await ext.deleteCustomResourceDefinition({ name }).catch(() => undefined);
    }
    await target.close();
  });

  async function create(ns: string, body: Obj, fieldValidation?: string): Promise<Obj> {
    return (await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      body,
      ...(fieldValidation ? { fieldValidation } : {}),
    })) as Obj;
  }

  async function read(ns: string, name: string): Promise<Obj> {
    return (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      name,
    })) as Obj;
  }

  async function patchStatus(ns: string, name: string, body: object): Promise<Obj> {
    return (await custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: ns, plural: 'rollouts', name, body },
      mergePatch,
    )) as Obj;
  }

  it('applies the five Argo Rollouts CRDs unchanged and serves each kind', async () => {
    assert.deepEqual([...crdNames].sort(), [
      'analysisruns.argoproj.io',
      'analysistemplates.argoproj.io',
      'clusteranalysistemplates.argoproj.io',
      'experiments.argoproj.io',
      'rollouts.argoproj.io',
    ]);
    const ro = await ext.readCustomResourceDefinition({ name: 'rollouts.argoproj.io' });
    assert.equal(ro.spec.names.kind, 'Rollout');
    assert.deepEqual(ro.spec.names.shortNames, ['ro']);
    assert.deepEqual(ro.status?.acceptedNames?.shortNames, ['ro']);
    assert.ok(ro.status?.storedVersions?.includes('v1alpha1'));

    // What is stored is what the files say: schemas (with their defaults and x-kubernetes-*
    // markers), subresources and printer columns, read back as plain JSON.
    for (const file of readdirSync(CRD_DIR).sort()) {
      for (const doc of loadYaml(new URL(file, CRD_DIR))) {
        const want = doc as { metadata: { name: string }; spec: { versions: unknown } };
        const live = (await custom.getClusterCustomObject({
          group: 'apiextensions.k8s.io',
          version: 'v1',
          plural: 'customresourcedefinitions',
          name: want.metadata.name,
        })) as { spec: { versions: unknown } };
        assert.deepEqual(live.spec.versions, want.spec.versions, `${file}: spec.versions`);
      }
    }

    const ns = await target.namespace('crd');
    for (const [plural, listKind] of [
      ['rollouts', 'RolloutList'],
      ['analysistemplates', 'AnalysisTemplateList'],
      ['analysisruns', 'AnalysisRunList'],
      ['experiments', 'ExperimentList'],
    ] as const) {
      const list = (await custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural,
      })) as { kind: string; apiVersion: string; items: unknown[] };
      assert.equal(list.kind, listKind);
      assert.equal(list.apiVersion, `${GROUP}/${VERSION}`);
      assert.deepEqual(list.items, []);
    }
    const cats = (await custom.listClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: 'clusteranalysistemplates',
    })) as { kind: string };
    assert.equal(cats.kind, 'ClusterAnalysisTemplateList');
  });

  it('prunes unknown fields; Warn (the default) adds a Warning header', async () => {
    const ns = await target.namespace('crd');
    const body = rollout('warned');
    (body.spec as Record<string, unknown>).bogusField = 'x';
    const res = await custom.createNamespacedCustomObjectWithHttpInfo({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      body,
    });
    assert.equal(res.httpStatusCode, 201);
    assert.match(res.headers.warning ?? '', /^299 - "unknown field \\"spec\.bogusField\\""/);
    const created = res.data as Obj;
    assert.equal(created.spec?.bogusField, undefined, 'pruned from the response');
    const stored = await read(ns, 'warned');
    assert.equal(stored.spec?.bogusField, undefined, 'pruned from storage');
    assert.equal(stored.spec?.replicas, 2);
  });

  it('fieldValidation=Ignore prunes silently', async () => {
    const ns = await target.namespace('crd');
    const body = rollout('ignored');
    (body.spec as Record<string, unknown>).bogusField = 'x';
    const res = await custom.createNamespacedCustomObjectWithHttpInfo({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      body,
      fieldValidation: 'Ignore',
    });
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.headers.warning, undefined);
    assert.equal((await read(ns, 'ignored')).spec?.bogusField, undefined);
  });

  it('fieldValidation=Strict rejects an unknown field with a 400 strict decoding error', async () => {
    const ns = await target.namespace('crd');
    const body = rollout('strict');
    (body.spec as Record<string, unknown>).bogusField = 'x';
    const st = await failure(create(ns, body, 'Strict'));
    assert.equal(st.kind, 'Status');
    assert.equal(st.code, 400);
    assert.equal(st.reason, 'BadRequest');
    assert.match(st.message, /strict decoding error: unknown field "spec\.bogusField"/);
    assert.match(st.message, /Rollout in version "v1alpha1" cannot be handled as a Rollout/);
    await failure(read(ns, 'strict')).then((s) => assert.equal(s.code, 404));

    // The same on a patch of an existing object.
    await create(ns, rollout('strict'), 'Strict');
    const pst = await failure(
      custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: 'rollouts',
          name: 'strict',
          body: { spec: { bogusField: 'y' } },
          fieldValidation: 'Strict',
        },
        mergePatch,
      ),
    );
    assert.equal(pst.code, 400);
    assert.match(pst.message, /strict decoding error: unknown field "spec\.bogusField"/);
  });

  it('a schema type error is a 422 Invalid naming the field in details.causes', async () => {
    const ns = await target.namespace('crd');
    const body = rollout('typed');
    (body.spec as Record<string, unknown>).replicas = 'three';
    const st = await failure(create(ns, body));
    assert.equal(st.code, 422);
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.details?.name, 'typed');
    assert.equal(st.details?.group, GROUP);
    assert.equal(st.details?.kind, 'Rollout');
    assert.ok(
      st.details?.causes?.some((c) => c.field === 'spec.replicas'),
      `causes name spec.replicas: ${JSON.stringify(st.details?.causes)}`,
    );
    assert.match(st.message, /^Rollout\.argoproj\.io "typed" is invalid: .*spec\.replicas/);

    // The same for an update through a merge patch.
    await create(ns, rollout('typed'));
    const pst = await failure(
      custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: 'rollouts',
          name: 'typed',
          body: { spec: { replicas: 'four' } },
        },
        mergePatch,
      ),
    );
    assert.equal(pst.code, 422);
    assert.ok(pst.details?.causes?.some((c) => c.field === 'spec.replicas'));
    assert.equal((await read(ns, 'typed')).spec?.replicas, 2, 'nothing stored');
  });

  it('applies schema defaults on create and update', async () => {
    const group = `c${randomBytes(4).toString('hex')}.conformance.example.com`;
    const name = `widgets.${group}`;
    extraCrds.push(name);
    // Sent as plain JSON (CustomObjectsApi), because the typed model spells `default` `_default`.
    await custom.createClusterCustomObject({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      plural: 'customresourcedefinitions',
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      properties: {
                        size: { type: 'integer', default: 3 },
                        mode: { type: 'string', default: 'auto' },
                        limits: {
                          type: 'object',
                          default: {},
                          properties: { cpu: { type: 'string', default: '100m' } },
                        },
                        ports: {
                          type: 'array',
                          items: {
                            type: 'object',
                            properties: {
                              port: { type: 'integer' },
                              protocol: { type: 'string', default: 'TCP' },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    await eventually(() => established(ext, name), `${name} established`, 30_000, 200);
    const ns = await target.namespace('crd');
    const api = { group, version: 'v1', namespace: ns, plural: 'widgets' };
    const created = await eventually(
      async () =>
        (await custom.createNamespacedCustomObject({
          ...api,
          body: {
            apiVersion: `${group}/v1`,
            kind: 'Widget',
            metadata: { name: 'w' },
            spec: { mode: 'manual', ports: [{ port: 80 }] },
          },
        })) as Obj,
      'a Widget is created',
      30_000,
      200,
    );
    assert.deepEqual(created.spec, {
      size: 3,
      mode: 'manual',
      limits: { cpu: '100m' },
      ports: [{ port: 80, protocol: 'TCP' }],
    });

    // Removing a defaulted field brings the default back.
    const patched = (await custom.patchNamespacedCustomObject(
      { ...api, name: 'w', body: { spec: { size: null, mode: null } } },
      mergePatch,
    )) as Obj;
    assert.equal(patched.spec?.size, 3);
    assert.equal(patched.spec?.mode, 'auto');
    const stored = (await custom.getNamespacedCustomObject({ ...api, name: 'w' })) as Obj;
    assert.equal(stored.spec?.size, 3);
    assert.equal(stored.spec?.mode, 'auto');
  });

  it('status is a subresource: the main resource ignores it, /status writes only it', async () => {
    const ns = await target.namespace('crd');
    const withStatus = { ...rollout('st'), status: { replicas: 7 } };
    const created = await create(ns, withStatus);
    assert.equal(created.status, undefined, 'status dropped on create');
    assert.equal(created.metadata.generation, 1);

    // A write to the main resource leaves status alone.
    const mainPatched = (await custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural: 'rollouts',
        name: 'st',
        body: { status: { replicas: 9 }, spec: { replicas: 3 } },
      },
      mergePatch,
    )) as Obj;
    assert.equal(mainPatched.status, undefined);
    assert.equal(mainPatched.spec?.replicas, 3);
    assert.equal(mainPatched.metadata.generation, 2);

    // A write to /status changes status only, and not the generation.
    const statusPatched = await patchStatus(ns, 'st', {
      status: { replicas: 3, HPAReplicas: 3 },
      spec: { replicas: 8 },
    });
    assert.deepEqual(statusPatched.status, { replicas: 3, HPAReplicas: 3 });
    assert.equal(statusPatched.spec?.replicas, 3);
    assert.equal(statusPatched.metadata.generation, 2);

    // GET /status returns the whole object.
    const viaStatus = (await custom.getNamespacedCustomObjectStatus({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      name: 'st',
    })) as Obj;
    assert.equal(viaStatus.kind, 'Rollout');
    assert.equal(viaStatus.spec?.replicas, 3);
    assert.deepEqual(viaStatus.status, { replicas: 3, HPAReplicas: 3 });

    // A full update (PUT) of the main resource keeps the stored status.
    const live = await read(ns, 'st');
    const replaced = (await custom.replaceNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      name: 'st',
      body: { ...live, status: { replicas: 100 } },
    })) as Obj;
    assert.deepEqual(replaced.status, { replicas: 3, HPAReplicas: 3 });
  });

  it('scale is a subresource: GET/PATCH/PUT /scale, and kubectl scale', async () => {
    const ns = await target.namespace('crd');
    const api = { group: GROUP, version: VERSION, namespace: ns, plural: 'rollouts', name: 'sc' };
    await create(ns, rollout('sc', 2));
    await patchStatus(ns, 'sc', { status: { HPAReplicas: 2, selector: 'app=sc' } });

    const scale = (await custom.getNamespacedCustomObjectScale(api)) as {
      kind: string;
      apiVersion: string;
      metadata: { name: string; namespace: string; resourceVersion: string };
      spec: { replicas: number };
      status: { replicas: number; selector?: string };
    };
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.metadata.name, 'sc');
    assert.equal(scale.metadata.namespace, ns);
    assert.deepEqual(scale.spec, { replicas: 2 });
    assert.equal(scale.status.replicas, 2, 'from statusReplicasPath .status.HPAReplicas');
    assert.equal(scale.status.selector, 'app=sc', 'from labelSelectorPath .status.selector');

    const patched = (await custom.patchNamespacedCustomObjectScale(
      { ...api, body: { spec: { replicas: 4 } } },
      mergePatch,
    )) as { kind: string; spec: { replicas: number } };
    assert.equal(patched.kind, 'Scale');
    assert.equal(patched.spec.replicas, 4);
    assert.equal((await read(ns, 'sc')).spec?.replicas, 4);

    // PUT /scale with a stale resourceVersion is a Conflict.
    const stale = await failure(
      custom.replaceNamespacedCustomObjectScale({
        ...api,
        body: { ...scale, spec: { replicas: 6 } },
      }),
    );
    assert.equal(stale.code, 409);
    assert.equal(stale.reason, 'Conflict');

    const k = await kubectl(['scale', 'ro', 'sc', '--replicas', '3', '-n', ns], {
      kubeconfig: target.kubeconfigPath,
      cacheDir: target.tmpDir,
    });
    assert.equal(k.code, 0, k.stderr);
    assert.equal(k.stdout.trim(), 'rollout.argoproj.io/sc scaled');
    assert.equal((await read(ns, 'sc')).spec?.replicas, 3);

    // --current-replicas makes kubectl PUT the Scale (with its resourceVersion).
    const k2 = await kubectl(
      ['scale', 'rollout', 'sc', '--current-replicas', '3', '--replicas', '5', '-n', ns],
      { kubeconfig: target.kubeconfigPath, cacheDir: target.tmpDir },
    );
    assert.equal(k2.code, 0, k2.stderr);
    assert.equal((await read(ns, 'sc')).spec?.replicas, 5);
    const k3 = await kubectl(
      ['scale', 'rollout', 'sc', '--current-replicas', '3', '--replicas', '1', '-n', ns],
      { kubeconfig: target.kubeconfigPath, cacheDir: target.tmpDir },
    );
    assert.notEqual(k3.code, 0);
    assert.match(k3.stderr, /Expected replicas to be 3, was 5/);
    assert.equal((await read(ns, 'sc')).spec?.replicas, 5);
  });

  it('serves a Table with the CRD printer columns, integer cells and an age', async () => {
    const ns = await target.namespace('crd');
    await create(ns, rollout('tab-a', 2));
    await create(ns, rollout('tab-b', 5));
    await patchStatus(ns, 'tab-a', {
      status: { replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
    });
    const accept = setHeaderOptions('Accept', TABLE_ACCEPT);
    const table = (await custom.listNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns, plural: 'rollouts' },
      accept,
    )) as Table;
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Desired', 'integer'],
        ['Current', 'integer'],
        ['Up-to-date', 'integer'],
        ['Available', 'integer'],
        ['Age', 'date'],
      ],
    );
    assert.equal(table.columnDefinitions[0]?.format, 'name');
    assert.equal(table.rows.length, 2);
    const byName = new Map(table.rows.map((r) => [r.cells[0], r]));
    const a = byName.get('tab-a');
    assert.ok(a);
    assert.deepEqual(a.cells.slice(0, 5), ['tab-a', 2, 2, 2, 1]);
    for (const c of a.cells.slice(1, 5))
      assert.ok(Number.isInteger(c), `${String(c)} is an integer`);
    assert.equal(typeof a.cells[5], 'string');
    assert.match(a.cells[5] as string, /^\d+(s|m|h|d|y)/, 'Age is a human-readable duration');
    assert.equal(a.object.kind, 'PartialObjectMetadata');
    assert.equal(a.object.metadata.name, 'tab-a');
    const b = byName.get('tab-b');
    assert.deepEqual(b?.cells.slice(0, 5), ['tab-b', 5, null, null, null], 'missing → null');

    // A single object is a one-row Table.
    const one = (await custom.getNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns, plural: 'rollouts', name: 'tab-b' },
      accept,
    )) as Table;
    assert.equal(one.kind, 'Table');
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0]?.cells[0], 'tab-b');
    assert.equal(one.rows[0]?.cells[1], 5);
  });
});
