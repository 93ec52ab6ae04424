// The controller's logger: winston writing to stderr, in logrus's formats because Argo's
// users grep and parse them:
//   text: time="2024-01-02T03:04:05Z" level=info msg="Started syncing rollout" namespace=ns rollout=web
//   json: {"level":"info","msg":"Started syncing rollout","namespace":"ns","rollout":"web","time":"…"}
// (logrus puts time, level, msg first in text and sorts the other fields; JSON keys are sorted,
// as Go's encoding/json does for a map; warn is printed as "warning".)
import winston from 'winston';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type Logger = winston.Logger;

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** logrus.ParseLevel's names, folded onto our four levels. Throws on anything else. */
export function parseLogLevel(value: string): LogLevel {
  switch (value.toLowerCase()) {
    case 'panic':
    case 'fatal':
    case 'error':
      return 'error';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'info':
      return 'info';
    case 'debug':
    case 'trace':
      return 'debug';
    default:
      throw new Error(`not a valid logrus Level: "${value}"`);
  }
}

/** `--logformat`: "" and "text" are text, "json" is JSON; anything else is text plus a notice. */
export function parseLogFormat(value: string): { format: LogFormat; notice?: string } {
  const v = value.toLowerCase();
  if (v === 'json') return { format: 'json' };
  if (v === '' || v === 'text') return { format: 'text' };
  return { format: 'text', notice: `Unknown log format "${value}", using text` };
}

const logrusLevel = (level: string): string => (level === 'warn' ? 'warning' : level);

/** RFC 3339 in UTC with second precision, as logrus prints time.Now() in a UTC container. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function fieldValue(v: unknown): unknown {
  if (v instanceof Error) return v.message;
  if (v instanceof Date) return rfc3339(v);
  return v;
}

function textValue(v: unknown): string {
  const x = fieldValue(v);
  if (typeof x === 'string') return x;
  if (x === undefined) return '<nil>';
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  try {
    return JSON.stringify(x) ?? Object.prototype.toString.call(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}

/** logrus quotes a value unless it only has [A-Za-z0-9-._/@^+]; quoting follows Go's %q. */
function quoteIfNeeded(s: string): string {
  if (s !== '' && /^[A-Za-z0-9\-._/@^+]+$/.test(s)) return s;
  if (s === '') return '';
  return JSON.stringify(s);
}

/** Fields of a log record other than level/message, with Symbol keys and winston internals removed. */
function fieldsOf(info: winston.Logform.TransformableInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (k === 'level' || k === 'message' || k === 'splat' || k === 'stack') continue;
    if (v === undefined) continue;
    out[k] = v;
  }
  return out;
}

export function formatText(
  time: Date,
  level: string,
  msg: string,
  fields: Record<string, unknown>,
): string {
  const parts = [
    `time=${quoteIfNeeded(rfc3339(time))}`,
    `level=${logrusLevel(level)}`,
    `msg=${quoteIfNeeded(msg)}`,
  ];
  for (const k of Object.keys(fields).sort())
    parts.push(`${k}=${quoteIfNeeded(textValue(fields[k]))}`);
  return parts.join(' ');
}

export function formatJson(
  time: Date,
  level: string,
  msg: string,
  fields: Record<string, unknown>,
): string {
  const all: Record<string, unknown> = { level: logrusLevel(level), msg, time: rfc3339(time) };
  for (const [k, v] of Object.entries(fields)) {
    // logrus keeps fixed keys; a clashing field becomes fields.<key>.
    all[k in all ? `fields.${k}` : k] = fieldValue(v);
  }
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(all).sort()) sorted[k] = all[k];
  return JSON.stringify(sorted);
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where to write; default process.stderr (stdout stays clean). */
  stream?: NodeJS.WritableStream;
  now?: () => Date;
  /** Fields on every record. */
  defaultMeta?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const now = opts.now ?? (() => new Date());
  const fmt = opts.format === 'json' ? formatJson : formatText;
  const line = winston.format.printf((info) => {
    const msg = typeof info.message === 'string' ? info.message : textValue(info.message);
    return fmt(now(), info.level, msg, fieldsOf(info));
  });
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: Object.keys(LEVELS) });
  return winston.createLogger({
    levels: LEVELS,
    level: opts.level ?? 'info',
    format: line,
    transports: [transport],
    ...(opts.defaultMeta ? { defaultMeta: opts.defaultMeta } : {}),
  });
}

/** A child logger with Argo's per-rollout fields. */
export function rolloutLogger(
  logger: Logger,
  ro: { metadata: { namespace?: string; name?: string } },
): Logger {
  return logger.child({ namespace: ro.metadata.namespace ?? '', rollout: ro.metadata.name ?? '' });
}
