// The child processes the benchmarks run — the emulator (bench/controller/sim-process.ts) and
// the controller CLI — with the bookkeeping that stops them at the end and kills them if the
// benchmark dies. Shared by bench/controller and bench/analysis.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

// ---- children: stopped at the end, killed if anything goes wrong ----

export const children: ChildProcess[] = [];

process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Signals `child` (if given a signal), waits up to `graceMs` for it to exit, then kills it. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal?: NodeJS.Signals,
  graceMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (signal) child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

// ---- the emulator ----

export interface SimStats {
  cpuMs: number;
  /** Requests served so far by "METHOD resource". */
  requests: Record<string, number>;
}

export interface SimProcess {
  url: string;
  port: number;
  pid: number;
  kubeconfig: string;
  stats(): Promise<SimStats>;
  stop(): Promise<void>;
}

/** Forks bench/controller/sim-process.ts with `options` (its CONTROLLER_BENCH_SIM). */
export async function startSimProcess(
  options: Record<string, unknown>,
  graceMs?: number,
): Promise<SimProcess> {
  const child = fork(fileURLToPath(new URL('../controller/sim-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, CONTROLLER_BENCH_SIM: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`emulator did not answer "${type}" within 60 s`));
      }, 60_000);
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        cleanup();
        resolve(m);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`emulator exited (${code}) while waiting for "${type}"`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = await next('ready');
  const url = String(ready.url);
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    kubeconfig: String(ready.kubeconfig),
    async stats() {
      const stats = next('stats');
      child.send({ type: 'stats' });
      const m = await stats;
      return { cpuMs: Number(m.cpuMs), requests: m.requests as Record<string, number> };
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop' });
      await stopChild(child, exited, undefined, graceMs);
    },
  };
}

// ---- the controller ----

export interface ControllerProcess {
  pid: number;
  metricsPort: number;
  logFile: string;
  warnings: number;
  lastLines: string[];
  stop(): Promise<number | null>;
}

/**
 * Preloaded into the controller (node --import): it is started with an IPC channel only so that
 * it exits when this process goes away, even if this one is killed before it could stop it.
 * Nothing else of the CLI changes.
 */
export const EXIT_WITH_PARENT =
  'data:text/javascript,' +
  encodeURIComponent(
    "if (process.channel) { process.channel.unref(); process.on('disconnect', () => process.exit(0)); }",
  );

/**
 * Runs `node <args>` (the controller CLI with its flags; `--logformat json`), copies its output
 * to `logFile`, counts warning lines, and resolves once every cache has synced (the Rollout
 * controller, started after the AnalysisRun controller, says so last).
 */
export async function startControllerProcess(
  args: string[],
  logFile: string,
  repo: string,
  graceMs?: number,
): Promise<ControllerProcess> {
  const child = spawn(process.execPath, args, {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const out = createWriteStream(logFile);
  const handle: ControllerProcess = {
    pid: child.pid!,
    metricsPort: 0,
    logFile,
    warnings: 0,
    lastLines: [],
    async stop() {
      await stopChild(child, exited, 'SIGTERM', graceMs);
      out.end();
      return child.exitCode;
    },
  };
  let synced: () => void;
  const syncedP = new Promise<void>((r) => (synced = r));
  let partial = '';
  const onData = (chunk: Buffer) => {
    out.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let entry: { level?: string; msg?: string; metricsPort?: number } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // not a log line (e.g. a stack trace)
      }
      if (entry.level === 'warning' || entry.level === 'error' || !entry.level) {
        handle.warnings++;
        handle.lastLines.push(line.slice(0, 500));
        if (handle.lastLines.length > 10) handle.lastLines.shift();
      }
      if (entry.msg === 'metrics and healthz serving') handle.metricsPort = entry.metricsPort ?? 0;
      if (entry.msg === 'caches synced; reconciling') synced();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    syncedP,
    exited.then((code) => {
      throw new Error(`controller exited (${code}) before its caches synced; see ${logFile}`);
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('controller did not sync within 60 s')), 60_000);
    }),
  ]);
  clearTimeout(timer);
  return handle;
}
