// Reading a Metric's numbers the way the Go controller does (analysis.md §1.4): int-or-string
// fields through Kubernetes IntOrString.IntValue(), the limits' defaults, and the effective count.
import type { Metric } from '../api/analysis.ts';
import type { IntOrString } from '../api/common.ts';

export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function intValueBig(v: IntOrString | null | undefined): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  // strconv.Atoi: optional sign, base-10 digits only; out of range clamps (and IntValue ignores
  // the error); anything else is 0.
  if (!/^[+-]?[0-9]+$/.test(v)) return 0n;
  const n = BigInt(v);
  return n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : n;
}

/** IntOrString.IntValue(): an int as is, a string parsed base-10, unparsable ⇒ 0 silently. */
export function intValue(v: IntOrString | null | undefined): number {
  return Number(intValueBig(v));
}

/** Go's int32(x.IntValue()), as the controller compares counters (wraps like Go). */
export function int32Value(v: IntOrString | null | undefined): number {
  return Number(BigInt.asIntN(32, intValueBig(v)));
}

/**
 * The effective count (§1.4): `count` when it is non-zero (negative included), 1 when it is
 * absent/0/unparsable and there is no interval, undefined (run until terminated) otherwise.
 */
export function effectiveCount(m: Pick<Metric, 'count' | 'interval'>): number | undefined {
  if (m.count === undefined || m.count === null || intValue(m.count) === 0) {
    return (m.interval ?? '') === '' ? 1 : undefined;
  }
  return int32Value(m.count);
}

/** failureLimit, absent ⇒ 0; -1 disables it. */
export function failureLimit(m: Pick<Metric, 'failureLimit'>): number {
  return int32Value(m.failureLimit);
}

/** inconclusiveLimit, absent ⇒ 0. */
export function inconclusiveLimit(m: Pick<Metric, 'inconclusiveLimit'>): number {
  return int32Value(m.inconclusiveLimit);
}

/** consecutiveErrorLimit, absent ⇒ 4; present but unparsable ⇒ 0 (a quirk kept from Go). */
export function consecutiveErrorLimit(m: Pick<Metric, 'consecutiveErrorLimit'>): number {
  if (m.consecutiveErrorLimit === undefined || m.consecutiveErrorLimit === null) {
    return DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  }
  return int32Value(m.consecutiveErrorLimit);
}

/** consecutiveSuccessLimit, absent ⇒ 0 (disabled). */
export function consecutiveSuccessLimit(m: Pick<Metric, 'consecutiveSuccessLimit'>): number {
  return int32Value(m.consecutiveSuccessLimit);
}
