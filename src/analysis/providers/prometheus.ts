// The Prometheus metric provider (spec/analysis.md §4): one instant or range query per
// measurement with client_golang v1.24 request/response semantics, the §4.4 mapping of the
// result to `value`/`result`, and the §6.10 time expressions of `rangeQuery.start`/`end`.
//
// Beyond Argo: transient transport failures (connection refused/reset, DNS hiccups, OS-level
// timeouts) and 5xx answers are retried a few times with a short backoff inside the one
// measurement, within the metric's `timeout`; only then does the measurement become `Error`.
import axios, { type AxiosResponse } from 'axios';
import pRetry, { AbortError } from 'p-retry';
import { parseDuration } from '../duration.ts';
import {
  attachResult,
  clockOf,
  errorMeasurement,
  evaluatePhase,
  fetchOAuth2Token,
  goOp,
  goQuote,
  metaTime,
  OAUTH2_MISSING_PARAMS,
  proxyFor,
  setHeader,
  tlsAgents,
  TransportError,
  transportError,
  type Measurement,
  type Metric,
  type MetricProvider,
  type PrometheusMetric,
  type ProviderContext,
} from './provider.ts';

export const PROMETHEUS_ADDRESS_ENV = 'ARGO_ROLLOUTS_PROMETHEUS_ADDRESS';
/** Seconds (§4.1). */
export const DEFAULT_PROMETHEUS_TIMEOUT = 30;

// ---------------------------------------------------------------------------------------------
// Go number formatting and parsing

/**
 * Go `strconv.FormatFloat(v, 'f', -1, 64)` (model.SampleValue.String): the shortest decimal that
 * round-trips, never with an exponent; `NaN`, `+Inf`, `-Inf`, `-0`.
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const sign = m[1] ?? '';
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = 1 + Number(m[4]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go `strconv.ParseFloat(s, 64)` for what Prometheus sends; throws with Go's error text. */
export function parseGoFloat(s: string): number {
  const fail = (why: string): never => {
    throw new Error(`strconv.ParseFloat: parsing ${goQuote(s)}: ${why}`);
  };
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return special[1] ? fail('invalid syntax') : NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (/^[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(s)) {
    if (s.includes('_')) return fail('invalid syntax');
    const v = Number(s);
    if (!Number.isFinite(v)) return fail('value out of range');
    return v;
  }
  if (/^[+-]?0[xX]/.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
    if (m && ((m[2] ?? '') + (m[3] ?? '')).length > 0) {
      const mant = parseInt((m[2] ?? '') + (m[3] ?? '') || '0', 16) / 16 ** (m[3] ?? '').length;
      const v = mant * 2 ** Number(m[4]) * (m[1] === '-' ? -1 : 1);
      if (!Number.isFinite(v)) return fail('value out of range');
      return v;
    }
  }
  return fail('invalid syntax');
}

/** client_golang formatTime: Unix seconds as a shortest decimal with the fraction. */
export function formatPromTime(d: Date): string {
  return formatGoFloat(d.getTime() / 1000);
}

// ---------------------------------------------------------------------------------------------
// Go durations

/** Go `time.ParseDuration`; returns nanoseconds, throws with Go's error text. */
export function parseGoDuration(orig: string): number {
  const d = parseDuration(orig);
  if (!d.ok) throw new Error(d.error);
  return Number(d.ns);
}

// ---------------------------------------------------------------------------------------------
// Go time layouts (expr's date())

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

/** Layout elements in the order Go's nextStdChunk recognises them at one position. */
const STD_CHUNKS = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '__2',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '1',
  '2',
  '3',
  '4',
  '5',
  'PM',
  'pm',
  '-070000',
  '-07:00:00',
  '-0700',
  '-07:00',
  '-07',
  'Z070000',
  'Z07:00:00',
  'Z0700',
  'Z07:00',
  'Z07',
];

interface ParsedFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  pm?: boolean;
  /** Seconds east of UTC, when the value carried a zone. */
  offset?: number;
}

/** Go time.Parse / ParseInLocation for the layout elements real templates use. */
export function parseGoTime(layout: string, value: string, tz = 'UTC'): Date {
  const bad = (valueElem: string, layoutElem: string): never => {
    throw new Error(
      `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(valueElem)} as ${goQuote(layoutElem)}`,
    );
  };
  const range = (what: string): never => {
    throw new Error(`parsing time ${goQuote(value)}: ${what} out of range`);
  };
  const f: ParsedFields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 };
  let l = layout;
  let v = value;
  const num = (fixed: boolean, max: number): number => {
    const m = (fixed ? /^\d{2}/ : /^\d{1,2}/).exec(v);
    if (!m) throw new SyntaxError();
    v = v.slice(m[0].length);
    const n = Number(m[0]);
    if (n > max) throw new RangeError();
    return n;
  };
  while (l !== '') {
    // Literal text up to the next layout element.
    let i = 0;
    let chunk: string | undefined;
    for (; i < l.length; i++) {
      const rest = l.slice(i);
      // "_2006" is a literal "_" followed by the year.
      if (rest.startsWith('_2006')) continue;
      chunk = STD_CHUNKS.find((c) => rest.startsWith(c));
      if (chunk !== undefined) break;
      // Fractional seconds: "." or "," then a run of one repeated digit 0 or 9.
      const frac = /^[.,](0+|9+)(?!\d)/.exec(rest);
      if (frac) {
        chunk = frac[0];
        break;
      }
    }
    const literal = l.slice(0, i);
    // Go's skip(): a space in the layout matches one or more spaces.
    let lit = literal;
    while (lit !== '') {
      if (lit[0] === ' ') {
        if (v !== '' && v[0] !== ' ') bad(v, literal);
        lit = lit.replace(/^ +/, '');
        v = v.replace(/^ +/, '');
        continue;
      }
      if (v === '' || v[0] !== lit[0]) bad(v, literal);
      lit = lit.slice(1);
      v = v.slice(1);
    }
    l = l.slice(i);
    if (chunk === undefined) break;
    l = l.slice(chunk.length);
    const before = v;
    try {
      switch (chunk) {
        case 'January':
        case 'Jan': {
          const names = chunk === 'Jan' ? MONTHS.map((n) => n.slice(0, 3)) : MONTHS;
          const idx = names.findIndex(
            (n) => v.slice(0, n.length).toLowerCase() === n.toLowerCase(),
          );
          if (idx < 0) throw new SyntaxError();
          v = v.slice(names[idx]!.length);
          f.month = idx + 1;
          break;
        }
        case 'Monday':
        case 'Mon': {
          const names = chunk === 'Mon' ? DAYS.map((n) => n.slice(0, 3)) : DAYS;
          const idx = names.findIndex(
            (n) => v.slice(0, n.length).toLowerCase() === n.toLowerCase(),
          );
          if (idx < 0) throw new SyntaxError();
          v = v.slice(names[idx]!.length);
          break;
        }
        case '2006': {
          const m = /^\d{4}/.exec(v);
          if (!m) throw new SyntaxError();
          f.year = Number(m[0]);
          v = v.slice(4);
          break;
        }
        case '06': {
          const n = num(true, 99);
          f.year = n >= 69 ? 1900 + n : 2000 + n;
          break;
        }
        case '01':
        case '1':
          f.month = num(chunk === '01', 99);
          if (f.month < 1 || f.month > 12) range('month');
          break;
        case '02':
        case '2':
          f.day = num(chunk === '02', 99);
          break;
        case '_2':
          if (v[0] === ' ') v = v.slice(1);
          f.day = num(false, 99);
          break;
        case '15':
          f.hour = num(false, 99);
          if (f.hour > 23) range('hour');
          break;
        case '03':
        case '3':
          f.hour = num(chunk === '03', 99);
          if (f.hour > 12) range('hour');
          break;
        case '04':
        case '4':
          f.minute = num(chunk === '04', 99);
          if (f.minute > 59) range('minute');
          break;
        case '05':
        case '5': {
          f.second = num(chunk === '05', 99);
          if (f.second > 59) range('second');
          // Parsing accepts a fractional second even when the layout has none.
          const frac = /^[.,](\d+)/.exec(v);
          if (frac && !/^[.,](0+|9+)(?!\d)/.test(l)) {
            f.millis = Number(`0.${frac[1]}`) * 1000;
            v = v.slice(frac[0].length);
          }
          break;
        }
        case 'PM':
        case 'pm': {
          const ampm = v.slice(0, 2);
          const want = chunk === 'PM' ? ['AM', 'PM'] : ['am', 'pm'];
          if (!want.includes(ampm)) throw new SyntaxError();
          f.pm = ampm.toLowerCase() === 'pm';
          v = v.slice(2);
          break;
        }
        case 'MST': {
          if (v.startsWith('UTC')) {
            f.offset = 0;
            v = v.slice(3);
            break;
          }
          const gmt = /^GMT([+-]\d{1,2})?/.exec(v);
          if (gmt) {
            f.offset = gmt[1] ? Number(gmt[1]) * 3600 : 0;
            v = v.slice(gmt[0].length);
            break;
          }
          const abbr = /^[A-Z]{3,5}/.exec(v);
          if (!abbr) throw new SyntaxError();
          // time.Parse fabricates a zone with offset 0 for an unknown abbreviation.
          f.offset = 0;
          v = v.slice(abbr[0].length);
          break;
        }
        case '002':
        case '__2':
          throw new SyntaxError();
        default: {
          if (chunk.startsWith('-') || chunk.startsWith('Z')) {
            if (chunk.startsWith('Z') && v[0] === 'Z') {
              f.offset = 0;
              v = v.slice(1);
              break;
            }
            const colon = chunk.includes(':');
            const re =
              chunk.length <= 3
                ? /^([+-])(\d{2})/
                : colon
                  ? /^([+-])(\d{2}):(\d{2})(?::(\d{2}))?/
                  : /^([+-])(\d{2})(\d{2})(\d{2})?/;
            const m = re.exec(v);
            if (!m) throw new SyntaxError();
            const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
            f.offset = m[1] === '-' ? -secs : secs;
            v = v.slice(m[0].length);
            break;
          }
          // Fractional seconds element (.000, .999, ,000 …).
          const frac = /^[.,](\d+)/.exec(v);
          if (chunk[1] === '0') {
            if (!frac || frac[1]!.length !== chunk.length - 1) throw new SyntaxError();
          }
          if (frac) {
            f.millis = Number(`0.${frac[1]}`) * 1000;
            v = v.slice(frac[0].length);
          }
        }
      }
    } catch (e) {
      if (e instanceof SyntaxError) bad(before, chunk);
      if (e instanceof RangeError) bad(before, chunk);
      throw e;
    }
  }
  if (v !== '') throw new Error(`parsing time ${goQuote(value)}: extra text: ${goQuote(v)}`);
  if (f.pm !== undefined) {
    if (f.pm && f.hour < 12) f.hour += 12;
    else if (!f.pm && f.hour === 12) f.hour = 0;
  }
  const dim = new Date(Date.UTC(2000, f.month, 0));
  dim.setUTCFullYear(f.year, f.month, 0);
  if (f.day < 1 || f.day > dim.getUTCDate()) range('day');
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, f.millis);
  if (f.offset !== undefined) return new Date(d.getTime() - f.offset * 1000);
  return zonedToUtc(d.getTime(), tz);
}

/** Offset of `tz` at UTC instant `ms`, in ms. */
function tzOffsetMs(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    era: 'short',
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  const wall = new Date(0);
  wall.setUTCFullYear(year, get('month') - 1, get('day'));
  wall.setUTCHours(get('hour'), get('minute'), get('second'), new Date(ms).getUTCMilliseconds());
  return wall.getTime() - ms;
}

/** The instant at which the wall clock of `tz` shows `wallMs` (read as UTC fields). */
function zonedToUtc(wallMs: number, tz: string): Date {
  if (tz === 'UTC') return new Date(wallMs);
  let utc = wallMs - tzOffsetMs(wallMs, tz);
  utc = wallMs - tzOffsetMs(utc, tz);
  return new Date(utc);
}

/** Go time.LoadLocation for IANA names; "" and "UTC" are UTC, "Local" the process zone. */
function loadLocation(name: string): string {
  if (name === '' || name === 'UTC') return 'UTC';
  if (name === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
}

const DEFAULT_DATE_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00', // RFC3339
  '02 Jan 06 15:04 MST', // RFC822
  'Monday, 02-Jan-06 15:04:05 MST', // RFC850
  'Mon, 02 Jan 2006 15:04:05 MST', // RFC1123
];

// ---------------------------------------------------------------------------------------------
// Time expressions (§6.10)

type TimeValue =
  | { t: 'time'; ms: number }
  | { t: 'duration'; ns: number }
  | { t: 'string'; s: string }
  | { t: 'int'; n: number }
  | { t: 'float'; n: number }
  | { t: 'bool'; b: boolean };

const GO_TYPE: Record<TimeValue['t'], string> = {
  time: 'time.Time',
  duration: 'time.Duration',
  string: 'string',
  int: 'int',
  float: 'float64',
  bool: 'bool',
};

type Token =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number; float: boolean }
  | { k: 'id'; v: string }
  | { k: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let s = '';
      for (;;) {
        const d = src[j];
        if (d === undefined) throw new Error(`literal not terminated (1:${i + 1})`);
        j++;
        if (d === c) break;
        if (d === '\\' && c !== '`') {
          const e = src[j++];
          const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
          s += e === undefined ? '' : (esc[e] ?? e);
          continue;
        }
        s += d;
      }
      out.push({ k: 'str', v: s });
      i = j;
      continue;
    }
    const n = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (n) {
      out.push({ k: 'num', v: Number(n[0]), float: n[0].includes('.') || /e/i.test(n[0]) });
      i += n[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    if ('()+-,'.includes(c)) {
      out.push({ k: 'op', v: c });
      i++;
      continue;
    }
    throw new Error(`unexpected token ${goQuote(c)} (1:${i + 1})`);
  }
  return out;
}

/**
 * Evaluates a `rangeQuery.start`/`end` expression: `now()`, `duration("<go duration>")`,
 * `date(str[, goLayout[, tz]])`, string/number literals, parentheses and `±` between times and
 * durations. The result must be a time (`expected time.Time, but got <T>`).
 */
export function evaluateTimeExpression(expr: string, now: Date): Date {
  // Bounds the recursion of the parser below (nested parentheses, unary signs).
  if (expr.length > 4096) throw new Error('expression too long');
  const toks = tokenize(expr);
  let pos = 0;
  const peek = (): Token | undefined => toks[pos];
  const isOp = (v: string): boolean => {
    const t = peek();
    return t?.k === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) {
      const t = peek();
      throw new Error(
        t ? `unexpected token ${goQuote(String(t.v))}` : 'unexpected end of expression',
      );
    }
    pos++;
  };
  const call = (name: string, args: TimeValue[]): TimeValue => {
    const str = (a: TimeValue | undefined, fn: string, idx: number): string => {
      if (a?.t !== 'string') {
        throw new Error(
          `cannot use ${a ? GO_TYPE[a.t] : 'nil'} as argument (type string) to call ${fn} (argument ${idx})`,
        );
      }
      return a.s;
    };
    switch (name) {
      case 'now':
        if (args.length !== 0) throw new Error('too many arguments to call now');
        return { t: 'time', ms: now.getTime() };
      case 'duration':
        if (args.length !== 1) throw new Error('invalid number of arguments (expected 1)');
        return { t: 'duration', ns: parseGoDuration(str(args[0], 'duration', 1)) };
      case 'date': {
        if (args.length < 1 || args.length > 3) {
          throw new Error('invalid number of arguments (expected 1-3)');
        }
        const value = str(args[0], 'date', 1);
        if (args.length === 1) {
          for (const layout of DEFAULT_DATE_LAYOUTS) {
            try {
              return { t: 'time', ms: parseGoTime(layout, value).getTime() };
            } catch {
              /* next layout */
            }
          }
          throw new Error(`invalid date ${value}`);
        }
        const layout = str(args[1], 'date', 2);
        const tz = args.length === 3 ? loadLocation(str(args[2], 'date', 3)) : 'UTC';
        return { t: 'time', ms: parseGoTime(layout, value, tz).getTime() };
      }
      default:
        throw new Error(`unknown name ${name}`);
    }
  };
  const primary = (): TimeValue => {
    const t = peek();
    if (!t) throw new Error('unexpected end of expression');
    pos++;
    if (t.k === 'str') return { t: 'string', s: t.v };
    if (t.k === 'num') return t.float ? { t: 'float', n: t.v } : { t: 'int', n: t.v };
    if (t.k === 'op') {
      if (t.v === '(') {
        const v = additive();
        expect(')');
        return v;
      }
      if (t.v === '-' || t.v === '+') {
        const v = primary();
        if (t.v === '+') return v;
        if (v.t === 'int' || v.t === 'float') return { ...v, n: -v.n };
        if (v.t === 'duration') return { t: 'duration', ns: -v.ns };
        throw new Error(`invalid operation: - (mismatched type ${GO_TYPE[v.t]})`);
      }
      throw new Error(`unexpected token ${goQuote(t.v)}`);
    }
    if (t.v === 'true' || t.v === 'false') return { t: 'bool', b: t.v === 'true' };
    if (!isOp('(')) throw new Error(`unknown name ${t.v}`);
    pos++;
    const args: TimeValue[] = [];
    if (!isOp(')')) {
      for (;;) {
        args.push(additive());
        if (isOp(',')) {
          pos++;
          continue;
        }
        break;
      }
    }
    expect(')');
    return call(t.v, args);
  };
  const additive = (): TimeValue => {
    let left = primary();
    while (isOp('+') || isOp('-')) {
      const op = (peek() as { v: string }).v;
      pos++;
      const right = primary();
      left = combine(op, left, right);
    }
    return left;
  };
  const result = additive();
  if (pos < toks.length) throw new Error(`unexpected token ${goQuote(String(toks[pos]!.v))}`);
  if (result.t !== 'time') throw new Error(`expected time.Time, but got ${GO_TYPE[result.t]}`);
  return new Date(result.ms);
}

function combine(op: string, a: TimeValue, b: TimeValue): TimeValue {
  const sign = op === '-' ? -1 : 1;
  if (a.t === 'time' && b.t === 'duration') return { t: 'time', ms: a.ms + (sign * b.ns) / 1e6 };
  if (a.t === 'duration' && b.t === 'time' && op === '+') {
    return { t: 'time', ms: b.ms + a.ns / 1e6 };
  }
  if (a.t === 'time' && b.t === 'time' && op === '-') {
    return { t: 'duration', ns: (a.ms - b.ms) * 1e6 };
  }
  if (a.t === 'duration' && b.t === 'duration') return { t: 'duration', ns: a.ns + sign * b.ns };
  if (a.t === 'string' && b.t === 'string' && op === '+') return { t: 'string', s: a.s + b.s };
  if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) {
    const n = a.n + sign * b.n;
    return a.t === 'int' && b.t === 'int' ? { t: 'int', n } : { t: 'float', n };
  }
  throw new Error(
    `invalid operation: ${op} (mismatched types ${GO_TYPE[a.t]} and ${GO_TYPE[b.t]})`,
  );
}

// ---------------------------------------------------------------------------------------------
// Response mapping (§4.3, §4.4)

export type PrometheusMapping =
  { ok: true; value: string; result: number | number[] } | { ok: false; message: string };

export const METRIC_TYPE_NOT_SUPPORTED = 'Prometheus metric type not supported';

function sampleValue(raw: unknown): number {
  if (typeof raw !== 'string') throw new Error('sample value must be a quoted string');
  return parseGoFloat(raw);
}

function pairValue(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new Error('json: cannot unmarshal sample pair');
  }
  return sampleValue(pair[1]);
}

/**
 * The §4.4 table: Prometheus `data` (`{resultType, result}`) → the measurement `value` string
 * and the `result` handed to the conditions (scalar → number; vector/matrix → number[]).
 */
export function mapPrometheusData(data: unknown): PrometheusMapping {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, message: METRIC_TYPE_NOT_SUPPORTED };
  }
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  try {
    switch (resultType) {
      case 'scalar': {
        if (!Array.isArray(result) || result.length !== 2) {
          throw new Error('json: cannot unmarshal scalar');
        }
        if (typeof result[1] !== 'string') throw new Error('sample value must be a quoted string');
        let v: number;
        try {
          v = parseGoFloat(result[1]);
        } catch (e) {
          throw new Error(`error parsing sample value: ${(e as Error).message}`, { cause: e });
        }
        return { ok: true, value: formatGoFloat(v), result: v };
      }
      case 'vector': {
        const samples = result === null || result === undefined ? [] : result;
        if (!Array.isArray(samples)) throw new Error('json: cannot unmarshal vector');
        const values: number[] = [];
        for (const s of samples as unknown[]) {
          if (s === null) continue;
          if (typeof s !== 'object') throw new Error('json: cannot unmarshal sample');
          const sample = s as { value?: unknown; histogram?: unknown };
          // A native-histogram sample carries no float value: Go leaves it at 0.
          values.push(sample.histogram !== undefined ? 0 : pairValue(sample.value ?? [0, '0']));
        }
        return { ok: true, value: `[${values.map(formatGoFloat).join(',')}]`, result: values };
      }
      case 'matrix': {
        const series = result === null || result === undefined ? [] : result;
        if (!Array.isArray(series)) throw new Error('json: cannot unmarshal matrix');
        const values: number[] = [];
        for (const s of series as unknown[]) {
          if (s === null) continue;
          if (typeof s !== 'object') throw new Error('json: cannot unmarshal sample stream');
          const points = (s as { values?: unknown }).values ?? [];
          if (!Array.isArray(points)) throw new Error('json: cannot unmarshal sample stream');
          for (const p of points as unknown[]) values.push(pairValue(p));
        }
        return { ok: true, value: `[${values.map(formatGoFloat).join(',')}]`, result: values };
      }
      default:
        return { ok: false, message: METRIC_TYPE_NOT_SUPPORTED };
    }
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

export type PrometheusEnvelope =
  { ok: true; data: unknown; warnings: string[] } | { ok: false; message: string };

/** client_golang's apiClientImpl.Do: the HTTP status and body → data + warnings, or the error. */
export function interpretPrometheusResponse(status: number, body: string): PrometheusEnvelope {
  const apiError = status === 400 || status === 422;
  if (Math.floor(status / 100) !== 2 && !apiError) {
    if (status >= 400 && status < 500) {
      return { ok: false, message: `client_error: client error: ${status}` };
    }
    if (status >= 500 && status < 600) {
      return { ok: false, message: `server_error: server error: ${status}` };
    }
    return { ok: false, message: `bad_response: bad response code ${status}` };
  }
  let env: {
    status?: unknown;
    data?: unknown;
    errorType?: unknown;
    error?: unknown;
    warnings?: unknown;
  };
  try {
    env = JSON.parse(body) as typeof env;
    if (typeof env !== 'object' || env === null || Array.isArray(env)) {
      throw new Error('json: cannot unmarshal into apiResponse');
    }
  } catch (e) {
    const msg =
      body.trim() === ''
        ? 'unexpected end of JSON input'
        : e instanceof Error
          ? e.message
          : String(e);
    return { ok: false, message: `bad_response: ${msg}` };
  }
  if (env.status === 'error') {
    const str = (v: unknown): string =>
      typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v);
    return { ok: false, message: `${str(env.errorType)}: ${str(env.error)}` };
  }
  if (apiError && env.status === 'success') {
    return { ok: false, message: 'bad_response: inconsistent body for response code' };
  }
  const warnings = Array.isArray(env.warnings)
    ? (env.warnings as unknown[]).filter((w): w is string => typeof w === 'string')
    : [];
  if (env.data === undefined || env.data === null) {
    // json.Unmarshal of a missing `data` (nil RawMessage) into the query result.
    return { ok: false, message: 'unexpected end of JSON input' };
  }
  return { ok: true, data: env.data, warnings };
}

/** `measurement.metadata.warnings`: each warning quoted, joined by ", ". */
export function formatWarnings(warnings: string[]): string {
  return warnings.map((w) => `"${w}"`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Request building

/** Go url.Parse + non-empty scheme and host (Argo's IsUrl). */
function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol !== ':' && u.host !== '';
  } catch {
    return false;
  }
}

/** `<address path-joined with>/api/v1/<ep>` with path.Join's duplicate-slash cleaning. */
export function prometheusEndpoint(address: string, ep: 'query' | 'query_range'): string {
  const u = new URL(address);
  const segs: string[] = [];
  for (const seg of `${u.pathname}/api/v1/${ep}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segs.pop();
    else segs.push(seg);
  }
  u.pathname = '/' + segs.join('/');
  u.hash = '';
  return u.toString();
}

/** Go url.Values.Encode: keys sorted. */
function encodeForm(params: Record<string, string>): string {
  const p = new URLSearchParams();
  for (const k of Object.keys(params).sort()) p.set(k, params[k]!);
  return p.toString();
}

export interface PrometheusProviderOptions {
  /** Retries of transient failures inside one measurement. Default 2 (3 attempts). */
  retries?: number;
  /** Backoff before the first retry, ms (doubling, capped at 4×). Default 200. */
  retryMinTimeoutMs?: number;
  /** Environment for ARGO_ROLLOUTS_PROMETHEUS_ADDRESS; default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Evaluator for `rangeQuery.start`/`end` (§6.10); default evaluateTimeExpression. Lets the
   * controller plug in the full condition language.
   */
  evaluateTime?: (expr: string, now: Date) => Date;
}

interface Config {
  address: string;
  timeoutMs: number;
  headers: Record<string, string>;
  oauth2?: { tokenUrl: string; clientId: string; clientSecret: string; scopes: string[] };
}

class RetryableError extends Error {}

export class PrometheusProvider implements MetricProvider {
  private readonly retries: number;
  private readonly minTimeout: number;
  private readonly env: Record<string, string | undefined>;
  private readonly evalTime: (expr: string, now: Date) => Date;

  constructor(opts: PrometheusProviderOptions = {}) {
    this.retries = Math.max(0, opts.retries ?? 2);
    this.minTimeout = Math.max(0, opts.retryMinTimeoutMs ?? 200);
    this.env = opts.env ?? process.env;
    this.evalTime = opts.evaluateTime ?? evaluateTimeExpression;
  }

  type(): string {
    return 'prometheus';
  }

  getMetadata(metric: Metric): Record<string, string> | undefined {
    const query = metric.provider.prometheus?.query;
    return query ? { ResolvedPrometheusQuery: query } : undefined;
  }

  resume(_metric: Metric, measurement: Measurement): Promise<Measurement> {
    return Promise.resolve(measurement);
  }

  terminate(_metric: Metric, measurement: Measurement): Promise<Measurement> {
    return Promise.resolve(measurement);
  }

  /** The provider-construction checks of §4.1, in Argo's order; a string is the error. */
  private configure(p: PrometheusMetric): Config | string {
    let address = p.address ?? '';
    if (address !== '') {
      if (!isUrl(address)) return 'prometheus address is not is url format';
    } else {
      const env = this.env[PROMETHEUS_ADDRESS_ENV] ?? '';
      if (env === '') return 'prometheus address is not configured';
      if (!isUrl(env)) return 'prometheus address is not is url format';
      address = env;
    }
    const headers: Record<string, string> = {};
    for (const h of p.headers ?? []) setHeader(headers, h.key, h.value);
    const auth = p.authentication ?? {};
    const basic = auth.basicAuth;
    if (basic && (basic.username || basic.password)) {
      if (!basic.username)
        return 'missing mandatory parameter in metric for basic auth setup: username';
      if (!basic.password)
        return 'missing mandatory parameter in metric for basic auth setup: password';
      setHeader(
        headers,
        'Authorization',
        `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`,
      );
    }
    const sigv4 = auth.sigv4;
    if (
      address.includes('aps-workspaces') &&
      sigv4 &&
      (sigv4.region || sigv4.profile || sigv4.roleArn)
    ) {
      return 'prometheus sigv4 authentication (Amazon Managed Prometheus) is not supported by this controller';
    }
    let oauth2: Config['oauth2'];
    const o = auth.oauth2;
    if (o?.tokenUrl) {
      if (!o.clientId || !o.clientSecret) return OAUTH2_MISSING_PARAMS;
      oauth2 = {
        tokenUrl: o.tokenUrl,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        scopes: o.scopes ?? [],
      };
    }
    const timeout = p.timeout ?? DEFAULT_PROMETHEUS_TIMEOUT;
    if (timeout < 0) return 'prometheus timeout should not be negative';
    return { address, timeoutMs: timeout * 1000, headers, ...(oauth2 ? { oauth2 } : {}) };
  }

  async run(metric: Metric, ctx: ProviderContext): Promise<Measurement> {
    const clock = clockOf(ctx);
    const started = clock();
    const base: Measurement = { phase: 'Running', startedAt: metaTime(started) };
    const p = metric.provider.prometheus;
    if (!p) return errorMeasurement(base, 'metric has no prometheus provider', clock());
    const cfg = this.configure(p);
    if (typeof cfg === 'string') return errorMeasurement(base, cfg, clock());

    let endpoint: string;
    let params: Record<string, string>;
    const query = p.query ?? '';
    if (p.rangeQuery) {
      const rq = p.rangeQuery;
      let start: Date;
      let end: Date;
      let stepNs: number;
      try {
        start = this.evalTime(rq.start ?? '', started);
      } catch (e) {
        return errorMeasurement(
          base,
          `failed to parse rangeQuery.start as time: ${(e as Error).message}`,
          clock(),
        );
      }
      try {
        end = this.evalTime(rq.end ?? '', started);
      } catch (e) {
        return errorMeasurement(
          base,
          `failed to parse rangeQuery.end as time: ${(e as Error).message}`,
          clock(),
        );
      }
      try {
        stepNs = parseGoDuration(rq.step ?? '');
      } catch (e) {
        return errorMeasurement(
          base,
          `failed to parse rangeQuery.step as duration: ${(e as Error).message}`,
          clock(),
        );
      }
      endpoint = prometheusEndpoint(cfg.address, 'query_range');
      params = {
        query,
        start: formatPromTime(start),
        end: formatPromTime(end),
        step: formatGoFloat(stepNs / 1e9),
      };
    } else {
      endpoint = prometheusEndpoint(cfg.address, 'query');
      params = { query, time: formatPromTime(started) };
    }

    const outcome = await this.query(endpoint, params, cfg, p.insecure ?? false, ctx.signal);
    if (!outcome.ok) return errorMeasurement(base, outcome.message, clock());
    const mapped = mapPrometheusData(outcome.data);
    if (!mapped.ok) return errorMeasurement(base, mapped.message, clock());
    const evaluated = evaluatePhase(ctx.evaluate, mapped.result, metric);
    if (evaluated.phase === 'Error') {
      const m = errorMeasurement(base, evaluated.message ?? 'evaluation error', clock());
      return attachResult(m, mapped.result);
    }
    const m: Measurement = {
      ...base,
      phase: evaluated.phase,
      value: mapped.value,
      ...(outcome.warnings.length
        ? { metadata: { warnings: formatWarnings(outcome.warnings) } }
        : {}),
      finishedAt: metaTime(clock()),
    };
    return attachResult(m, mapped.result);
  }

  /** One query under the metric's deadline, transient failures retried. */
  private async query(
    endpoint: string,
    params: Record<string, string>,
    cfg: Config,
    insecure: boolean,
    signal: AbortSignal | undefined,
  ): Promise<PrometheusEnvelope> {
    const form = encodeForm(params);
    if (cfg.timeoutMs <= 0 || signal?.aborted) {
      // `timeout: 0` is an already expired context (quirk): nothing is sent.
      return {
        ok: false,
        message: `Post ${goQuote(endpoint)}: ${signal?.aborted ? 'context canceled' : 'context deadline exceeded'}`,
      };
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), cfg.timeoutMs);
    const onCancel = (): void => deadline.abort();
    signal?.addEventListener('abort', onCancel, { once: true });
    let last: Error | undefined;
    try {
      return await pRetry(
        async () => {
          if (deadline.signal.aborted && last) throw new AbortError(last);
          const env = await this.attempt(endpoint, form, cfg, insecure, deadline.signal, signal);
          if (!env.ok && /^server_error: /.test(env.message)) {
            last = new RetryableError(env.message);
            throw last;
          }
          return env;
        },
        {
          retries: this.retries,
          minTimeout: this.minTimeout,
          maxTimeout: this.minTimeout * 4,
          factor: 2,
          randomize: false,
          unref: true,
          onFailedAttempt: ({ error }) => {
            last = error;
          },
          shouldRetry: ({ error }) =>
            !deadline.signal.aborted &&
            (error instanceof RetryableError ||
              (error instanceof TransportError && error.transient)),
        },
      );
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCancel);
    }
  }

  /** DoGetFallback: POST form; on 403/405/501 the same request as GET. */
  private async attempt(
    endpoint: string,
    form: string,
    cfg: Config,
    insecure: boolean,
    deadline: AbortSignal,
    cancel: AbortSignal | undefined,
  ): Promise<PrometheusEnvelope> {
    const headers: Record<string, string> = {};
    if (cfg.oauth2) {
      try {
        const token = await fetchOAuth2Token(cfg.oauth2, { insecure, signal: deadline });
        setHeader(headers, 'Authorization', token);
      } catch (e) {
        // Go wraps the token request's error in the Prometheus request's url.Error.
        const text = `Post ${goQuote(endpoint)}: ${(e as Error).message}`;
        if (e instanceof TransportError) throw new TransportError(text, e.transient, e.deadline);
        throw new AbortError(text);
      }
    }
    // Answers are a few hundred bytes: decompressing them cost more CPU than the bytes saved
    // (bench/analysis). A user's own Accept-Encoding header still wins.
    setHeader(headers, 'Accept-Encoding', 'identity');
    for (const [k, v] of Object.entries(cfg.headers)) setHeader(headers, k, v);
    const send = async (method: 'POST' | 'GET'): Promise<AxiosResponse<ArrayBuffer>> => {
      const url =
        method === 'GET' ? `${endpoint}${endpoint.includes('?') ? '&' : '?'}${form}` : endpoint;
      try {
        return await axios.request<ArrayBuffer>({
          url,
          method,
          headers:
            method === 'POST'
              ? { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }
              : headers,
          ...(method === 'POST' ? { data: form } : {}),
          responseType: 'arraybuffer',
          transformResponse: [],
          validateStatus: () => true,
          maxRedirects: 10,
          signal: deadline,
          ...tlsAgents(insecure),
          ...proxyFor(url),
        });
      } catch (e) {
        const err = transportError(method, url, e, { deadlineExpired: deadline.aborted });
        if (err.deadline && cancel?.aborted) {
          throw new TransportError(`${goOp(method)} ${goQuote(url)}: context canceled`, false);
        }
        throw err;
      }
    };
    let res = await send('POST');
    if (res.status === 403 || res.status === 405 || res.status === 501) res = await send('GET');
    return interpretPrometheusResponse(res.status, Buffer.from(res.data).toString('utf8'));
  }
}
