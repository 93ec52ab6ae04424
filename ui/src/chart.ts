// Pure helpers of the measurement chart (components/MetricChart.tsx).

/** A number in `result[0] >= 0.95`-style conditions, to draw as a threshold. */
export function thresholdOf(cond: string | undefined): number | undefined {
  const m = cond?.match(/(?:>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)/);
  return m ? Number(m[1]) : undefined;
}

/** Round tick values (steps of 1, 2 or 5 × 10^k) covering [min, max]. */
export function niceTicks(min: number, max: number, n = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}
