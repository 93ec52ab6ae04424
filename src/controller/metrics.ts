// Prometheus metrics with Argo Rollouts' names and labels (cli-dashboard-ops.md §4.2), on a
// dedicated prom-client Registry per controller instance, plus the tiny node:http servers for
// /metrics (metrics port) and /healthz (healthz port).
//
// analysis_run_* live in analysis-metrics.ts. Not here yet: experiment_*, analysis_template_*
// and notification_*, which belong to controllers that do not exist yet.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { K8sRequestInfo, RequestMetricsSink } from '../kube/raw-client.ts';
import type { WorkQueueMetrics } from './work-queue.ts';
import {
  registerAnalysisMetrics,
  type AnalysisMetrics,
  type AnalysisRunLike,
} from './analysis-metrics.ts';

/** The fields of a Rollout the collect-time gauges read (any Rollout object satisfies it). */
export interface RolloutLike {
  metadata: { namespace?: string; name?: string };
  spec?: {
    replicas?: number;
    strategy?: {
      blueGreen?: unknown;
      canary?: { trafficRouting?: Record<string, unknown> | undefined } | undefined;
    };
  };
  status?: {
    replicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type: string; reason?: string; status?: string }[];
  };
}

export const ROLLOUT_PHASES = [
  'Completed',
  'Progressing',
  'Paused',
  'Timeout',
  'Error',
  'Abort',
] as const;
export type RolloutMetricPhase = (typeof ROLLOUT_PHASES)[number] | 'InvalidSpec';

/** rollout_info.strategy: blueGreen, canary or none. */
export function strategyOf(ro: RolloutLike): 'blueGreen' | 'canary' | 'none' {
  if (ro.spec?.strategy?.blueGreen) return 'blueGreen';
  if (ro.spec?.strategy?.canary) return 'canary';
  return 'none';
}

/** traffic_router: the last of ALB, Ambassador, Istio, Nginx, SMI, AppMesh that is set, else "". */
export function trafficRouterOf(ro: RolloutLike): string {
  const tr = ro.spec?.strategy?.canary?.trafficRouting;
  if (!tr) return '';
  let out = '';
  const order: [string, string][] = [
    ['alb', 'ALB'],
    ['ambassador', 'Ambassador'],
    ['istio', 'Istio'],
    ['nginx', 'Nginx'],
    ['smi', 'SMI'],
    ['appMesh', 'AppMesh'],
  ];
  for (const [field, name] of order) if (tr[field] != null) out = name;
  return out;
}

/** rollout_info.phase (not status.phase): from the Progressing condition's reason, InvalidSpec first. */
export function metricPhaseOf(ro: RolloutLike): RolloutMetricPhase {
  const conditions = ro.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'InvalidSpec')) return 'InvalidSpec';
  const progressing = conditions.find((c) => c.type === 'Progressing');
  switch (progressing?.reason) {
    case 'NewReplicaSetAvailable':
      return 'Completed';
    case 'RolloutPaused':
      return 'Paused';
    case 'ReplicaSetCreateError':
      return 'Error';
    case 'ProgressDeadlineExceeded':
      return 'Timeout';
    case 'RolloutAborted':
      return 'Abort';
    default:
      return 'Progressing';
  }
}

export type DurationStatus =
  'Promoted' | 'FastPromoted' | 'Aborted' | 'Superseded' | 'RolledBack' | 'FastRolledBack';

const RECONCILE_BUCKETS = [0.01, 0.15, 0.25, 0.5, 1];
// The spec gives "30…28800" (30 s to 8 h); the points in between are ours.
const DURATION_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800];
// client-go workqueue: prometheus.ExponentialBuckets(10e-9, 10, 10).
const WORKQUEUE_BUCKETS = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

/** Per-object series are removed this long after the object is deleted (final scrape). */
export const CLEANUP_DELAY_MS = 65_000;

export interface ControllerMetricsOptions {
  /** The Rollouts to report, read at scrape time (typically the informer cache). */
  getRollouts?: () => Iterable<RolloutLike> | Promise<Iterable<RolloutLike>>;
  /** The AnalysisRuns to report (analysis_run_* gauges), read at scrape time. */
  getAnalysisRuns?: () => Iterable<AnalysisRunLike>;
  version?: string;
  commit?: string;
  /** process_* / nodejs_* collectors. Default true. */
  defaultMetrics?: boolean;
  cleanupDelayMs?: number;
  now?: () => number;
}

function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
}

export class ControllerMetrics implements RequestMetricsSink {
  readonly registry = new Registry();
  readonly rolloutReconcile: Histogram<'namespace' | 'name'>;
  readonly rolloutReconcileError: Counter<'namespace' | 'name'>;
  readonly analysisRunReconcile: AnalysisMetrics['reconcile'];
  readonly analysisRunReconcileError: AnalysisMetrics['reconcileError'];
  readonly rolloutEvents: Counter<'namespace' | 'name' | 'type' | 'reason'>;
  readonly rolloutDuration: Histogram<'status'>;
  readonly rolloutProgressionDuration: Histogram<'status'>;
  readonly rolloutManualPauseDuration: Histogram<'status'>;
  readonly k8sRequests: Counter<'kind' | 'namespace' | 'name' | 'verb' | 'status_code'>;
  private readonly wq: {
    adds: Counter<'name'>;
    depth: Gauge<'name'>;
    queueDuration: Histogram<'name'>;
    workDuration: Histogram<'name'>;
    retries: Counter<'name'>;
  };
  private readonly processingByQueue = new Map<string, ReadonlyMap<unknown, number>>();
  private readonly eventLabels = new Map<string, Set<string>>();
  private readonly cleanupTimers = new Map<string, NodeJS.Timeout>();
  private readonly opts: ControllerMetricsOptions;

  constructor(opts: ControllerMetricsOptions = {}) {
    this.opts = opts;
    const registers = [this.registry];
    const getRollouts = async (): Promise<RolloutLike[]> => [
      ...((await opts.getRollouts?.()) ?? []),
    ];
    const perRollout = (
      name: string,
      help: string,
      value: (ro: RolloutLike) => number,
    ): Gauge<'namespace' | 'name'> =>
      new Gauge({
        name,
        help,
        labelNames: ['namespace', 'name'] as const,
        registers,
        async collect() {
          this.reset();
          for (const ro of await getRollouts()) {
            this.set(
              { namespace: ro.metadata.namespace ?? '', name: ro.metadata.name ?? '' },
              value(ro),
            );
          }
        },
      });

    new Gauge({
      name: 'rollout_info',
      help: 'Information about rollout.',
      labelNames: ['namespace', 'name', 'strategy', 'traffic_router', 'phase'] as const,
      registers,
      async collect() {
        this.reset();
        for (const ro of await getRollouts()) {
          this.set(
            {
              namespace: ro.metadata.namespace ?? '',
              name: ro.metadata.name ?? '',
              strategy: strategyOf(ro),
              traffic_router: trafficRouterOf(ro),
              phase: metricPhaseOf(ro),
            },
            1,
          );
        }
      },
    });
    perRollout(
      'rollout_info_replicas_available',
      'The number of available replicas per rollout.',
      (ro) => ro.status?.availableReplicas ?? 0,
    );
    perRollout(
      'rollout_info_replicas_unavailable',
      'The number of unavailable replicas per rollout.',
      (ro) => (ro.status?.replicas ?? 0) - (ro.status?.availableReplicas ?? 0),
    );
    perRollout(
      'rollout_info_replicas_desired',
      'The number of desired replicas per rollout.',
      (ro) => ro.spec?.replicas ?? 1,
    );
    perRollout(
      'rollout_info_replicas_updated',
      'The number of updated replicas per rollout.',
      (ro) => ro.status?.updatedReplicas ?? 0,
    );
    new Gauge({
      name: 'rollout_phase',
      help: 'Information on the state of the rollout (DEPRECATED - use rollout_info)',
      labelNames: ['namespace', 'name', 'strategy', 'phase'] as const,
      registers,
      async collect() {
        this.reset();
        for (const ro of await getRollouts()) {
          const current = metricPhaseOf(ro);
          const base = {
            namespace: ro.metadata.namespace ?? '',
            name: ro.metadata.name ?? '',
            strategy: strategyOf(ro),
          };
          for (const phase of ROLLOUT_PHASES)
            this.set({ ...base, phase }, phase === current ? 1 : 0);
        }
      },
    });

    const analysis = registerAnalysisMetrics(
      this.registry,
      () => opts.getAnalysisRuns?.() ?? [],
      RECONCILE_BUCKETS,
    );
    this.analysisRunReconcile = analysis.reconcile;
    this.analysisRunReconcileError = analysis.reconcileError;
    this.rolloutReconcile = new Histogram({
      name: 'rollout_reconcile',
      help: 'Rollout reconciliation performance.',
      labelNames: ['namespace', 'name'] as const,
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.rolloutReconcileError = new Counter({
      name: 'rollout_reconcile_error',
      help: 'Error occurring during the rollout',
      labelNames: ['namespace', 'name'] as const,
      registers,
    });
    this.rolloutEvents = new Counter({
      name: 'rollout_events_total',
      help: 'Count of rollout events',
      labelNames: ['namespace', 'name', 'type', 'reason'] as const,
      registers,
    });
    const duration = (name: string, help: string): Histogram<'status'> =>
      new Histogram({
        name,
        help,
        labelNames: ['status'] as const,
        buckets: DURATION_BUCKETS,
        registers,
      });
    this.rolloutDuration = duration(
      'rollout_duration_seconds',
      'Total time of a finished rollout update.',
    );
    this.rolloutProgressionDuration = duration(
      'rollout_progression_duration_seconds',
      'Time of a finished rollout update minus the time spent in manual pauses.',
    );
    this.rolloutManualPauseDuration = duration(
      'rollout_manual_pause_duration_seconds',
      'Time a finished rollout update spent waiting on manual promotion.',
    );
    this.k8sRequests = new Counter({
      name: 'controller_clientset_k8s_request_total',
      help: 'Number of kubernetes requests executed during application reconciliation.',
      labelNames: ['kind', 'namespace', 'name', 'verb', 'status_code'] as const,
      registers,
    });

    const version = opts.version ?? 'unknown';
    new Gauge({
      name: 'argo_rollouts_controller_info',
      help: 'Running Argo-rollouts version',
      labelNames: ['version'] as const,
      registers,
    }).set({ version }, 1);
    new Gauge({
      name: 'build_info',
      help: 'A metric with a constant 1 value labeled by version from which Argo-Rollouts was built.',
      labelNames: ['version', 'goversion', 'goarch', 'commit'] as const,
      registers,
    }).set(
      {
        version,
        goversion: process.version,
        goarch: goArch(process.arch),
        commit: opts.commit ?? 'unknown',
      },
      1,
    );

    const processing = this.processingByQueue;
    const nowMs = opts.now ?? Date.now;
    this.wq = {
      adds: new Counter({
        name: 'workqueue_adds_total',
        help: 'Total number of adds handled by workqueue',
        labelNames: ['name'] as const,
        registers,
      }),
      depth: new Gauge({
        name: 'workqueue_depth',
        help: 'Current depth of workqueue',
        labelNames: ['name'] as const,
        registers,
      }),
      queueDuration: new Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested.',
        labelNames: ['name'] as const,
        buckets: WORKQUEUE_BUCKETS,
        registers,
      }),
      workDuration: new Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes.',
        labelNames: ['name'] as const,
        buckets: WORKQUEUE_BUCKETS,
        registers,
      }),
      retries: new Counter({
        name: 'workqueue_retries_total',
        help: 'Total number of retries handled by workqueue',
        labelNames: ['name'] as const,
        registers,
      }),
    };
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      labelNames: ['name'] as const,
      registers,
      collect() {
        const now = nowMs();
        for (const [name, m] of processing) {
          let total = 0;
          for (const started of m.values()) total += now - started;
          this.set({ name }, total / 1000);
        }
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'] as const,
      registers,
      collect() {
        const now = nowMs();
        for (const [name, m] of processing) {
          let oldest = now;
          for (const started of m.values()) oldest = Math.min(oldest, started);
          this.set({ name }, (now - oldest) / 1000);
        }
      },
    });

    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** RequestMetricsSink: one API call (wire this into RawClient's `metrics` option). */
  incK8sRequest(info: K8sRequestInfo): void {
    this.k8sRequests.inc({
      kind: info.kind,
      namespace: info.namespace,
      name: info.name,
      verb: info.verb,
      status_code: info.statusCode,
    });
  }

  observeRolloutReconcile(namespace: string, name: string, seconds: number): void {
    this.cancelCleanup(namespace, name);
    this.rolloutReconcile.observe({ namespace, name }, seconds);
  }

  incRolloutReconcileError(namespace: string, name: string): void {
    this.cancelCleanup(namespace, name);
    this.rolloutReconcileError.inc({ namespace, name });
  }

  /** Counts an Event emitted on a Rollout (rollout_events_total). */
  incRolloutEvent(namespace: string, name: string, type: string, reason: string): void {
    this.cancelCleanup(namespace, name);
    const key = `${namespace}/${name}`;
    let set = this.eventLabels.get(key);
    if (!set) this.eventLabels.set(key, (set = new Set()));
    set.add(JSON.stringify([type, reason]));
    this.rolloutEvents.inc({ namespace, name, type, reason });
  }

  observeRolloutDurations(
    status: DurationStatus,
    totalSeconds: number,
    manualPauseSeconds: number,
  ): void {
    this.rolloutDuration.observe({ status }, totalSeconds);
    this.rolloutProgressionDuration.observe({ status }, totalSeconds - manualPauseSeconds);
    this.rolloutManualPauseDuration.observe({ status }, manualPauseSeconds);
  }

  /** Removes the rollout's per-object series after the cleanup delay (65 s), leaving a final scrape. */
  rolloutDeleted(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    this.cancelCleanup(namespace, name);
    const t = setTimeout(() => {
      this.cleanupTimers.delete(key);
      this.removeRolloutSeries(namespace, name);
    }, this.opts.cleanupDelayMs ?? CLEANUP_DELAY_MS);
    t.unref();
    this.cleanupTimers.set(key, t);
  }

  /** Removes the rollout's reconcile/error/event series now. */
  removeRolloutSeries(namespace: string, name: string): void {
    this.rolloutReconcile.remove({ namespace, name });
    this.rolloutReconcileError.remove({ namespace, name });
    const key = `${namespace}/${name}`;
    for (const tr of this.eventLabels.get(key) ?? []) {
      const [type, reason] = JSON.parse(tr) as [string, string];
      this.rolloutEvents.remove({ namespace, name, type, reason });
    }
    this.eventLabels.delete(key);
  }

  /** The WorkQueueMetrics hooks for a queue named e.g. "Rollouts". */
  workQueueMetrics(name: string): WorkQueueMetrics {
    const { adds, depth, queueDuration, workDuration, retries } = this.wq;
    depth.set({ name }, 0);
    this.processingByQueue.set(name, new Map());
    return {
      add: () => adds.inc({ name }),
      depth: (n) => depth.set({ name }, n),
      queueLatency: (s) => queueDuration.observe({ name }, s),
      workDuration: (s) => workDuration.observe({ name }, s),
      retry: () => retries.inc({ name }),
      processing: (m) => this.processingByQueue.set(name, m),
    };
  }

  /** The exposition text (what /metrics serves). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Rollouts ("namespace/name") whose series are waiting for their cleanup. */
  pendingCleanups(): string[] {
    return [...this.cleanupTimers.keys()];
  }

  /** Cancels pending cleanups (call on shutdown). */
  close(): void {
    for (const t of this.cleanupTimers.values()) clearTimeout(t);
    this.cleanupTimers.clear();
  }

  private cancelCleanup(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const t = this.cleanupTimers.get(key);
    if (t) {
      clearTimeout(t);
      this.cleanupTimers.delete(key);
    }
  }
}

export type RouteHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => void | Promise<void>;

export function metricsHandler(registry: Registry): RouteHandler {
  return async (_req, res) => {
    try {
      const body = await registry.metrics();
      res.writeHead(200, {
        'Content-Type': registry.contentType,
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    } catch (e) {
      const body = `error gathering metrics: ${e instanceof Error ? e.message : String(e)}\n`;
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(body);
    }
  };
}

/** GET /healthz → 200 "ok" (text/plain; charset=utf-8), or 503 when `healthy()` says no. */
export function healthzHandler(healthy: () => boolean = () => true): RouteHandler {
  return (_req, res) => {
    const ok = healthy();
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'ok' : 'unhealthy');
  };
}

export interface OpsServer {
  server: http.Server;
  port: number;
  /** Stops accepting; open connections get `graceMs` (default 5 s) before they are cut. */
  close(graceMs?: number): Promise<void>;
}

/** A node:http server answering GET/HEAD on the given paths; 404 elsewhere. */
export async function startOpsServer(opts: {
  port: number;
  host?: string;
  routes: Record<string, RouteHandler>;
}): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = opts.routes[path];
    if (!handler) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
      res.end('method not allowed\n');
      return;
    }
    Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => server.closeAllConnections(), graceMs);
        t.unref();
        server.close(() => {
          clearTimeout(t);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * Starts the /metrics and /healthz servers (both before leader election, so standbys answer).
 * When both ports are equal one server serves both paths.
 */
export async function startOpsServers(opts: {
  registry: Registry;
  metricsPort: number;
  healthzPort: number;
  host?: string;
  healthy?: () => boolean;
}): Promise<{ metrics: OpsServer; healthz: OpsServer; close(graceMs?: number): Promise<void> }> {
  const host = opts.host !== undefined ? { host: opts.host } : {};
  const metrics = metricsHandler(opts.registry);
  const healthz = healthzHandler(opts.healthy);
  if (opts.metricsPort === opts.healthzPort && opts.metricsPort !== 0) {
    const both = await startOpsServer({
      port: opts.metricsPort,
      ...host,
      routes: { '/metrics': metrics, '/healthz': healthz },
    });
    return { metrics: both, healthz: both, close: (g) => both.close(g) };
  }
  const m = await startOpsServer({
    port: opts.metricsPort,
    ...host,
    routes: { '/metrics': metrics },
  });
  let h: OpsServer;
  try {
    h = await startOpsServer({ port: opts.healthzPort, ...host, routes: { '/healthz': healthz } });
  } catch (e) {
    await m.close(0);
    throw e;
  }
  return {
    metrics: m,
    healthz: h,
    close: async (g) => void (await Promise.all([m.close(g), h.close(g)])),
  };
}
