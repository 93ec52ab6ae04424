// Shared pieces of the commands: the per-invocation context (flags, lazily built client,
// output streams), argument-count checks that end in "usage on stderr, exit 1", and small
// helpers for reading unstructured objects.
import { Command, InvalidArgumentError } from 'commander';
import { errorMessage, loadKube, type GlobalFlags, type Kube } from '../kube.ts';

/** A wrong argument count: print the command's usage on stderr and exit 1, no `Error:` line. */
export class UsageError extends Error {
  constructor(readonly command: Command) {
    super('usage');
  }
}

/** A failure that was already reported (the command printed its own output); exit with `code`. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface Ctx {
  readonly flags: GlobalFlags;
  /**
   * The connection, built on first use (commands that need no cluster never touch it).
   * `full` for a client-node KubeConfig (needed by watches).
   */
  kube(o?: { full?: boolean }): Promise<Kube>;
  out(s: string): void;
  err(s: string): void;
  /** The one-line error text for an error, with the server URL for connection failures. */
  message(e: unknown): string;
}

let kubeCache: { kube: Kube; full: boolean } | undefined;

export function ctxOf(cmd: Command): Ctx {
  const flags = cmd.optsWithGlobals<GlobalFlags>();
  return {
    flags,
    async kube(o = {}) {
      if (!kubeCache || (o.full && !kubeCache.full)) {
        kubeCache?.kube.client.close();
        kubeCache = { kube: await loadKube(flags, o), full: o.full === true };
      }
      return kubeCache.kube;
    },
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    message: describeError,
  };
}

/** The one-line text of an error, with the server URL (of the client in use) for connection failures. */
export function describeError(e: unknown): string {
  let server: string | undefined;
  try {
    server = kubeCache?.kube.kc.getCurrentCluster()?.server;
  } catch {
    server = undefined;
  }
  return errorMessage(e, server);
}

/** Closes the keep-alive connections of the client, if one was made. */
export function closeKube(): void {
  kubeCache?.kube.client.close();
}

export function exactArgs(cmd: Command, args: string[], n: number): void {
  if (args.length !== n) throw new UsageError(cmd);
}

export function minArgs(cmd: Command, args: string[], n: number): void {
  if (args.length < n) throw new UsageError(cmd);
}

/**
 * A new subcommand with cobra-like help: `usage` is what follows the command path
 * (`ROLLOUT_NAME [flags]`), `short` the one-line summary, `long` the help description.
 */
export function newCommand(
  name: string,
  o: { usage?: string; short: string; long?: string; example?: string; aliases?: string[] },
): Command {
  const cmd = new Command(name)
    .summary(o.short)
    .description(o.long ?? o.short)
    .usage(o.usage ?? '[flags]');
  if (o.aliases) cmd.aliases(o.aliases);
  if (o.example) cmd.addHelpText('after', `\nExamples:\n${o.example.replace(/^\n+|\n+$/g, '')}\n`);
  return cmd;
}

/** Parses an int flag (pflag wording on error). */
export function intFlag(flag: string) {
  return (v: string): number => {
    if (!/^[+-]?\d+$/.test(v)) {
      throw new InvalidArgumentError(
        `invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
      );
    }
    return Number(v);
  };
}

// ---- unstructured access ------------------------------------------------------------------

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string value, or '' for anything else. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The value at a path of plain keys, or undefined. */
export function dig(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
