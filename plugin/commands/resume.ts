// `resume NAME...`: not in the official plugin (its help says to use promote), but people
// expect it next to `pause`, and Argo CD has it as a resource action. We do exactly what that
// action does (cli-dashboard-ops §5.2, rollout-semantics §8): clear status.pauseConditions when
// there are any (status-first merge patch), then set spec.paused=false when it is true.
import type { Command } from 'commander';
import { pathOf, patchStatusFirst, ROLLOUTS } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

export function resumeCommand(): Command {
  return newCommand('resume', {
    usage: 'ROLLOUT_NAME [flags]',
    short: 'Resume a paused rollout',
    long: "Clear the rollout's pause conditions and set its paused state to 'false' (Argo CD's resume action)",
    example: `
  # Resume a rollout
  kubectl argo rollouts resume guestbook`,
  })
    .argument('[names...]')
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      minArgs(cmd, names, 1);
      const ctx = ctxOf(cmd);
      const { client, namespace } = await ctx.kube();
      for (const name of names) {
        const ro = await client.get<{
          spec?: { paused?: boolean };
          status?: { pauseConditions?: unknown[] };
        }>(pathOf(ROLLOUTS, namespace, name));
        if ((ro.status?.pauseConditions?.length ?? 0) > 0) {
          await patchStatusFirst(client, ROLLOUTS, namespace, name, {
            status: { pauseConditions: null },
          });
        }
        if (ro.spec?.paused === true) {
          await client.patch(
            pathOf(ROLLOUTS, namespace, name),
            { spec: { paused: false } },
            'merge',
          );
        }
        ctx.out(`rollout '${name}' resumed\n`);
      }
    });
}
