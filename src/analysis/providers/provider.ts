// The contract between the AnalysisRun controller and one metric provider (Prometheus, Web,
// Job, …), spec/analysis.md §3.6, plus helpers the providers share: measurement constructors,
// Go-style HTTP error texts, the OAuth2 client-credentials flow and loopback detection.
//
// Error convention: a provider never throws (and its promises never reject) for an expected
// failure — bad configuration, unreachable endpoint, HTTP error, unparsable response,
// condition-evaluation error. It returns a measurement with phase `Error`, `message` = the error
// text and `finishedAt` set. Only programming errors escape as exceptions. Messages never contain
// header values or other credentials the metric carries (the controller additionally replaces
// secret argument values with `*****`).
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import type {
  AnalysisPhase,
  JobMetric,
  Measurement as ApiMeasurement,
  Metric,
  PrometheusMetric,
  ProviderAuthentication,
  WebMetric,
} from '../../api/analysis.ts';

export type { AnalysisPhase, JobMetric, Metric, PrometheusMetric, WebMetric };

/** A completed phase: the measurement is finished. */
export const isCompletedPhase = (p: string): boolean =>
  p === 'Successful' || p === 'Failed' || p === 'Error' || p === 'Inconclusive';

/**
 * `status.metricResults[].measurements[]` of an AnalysisRun (§2.4) as the providers produce it:
 * the API shape with a known phase. (A type alias, so that it is assignable to the API type.)
 */
export type Measurement = {
  phase: AnalysisPhase;
  /** Error text, termination note, … */
  message?: string;
  /** RFC 3339 (metav1.Time, second precision). */
  startedAt?: string;
  /** Set when the measurement completed; absent ⇒ in flight. */
  finishedAt?: string;
  /** Provider-formatted raw value (§4.4, §5.1). */
  value?: string;
  /** Provider data (Job: job-name, job-namespace; Prometheus: warnings). */
  metadata?: Record<string, string>;
  /** For in-flight measurements: earliest time to poll the provider again. */
  resumeAt?: string;
};

/** A measurement as stored in the run's status (phase as any string); resume/terminate input. */
export type StoredMeasurement = ApiMeasurement | Measurement;

export type OAuth2Config = NonNullable<ProviderAuthentication['oauth2']>;

/** The parts of an AnalysisRun the providers read (an `AnalysisRun` qualifies). */
export type AnalysisRunLike = {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string };
  status?: { metricResults?: { name: string; count?: number; error?: number }[] };
};

/**
 * Decides a measurement's phase from the provider's `result` (§3.7, Go EvaluateResult) with the
 * metric's success/failure conditions; Error carries the message (`could not evaluate …`).
 * `(result, metric) => evaluateResult(metric, result, exprEvaluator)` from ../measurement.ts
 * fits. A thrown Error is treated like an Error outcome with its message.
 */
export type ConditionEvaluator = (
  result: unknown,
  metric: Metric,
) => { phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error'; message?: string };

export interface ProviderContext {
  run: AnalysisRunLike;
  /** Used by result-producing providers (Prometheus, Web); Job ignores it. */
  evaluate: ConditionEvaluator;
  /** Injected clock; default `() => new Date()`. */
  now?: () => Date;
  /** Cancels in-flight requests (controller shutdown). */
  signal?: AbortSignal;
}

export interface MetricProvider {
  /** Provider name as in `metric.provider.<type>`: "prometheus", "web", "job". */
  type(): string;
  /** Starts (async providers) or takes (sync providers) one measurement. Never rejects. */
  run(metric: Metric, ctx: ProviderContext): Promise<Measurement>;
  /** Polls an in-flight measurement; sync providers return it unchanged. Never rejects. */
  resume(
    metric: Metric,
    measurement: StoredMeasurement,
    ctx: ProviderContext,
  ): Promise<StoredMeasurement>;
  /** Stops an in-flight measurement; sync providers return it unchanged. Never rejects. */
  terminate(
    metric: Metric,
    measurement: StoredMeasurement,
    ctx: ProviderContext,
  ): Promise<StoredMeasurement>;
  /** Deletes provider resources beyond the newest `limit`; resolves to the error, if any. */
  garbageCollect?(metric: Metric, limit: number, ctx: ProviderContext): Promise<Error | undefined>;
  /** `MetricResult.metadata` captured when the result is created (Prometheus: the query). */
  getMetadata?(metric: Metric): Record<string, string> | undefined;
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

/** metav1.Time serialisation: RFC 3339 in UTC with second precision. */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function clockOf(ctx: { now?: () => Date } | undefined): () => Date {
  return ctx?.now ?? (() => new Date());
}

/** MarkMeasurementError: phase Error, the message, finishedAt set (kept if already set). */
export function errorMeasurement(base: StoredMeasurement, message: string, now: Date): Measurement {
  return {
    ...base,
    phase: 'Error',
    message,
    finishedAt: base.finishedAt ?? metaTime(now),
  };
}

const results = new WeakMap<Measurement, unknown>();

/** Remembers the `result` a provider handed to the condition evaluator for `m`. */
export function attachResult(m: Measurement, result: unknown): Measurement {
  results.set(m, result);
  return m;
}

/**
 * The `result` value (§4.4, §5.1) the provider passed to the conditions when it produced `m`,
 * or undefined (errors, Job, or a copy of the object). Not part of the API status.
 */
export function measurementResult(m: Measurement): unknown {
  return results.get(m);
}

/** Runs the evaluator; a thrown error becomes the Error message. */
export function evaluatePhase(
  evaluate: ConditionEvaluator,
  result: unknown,
  metric: Metric,
): { phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error'; message?: string } {
  try {
    return evaluate(result, metric);
  } catch (e) {
    return { phase: 'Error', message: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A stand-in evaluator for callers without the condition language: Successful when the metric
 * has no conditions (§3.7 "no conditions = always success"), otherwise an error.
 */
export const evaluateWithoutConditions: ConditionEvaluator = (_result, metric) => {
  if (!metric.successCondition && !metric.failureCondition) return { phase: 'Successful' };
  return { phase: 'Error', message: 'no condition evaluator is configured' };
};

// ---------------------------------------------------------------------------------------------
// HTTP helpers shared by the providers

/** 127.0.0.0/8, ::1 and localhost: requests to them never go through an env proxy. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1'
  );
}

/** Go's `%q` for the strings that appear in error messages (close enough to strconv.Quote). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's url.Error Op: "Get", "Post", … */
export function goOp(method: string): string {
  const m = method.toUpperCase();
  return m.slice(0, 1) + m.slice(1).toLowerCase();
}

/** Transport-level failure (no HTTP response), with its Go-style text. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    message: string,
    /** Worth retrying: connection refused/reset, DNS hiccup, OS-level timeout. */
    readonly transient: boolean,
    /** The overall deadline expired. */
    readonly deadline = false,
  ) {
    super(message);
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_BAD_REQUEST' && code !== 'ERR_NETWORK') {
      return code;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a Node/axios request failure to Go's `<Op> "<url>": <cause>` text (net/http url.Error),
 * e.g. `Post "http://127.0.0.1:1/api/v1/query": dial tcp 127.0.0.1:1: connect: connection refused`.
 * `timeoutSuffix` distinguishes http.Client.Timeout (web) from a context deadline (Prometheus).
 */
export function transportError(
  method: string,
  url: string,
  e: unknown,
  opts: { deadlineExpired: boolean; timeoutSuffix?: string },
): TransportError {
  const prefix = `${goOp(method)} ${goQuote(url)}: `;
  if (opts.deadlineExpired) {
    return new TransportError(
      `${prefix}context deadline exceeded${opts.timeoutSuffix ?? ''}`,
      false,
      true,
    );
  }
  let hostPort: string;
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    hostPort = `${u.hostname}:${port}`;
  } catch {
    hostPort = '';
  }
  const code = errorCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  let cause: string;
  switch (code) {
    case 'ECONNREFUSED':
      cause = `dial tcp ${hostPort}: connect: connection refused`;
      break;
    case 'ECONNRESET':
      cause = `read tcp ${hostPort}: read: connection reset by peer`;
      break;
    case 'EPIPE':
      cause = `write tcp ${hostPort}: write: broken pipe`;
      break;
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      cause = `dial tcp ${hostPort}: i/o timeout`;
      break;
    case 'ENOTFOUND':
      cause = `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: no such host`;
      break;
    case 'EAI_AGAIN':
      cause = `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: temporary failure in name resolution`;
      break;
    case 'ENETUNREACH':
      cause = `dial tcp ${hostPort}: connect: network is unreachable`;
      break;
    case 'EHOSTUNREACH':
      cause = `dial tcp ${hostPort}: connect: no route to host`;
      break;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      cause = `tls: failed to verify certificate: x509: ${msg}`;
      break;
    case 'ERR_FR_TOO_MANY_REDIRECTS':
      cause = 'stopped after 10 redirects';
      break;
    default: {
      const scheme = /^Unsupported protocol (.*):$/.exec(msg);
      cause = scheme ? `unsupported protocol scheme ${goQuote(scheme[1] ?? '')}` : msg;
    }
  }
  return new TransportError(prefix + cause, code !== undefined && TRANSIENT_CODES.has(code));
}

/** Agents for `insecure: true` (TLS verification off); undefined = axios/Node defaults. */
/**
 * Shared keep-alive agents: a measurement every second per run must not pay a TCP (and TLS)
 * handshake each time (bench/analysis). Idle sockets do not keep the process alive.
 */
const AGENTS = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
  insecure: new https.Agent({ keepAlive: true, rejectUnauthorized: false }),
};

export function tlsAgents(insecure: boolean | undefined): {
  httpsAgent: https.Agent;
  httpAgent: http.Agent;
} {
  return { httpAgent: AGENTS.http, httpsAgent: insecure ? AGENTS.insecure : AGENTS.https };
}

/** axios' proxy option: env proxies (HTTP(S)_PROXY/NO_PROXY) except for loopback targets. */
export function proxyFor(url: string): { proxy?: false } {
  try {
    return isLoopbackHost(new URL(url).hostname) ? { proxy: false } : {};
  } catch {
    return {};
  }
}

/** Error (not thrown) for the OAuth2 setup. */
export const OAUTH2_MISSING_PARAMS = 'missing mandatory parameter in metric for OAuth2 setup';

/**
 * The client-credentials token flow of golang.org/x/oauth2 (auth style auto-detect: client
 * credentials in a Basic header first, then in the form body). Returns the Authorization header
 * value or throws an Error whose message starts with `oauth2: cannot fetch token: <status>`.
 */
export async function fetchOAuth2Token(
  cfg: OAuth2Config,
  opts: { insecure?: boolean; signal?: AbortSignal },
): Promise<string> {
  const tokenUrl = cfg.tokenUrl ?? '';
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (cfg.scopes?.length) form.set('scope', cfg.scopes.join(' '));
  const attempt = async (inHeader: boolean): Promise<AxiosResponse<ArrayBuffer>> => {
    const body = new URLSearchParams(form);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    if (inHeader) {
      const id = encodeURIComponent(cfg.clientId ?? '');
      const secret = encodeURIComponent(cfg.clientSecret ?? '');
      headers.Authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    } else {
      body.set('client_id', cfg.clientId ?? '');
      body.set('client_secret', cfg.clientSecret ?? '');
    }
    try {
      return await axios.request<ArrayBuffer>({
        url: tokenUrl,
        method: 'POST',
        data: body.toString(),
        headers,
        responseType: 'arraybuffer',
        transformResponse: [],
        validateStatus: () => true,
        maxRedirects: 10,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...tlsAgents(opts.insecure),
        ...proxyFor(tokenUrl),
      });
    } catch (e) {
      throw transportError('POST', tokenUrl, e, { deadlineExpired: opts.signal?.aborted ?? false });
    }
  };
  let res = await attempt(true);
  if (res.status < 200 || res.status > 299) res = await attempt(false);
  const text = Buffer.from(res.data).toString('utf8');
  if (res.status < 200 || res.status > 299) {
    const status = `${res.status} ${res.statusText || http.STATUS_CODES[res.status] || ''}`.trim();
    throw new Error(`oauth2: cannot fetch token: ${status}\nResponse: ${text}`);
  }
  let token: { access_token?: unknown; token_type?: unknown } = {};
  const contentType = String(res.headers['content-type'] ?? '');
  if (
    contentType.includes('application/x-www-form-urlencoded') ||
    contentType.includes('text/plain')
  ) {
    const p = new URLSearchParams(text);
    token = { access_token: p.get('access_token') ?? undefined, token_type: p.get('token_type') };
  } else {
    try {
      token = JSON.parse(text) as typeof token;
    } catch (e) {
      throw new Error(`oauth2: cannot parse json: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
  }
  if (typeof token.access_token !== 'string' || token.access_token === '') {
    throw new Error('oauth2: server response missing access_token');
  }
  const type = typeof token.token_type === 'string' ? token.token_type : '';
  // x/oauth2 Token.Type(): bearer/mac/basic are canonicalised, empty means Bearer.
  const canonical =
    type === '' || type.toLowerCase() === 'bearer'
      ? 'Bearer'
      : type.toLowerCase() === 'mac'
        ? 'MAC'
        : type.toLowerCase() === 'basic'
          ? 'Basic'
          : type;
  return `${canonical} ${token.access_token}`;
}

/** Sets `key` on `headers` replacing any case variant (Go's Header.Set). */
export function setHeader(headers: Record<string, string>, key: string, value: string): void {
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() === key.toLowerCase()) delete headers[k];
  }
  headers[key] = value;
}
