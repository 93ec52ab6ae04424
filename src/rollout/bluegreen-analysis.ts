// The AnalysisRuns of a blue-green Rollout (analysis.md §7.5–7.6, Go
// reconcilePrePromotionAnalysisRun and reconcilePostPromotionAnalysisRun): the pre-promotion run
// before the active Service switches, the post-promotion run after it, before the new
// ReplicaSet becomes stable. Bookkeeping shared with canary is in analysis-runs.ts.
import type { AnalysisRun } from '../api/analysis.ts';
import type { RunStatus } from '../api/analysis-refs.ts';
import type { BlueGreenStrategy } from '../api/rollout.ts';
import { needsNewRun, runStatusOf } from './analysis-decisions.ts';
import { analysisTemplateRefs } from './analysis-run-builder.ts';
import {
  createRun,
  react,
  reconcileAnalysisSlots,
  type AnalysisPassInput,
  type Cancel,
} from './analysis-runs.ts';

export interface BlueGreenAnalysisInput extends AnalysisPassInput {
  blueGreen: BlueGreenStrategy;
  /** The hash the active Service selects after this pass's switch. */
  activeSelector: string;
  /** The new ReplicaSet is saturated, or has exactly previewReplicaCount up (pre-promotion). */
  saturatedForPre: boolean;
  saturated: boolean;
}

export interface BlueGreenAnalysisResult {
  pre: RunStatus | undefined;
  post: RunStatus | undefined;
}

export async function reconcileBlueGreenAnalysis(
  a: BlueGreenAnalysisInput,
): Promise<BlueGreenAnalysisResult> {
  const [pre, post] = await reconcileAnalysisSlots(
    a,
    [
      {
        currentName: a.old.blueGreen?.prePromotionAnalysisRunStatus?.name,
        reconcile: (run, cancel) => reconcilePre(a, run, cancel),
      },
      {
        currentName: a.old.blueGreen?.postPromotionAnalysisRunStatus?.name,
        reconcile: (run, cancel) => reconcilePost(a, run, cancel),
      },
    ],
    // Blue-green keeps its pre/post runs in the status when everything is cancelled (§7.5).
    true,
  );
  return { pre, post };
}

const hasTemplates = (x: BlueGreenStrategy['prePromotionAnalysis']) =>
  x !== undefined && analysisTemplateRefs(x).length > 0;

async function reconcilePre(
  a: BlueGreenAnalysisInput,
  current: AnalysisRun | undefined,
  cancel: Cancel,
): Promise<RunStatus | undefined> {
  const analysis = a.blueGreen.prePromotionAnalysis;
  if (!analysis || !hasTemplates(analysis)) {
    await cancel(current);
    return undefined;
  }
  const hash = a.newRS.hash;
  const active = a.old.blueGreen?.activeSelector ?? '';
  if (a.old.stableRS === hash || active === '' || active === hash || hash === '') {
    await cancel(current);
    return undefined;
  }
  if (needsNewRun(current, a.old)) {
    if (!current && !a.saturatedForPre) return undefined;
    return runStatusOf(await createRun(a, 'PrePromotion', analysis));
  }
  return react(a, 'PrePromotion', current!, a.old.blueGreen?.prePromotionAnalysisRunStatus);
}

async function reconcilePost(
  a: BlueGreenAnalysisInput,
  current: AnalysisRun | undefined,
  cancel: Cancel,
): Promise<RunStatus | undefined> {
  const analysis = a.blueGreen.postPromotionAnalysis;
  if (!analysis || !hasTemplates(analysis)) {
    await cancel(current);
    return undefined;
  }
  const hash = a.newRS.hash;
  if (a.old.stableRS === hash || a.activeSelector !== hash || hash === '') {
    await cancel(current);
    return undefined;
  }
  if (needsNewRun(current, a.old)) {
    if (!current && !a.saturated) return undefined;
    return runStatusOf(await createRun(a, 'PostPromotion', analysis));
  }
  return react(a, 'PostPromotion', current!, a.old.blueGreen?.postPromotionAnalysisRunStatus);
}
