// `terminate analysisrun NAME...` and `terminate experiment NAME...`: main merge patch
// {"spec":{"terminate":true}}. The experiment message says "retried" (QUIRK kept).
import type { Command } from 'commander';
import { ANALYSIS_RUNS, EXPERIMENTS, pathOf } from '../kube.ts';
import { ctxOf, minArgs, newCommand } from './common.ts';

export function terminateCommand(): Command {
  const terminate = newCommand('terminate', {
    usage: '<analysisrun|experiment> RESOURCE_NAME [flags]',
    short: 'Terminate an AnalysisRun or Experiment',
    long: 'This command consists of multiple subcommands which can be used to terminate an AnalysisRun or Experiment that is in progress.',
    example: `
  # Terminate an analysisRun
  kubectl argo rollouts terminate analysisrun guestbook-877894d5b-4-success-rate.1

  # Terminate a failed experiment
  kubectl argo rollouts terminate experiment my-experiment`,
  });
  terminate.addCommand(
    newCommand('analysisrun', {
      usage: 'ANALYSISRUN_NAME [flags]',
      short: 'Terminate an AnalysisRun',
      aliases: ['ar', 'analysisruns'],
      example: `
  # Terminate an AnalysisRun
  kubectl argo rollouts terminate analysis guestbook-877894d5b-4-success-rate.1`,
    })
      .argument('[names...]')
      .action(async (names: string[], _opts: unknown, cmd: Command) => {
        minArgs(cmd, names, 1);
        const ctx = ctxOf(cmd);
        const { client, namespace } = await ctx.kube();
        for (const name of names) {
          await client.patch(
            pathOf(ANALYSIS_RUNS, namespace, name),
            { spec: { terminate: true } },
            'merge',
          );
          ctx.out(`analysisRun '${name}' terminated\n`);
        }
      }),
  );
  terminate.addCommand(
    newCommand('experiment', {
      usage: 'EXPERIMENT_NAME [flags]',
      short: 'Terminate an experiment',
      aliases: ['exp', 'experiments'],
      example: `
  # Terminate an experiment
  kubectl argo rollouts terminate experiment my-experiment`,
    })
      .argument('[names...]')
      .action(async (names: string[], _opts: unknown, cmd: Command) => {
        minArgs(cmd, names, 1);
        const ctx = ctxOf(cmd);
        const { client, namespace } = await ctx.kube();
        for (const name of names) {
          await client.patch(
            pathOf(EXPERIMENTS, namespace, name),
            { spec: { terminate: true } },
            'merge',
          );
          ctx.out(`experiment '${name}' retried\n`);
        }
      }),
  );
  return terminate;
}
