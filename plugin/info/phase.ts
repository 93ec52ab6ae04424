// A Rollout's status and message as the plugin reports them (../shared/spec/cli-dashboard-ops.md
// §2.1.1). Steps 1–3 catch a status that is stale relative to the spec; a current controller
// then supplies status.phase itself, and the client-side rules below only matter for objects
// written by very old controllers.
import type { KubeObject } from '../../src/api/kube-object.ts';
import {
  WORKLOAD_GENERATION_ANNOTATION,
  annotation,
  arr,
  atoi,
  bool,
  int,
  obj,
  str,
  timeMs,
} from './kube.ts';

export interface RolloutPhase {
  status: string;
  message: string;
}

export interface PhaseOptions {
  /** True when the caller resolved spec.workloadRef into a template (rule 3 applies only then). */
  workloadResolved?: boolean;
}

const COMPLETED_ANALYSIS = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

export function rolloutPhase(rollout: KubeObject, opts: PhaseOptions = {}): RolloutPhase {
  const spec = obj(rollout.spec);
  const status = obj(rollout.status);

  if (!generationObserved(rollout)) {
    return { status: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  }
  if (bool(status.controllerPause) && arr(status.pauseConditions).length === 0) {
    return { status: 'Progressing', message: 'waiting for rollout to unpause' };
  }
  if (opts.workloadResolved && !workloadGenerationObserved(rollout)) {
    return {
      status: 'Progressing',
      message: 'waiting for rollout spec update to be observed for the reference workload',
    };
  }
  const phase = str(status.phase);
  if (phase) return { status: phase, message: str(status.message) };
  return clientSidePhase(spec, status);
}

function generationObserved(rollout: KubeObject): boolean {
  const raw = obj(rollout.status).observedGeneration;
  // The field is a string in the CRD; a number only appears in hand-written objects.
  const observed = atoi(typeof raw === 'number' ? String(raw) : str(raw));
  // Pre-0.10 controllers stored a hash here: anything non-numeric counts as observed.
  if (observed === undefined) return true;
  return observed >= int(rollout.metadata.generation);
}

function workloadGenerationObserved(rollout: KubeObject): boolean {
  const want = atoi(annotation(rollout.metadata, WORKLOAD_GENERATION_ANNOTATION));
  if (want === undefined) return true;
  const seen = atoi(str(obj(rollout.status).workloadObservedGeneration));
  if (seen === undefined) return true;
  return seen === want;
}

function clientSidePhase(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): RolloutPhase {
  for (const c of arr(status.conditions).map(obj)) {
    if (str(c.type) === 'InvalidSpec') {
      return { status: 'Degraded', message: `InvalidSpec: ${str(c.message)}` };
    }
    const reason = str(c.reason);
    if (reason === 'RolloutAborted' || reason === 'ProgressDeadlineExceeded') {
      return { status: 'Degraded', message: `${reason}: ${str(c.message)}` };
    }
  }
  if (bool(spec.paused)) return { status: 'Paused', message: 'manually paused' };
  const firstPause = arr(status.pauseConditions)[0];
  if (firstPause !== undefined) return { status: 'Paused', message: str(obj(firstPause).reason) };

  const restartAt = str(spec.restartAt);
  if (restartAt && !sameInstant(restartAt, str(status.restartedAt))) {
    return { status: 'Progressing', message: 'rollout is restarting' };
  }
  const desired = spec.replicas === undefined || spec.replicas === null ? 1 : int(spec.replicas);
  const replicas = int(status.replicas);
  const updated = int(status.updatedReplicas);
  const available = int(status.availableReplicas);
  if (updated < desired) {
    return { status: 'Progressing', message: 'more replicas need to be updated' };
  }
  if (available < updated) {
    return { status: 'Progressing', message: 'updated replicas are still becoming available' };
  }

  const strategy = obj(spec.strategy);
  const currentHash = str(status.currentPodHash);
  const stableRS = str(status.stableRS);
  if (strategy.blueGreen !== undefined && strategy.blueGreen !== null) {
    const blueGreen = obj(status.blueGreen);
    const active = str(blueGreen.activeSelector);
    if (!active || active !== currentHash) {
      return { status: 'Progressing', message: 'active service cutover pending' };
    }
    if (!stableRS || stableRS !== currentHash) {
      const postAnalysisConfigured = obj(strategy.blueGreen).postPromotionAnalysis != null;
      const runPhase = str(obj(blueGreen.postPromotionAnalysisRunStatus).status);
      if (postAnalysisConfigured && !COMPLETED_ANALYSIS.has(runPhase)) {
        return { status: 'Progressing', message: 'waiting for analysis to complete' };
      }
      return {
        status: 'Progressing',
        message: 'waiting for post-promotion verification to complete',
      };
    }
  } else if (strategy.canary !== undefined && strategy.canary !== null) {
    const trafficRouting = obj(strategy.canary).trafficRouting;
    if ((trafficRouting === undefined || trafficRouting === null) && replicas > updated) {
      return { status: 'Progressing', message: 'old replicas are pending termination' };
    }
    if (!stableRS || stableRS !== currentHash) {
      return { status: 'Progressing', message: 'waiting for all steps to complete' };
    }
  }
  return { status: 'Healthy', message: '' };
}

/** Times compare as instants (Go's Time.Equal), so `…Z` and `…+00:00` are the same restart. */
function sameInstant(a: string, b: string): boolean {
  const x = timeMs(a);
  const y = timeMs(b);
  if (x === undefined || y === undefined) return a === b;
  return x === y;
}
