// The data behind `get rollout` and `status`: the Rollout and every ReplicaSet, Pod,
// AnalysisRun and Experiment of its namespace (plus the workloadRef Deployment), read once.
// (rollout-view.ts keeps it current with list-watches.)
import { KubeApiError, type KubeObject } from '../../src/kube/raw-client.ts';
import { buildRolloutInfo } from '../info/rollout-info.ts';
import type { RolloutInfo } from '../info/types.ts';
import {
  ANALYSIS_RUNS,
  DEPLOYMENTS,
  EXPERIMENTS,
  listerNotFound,
  listOrEmpty,
  pathOf,
  PODS,
  REPLICA_SETS,
  ROLLOUTS,
  type Kube,
} from '../kube.ts';
import { dig } from './common.ts';

export interface ViewData {
  rollout: KubeObject;
  replicaSets: KubeObject[];
  pods: KubeObject[];
  analysisRuns: KubeObject[];
  experiments: KubeObject[];
  workload?: KubeObject;
}

export function workloadName(ro: KubeObject): string | undefined {
  const ref = dig(ro, 'spec', 'workloadRef');
  const name = dig(ref, 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export function infoOf(data: ViewData, now: Date): RolloutInfo {
  return buildRolloutInfo({
    rollout: data.rollout,
    replicaSets: data.replicaSets,
    pods: data.pods,
    analysisRuns: data.analysisRuns,
    experiments: data.experiments,
    ...(data.workload ? { workload: data.workload } : {}),
    now,
  });
}

/** One read of everything; a missing Rollout is the lister's NotFound. */
export async function fetchView(kube: Kube, name: string): Promise<ViewData> {
  const { client, namespace } = kube;
  let rollout: KubeObject;
  try {
    rollout = await client.get(pathOf(ROLLOUTS, namespace, name));
  } catch (e) {
    if (e instanceof KubeApiError && e.code === 404) throw listerNotFound(ROLLOUTS, name);
    throw e;
  }
  const [replicaSets, pods, analysisRuns, experiments] = await Promise.all([
    listOrEmpty(client, REPLICA_SETS, namespace),
    listOrEmpty(client, PODS, namespace),
    listOrEmpty(client, ANALYSIS_RUNS, namespace),
    listOrEmpty(client, EXPERIMENTS, namespace),
  ]);
  const data: ViewData = {
    rollout,
    replicaSets: replicaSets.items,
    pods: pods.items,
    analysisRuns: analysisRuns.items,
    experiments: experiments.items,
  };
  const wl = workloadName(rollout);
  if (wl) {
    try {
      data.workload = await client.get(pathOf(DEPLOYMENTS, namespace, wl));
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) throw listerNotFound(DEPLOYMENTS, wl);
      throw e;
    }
  }
  return data;
}
