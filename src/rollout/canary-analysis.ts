// The AnalysisRuns of a canary Rollout (analysis.md §7.5–7.6, Go reconcileStepBasedAnalysisRun
// and reconcileBackgroundAnalysisRun): the step run while an analysis step is current, the
// background run from `startingStep` until full promotion. The shared bookkeeping (creation,
// reactions, cancellation, history) is in analysis-runs.ts.
import type { AnalysisRun } from '../api/analysis.ts';
import type { RunStatus } from '../api/analysis-refs.ts';
import type { CanaryStrategy } from '../api/rollout.ts';
import { isStepRunStale, needsNewRun, runStatusOf } from './analysis-decisions.ts';
import { analysisTemplateRefs } from './analysis-run-builder.ts';
import {
  createRun,
  react,
  reconcileAnalysisSlots,
  type AnalysisPassInput,
  type Cancel,
} from './analysis-runs.ts';
import { currentStep } from './canary-weight.ts';
import { PauseReason } from './labels.ts';

export interface CanaryAnalysisInput extends AnalysisPassInput {
  canary: CanaryStrategy;
}

export interface CanaryAnalysisResult {
  step: RunStatus | undefined;
  background: RunStatus | undefined;
}

export async function reconcileCanaryAnalysis(
  a: CanaryAnalysisInput,
): Promise<CanaryAnalysisResult> {
  const [step, background] = await reconcileAnalysisSlots(
    a,
    [
      {
        currentName: a.old.canary?.currentStepAnalysisRunStatus?.name,
        reconcile: (run, cancel) => reconcileStepRun(a, run, cancel),
      },
      {
        currentName: a.old.canary?.currentBackgroundAnalysisRunStatus?.name,
        reconcile: (run, cancel) => reconcileBackgroundRun(a, run, cancel),
      },
    ],
    // Canary drops cancelled runs from its status (§7.5), except after an abort, where the
    // failed run stays visible next to the Degraded status.
    a.pause.isAborted(),
  );
  return { step, background };
}

/** Go reconcileStepBasedAnalysisRun. */
async function reconcileStepRun(
  a: CanaryAnalysisInput,
  current: AnalysisRun | undefined,
  cancel: Cancel,
): Promise<RunStatus | undefined> {
  const cur = currentStep(a.canary.steps ?? [], a.old);
  if ((a.old.pauseConditions?.length ?? 0) > 0 || a.old.abort) {
    return current ? runStatusOf(current) : undefined;
  }
  const analysis = cur?.step?.analysis;
  if (!cur || analysis === undefined || analysisTemplateRefs(analysis).length === 0) {
    await cancel(current);
    return undefined;
  }
  let run = current;
  if (run && isStepRunStale(run, cur.index)) {
    await cancel(run);
    run = undefined;
  }
  if (needsNewRun(run, a.old)) {
    const created = await createRun(a, 'Step', analysis, cur.index);
    return runStatusOf(created);
  }
  return react(a, 'Step', run!, a.old.canary?.currentStepAnalysisRunStatus);
}

/** Go reconcileBackgroundAnalysisRun. */
async function reconcileBackgroundRun(
  a: CanaryAnalysisInput,
  current: AnalysisRun | undefined,
  cancel: Cancel,
): Promise<RunStatus | undefined> {
  const analysis = a.canary.analysis;
  if (!analysis || analysisTemplateRefs(analysis).length === 0) {
    await cancel(current);
    return undefined;
  }
  const index = a.old.currentStepIndex;
  const beforeStart =
    analysis.startingStep !== undefined &&
    index !== undefined &&
    (a.canary.steps?.length ?? 0) > 0 &&
    index < analysis.startingStep;
  if (
    a.old.stableRS === a.newRS.hash ||
    !a.old.stableRS ||
    !a.newRS.hash ||
    !a.old.currentPodHash ||
    beforeStart
  ) {
    return undefined;
  }
  if (a.pause.hasPause(PauseReason.InconclusiveAnalysisRun)) {
    return current ? runStatusOf(current) : undefined;
  }
  if (needsNewRun(current, a.old)) {
    const created = await createRun(a, 'Background', analysis);
    return runStatusOf(created);
  }
  return react(a, 'Background', current!, a.old.canary?.currentBackgroundAnalysisRunStatus);
}
