// A small raw HTTP client for the Kubernetes API that returns plain JSON (client-node's typed
// models drop unknown fields and turn timestamps into Dates). It applies the KubeConfig's
// auth/TLS/impersonation through kc.applyToHTTPSOptions, throttles with a token bucket
// (--qps/--burst, client-go semantics), and reports every call for the metric
// controller_clientset_k8s_request_total{kind,namespace,name,verb,status_code}.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../api/kube-object.ts';
import { TokenBucket } from '../controller/work-queue.ts';

export type { KubeObject };

export interface KubeList<T = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** The apimachinery Status body of an error response. */
export interface KubeStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    /** HTTP status; 0 when the request failed before a response. */
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: KubeStatus,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.code === 409;
export const isAlreadyExists = (e: unknown): boolean =>
  e instanceof KubeApiError && e.code === 409 && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.code === 410;

/** The labels of controller_clientset_k8s_request_total for one call. */
export interface K8sRequestInfo {
  kind: string;
  namespace: string;
  name: string;
  verb: 'Get' | 'List' | 'Watch' | 'Create' | 'Update' | 'Patch' | 'Delete' | 'Unknown';
  /** HTTP status as a string; "0" when no response arrived. */
  statusCode: string;
}

export interface RequestMetricsSink {
  incK8sRequest(info: K8sRequestInfo): void;
}

/**
 * Derives the metric labels from a request, as Argo's kubeclientmetrics does: verb from the
 * method (GET with watch=true → Watch, GET of a collection → List), kind = the URL resource
 * segment, name "N/A" for List and for events and replicasets; an Unknown verb makes kind,
 * namespace and name "Unknown".
 */
export function requestInfo(
  method: string,
  path: string,
  query: URLSearchParams | Record<string, unknown> = {},
  statusCode: number | string = 0,
): K8sRequestInfo {
  const q =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(
          Object.entries(query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]): [string, string] => [k, String(v)]),
        );
  const segs = path.split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[] = [];
  if (segs[0] === 'api') rest = segs.slice(2);
  else if (segs[0] === 'apis') rest = segs.slice(3);
  if (rest[0] === 'watch') rest = rest.slice(1);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const kind = rest[0] ?? '';
  let name = rest[1] ?? '';
  const watch = q.get('watch') === 'true' || q.get('watch') === '1' || segs.includes('watch');
  let verb: K8sRequestInfo['verb'];
  switch (method.toUpperCase()) {
    case 'GET':
      verb = watch ? 'Watch' : name ? 'Get' : 'List';
      break;
    case 'POST':
      verb = 'Create';
      break;
    case 'PUT':
      verb = 'Update';
      break;
    case 'PATCH':
      verb = 'Patch';
      break;
    case 'DELETE':
      verb = 'Delete';
      break;
    default:
      verb = 'Unknown';
  }
  if (verb === 'Unknown' || !kind) {
    return {
      kind: 'Unknown',
      namespace: 'Unknown',
      name: 'Unknown',
      verb,
      statusCode: String(statusCode),
    };
  }
  if (verb === 'List' || kind === 'events' || kind === 'replicasets') name = 'N/A';
  return { kind, namespace, name, verb, statusCode: String(statusCode) };
}

export interface ResourceRef {
  /** '' (or undefined) for the core group. */
  group?: string;
  version: string;
  /** Plural resource name, e.g. "rollouts". */
  resource: string;
  /** Undefined for cluster-scoped resources or an all-namespaces collection. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The URL path of a resource or collection: /api/v1/... or /apis/<group>/<version>/... */
export function resourcePath(r: ResourceRef): string {
  const parts = r.group ? ['apis', r.group, r.version] : ['api', r.version];
  if (r.namespace) parts.push('namespaces', r.namespace);
  parts.push(r.resource);
  if (r.name !== undefined) parts.push(r.name);
  if (r.subresource !== undefined) parts.push(r.subresource);
  return '/' + parts.map(encodeURIComponent).join('/');
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Per-request timeout; defaults to the client's timeoutMs. 0 disables it. */
  timeoutMs?: number;
}

export interface RawClientOptions {
  /** Requests per second (client-go QPS); 0 or less disables throttling. Default 40. */
  qps?: number;
  /** Burst (client-go Burst). Default 80. */
  burst?: number;
  /** Default per-request timeout in ms. Default 60 s. */
  timeoutMs?: number;
  metrics?: RequestMetricsSink;
  /** Clock for the token bucket (tests). */
  now?: () => number;
}

interface SendResult {
  status: number;
  text: string;
}

export class RawClient {
  readonly kc: KubeConfig;
  private readonly bucket: TokenBucket;
  private readonly timeoutMs: number;
  private readonly metrics: RequestMetricsSink | undefined;
  private agent: { key: string; agent: http.Agent } | undefined;

  constructor(kc: KubeConfig, opts: RawClientOptions = {}) {
    this.kc = kc;
    this.bucket = new TokenBucket(opts.qps ?? 40, opts.burst ?? 80, opts.now);
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.metrics = opts.metrics;
  }

  /** The server URL of the current cluster. */
  get server(): string {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('No currently active cluster');
    return cluster.server;
  }

  /** Waits for a rate-limiter token. Watches (started by client-node) call this too. */
  async throttle(signal?: AbortSignal): Promise<void> {
    const delay = this.bucket.reserve();
    if (delay <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, delay);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Counts one API call for controller_clientset_k8s_request_total. */
  record(method: string, path: string, query: Query | URLSearchParams, statusCode: number): void {
    this.metrics?.incK8sRequest(requestInfo(method, path, query, statusCode));
  }

  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    await this.throttle(opts.signal);
    const url = new URL(this.server.replace(/\/+$/, '') + opts.path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] = opts.contentType ?? 'application/json';
    }
    let res: SendResult;
    try {
      res = await this.send(
        opts.method,
        url,
        headers,
        payload,
        opts.signal,
        opts.timeoutMs ?? this.timeoutMs,
      );
    } catch (e) {
      this.record(opts.method, url.pathname, url.searchParams, 0);
      if (e instanceof KubeApiError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new KubeApiError(
        0,
        'ConnectionError',
        `${opts.method} ${url.pathname}: ${msg}`,
        undefined,
        {
          cause: e,
        },
      );
    }
    this.record(opts.method, url.pathname, url.searchParams, res.status);
    if (res.status >= 200 && res.status < 300) {
      return (res.text ? JSON.parse(res.text) : undefined) as T;
    }
    let status: KubeStatus | undefined;
    try {
      status = JSON.parse(res.text) as KubeStatus;
    } catch {
      status = undefined;
    }
    const reason = status?.reason ?? http.STATUS_CODES[res.status] ?? 'Unknown';
    const message =
      status?.message ??
      (res.text || `${http.STATUS_CODES[res.status] ?? 'error'} (${res.status})`);
    throw new KubeApiError(res.status, reason, message, status);
  }

  get<T = KubeObject>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>({
      method: 'GET',
      path,
      ...(query ? { query } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  list<T = KubeObject>(path: string, query?: Query, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.get<KubeList<T>>(path, query, signal);
  }

  create<T = KubeObject>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>({ method: 'POST', path, body, ...(query ? { query } : {}) });
  }

  /** PUT; a body carrying metadata.resourceVersion is a conditional update (409 on mismatch). */
  update<T = KubeObject>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>({ method: 'PUT', path, body, ...(query ? { query } : {}) });
  }

  patch<T = KubeObject>(
    path: string,
    body: unknown,
    type: PatchType = 'merge',
    query?: Query,
  ): Promise<T> {
    return this.request<T>({
      method: 'PATCH',
      path,
      body,
      contentType: PATCH_CONTENT_TYPES[type],
      ...(query ? { query } : {}),
    });
  }

  delete<T = KubeObject>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.request<T>({
      method: 'DELETE',
      path,
      ...(body !== undefined ? { body } : {}),
      ...(query ? { query } : {}),
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent?.agent.destroy();
    this.agent = undefined;
  }

  private async send(
    method: string,
    url: URL,
    extraHeaders: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<SendResult> {
    // Auth (tokens, exec plugins, client certs) is re-applied per request: it may rotate.
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const agent = this.agentFor(opts);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v : String(v);
    }
    Object.assign(headers, extraHeaders);
    if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
    const lib = url.protocol === 'https:' ? https : http;
    const signals = [signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    return new Promise<SendResult>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent,
          headers,
          ...(opts.auth ? { auth: opts.auth } : {}),
          ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * A keep-alive agent with the KubeConfig's TLS settings, rebuilt when they change (rotated
   * client certificates). Proxied clusters use the KubeConfig's own (proxy) agent per request.
   */
  private agentFor(opts: https.RequestOptions): http.Agent | undefined {
    const fresh = opts.agent;
    if (this.kc.getCurrentCluster()?.proxyUrl || !(fresh instanceof http.Agent)) {
      return fresh instanceof http.Agent ? fresh : undefined;
    }
    const tls = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      pfx: opts.pfx,
      passphrase: opts.passphrase,
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
    };
    const key = JSON.stringify(tls, (_k, v: unknown) =>
      Buffer.isBuffer(v) ? v.toString('base64') : v,
    );
    if (this.agent?.key !== key) {
      this.agent?.agent.destroy();
      const isHttps = fresh instanceof https.Agent;
      const defined = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
      this.agent = {
        key,
        agent: isHttps
          ? new https.Agent({ keepAlive: true, ...defined })
          : new http.Agent({ keepAlive: true }),
      };
    }
    fresh.destroy();
    return this.agent.agent;
  }
}
