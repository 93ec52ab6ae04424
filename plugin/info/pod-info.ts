// Pod rows: kubectl's STATUS-column text, ready count and restarts
// (../shared/spec/cli-dashboard-ops.md §2.1.4).
import type { KubeObject } from '../../src/api/kube-object.ts';
import { podIcon } from './icons.ts';
import { arr, bool, int, obj, shortMeta, str } from './kube.ts';
import type { PodInfo } from './types.ts';

export function podInfo(pod: KubeObject): PodInfo {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const initSpecs = arr(spec.initContainers).map(obj);
  const sidecars = new Set(
    initSpecs.filter((c) => str(c.restartPolicy) === 'Always').map((c) => str(c.name)),
  );
  const totalContainers = arr(spec.containers).length;

  let reason = str(status.reason) || str(status.phase);
  let restarts = 0;
  let readyContainers = 0;
  let initializing = false;

  const initStatuses = arr(status.initContainerStatuses).map(obj);
  for (const [i, c] of initStatuses.entries()) {
    restarts += int(c.restartCount);
    const state = obj(c.state);
    const terminated = state.terminated == null ? undefined : obj(state.terminated);
    const waitingReason = str(obj(state.waiting).reason);
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (terminated) {
      reason = 'Init:' + exitText(terminated);
      initializing = true;
    } else if (sidecars.has(str(c.name)) && bool(c.started)) {
      if (bool(c.ready)) continue;
      // A started sidecar that is not ready yet stops the scan without claiming the status:
      // kubectl does the same, so the pod keeps its phase text.
    } else if (waitingReason && waitingReason !== 'PodInitializing') {
      reason = 'Init:' + waitingReason;
      initializing = true;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
      initializing = true;
    }
    break;
  }

  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(obj);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = obj(statuses[i]);
      restarts += int(c.restartCount);
      const state = obj(c.state);
      const waitingReason = str(obj(state.waiting).reason);
      if (waitingReason) {
        reason = waitingReason;
      } else if (state.terminated != null) {
        reason = exitText(obj(state.terminated));
      } else if (bool(c.ready) && state.running != null) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }

  if (pod.metadata.deletionTimestamp) {
    reason = str(status.reason) === 'NodeLost' ? 'Unknown' : 'Terminating';
  }

  return {
    objectMeta: shortMeta(pod),
    status: reason,
    icon: podIcon(reason),
    ready: `${readyContainers}/${totalContainers}`,
    restarts,
  };
}

/** A terminated container's text: its reason, else the signal, else the exit code. */
function exitText(terminated: Record<string, unknown>): string {
  const reason = str(terminated.reason);
  if (reason) return reason;
  const signal = int(terminated.signal);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated.exitCode)}`;
}
