// Garbage collection of completed runs by `spec.ttlStrategy` (analysis.md §3.14).
import type { AnalysisRunSpec, AnalysisRunStatus } from '../api/analysis.ts';
import { isCompleted, timeMs } from './phase.ts';

type TtlRun = {
  spec: Pick<AnalysisRunSpec, 'ttlStrategy'>;
  status?: Pick<AnalysisRunStatus, 'phase' | 'completedAt'> | undefined;
};

/**
 * The TTL in seconds for a completed run: secondsAfterSuccess when Successful, else
 * secondsAfterFailure when Failed, else secondsAfterCompletion (Error and Inconclusive only use
 * that); undefined when none applies, the run is not completed, or it has no completedAt.
 */
export function ttlSeconds(run: TtlRun): number | undefined {
  const ttl = run.spec.ttlStrategy;
  const phase = run.status?.phase;
  if (!ttl || !isCompleted(phase) || run.status?.completedAt === undefined) return undefined;
  if (phase === 'Successful' && ttl.secondsAfterSuccess !== undefined)
    return ttl.secondsAfterSuccess;
  if (phase === 'Failed' && ttl.secondsAfterFailure !== undefined) return ttl.secondsAfterFailure;
  return ttl.secondsAfterCompletion;
}

/**
 * The first instant the run counts as expired: the whole seconds since completedAt must be
 * strictly greater than the TTL, so completedAt + (ttl + 1) s. Requeue the run for then.
 */
export function ttlExpiresAt(run: TtlRun): Date | undefined {
  const ttl = ttlSeconds(run);
  if (ttl === undefined) return undefined;
  const completed = timeMs(run.status?.completedAt);
  if (Number.isNaN(completed)) return undefined;
  return new Date(completed + (ttl + 1) * 1000);
}

/** Whether the run should be deleted now. */
export function isTtlExpired(run: TtlRun, now: Date): boolean {
  const ttl = ttlSeconds(run);
  if (ttl === undefined) return false;
  const completed = timeMs(run.status?.completedAt);
  if (Number.isNaN(completed)) return false;
  return Math.floor((now.getTime() - completed) / 1000) > ttl;
}
