// ReplicaSet rows: health, role flags and pods (../shared/spec/cli-dashboard-ops.md §2.1.3).
import type { KubeObject } from '../../src/api/kube-object.ts';
import { replicaSetIcon } from './icons.ts';
import {
  EXPERIMENT_TEMPLATE_NAME_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  annotation,
  arr,
  compareStrings,
  compareTime,
  containersOf,
  int,
  obj,
  ownedBy,
  ownerAmong,
  revisionOf,
  shortMeta,
  str,
} from './kube.ts';
import { podInfo } from './pod-info.ts';
import type { PodInfo, ReplicaSetInfo } from './types.ts';

/**
 * The ReplicaSets owned by `ownerUid`, newest revision first, with their pods. `rollout` gives
 * the role flags; experiment ReplicaSets pass none and get no flags.
 */
export function replicaSetInfos(
  ownerUid: string,
  rollout: KubeObject | undefined,
  replicaSets: readonly KubeObject[],
  pods: readonly KubeObject[],
): ReplicaSetInfo[] {
  const infos = replicaSets
    .filter((rs) => ownedBy(rs, ownerUid))
    .map((rs) => replicaSetInfo(rs, rollout));
  infos.sort(
    (a, b) => b.revision - a.revision || compareStrings(a.objectMeta.name, b.objectMeta.name),
  );
  attachPods(infos, pods);
  return infos;
}

function replicaSetInfo(rs: KubeObject, rollout: KubeObject | undefined): ReplicaSetInfo {
  const meta = rs.metadata;
  const status = obj(rs.status);
  const podSpec = obj(obj(obj(rs.spec).template).spec);
  const health = replicaSetHealth(rs);
  const info: ReplicaSetInfo = {
    objectMeta: shortMeta(rs),
    status: health,
    icon: replicaSetIcon(health),
    revision: revisionOf(meta),
    stable: false,
    canary: false,
    active: false,
    preview: false,
    ping: false,
    pong: false,
    replicas: int(status.replicas),
    available: int(status.availableReplicas),
    template: annotation(meta, EXPERIMENT_TEMPLATE_NAME_ANNOTATION),
    scaleDownDeadline: annotation(meta, SCALE_DOWN_DEADLINE_ANNOTATION),
    images: containersOf(podSpec, 'containers').map((c) => c.image),
    initContainerImages: containersOf(podSpec, 'initContainers').map((c) => c.image),
    pods: [],
  };
  if (rollout) setRoles(info, str(obj(meta.labels)[POD_TEMPLATE_HASH_LABEL]), rollout);
  return info;
}

function replicaSetHealth(rs: KubeObject): string {
  const spec = obj(rs.spec);
  const status = obj(rs.status);
  if (int(rs.metadata.generation) > int(status.observedGeneration)) return 'Progressing';
  const failure = arr(status.conditions)
    .map(obj)
    .find((c) => str(c.type) === 'ReplicaFailure');
  if (failure && str(failure.status) === 'True') return 'ReplicaFailure';
  // An unset spec.replicas skips both replica checks, as in the original.
  const hasReplicas = typeof spec.replicas === 'number';
  if (hasReplicas && int(status.availableReplicas) < int(spec.replicas)) return 'Progressing';
  if (hasReplicas && int(spec.replicas) === 0) return 'ScaledDown';
  return 'Healthy';
}

function setRoles(info: ReplicaSetInfo, hash: string, rollout: KubeObject): void {
  const strategy = obj(obj(rollout.spec).strategy);
  const status = obj(rollout.status);
  const stableRS = str(status.stableRS);
  if (strategy.canary != null) {
    const pingPong = obj(strategy.canary).pingPong != null;
    // The stable side is "ping" unless status says pong: an empty value means ping.
    const stableIsPing = str(obj(status.canary).stablePingPong) !== 'pong';
    if (hash === stableRS) {
      info.stable = true;
      if (pingPong) {
        info.ping = stableIsPing;
        info.pong = !stableIsPing;
      }
    } else if (hash === str(status.currentPodHash)) {
      info.canary = true;
      if (pingPong) {
        info.ping = !stableIsPing;
        info.pong = stableIsPing;
      }
    }
  }
  if (strategy.blueGreen != null) {
    const blueGreen = obj(status.blueGreen);
    if (hash === stableRS) info.stable = true;
    if (hash === str(blueGreen.activeSelector)) info.active = true;
    else if (hash === str(blueGreen.previewSelector)) info.preview = true;
  }
}

function attachPods(infos: ReplicaSetInfo[], pods: readonly KubeObject[]): void {
  const byUid = new Map<string, PodInfo[]>();
  for (const info of infos) byUid.set(info.objectMeta.uid, info.pods);
  const uids = new Set(byUid.keys());
  for (const pod of pods) {
    const owner = ownerAmong(pod, uids);
    if (owner !== undefined) byUid.get(owner)?.push(podInfo(pod));
  }
  for (const info of infos) {
    info.pods.sort(
      (a, b) =>
        compareTime(a.objectMeta.creationTimestamp, b.objectMeta.creationTimestamp) ||
        compareStrings(a.objectMeta.name, b.objectMeta.name),
    );
  }
}
