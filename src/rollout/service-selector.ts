// Pointing a Service at one ReplicaSet through the pod-template-hash selector
// (traffic-routing §1, rollout-semantics §5.6/§6.6). Never at pods that are not available.
import type { KubeObject } from '../api/kube-object.ts';
import { MANAGED_BY_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from './labels.ts';
import type { RsView } from './replicasets.ts';

export function serviceSelectorHash(svc: KubeObject | undefined): string {
  const sel = (svc?.spec as { selector?: Record<string, string> } | undefined)?.selector;
  return sel?.[POD_TEMPLATE_HASH_LABEL] ?? '';
}

/**
 * Whether the Service may be switched to `target` now: the RS needs an available pod, and a
 * Service we do not manage yet is only adopted once the RS is fully available.
 */
export function canSwitch(svc: KubeObject, target: RsView | undefined): boolean {
  if (!target) return false;
  if (target.availableReplicas < 1) return false;
  const managed = svc.metadata.annotations?.[MANAGED_BY_ANNOTATION] !== undefined;
  if (!managed) return target.specReplicas !== 0 && target.availableReplicas >= target.specReplicas;
  return true;
}

/** The merge patch that points `svc` at `hash`, or undefined when it already does. */
export function selectorPatch(
  svc: KubeObject,
  hash: string,
  rolloutName: string,
): object | undefined {
  const managed = svc.metadata.annotations?.[MANAGED_BY_ANNOTATION];
  if (serviceSelectorHash(svc) === hash && managed !== undefined) return undefined;
  return {
    metadata: {
      resourceVersion: svc.metadata.resourceVersion,
      ...(managed === undefined ? { annotations: { [MANAGED_BY_ANNOTATION]: rolloutName } } : {}),
    },
    spec: { selector: { [POD_TEMPLATE_HASH_LABEL]: hash } },
  };
}

/** Undoes our selector on a Service whose Rollout is gone (only when we manage it). */
export function releasePatch(svc: KubeObject): object | undefined {
  if (svc.metadata.annotations?.[MANAGED_BY_ANNOTATION] === undefined) return undefined;
  return {
    metadata: {
      resourceVersion: svc.metadata.resourceVersion,
      annotations: { [MANAGED_BY_ANNOTATION]: null },
    },
    spec: { selector: { [POD_TEMPLATE_HASH_LABEL]: null } },
  };
}
