// The run's phase, message and summaries (analysis.md §3.9, Go assessRunStatus), and the early
// Error exits of §3.2.
import type {
  AnalysisRunSpec,
  AnalysisRunStatus,
  Metric,
  MetricResult,
  RunSummary,
} from '../api/analysis.ts';
import { assessMetricStatus, checkLimits } from './metric-phase.ts';
import { isTerminating, lastMeasurement } from './metric-tasks.ts';
import { isCompleted, isWorse, rfc3339 } from './phase.ts';

export const RUN_TERMINATED = 'Run Terminated';

export interface AnalysisEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

function eventType(phase: string): 'Normal' | 'Warning' {
  return phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal';
}

/** `AnalysisRun<Phase>` / `Analysis Completed. Result: <Phase>` (§2.5). */
export function runCompletedEvent(phase: string): AnalysisEvent {
  return {
    type: eventType(phase),
    reason: `AnalysisRun${phase}`,
    message: `Analysis Completed. Result: ${phase}`,
  };
}

/** `Metric<Phase>` / `Metric '<name>' Completed. Result: <Phase>` (§2.5). */
export function metricCompletedEvent(name: string, phase: string): AnalysisEvent {
  return {
    type: eventType(phase),
    reason: `Metric${phase}`,
    message: `Metric '${name}' Completed. Result: ${phase}`,
  };
}

export interface RunAssessment {
  /** The new status: startedAt, metric phases/messages, summaries, and phase/message/completedAt
   * when the phase changed. */
  status: AnalysisRunStatus;
  /** The assessed phase and message (stored only when the phase changed). */
  phase: string;
  message: string;
  /** Metric completions, then the run completion, in that order. */
  events: AnalysisEvent[];
}

type Tally = Required<
  Pick<RunSummary, 'count' | 'successful' | 'failed' | 'inconclusive' | 'error'>
>;

/** RunSummary as Go serialises it: zero counters omitted. */
function summary(t: Tally): RunSummary {
  const out: RunSummary = {};
  for (const k of ['count', 'successful', 'failed', 'inconclusive', 'error'] as const) {
    if (t[k] !== 0) out[k] = t[k];
  }
  return out;
}

function classify(t: Tally, limitPhase: string | undefined): void {
  if (limitPhase === 'Error') t.error++;
  else if (limitPhase === 'Failed') t.failed++;
  else if (limitPhase === 'Inconclusive') t.inconclusive++;
  else t.successful++; // completed for any other reason, even count exhausted without a streak
}

/**
 * One assessment pass (§3.9) over the run's (arg-resolved) metrics, after this reconcile's
 * measurements were recorded in `run.status`. `dryRun` holds the names matched by dry-run rules.
 */
export function assessRunStatus(
  run: { spec: Pick<AnalysisRunSpec, 'terminate'>; status?: AnalysisRunStatus | undefined },
  metrics: readonly Metric[],
  dryRun: ReadonlySet<string>,
  now: Date,
): RunAssessment {
  const old = run.status ?? { phase: '' };
  const status: AnalysisRunStatus = {
    ...old,
    metricResults: (old.metricResults ?? []).map((r) => ({ ...r })),
  };
  status.startedAt ??= rfc3339(now);
  const terminating = isTerminating(run.spec, old);
  const events: AnalysisEvent[] = [];
  let worst: string | undefined;
  let message = run.spec.terminate === true ? RUN_TERMINATED : '';
  let everythingCompleted = true;
  const runTally: Tally = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const dryTally: Tally = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const results = status.metricResults ?? [];

  for (const metric of metrics) {
    const dry = dryRun.has(metric.name);
    (dry ? dryTally : runTally).count++;
    const idx = results.findIndex((r) => r.name === metric.name);
    const result: MetricResult | undefined = results[idx];
    if (result === undefined) {
      everythingCompleted = false; // not started yet (e.g. initialDelay)
      continue;
    }
    const phase = assessMetricStatus(metric, result, terminating);
    if (result.phase !== phase) {
      if (isCompleted(phase)) events.push(metricCompletedEvent(metric.name, phase));
      const last = lastMeasurement(result);
      if (last) {
        if ((last.message ?? '') === '') delete result.message;
        else result.message = last.message;
      }
      result.phase = phase;
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
      continue;
    }
    const limit = checkLimits(metric, result);
    if (!dry) {
      if (worst === undefined || isWorse(worst, phase)) {
        worst = phase;
        if (limit) {
          message = `Metric "${metric.name}" assessed ${phase} due to ${limit.message}`;
          if ((result.message ?? '') !== '') message += `: "Error Message: ${result.message}"`;
        }
      }
      classify(runTally, limit?.phase);
    } else {
      worst ??= 'Successful';
      if (limit) result.message = `Metric assessed ${phase} due to ${limit.message}`;
      classify(dryTally, limit?.phase);
    }
  }
  message = message.trim();
  status.runSummary = summary(runTally);
  status.dryRunSummary = summary(dryTally);

  let phase: string;
  if (terminating) phase = worst ?? 'Successful';
  else if (!everythingCompleted || worst === undefined) {
    phase = 'Running';
    message = '';
  } else phase = worst;

  if (phase !== old.phase) {
    status.phase = phase;
    if (message === '') delete status.message;
    else status.message = message;
    if (isCompleted(phase)) {
      events.push(runCompletedEvent(phase));
      status.completedAt ??= rfc3339(now);
    }
  }
  return { status, phase, message, events };
}

/**
 * An early Error exit (§3.2: unresolvable args, invalid spec, unmatched rules, unreadable
 * secrets): phase Error with `message`, no startedAt/completedAt, and the completion event.
 */
export function errorRun(
  status: AnalysisRunStatus | undefined,
  message: string,
): { status: AnalysisRunStatus; events: AnalysisEvent[] } {
  return {
    status: {
      ...(status ?? {}),
      metricResults: status?.metricResults ?? [],
      phase: 'Error',
      message,
    },
    events: [runCompletedEvent('Error')],
  };
}
