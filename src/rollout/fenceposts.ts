// maxSurge / maxUnavailable resolution for the canary strategy
// (../shared/spec/rollout-semantics.md §6.4.1). Pure functions.
import type { IntOrString } from '../api/common.ts';

/** Argo's default for both fields: the string "25", which (like every string) is a percentage. */
export const DEFAULT_MAX_SURGE: IntOrString = '25';
export const DEFAULT_MAX_UNAVAILABLE: IntOrString = '25';

/** Go `strconv.Atoi`: optional sign, decimal digits only, no blanks, 64-bit range. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Resolves an int-or-string against `total` replicas. A number is an absolute count. Any string
 * is a percentage: every `%` is stripped and the rest parsed as a (signed decimal) integer, so
 * `"5"` means 5%. The percentage is scaled as `ceil(p·total/100)` when `roundUp`, else `floor`.
 * Returns `undefined` when the string does not parse (Go returns an error there).
 */
export function percentOrCount(
  v: IntOrString,
  total: number,
  roundUp: boolean,
): number | undefined {
  if (typeof v === 'number') return Math.trunc(v);
  const p = atoi(v.replaceAll('%', ''));
  if (p === undefined) return undefined;
  const scaled = (p * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

/**
 * §6.4.1: surge rounds up, unavailable rounds down (absent fields default to "25" = 25%); if
 * both resolve to 0, maxUnavailable becomes 1; maxUnavailable is then capped at R (so it is 0
 * when R = 0); maxSurge is never capped. An unparsable value makes Go's resolver fail, and the
 * callers (`MaxSurge`/`MaxUnavailable`) then use 0 for both; validation rejects such specs.
 */
export function resolveFenceposts(
  replicas: number,
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
): Fenceposts {
  const surge = percentOrCount(maxSurge ?? DEFAULT_MAX_SURGE, replicas, true);
  let unavailable = percentOrCount(maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, replicas, false);
  if (surge === undefined || unavailable === undefined) return { maxSurge: 0, maxUnavailable: 0 };
  if (surge === 0 && unavailable === 0) unavailable = 1;
  if (unavailable > replicas) unavailable = replicas;
  return { maxSurge: surge, maxUnavailable: unavailable };
}
