// Discovery as kube-apiserver 1.32 serves it: /version, the legacy /api and /apis documents,
// the aggregated (apidiscovery.k8s.io/v2) form kubectl 1.32 asks for first, the per
// group-version APIResourceLists kubectl 1.20 needs, and a CRD appearing in (and leaving)
// all of them, plus /openapi/v3. Runs against the emulator, or a real cluster when
// KUBECONFIG_CONFORMANCE is set; asserts only what the real server does (kubectl-wire.md §2).
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  ApisApi,
  CoreApi,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { eventually, openTarget, type Target } from '../support/target.ts';

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const AGGREGATED_CONTENT_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

/**
 * A plain GET against the target's API server. Uses node:http(s) with the kubeconfig's
 * credentials applied, so that the same request works on the emulator (plain http) and on a
 * real cluster (TLS, client certificates or tokens).
 */
async function get(
  target: Target,
  path: string,
  accept = 'application/json',
): Promise<RawResponse> {
  const server = target.kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, server);
  const opts: https.RequestOptions = { method: 'GET', headers: { Accept: accept } };
  await target.kc.applyToHTTPSOptions(opts);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// ---- shapes of the discovery documents (only the fields asserted on) ----

interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}
interface ApiGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}
interface ApiGroupList {
  kind: string;
  apiVersion: string;
  groups: ApiGroup[];
}
interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}
interface ApiResourceList {
  kind: string;
  apiVersion: string;
  groupVersion: string;
  resources: ApiResource[];
}
interface GVK {
  group: string;
  version: string;
  kind: string;
}
interface DiscoverySubresource {
  subresource: string;
  responseKind: GVK;
  verbs: string[];
}
interface DiscoveryResource {
  resource: string;
  singularResource?: string;
  scope: 'Namespaced' | 'Cluster';
  responseKind: GVK;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: DiscoverySubresource[];
}
interface DiscoveryVersion {
  version: string;
  freshness?: string;
  resources: DiscoveryResource[];
}
interface DiscoveryGroup {
  metadata: { name?: string };
  versions: DiscoveryVersion[];
}
interface DiscoveryList {
  kind: string;
  apiVersion: string;
  items: DiscoveryGroup[];
}

const sorted = (xs: readonly string[] | undefined): string[] => [...(xs ?? [])].sort();
const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

function findResource(list: ApiResourceList, name: string): ApiResource {
  const r = list.resources.find((x) => x.name === name);
  assert.ok(
    r,
    `${list.groupVersion} lists ${name}; got ${list.resources.map((x) => x.name).join(',')}`,
  );
  return r;
}

function findAggregated(
  list: DiscoveryList,
  group: string,
  version: string,
  resource: string,
): DiscoveryResource | undefined {
  const g = list.items.find((i) => (i.metadata.name ?? '') === group);
  const v = g?.versions.find((x) => x.version === version);
  return v?.resources.find((r) => r.resource === resource);
}

function subresource(r: DiscoveryResource, name: string): DiscoverySubresource {
  const s = r.subresources?.find((x) => x.subresource === name);
  assert.ok(s, `${r.resource} has the ${name} subresource`);
  return s;
}

/** A uniquely named test CRD: `rollouts` in its own group, with status and scale. */
function testCrd(group: string): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `rollouts.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: {
        plural: 'rollouts',
        singular: 'rollout',
        kind: 'Rollout',
        listKind: 'RolloutList',
        shortNames: ['dro'],
        categories: ['conformance'],
      },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' } },
                },
                status: {
                  type: 'object',
                  properties: {
                    replicas: { type: 'integer' },
                    selector: { type: 'string' },
                  },
                },
              },
            },
          },
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.replicas',
              statusReplicasPath: '.status.replicas',
              labelSelectorPath: '.status.selector',
            },
          },
        },
      ],
    },
  };
}

describe('discovery', () => {
  let target: Target;

  before(async () => {
    target = await openTarget();
  });
  after(async () => {
    await target.close();
  });

  /**
   * On the emulator a CRD is served the moment it is stored, so the check must pass on the
   * first try; a real apiserver takes a moment to establish it, so there it is polled.
   */
  async function soon<T>(fn: () => Promise<T>, what: string): Promise<NonNullable<T>> {
    if (target.sim) {
      const v = await fn();
      assert.ok(v, `${what} (at once)`);
      return v;
    }
    return eventually(fn, what, 30_000, 200);
  }

  it('/version reports 1.32', async () => {
    const res = await get(target, '/version');
    assert.equal(res.status, 200);
    const v = res.json<{ major: string; minor: string; gitVersion: string; platform: string }>();
    assert.equal(v.major, '1');
    // Some distributions append '+' to the minor ("32+"); the number is what matters.
    assert.equal(v.minor.replace(/\+$/, ''), '32');
    assert.match(v.gitVersion, /^v1\.32\.\d+/);
    assert.equal(typeof v.platform, 'string');
  });

  it('/api (legacy) is an APIVersions listing v1', async () => {
    const res = await get(target, '/api');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.doesNotMatch(String(res.headers['content-type']), /apidiscovery/);
    const body = res.json<{
      kind: string;
      versions: string[];
      serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
    }>();
    assert.equal(body.kind, 'APIVersions');
    assert.deepEqual(body.versions, ['v1']);
    assert.ok(Array.isArray(body.serverAddressByClientCIDRs));

    const viaClient = await target.kc.makeApiClient(CoreApi).getAPIVersions();
    assert.deepEqual(viaClient.versions, ['v1']);
  });

  it('/apis (legacy) is an APIGroupList with versions and preferredVersion', async () => {
    const res = await get(target, '/apis');
    assert.equal(res.status, 200);
    assert.doesNotMatch(String(res.headers['content-type']), /apidiscovery/);
    const body = res.json<ApiGroupList>();
    assert.equal(body.kind, 'APIGroupList');
    assert.equal(body.apiVersion, 'v1');
    const apps = body.groups.find((g) => g.name === 'apps');
    assert.ok(apps, 'apps is listed');
    assert.deepEqual(apps.versions, [{ groupVersion: 'apps/v1', version: 'v1' }]);
    assert.deepEqual(apps.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
    const ext = body.groups.find((g) => g.name === 'apiextensions.k8s.io');
    assert.ok(ext, 'apiextensions.k8s.io is listed');
    assert.equal(ext.preferredVersion.groupVersion, 'apiextensions.k8s.io/v1');
    assert.ok(!body.groups.some((g) => g.name === ''), 'the core group is not in /apis');

    const viaClient = await target.kc.makeApiClient(ApisApi).getAPIVersions();
    const clientApps = viaClient.groups.find((g) => g.name === 'apps');
    assert.equal(clientApps?.preferredVersion?.groupVersion, 'apps/v1');
  });

  it('/apis answers the aggregated v2 form, with its Content-Type, when asked', async () => {
    const res = await get(target, '/apis', AGGREGATED_ACCEPT);
    assert.equal(res.status, 200);
    // kubectl reads the body as aggregated only with this exact Content-Type (§2.1).
    assert.equal(res.headers['content-type'], AGGREGATED_CONTENT_TYPE);
    const body = res.json<DiscoveryList>();
    assert.equal(body.kind, 'APIGroupDiscoveryList');
    assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.ok(!body.items.some((g) => !g.metadata.name), 'no core group in /apis');

    const apps = body.items.find((g) => g.metadata.name === 'apps');
    assert.ok(apps);
    assert.equal(apps.versions[0]?.version, 'v1');
    assert.equal(apps.versions[0]?.freshness, 'Current');

    const deploy = findAggregated(body, 'apps', 'v1', 'deployments');
    assert.ok(deploy, 'apps/v1 deployments');
    assert.equal(deploy.singularResource, 'deployment');
    assert.equal(deploy.scope, 'Namespaced');
    assert.deepEqual(deploy.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(sorted(deploy.verbs), ALL_VERBS);
    assert.deepEqual(deploy.shortNames, ['deploy']);
    assert.deepEqual(deploy.categories, ['all']);
    const scale = subresource(deploy, 'scale');
    assert.deepEqual(scale.responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.deepEqual(sorted(scale.verbs), ['get', 'patch', 'update']);
    const status = subresource(deploy, 'status');
    assert.deepEqual(status.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(sorted(status.verbs), ['get', 'patch', 'update']);

    const rs = findAggregated(body, 'apps', 'v1', 'replicasets');
    assert.deepEqual(rs?.shortNames, ['rs']);

    const crd = findAggregated(body, 'apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    assert.ok(crd);
    assert.equal(crd.scope, 'Cluster');
    assert.deepEqual(crd.shortNames, ['crd', 'crds']);
  });

  it('/api answers the aggregated v2 form with the core group', async () => {
    const res = await get(target, '/api', AGGREGATED_ACCEPT);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], AGGREGATED_CONTENT_TYPE);
    const body = res.json<DiscoveryList>();
    assert.equal(body.kind, 'APIGroupDiscoveryList');
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0]?.metadata.name ?? '', '');
    assert.equal(body.items[0]?.versions[0]?.version, 'v1');

    const pods = findAggregated(body, '', 'v1', 'pods');
    assert.ok(pods);
    assert.equal(pods.scope, 'Namespaced');
    assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
    assert.deepEqual(sorted(pods.verbs), ALL_VERBS);
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    assert.deepEqual(subresource(pods, 'status').responseKind, {
      group: '',
      version: 'v1',
      kind: 'Pod',
    });

    const ns = findAggregated(body, '', 'v1', 'namespaces');
    assert.ok(ns);
    assert.equal(ns.scope, 'Cluster');
    assert.deepEqual(ns.shortNames, ['ns']);

    const svc = findAggregated(body, '', 'v1', 'services');
    assert.deepEqual(svc?.shortNames, ['svc']);
    assert.deepEqual(svc?.categories, ['all']);
  });

  it('/api/v1 is an APIResourceList with subresources as their own entries', async () => {
    const res = await get(target, '/api/v1');
    assert.equal(res.status, 200);
    const list = res.json<ApiResourceList>();
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, 'v1');
    const pods = findResource(list, 'pods');
    assert.equal(pods.singularName, 'pod');
    assert.equal(pods.namespaced, true);
    assert.equal(pods.kind, 'Pod');
    assert.deepEqual(sorted(pods.verbs), ALL_VERBS);
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    const podStatus = findResource(list, 'pods/status');
    assert.equal(podStatus.kind, 'Pod');
    assert.deepEqual(sorted(podStatus.verbs), ['get', 'patch', 'update']);
    const ns = findResource(list, 'namespaces');
    assert.equal(ns.namespaced, false);
    assert.equal(findResource(list, 'configmaps').kind, 'ConfigMap');
    assert.equal(findResource(list, 'events').kind, 'Event');
  });

  it('/apis/apps/v1 is an APIResourceList; scale names autoscaling/v1 Scale', async () => {
    const res = await get(target, '/apis/apps/v1');
    assert.equal(res.status, 200);
    const list = res.json<ApiResourceList>();
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, 'apps/v1');
    const deploy = findResource(list, 'deployments');
    assert.equal(deploy.kind, 'Deployment');
    assert.equal(deploy.namespaced, true);
    assert.deepEqual(deploy.shortNames, ['deploy']);
    assert.deepEqual(deploy.categories, ['all']);
    const scale = findResource(list, 'deployments/scale');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.group, 'autoscaling');
    assert.equal(scale.version, 'v1');
    assert.equal(findResource(list, 'replicasets/scale').kind, 'Scale');
    assert.equal(findResource(list, 'deployments/status').kind, 'Deployment');
  });

  it('an unknown group-version is a 404 Status', async () => {
    const res = await get(target, '/apis/nope.example.com/v1');
    assert.equal(res.status, 404);
    const st = res.json<{ kind: string; code: number; reason: string }>();
    assert.equal(st.kind, 'Status');
    assert.equal(st.code, 404);
    assert.equal(st.reason, 'NotFound');
  });

  it('a CRD is in every discovery document while it exists, and gone after', async () => {
    const group = `d${randomBytes(4).toString('hex')}.conformance.example.com`;
    const gv = `${group}/v1alpha1`;
    const ext = target.kc.makeApiClient(ApiextensionsV1Api);
    const custom = target.kc.makeApiClient(CustomObjectsApi);
    const ns = await target.namespace('disc');
    const crdName = `rollouts.${group}`;

    assert.equal((await get(target, `/apis/${gv}`)).status, 404, 'absent before the CRD');
    await ext.createCustomResourceDefinition({ body: testCrd(group) });
    try {
      // Legacy /apis
      await soon(async () => {
        const list = (await get(target, '/apis')).json<ApiGroupList>();
        const g = list.groups.find((x) => x.name === group);
        return g?.preferredVersion.groupVersion === gv;
      }, `${group} in /apis`);

      // Legacy /apis/<g>/<v>, with both subresources
      const rl = await soon(async () => {
        const res = await get(target, `/apis/${gv}`);
        return res.status === 200 ? res.json<ApiResourceList>() : undefined;
      }, `/apis/${gv}`);
      assert.equal(rl.kind, 'APIResourceList');
      assert.equal(rl.groupVersion, gv);
      const ro = findResource(rl, 'rollouts');
      assert.equal(ro.kind, 'Rollout');
      assert.equal(ro.singularName, 'rollout');
      assert.equal(ro.namespaced, true);
      assert.deepEqual(ro.shortNames, ['dro']);
      assert.deepEqual(ro.categories, ['conformance']);
      assert.deepEqual(sorted(ro.verbs), ALL_VERBS);
      const roStatus = findResource(rl, 'rollouts/status');
      assert.equal(roStatus.kind, 'Rollout');
      assert.deepEqual(sorted(roStatus.verbs), ['get', 'patch', 'update']);
      const roScale = findResource(rl, 'rollouts/scale');
      assert.equal(roScale.kind, 'Scale');
      assert.equal(roScale.group, 'autoscaling');
      assert.equal(roScale.version, 'v1');

      // Legacy /apis/<g>
      const apiGroup = (await get(target, `/apis/${group}`)).json<ApiGroup & { kind: string }>();
      assert.equal(apiGroup.kind, 'APIGroup');
      assert.equal(apiGroup.preferredVersion.groupVersion, gv);

      // Aggregated
      const agg = await soon(async () => {
        const res = await get(target, '/apis', AGGREGATED_ACCEPT);
        return findAggregated(res.json<DiscoveryList>(), group, 'v1alpha1', 'rollouts');
      }, `${group} in aggregated /apis`);
      assert.equal(agg.scope, 'Namespaced');
      assert.equal(agg.singularResource, 'rollout');
      assert.deepEqual(agg.responseKind, { group, version: 'v1alpha1', kind: 'Rollout' });
      assert.deepEqual(sorted(agg.verbs), ALL_VERBS);
      assert.deepEqual(agg.shortNames, ['dro']);
      assert.deepEqual(agg.categories, ['conformance']);
      assert.deepEqual(subresource(agg, 'status').responseKind, {
        group,
        version: 'v1alpha1',
        kind: 'Rollout',
      });
      assert.deepEqual(subresource(agg, 'scale').responseKind, {
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
      });
      assert.deepEqual(sorted(subresource(agg, 'scale').verbs), ['get', 'patch', 'update']);

      // /openapi/v3 index, and the document it points to
      const url = await soon(async () => {
        const idx = (await get(target, '/openapi/v3')).json<{
          paths: Record<string, { serverRelativeURL: string }>;
        }>();
        return idx.paths[`apis/${gv}`]?.serverRelativeURL;
      }, `apis/${gv} in /openapi/v3`);
      assert.match(url, new RegExp(`^/openapi/v3/apis/${gv.replace(/\./g, '\\.')}\\?hash=`));
      const doc = await get(target, url);
      assert.equal(doc.status, 200);
      const schemas = doc.json<{
        components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: GVK[] }> };
      }>().components.schemas;
      assert.ok(
        Object.values(schemas).some((s) =>
          (s['x-kubernetes-group-version-kind'] ?? []).some(
            (k) => k.group === group && k.kind === 'Rollout',
          ),
        ),
        'the document has a schema for the Rollout kind',
      );

      // Objects are served.
      await soon(
        () =>
          custom
            .createNamespacedCustomObject({
              group,
              version: 'v1alpha1',
              namespace: ns,
              plural: 'rollouts',
              body: {
                apiVersion: gv,
                kind: 'Rollout',
                metadata: { name: 'one' },
                spec: { replicas: 1 },
              },
            })
            .then(() => true),
        'a Rollout of the new CRD is created',
      );
      assert.equal((await get(target, `/apis/${gv}/namespaces/${ns}/rollouts/one`)).status, 200);
    } finally {
      await ext.deleteCustomResourceDefinition({ name: crdName });
    }

    // Gone from everything, and its objects with it.
    await soon(async () => (await get(target, `/apis/${gv}`)).status === 404, `/apis/${gv} 404`);
    await soon(async () => {
      const list = (await get(target, '/apis')).json<ApiGroupList>();
      return !list.groups.some((g) => g.name === group);
    }, `${group} gone from /apis`);
    await soon(async () => {
      const res = await get(target, '/apis', AGGREGATED_ACCEPT);
      return !res.json<DiscoveryList>().items.some((g) => g.metadata.name === group);
    }, `${group} gone from aggregated /apis`);
    await soon(async () => {
      const idx = (await get(target, '/openapi/v3')).json<{ paths: Record<string, unknown> }>();
      return !(`apis/${gv}` in idx.paths);
    }, `apis/${gv} gone from /openapi/v3`);
    const obj = await get(target, `/apis/${gv}/namespaces/${ns}/rollouts/one`);
    assert.equal(obj.status, 404);
    assert.equal(obj.json<{ kind: string }>().kind, 'Status');
  });
});
