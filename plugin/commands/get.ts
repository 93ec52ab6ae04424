// `get rollout NAME [-w] [--no-color] [--timeout-seconds N]` (§1.5.1).
import { Option, type Command } from 'commander';
import { renderRollout } from '../render/get-rollout.ts';
import type { RolloutInfo } from '../info/types.ts';
import type { Kube } from '../kube.ts';
import { ctxOf, exactArgs, intFlag, newCommand, type Ctx } from './common.ts';
import { onSignals } from './signals.ts';

/** Clear screen, cursor home (the original writes both sequences before every redraw). */
export const CLEAR = '\x1b[H\x1b[2J\x1b[0;0H';

function render(info: RolloutInfo, color: boolean, now: Date): string {
  const s = renderRollout(info, { color, now });
  return s.endsWith('\n') ? s : `${s}\n`;
}

/**
 * Watches and redraws the rollout until the timeout or a signal: on each new info and every
 * second, but at most once per 200 ms.
 */
export async function watchRollout(
  ctx: Ctx,
  kube: Kube,
  name: string,
  o: { color: boolean; timeoutSeconds: number },
): Promise<void> {
  const { RolloutViewWatch } = await import('./rollout-view.ts');
  let current: RolloutInfo | undefined;
  let lastDraw = 0;
  const draw = (): void => {
    if (!current) return;
    const t = Date.now();
    if (t - lastDraw <= 200) return;
    lastDraw = t;
    ctx.out(CLEAR + render(current, o.color, new Date()));
  };
  const view = new RolloutViewWatch({
    kube,
    name,
    onInfo: (info) => {
      current = info;
      draw();
    },
    onDeleted: () =>
      ctx.err(
        `time="${new Date().toISOString()}" level=warning msg="rollout '${name}' not found"\n`,
      ),
  });
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const signals = onSignals(() => finish());
  const timer = o.timeoutSeconds > 0 ? setTimeout(finish, o.timeoutSeconds * 1000) : undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    current = await Promise.race([view.start(), done.then(() => undefined)]);
    draw();
    ticker = setInterval(draw, 1000);
    await done;
  } finally {
    if (ticker) clearInterval(ticker);
    if (timer) clearTimeout(timer);
    signals.dispose();
    await view.stop();
  }
}

export function getCommand(): Command {
  const get = newCommand('get', {
    usage: '<rollout|experiment> RESOURCE_NAME [flags]',
    short: 'Get details about rollouts and experiments',
    long: 'This command consists of multiple subcommands which can be used to get extended information about a rollout or experiment.',
    example: `
  # Get a rollout
  kubectl argo rollouts get rollout guestbook

  # Watch rollouts progress
  kubectl argo rollouts get rollout guestbook -w`,
  });
  get.addCommand(
    newCommand('rollout', {
      usage: 'ROLLOUT_NAME [flags]',
      short: 'Get details about a rollout',
      long: 'Get details about and visual representation of a rollout. It returns a bunch of metadata on a resource and a tree view of the child resources created by the parent.\n\nTree column definitions\nSTATUS: represents the current state of a resource\nAGE: time since resource creation\nINFO: additional info on the resource',
      aliases: ['ro', 'rollouts'],
      example: `
  # Get a rollout
  kubectl argo rollouts get rollout guestbook

  # Watch progress of a rollout
  kubectl argo rollouts get rollout guestbook -w`,
    })
      .argument('[names...]')
      .option('-w, --watch', 'Watch live updates to the rollout')
      .addOption(new Option('--no-watch').hideHelp())
      .option('--no-color', 'Do not colorize output')
      .option(
        '--timeout-seconds <int>',
        'Timeout after specified seconds',
        intFlag('--timeout-seconds'),
        0,
      )
      .action(
        async (
          names: string[],
          opts: { watch?: boolean; color: boolean; timeoutSeconds: number },
          cmd: Command,
        ) => {
          exactArgs(cmd, names, 1);
          const name = names[0]!;
          const ctx = ctxOf(cmd);
          const color = opts.color && process.env.TERM !== 'dumb';
          const kube = await ctx.kube({ full: opts.watch === true });
          if (opts.watch) {
            await watchRollout(ctx, kube, name, { color, timeoutSeconds: opts.timeoutSeconds });
            return;
          }
          const { fetchView, infoOf } = await import('./rollout-data.ts');
          const now = new Date();
          ctx.out(render(infoOf(await fetchView(kube, name), now), color, now));
        },
      ),
  );
  return get;
}
