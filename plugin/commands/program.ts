// The command tree of `kubectl argo rollouts` (§1.3) and its cobra-like behaviour: usage text
// under the `kubectl argo rollouts` prefix, errors as `Error: <message>`, groups without a
// subcommand print usage and exit 1.
import { Command, CommanderError, Help } from 'commander';
import { checkLogFlags, registerGlobalFlags, type GlobalFlags } from '../kube.ts';
import { abortCommand } from './abort.ts';
import { completionCommand, markNameArguments, PROGRAM } from './completion.ts';
import { createCommand } from './create.ts';
import { dashboardCommand } from './dashboard.ts';
import { getCommand } from './get.ts';
import { lintCommand } from './lint.ts';
import { listCommand } from './list.ts';
import { pauseCommand } from './pause.ts';
import { resumeCommand } from './resume.ts';
import { promoteCommand } from './promote.ts';
import { restartCommand } from './restart.ts';
import { retryCommand } from './retry.ts';
import { setCommand } from './set.ts';
import { statusCommand } from './status.ts';
import { terminateCommand } from './terminate.ts';
import { undoCommand } from './undo.ts';
import { versionCommand } from './version.ts';

export const USAGE_PREFIX = 'kubectl argo rollouts';

class PluginHelp extends Help {
  override subcommandTerm(cmd: Command): string {
    return [cmd.name(), ...cmd.aliases()].join(', ');
  }

  override commandUsage(cmd: Command): string {
    const names: string[] = [];
    for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
    return [USAGE_PREFIX, ...names, cmd.usage()].filter(Boolean).join(' ');
  }
}

/** The command path as cobra names it in errors: `kubectl-argo-rollouts get`. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commander's error text in cobra/pflag wording. */
export function cobraError(message: string, cmd: Command): string {
  const text = message
    .replace(/^error: /, '')
    .replace(/\n*\(Did you mean [^)]*\)\s*$/, '')
    .trim();
  let m = /^unknown option '([^']+)'/.exec(text);
  if (m) {
    const flag = m[1]!.split('=')[0]!;
    return flag.startsWith('--')
      ? `unknown flag: ${flag}`
      : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
  }
  m = /^unknown command '([^']+)'/.exec(text);
  if (m) return `unknown command "${m[1]!}" for "${commandPath(cmd)}"`;
  m = /^option '([^']+)' argument missing/.exec(text);
  if (m) {
    const flags = m[1]!.split(/[ ,]+/).filter((f) => f.startsWith('-'));
    const long = flags.find((f) => f.startsWith('--'));
    return long
      ? `flag needs an argument: ${long}`
      : `flag needs an argument: '${flags[0]?.slice(1) ?? ''}' in ${flags[0] ?? ''}`;
  }
  m = /^option '[^']+' argument '[^']*' is invalid\. (.*)$/s.exec(text);
  if (m) return m[1]!;
  m = /^too many arguments/.exec(text);
  if (m) return text;
  return text;
}

export function buildProgram(): Command {
  const program = new Command(PROGRAM);
  program
    .summary('Manage argo rollouts')
    .description(
      'This command consists of multiple subcommands which can be used to manage Argo Rollouts.',
    )
    .usage('COMMAND')
    .helpCommand('help [command]', 'Help about any command')
    .addHelpText(
      'after',
      `\nExamples:\n  # Get guestbook rollout and watch progress\n  ${USAGE_PREFIX} get rollout guestbook -w\n\n  # Pause the guestbook rollout\n  ${USAGE_PREFIX} pause guestbook\n\n  # Promote the guestbook rollout\n  ${USAGE_PREFIX} promote guestbook\n\n  # Abort the guestbook rollout\n  ${USAGE_PREFIX} abort guestbook\n\n  # Retry the guestbook rollout\n  ${USAGE_PREFIX} retry guestbook\n`,
    );
  registerGlobalFlags(program);
  for (const c of [
    abortCommand(),
    completionCommand(),
    createCommand(),
    dashboardCommand(),
    getCommand(),
    lintCommand(),
    listCommand(),
    pauseCommand(),
    promoteCommand(),
    restartCommand(),
    resumeCommand(),
    retryCommand(),
    setCommand(),
    statusCommand(),
    terminateCommand(),
    undoCommand(),
    versionCommand(),
  ]) {
    program.addCommand(c);
  }
  markNameArguments(program);
  program.hook('preAction', (_this, action) => {
    checkLogFlags(action.optsWithGlobals<GlobalFlags>());
  });
  configureTree(program);
  return program;
}

/** Settings every command of the tree needs (addCommand does not copy them). */
function configureTree(cmd: Command): void {
  cmd.createHelp = () => Object.assign(new PluginHelp(), cmd.configureHelp());
  cmd.exitOverride();
  cmd.configureOutput({
    outputError: (str, write) => write(`Error: ${cobraError(str, cmd)}\n`),
  });
  for (const sub of cmd.commands) configureTree(sub);
}

export { CommanderError };
