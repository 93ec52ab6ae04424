// RolloutInfo as the dashboard's JSON (../shared/spec/cli-dashboard-ops.md §3.3). The original
// marshals protobuf structs with encoding/json, so zero values (0, '', false, empty lists) are
// left out of the model's own fields; embedded Kubernetes JSON (canary steps, the analysis run's
// spec and status, label and annotation maps) keeps its usual encoding and passes through as is.
import type { RolloutInfo } from './types.ts';

const VERBATIM = new Set(['steps', 'specAndStatus', 'labels', 'annotations']);

export function encodeRolloutInfo(info: RolloutInfo): Record<string, unknown> {
  return omitZero(info) as Record<string, unknown>;
}

function omitZero(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(omitZero);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (isZero(x)) continue;
    out[k] = VERBATIM.has(k) ? x : omitZero(x);
  }
  return out;
}

function isZero(x: unknown): boolean {
  return (
    x === undefined ||
    x === null ||
    x === 0 ||
    x === '' ||
    x === false ||
    (Array.isArray(x) && x.length === 0)
  );
}
