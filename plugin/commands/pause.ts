// `pause NAME...`: main merge patch {"spec":{"paused":true}} on each Rollout, in order.
import type { Command } from 'commander';
import { pathOf, ROLLOUTS } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

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
      const { client, namespace } = await ctx.kube();
      for (const name of names) {
        await client.patch(pathOf(ROLLOUTS, namespace, name), { spec: { paused: true } }, 'merge');
        ctx.out(`rollout '${name}' paused\n`);
      }
    });
}
