// Plays the Kubernetes Job controller for tests: the emulator runs no Job controller, so Jobs
// the AnalysisRun controller creates (analysis.md §5.2) would stay Running for ever. The runner
// polls the batch/v1 Jobs of one namespace and, for each Job it has not finished yet, asks the
// caller how it ends; a terminal answer is written to the Job's status subresource the way the
// Job controller writes it (succeeded/failed count + a Complete/Failed condition).
import type { KubeObject } from '../../src/api/kube-object.ts';
import { isNotFound, resourcePath } from '../../src/kube/raw-client.ts';
import type { Cluster } from './controller.ts';

export type JobOutcome = 'Complete' | 'Failed' | 'Running';

/** Decides how a Job ends. 'Running' leaves it running; the runner asks again on a later poll. */
export type DecideJob = (job: KubeObject) => JobOutcome;

export interface JobRunner {
  stop(): Promise<void>;
  /** Names of the Jobs seen so far, in the order they were first seen. */
  jobs(): string[];
  /** The outcome written for each finished Job, by name. */
  outcomes(): Map<string, Exclude<JobOutcome, 'Running'>>;
}

export interface JobRunnerOptions {
  /** How long a Job runs before the runner first asks `decide` about it (default 200 ms). */
  delayMs?: number;
  /** Poll period (default 100 ms). */
  pollMs?: number;
}

export const METRIC_NAME_ANNOTATION = 'analysisrun.argoproj.io/metric-name';

/** The metric a Job measures (the annotation the Job provider sets). */
export function metricOf(job: KubeObject): string {
  return job.metadata.annotations?.[METRIC_NAME_ANNOTATION] ?? '';
}

/**
 * A `decide` that plays a per-metric script: the n-th Job of a metric (in the order the runner
 * first sees them) gets `script[metric][n]`; past the end of its script, or for a metric without
 * one, a Job gets `fallback`. Answers are remembered per Job, so asking again is stable.
 */
export function scriptedOutcomes(
  script: Record<string, readonly JobOutcome[]>,
  fallback: JobOutcome = 'Complete',
): DecideJob {
  const byJob = new Map<string, JobOutcome>();
  const perMetric = new Map<string, number>();
  return (job) => {
    const key = `${job.metadata.namespace ?? ''}/${job.metadata.name ?? ''}`;
    const known = byJob.get(key);
    if (known !== undefined) return known;
    const metric = metricOf(job);
    const n = perMetric.get(metric) ?? 0;
    perMetric.set(metric, n + 1);
    const outcome = script[metric]?.[n] ?? fallback;
    byJob.set(key, outcome);
    return outcome;
  };
}

const statusPatch = (outcome: 'Complete' | 'Failed', now: string): object => ({
  status: {
    ...(outcome === 'Complete' ? { succeeded: 1 } : { failed: 1 }),
    startTime: now,
    ...(outcome === 'Complete' ? { completionTime: now } : {}),
    conditions: [
      {
        type: outcome,
        status: 'True',
        lastProbeTime: now,
        lastTransitionTime: now,
        ...(outcome === 'Failed'
          ? {
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            }
          : {}),
      },
    ],
  },
});

function finished(job: KubeObject): boolean {
  const conds = (job.status as { conditions?: { type?: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Complete' || c.type === 'Failed');
}

export function startJobRunner(
  cluster: Cluster,
  namespace: string,
  decide: DecideJob,
  opts: JobRunnerOptions = {},
): JobRunner {
  const delayMs = opts.delayMs ?? 200;
  const pollMs = opts.pollMs ?? 100;
  const jobsPath = (name?: string, subresource?: string): string =>
    resourcePath({
      group: 'batch',
      version: 'v1',
      resource: 'jobs',
      namespace,
      ...(name !== undefined ? { name } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
    });
  /** By Job UID (a re-created Job of the same name is a new Job), in first-seen order. */
  const seen = new Map<
    string,
    { name: string; firstSeen: number; outcome?: Exclude<JobOutcome, 'Running'> }
  >();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const pass = async (): Promise<void> => {
    let items: KubeObject[];
    try {
      items = (await cluster.client.list<KubeObject>(jobsPath())).items;
    } catch {
      return; // a transient API error: the next poll retries
    }
    const now = Date.now();
    for (const job of items) {
      if (stopped) return;
      const name = job.metadata.name ?? '';
      const uid = job.metadata.uid ?? name;
      let entry = seen.get(uid);
      if (!entry) {
        entry = { name, firstSeen: now };
        seen.set(uid, entry);
      }
      if (entry.outcome || job.metadata.deletionTimestamp || finished(job)) continue;
      if (now - entry.firstSeen < delayMs) continue;
      const outcome = decide(job);
      if (outcome === 'Running') continue;
      try {
        const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        await cluster.client.patch(jobsPath(name, 'status'), statusPatch(outcome, at), 'merge');
        entry.outcome = outcome;
      } catch (e) {
        // Deleted meanwhile (the run terminated it): it will not be listed again. Anything
        // else: try again on the next poll.
        if (!isNotFound(e)) continue;
      }
    }
  };

  const loop = (): void => {
    if (stopped) return;
    running = pass().finally(() => {
      if (!stopped) timer = setTimeout(loop, pollMs);
    });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    jobs: () => [...seen.values()].map((e) => e.name),
    outcomes: () =>
      new Map([...seen.values()].flatMap((e) => (e.outcome ? [[e.name, e.outcome] as const] : []))),
  };
}
