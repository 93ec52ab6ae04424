// `resume NAME...`: not in the official plugin (its help says to use promote), but people
// expect it next to `pause`, and Argo CD has it as a resource action. We do exactly what that
// action does (cli-dashboard-ops §5.2, rollout-semantics §8): clear status.pauseConditions when
// there are any (status-first merge patch), then set spec.paused=false when it is true.
import type { Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { pathOf, patchStatusFirst, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

/**
 * Resumes one Rollout (the command and the dashboard's PUT …/resume). Returns the Rollout as the
 * last request left it (the GET when it was neither paused nor holding pause conditions).
 */
export async function resumeRollout(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
): Promise<KubeObject> {
  const { client } = kube;
  let latest: KubeObject = await client.get(pathOf(ROLLOUTS, namespace, name));
  const ro = latest as KubeObject & {
    spec?: { paused?: boolean };
    status?: { pauseConditions?: unknown[] };
  };
  const paused = ro.spec?.paused === true;
  if ((ro.status?.pauseConditions?.length ?? 0) > 0) {
    latest = await patchStatusFirst(client, ROLLOUTS, namespace, name, {
      status: { pauseConditions: null },
    });
  }
  if (paused) {
    latest = await client.patch(
      pathOf(ROLLOUTS, namespace, name),
      { spec: { paused: false } },
      'merge',
    );
  }
  return latest;
}

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
      const kube = await ctx.kube();
      for (const name of names) {
        await resumeRollout(kube, kube.namespace, name);
        ctx.out(`rollout '${name}' resumed\n`);
      }
    });
}
