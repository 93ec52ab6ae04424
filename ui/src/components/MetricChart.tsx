// Measurements over time as a hand-written SVG line chart: one point per measurement, a
// circle for success and a cross for failure, plus the condition's threshold when it has one.
import type { Measurement } from '../types.ts';
import { niceTicks, thresholdOf } from '../chart.ts';
import { measurementNumbers, statusTone } from '../util.ts';

const W = 880;
const H = 250;
const PAD = { left: 52, right: 16, top: 14, bottom: 34 };

interface Point {
  t: number;
  v: number;
  phase: string;
  raw: string;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e6)) return v.toExponential(1);
  return Number.isInteger(v)
    ? String(v)
    : v
        .toFixed(a < 1 ? 3 : 2)
        .replace(/0+$/, '')
        .replace(/\.$/, '');
}

function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function MetricChart({
  measurements,
  successCondition,
  failureCondition,
}: {
  measurements: Measurement[];
  successCondition?: string | undefined;
  failureCondition?: string | undefined;
}) {
  const points: Point[] = measurements.flatMap((m, i) => {
    const nums = measurementNumbers(m.value);
    const ts = Date.parse(m.finishedAt ?? m.startedAt ?? '');
    if (nums.length === 0) return [];
    return [
      {
        t: Number.isNaN(ts) ? i : ts,
        v: nums[0]!,
        phase: m.phase ?? 'Pending',
        raw: m.value ?? '',
      },
    ];
  });
  if (points.length === 0) {
    return (
      <p className="muted chart-empty">
        {measurements.length
          ? 'The measurements are not numeric; see the table.'
          : 'Waiting for the first measurement…'}
      </p>
    );
  }
  const threshold = thresholdOf(successCondition) ?? thresholdOf(failureCondition);
  const vs = points.map((p) => p.v).concat(threshold !== undefined ? [threshold] : []);
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  if (lo === hi) {
    lo = lo === 0 ? 0 : lo - Math.abs(lo) * 0.1;
    hi = hi === 0 ? 1 : hi + Math.abs(hi) * 0.1;
  } else {
    const pad = (hi - lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const t0 = Math.min(...points.map((p) => p.t));
  const t1 = Math.max(...points.map((p) => p.t));
  const x = (t: number) =>
    t1 === t0
      ? (PAD.left + W - PAD.right) / 2
      : PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const line = points
    .map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
    .join(' ');
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Chart of ${points.length} measurements`}
        className="metric-chart"
      >
        {niceTicks(lo, hi).map((v) => (
          <g key={v} className="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {fmt(v)}
            </text>
          </g>
        ))}
        <line
          className="axis"
          x1={PAD.left}
          x2={W - PAD.right}
          y1={H - PAD.bottom}
          y2={H - PAD.bottom}
        />
        <text className="axis-label" x={PAD.left} y={H - 10}>
          {clock(t0)}
        </text>
        {t1 !== t0 ? (
          <text className="axis-label" x={W - PAD.right} y={H - 10} textAnchor="end">
            {clock(t1)}
          </text>
        ) : null}
        {threshold !== undefined ? (
          <g className="threshold">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(threshold)} y2={y(threshold)} />
            <text x={W - PAD.right} y={y(threshold) - 4} textAnchor="end">
              {fmt(threshold)}
            </text>
          </g>
        ) : null}
        <path className="series" d={line} />
        {points.map((p, i) => {
          const cx = x(p.t);
          const cy = y(p.v);
          const tone = statusTone(p.phase);
          return (
            <g key={i} className={`point tone-${tone}`} data-phase={p.phase}>
              <title>{`${new Date(p.t).toLocaleTimeString()}: ${p.raw} (${p.phase})`}</title>
              {tone === 'failure' ? (
                <path
                  d={`M${cx - 5},${cy - 5} L${cx + 5},${cy + 5} M${cx - 5},${cy + 5} L${cx + 5},${cy - 5}`}
                />
              ) : tone === 'success' ? (
                <circle cx={cx} cy={cy} r={4.5} />
              ) : (
                <rect x={cx - 4} y={cy - 4} width={8} height={8} />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span className="tone-success">● success</span>{' '}
        <span className="tone-failure">✖ failure</span>{' '}
        <span className="tone-warning">■ other</span>
        {threshold !== undefined ? <span className="muted"> ┄ threshold</span> : null}
      </figcaption>
    </figure>
  );
}
