// `retry rollout NAME...` (status-first {"status":{"abort":false}}) and
// `retry experiment NAME...` (main merge patch {"status":null}: the experiment starts again).
import type { Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { EXPERIMENTS, pathOf, patchStatusFirst, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

/** Retries one aborted Rollout (the command and the dashboard); returns the patched Rollout. */
export function retryRollout(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
): Promise<KubeObject> {
  return patchStatusFirst(kube.client, ROLLOUTS, namespace, name, { status: { abort: false } });
}

export function retryCommand(): Command {
  const retry = newCommand('retry', {
    usage: '<rollout|experiment> RESOURCE_NAME [flags]',
    short: 'Retry a rollout or experiment',
    long: 'This command consists of multiple subcommands which can be used to restart an aborted rollout or a failed experiment.',
    example: `
  # Retry an aborted rollout
  kubectl argo rollouts retry rollout guestbook

  # Retry a failed experiment
  kubectl argo rollouts retry experiment my-experiment`,
  });
  retry.addCommand(
    newCommand('rollout', {
      usage: 'ROLLOUT_NAME [flags]',
      short: 'Retry an aborted rollout',
      aliases: ['ro', 'rollouts'],
      example: `
  # Retry an aborted rollout
  kubectl argo rollouts retry rollout guestbook`,
    })
      .argument('[names...]')
      .action(async (names: string[], _opts: unknown, cmd: Command) => {
        minArgs(cmd, names, 1);
        const ctx = ctxOf(cmd);
        const kube = await ctx.kube();
        for (const name of names) {
          await retryRollout(kube, kube.namespace, name);
          ctx.out(`rollout '${name}' retried\n`);
        }
      }),
  );
  retry.addCommand(
    newCommand('experiment', {
      usage: 'EXPERIMENT_NAME [flags]',
      short: 'Retry an experiment',
      aliases: ['exp', 'experiments'],
      example: `
  # Retry an experiment
  kubectl argo rollouts retry experiment my-experiment`,
    })
      .argument('[names...]')
      .action(async (names: string[], _opts: unknown, cmd: Command) => {
        minArgs(cmd, names, 1);
        const ctx = ctxOf(cmd);
        const { client, namespace } = await ctx.kube();
        for (const name of names) {
          await client.patch(pathOf(EXPERIMENTS, namespace, name), { status: null }, 'merge');
          ctx.out(`experiment '${name}' retried\n`);
        }
      }),
  );
  return retry;
}
