// `status NAME [--watch=true] [-t, --timeout D]` (§1.5.5).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../../src/analysis/duration.ts';
import type { RolloutInfo } from '../info/types.ts';
import { statusLine } from '../render/status-line.ts';
import { ctxOf, exactArgs, newCommand } from './common.ts';
import { onSignals } from './signals.ts';

function durationFlag(v: string): number {
  const d = parseDuration(v);
  if (!d.ok) {
    throw new InvalidArgumentError(`invalid argument "${v}" for "-t, --timeout" flag: ${d.error}`);
  }
  return d.ms;
}

const degraded = (info: RolloutInfo): Error =>
  new Error(`The rollout is in a degraded state with message: ${info.message}`);

export function statusCommand(): Command {
  return newCommand('status', {
    usage: 'ROLLOUT_NAME [flags]',
    short: 'Show the status of a rollout',
    long: 'Watch rollout until it finishes or the timeout is exceeded. Returns success if the rollout is healthy upon completion and an error otherwise.',
    example: `
  # Watch the rollout until it succeeds
  kubectl argo rollouts status guestbook

  # Show the rollout status
  kubectl argo rollouts status guestbook --watch false

  # Watch the rollout until it succeeds, fail if it takes more than 60 seconds
  kubectl argo rollouts status --timeout 60s guestbook`,
  })
    .argument('[names...]')
    .option('-w, --watch', "Watch the status of the rollout until it's done", true)
    .addOption(new Option('--no-watch').hideHelp())
    .option(
      '-t, --timeout <duration>',
      'The length of time to watch before giving up. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). Zero means wait forever',
      durationFlag,
      0,
    )
    .action(async (names: string[], opts: { watch: boolean; timeout: number }, cmd: Command) => {
      exactArgs(cmd, names, 1);
      const name = names[0]!;
      const ctx = ctxOf(cmd);
      const kube = await ctx.kube({ full: opts.watch });
      const { fetchView, infoOf } = await import('./rollout-data.ts');
      if (!opts.watch) {
        const info = infoOf(await fetchView(kube, name), new Date());
        ctx.out(`${statusLine(info)}\n`);
        if (info.status === 'Degraded') throw degraded(info);
        return;
      }

      let lastLine: string | undefined;
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const show = (info: RolloutInfo): void => {
        const line = statusLine(info, { watch: true });
        if (line !== lastLine) {
          lastLine = line;
          ctx.out(`${line}\n`);
        }
        if (info.status === 'Healthy' || info.status === 'Degraded') finish();
      };
      const { RolloutViewWatch } = await import('./rollout-view.ts');
      const view = new RolloutViewWatch({ kube, name, onInfo: show });
      const signals = onSignals(() => finish());
      const timer = opts.timeout > 0 ? setTimeout(finish, opts.timeout) : undefined;
      try {
        const first = await Promise.race([view.start(), done.then(() => undefined)]);
        if (first) show(first);
        await done;
      } finally {
        if (timer) clearTimeout(timer);
        signals.dispose();
        await view.stop();
      }
      // Re-read the final state.
      const final = infoOf(await fetchView(kube, name), new Date());
      if (final.status === 'Degraded') throw degraded(final);
      if (final.status !== 'Healthy') throw new Error('Rollout status watch exceeded timeout');
    });
}
