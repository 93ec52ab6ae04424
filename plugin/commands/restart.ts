// `restart NAME [--in D]`: main merge patch {"spec":{"restartAt":"<now+D, RFC3339 UTC>"}}.
import type { Command } from 'commander';
import { parseDuration } from '../../src/analysis/duration.ts';
import { rfc3339 } from '../../src/util/time.ts';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { ctxOf, exactArgs, newCommand } from './common.ts';

/**
 * Restarts one Rollout (the command and the dashboard, which has no delay): spec.restartAt =
 * now + delayMs, in UTC to the second. Returns the patched Rollout.
 */
export function restartRollout(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
  delayMs = 0,
  now: Date = new Date(),
): Promise<KubeObject> {
  const restartAt = rfc3339(new Date(now.getTime() + delayMs));
  return kube.client.patch(pathOf(ROLLOUTS, namespace, name), { spec: { restartAt } }, 'merge');
}

export function restartCommand(): Command {
  return newCommand('restart', {
    usage: 'ROLLOUT [flags]',
    short: 'Restart the pods of a rollout',
    example: `
  # Restart the pods of a rollout in now
  kubectl argo rollouts restart ROLLOUT_NAME

  # Restart the pods of a rollout in ten seconds
  kubectl argo rollouts restart ROLLOUT_NAME --in 10s`,
  })
    .argument('[names...]')
    .option('-i, --in <string>', 'Amount of time before a restart. (e.g. 30s, 5m, 1h)')
    .action(async (names: string[], opts: { in?: string }, cmd: Command) => {
      exactArgs(cmd, names, 1);
      const name = names[0]!;
      const ctx = ctxOf(cmd);
      let delayMs = 0;
      if (opts.in !== undefined && opts.in !== '') {
        const d = parseDuration(opts.in);
        // The original panics here (QUIRK); a clean error instead.
        if (!d.ok) throw new Error(d.error);
        delayMs = d.ms;
      }
      const kube = await ctx.kube();
      await restartRollout(kube, kube.namespace, name, delayMs);
      ctx.out(`rollout '${name}' restarts in ${opts.in ? opts.in : '0s'}\n`);
    });
}
