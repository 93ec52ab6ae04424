// The namespace stream (`GET …/{namespace}/info/watch`, cli-dashboard-ops §3.4): list-watches
// of Rollouts, ReplicaSets, Pods (and Deployments, for workloadRef containers) in the namespace.
// Once they are synced every Rollout is announced once; afterwards each Rollout add or update,
// and each Pod deletion (pod → owning ReplicaSet → owning Rollout), sends
// `{"type":"Updated","rolloutInfo":…}` in the list form (no experiments or analysis runs).
// Deleted Rollouts are not announced, as in the original (the UI keeps them until reload).
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { ListWatcher } from '../../src/kube/list-watcher.ts';
import { encodeRolloutInfo } from '../info/encode.ts';
import { DEPLOYMENTS, pathOf, PODS, REPLICA_SETS, ROLLOUTS, type Gvr, type Kube } from '../kube.ts';
import { indexNamespace, listInfoOf, type NamespaceIndex } from './rollout-infos.ts';
import type { ResponseStream } from './stream.ts';

/** The controller owner of an object of `kind`, by name (pure). */
export function controllerOwner(obj: KubeObject, kind: string): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === kind)?.name;
}

export async function streamRolloutInfos(
  kube: Kube,
  namespace: string,
  stream: ResponseStream,
): Promise<void> {
  const watchers: ListWatcher[] = [];
  const mk = (gvr: Gvr): ListWatcher => {
    const w = new ListWatcher({
      kc: kube.kc,
      client: kube.client,
      path: pathOf(gvr, namespace),
      backoff: { minMs: 200, maxMs: 5_000 },
    });
    watchers.push(w);
    return w;
  };
  const rollouts = mk(ROLLOUTS);
  const replicaSets = mk(REPLICA_SETS);
  const pods = mk(PODS);
  const deployments = mk(DEPLOYMENTS);
  let synced = false;
  stream.onClose(() => Promise.all(watchers.map((w) => w.stop())));

  const indexNow = (): NamespaceIndex =>
    indexNamespace({
      replicaSets: replicaSets.list(namespace),
      pods: pods.list(namespace),
      deployments: deployments.list(namespace),
    });
  // The first snapshot shares one index across all Rollouts; a later event builds its own.
  const announce = (ro: KubeObject, idx: NamespaceIndex = indexNow()): void => {
    if (!synced || stream.closed) return;
    const info = listInfoOf(ro, idx, new Date());
    stream.send({ type: 'Updated', rolloutInfo: encodeRolloutInfo(info) });
  };
  rollouts.onAdd((ro) => announce(ro));
  rollouts.onUpdate((_old, ro) => announce(ro));
  pods.onDelete((pod) => {
    const rsName = controllerOwner(pod, 'ReplicaSet');
    const rs = rsName ? replicaSets.get(namespace, rsName) : undefined;
    const roName = rs ? controllerOwner(rs, 'Rollout') : undefined;
    const ro = roName ? rollouts.get(namespace, roName) : undefined;
    if (ro) announce(ro);
  });

  for (const w of watchers) w.start();
  try {
    await Promise.all(watchers.map((w) => w.synced));
  } catch (e) {
    stream.fail(e);
    return;
  }
  if (stream.closed) return;
  synced = true;
  stream.open();
  const idx = indexNow();
  for (const ro of rollouts.list(namespace)) announce(ro, idx);
}
