// The AnalysisRun controller loop: a cache of AnalysisRuns (and of the Jobs they start), a work
// queue keyed by namespace/name, and one reconcile (src/analysis/reconcile.ts) per key at a
// time. Status is written with a merge patch on the main resource, because the AnalysisRun CRD
// has no status subresource (analysis.md §1.1), carrying the resourceVersion we read so a
// concurrent change (the Rollout setting `terminate`) makes us re-read instead of overwrite.
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { analysisRun, type AnalysisRun, type Metric } from '../api/analysis.ts';
import type { KubeObject } from '../api/kube-object.ts';
import { decodeSecretData } from '../analysis/args.ts';
import { evaluateCondition, ExprSyntaxError } from '../analysis/expr/index.ts';
import { evaluateResult } from '../analysis/measurement.ts';
import { isCompleted } from '../analysis/phase.ts';
import { JobProvider, ANALYSIS_RUN_UID_LABEL } from '../analysis/providers/job.ts';
import { PrometheusProvider } from '../analysis/providers/prometheus.ts';
import type { ConditionEvaluator, MetricProvider } from '../analysis/providers/provider.ts';
import { WebProvider } from '../analysis/providers/web.ts';
import {
  reconcileAnalysisRun,
  referencedSecrets,
  type ProviderLookup,
} from '../analysis/reconcile.ts';
import { EventRecorder } from '../kube/event-recorder.ts';
import { ListWatcher } from '../kube/list-watcher.ts';
import { jsonEqual, mergePatchDiff } from '../kube/merge-diff.ts';
import { isConflict, isNotFound, resourcePath, type RawClient } from '../kube/raw-client.ts';
import { INSTANCE_ID_LABEL } from '../rollout/labels.ts';
import { eventWriter } from './cluster-ops.ts';
import type { Logger } from './logger.ts';
import { WorkQueue } from './work-queue.ts';

export interface AnalysisControllerOptions {
  kc: KubeConfig;
  client: RawClient;
  logger: Logger;
  namespace?: string;
  instanceId?: string;
  concurrency?: number;
  resyncMs?: number;
  clock?: () => Date;
  /** Job namespace / other cluster (env ARGO_ROLLOUTS_ANALYSIS_JOB_*). */
  jobNamespace?: string;
  /** Another provider set (tests, benchmarks). */
  providers?: ProviderLookup;
  onReconcile?: (run: KubeObject, seconds: number, error: unknown) => void;
}

/** Secret name → decoded data; undefined = not found; Error = could not be read. */
type SecretCache = Map<string, Record<string, string> | Error | undefined>;

const RUNS = { group: 'argoproj.io', version: 'v1alpha1', resource: 'analysisruns' };

/**
 * The condition language behind the providers' evaluator (§3.7). Argo reports a syntax error
 * by its bare reason (`unexpected token EOF`); we add where it is (`… (1:13)`), so a typo in a
 * long condition can be found. Type and runtime errors keep Argo's exact text.
 */
export const evaluateMetricResult: ConditionEvaluator = (result, metric) =>
  evaluateResult(metric, result, (cond, res) => {
    try {
      return evaluateCondition(cond, res);
    } catch (e) {
      if (e instanceof ExprSyntaxError && e.line !== undefined && e.column !== undefined) {
        throw new Error(`${e.reason} (${e.line}:${e.column})`, { cause: e });
      }
      throw e;
    }
  });

const PROVIDER_NAMES = [
  'prometheus',
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
] as const;

/** Prometheus, Web and Job; any other provider is an Error measurement that says so. */
export function defaultProviders(client: RawClient, jobNamespace?: string): ProviderLookup {
  const prometheus = new PrometheusProvider();
  const web = new WebProvider();
  const job = new JobProvider({ client, ...(jobNamespace ? { jobNamespace } : {}) });
  return (metric: Metric): MetricProvider | string => {
    const p = metric.provider as Record<string, unknown>;
    if (p.prometheus) return prometheus;
    if (p.web) return web;
    if (p.job) return job;
    const other = PROVIDER_NAMES.find((k) => p[k] !== undefined && p[k] !== null);
    return other
      ? `the ${other} metric provider is not supported by this controller (supported: prometheus, web, job)`
      : 'no provider specified';
  };
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

export class AnalysisRunController {
  readonly runs: ListWatcher;
  readonly jobs: ListWatcher;
  readonly queue: WorkQueue;
  readonly events: EventRecorder;
  private readonly providers: ProviderLookup;
  private readonly clock: () => Date;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** namespace/name → the resourceVersion our last status write produced. */
  private readonly ownWrites = new Map<string, string | undefined>();

  constructor(private readonly o: AnalysisControllerOptions) {
    this.clock = o.clock ?? (() => new Date());
    // Every in-flight measurement listens for shutdown on this one signal.
    setMaxListeners(0, this.abort.signal);
    this.providers = o.providers ?? defaultProviders(o.client, o.jobNamespace);
    const ns = o.namespace;
    const common = {
      kc: o.kc,
      client: o.client,
      logger: o.logger,
      resyncMs: o.resyncMs ?? 15 * 60_000,
    };
    this.runs = new ListWatcher({
      ...common,
      path: resourcePath({ ...RUNS, ...(ns ? { namespace: ns } : {}) }),
      labelSelector: o.instanceId
        ? `${INSTANCE_ID_LABEL}=${o.instanceId}`
        : `!${INSTANCE_ID_LABEL}`,
    });
    // Only the Jobs our Job provider made: they carry the run's uid label.
    this.jobs = new ListWatcher({
      ...common,
      path: resourcePath({ group: 'batch', version: 'v1', resource: 'jobs' }),
      labelSelector: ANALYSIS_RUN_UID_LABEL,
      resyncMs: 0,
    });
    this.queue = new WorkQueue({
      name: 'AnalysisRuns',
      concurrency: o.concurrency ?? 30,
      onError: (key, e) =>
        o.logger.warn('analysis run reconcile failed; will retry', { key, error: errorText(e) }),
    });
    this.events = new EventRecorder(
      eventWriter(o.client),
      'rollouts-controller',
      hostname(),
      this.clock,
      (e) => o.logger.warn('could not write event', { error: errorText(e) }),
    );
    this.runs.onAdd((r) => this.queue.add(keyOf(r)));
    this.runs.onUpdate((_, r) => {
      // Our own status write comes back as a watch event: the reconcile that wrote it has
      // already scheduled what is next, so a second pass would only cost CPU (bench/analysis).
      const key = keyOf(r);
      if (this.ownWrites.get(key) === r.metadata.resourceVersion) {
        this.ownWrites.delete(key);
        return;
      }
      this.queue.add(key);
    });
    const jobChanged = (job: KubeObject) => {
      const ref = job.metadata.ownerReferences?.find(
        (r) => r.controller && r.kind === 'AnalysisRun',
      );
      const a = job.metadata.annotations ?? {};
      const ns = ref ? job.metadata.namespace : a['analysisrun.argoproj.io/namespace'];
      const name = ref?.name ?? a['analysisrun.argoproj.io/name'];
      if (ns && name) this.queue.add(`${ns}/${name}`);
    };
    this.jobs.onUpdate((_, j) => jobChanged(j));
  }

  async start(): Promise<void> {
    for (const lw of [this.runs, this.jobs]) lw.start();
    await Promise.all([this.runs.synced, this.jobs.synced]);
    this.o.logger.info('analysis run caches synced', { analysisRuns: this.runs.size });
    this.running = this.queue.run((key) => this.reconcile(key));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.queue.shutDown({ drain: true });
    await Promise.all([this.runs.stop(), this.jobs.stop()]);
    await this.events.flush();
    await this.running;
  }

  private async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const [ns, name] = key.split('/') as [string, string];
    const raw = this.runs.get(ns, name);
    if (!raw || raw.metadata.deletionTimestamp) return;
    const log = this.o.logger.child({ namespace: ns, analysisrun: name });
    const started = process.hrtime.bigint();
    let error: unknown;
    try {
      return await this.reconcileRun(raw, log);
    } catch (e) {
      error = e;
      if (isConflict(e) || isNotFound(e)) {
        log.debug('stale cache; retrying', { error: errorText(e) });
        return { requeueAfterMs: 50 };
      }
      throw e;
    } finally {
      this.o.onReconcile?.(raw, Number(process.hrtime.bigint() - started) / 1e9, error);
    }
  }

  private async reconcileRun(
    raw: KubeObject,
    log: Logger,
  ): Promise<void | { requeueAfterMs: number }> {
    const ns = raw.metadata.namespace ?? '';
    const name = raw.metadata.name ?? '';
    const parsed = analysisRun.safeParse(raw);
    if (!parsed.success) {
      // The CRD schema normally prevents this; say what is wrong instead of looping on it.
      if (isCompleted((raw.status as { phase?: string } | undefined)?.phase)) return;
      const message = `Analysis spec invalid: ${parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`;
      log.warn('malformed analysis run', { message });
      await this.writeStatus(raw, { ...(raw.status ?? {}), phase: 'Error', message });
      this.events.emit(raw, {
        type: 'Warning',
        reason: 'AnalysisRunError',
        message: 'Analysis Completed. Result: Error',
      });
      return;
    }
    const run = parsed.data;
    const secrets: SecretCache = isCompleted(run.status?.phase)
      ? new Map<string, undefined>()
      : await this.readSecrets(run, ns);
    const outcome = await reconcileAnalysisRun(run, {
      providers: this.providers,
      secrets: (secretName) => {
        const s = secrets.get(secretName);
        if (s instanceof Error) throw s;
        return s;
      },
      evaluate: evaluateMetricResult,
      now: this.clock,
      signal: this.abort.signal,
      warn: (msg, meta) => log.warn(msg, meta),
    });
    if (outcome.delete) {
      log.info('deleting analysis run: ttlStrategy expired');
      try {
        await this.o.client.delete(resourcePath({ ...RUNS, namespace: ns, name }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    const decidedAt = Date.now();
    if (outcome.status && !jsonEqual(outcome.status, run.status)) {
      await this.writeStatus(raw, outcome.status);
    }
    // Event texts are fixed (`Metric '<name>' Completed. Result: <phase>`): no secret can be in them.
    for (const e of outcome.events) {
      this.events.emit(raw, e);
      log.info('event', { reason: e.reason, message: e.message });
    }
    // The delay was computed before the write; the timer starts after it.
    return outcome.requeueAfterMs !== undefined
      ? { requeueAfterMs: Math.max(0, outcome.requeueAfterMs - (Date.now() - decidedAt)) }
      : undefined;
  }

  /** Every Secret the args name, read now (§3.3: a fresh read per reconcile). */
  private async readSecrets(run: AnalysisRun, ns: string): Promise<SecretCache> {
    const out: SecretCache = new Map();
    for (const secretName of referencedSecrets(run)) {
      try {
        const s = await this.o.client.get<KubeObject & { data?: Record<string, string> }>(
          resourcePath({
            group: '',
            version: 'v1',
            resource: 'secrets',
            namespace: ns,
            name: secretName,
          }),
        );
        out.set(secretName, decodeSecretData(s));
      } catch (e) {
        out.set(secretName, isNotFound(e) ? undefined : new Error(errorText(e)));
      }
    }
    return out;
  }

  private async writeStatus(raw: KubeObject, status: unknown): Promise<void> {
    const diff = mergePatchDiff(raw.status ?? {}, status);
    if (diff === undefined) return;
    const key = keyOf(raw);
    this.ownWrites.delete(key);
    const updated = await this.o.client.patch<KubeObject>(
      resourcePath({
        ...RUNS,
        namespace: raw.metadata.namespace ?? '',
        name: raw.metadata.name ?? '',
      }),
      { metadata: { resourceVersion: raw.metadata.resourceVersion }, status: diff },
      'merge',
    );
    this.ownWrites.set(key, updated.metadata.resourceVersion);
    this.runs.observe(updated);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
