// `dashboard [-p PORT] [--root-path R]`: the server arrives with a later issue; until then the
// flags are parsed and the command fails in one line.
import type { Command } from 'commander';
import { intFlag, newCommand } from './common.ts';

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
    .action(() => {
      throw new Error('the dashboard is not available in this version');
    });
}
