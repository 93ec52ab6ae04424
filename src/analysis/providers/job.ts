// The Job metric provider (spec/analysis.md §5.2): a measurement is a batch/v1 Job created from
// `metric.provider.job`; it stays Running until the Job reports Complete (Successful) or Failed
// (Failed). Terminate deletes the Job; garbage collection keeps the newest `limit` Jobs per metric.
import type { KubeObject } from '../../api/kube-object.ts';
import {
  isAlreadyExists,
  isNotFound,
  resourcePath,
  type RawClient,
} from '../../kube/raw-client.ts';
import {
  clockOf,
  errorMeasurement,
  metaTime,
  type AnalysisRunLike,
  type Measurement,
  type Metric,
  type MetricProvider,
  type ProviderContext,
  type StoredMeasurement,
} from './provider.ts';

export const ANALYSIS_RUN_UID_LABEL = 'analysisrun.argoproj.io/uid';
export const ANALYSIS_RUN_NAME_ANNOTATION = 'analysisrun.argoproj.io/name';
export const ANALYSIS_RUN_NAMESPACE_ANNOTATION = 'analysisrun.argoproj.io/namespace';
export const ANALYSIS_RUN_METRIC_ANNOTATION = 'analysisrun.argoproj.io/metric-name';
export const JOB_NAME_KEY = 'job-name';
export const JOB_NAMESPACE_KEY = 'job-namespace';
export const JOB_NAMESPACE_ENV = 'ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE';
export const JOB_KUBECONFIG_ENV = 'ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG';
export const METADATA_MISSING = 'job metadata reference missing';

const TERMINAL_POD_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']);

interface JobStatus {
  conditions?: { type?: string; status?: string }[];
  active?: number;
  succeeded?: number;
  failed?: number;
}

export interface JobProviderOptions {
  /** Client of the cluster that runs the Jobs. */
  client: RawClient;
  /** Namespace for all Jobs; default env ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE, else the run's. */
  jobNamespace?: string;
  /**
   * The Jobs live in another cluster (ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG is set): no
   * ownerReference to the run. Default: whether that env var is set.
   */
  customKubeconfig?: boolean;
}

const jobsPath = (namespace: string, name?: string): string =>
  resourcePath({
    group: 'batch',
    version: 'v1',
    resource: 'jobs',
    namespace,
    ...(name !== undefined ? { name } : {}),
  });

/** `<run UID>.<metric name>.<N>`, N = count + error + 1; the metric part cut to fit 63. */
export function jobName(run: AnalysisRunLike, metricName: string): string {
  const r = run.status?.metricResults?.find((m) => m.name === metricName);
  const n = (r ? (r.count ?? 0) + (r.error ?? 0) : 0) + 1;
  const uid = run.metadata.uid ?? '';
  const name = `${uid}.${metricName}.${n}`;
  if (name.length <= 63) return name;
  return `${uid}.${metricName.slice(0, Math.max(0, metricName.length - (name.length - 63)))}.${n}`;
}

/** The Job for one measurement (Argo's newMetricJob). */
export function newMetricJob(
  run: AnalysisRunLike,
  metric: Metric,
  jobNamespace: string | undefined,
  customKubeconfig: boolean,
): KubeObject {
  const tmpl = metric.provider.job;
  const runNs = run.metadata.namespace ?? '';
  const ns = jobNamespace || runNs;
  const uid = run.metadata.uid ?? '';
  const spec = structuredClone((tmpl?.spec ?? {}) as Record<string, unknown>);
  const podTemplate = (spec.template ?? {}) as Record<string, unknown>;
  const podMeta = (podTemplate.metadata ?? {}) as Record<string, unknown>;
  spec.template = {
    ...podTemplate,
    metadata: {
      ...podMeta,
      labels: {
        ...((podMeta.labels ?? {}) as Record<string, string>),
        [ANALYSIS_RUN_UID_LABEL]: uid,
      },
    },
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(run, metric.name),
      namespace: ns,
      labels: { ...(tmpl?.metadata?.labels ?? {}), [ANALYSIS_RUN_UID_LABEL]: uid },
      annotations: {
        ...(tmpl?.metadata?.annotations ?? {}),
        [ANALYSIS_RUN_NAME_ANNOTATION]: run.metadata.name ?? '',
        [ANALYSIS_RUN_NAMESPACE_ANNOTATION]: runNs,
        [ANALYSIS_RUN_METRIC_ANNOTATION]: metric.name,
      },
      ...(ns === runNs && !customKubeconfig
        ? {
            ownerReferences: [
              {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'AnalysisRun',
                name: run.metadata.name ?? '',
                uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec,
  };
}

/** The run a Job belongs to (for the Job informer): ownerReference, else uid label + annotations. */
export function owningRun(job: KubeObject): { namespace: string; name: string } | undefined {
  const ref = job.metadata.ownerReferences?.find(
    (r) => r.controller && r.kind === 'AnalysisRun' && r.apiVersion.startsWith('argoproj.io/'),
  );
  if (ref) return { namespace: job.metadata.namespace ?? '', name: ref.name };
  const a = job.metadata.annotations ?? {};
  const name = a[ANALYSIS_RUN_NAME_ANNOTATION];
  const namespace = a[ANALYSIS_RUN_NAMESPACE_ANNOTATION];
  if (job.metadata.labels?.[ANALYSIS_RUN_UID_LABEL] && name && namespace) {
    return { namespace, name };
  }
  return undefined;
}

/** The `<N>` suffix of a Job name (creation order within one second). */
function measurementNumber(job: KubeObject): number {
  const n = Number(/\.(\d+)$/.exec(job.metadata.name ?? '')?.[1]);
  return Number.isFinite(n) ? n : 0;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function jobRef(
  m: StoredMeasurement,
  defaultNamespace: string,
): { namespace: string; name: string } | undefined {
  const name = m.metadata?.[JOB_NAME_KEY];
  if (!name) return undefined;
  return { name, namespace: m.metadata?.[JOB_NAMESPACE_KEY] || defaultNamespace };
}

export class JobProvider implements MetricProvider {
  private readonly client: RawClient;
  private readonly jobNamespace: string | undefined;
  private readonly customKubeconfig: boolean;

  constructor(opts: JobProviderOptions) {
    this.client = opts.client;
    this.jobNamespace = opts.jobNamespace ?? (process.env[JOB_NAMESPACE_ENV] || undefined);
    this.customKubeconfig = opts.customKubeconfig ?? !!process.env[JOB_KUBECONFIG_ENV];
  }

  type(): string {
    return 'job';
  }

  getMetadata(): Record<string, string> | undefined {
    return undefined;
  }

  async run(metric: Metric, ctx: ProviderContext): Promise<Measurement> {
    const clock = clockOf(ctx);
    const now = clock();
    const base: Measurement = { phase: 'Running', startedAt: metaTime(now) };
    if (!metric.provider.job) return errorMeasurement(base, 'metric has no job provider', now);
    const job = newMetricJob(ctx.run, metric, this.jobNamespace, this.customKubeconfig);
    const ns = job.metadata.namespace ?? '';
    const name = job.metadata.name ?? '';
    let created: KubeObject;
    try {
      created = await this.client.create<KubeObject>(jobsPath(ns), job);
    } catch (createErr) {
      if (!isAlreadyExists(createErr)) return errorMeasurement(base, errorText(createErr), clock());
      // A retried reconcile may find its own Job: adopt it if it belongs to this run.
      let existing: KubeObject;
      try {
        existing = await this.client.get<KubeObject>(jobsPath(ns, name));
      } catch (e) {
        return errorMeasurement(base, errorText(e), clock());
      }
      const uid = ctx.run.metadata.uid;
      const owner = existing.metadata.ownerReferences?.find((r) => r.controller);
      const ours = owner
        ? owner.uid === uid
        : existing.metadata.labels?.[ANALYSIS_RUN_UID_LABEL] === uid;
      if (!ours) return errorMeasurement(base, errorText(createErr), clock());
      created = existing;
    }
    return {
      ...base,
      metadata: {
        [JOB_NAME_KEY]: created.metadata.name ?? name,
        [JOB_NAMESPACE_KEY]: created.metadata.namespace ?? ns,
      },
      resumeAt: metaTime(now),
    };
  }

  async resume(
    _metric: Metric,
    measurement: StoredMeasurement,
    ctx: ProviderContext,
  ): Promise<StoredMeasurement> {
    const clock = clockOf(ctx);
    const ref = jobRef(measurement, ctx.run.metadata.namespace ?? '');
    if (!ref) return errorMeasurement(measurement, METADATA_MISSING, clock());
    let job: KubeObject;
    try {
      job = await this.client.get<KubeObject>(jobsPath(ref.namespace, ref.name));
    } catch (e) {
      return errorMeasurement(measurement, errorText(e), clock());
    }
    const now = clock();
    // The first Complete or Failed condition decides; its status is not inspected (as in Argo).
    for (const c of (job.status as JobStatus | undefined)?.conditions ?? []) {
      if (c.type === 'Failed')
        return { ...measurement, phase: 'Failed', finishedAt: metaTime(now) };
      if (c.type === 'Complete') {
        return { ...measurement, phase: 'Successful', finishedAt: metaTime(now) };
      }
    }
    const terminal = await this.terminalPodErrors(job, ref.namespace);
    if (terminal) {
      return {
        ...measurement,
        phase: 'Inconclusive',
        message: terminal,
        finishedAt: metaTime(now),
      };
    }
    const started = measurement.startedAt ? Date.parse(measurement.startedAt) : NaN;
    const elapsedSeconds = Number.isNaN(started)
      ? 0
      : Math.max(0, (now.getTime() - started) / 1000);
    const next = new Date(now.getTime() + Math.sqrt(2 * elapsedSeconds) * 1000);
    return { ...measurement, resumeAt: metaTime(next) };
  }

  /** `Pod <pod>, container <c> has terminal error (<reason>): <message>\n` per stuck container. */
  private async terminalPodErrors(job: KubeObject, namespace: string): Promise<string | undefined> {
    const matchLabels = (
      job.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined
    )?.selector?.matchLabels;
    const selector =
      matchLabels && Object.keys(matchLabels).length
        ? Object.entries(matchLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')
        : `job-name=${job.metadata.name ?? ''}`;
    let pods: KubeObject[];
    try {
      pods = (
        await this.client.list<KubeObject>(
          resourcePath({ version: 'v1', resource: 'pods', namespace }),
          {
            labelSelector: selector,
          },
        )
      ).items;
    } catch {
      return undefined; // Pod inspection is advisory: the Job's own status decides.
    }
    let out = '';
    for (const pod of pods) {
      const status = (pod.status ?? {}) as {
        initContainerStatuses?: ContainerStatus[];
        containerStatuses?: ContainerStatus[];
      };
      for (const cs of [
        ...(status.initContainerStatuses ?? []),
        ...(status.containerStatuses ?? []),
      ]) {
        const waiting = cs.state?.waiting;
        if (waiting?.reason && TERMINAL_POD_REASONS.has(waiting.reason)) {
          out += `Pod ${pod.metadata.name ?? ''}, container ${cs.name ?? ''} has terminal error (${waiting.reason}): ${waiting.message ?? ''}\n`;
        }
      }
    }
    return out || undefined;
  }

  async terminate(
    _metric: Metric,
    measurement: StoredMeasurement,
    ctx: ProviderContext,
  ): Promise<StoredMeasurement> {
    const clock = clockOf(ctx);
    const ref = jobRef(measurement, ctx.run.metadata.namespace ?? '');
    if (!ref) return errorMeasurement(measurement, METADATA_MISSING, clock());
    const err = await this.deleteJob(ref.namespace, ref.name);
    if (err) return errorMeasurement(measurement, err, clock());
    return { ...measurement, phase: 'Inconclusive', finishedAt: metaTime(clock()) };
  }

  /** Deletes the oldest Jobs of this run's metric beyond `limit`. */
  async garbageCollect(
    metric: Metric,
    limit: number,
    ctx: ProviderContext,
  ): Promise<Error | undefined> {
    const ns = this.jobNamespace || ctx.run.metadata.namespace || '';
    let jobs: KubeObject[];
    try {
      jobs = (
        await this.client.list<KubeObject>(jobsPath(ns), {
          labelSelector: `${ANALYSIS_RUN_UID_LABEL}=${ctx.run.metadata.uid ?? ''}`,
        })
      ).items;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    const mine = jobs
      .filter((j) => j.metadata.annotations?.[ANALYSIS_RUN_METRIC_ANNOTATION] === metric.name)
      .sort(
        (a, b) =>
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
          measurementNumber(a) - measurementNumber(b),
      );
    for (const j of mine.slice(0, Math.max(0, mine.length - Math.max(0, limit)))) {
      const err = await this.deleteJob(ns, j.metadata.name ?? '');
      if (err) return new Error(err);
    }
    return undefined;
  }

  /** Foreground deletion; NotFound counts as done. Returns the error text, if any. */
  private async deleteJob(namespace: string, name: string): Promise<string | undefined> {
    try {
      await this.client.delete(jobsPath(namespace, name), {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Foreground',
      });
      return undefined;
    } catch (e) {
      return isNotFound(e) ? undefined : errorText(e);
    }
  }
}

interface ContainerStatus {
  name?: string;
  state?: { waiting?: { reason?: string; message?: string } };
}
