// The simulated ReplicaSet controller: keeps the number of pods equal to spec.replicas and
// the status counts true, like kube-controller-manager's replicaset controller.
import { isDeepStrictEqual } from 'node:util';
import type { ObjectService } from '../api/objects.ts';
import { ApiError } from '../api/status.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { fromLabelSelectorObject, matchesLabels } from '../selectors/labels.ts';
import type { StoreEvent } from '../store/store.ts';
import { controllerUid, isPodReady, podPhase, readySinceMs } from './pods.ts';
import { KeyQueue } from './queue.ts';

const PODS = '/pods';
const RS = 'apps/replicasets';

export class ReplicaSetController {
  private readonly queue = new KeyQueue((k) => this.reconcileSafely(k));
  private readonly unsubscribe: () => void;
  private readonly rsType: ResourceType;
  private readonly podType: ResourceType;

  constructor(private readonly svc: ObjectService) {
    this.rsType = svc.registry.find('apps', 'v1', 'replicasets')!;
    this.podType = svc.registry.find('', 'v1', 'pods')!;
    this.unsubscribe = svc.store.onWrite((ev) => this.onWrite(ev));
    for (const rs of svc.store.list(RS)) this.enqueue(rs);
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private enqueue(rs: KubeObject): void {
    this.queue.add(`${rs.metadata.namespace}/${rs.metadata.name}`);
  }

  private onWrite(ev: StoreEvent): void {
    if (ev.storage === RS) {
      this.enqueue(ev.object);
    } else if (ev.storage === PODS) {
      const uid = controllerUid(ev.object);
      const owner = uid ? this.svc.store.getByUid(uid) : undefined;
      if (owner?.kind === 'ReplicaSet') this.enqueue(owner);
      else if (!uid) {
        // An orphan pod may be adopted by a ReplicaSet whose selector matches it.
        for (const rs of this.svc.store.list(RS, ev.object.metadata.namespace)) this.enqueue(rs);
      }
    }
  }

  private reconcileSafely(key: string): void {
    try {
      this.reconcile(key);
    } catch (e) {
      // A conflict with a concurrent writer: the write event will queue us again.
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) {
        this.queue.addAfter(key, 10);
        return;
      }
      throw e;
    }
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const rs = this.svc.store.get(RS, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const spec = (rs.spec ?? {}) as {
      replicas?: number;
      minReadySeconds?: number;
      selector?: Parameters<typeof fromLabelSelectorObject>[0];
      template?: {
        metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
        spec?: unknown;
      };
    };
    const selector = fromLabelSelectorObject(spec.selector);
    const uid = rs.metadata.uid!;
    this.adoptOrphans(rs, selector);
    const pods = this.svc.store
      .list(PODS, ns)
      .filter((p) => controllerUid(p) === uid && !p.metadata.deletionTimestamp);
    const want = spec.replicas ?? 1;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) this.createPod(rs, spec.template ?? {});
    } else if (pods.length > want) {
      for (const p of rankForDeletion(pods).slice(0, pods.length - want)) {
        this.svc.delete(this.podType, ns, p.metadata.name!, {});
      }
    }
    this.updateStatus(rs, spec.minReadySeconds ?? 0, spec.template?.metadata?.labels ?? {}, key);
  }

  private adoptOrphans(rs: KubeObject, selector: ReturnType<typeof fromLabelSelectorObject>): void {
    for (const p of this.svc.store.list(PODS, rs.metadata.namespace)) {
      if (p.metadata.ownerReferences?.some((r) => r.controller) || p.metadata.deletionTimestamp)
        continue;
      if (!matchesLabels(selector, p.metadata.labels)) continue;
      const next = structuredClone(p);
      next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRef(rs)];
      this.svc.update(this.podType, p.metadata.namespace, p.metadata.name!, next, undefined);
    }
  }

  private createPod(
    rs: KubeObject,
    template: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: unknown;
    },
  ): void {
    this.svc.create(this.podType, rs.metadata.namespace, {
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [ownerRef(rs)],
      },
      spec: structuredClone(template.spec ?? {}),
    });
  }

  private updateStatus(
    rs: KubeObject,
    minReadySeconds: number,
    templateLabels: Record<string, string>,
    key: string,
  ): void {
    const now = Date.now();
    const pods = this.svc.store
      .list(PODS, rs.metadata.namespace)
      .filter((p) => controllerUid(p) === rs.metadata.uid && !p.metadata.deletionTimestamp);
    let ready = 0;
    let available = 0;
    let fullyLabeled = 0;
    let nextAvailableIn = Infinity;
    for (const p of pods) {
      if (Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v))
        fullyLabeled++;
      if (!isPodReady(p)) continue;
      ready++;
      const since = readySinceMs(p, now) ?? 0;
      if (minReadySeconds <= 0 || since >= minReadySeconds * 1000) available++;
      else nextAvailableIn = Math.min(nextAvailableIn, minReadySeconds * 1000 - since);
    }
    if (nextAvailableIn !== Infinity) this.queue.addAfter(key, nextAvailableIn + 5);
    const old = (rs.status ?? {}) as Record<string, unknown>;
    const status: Record<string, unknown> = {
      replicas: pods.length,
      fullyLabeledReplicas: fullyLabeled,
      readyReplicas: ready,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation,
    };
    // The real controller omits zero counts (omitempty), except replicas.
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
      if (status[k] === 0) delete status[k];
    if (old.conditions) status.conditions = old.conditions;
    if (isDeepStrictEqual(status, old)) return;
    this.svc.update(
      this.rsType,
      rs.metadata.namespace,
      rs.metadata.name!,
      { ...rs, status },
      'status',
    );
  }
}

function ownerRef(rs: KubeObject) {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: rs.metadata.name!,
    uid: rs.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The pods a scale-down removes first: unscheduled, pending, not ready, then the newest. */
function rankForDeletion(pods: KubeObject[]): KubeObject[] {
  const phaseRank = (p: KubeObject) =>
    podPhase(p) === 'Pending' ? 0 : podPhase(p) === 'Running' ? 2 : 1;
  return [...pods].sort((a, b) => {
    const pa = phaseRank(a) - phaseRank(b);
    if (pa) return pa;
    const ra = Number(isPodReady(a)) - Number(isPodReady(b));
    if (ra) return ra;
    return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
  });
}
