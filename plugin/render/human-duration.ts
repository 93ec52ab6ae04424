// Kubernetes' HumanDuration, the AGE text kubectl prints (../shared/spec/cli-dashboard-ops.md
// §2.5): precise while young, coarser as it grows, so the column stays short.

/** Go's time.Duration limit: the age of an object without a creation time saturates here. */
const MAX_DURATION_MS = 9_223_372_036_854.775;

export function humanDuration(ms: number): string {
  // Up to a second in the future is clock skew between us and the API server, not an error.
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 192) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** The age of something created at `timestamp` (RFC3339), as of `now`. */
export function age(timestamp: string, now: Date): string {
  const ms = timestamp ? Date.parse(timestamp) : Number.NaN;
  // A missing time is Go's zero time, whose distance to now overflows a Duration and clamps.
  if (Number.isNaN(ms)) return humanDuration(MAX_DURATION_MS);
  return humanDuration(now.getTime() - ms);
}
