// A minimal Deployment controller: one ReplicaSet per pod template, the current one scaled
// to spec.replicas and older ones to zero. Enough for a Rollout's workloadRef (which reads
// the Deployment's template and scales the Deployment itself); no rolling update strategy.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ObjectService } from '../api/objects.ts';
import { ApiError } from '../api/status.ts';
import type { ResourceType } from '../registry/types.ts';
import type { StoreEvent } from '../store/store.ts';
import { controllerUid } from './pods.ts';
import { KeyQueue } from './queue.ts';

const DEPLOY = 'apps/deployments';
const RS = 'apps/replicasets';
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function templateHash(template: unknown): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE[digest[i]! % SAFE.length];
  return out;
}

interface DeploySpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown };
  paused?: boolean;
}

export class DeploymentController {
  private readonly queue = new KeyQueue((k) => this.reconcileSafely(k));
  private readonly unsubscribe: () => void;
  private readonly rsType: ResourceType;
  private readonly deployType: ResourceType;

  constructor(private readonly svc: ObjectService) {
    this.rsType = svc.registry.find('apps', 'v1', 'replicasets')!;
    this.deployType = svc.registry.find('apps', 'v1', 'deployments')!;
    this.unsubscribe = svc.store.onWrite((ev) => this.onWrite(ev));
    for (const d of svc.store.list(DEPLOY))
      this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`);
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onWrite(ev: StoreEvent): void {
    if (ev.storage === DEPLOY)
      this.queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    else if (ev.storage === RS) {
      const uid = controllerUid(ev.object);
      const owner = uid ? this.svc.store.getByUid(uid) : undefined;
      if (owner?.kind === 'Deployment')
        this.queue.add(`${owner.metadata.namespace}/${owner.metadata.name}`);
    }
  }

  private reconcileSafely(key: string): void {
    try {
      this.reconcile(key);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) {
        this.queue.addAfter(key, 10);
        return;
      }
      throw e;
    }
  }

  private reconcile(key: string): void {
    const [ns, name] = key.split('/') as [string, string];
    const d = this.svc.store.get(DEPLOY, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const spec = (d.spec ?? {}) as DeploySpec;
    const hash = templateHash(spec.template);
    const owned = this.svc.store.list(RS, ns).filter((rs) => controllerUid(rs) === d.metadata.uid);
    const currentName = `${name}-${hash}`;
    let current = owned.find((rs) => rs.metadata.name === currentName);
    const replicas = spec.replicas ?? 1;
    if (!current) {
      const labels = { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash };
      current = this.svc.create(this.rsType, ns, {
        metadata: {
          name: currentName,
          namespace: ns,
          labels,
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas) },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid: d.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas,
          selector: {
            ...spec.selector,
            matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash },
          },
          template: { ...spec.template, metadata: { ...(spec.template?.metadata ?? {}), labels } },
        },
      }).object;
    }
    for (const rs of owned) {
      const want = rs.metadata.name === currentName ? replicas : 0;
      if ((rs.spec as { replicas?: number }).replicas !== want) {
        const next = structuredClone(rs);
        (next.spec as { replicas: number }).replicas = want;
        this.svc.update(this.rsType, ns, rs.metadata.name!, next, undefined);
      }
    }
    const cur = (current.status ?? {}) as Record<string, number | undefined>;
    const all = owned.map((rs) => (rs.status ?? {}) as Record<string, number | undefined>);
    const sum = (k: string) => all.reduce((n, s) => n + (s[k] ?? 0), 0);
    const available = sum('availableReplicas');
    const status: Record<string, unknown> = {
      observedGeneration: d.metadata.generation,
      replicas: sum('replicas'),
      updatedReplicas: cur.replicas ?? 0,
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
    };
    for (const k of Object.keys(status)) if (status[k] === 0) delete status[k];
    const old = (d.status ?? {}) as Record<string, unknown>;
    const { conditions: _c, ...oldCounts } = old;
    if (isDeepStrictEqual(status, oldCounts) && old.conditions) return;
    status.conditions = [
      {
        type: 'Available',
        status: available >= replicas ? 'True' : 'False',
        reason: available >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message:
          available >= replicas
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
      },
    ];
    this.svc.update(this.deployType, ns, name, { ...d, status }, 'status');
  }
}

export const __test = { templateHash };
