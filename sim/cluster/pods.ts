// Helpers about pod state shared by the simulated ReplicaSet controller and kubelet.
import type { KubeObject } from '../registry/types.ts';

interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export function podConditions(pod: KubeObject): PodCondition[] {
  return (pod.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? [];
}

export function isPodReady(pod: KubeObject): boolean {
  return podConditions(pod).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Milliseconds since the pod became Ready, or undefined when it is not ready. */
export function readySinceMs(pod: KubeObject, now: number): number | undefined {
  const c = podConditions(pod).find((x) => x.type === 'Ready' && x.status === 'True');
  if (!c) return undefined;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : now;
  return now - t;
}

export function controllerUid(obj: KubeObject): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

export function podPhase(pod: KubeObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? 'Pending';
}
