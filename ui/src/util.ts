// Small pure helpers shared by the pages.
import type { RolloutEvent, RolloutInfo } from './types.ts';

export type Tone = 'success' | 'failure' | 'warning' | 'pending' | 'paused' | 'unknown' | 'neutral';

/** Rollout, ReplicaSet and analysis statuses as a colour family and a glyph. */
export function statusTone(status: string | undefined): Tone {
  switch (status) {
    case 'Healthy':
    case 'Successful':
    case 'Running':
    case 'Completed':
      return 'success';
    case 'Degraded':
    case 'Failed':
    case 'ReplicaFailure':
    case 'Error':
    case 'InvalidSpec':
      return 'failure';
    case 'Inconclusive':
      return 'warning';
    case 'Paused':
      return 'paused';
    case 'Progressing':
    case 'Pending':
      return 'pending';
    case 'ScaledDown':
    case 'Terminated':
      return 'neutral';
    default:
      return 'unknown';
  }
}

export const TONE_GLYPH: Record<Tone, string> = {
  success: '✔',
  failure: '✖',
  warning: '⚠',
  pending: '◌',
  paused: '‖',
  unknown: '?',
  neutral: '•',
};

/** Pod icon classes (§3.6, last bullet). */
export function podTone(status: string | undefined, ready: string | undefined): Tone {
  const [r, t] = (ready ?? '').split('/');
  switch (status) {
    case 'Running':
      return r !== undefined && t !== undefined && r !== t ? 'pending' : 'success';
    case 'Pending':
    case 'Terminating':
    case 'ContainerCreating':
      return 'pending';
    case 'Completed':
    case 'Successful':
      return 'success';
    case 'Failed':
    case 'InvalidImageName':
    case 'CrashLoopBackOff':
      return 'failure';
    case 'ImagePullBackOff':
    case 'RegistryUnavailable':
      return 'warning';
    default:
      return 'unknown';
  }
}

/** "Requires attention": Degraded, Unknown, or Paused other than by a canary pause step. */
export function requiresAttention(r: RolloutInfo): boolean {
  return (
    r.status === 'Degraded' ||
    r.status === 'Unknown' ||
    (r.status === 'Paused' && r.message !== 'CanaryPauseStep')
  );
}

/**
 * The home page's search (§3.6): comma-separated terms, all of which must match. `key:value`
 * matches a label whose value contains the text, `key:"v"` matches it exactly, `"term"`
 * matches the name exactly, `!term` negates, anything else is a substring of the name.
 */
export function matchesSearch(r: RolloutInfo, query: string): boolean {
  const terms = query
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  return terms.every((term) => {
    let t = term;
    let negate = false;
    if (t.startsWith('!')) {
      negate = true;
      t = t.slice(1).trim();
    }
    const hit = termMatches(r, t);
    return negate ? !hit : hit;
  });
}

function unquote(s: string): { text: string; exact: boolean } {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    return { text: s.slice(1, -1), exact: true };
  }
  return { text: s, exact: false };
}

function termMatches(r: RolloutInfo, t: string): boolean {
  const name = r.objectMeta?.name ?? '';
  const colon = t.indexOf(':');
  if (colon > 0 && !t.startsWith('"')) {
    const key = t.slice(0, colon).trim();
    const { text, exact } = unquote(t.slice(colon + 1).trim());
    const v = r.objectMeta?.labels?.[key];
    if (v === undefined) return false;
    return exact ? v === text : v.toLowerCase().includes(text.toLowerCase());
  }
  const { text, exact } = unquote(t);
  return exact ? name === text : name.toLowerCase().includes(text.toLowerCase());
}

/** `30s`, `2m5s`, `1h2m`: a short countdown text. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}

/**
 * The exact pause countdown from the server's `pauseEndsAt`: `Resumes in 42s`, then
 * `Resuming…` once the instant has passed (the controller moves on at its next reconcile).
 */
export function countdownText(pauseEndsAt: string, now: number): string | undefined {
  const end = Date.parse(pauseEndsAt);
  if (Number.isNaN(end)) return undefined;
  return end > now ? `Resumes in ${shortDuration(end - now)}` : 'Resuming…';
}

/**
 * A Rollout condition as a colour family: what people should notice. An InvalidSpec or a
 * ReplicaFailure is a failure when true; Progressing false means the update stopped (deadline
 * exceeded or aborted), true is in progress unless its reason says the update is done, and
 * Unknown with RolloutPaused is how a pause shows on it; Available false is a warning (Healthy
 * false is every update's normal state, so it stays quiet); Paused true is paused.
 */
export function conditionTone(
  type: string | undefined,
  status: string | undefined,
  reason?: string,
): Tone {
  if (status === 'Unknown') return reason === 'RolloutPaused' ? 'paused' : 'unknown';
  const on = status === 'True';
  switch (type) {
    case 'InvalidSpec':
    case 'ReplicaFailure':
      return on ? 'failure' : 'neutral';
    case 'Progressing':
      if (!on) return 'failure';
      return reason === 'NewReplicaSetAvailable' ? 'success' : 'pending';
    case 'Available':
      return on ? 'success' : 'warning';
    case 'Healthy':
    case 'Completed':
      return on ? 'success' : 'neutral';
    case 'Paused':
      return on ? 'paused' : 'neutral';
    default:
      return on ? 'neutral' : 'unknown';
  }
}

/** Events newest first by lastTimestamp; equal or missing times keep the server's order. */
export function newestFirst(events: readonly RolloutEvent[]): RolloutEvent[] {
  const t = (e: RolloutEvent) => {
    const v = Date.parse(e.lastTimestamp ?? e.firstTimestamp ?? '');
    return Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
  };
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => t(b.e) - t(a.e) || a.i - b.i)
    .map(({ e }) => e);
}

/** Kubernetes-style age ("5m", "2d") of an RFC3339 time. */
export function age(ts: string | undefined, now: number): string {
  if (!ts) return '';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** A Go duration ("30s", "1m30s", "1h") or a bare number of seconds, in milliseconds. */
export function parseDuration(d: string | number | undefined): number | undefined {
  if (d === undefined || d === '') return undefined;
  if (typeof d === 'number') return d * 1000;
  if (/^\d+$/.test(d)) return Number(d) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = '';
  for (const m of d.matchAll(re)) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched += m[0];
  }
  return matched === d ? total : undefined;
}

/** `Pause: <dur>` label text: a bare number gets `s`. */
export function pauseText(d: string | number | undefined): string {
  if (d === undefined || d === '') return 'Pause';
  const s = String(d);
  return `Pause: ${/^\d+$/.test(s) ? `${s}s` : s}`;
}

/** The last two dash-separated parts of an analysis run's name. */
export function analysisLabel(name: string | undefined): string {
  const parts = (name ?? '').split('-');
  return `Analysis ${parts.slice(-2).join('-')}`;
}

/** Splits `repo/image:tag` at its last ':' (after the last '/'); no tag ⇒ undefined. */
export function splitImage(s: string): { image: string; tag: string } | undefined {
  const v = s.trim();
  const i = v.lastIndexOf(':');
  if (i <= 0 || i < v.lastIndexOf('/') || i === v.length - 1) return undefined;
  return { image: v.slice(0, i), tag: v.slice(i + 1) };
}

/** Parses a measurement value ("0.95", "[0.95]", "{…}") into the numbers it holds. */
export function measurementNumbers(value: string | undefined): number[] {
  if (value === undefined || value === '') return [];
  const direct = Number(value);
  if (value.trim() !== '' && Number.isFinite(direct)) return [direct];
  try {
    const j: unknown = JSON.parse(value);
    const flat = (x: unknown): number[] =>
      typeof x === 'number'
        ? [x]
        : typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x))
          ? [Number(x)]
          : Array.isArray(x)
            ? x.flatMap(flat)
            : [];
    return flat(j).filter((n) => Number.isFinite(n));
  } catch {
    return [];
  }
}
