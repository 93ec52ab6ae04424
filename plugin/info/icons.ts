// Status icons (../shared/spec/cli-dashboard-ops.md §2.1.1, §2.1.3–2.1.5). Each object kind maps
// its own status vocabulary; anything unknown renders as a single space so columns stay aligned.

export const ICON_WAITING = '◷';
export const ICON_PROGRESSING = '◌';
export const ICON_WARNING = '⚠';
export const ICON_UNKNOWN = '?';
export const ICON_OK = '✔';
export const ICON_BAD = '✖';
export const ICON_PAUSED = '॥';
export const ICON_NEUTRAL = '•';

export function rolloutIcon(status: string): string {
  switch (status) {
    case 'Progressing':
      return ICON_PROGRESSING;
    case 'Error':
    case 'InvalidSpec':
      return ICON_WARNING;
    case 'Paused':
      return ICON_PAUSED;
    case 'Healthy':
      return ICON_OK;
    case 'Degraded':
      return ICON_BAD;
    case 'Unknown':
      return ICON_UNKNOWN;
    case 'ScaledDown':
      return ICON_NEUTRAL;
    default:
      return ' ';
  }
}

export function replicaSetIcon(status: string): string {
  switch (status) {
    case 'Progressing':
      return ICON_PROGRESSING;
    case 'Healthy':
      return ICON_OK;
    case 'ReplicaFailure':
      return ICON_BAD;
    case 'ScaledDown':
      return ICON_NEUTRAL;
    default:
      return ' ';
  }
}

/** Analysis runs, experiments and jobs share one phase vocabulary. */
export function analysisIcon(phase: string): string {
  switch (phase) {
    case 'Successful':
      return ICON_OK;
    case 'Inconclusive':
      return ICON_UNKNOWN;
    case 'Failed':
      return ICON_BAD;
    case 'Error':
      return ICON_WARNING;
    case 'Running':
      return ICON_PROGRESSING;
    case 'Pending':
      return ICON_WAITING;
    default:
      return ' ';
  }
}

/** Pod statuses are kubectl's free-form STATUS text, so prefixes and suffixes matter too. */
export function podIcon(status: string): string {
  if (status.startsWith('Init:')) return ICON_PROGRESSING;
  if (status.startsWith('Signal:') || status.startsWith('ExitCode:')) return ICON_BAD;
  if (status.endsWith('Error') || status.startsWith('Err')) return ICON_WARNING;
  switch (status) {
    case 'Pending':
    case 'Terminating':
    case 'ContainerCreating':
      return ICON_PROGRESSING;
    case 'Running':
    case 'Completed':
      return ICON_OK;
    case 'Failed':
    case 'InvalidImageName':
    case 'CrashLoopBackOff':
      return ICON_BAD;
    case 'ImagePullBackOff':
    case 'RegistryUnavailable':
      return ICON_WARNING;
    case 'Unknown':
      return ICON_UNKNOWN;
    default:
      return ' ';
  }
}
