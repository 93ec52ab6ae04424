// RolloutInfo: everything `get rollout`, `list rollouts`, `status` and the dashboard show about
// one Rollout, derived from raw objects with no I/O (../shared/spec/cli-dashboard-ops.md §2.1).
import type { KubeObject } from '../../src/api/kube-object.ts';
import { analysisRunInfos } from './analysisrun-info.ts';
import { strategyInfo } from './canary-weights.ts';
import { experimentInfos } from './experiment-info.ts';
import { rolloutIcon } from './icons.ts';
import { containersOf, int, obj, str, timeMs } from './kube.ts';
import { rolloutPhase } from './phase.ts';
import { replicaSetInfos } from './replicaset-info.ts';
import type { InfoMeta, RolloutInfo } from './types.ts';

export type * from './types.ts';

export interface RolloutInfoInput {
  rollout: KubeObject;
  /** Every ReplicaSet in the namespace; the rollout's own are picked by owner UID. */
  replicaSets: readonly KubeObject[];
  pods: readonly KubeObject[];
  analysisRuns: readonly KubeObject[];
  experiments?: readonly KubeObject[];
  /** The Deployment spec.workloadRef names, when the rollout has one. */
  workload?: KubeObject | undefined;
  /** Accepted for callers' symmetry; nothing in the model depends on the clock (ages are render-time). */
  now: Date;
}

export function buildRolloutInfo(input: RolloutInfoInput): RolloutInfo {
  const { rollout, replicaSets, pods, analysisRuns, workload } = input;
  const experiments = input.experiments ?? [];
  const spec = obj(rollout.spec);
  const status = obj(rollout.status);
  const meta = rolloutMeta(rollout);

  const rsInfos = replicaSetInfos(meta.uid, rollout, replicaSets, pods);
  const strategy = strategyInfo(spec, status, rsInfos);
  const phase = rolloutPhase(rollout, {
    workloadResolved: workload !== undefined && spec.workloadRef != null,
  });
  const podSpec = obj(obj(obj(workload ? workload.spec : spec).template).spec);

  const info: RolloutInfo = {
    objectMeta: meta,
    status: phase.status,
    message: phase.message,
    icon: rolloutIcon(phase.status),
    strategy: strategy.strategy,
    step: strategy.step,
    setWeight: strategy.setWeight,
    actualWeight: strategy.actualWeight,
    ready: int(status.readyReplicas),
    current: int(status.replicas),
    desired: spec.replicas == null ? 1 : int(spec.replicas),
    updated: int(status.updatedReplicas),
    available: int(status.availableReplicas),
    restartedAt: goTimeText(str(status.restartedAt)) ?? 'Never',
    generation: observedGeneration(status.observedGeneration),
    replicaSets: rsInfos,
    experiments: experimentInfos(meta.uid, experiments, replicaSets, analysisRuns, pods),
    analysisRuns: analysisRunInfos(meta.uid, analysisRuns),
    containers: containersOf(podSpec, 'containers'),
    initContainers: containersOf(podSpec, 'initContainers'),
  };
  if (strategy.steps) info.steps = strategy.steps;
  return info;
}

function rolloutMeta(rollout: KubeObject): InfoMeta {
  const m = rollout.metadata;
  const meta: InfoMeta = {
    name: str(m.name),
    namespace: str(m.namespace),
    uid: str(m.uid),
    creationTimestamp: str(m.creationTimestamp),
  };
  if (m.labels) meta.labels = { ...m.labels };
  if (m.annotations) meta.annotations = { ...m.annotations };
  if (typeof m.generation === 'number') meta.generation = m.generation;
  if (m.resourceVersion) meta.resourceVersion = m.resourceVersion;
  return meta;
}

function observedGeneration(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}

/**
 * Go's time.Time.String() in UTC: `2006-01-02 15:04:05[.fraction] +0000 UTC`, the form the
 * dashboard parses. Undefined when the value is absent or not a time.
 */
export function goTimeText(ts: string): string | undefined {
  const ms = timeMs(ts);
  if (ms === undefined) return undefined;
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  // Keep the caller's sub-millisecond digits: Date only holds milliseconds.
  const fraction = (/\.(\d+)/.exec(ts)?.[1] ?? '').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? '.' + fraction : ''} +0000 UTC`;
}
