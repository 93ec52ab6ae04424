// `kubectl argo rollouts status` output lines (../shared/spec/cli-dashboard-ops.md §1.5.5).
// The one-shot and watch forms differ, as in the original: one-shot always shows the ` - `
// separator for unfinished states, watch only when there is a message.
import type { RolloutInfo } from '../info/types.ts';

export interface StatusLineOptions {
  /** The `--watch` form (the command's default); false gives the `--watch=false` line. */
  watch?: boolean;
}

export function statusLine(
  info: Pick<RolloutInfo, 'status' | 'message'>,
  opts: StatusLineOptions = {},
): string {
  if (opts.watch) return info.message ? `${info.status} - ${info.message}` : info.status;
  if (info.status === 'Healthy' || info.status === 'Degraded') return info.status;
  return `${info.status} - ${info.message}`;
}
