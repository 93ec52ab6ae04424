// `dashboard [-p PORT] [--root-path R] [--address A]` (cli-dashboard-ops §1.7, §3): serves the
// API and the UI in the current namespace until SIGINT/SIGTERM, then closes the server and its
// watches and exits 0. The startup line is logrus's, as the original logs it on stderr.
// `--address` is ours: we bind 127.0.0.1 by default where the original binds every interface.
import type { Command } from 'commander';
import { formatText } from '../../src/controller/logger.ts';
import { startDashboard } from '../dashboard/server.ts';
import { ctxOf, intFlag, newCommand } from './common.ts';
import { onSignals } from './signals.ts';

/** One logrus line: `INFO[0000] msg` on a terminal, `time=… level=info msg=…` otherwise. */
function logInfo(msg: string): void {
  const line = process.stderr.isTTY ? `INFO[0000] ${msg}` : formatText(new Date(), 'info', msg, {});
  process.stderr.write(`${line}\n`);
}

export function dashboardCommand(): Command {
  return newCommand('dashboard', {
    usage: '[flags]',
    short: 'Start UI dashboard',
    example: `
  # Start UI dashboard
  kubectl argo rollouts dashboard

  # Start UI dashboard on a specific port
  kubectl argo rollouts dashboard --port 8080`,
  })
    .allowExcessArguments(true)
    .option('-p, --port <int>', 'port to listen on', intFlag('-p, --port'), 3100)
    .option('--root-path <string>', 'changes the root path of the dashboard', 'rollouts')
    .option(
      '--address <string>',
      'address to listen on (0.0.0.0: every interface, as the original)',
      '127.0.0.1',
    )
    .action(async (opts: { port: number; rootPath: string; address: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      // Watches use client-node's Watch, which needs the full KubeConfig.
      const kube = await ctx.kube({ full: true });
      const dashboard = await startDashboard({
        kube,
        port: opts.port,
        host: opts.address,
        rootPath: opts.rootPath,
        onListenRetry: (e) =>
          process.stderr.write(
            `${formatText(new Date(), 'warn', `failed to listen: ${e.message}`, {})}\n`,
          ),
      });
      logInfo(`Argo Rollouts Dashboard is now available at ${dashboard.url}`);
      await new Promise<void>((resolve) => {
        const signals = onSignals(() => {
          signals.dispose();
          resolve();
        });
      });
      await dashboard.close();
    });
}
