// `pause NAME...`: main merge patch {"spec":{"paused":true}} on each Rollout, in order.
import type { Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

/** Pauses one Rollout (the command and the dashboard's PUT …/pause); returns the patched Rollout. */
export function pauseRollout(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
): Promise<KubeObject> {
  return kube.client.patch(pathOf(ROLLOUTS, namespace, name), { spec: { paused: true } }, 'merge');
}

export function pauseCommand(): Command {
  return newCommand('pause', {
    usage: 'ROLLOUT_NAME [flags]',
    short: 'Pause a rollout',
    long: "Set the rollout paused state to 'true'",
    example: `
  # Pause a rollout
  kubectl argo rollouts pause guestbook`,
  })
    .argument('[names...]')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      minArgs(cmd, names, 1);
      const ctx = ctxOf(cmd);
      const kube = await ctx.kube();
      for (const name of names) {
        await pauseRollout(kube, kube.namespace, name);
        ctx.out(`rollout '${name}' paused\n`);
      }
    });
}
