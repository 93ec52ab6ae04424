// A real Prometheus for analysis tests: Debian's binary, unpacked by
// scripts/install-system-deps.sh into .tools/prometheus (no system service), started on a free
// 127.0.0.1 port with a temporary config (1 s scrape and evaluation intervals) and a temporary
// TSDB directory. Prometheus answers /-/ready within a fraction of a second, but the first scrape
// only lands about 5–8 s after start (target discovery is throttled to 5 s): waitForTarget()
// polls until `up == 1` for every target.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PROMETHEUS_BIN = join(ROOT, '.tools/prometheus/usr/bin/prometheus');

export interface PrometheusHandle {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Milliseconds from spawn to /-/ready answering 200. */
  readyMs: number;
  /** Milliseconds from spawn to every target being up (set by waitForTarget). */
  targetsUpMs?: number;
  /** Resolves once `up == 1` for every configured target. */
  waitForTarget(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** Static scrape targets, `host:port`, scraped at `/metrics`. */
  targets: string[];
  /** Overall budget for /-/ready, ms. Default 30 s. */
  readyTimeoutMs?: number;
}

/** Fails loudly (CI) or with instructions (dev machine) when the binary is missing. */
export function requirePrometheusBinary(): string {
  if (existsSync(PROMETHEUS_BIN)) return PROMETHEUS_BIN;
  if (process.env.CI === 'true') {
    throw new Error(
      `CI: the Prometheus binary is missing at ${PROMETHEUS_BIN}. The CI job must run ` +
        'scripts/install-system-deps.sh before the tests; analysis tests are never skipped.',
    );
  }
  throw new Error(
    `Prometheus is not installed for the tests (expected ${PROMETHEUS_BIN}). ` +
      'Run scripts/install-system-deps.sh (it unpacks the Debian prometheus package into .tools/).',
  );
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusHandle> {
  const bin = requirePrometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-test-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: app',
      '    static_configs:',
      `      - targets: [${opts.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let stderr = '';
  // Written by the exit handler; an object so that TypeScript does not narrow it away.
  const state: { exited?: { code: number | null; signal: NodeJS.Signals | null } } = {};
  const exitText = (): string => {
    const e = state.exited as { code: number | null; signal: string | null } | undefined;
    return e ? `exited with ${e.code ?? e.signal}` : 'running';
  };
  let url = '';
  let started = 0;
  // A port picked by freePort() may be taken before Prometheus binds it: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    stderr = '';
    state.exited = undefined;
    started = performance.now();
    const proc = spawn(
      bin,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (d: string) => {
      if (stderr.length < 20_000) stderr += d;
    });
    proc.once('exit', (code, signal) => {
      state.exited = { code, signal };
    });
    // Wait for /-/ready, or for an early exit (port clash → next attempt).
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
    let ready = false;
    while (Date.now() < deadline && !state.exited) {
      try {
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) {
          ready = true;
          break;
        }
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    if (ready) break;
    if (state.exited && /address already in use/.test(stderr)) continue;
    await killChild(proc);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Prometheus did not become ready at ${url} ` +
        `(${state.exited ? exitText() : 'timeout'}):\n${stderr}`,
    );
  }
  if (!child || state.exited) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Prometheus could not bind a free port:\n${stderr}`);
  }
  const proc = child;
  const readyMs = Math.round(performance.now() - started);

  const handle: PrometheusHandle = {
    url,
    readyMs,
    async waitForTarget(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        if (state.exited) throw new Error(`Prometheus ${exitText()}:\n${stderr}`);
        try {
          const body = (await getJson(`${url}/api/v1/query?query=up`)) as {
            data?: { result?: { metric: { instance?: string }; value: [number, string] }[] };
          };
          const up = new Map(
            (body.data?.result ?? []).map((r) => [r.metric.instance ?? '', r.value[1]]),
          );
          last = JSON.stringify(Object.fromEntries(up));
          if (opts.targets.every((t) => up.get(t) === '1')) {
            handle.targetsUpMs = Math.round(performance.now() - started);
            return;
          }
        } catch (e) {
          last = e instanceof Error ? e.message : String(e);
        }
        await sleep(200);
      }
      throw new Error(`Prometheus targets not up after ${timeoutMs} ms; last: ${last}\n${stderr}`);
    },
    async stop() {
      await killChild(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

async function killChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(timer);
}
