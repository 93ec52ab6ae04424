// The reconcile's side effects as API calls: every write is a merge patch or an update with
// a resourceVersion precondition, so a stale cache ends in 409 and a retry, never in an
// overwrite (design principle 4).
import type { KubeObject } from '../api/kube-object.ts';
import type { EventWriter } from '../kube/event-recorder.ts';
import { isNotFound, resourcePath, type RawClient } from '../kube/raw-client.ts';
import type { ClusterOps } from '../rollout/context.ts';

const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const RO = { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts' };
const SVC = { group: '', version: 'v1', resource: 'services' };
const RUNS = { group: 'argoproj.io', version: 'v1alpha1', resource: 'analysisruns' };
const EVENTS = { group: '', version: 'v1', resource: 'events' };
const ING = { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' };

type ObservedKind = 'ReplicaSet' | 'Rollout' | 'Service' | 'AnalysisRun' | 'Ingress';

export interface WriteObserver {
  /** Called with every object a write returned, so caches can see our own writes at once. */
  (kind: ObservedKind, obj: KubeObject): void;
}

export function clusterOps(
  client: RawClient,
  observe: WriteObserver = () => undefined,
  /** Ingress cache (informer); without it getIngress is a GET. */
  ingressCache?: (namespace: string, name: string) => KubeObject | undefined,
): ClusterOps {
  const seen = <T extends KubeObject>(kind: ObservedKind, obj: T): T => {
    observe(kind, obj);
    return obj;
  };
  async function getIngressLive(namespace: string, name: string) {
    try {
      return await client.get(resourcePath({ ...ING, namespace, name }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
  return {
    async createReplicaSet(namespace, body) {
      return seen('ReplicaSet', await client.create(resourcePath({ ...RS, namespace }), body));
    },
    async getReplicaSet(namespace, name) {
      try {
        return await client.get(resourcePath({ ...RS, namespace, name }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async updateReplicaSet(rs) {
      const path = resourcePath({
        ...RS,
        namespace: rs.metadata.namespace,
        name: rs.metadata.name,
      });
      return seen('ReplicaSet', await client.update(path, rs));
    },
    async deleteReplicaSet(namespace, name, uid) {
      await client.delete(resourcePath({ ...RS, namespace, name }), {
        preconditions: { uid },
        propagationPolicy: 'Background',
      });
    },
    async patchRollout(namespace, name, patch) {
      return seen(
        'Rollout',
        await client.patch(resourcePath({ ...RO, namespace, name }), patch, 'merge'),
      );
    },
    async patchRolloutStatus(namespace, name, patch) {
      const path = resourcePath({ ...RO, namespace, name, subresource: 'status' });
      return seen('Rollout', await client.patch(path, patch, 'merge'));
    },
    async evictPod(namespace, name) {
      const path = resourcePath({
        group: '',
        version: 'v1',
        resource: 'pods',
        namespace,
        name,
        subresource: 'eviction',
      });
      await client.create(path, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
      });
    },
    async patchPod(namespace, name, patch) {
      const path = resourcePath({ group: '', version: 'v1', resource: 'pods', namespace, name });
      return client.patch(path, patch, 'merge');
    },
    async patchWorkload(apiVersion, kind, namespace, name, patch) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      const resource = `${kind.toLowerCase()}s`;
      return client.patch(
        resourcePath({ group: group!, version: version!, resource, namespace, name }),
        patch,
        'merge',
      );
    },
    async createAnalysisRun(namespace, body) {
      return seen('AnalysisRun', await client.create(resourcePath({ ...RUNS, namespace }), body));
    },
    async getAnalysisRun(namespace, name) {
      try {
        return await client.get(resourcePath({ ...RUNS, namespace, name }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async patchAnalysisRun(namespace, name, patch) {
      return seen(
        'AnalysisRun',
        await client.patch(resourcePath({ ...RUNS, namespace, name }), patch, 'merge'),
      );
    },
    async deleteAnalysisRun(namespace, name) {
      try {
        await client.delete(resourcePath({ ...RUNS, namespace, name }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async getIngress(namespace, name) {
      if (ingressCache) return ingressCache(namespace, name);
      return getIngressLive(namespace, name);
    },
    getIngressLive,
    async createIngress(namespace, body) {
      return seen('Ingress', await client.create(resourcePath({ ...ING, namespace }), body));
    },
    async patchIngress(namespace, name, patch) {
      return seen(
        'Ingress',
        await client.patch(resourcePath({ ...ING, namespace, name }), patch, 'merge'),
      );
    },
    async updateIngress(ing) {
      const path = resourcePath({
        ...ING,
        namespace: ing.metadata.namespace,
        name: ing.metadata.name,
      });
      return seen('Ingress', await client.update(path, ing));
    },
    async deleteIngress(namespace, name, preconditions) {
      try {
        await client.delete(
          resourcePath({ ...ING, namespace, name }),
          preconditions ? { preconditions } : undefined,
        );
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async patchService(namespace, name, patch) {
      return seen(
        'Service',
        await client.patch(resourcePath({ ...SVC, namespace, name }), patch, 'merge'),
      );
    },
  };
}

export function eventWriter(client: RawClient): EventWriter {
  return {
    create: (namespace, body) => client.create(resourcePath({ ...EVENTS, namespace }), body),
    patch: (namespace, name, body) =>
      client.patch(resourcePath({ ...EVENTS, namespace, name }), body, 'merge'),
  };
}
