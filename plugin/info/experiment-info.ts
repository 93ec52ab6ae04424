// Experiment rows with their own ReplicaSets and AnalysisRuns
// (../shared/spec/cli-dashboard-ops.md §2.1.6).
import type { KubeObject } from '../../src/api/kube-object.ts';
import { analysisRunInfos } from './analysisrun-info.ts';
import { analysisIcon } from './icons.ts';
import { compareTime, obj, ownedBy, revisionOf, shortMeta, str } from './kube.ts';
import { replicaSetInfos } from './replicaset-info.ts';
import type { ExperimentInfo } from './types.ts';

export function experimentInfos(
  ownerUid: string,
  experiments: readonly KubeObject[],
  replicaSets: readonly KubeObject[],
  analysisRuns: readonly KubeObject[],
  pods: readonly KubeObject[],
): ExperimentInfo[] {
  const infos = experiments
    .filter((e) => ownedBy(e, ownerUid))
    .map((e) => experimentInfo(e, replicaSets, analysisRuns, pods));
  infos.sort(
    (a, b) =>
      b.revision - a.revision ||
      compareTime(a.objectMeta.creationTimestamp, b.objectMeta.creationTimestamp),
  );
  return infos;
}

export function experimentInfo(
  experiment: KubeObject,
  replicaSets: readonly KubeObject[],
  analysisRuns: readonly KubeObject[],
  pods: readonly KubeObject[],
): ExperimentInfo {
  const status = obj(experiment.status);
  const phase = str(status.phase);
  const meta = shortMeta(experiment);
  return {
    objectMeta: meta,
    icon: analysisIcon(phase),
    revision: revisionOf(experiment.metadata),
    status: phase,
    message: str(status.message),
    replicaSets: replicaSetInfos(meta.uid, undefined, replicaSets, pods),
    analysisRuns: analysisRunInfos(meta.uid, analysisRuns),
  };
}
