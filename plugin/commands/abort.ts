// `abort NAME...`: status-first merge patch {"status":{"abort":true}} on each Rollout.
import type { Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { patchStatusFirst, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

/** Aborts one Rollout (the command and the dashboard); returns the patched Rollout. */
export function abortRollout(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
): Promise<KubeObject> {
  return patchStatusFirst(kube.client, ROLLOUTS, namespace, name, { status: { abort: true } });
}

export function abortCommand(): Command {
  return newCommand('abort', {
    usage: 'ROLLOUT_NAME [flags]',
    short: 'Abort a rollout',
    long: "This command stops progressing the current rollout and reverts all steps. The previous ReplicaSet will be active.\n\nNote the 'spec.template' still represents the new rollout version. If the Rollout leaves the aborted state, it will try to go to the new version. Updating the 'spec.template' back to the previous version will fully revert the rollout.",
    example: `
  # Abort a rollout
  kubectl argo rollouts abort guestbook`,
  })
    .argument('[names...]')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      minArgs(cmd, names, 1);
      const ctx = ctxOf(cmd);
      const kube = await ctx.kube();
      for (const name of names) {
        await abortRollout(kube, kube.namespace, name);
        ctx.out(`rollout '${name}' aborted\n`);
      }
    });
}
