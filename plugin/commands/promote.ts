// `promote NAME [--full]`: the decision table of §1.4.4. GET the Rollout, then the status patch
// (a main patch with the unified body if /status answers 404), then the spec patch.
import type { Command } from 'commander';
import { pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { KubeApiError, type KubeObject } from '../../src/kube/raw-client.ts';
import { ctxOf, dig, exactArgs, newCommand } from './common.ts';

export interface PromotePlan {
  specPatch?: unknown;
  statusPatch?: unknown;
  unifiedPatch?: unknown;
}

export interface PromoteFlags {
  full?: boolean;
  skipCurrentStep?: boolean;
  skipAllSteps?: boolean;
}

const UNPAUSE = { spec: { paused: false } };

/** The requests promote sends for this Rollout (pure; the table of §1.4.4). */
export function promotePlan(ro: KubeObject, flags: PromoteFlags): PromotePlan {
  const spec = (ro.spec ?? {}) as Record<string, unknown>;
  const status = (ro.status ?? {}) as Record<string, unknown>;
  const canary = dig(spec, 'strategy', 'canary');
  const blueGreen = dig(spec, 'strategy', 'blueGreen');
  const steps = dig(canary, 'steps');
  const nSteps = Array.isArray(steps) ? steps.length : 0;
  const idx = typeof status.currentStepIndex === 'number' ? status.currentStepIndex : 0;
  const next = Math.min(idx + 1, nSteps);
  const paused = spec.paused === true;
  const specPatch = paused ? UNPAUSE : undefined;
  const pauseConditions = status.pauseConditions;
  const hasPauseConditions = Array.isArray(pauseConditions) && pauseConditions.length > 0;

  if (flags.skipCurrentStep && flags.skipAllSteps) {
    throw new Error('Cannot use skip-current-step and skip-all-steps flags at the same time');
  }
  if (flags.skipCurrentStep || flags.skipAllSteps) {
    if (blueGreen !== undefined && blueGreen !== null) {
      throw new Error('Cannot skip steps of a bluegreen rollout. Run without a flags');
    }
    if (nSteps === 0) throw new Error('Cannot skip steps of a rollout without steps');
    const target = flags.skipAllSteps ? nSteps : next;
    // The deprecated flags only move the index; they do not unpause.
    const body = { status: { currentStepIndex: target } };
    return { statusPatch: body, unifiedPatch: body };
  }

  if (flags.full) {
    const needsStatus = status.currentPodHash !== status.stableRS;
    return {
      ...(specPatch ? { specPatch } : {}),
      ...(needsStatus ? { statusPatch: { status: { promoteFull: true } } } : {}),
      unifiedPatch: { spec: { paused: false }, status: { promoteFull: true } },
    };
  }

  const isCanary = canary !== undefined && canary !== null;
  const inconclusive =
    dig(status, 'canary', 'currentStepAnalysisRunStatus', 'status') === 'Inconclusive';
  if (isCanary && inconclusive && hasPauseConditions && status.controllerPause === true) {
    return {
      ...(specPatch ? { specPatch } : {}),
      statusPatch: {
        status: { pauseConditions: null, controllerPause: false, currentStepIndex: next },
      },
      unifiedPatch: { spec: { paused: false }, status: { pauseConditions: null } },
    };
  }
  if (hasPauseConditions) {
    return {
      ...(specPatch ? { specPatch } : {}),
      statusPatch: { status: { pauseConditions: null } },
      unifiedPatch: { spec: { paused: false }, status: { pauseConditions: null } },
    };
  }
  if (isCanary && nSteps > 0) {
    return {
      ...(specPatch ? { specPatch } : {}),
      statusPatch: { status: { pauseConditions: null, currentStepIndex: next } },
      unifiedPatch: {
        spec: { paused: false },
        status: { pauseConditions: null, currentStepIndex: next },
      },
    };
  }
  return specPatch ? { specPatch } : {};
}

/**
 * Promotes one Rollout as the command does (also the dashboard's promote): GET, the status patch
 * (the unified body as a main patch if /status answers 404), then the spec patch. Returns the
 * Rollout as the last request left it (the GET when nothing had to be sent).
 */
export async function promoteRollout(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
  flags: PromoteFlags,
): Promise<KubeObject> {
  const { client } = kube;
  const path = pathOf(ROLLOUTS, namespace, name);
  let latest = await client.get(path);
  const plan = promotePlan(latest, flags);
  let specPatch = plan.specPatch;
  if (plan.statusPatch !== undefined) {
    try {
      latest = await client.patch(
        pathOf(ROLLOUTS, namespace, name, 'status'),
        plan.statusPatch,
        'merge',
      );
    } catch (e) {
      if (!(e instanceof KubeApiError && e.code === 404)) throw e;
      specPatch = plan.unifiedPatch;
    }
  }
  if (specPatch !== undefined) latest = await client.patch(path, specPatch, 'merge');
  return latest;
}

export function promoteCommand(): Command {
  return newCommand('promote', {
    usage: 'ROLLOUT_NAME [flags]',
    short: 'Promote a rollout',
    long: "Promote a rollout\n\nPromotes a rollout paused at a canary step, or a paused blue-green pre-promotion.\nTo skip analysis, pauses and steps entirely, use '--full' to fully promote the rollout",
    example: `
  # Promote a paused rollout
  kubectl argo rollouts promote guestbook

  # Fully promote a rollout to desired version, skipping analysis, pauses, and steps
  kubectl argo rollouts promote guestbook --full`,
  })
    .argument('[names...]')
    .option('--full', 'Perform a full promotion, skipping analysis, pauses, and steps')
    .option('-c, --skip-current-step', 'Skip current step (DEPRECATED)')
    .option('-a, --skip-all-steps', 'Skip remaining steps (DEPRECATED)')
    .action(async (names: string[], opts: PromoteFlags, cmd: Command) => {
      exactArgs(cmd, names, 1);
      const name = names[0]!;
      const ctx = ctxOf(cmd);
      if (opts.skipCurrentStep) {
        ctx.err("Flag --skip-current-step has been deprecated, use '--full' instead\n");
      }
      if (opts.skipAllSteps) {
        ctx.err("Flag --skip-all-steps has been deprecated, use '--full' instead\n");
      }
      const { client, namespace } = await ctx.kube();
      await promoteRollout({ client }, namespace, name, opts);
      ctx.out(opts.full ? `rollout '${name}' fully promoted\n` : `rollout '${name}' promoted\n`);
    });
}
