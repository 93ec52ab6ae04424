// The RolloutInfos of a namespace for the dashboard's list (cli-dashboard-ops §3.2): each with
// its ReplicaSets and pods, without experiments or analysis runs (the list does not show them,
// and the original leaves them out). A Rollout with a workloadRef gets its Deployment, so its
// containers are the Deployment's.
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { workloadName } from '../commands/rollout-data.ts';
import { buildRolloutInfo } from '../info/rollout-info.ts';
import { OwnerIndex } from '../info/owner-index.ts';
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
  replicaSets: readonly KubeObject[];
  pods: readonly KubeObject[];
  deployments: readonly KubeObject[];
}

/** A namespace's objects, indexed once for the infos of all its Rollouts. */
export interface NamespaceIndex {
  replicaSets: OwnerIndex;
  pods: OwnerIndex;
  deployments: readonly KubeObject[];
}

export function indexNamespace(objs: NamespaceObjects): NamespaceIndex {
  return {
    replicaSets: new OwnerIndex(objs.replicaSets),
    pods: new OwnerIndex(objs.pods),
    deployments: objs.deployments,
  };
}

/** The list form of one Rollout's info (pure). */
export function listInfoOf(rollout: KubeObject, idx: NamespaceIndex, now: Date): RolloutInfo {
  const wl = workloadName(rollout);
  const workload = wl ? idx.deployments.find((d) => d.metadata.name === wl) : undefined;
  const replicaSets = idx.replicaSets.owned(rollout.metadata.uid);
  return buildRolloutInfo({
    rollout,
    replicaSets,
    pods: replicaSets.flatMap((rs) => idx.pods.owned(rs.metadata.uid)),
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
  const idx = indexNamespace({
    replicaSets: replicaSets.items,
    pods: pods.items,
    deployments: deployments.items,
  });
  return rollouts.map((ro) => listInfoOf(ro, idx, now));
}
