// Go `time` semantics needed by the date builtins (analysis.md §6.10): Duration (int64
// nanoseconds) with time.ParseDuration / Duration.String, Time (an instant in nanoseconds plus a
// location) with time.Parse / ParseInLocation over Go reference layouts, Time.String, and
// locations (UTC, Local, IANA names through Intl, fixed offsets).
import { Failure } from './errors.ts';
import { parseDuration as parseGoDuration } from '../duration.ts';
import { goQuote, INT64_MAX, INT64_MIN } from './gofmt.ts';

export class ExprDuration {
  constructor(readonly ns: bigint) {}
}

export class ExprLocation {
  /** `fixed` is the offset in seconds east of UTC for fabricated zones (e.g. from `+02:00`). */
  constructor(
    readonly name: string,
    readonly fixed?: number,
  ) {}

  /** Offset east of UTC in seconds and zone abbreviation at an instant (epoch ms). */
  lookup(ms: number): { offset: number; abbr: string } {
    if (this.fixed !== undefined) return { offset: this.fixed, abbr: this.name };
    if (this.name === 'UTC' || this.name === '') return { offset: 0, abbr: 'UTC' };
    const zone = this.name === 'Local' ? undefined : this.name;
    const parts = partsFormatter(zone).formatToParts(new Date(ms));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour') % 24,
      get('minute'),
      get('second'),
    );
    const offset = Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000);
    // Prefer a real abbreviation (en-US knows EDT, en-GB knows CEST) over `GMT+2`.
    let abbr = this.name;
    for (const locale of ['en-US', 'en-GB']) {
      const name = abbrFormatter(zone, locale)
        .formatToParts(new Date(ms))
        .find((p) => p.type === 'timeZoneName')?.value;
      if (name !== undefined) abbr = name;
      if (name !== undefined && !name.startsWith('GMT')) break;
    }
    return { offset, abbr };
  }
}

export const UTC = new ExprLocation('UTC');

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = `p:${zone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}
function abbrFormatter(zone: string | undefined, locale: string): Intl.DateTimeFormat {
  const key = `a:${locale}:${zone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    formatters.set(key, f);
  }
  return f;
}

/** time.LoadLocation. */
export function loadLocation(name: string): ExprLocation {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return new ExprLocation('Local');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw new Failure('runtime', `unknown time zone ${name}`, undefined);
  }
  return new ExprLocation(name);
}

export class ExprTime {
  constructor(
    /** Nanoseconds since the Unix epoch. */
    readonly ns: bigint,
    readonly loc: ExprLocation = UTC,
  ) {}

  static fromDate(d: Date): ExprTime {
    return new ExprTime(BigInt(d.getTime()) * 1_000_000n, UTC);
  }

  toDate(): Date {
    return new Date(Number(floorDiv(this.ns, 1_000_000n)));
  }

  /** RFC 3339 with nanoseconds, in the time's own offset (Go's time.RFC3339Nano). */
  toRFC3339(): string {
    return formatTime(this, true);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

// ---- durations ------------------------------------------------------------------------------

/** time.ParseDuration, failing as a runtime error with Go's message. */
export function parseDuration(orig: string): ExprDuration {
  const d = parseGoDuration(orig);
  if (!d.ok) throw new Failure('runtime', d.error, undefined);
  return new ExprDuration(d.ns);
}

/** Duration.String(): `1h0m0s`, `1.5s`, `100ms`, `0s`. */
export function durationString(d: ExprDuration): string {
  let u = d.ns < 0n ? -d.ns : d.ns;
  const neg = d.ns < 0n;
  if (u === 0n) return '0s';
  const frac = (v: bigint, prec: number): { digits: string; rest: bigint } => {
    // Go fmtFrac: prec digits of v, trailing zeros and the dot dropped.
    let digits = '';
    let print = false;
    for (let i = 0; i < prec; i++) {
      const digit = v % 10n;
      print = print || digit !== 0n;
      if (print) digits = digit.toString() + digits;
      v /= 10n;
    }
    return { digits: print ? `.${digits}` : '', rest: v };
  };
  let out: string;
  if (u < 1_000_000_000n) {
    let prec: number;
    let unit: string;
    if (u < 1_000n) {
      return `${neg ? '-' : ''}${u}ns`;
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const f = frac(u, prec);
    out = `${f.rest}${f.digits}${unit}`;
  } else {
    const f = frac(u, 9);
    u = f.rest;
    out = `${u % 60n}${f.digits}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return (neg ? '-' : '') + out;
}

// ---- calendar ---------------------------------------------------------------------------------

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
}

function wallToUtcNs(w: Wall): bigint {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.min, w.sec, 0);
  return BigInt(d.getTime()) * 1_000_000n + BigInt(w.nsec);
}

/** time.Date in a location: the instant whose wall clock in `loc` is `w`. */
export function dateIn(w: Wall, loc: ExprLocation): ExprTime {
  const utc = wallToUtcNs(w);
  if (loc.fixed !== undefined || loc.name === 'UTC' || loc.name === '') {
    return new ExprTime(utc - BigInt(loc.lookup(0).offset) * 1_000_000_000n, loc);
  }
  // Resolve the offset iteratively (as Go does with zone transitions: use the offset in effect).
  const ms = Number(floorDiv(utc, 1_000_000n));
  let offset = loc.lookup(ms).offset;
  offset = loc.lookup(ms - offset * 1000).offset;
  return new ExprTime(utc - BigInt(offset) * 1_000_000_000n, loc);
}

function wallOf(
  t: ExprTime,
): Wall & { offset: number; abbr: string; weekday: number; yday: number } {
  const ms = Number(floorDiv(t.ns, 1_000_000n));
  const { offset, abbr } = t.loc.lookup(ms);
  const shifted = t.ns + BigInt(offset) * 1_000_000_000n;
  const d = new Date(Number(floorDiv(shifted, 1_000_000n)));
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    nsec: Number(floorMod(shifted, 1_000_000_000n)),
    offset,
    abbr,
    weekday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86_400_000) + 1,
  };
}

function pad(n: number, width: number): string {
  const s = Math.abs(n).toString().padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function formatOffset(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  return colon ? `${sign}${hh}:${mm}` : `${sign}${hh}${mm}`;
}

/** Time.String() (`2006-01-02 15:04:05.999999999 -0700 MST`) or RFC3339Nano. */
export function formatTime(t: ExprTime, rfc3339 = false): string {
  const w = wallOf(t);
  let frac = w.nsec === 0 ? '' : `.${pad(w.nsec, 9).replace(/0+$/, '')}`;
  const date = `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;
  const clock = `${pad(w.hour, 2)}:${pad(w.min, 2)}:${pad(w.sec, 2)}`;
  if (rfc3339) {
    const zone = w.offset === 0 ? 'Z' : formatOffset(w.offset, true);
    return `${date}T${clock}${frac}${zone}`;
  }
  frac = frac === '.' ? '' : frac;
  const abbr = w.abbr === '' ? formatOffset(w.offset, false) : w.abbr;
  return `${date} ${clock}${frac} ${formatOffset(w.offset, false)} ${abbr}`;
}

// ---- parsing with Go layouts ------------------------------------------------------------------

type Chunk =
  | 'January'
  | 'Jan'
  | 'Monday'
  | 'Mon'
  | 'MST'
  | '01'
  | '1'
  | '02'
  | '2'
  | '_2'
  | '002'
  | '15'
  | '03'
  | '3'
  | '04'
  | '4'
  | '05'
  | '5'
  | '2006'
  | '06'
  | 'PM'
  | 'pm'
  | 'Z070000'
  | 'Z07:00:00'
  | 'Z0700'
  | 'Z07:00'
  | 'Z07'
  | '-070000'
  | '-07:00:00'
  | '-0700'
  | '-07:00'
  | '-07'
  | 'frac0'
  | 'frac9';

const PREFIX_CHUNKS: readonly Chunk[] = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
  '2006',
  '002',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '_2',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

/** Split a layout into literal text and std chunks (Go nextStdChunk, the common subset). */
function layoutChunks(layout: string): { literal: string; chunk?: Chunk; text: string }[] {
  const out: { literal: string; chunk?: Chunk; text: string }[] = [];
  let lit = '';
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    let found: Chunk | undefined;
    let text = '';
    if ((rest[0] === '.' || rest[0] === ',') && /^[.,](0+|9+)(?![0-9])/.test(rest)) {
      const m = /^[.,](0+|9+)/.exec(rest)!;
      // Only a fraction right after seconds counts in Go; accept it anywhere after digits.
      found = m[1]!.startsWith('0') ? 'frac0' : 'frac9';
      text = m[0];
    } else {
      for (const c of PREFIX_CHUNKS) {
        if (!rest.startsWith(c)) continue;
        // `Jan`/`Mon` followed by a lower-case letter is literal text; `_2006` is `_` + year.
        if ((c === 'Jan' || c === 'Mon') && /^[a-z]/.test(rest.slice(3))) break;
        if (c === '_2' && rest.startsWith('_2006')) break;
        found = c;
        text = c;
        break;
      }
    }
    if (found) {
      out.push({ literal: lit, chunk: found, text });
      lit = '';
      i += text.length;
    } else {
      lit += layout[i];
      i++;
    }
  }
  out.push({ literal: lit, text: '' });
  return out;
}

function parseError(value: string, layout: string, rest: string, elem: string, msg = ''): never {
  const text =
    msg !== ''
      ? `parsing time ${goQuote(value)}${msg}`
      : `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`;
  throw new Failure('runtime', text, undefined);
}

function lookupName(names: readonly string[], value: string, short: boolean): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const n = short ? names[i]!.slice(0, 3) : names[i]!;
    if (value.slice(0, n.length).toLowerCase() === n.toLowerCase())
      return [i, value.slice(n.length)];
  }
  return [-1, value];
}

/** time.Parse (loc UTC) / time.ParseInLocation. */
export function parseTime(layout: string, value: string, loc: ExprLocation = UTC): ExprTime {
  let v = value;
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | undefined;
  let zoneName = '';
  let utc = false;
  const num = (width: number, fixed: boolean, elem: string, rest: string): number => {
    const m = fixed ? new RegExp(`^[0-9]{${width}}`).exec(v) : /^[0-9]{1,2}/.exec(v);
    if (!m || (!fixed && width === 3 && m[0].length === 0)) parseError(value, layout, rest, elem);
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  const chunks = layoutChunks(layout);
  for (let idx = 0; idx < chunks.length; idx++) {
    const { literal, chunk, text } = chunks[idx]!;
    const following = chunks[idx + 1];
    if (!v.startsWith(literal)) parseError(value, layout, v, literal);
    v = v.slice(literal.length);
    if (!chunk) continue;
    const rest = v;
    switch (chunk) {
      case '2006':
        year = num(4, true, text, rest);
        break;
      case '06':
        year = num(2, true, text, rest);
        year += year >= 69 ? 1900 : 2000;
        break;
      case 'January':
      case 'Jan': {
        const [m, r] = lookupName(MONTHS, v, chunk === 'Jan');
        if (m < 0) parseError(value, layout, rest, text);
        month = m + 1;
        v = r;
        break;
      }
      case 'Monday':
      case 'Mon': {
        const [d, r] = lookupName(DAYS, v, chunk === 'Mon');
        if (d < 0) parseError(value, layout, rest, text);
        v = r;
        break;
      }
      case '01':
      case '1':
        month = num(2, chunk === '01', text, rest);
        if (month < 1 || month > 12) parseError(value, layout, rest, text, ': month out of range');
        break;
      case '02':
      case '2':
      case '_2':
        if (chunk === '_2' && v.startsWith(' ')) v = v.slice(1);
        day = num(2, chunk === '02', text, rest);
        break;
      case '002':
        yday = num(3, true, text, rest);
        break;
      case '15':
        hour = num(2, false, text, rest);
        if (hour > 23) parseError(value, layout, rest, text, ': hour out of range');
        break;
      case '03':
      case '3':
        hour = num(2, chunk === '03', text, rest);
        if (hour > 12) parseError(value, layout, rest, text, ': hour out of range');
        break;
      case '04':
      case '4':
        min = num(2, chunk === '04', text, rest);
        if (min > 59) parseError(value, layout, rest, text, ': minute out of range');
        break;
      case '05':
      case '5': {
        sec = num(2, chunk === '05', text, rest);
        if (sec > 59) parseError(value, layout, rest, text, ': second out of range');
        // Go accepts a fractional second after the seconds even when the layout has none.
        const m = /^[.,]([0-9]+)/.exec(v);
        const fracNext =
          following?.literal === '' && (following.chunk === 'frac0' || following.chunk === 'frac9');
        if (m && !fracNext) {
          nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
          v = v.slice(m[0].length);
        }
        break;
      }
      case 'frac0': {
        const n = text.length - 1;
        const m = new RegExp(`^[.,]([0-9]{${n}})`).exec(v);
        if (!m) parseError(value, layout, rest, text);
        nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
        v = v.slice(m[0].length);
        break;
      }
      case 'frac9': {
        const m = /^[.,]([0-9]+)/.exec(v);
        if (m) {
          nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
          v = v.slice(m[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const p = v.slice(0, 2);
        if (p.toUpperCase() === 'PM') pmSet = true;
        else if (p.toUpperCase() === 'AM') amSet = true;
        else parseError(value, layout, rest, text);
        v = v.slice(2);
        break;
      }
      case 'MST': {
        if (v.startsWith('UTC')) {
          utc = true;
          v = v.slice(3);
          break;
        }
        const m = /^(?:GMT[+-][0-9]{1,2}|[A-Z]{3,5})/.exec(v);
        if (!m) parseError(value, layout, rest, text);
        zoneName = m[0];
        v = v.slice(m[0].length);
        break;
      }
      default: {
        // Numeric zones; the Z forms also accept a literal `Z` for UTC.
        if (chunk.startsWith('Z') && v.startsWith('Z')) {
          utc = true;
          v = v.slice(1);
          break;
        }
        const shape = chunk.slice(1);
        const re =
          shape === '07'
            ? /^([+-])([0-9]{2})/
            : shape === '0700'
              ? /^([+-])([0-9]{2})([0-9]{2})/
              : shape === '07:00'
                ? /^([+-])([0-9]{2}):([0-9]{2})/
                : shape === '070000'
                  ? /^([+-])([0-9]{2})([0-9]{2})([0-9]{2})/
                  : /^([+-])([0-9]{2}):([0-9]{2}):([0-9]{2})/;
        const m = re.exec(v);
        if (!m) parseError(value, layout, rest, text);
        const off = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
        zoneOffset = m[1] === '-' ? -off : off;
        v = v.slice(m[0].length);
      }
    }
  }
  if (v !== '') parseError(value, layout, v, '', `: extra text: ${goQuote(v)}`);
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const d = new Date(Date.UTC(year, 0, yday));
    if (month < 0) month = d.getUTCMonth() + 1;
    if (day < 0) day = d.getUTCDate();
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) parseError(value, layout, '', '', ': day out of range');
  const wall = { year, month, day, hour, min, sec, nsec };
  if (utc) return dateIn(wall, UTC);
  if (zoneOffset !== undefined) {
    const t = dateIn(wall, new ExprLocation('', zoneOffset));
    const inLoc = loc.lookup(Number(floorDiv(t.ns, 1_000_000n)));
    if (inLoc.offset === zoneOffset && (zoneName === '' || zoneName === inLoc.abbr)) {
      return new ExprTime(t.ns, loc);
    }
    return new ExprTime(t.ns, new ExprLocation(zoneName, zoneOffset));
  }
  if (zoneName !== '') {
    let offset = 0;
    if (zoneName.startsWith('GMT') && zoneName.length > 3)
      offset = Number(zoneName.slice(3)) * 3600;
    return dateIn(wall, new ExprLocation(zoneName, offset));
  }
  return dateIn(wall, loc);
}

/** Go's reference layouts the `date` builtin tries when none is given. */
export const DEFAULT_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00',
  '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
];

export function addDuration(t: ExprTime, d: bigint): ExprTime {
  return new ExprTime(t.ns + d, t.loc);
}

export function clampDuration(ns: bigint): bigint {
  if (ns > INT64_MAX) return INT64_MAX;
  if (ns < INT64_MIN) return INT64_MIN;
  return ns;
}
