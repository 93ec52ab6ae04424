// What one reconcile of one Rollout reads (a snapshot of the caches) and the operations it
// may perform. The reconcile decides; these operations are the only side effects.
import type { KubeObject } from '../api/kube-object.ts';
import type { Rollout } from '../api/rollout.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import type { IngressOps } from '../traffic/router.ts';
import type { TemplateLookup } from './analysis-run-builder.ts';
import type { AnalysisRunOps } from './analysis-runs.ts';

export interface ClusterOps extends AnalysisRunOps, IngressOps {
  createReplicaSet(namespace: string, body: KubeObject): Promise<KubeObject>;
  getReplicaSet(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Full update with the object's resourceVersion as precondition. */
  updateReplicaSet(rs: KubeObject): Promise<KubeObject>;
  deleteReplicaSet(namespace: string, name: string, uid: string): Promise<void>;
  /** Merge patch on the Rollout (metadata, spec). */
  patchRollout(namespace: string, name: string, patch: object): Promise<KubeObject>;
  /** Merge patch on the Rollout's status subresource. */
  patchRolloutStatus(namespace: string, name: string, patch: object): Promise<KubeObject>;
  /** The Eviction API (honours PodDisruptionBudgets on a real cluster). */
  evictPod(namespace: string, name: string): Promise<void>;
  /** Merge patch on a Pod's metadata (ephemeral labels/annotations, rollout-semantics §5.5). */
  patchPod(namespace: string, name: string, patch: object): Promise<KubeObject>;
  /** Merge patch on a Service. */
  patchService(namespace: string, name: string, patch: object): Promise<KubeObject>;
  /** Merge patch on a workloadRef target (scale-down of the referenced Deployment). */
  patchWorkload?(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    patch: object,
  ): Promise<KubeObject>;
}

export interface Log {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface RolloutContext {
  now: Date;
  /** The Rollout as read (raw JSON, for owner references and events). */
  raw: KubeObject;
  ro: Rollout;
  /** The pod template and selector in force (spec, or resolved from spec.workloadRef). */
  template: Record<string, unknown>;
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  /** ReplicaSets controlled by this Rollout. */
  replicaSets: KubeObject[];
  service(name: string): KubeObject | undefined;
  /** An Ingress in the Rollout's namespace as last seen (informer cache); undefined if absent. */
  ingress(name: string): KubeObject | undefined;
  /** The object spec.workloadRef points at (its template is already in `template`). */
  workload?: KubeObject | undefined;
  /** Pods controlled by the ReplicaSet with this uid. */
  podsOf(rsUid: string): KubeObject[];
  /** AnalysisRuns in the Rollout's namespace controlled by it. */
  analysisRuns: KubeObject[];
  /** (Cluster)AnalysisTemplates, for building runs. */
  templates: TemplateLookup;
  ops: ClusterOps;
  events: EventSink;
  log: Log;
}

export interface ReconcileResult {
  /** Reconcile again after this many milliseconds (the earliest deadline seen). */
  requeueAfterMs?: number;
}

export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
