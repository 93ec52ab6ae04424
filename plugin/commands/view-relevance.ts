// Which watch events can change one Rollout's info: the Rollout itself, its ReplicaSets, their
// pods, its AnalysisRuns and Experiments (and theirs), and its workloadRef Deployment. The view
// rebuilds only for those, so an open `get rollout -w` or dashboard page no longer re-derives
// its info on every write anywhere in the namespace (bench/README.md, "Dashboard", point 3).
import type { KubeObject } from '../../src/kube/raw-client.ts';

export type ViewKind =
  'Rollout' | 'ReplicaSet' | 'Pod' | 'AnalysisRun' | 'Experiment' | 'Deployment';

export interface ViewScope {
  /** The watched Rollout's name. */
  name: string;
  /** The Rollout as cached now; undefined before it is seen (then everything counts). */
  rollout: KubeObject | undefined;
  /** The UIDs of its Experiments (their ReplicaSets and runs belong to the view too). */
  experimentUids: ReadonlySet<string>;
  /** The cached ReplicaSet of this name, to place a pod. */
  replicaSet(name: string): KubeObject | undefined;
  /** The workloadRef Deployment's name, if any. */
  workload: string | undefined;
}

const ownerUids = (o: KubeObject): string[] =>
  (o.metadata.ownerReferences ?? []).map((r) => r.uid).filter((u): u is string => !!u);

/** True when an event on `obj` (of `kind`) may change the info of the scope's Rollout (pure). */
export function concernsView(kind: ViewKind, obj: KubeObject, scope: ViewScope): boolean {
  if (kind === 'Rollout') return obj.metadata.name === scope.name;
  const uid = scope.rollout?.metadata.uid;
  if (uid === undefined) return true;
  const ownedHere = (o: KubeObject): boolean =>
    ownerUids(o).some((u) => u === uid || scope.experimentUids.has(u));
  switch (kind) {
    case 'ReplicaSet':
    case 'AnalysisRun':
      return ownedHere(obj);
    case 'Experiment':
      return ownerUids(obj).includes(uid);
    case 'Pod':
      return (obj.metadata.ownerReferences ?? []).some((r) => {
        if (r.kind !== 'ReplicaSet') return false;
        const rs = scope.replicaSet(r.name);
        // A ReplicaSet not (or no longer) cached cannot be placed: count the pod.
        return rs === undefined || rs.metadata.uid !== r.uid || ownedHere(rs);
      });
    case 'Deployment':
      return scope.workload !== undefined && obj.metadata.name === scope.workload;
  }
}
