// kubectl-argo-rollouts: the `kubectl argo rollouts` plugin (cli-dashboard-ops.md §1).
// Normal output on stdout; usage and errors on stderr; a failure is `Error: <message>` and
// exit code 1, never a stack trace.
import { CommanderError } from 'commander';
import { closeKube, describeError, ExitError, UsageError } from './commands/common.ts';
import { complete, COMPLETE, COMPLETE_NO_DESC } from './commands/completion.ts';
import { buildProgram } from './commands/program.ts';

/** Boolean flags whose `--flag=true|false` spelling pflag accepts and commander does not. */
const BOOL_FLAGS = new Set([
  'watch',
  'full',
  'skip-current-step',
  'skip-all-steps',
  'all-namespaces',
  'timestamps',
  'short',
  'global',
  'insecure-skip-tls-verify',
  'disable-compression',
]);
/** Shorthands of boolean flags (`-w=false`). */
const BOOL_SHORT: Record<string, string> = { w: 'watch', A: 'all-namespaces' };
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Rewrites `--flag=true|false` into what commander understands (`--flag`, `--no-flag`, nothing). */
export function normalizeBoolFlags(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (a === '--') {
      out.push(...args.slice(args.indexOf(a)));
      return out;
    }
    const m = /^--([a-z-]+)=(.*)$/.exec(a) ?? /^-([wA])=(.*)$/.exec(a);
    const name = m?.[1] !== undefined ? (BOOL_SHORT[m[1]] ?? m[1]) : undefined;
    const value = m?.[2];
    if (name !== undefined && value !== undefined && (TRUE.has(value) || FALSE.has(value))) {
      if (name === 'no-color') {
        if (TRUE.has(value)) out.push('--no-color');
        continue;
      }
      if (BOOL_FLAGS.has(name)) {
        if (TRUE.has(value)) out.push(`--${name}`);
        else if (name === 'watch') out.push('--no-watch');
        continue;
      }
    }
    out.push(a);
  }
  return out;
}

function write(stream: NodeJS.WriteStream, s: string): Promise<void> {
  return new Promise((resolve) => {
    if (s === '') resolve();
    else stream.write(s, () => resolve());
  });
}

export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  if (args[0] === COMPLETE || args[0] === COMPLETE_NO_DESC) {
    const candidates = await complete(program, args.slice(1));
    const lines =
      args[0] === COMPLETE_NO_DESC ? candidates.map((c) => c.split('\t')[0]!) : candidates;
    await write(process.stdout, lines.map((l) => `${l}\n`).join(''));
    return 0;
  }
  try {
    await program.parseAsync(normalizeBoolFlags(args), { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof UsageError) {
      e.command.outputHelp({ error: true });
      await write(process.stderr, '');
      return 1;
    }
    if (e instanceof ExitError) return e.code;
    await write(process.stderr, `Error: ${describeError(e)}\n`);
    return 1;
  } finally {
    closeKube();
  }
}

// A closed stdout (`| head`) ends the process quietly, as SIGPIPE ends the original.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(1);
    throw e;
  });
}

const code = await main(process.argv.slice(2));
await write(process.stdout, '');
process.exit(code);
