// The demo's child processes: each runs in its own process group (so a Ctrl-C in the terminal
// reaches only the demo, which then stops the children in order), writes stdout and stderr to a
// log file, and is reported when it exits without being asked to. Every child also gets an IPC
// channel: node children a preloaded hook that sends themselves SIGTERM when the channel closes,
// other programs (Prometheus) a node wrapper that does the same for them (child-guard.ts), so they
// stop cleanly (the emulator saves its state) even if the demo itself is killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Preloaded into node children with `--import`: exit (via our own SIGTERM) with the parent. */
export const STOP_WITH_PARENT =
  'data:text/javascript,' +
  encodeURIComponent(
    "if (process.channel) { process.channel.unref(); process.on('disconnect', () => process.kill(process.pid, 'SIGTERM')); }",
  );

/** node arguments that run child-guard: the built .js, or the .ts through tsx (development). */
function guardArgv(): string[] {
  const js = fileURLToPath(new URL('./child-guard.js', import.meta.url));
  if (existsSync(js)) return [js];
  return ['--import', 'tsx', fileURLToPath(new URL('./child-guard.ts', import.meta.url))];
}

export interface ChildSpec {
  /** Short name for messages: "emulator", "controller" … */
  name: string;
  /** A node script (run with this node and the STOP_WITH_PARENT hook) or an executable (run
   * under child-guard). */
  command: string;
  args: readonly string[];
  node: boolean;
  logFile: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class DemoChild {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private stopping = false;
  /** stop() had to SIGKILL it. */
  escalated = false;
  private exitInfo: ExitInfo | undefined;

  constructor(
    readonly spec: ChildSpec,
    private readonly proc: ChildProcess,
  ) {
    if (proc.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    this.pid = proc.pid;
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** True once stop() was called: an exit after that is expected. */
  get expected(): boolean {
    return this.stopping;
  }

  /** Marks an exit as expected without signalling (a child that is allowed to end by itself). */
  release(): void {
    this.stopping = true;
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<ExitInfo> {
    this.stopping = true;
    if (this.exitInfo) return this.exitInfo;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (r) => (timer = setTimeout(() => r('timeout'), graceMs)),
    );
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.escalated = true;
      this.signal('SIGKILL');
      return this.exited;
    }
    return result;
  }

  /** Signals the child's process group (it leads one), or the child alone if that fails. */
  signal(sig: NodeJS.Signals): void {
    if (this.exitInfo) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      try {
        this.proc.kill(sig);
      } catch {
        /* already gone */
      }
    }
  }

  /** The last lines of the child's log, for error messages. */
  logTail(lines = 15): string {
    try {
      const text = readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n');
      return text.slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

export function describeExit(e: ExitInfo): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code ?? '?'}`;
}

/** Starts the children and keeps them in a list that a last-resort exit hook kills. */
export class Supervisor {
  readonly children: DemoChild[] = [];

  constructor() {
    process.on('exit', () => {
      for (const c of this.children) c.signal('SIGKILL');
    });
  }

  start(spec: ChildSpec, onUnexpectedExit: (child: DemoChild, exit: ExitInfo) => void): DemoChild {
    const fd = openSync(spec.logFile, 'a');
    writeSync(
      fd,
      `\n---- ${new Date().toISOString()} demo starts ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`,
    );
    let proc: ChildProcess;
    try {
      // A program that is not node runs under child-guard, which gives it the same tie.
      const argv = spec.node
        ? ['--import', STOP_WITH_PARENT, spec.command, ...spec.args]
        : [...guardArgv(), spec.command, ...spec.args];
      proc = spawn(process.execPath, argv, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd, 'ipc'],
      });
    } finally {
      closeSync(fd);
    }
    // An IPC channel must not keep the demo alive on its own.
    proc.channel?.unref();
    proc.on('error', () => undefined); // reported through 'exit' (or the missing pid)
    const child = new DemoChild(spec, proc);
    this.children.push(child);
    void child.exited.then((exit) => {
      if (!child.expected) onUnexpectedExit(child, exit);
    });
    return child;
  }
}
