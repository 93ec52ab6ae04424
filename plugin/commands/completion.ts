// Shell completion. `completion bash|zsh|fish|powershell` prints a small script; the script asks
// the plugin itself for candidates (`kubectl-argo-rollouts __complete <words…> <current>`, as
// cobra's scripts do), and the answer is computed from the commander command tree: subcommand
// names and aliases, flags (the command's and the global ones), and at argument positions that
// take a rollout / experiment / analysis run, the names of those objects in the namespace.
import type { Command, Option } from 'commander';
import {
  ANALYSIS_RUNS,
  EXPERIMENTS,
  loadKube,
  pathOf,
  ROLLOUTS,
  type GlobalFlags,
  type Gvr,
} from '../kube.ts';
import { newCommand, UsageError } from './common.ts';

export const PROGRAM = 'kubectl-argo-rollouts';
export const COMPLETE = '__complete';
export const COMPLETE_NO_DESC = '__completeNoDesc';
const SHELLS = ['bash', 'zsh', 'fish', 'powershell'];

interface NameArgs {
  gvr: Gvr;
  /** Every position takes a name (NAME...), else only the first. */
  multi: boolean;
}
const nameArgs = new WeakMap<Command, NameArgs>();

/** Marks a command whose arguments are names of objects of `gvr`. */
export function completesNames(cmd: Command, gvr: Gvr, multi: boolean): Command {
  nameArgs.set(cmd, { gvr, multi });
  return cmd;
}

const visibleCommands = (cmd: Command): Command[] =>
  cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);

function findSub(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

function optionsOf(cmd: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.options);
  return out.filter((o) => !o.hidden);
}

function findOption(cmd: Command, flag: string): Option | undefined {
  const name = flag.split('=')[0]!;
  return optionsOf(cmd).find((o) => o.long === name || o.short === name);
}

const takesValue = (o: Option): boolean => o.required || o.optional;

/** Global connection flags found among the words (so names come from the right namespace). */
function flagsFromWords(words: string[]): GlobalFlags {
  const flags: Record<string, string> = {};
  const keys: Record<string, keyof GlobalFlags> = {
    '-n': 'namespace',
    '--namespace': 'namespace',
    '--kubeconfig': 'kubeconfig',
    '--context': 'context',
    '--cluster': 'cluster',
    '--user': 'user',
    '-s': 'server',
    '--server': 'server',
    '--token': 'token',
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    const flag = eq >= 0 ? w.slice(0, eq) : w;
    const key = keys[flag];
    if (!key) continue;
    const value = eq >= 0 ? w.slice(eq + 1) : words[++i];
    if (value !== undefined) flags[key] = value;
  }
  return flags;
}

async function objectNames(gvr: Gvr, words: string[]): Promise<string[]> {
  try {
    const kube = await loadKube({ ...flagsFromWords(words), requestTimeout: '5s' });
    const list = await kube.client.list(pathOf(gvr, kube.namespace));
    kube.client.close();
    return list.items.map((o) => o.metadata.name ?? '').filter(Boolean);
  } catch {
    return [];
  }
}

async function namespaceNames(words: string[]): Promise<string[]> {
  try {
    const kube = await loadKube({ ...flagsFromWords(words), requestTimeout: '5s' });
    const list = await kube.client.list('/api/v1/namespaces');
    kube.client.close();
    return list.items.map((o) => o.metadata.name ?? '').filter(Boolean);
  } catch {
    return [];
  }
}

/** Candidates `name\tdescription` (or bare names) for the last word of `words`. */
export async function complete(root: Command, words: string[]): Promise<string[]> {
  const cur = words.length > 0 ? words[words.length - 1]! : '';
  const before = words.slice(0, -1);
  let cmd = root;
  let positionals = 0;
  let expectValue: Option | undefined;
  for (const w of before) {
    if (expectValue) {
      expectValue = undefined;
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      const o = findOption(cmd, w);
      if (o && takesValue(o) && !w.includes('=')) expectValue = o;
      continue;
    }
    const sub = positionals === 0 ? findSub(cmd, w) : undefined;
    if (sub) {
      cmd = sub;
      positionals = 0;
    } else {
      positionals++;
    }
  }
  const described = (name: string, desc: string): string => `${name}\t${desc}`;
  let out: string[] = [];
  if (expectValue) {
    if (expectValue.long === '--namespace') out = await namespaceNames(words);
  } else if (cur.startsWith('-')) {
    for (const o of optionsOf(cmd)) {
      if (o.long) out.push(described(o.long, o.description));
      if (o.short && cur.length <= 2 && !cur.startsWith('--')) {
        out.push(described(o.short, o.description));
      }
    }
  } else if (visibleCommands(cmd).length > 0 && positionals === 0) {
    for (const c of visibleCommands(cmd)) {
      out.push(described(c.name(), c.summary() || c.description()));
    }
  } else if (cmd.name() === 'completion' && cmd.parent === root && positionals === 0) {
    out = SHELLS.map((s) => described(s, `${s} completion script`));
  } else {
    const n = nameArgs.get(cmd);
    if (n && (n.multi || positionals === 0)) {
      const taken = new Set(n.multi ? before.slice(-positionals) : []);
      out = (await objectNames(n.gvr, before)).filter((name) => !taken.has(name));
    }
  }
  return out.filter((c) => c.startsWith(cur));
}

// ---- scripts -----------------------------------------------------------------------------

const FN = '__kubectl_argo_rollouts';

export function bashScript(): string {
  return `# bash completion for ${PROGRAM}                      -*- shell-script -*-
# Load it with:  source <(${PROGRAM} completion bash)

${FN}_complete() {
    local cur="\${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\\n'
    local out
    out=$(${PROGRAM} ${COMPLETE_NO_DESC} "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
    COMPREPLY=()
    local c
    for c in $out; do
        [[ -n "$c" && "$c" == "$cur"* ]] && COMPREPLY+=("$c")
    done
    return 0
}

complete -o default -F ${FN}_complete ${PROGRAM}

# ex: ts=4 sw=4 et filetype=sh
`;
}

export function zshScript(): string {
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}
# Load it with:  source <(${PROGRAM} completion zsh)

_${FN.slice(2)}() {
    local -a lines described
    local line name desc
    local IFS=$'\\n'
    lines=($(${PROGRAM} ${COMPLETE} "\${(@)words[2,$CURRENT]}" 2>/dev/null))
    for line in $lines; do
        name="\${line%%$'\\t'*}"
        if [[ "$line" == *$'\\t'* ]]; then desc="\${line#*$'\\t'}"; else desc=""; fi
        described+=("\${name//:/\\\\:}:$desc")
    done
    _describe -t commands '${PROGRAM}' described
}

if [ "$funcstack[1]" = "_${FN.slice(2)}" ]; then
    _${FN.slice(2)} "$@"
else
    compdef _${FN.slice(2)} ${PROGRAM}
fi
`;
}

export function fishScript(): string {
  return `# fish completion for ${PROGRAM}
# Load it with:  ${PROGRAM} completion fish | source

function ${FN}_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l cur (commandline -ct)
    ${PROGRAM} ${COMPLETE} $args "$cur" 2>/dev/null
end

complete -c ${PROGRAM} -e
complete -c ${PROGRAM} -f -a '(${FN}_complete)'
`;
}

export function powershellScript(): string {
  return `# powershell completion for ${PROGRAM}
# Load it with:  ${PROGRAM} completion powershell | Out-String | Invoke-Expression

Register-ArgumentCompleter -CommandName '${PROGRAM}' -Native -ScriptBlock {
    param($WordToComplete, $CommandAst, $CursorPosition)
    $Words = @($CommandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($WordToComplete -eq '') { $Words += '""' }
    $Quoted = ($Words | ForEach-Object { "'" + ($_ -replace "'", "''") + "'" }) -join ' '
    $Out = Invoke-Expression "& '${PROGRAM}' ${COMPLETE} $Quoted 2>\`$null"
    foreach ($Line in $Out) {
        $Parts = $Line -split "\`t", 2
        $Name = $Parts[0]
        $Desc = if ($Parts.Length -gt 1 -and $Parts[1]) { $Parts[1] } else { $Name }
        if ($Name -like "$WordToComplete*") {
            [System.Management.Automation.CompletionResult]::new($Name, $Name, 'ParameterValue', $Desc)
        }
    }
}
`;
}

const SCRIPTS: Record<string, () => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
  powershell: powershellScript,
};

export function completionCommand(): Command {
  return newCommand('completion', {
    usage: '[bash|zsh|fish|powershell]',
    short: 'Generate completion script',
    long: `To load completions:

Bash:

  $ source <(${PROGRAM} completion bash)

  # To load completions for each session, execute once:
  # Linux:
  $ ${PROGRAM} completion bash > /etc/bash_completion.d/${PROGRAM}
  # macOS:
  $ ${PROGRAM} completion bash > /usr/local/etc/bash_completion.d/${PROGRAM}

Zsh:

  # If shell completion is not already enabled in your environment,
  # you will need to enable it.  You can execute the following once:

  $ echo "autoload -U compinit; compinit" >> ~/.zshrc

  # To load completions for each session, execute once:
  $ ${PROGRAM} completion zsh > "\${fpath[1]}/_${PROGRAM}"

  # You will need to start a new shell for this setup to take effect.

fish:

  $ ${PROGRAM} completion fish | source

  # To load completions for each session, execute once:
  $ ${PROGRAM} completion fish > ~/.config/fish/completions/${PROGRAM}.fish

PowerShell:

  PS> ${PROGRAM} completion powershell | Out-String | Invoke-Expression

  # To load completions for every new session, run:
  PS> ${PROGRAM} completion powershell > ${PROGRAM}.ps1
  # and source this file from your PowerShell profile.`,
  })
    .argument('[shell...]')
    .action((args: string[], _opts: unknown, cmd: Command) => {
      if (args.length !== 1 || !SCRIPTS[args[0]!]) throw new UsageError(cmd);
      process.stdout.write(SCRIPTS[args[0]!]!());
    });
}

/** Marks the name positions of the standard commands (called once the tree is built). */
export function markNameArguments(root: Command): void {
  const at = (...path: string[]): Command | undefined => {
    let c: Command | undefined = root;
    for (const p of path) c = c ? findSub(c, p) : undefined;
    return c;
  };
  const mark = (path: string[], gvr: Gvr, multi: boolean): void => {
    const c = at(...path);
    if (c) completesNames(c, gvr, multi);
  };
  mark(['get', 'rollout'], ROLLOUTS, false);
  mark(['get', 'experiment'], EXPERIMENTS, false);
  mark(['promote'], ROLLOUTS, false);
  mark(['abort'], ROLLOUTS, true);
  mark(['retry', 'rollout'], ROLLOUTS, true);
  mark(['retry', 'experiment'], EXPERIMENTS, true);
  mark(['pause'], ROLLOUTS, true);
  mark(['undo'], ROLLOUTS, false);
  mark(['restart'], ROLLOUTS, false);
  mark(['set', 'image'], ROLLOUTS, false);
  mark(['status'], ROLLOUTS, false);
  mark(['terminate', 'analysisrun'], ANALYSIS_RUNS, true);
  mark(['terminate', 'experiment'], EXPERIMENTS, true);
}
