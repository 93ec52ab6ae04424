import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import type { JSONSchemaProps, ResourceType } from '../../../../sim/registry/types.ts';
import { openApiV3Document, openApiV3Index } from '../../../../sim/openapi/v3.ts';

type Json = Record<string, unknown>;

/** Walks `doc` along `keys`, failing the test with the path when a step is missing. */
function dig(doc: unknown, ...keys: string[]): Json {
  let cur: unknown = doc;
  for (const [i, k] of keys.entries()) {
    assert.ok(
      typeof cur === 'object' && cur !== null,
      `not an object at ${keys.slice(0, i).join('.')}`,
    );
    cur = (cur as Json)[k];
    assert.notEqual(cur, undefined, `missing ${keys.slice(0, i + 1).join('.')}`);
  }
  return cur as Json;
}

interface CrdDoc {
  spec: { versions: { schema: { openAPIV3Schema: JSONSchemaProps } }[] };
}

function rolloutSchema(): JSONSchemaProps {
  const url = new URL(
    '../../../../../shared/fixtures/argo-rollouts/crds/rollout-crd.yaml',
    import.meta.url,
  );
  const crd = yaml.load(readFileSync(url, 'utf8'), { schema: yaml.CORE_SCHEMA }) as CrdDoc;
  const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(schema);
  return schema;
}

function type(
  group: string,
  version: string,
  kind: string,
  resource: string,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: { status: false },
    builtin: true,
    storage: resource,
    ...extra,
  };
}

const schema = rolloutSchema();
const rollout = type('argoproj.io', 'v1alpha1', 'Rollout', 'rollouts', {
  builtin: false,
  shortNames: ['ro'],
  subresources: { status: true },
  schema,
});
const service = type('', 'v1', 'Service', 'services');
const configMap = type('', 'v1', 'ConfigMap', 'configmaps');
const namespace = type('', 'v1', 'Namespace', 'namespaces', { namespaced: false });
const replicaSet = type('apps', 'v1', 'ReplicaSet', 'replicasets');
const ingress = type('networking.k8s.io', 'v1', 'Ingress', 'ingresses');
const lease = type('coordination.k8s.io', 'v1', 'Lease', 'leases');
const crd = type(
  'apiextensions.k8s.io',
  'v1',
  'CustomResourceDefinition',
  'customresourcedefinitions',
  {
    namespaced: false,
  },
);
const all = [rollout, service, configMap, namespace, replicaSet, ingress, lease, crd];

describe('openApiV3Index', () => {
  const index = openApiV3Index(all);

  it('lists one entry per group-version with a hashed serverRelativeURL', () => {
    assert.deepEqual(Object.keys(index.paths), [
      'api/v1',
      'apis/apiextensions.k8s.io/v1',
      'apis/apps/v1',
      'apis/argoproj.io/v1alpha1',
      'apis/coordination.k8s.io/v1',
      'apis/networking.k8s.io/v1',
    ]);
    for (const [gv, entry] of Object.entries(index.paths)) {
      assert.match(entry.serverRelativeURL, new RegExp(`^/openapi/v3/${gv}\\?hash=[0-9A-F]{16}$`));
    }
  });

  it('is stable, and the hash changes only for the group-version whose types changed', () => {
    assert.deepEqual(openApiV3Index(all), index);
    const changed = openApiV3Index(
      all.map((t) => (t === rollout ? { ...rollout, schema: { type: 'object' } } : t)),
    );
    assert.notEqual(
      changed.paths['apis/argoproj.io/v1alpha1']?.serverRelativeURL,
      index.paths['apis/argoproj.io/v1alpha1']?.serverRelativeURL,
    );
    assert.equal(
      changed.paths['api/v1']?.serverRelativeURL,
      index.paths['api/v1']?.serverRelativeURL,
    );
  });
});

describe('openApiV3Document', () => {
  it('is undefined for a group-version with no types', () => {
    assert.equal(openApiV3Document('apis/batch/v1', all), undefined);
    assert.equal(openApiV3Document('apis/argoproj.io/v1', all), undefined);
    assert.equal(openApiV3Document('nonsense', all), undefined);
  });

  const doc = openApiV3Document('apis/argoproj.io/v1alpha1', all);
  assert.ok(doc);
  const itemPath = '/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts/{name}';

  it('is an OpenAPI 3.0 document', () => {
    assert.equal(doc.openapi, '3.0.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.2' });
  });

  it('has a PATCH op with the GVK object and the fieldValidation parameter', () => {
    const patch = dig(doc.paths, itemPath, 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
    });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    const params = patch.parameters as Json[];
    for (const name of ['fieldValidation', 'fieldManager', 'dryRun', 'force']) {
      assert.ok(
        params.some((p) => p.name === name && p.in === 'query'),
        `patch parameter ${name}`,
      );
    }
  });

  it('never declares strategic merge patch', () => {
    for (const [p, item] of Object.entries(doc.paths)) {
      const patch = item.patch as Json | undefined;
      if (!patch) continue;
      assert.deepEqual(
        Object.keys(dig(patch, 'requestBody', 'content')).sort(),
        [
          'application/apply-patch+yaml',
          'application/json-patch+json',
          'application/merge-patch+json',
        ],
        p,
      );
    }
    assert.doesNotMatch(JSON.stringify(doc), /strategic-merge-patch/);
  });

  it('has get/put/delete on the item and list/create on the collection', () => {
    const item = dig(doc.paths, itemPath);
    for (const verb of ['get', 'put', 'delete', 'patch']) assert.ok(item[verb], verb);
    const collection = dig(doc.paths, '/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts');
    assert.equal(dig(collection, 'get')['x-kubernetes-action'], 'list');
    assert.equal(dig(collection, 'post')['x-kubernetes-action'], 'post');
    assert.equal(dig(collection, 'post').operationId, 'createArgoprojIoV1alpha1NamespacedRollout');
    assert.ok(doc.paths['/apis/argoproj.io/v1alpha1/rollouts']);
  });

  it('builds the CR schema from the CRD with a GVK list and ObjectMeta by allOf', () => {
    const s = dig(doc.components.schemas, 'io.argoproj.v1alpha1.Rollout');
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [
      { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout' },
    ]);
    assert.equal(s.description, 'Rollout is a specification for a Rollout resource');
    assert.deepEqual(s.required, ['spec']);
    assert.deepEqual(dig(s, 'properties', 'metadata', 'allOf'), [
      { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
    ]);
    assert.equal(dig(s, 'properties', 'apiVersion').type, 'string');
    assert.match(String(dig(s, 'properties', 'kind').description), /^Kind is a string value/);
    const list = dig(doc.components.schemas, 'io.argoproj.v1alpha1.RolloutList');
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [
      { group: 'argoproj.io', version: 'v1alpha1', kind: 'RolloutList' },
    ]);
    assert.deepEqual(dig(list, 'properties', 'items', 'items'), {
      $ref: '#/components/schemas/io.argoproj.v1alpha1.Rollout',
    });
  });

  it('lets explain walk rollout.spec.strategy.canary.steps', () => {
    const steps = dig(
      doc.components.schemas,
      'io.argoproj.v1alpha1.Rollout',
      'properties',
      'spec',
      'properties',
      'strategy',
      'properties',
      'canary',
      'properties',
      'steps',
    );
    assert.equal(steps.type, 'array');
    assert.ok(dig(steps, 'items', 'properties', 'setWeight'));
    assert.ok(dig(steps, 'items', 'properties', 'pause'));
  });

  it('does not modify the type it was given', () => {
    assert.equal(schema.properties?.metadata?.allOf, undefined);
  });

  it('always includes ObjectMeta with the main fields and every referenced schema', () => {
    const meta = dig(doc.components.schemas, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    for (const f of [
      'name',
      'generateName',
      'namespace',
      'labels',
      'annotations',
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'deletionTimestamp',
      'ownerReferences',
      'finalizers',
    ]) {
      assert.match(String(dig(meta, 'properties', f).description), /\w/, f);
    }
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    for (const r of new Set(refs)) {
      assert.ok(doc.components.schemas[r.slice('#/components/schemas/'.length)], r);
    }
  });

  it('names built-in schemas like the real server and keeps paths cluster-scoped where needed', () => {
    const core = openApiV3Document('api/v1', all);
    assert.ok(core);
    const svc = dig(core.components.schemas, 'io.k8s.api.core.v1.Service');
    assert.deepEqual(svc['x-kubernetes-group-version-kind'], [
      { group: '', version: 'v1', kind: 'Service' },
    ]);
    assert.equal(dig(svc, 'properties', 'spec')['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(dig(svc, 'properties', 'status').type, 'object');
    assert.ok(dig(core.components.schemas, 'io.k8s.api.core.v1.ConfigMap', 'properties', 'data'));
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/services/{name}']);
    assert.ok(core.paths['/api/v1/namespaces/{name}']);
    assert.equal(
      dig(core.paths, '/api/v1/namespaces/{namespace}/services/{name}', 'patch').operationId,
      'patchCoreV1NamespacedService',
    );
    assert.doesNotMatch(JSON.stringify(core), /strategic-merge-patch/);

    const names: [string, string][] = [
      ['apis/apps/v1', 'io.k8s.api.apps.v1.ReplicaSet'],
      ['apis/networking.k8s.io/v1', 'io.k8s.api.networking.v1.Ingress'],
      ['apis/coordination.k8s.io/v1', 'io.k8s.api.coordination.v1.Lease'],
      [
        'apis/apiextensions.k8s.io/v1',
        'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
      ],
    ];
    for (const [gv, name] of names) {
      const d = openApiV3Document(gv, all);
      assert.ok(d?.components.schemas[name], name);
      assert.ok(d.components.schemas[`${name}List`], `${name}List`);
    }
    const crdDoc = openApiV3Document('apis/apiextensions.k8s.io/v1', all);
    assert.ok(crdDoc?.paths['/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}']);
  });
});
