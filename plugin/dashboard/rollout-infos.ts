// The RolloutInfos of a namespace for the dashboard's list (cli-dashboard-ops §3.2): each with
// its ReplicaSets and pods, without experiments or analysis runs (the list does not show them,
// and the original leaves them out). A Rollout with a workloadRef gets its Deployment, so its
// containers are the Deployment's.
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { workloadName } from '../commands/rollout-data.ts';
import { buildRolloutInfo } from '../info/rollout-info.ts';
import type { RolloutInfo } from '../info/types.ts';
import {
  DEPLOYMENTS,
  listOrEmpty,
  pathOf,
  PODS,
  REPLICA_SETS,
  ROLLOUTS,
  type Kube,
} from '../kube.ts';

export interface NamespaceObjects {
  rollouts: readonly KubeObject[];
  replicaSets: readonly KubeObject[];
  pods: readonly KubeObject[];
  deployments: readonly KubeObject[];
}

/** The list form of one Rollout's info (pure). */
export function listInfoOf(
  rollout: KubeObject,
  objs: Omit<NamespaceObjects, 'rollouts'>,
  now: Date,
): RolloutInfo {
  const wl = workloadName(rollout);
  const workload = wl ? objs.deployments.find((d) => d.metadata.name === wl) : undefined;
  return buildRolloutInfo({
    rollout,
    replicaSets: objs.replicaSets,
    pods: objs.pods,
    analysisRuns: [],
    experiments: [],
    ...(workload ? { workload } : {}),
    now,
  });
}

export async function listRolloutInfos(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  now: Date = new Date(),
): Promise<RolloutInfo[]> {
  const { client } = kube;
  // The Rollout list fails loudly (a missing CRD is an error here, as in the original).
  const rollouts = (await client.list(pathOf(ROLLOUTS, namespace))).items;
  if (rollouts.length === 0) return [];
  const [replicaSets, pods, deployments] = await Promise.all([
    listOrEmpty(client, REPLICA_SETS, namespace),
    listOrEmpty(client, PODS, namespace),
    rollouts.some((r) => workloadName(r))
      ? listOrEmpty(client, DEPLOYMENTS, namespace)
      : Promise.resolve({ items: [] }),
  ]);
  const objs = { replicaSets: replicaSets.items, pods: pods.items, deployments: deployments.items };
  return rollouts.map((ro) => listInfoOf(ro, objs, now));
}
