// Ages as kube-apiserver prints them in Table cells. kubectl never converts a `date` cell itself
// (kubectl-wire.md §4), so whatever string is produced here is exactly what the user sees.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's zero time.Time, 0001-01-01T00:00:00Z: metav1.Time treats it as unset. */
const GO_ZERO_TIME_MS = -62135596800000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * apimachinery `duration.HumanDuration`, integer for integer. Go truncates toward zero at every
 * step (int(d.Seconds()), d / time.Minute, hours / 24), so Math.trunc is used throughout.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  // Up to 2 s (exclusive) in the future is tolerated as clock skew between machines.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Go's `time.Parse(time.RFC3339, s)` in milliseconds since the epoch, or undefined when Go would
 * reject it. Date.parse is not used because it accepts far more than Go does.
 */
export function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day < 1 || day > maxDay) return undefined;

  let offsetMs = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMs = (m[9] === '-' ? -1 : 1) * (oh * HOUR + om * MINUTE);
  }
  // Date.UTC maps years 0-99 onto 1900-1999, so set the year separately.
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year);
  const fraction = m[7] ? Number(`0${m[7]}`) * SECOND : 0;
  return d.getTime() + fraction - offsetMs;
}

/**
 * A `date` cell the way the apiextensions table convertor builds it (`cellForJSONValue` then
 * `ConvertToHumanReadableDateType`): null when the field is absent or not a string, `<unknown>`
 * for an empty or zero time, `<invalid>` when it does not parse (or lies in the future beyond
 * the skew HumanDuration tolerates), otherwise the age relative to `now`.
 */
export function ageCell(timestamp: unknown, now: Date): string | null {
  if (typeof timestamp !== 'string') return null;
  // metav1.Time.UnmarshalQueryParameter reads "" and "null" as the zero time.
  if (timestamp === '' || timestamp === 'null') return '<unknown>';
  const t = parseRfc3339(timestamp);
  if (t === undefined) return '<invalid>';
  if (t === GO_ZERO_TIME_MS) return '<unknown>';
  return humanDuration(now.getTime() - t);
}
