// Benchmark of the dashboard server (`kubectl argo rollouts dashboard`) against the emulator with
// the controller running. Four processes: the emulator (startSim(), bench/controller/sim-process.ts),
// the controller CLI, the dashboard as users run it (the built plugin,
// `node bin/kubectl-argo-rollouts.js dashboard --port 0 -n <ns>` with KUBECONFIG), and this load
// generator. The dashboard runs in its own process so that its CPU time and RSS can be read from
// /proc without the load generator's, and so that it is the code path users run. With N canary
// Rollouts (replicas 1–2, steps [setWeight: 50, pause: {}]) in one namespace it measures:
//   (1) GET /rollouts/api/v1/rollouts/{ns}/info: latency p50/p99, response size, CPU per request;
//   (2) promote → list watch: with K SSE clients of GET …/{ns}/info/watch, the time from sending
//       PUT …/{name}/promote until each client has a message for that Rollout at step 2/2
//       (one promote at a time), plus the time for the K clients' first snapshot of N Rollouts;
//   (3) single-rollout watches: S SSE streams of GET …/{ns}/{name}/info/watch on S untouched
//       Rollouts; messages/s per stream and the dashboard's CPU over a window with the namespace
//       quiet, and (largest S) over a window while other Rollouts of the namespace change image;
//   (4) the dashboard's RSS at idle, with N Rollouts, after (1), with the streams open; VmHWM.
// Every loop is bounded in count and time; all traffic is to 127.0.0.1; the run stops by itself.
//
//   node --import tsx bench/dashboard/run.ts [--rollouts 200] [--list-clients 1,10]
//     [--single-watches 1,20] [--info-requests 50] [--promotes 30] [--window 20] [--churn 20]
//     [--ready-delay 50] [--controller-qps 0] [--phase-timeout 300] [--entry dist|tsx]
//     [--label x] [--smoke]
//   DASHBOARD_BENCH_CPU_PROF=<dir> also writes a --cpu-prof of the dashboard process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';
import { Client } from '../support/http-client.ts';
import { pool } from '../support/pool.ts';
import {
  children,
  EXIT_WITH_PARENT,
  startControllerProcess,
  startSimProcess,
  stopChild,
  type ControllerProcess,
  type SimProcess,
  type SimStats,
} from '../support/processes.ts';

const { values: argv } = parseArgs({
  options: {
    rollouts: { type: 'string' },
    'list-clients': { type: 'string' },
    'single-watches': { type: 'string' },
    'info-requests': { type: 'string' },
    promotes: { type: 'string' },
    window: { type: 'string' },
    churn: { type: 'string' },
    'ready-delay': { type: 'string', default: '50' },
    'controller-qps': { type: 'string', default: '0' },
    'phase-timeout': { type: 'string', default: '300' },
    entry: { type: 'string', default: 'dist' },
    label: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});

const SMOKE = argv.smoke === true;
/** Defaults of a full run, and of --smoke (explicit flags win over both). */
const DEFAULTS = SMOKE
  ? {
      rollouts: '10',
      'list-clients': '1,2',
      'single-watches': '1,2',
      'info-requests': '10',
      promotes: '2',
      window: '5',
      churn: '2',
    }
  : {
      rollouts: '200',
      'list-clients': '1,10',
      'single-watches': '1,20',
      'info-requests': '50',
      promotes: '30',
      window: '20',
      churn: '20',
    };

function intOf(name: keyof typeof DEFAULTS | 'ready-delay' | 'phase-timeout', min = 1): number {
  const raw = (argv as Record<string, unknown>)[name] ?? (DEFAULTS as Record<string, string>)[name];
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return v;
}

function intList(name: 'list-clients' | 'single-watches'): number[] {
  const raw = argv[name] ?? DEFAULTS[name];
  const out = raw.split(',').map((s) => Number(s.trim()));
  if (!out.length || out.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--${name} must be a comma-separated list of integers ≥ 1`);
  return out;
}

const ROLLOUTS = intOf('rollouts');
const LIST_CLIENTS = intList('list-clients');
const SINGLE_WATCHES = intList('single-watches');
const INFO_REQUESTS = intOf('info-requests');
const WINDOW_MS = intOf('window') * 1000;
const READY_DELAY_MS = intOf('ready-delay', 0);
const PHASE_LIMIT_MS = intOf('phase-timeout') * 1000;
const MAX_SINGLE = Math.max(...SINGLE_WATCHES);
if (MAX_SINGLE > ROLLOUTS) throw new Error('--single-watches may not exceed --rollouts');
/** Rollouts promoted per list-client setting; each setting gets its own, all paused first. */
const PROMOTES = Math.min(
  intOf('promotes'),
  Math.floor((ROLLOUTS - MAX_SINGLE) / LIST_CLIENTS.length),
);
if (PROMOTES < 1) throw new Error('not enough Rollouts for the promotes and the single watches');
/** Rollouts whose image changes during the busy single-watch window. */
const CHURN = Math.min(intOf('churn', 0), ROLLOUTS - MAX_SINGLE - PROMOTES * LIST_CLIENTS.length);
const ENTRY = argv.entry === 'tsx' ? 'tsx' : 'dist';
if (argv.entry !== ENTRY) throw new Error('--entry must be dist or tsx');
const PROMOTE_WAIT_MS = 60_000;
const QUIET_MS = 2_000;
const POLL_MS = 500;
const CONCURRENCY = 16;
const RUN_LIMIT_MS = 6 * PHASE_LIMIT_MS + 600_000;
const NS = 'bench-dash';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RO_BASE = '/apis/argoproj.io/v1alpha1';
const API = '/rollouts/api/v1';
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p99: round(percentile(s, 99)),
    min: round(s[0] ?? NaN),
    max: round(s[s.length - 1] ?? NaN),
    mean: round(s.reduce((a, b) => a + b, 0) / (s.length || NaN)),
  };
}

// ---- /proc ----

interface ProcStats {
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
  /** Open file descriptors (sockets: the SSE clients and the watches on the emulator). */
  fds: number;
}

function procStats(pid: number): ProcStats {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return {
    cpuSeconds: round(ticks / CLK_TCK, 2),
    rssMiB: round(kb('VmRSS') / 1024),
    peakRssMiB: round(kb('VmHWM') / 1024),
    fds: readdirSync(`/proc/${pid}/fd`).length,
  };
}

// ---- HTTP with keep-alive ----

/**
 * One SSE stream of the dashboard (`Accept: text/event-stream`, as the UI's EventSource sends):
 * each `data: {"result":…} ` line is parsed and handed to `onResult` with its arrival time.
 */
class SseStream {
  messages = 0;
  bytes = 0;
  keepAlives = 0;
  errors: string[] = [];
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private readonly agent = new Agent({ keepAlive: false });

  constructor(
    readonly port: number,
    readonly path: string,
    readonly onResult: (result: unknown, at: number) => void = () => undefined,
  ) {}

  /** Resolves when the response headers arrived (status 200). */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: this.path,
          agent: this.agent,
          headers: { Accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${this.path}: ${res.statusCode}`));
            res.resume();
            return;
          }
          this.res = res;
          let partial = '';
          res.on('data', (chunk: Buffer) => {
            const at = performance.now();
            this.bytes += chunk.length;
            const lines = (partial + chunk.toString('utf8')).split('\n');
            partial = lines.pop() ?? '';
            for (const line of lines) {
              if (line === ':') this.keepAlives++;
              if (!line.startsWith('data: ')) continue;
              this.messages++;
              try {
                const m = JSON.parse(line.slice(6)) as { result?: unknown; error?: unknown };
                if (m.error) this.errors.push(JSON.stringify(m.error).slice(0, 300));
                else this.onResult(m.result, at);
              } catch (e) {
                this.errors.push(String(e).slice(0, 300));
              }
            }
          });
          res.on('error', () => undefined);
          resolve();
        },
      );
      this.req = req;
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.res?.destroy();
    this.req?.destroy();
    this.agent.destroy();
  }
}

/** Polls `check` every POLL_MS until it returns true; false after PHASE_LIMIT_MS. */
async function until(what: string, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(POLL_MS);
  }
  log(`gave up waiting for ${what} after ${PHASE_LIMIT_MS / 1000} s`);
  return false;
}

/** Resolves when `check()` holds (checked every 20 ms), or false after `ms`. */
async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

// ---- the emulator ----

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const totalWrites = (s: SimStats) =>
  Object.entries(s.requests).reduce(
    (a, [k, n]) => a + (WRITE_METHODS.has(k.slice(0, k.indexOf(' '))) ? n : 0),
    0,
  );

/** GET requests (lists and watches) the emulator served between two snapshots, by resource. */
function getsBetween(a: SimStats, b: SimStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(b.requests)) {
    if (!k.startsWith('GET ')) continue;
    const d = n - (a.requests[k] ?? 0);
    if (d) out[k.slice(4)] = d;
  }
  return out;
}

/**
 * A raw watch of the namespace's Rollouts on the emulator (no dashboard in between):
 * `onRollout(ro, at)` for every event. The reference for the list watch's latency.
 */
async function watchRollouts(
  client: Client,
  onRollout: (ro: RolloutView, at: number) => void,
): Promise<{ stop(): void }> {
  const list = JSON.parse(
    (await client.expect('GET', `${RO_BASE}/namespaces/${NS}/rollouts`, 200)).body,
  ) as { metadata: { resourceVersion: string } };
  const agent = new Agent({ keepAlive: false });
  let stream: IncomingMessage | undefined;
  await new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: client.port,
        path: `${RO_BASE}/namespaces/${NS}/rollouts?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=${Math.ceil(PHASE_LIMIT_MS / 1000) * 2}`,
        agent,
        headers: { Accept: 'application/json' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`Rollout watch: ${res.statusCode}`));
          return;
        }
        stream = res;
        let partial = '';
        res.on('data', (chunk: Buffer) => {
          const at = performance.now();
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (line) onRollout((JSON.parse(line) as { object: RolloutView }).object, at);
          }
        });
        res.on('error', () => undefined);
        resolve();
      },
    );
    req.on('error', reject);
    req.end();
  });
  return {
    stop() {
      stream?.destroy();
      agent.destroy();
    },
  };
}

/** Waits until no write has reached the emulator for QUIET_MS (at most PHASE_LIMIT_MS). */
async function quiet(sim: SimProcess): Promise<void> {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  let last = totalWrites(await sim.stats());
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(250);
    const now = totalWrites(await sim.stats());
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= QUIET_MS) {
      return;
    }
  }
  log(`writes did not stop within ${PHASE_LIMIT_MS / 1000} s`);
}

// ---- the dashboard process ----

interface DashboardProcess {
  pid: number;
  port: number;
  logFile: string;
  stop(): Promise<number | null>;
}

/** Starts the dashboard command and resolves once it logged its URL (the port it bound). */
async function startDashboardProcess(kubeconfig: string, logFile: string) {
  const args = [
    ...(process.env.DASHBOARD_BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DASHBOARD_BENCH_CPU_PROF}`]
      : []),
    ...(ENTRY === 'tsx' ? ['--import', 'tsx'] : []),
    '--import',
    EXIT_WITH_PARENT,
    join(REPO, ENTRY === 'tsx' ? 'plugin/cli.ts' : 'bin/kubectl-argo-rollouts.js'),
    'dashboard',
    '--port',
    '0',
    '-n',
    NS,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const out = createWriteStream(logFile);
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out.write(chunk);
      if (text.length < 100_000) text += chunk.toString('utf8');
      const m = /available at http:\/\/[^\s/]+:(\d+)\//.exec(text);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`dashboard exited (${code}) before it listened: ${text.slice(0, 500)}`)),
    );
    timer = setTimeout(() => reject(new Error('dashboard did not listen within 60 s')), 60_000);
  });
  clearTimeout(timer);
  return {
    pid: child.pid!,
    port,
    logFile,
    async stop() {
      await stopChild(child, exited, 'SIGTERM');
      out.end();
      return child.exitCode;
    },
  } satisfies DashboardProcess;
}

// ---- the workload ----

interface RolloutView {
  metadata: { name: string; namespace: string; generation?: number };
  status?: {
    phase?: string;
    observedGeneration?: string;
    currentStepIndex?: number;
    pauseConditions?: unknown[] | null;
    stableRS?: string;
    currentPodHash?: string;
  };
}

const nameOf = (i: number) => `ro-${String(i).padStart(4, '0')}`;

function rolloutBody(i: number, image: string): object {
  const name = nameOf(i);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: 1 + (i % 2),
      revisionHistoryLimit: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }] },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

async function listRollouts(client: Client): Promise<RolloutView[]> {
  const res = await client.expect('GET', `${RO_BASE}/namespaces/${NS}/rollouts`, 200);
  return (JSON.parse(res.body) as { items: RolloutView[] }).items;
}

const observed = (ro: RolloutView) =>
  ro.status?.observedGeneration === String(ro.metadata.generation);
const healthy = (ro: RolloutView) =>
  observed(ro) && ro.status?.phase === 'Healthy' && ro.status.stableRS === ro.status.currentPodHash;
const pausedAtStep1 = (ro: RolloutView) =>
  observed(ro) &&
  ro.status?.phase === 'Paused' &&
  ro.status.currentStepIndex === 1 &&
  (ro.status.pauseConditions?.length ?? 0) > 0;

async function waitAll(
  client: Client,
  what: string,
  names: Set<string>,
  ok: (ro: RolloutView) => boolean,
) {
  let count = 0;
  let lastLog = 0;
  const done = await until(what, async () => {
    count = (await listRollouts(client)).filter(
      (ro) => names.has(ro.metadata.name) && ok(ro),
    ).length;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  ${what}: ${count}/${names.size}`);
    }
    return count === names.size;
  });
  if (!done) throw new Error(`only ${count}/${names.size} Rollouts ${what}`);
}

async function setImage(client: Client, name: string, image: string) {
  await client.expect(
    'PATCH',
    `${RO_BASE}/namespaces/${NS}/rollouts/${name}`,
    200,
    { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
    'application/merge-patch+json',
  );
}

interface ListInfoMessage {
  type?: string;
  rolloutInfo?: { objectMeta?: { name?: string }; step?: string };
}

const stepIndex = (step: string | undefined) => Number((step ?? '').split('/')[0] || NaN);

/**
 * Sources newer than the compiled entry points (--entry dist runs dist/: only as fresh as the
 * last `npm run build`). Empty when dist is current.
 */
function staleSources(): string[] {
  if (ENTRY !== 'dist') return [];
  const built = Math.min(
    ...['dist/plugin/cli.js', 'dist/src/controller/cli.js'].map(
      (f) => statSync(join(REPO, f)).mtimeMs,
    ),
  );
  return ['plugin', 'src']
    .flatMap((dir) =>
      readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f)),
    )
    .filter((f) => statSync(join(REPO, f)).mtimeMs > built);
}

// ---- the run ----

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log(`run exceeded ${RUN_LIMIT_MS / 1000} s; killing everything`);
    process.exit(2);
  }, RUN_LIMIT_MS);
  watchdog.unref();

  const machine = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const stale = staleSources();
  if (stale.length)
    log(
      `WARNING: ${stale.length} source files are newer than dist/ (e.g. ${stale[0]}); npm run build`,
    );
  const loadBefore = loadavg().map((n) => round(n, 2));
  log(`machine: ${JSON.stringify(machine)}; load average ${loadBefore.join(' / ')}`);
  const tmp = mkdtempSync(join(tmpdir(), 'dashboard-bench-'));
  const kubeconfigPath = join(tmp, 'kubeconfig');

  const sim = await startSimProcess({ host: '127.0.0.1', kubeletReadyDelayMs: READY_DELAY_MS });
  let controller: ControllerProcess | undefined;
  let dashboard: DashboardProcess | undefined;
  const client = new Client(sim.port);
  const streams: SseStream[] = [];
  const closeStreams = () => {
    for (const s of streams.splice(0)) s.close();
  };
  try {
    writeFileSync(kubeconfigPath, sim.kubeconfig);
    const crds = [
      'rollout-crd.yaml',
      'analysis-template-crd.yaml',
      'cluster-analysis-template-crd.yaml',
      'analysis-run-crd.yaml',
    ]
      .flatMap((f) =>
        yaml.loadAll(readFileSync(join(REPO, 'crds', f), 'utf8'), undefined, {
          schema: yaml.CORE_SCHEMA,
        }),
      )
      .filter((d): d is object => typeof d === 'object' && d !== null);
    for (const crd of crds)
      await client.expect(
        'POST',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        201,
        crd,
      );
    if (
      !(await until(
        'the Rollout CRD',
        async () => (await client.call('GET', `${RO_BASE}/rollouts`)).status === 200,
      ))
    )
      throw new Error('the Rollout CRD is not served');
    await client.expect('POST', '/api/v1/namespaces', 201, { metadata: { name: NS } });

    log('starting the controller …');
    controller = await startControllerProcess(
      [
        ...(ENTRY === 'tsx' ? ['--import', 'tsx'] : []),
        '--import',
        EXIT_WITH_PARENT,
        join(REPO, ENTRY === 'tsx' ? 'src/controller/cli.ts' : 'dist/src/controller/cli.js'),
        '--kubeconfig',
        kubeconfigPath,
        '--leader-elect=false',
        '--metricsPort',
        '0',
        '--healthzPort',
        '0',
        '--logformat',
        'json',
        '--qps',
        argv['controller-qps'],
      ],
      join(tmp, 'controller.log'),
      REPO,
    );
    log('starting the dashboard …');
    const tDash = performance.now();
    dashboard = await startDashboardProcess(kubeconfigPath, join(tmp, 'dashboard.log'));
    const dashStartMs = performance.now() - tDash;
    const dash = new Client(dashboard.port);
    const rss: Record<string, ProcStats> = {};
    await sleep(2_000);
    rss.idle = procStats(dashboard.pid);
    log(
      `dashboard pid ${dashboard.pid} on port ${dashboard.port}; idle RSS ${rss.idle.rssMiB} MiB`,
    );

    // ---- N Rollouts, all Healthy; then some paused at step 1 for the promotes ----
    const names = Array.from({ length: ROLLOUTS }, (_, i) => nameOf(i));
    log(`creating ${ROLLOUTS} Rollouts in ${NS} …`);
    let t = performance.now();
    await pool(ROLLOUTS, CONCURRENCY, PHASE_LIMIT_MS, async (i) => {
      await client.expect(
        'POST',
        `${RO_BASE}/namespaces/${NS}/rollouts`,
        201,
        rolloutBody(i, 'example/app:v1'),
      );
    });
    await waitAll(client, 'Healthy', new Set(names), healthy);
    const createSeconds = (performance.now() - t) / 1000;
    const promoteSets = LIST_CLIENTS.map((_, j) => names.slice(j * PROMOTES, (j + 1) * PROMOTES));
    const toPause = promoteSets.flat();
    const churnNames = names.slice(toPause.length, toPause.length + CHURN);
    const singleNames = names.slice(ROLLOUTS - MAX_SINGLE);
    log(`changing the image of ${toPause.length} Rollouts (they stop at the pause step) …`);
    await pool(toPause.length, CONCURRENCY, PHASE_LIMIT_MS, (i) =>
      setImage(client, toPause[i]!, 'example/app:v2'),
    );
    await waitAll(client, 'paused at step 1', new Set(toPause), pausedAtStep1);
    await quiet(sim);
    const objects = {
      rollouts: ROLLOUTS,
      replicaSets: (
        JSON.parse(
          (await client.expect('GET', `/apis/apps/v1/namespaces/${NS}/replicasets`, 200)).body,
        ) as { items: unknown[] }
      ).items.length,
      pods: (
        JSON.parse((await client.expect('GET', `/api/v1/namespaces/${NS}/pods`, 200)).body) as {
          items: unknown[];
        }
      ).items.length,
    };
    log(`namespace: ${JSON.stringify(objects)}`);
    rss.withRollouts = procStats(dashboard.pid);

    // ---- (1) GET …/{ns}/info ----
    log(`(1) ${INFO_REQUESTS} × GET ${API}/rollouts/${NS}/info …`);
    const infoPath = `${API}/rollouts/${NS}/info`;
    const warm = await dash.expect('GET', infoPath, 200);
    const warmCount = (JSON.parse(warm.body) as { rollouts?: unknown[] }).rollouts?.length ?? 0;
    if (warmCount !== ROLLOUTS) throw new Error(`info listed ${warmCount}/${ROLLOUTS} Rollouts`);
    const infoMs: number[] = [];
    const infoBytes: number[] = [];
    let cpu0 = procStats(dashboard.pid).cpuSeconds;
    t = performance.now();
    for (let i = 0; i < INFO_REQUESTS; i++) {
      const t0 = performance.now();
      const res = await dash.expect('GET', infoPath, 200);
      infoMs.push(performance.now() - t0);
      infoBytes.push(res.bytes);
    }
    const infoWall = (performance.now() - t) / 1000;
    const info = {
      requests: INFO_REQUESTS,
      mode: 'sequential, one keep-alive connection, after one unrecorded warm-up request',
      latencyMs: summary(infoMs),
      responseBytes: infoBytes[infoBytes.length - 1] ?? 0,
      responseKiB: round((infoBytes[infoBytes.length - 1] ?? 0) / 1024),
      dashboardCpuMsPerRequest: round(
        ((procStats(dashboard.pid).cpuSeconds - cpu0) * 1000) / INFO_REQUESTS,
      ),
      wallSeconds: round(infoWall, 2),
    };
    rss.afterInfoRequests = procStats(dashboard.pid);
    log(`  p50 ${info.latencyMs.p50} ms, p99 ${info.latencyMs.p99} ms, ${info.responseKiB} KiB`);

    // ---- (2) promote → list-watch message at step 2/2, with K SSE clients ----
    const rows: [string, string][] = [
      [
        `(1) GET …/${NS}/info, ${ROLLOUTS} Rollouts (${INFO_REQUESTS} sequential)`,
        `p50 **${info.latencyMs.p50} ms**, p99 **${info.latencyMs.p99} ms**; ${info.responseKiB} KiB; dashboard CPU ${info.dashboardCpuMsPerRequest} ms/request`,
      ],
    ];
    const listWatch: Record<string, unknown>[] = [];
    for (const [j, K] of LIST_CLIENTS.entries()) {
      const set = promoteSets[j]!;
      log(`(2) ${K} list-watch client(s); ${set.length} promotes …`);
      /** Per client: name → arrival time of the first message at step ≥ 2 since `since`. */
      const seen = Array.from({ length: K }, () => new Map<string, number>());
      const initial = Array.from({ length: K }, () => new Set<string>());
      const initialDone: number[] = [];
      const simBeforeOpen = await sim.stats();
      const tOpen = performance.now();
      for (let c = 0; c < K; c++) {
        const s = new SseStream(dashboard.port, `${infoPath}/watch`, (result, at) => {
          const m = result as ListInfoMessage;
          const name = m.rolloutInfo?.objectMeta?.name;
          if (!name) return;
          if (initial[c]!.size < ROLLOUTS) {
            initial[c]!.add(name);
            if (initial[c]!.size === ROLLOUTS) initialDone.push(at - tOpen);
          }
          if (stepIndex(m.rolloutInfo?.step) >= 2 && !seen[c]!.has(name)) seen[c]!.set(name, at);
        });
        streams.push(s);
      }
      await Promise.all(streams.map((s) => s.open()));
      if (!(await waitFor(() => initialDone.length === K, PHASE_LIMIT_MS)))
        throw new Error('the list watches did not announce every Rollout');
      const snapshotMs = summary(initialDone);
      await sleep(1_000);
      const openGets = getsBetween(simBeforeOpen, await sim.stats());
      rss[`listWatch${K}`] = procStats(dashboard.pid);
      // The same change seen directly on the emulator: what the dashboard adds is the rest.
      const direct = new Map<string, number>();
      const rawWatch = await watchRollouts(client, (ro, at) => {
        const name = ro.metadata.name;
        if ((ro.status?.currentStepIndex ?? 0) >= 2 && !direct.has(name)) direct.set(name, at);
      });
      const msgs0 = streams.reduce((a, s) => a + s.messages, 0);
      const bytes0 = streams.reduce((a, s) => a + s.bytes, 0);
      cpu0 = procStats(dashboard.pid).cpuSeconds;
      t = performance.now();
      const first: number[] = [];
      const all: number[] = [];
      const emulator: number[] = [];
      const added: number[] = [];
      const putMs: number[] = [];
      let missed = 0;
      for (const name of set) {
        for (const m of seen) m.delete(name);
        direct.delete(name);
        const t0 = performance.now();
        await dash.expect('PUT', `${API}/rollouts/${NS}/${name}/promote`, 200, {});
        putMs.push(performance.now() - t0);
        const ok = await waitFor(() => seen.every((m) => m.has(name)), PROMOTE_WAIT_MS);
        const times = seen.map((m) => m.get(name)).filter((x): x is number => x !== undefined);
        if (!ok || !times.length) missed++;
        if (times.length) first.push(Math.min(...times) - t0);
        if (ok) all.push(Math.max(...times) - t0);
        const d = direct.get(name);
        if (d !== undefined) {
          emulator.push(d - t0);
          if (ok) added.push(Math.max(...times) - d);
        }
      }
      rawWatch.stop();
      const wall = (performance.now() - t) / 1000;
      const cpu = procStats(dashboard.pid).cpuSeconds - cpu0;
      const msgs = streams.reduce((a, s) => a + s.messages, 0) - msgs0;
      const bytes = streams.reduce((a, s) => a + s.bytes, 0) - bytes0;
      const errors = streams.flatMap((s) => s.errors);
      closeStreams();
      const r = {
        clients: K,
        promotes: set.length,
        initialSnapshotMs: snapshotMs,
        promoteToMessageMs: { firstClient: summary(first), allClients: summary(all) },
        promoteToEmulatorWatchEventMs: summary(emulator),
        emulatorEventToLastClientMs: summary(added),
        promotePutMs: summary(putMs),
        missed,
        messagesPerClientPerPromote: round(msgs / K / set.length, 2),
        bytesPerClientPerPromote: Math.round(bytes / K / set.length),
        dashboardCpuMsPerPromote: round((cpu * 1000) / set.length),
        dashboardCpuShareOfOneCore: round(cpu / wall, 3),
        wallSeconds: round(wall, 2),
        emulatorGetsPerClientOpen: Object.fromEntries(
          Object.entries(openGets).map(([k, n]) => [k, round(n / K, 2)]),
        ),
        streamErrors: errors.slice(0, 5),
      };
      listWatch.push(r);
      rows.push([
        `(2) promote → list-watch message at step 2/2, ${K} SSE client(s) (${r.promotes} promotes)`,
        `all clients p50 **${r.promoteToMessageMs.allClients.p50} ms**, p99 **${r.promoteToMessageMs.allClients.p99} ms** (first client p50 ${r.promoteToMessageMs.firstClient.p50} ms; on a direct emulator watch p50 ${r.promoteToEmulatorWatchEventMs.p50} ms; PUT p50 ${r.promotePutMs.p50} ms; ${missed} missed); snapshot of ${ROLLOUTS} p50 ${snapshotMs.p50} ms, max ${snapshotMs.max} ms; ${r.messagesPerClientPerPromote} msg/client/promote; dashboard CPU ${r.dashboardCpuMsPerPromote} ms/promote`,
      ]);
      log(
        `  snapshot of ${ROLLOUTS} p50 ${snapshotMs.p50} ms; promote → message (all ${K}) p50 ${r.promoteToMessageMs.allClients.p50} ms, p99 ${r.promoteToMessageMs.allClients.p99} ms`,
      );
      await quiet(sim);
    }

    // ---- (3) S single-rollout watches: messages/s and CPU ----
    const single: Record<string, unknown>[] = [];
    await sleep(2_000);
    cpu0 = procStats(dashboard.pid).cpuSeconds;
    await sleep(WINDOW_MS);
    const idleCpuShare = round(
      (procStats(dashboard.pid).cpuSeconds - cpu0) / (WINDOW_MS / 1000),
      3,
    );
    log(`dashboard CPU with no stream open: ${idleCpuShare} of a core`);
    for (const S of SINGLE_WATCHES) {
      log(`(3) ${S} single-rollout watch(es) …`);
      const firstAt: number[] = [];
      const simBeforeOpen = await sim.stats();
      const tOpen = performance.now();
      for (const name of singleNames.slice(0, S)) {
        let got = false;
        streams.push(
          new SseStream(dashboard.port, `${API}/rollouts/${NS}/${name}/info/watch`, (_r, at) => {
            if (!got) firstAt.push(at - tOpen);
            got = true;
          }),
        );
      }
      await Promise.all(streams.map((s) => s.open()));
      if (!(await waitFor(() => firstAt.length === S, PHASE_LIMIT_MS)))
        throw new Error('the single watches did not send their first message');
      await sleep(2_000);
      const openGets = getsBetween(simBeforeOpen, await sim.stats());
      const measure = async (churn: string[]) => {
        const m0 = streams.map((s) => s.messages);
        const b0 = streams.reduce((a, s) => a + s.bytes, 0);
        const w0 = totalWrites(await sim.stats());
        const c0 = procStats(dashboard!.pid).cpuSeconds;
        const t0 = performance.now();
        // Image changes spread evenly over the window (none for the quiet window).
        for (const [i, name] of churn.entries()) {
          await sleep(Math.max(0, t0 + (i * WINDOW_MS) / churn.length - performance.now()));
          await setImage(client, name, 'example/app:v2');
        }
        await sleep(Math.max(0, t0 + WINDOW_MS - performance.now()));
        const secs = (performance.now() - t0) / 1000;
        const cpu = procStats(dashboard!.pid).cpuSeconds - c0;
        const perStream = streams.map((s, i) => (s.messages - m0[i]!) / secs).sort((a, b) => a - b);
        return {
          windowSeconds: round(secs, 1),
          messagesPerStreamPerSecond: {
            min: round(perStream[0] ?? NaN, 2),
            p50: round(percentile(perStream, 50), 2),
            max: round(perStream[perStream.length - 1] ?? NaN, 2),
          },
          bytesPerSecondAllStreams: Math.round(
            (streams.reduce((a, s) => a + s.bytes, 0) - b0) / secs,
          ),
          emulatorWritesInWindow: totalWrites(await sim.stats()) - w0,
          dashboardCpuShareOfOneCore: round(cpu / secs, 3),
          dashboardCpuMsPerMessage: round(
            (cpu * 1000) / Math.max(1, perStream.reduce((a, b) => a + b, 0) * secs),
            2,
          ),
        };
      };
      const quietWindow = await measure([]);
      rss[`singleWatch${S}`] = procStats(dashboard.pid);
      rows.push([
        `(3) ${S} single watch(es), quiet namespace`,
        `**${quietWindow.messagesPerStreamPerSecond.p50} msg/s** per stream; dashboard CPU **${quietWindow.dashboardCpuShareOfOneCore}** of a core (${quietWindow.dashboardCpuMsPerMessage} ms/message); first message p50 ${summary(firstAt).p50} ms, max ${summary(firstAt).max} ms`,
      ]);
      const r: Record<string, unknown> = {
        streams: S,
        firstMessageMs: summary(firstAt),
        emulatorGetsPerStreamOpen: Object.fromEntries(
          Object.entries(openGets).map(([k, n]) => [k, round(n / S, 2)]),
        ),
        quiet: quietWindow,
      };
      log(
        `  quiet: ${quietWindow.messagesPerStreamPerSecond.p50} msg/s per stream, CPU ${quietWindow.dashboardCpuShareOfOneCore} of a core`,
      );
      if (S === MAX_SINGLE && churnNames.length) {
        const busy = await measure(churnNames);
        r.busy = { imageChanges: churnNames.length, ...busy };
        rss[`singleWatch${S}Busy`] = procStats(dashboard.pid);
        rows.push([
          `(3) ${S} single watches, ${churnNames.length} image changes in ${WINDOW_MS / 1000} s`,
          `**${busy.messagesPerStreamPerSecond.p50} msg/s** per stream; dashboard CPU **${busy.dashboardCpuShareOfOneCore}** of a core (${busy.emulatorWritesInWindow} emulator writes in the window)`,
        ]);
        log(
          `  busy (${churnNames.length} image changes): ${busy.messagesPerStreamPerSecond.p50} msg/s per stream, CPU ${busy.dashboardCpuShareOfOneCore} of a core`,
        );
      }
      r.streamErrors = streams.flatMap((s) => s.errors).slice(0, 5);
      single.push(r);
      closeStreams();
      await quiet(sim);
      await sleep(2_000);
    }
    rss.end = procStats(dashboard.pid);
    const dashboardLog = readFileSync(dashboard.logFile, 'utf8').split('\n').filter(Boolean);
    const dashExit = await dashboard.stop();
    dashboard = undefined;
    const ctlEnd = procStats(controller.pid);
    await controller.stop();
    controller = undefined;
    dash.close();

    const results = {
      date: new Date().toISOString(),
      ...(argv.label ? { label: argv.label } : {}),
      command: `node --import tsx bench/dashboard/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      loadAverage: { before: loadBefore, after: loadavg().map((n) => round(n, 2)) },
      setup: {
        namespace: NS,
        ...objects,
        listClients: LIST_CLIENTS,
        singleWatches: SINGLE_WATCHES,
        promotesPerSetting: PROMOTES,
        churnImageChanges: CHURN,
        windowSeconds: WINDOW_MS / 1000,
        kubeletReadyDelayMs: READY_DELAY_MS,
        dashboard:
          ENTRY === 'dist'
            ? `node bin/kubectl-argo-rollouts.js dashboard --port 0 -n ${NS} (KUBECONFIG)`
            : `node --import tsx plugin/cli.ts dashboard --port 0 -n ${NS} (KUBECONFIG)`,
        controller: `${ENTRY === 'dist' ? 'node dist/src/controller/cli.js' : 'node --import tsx src/controller/cli.ts'} --leader-elect=false --qps ${argv['controller-qps']}`,
        sourcesNewerThanDist: stale,
        createToHealthySeconds: round(createSeconds, 2),
        dashboardStartMs: round(dashStartMs),
      },
      info,
      listWatch,
      idleCpuShareOfOneCore: idleCpuShare,
      singleWatch: single,
      dashboardRss: rss,
      dashboardPeakRssMiB: rss.end.peakRssMiB,
      dashboardCpuSecondsTotal: rss.end.cpuSeconds,
      dashboardExitCode: dashExit,
      dashboardLogLines: dashboardLog.length,
      dashboardLastLogLines: dashboardLog.slice(-5).map((l) => l.slice(0, 300)),
      controllerAtEnd: ctlEnd,
    };

    rows.push([
      '(4) dashboard RSS',
      Object.entries(rss)
        .map(([k, v]) => `${k} ${v.rssMiB}`)
        .join(', ') + ` MiB; VmHWM **${rss.end.peakRssMiB} MiB**`,
    ]);
    console.log('| measure | result |');
    console.log('| --- | --- |');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    console.log(
      `\n${machine.nproc} cores, ${machine.memoryGiB} GiB, ${machine.node}; load average ${results.loadAverage.before.join(' / ')} before, ${results.loadAverage.after.join(' / ')} after; idle dashboard CPU ${idleCpuShare} of a core`,
    );

    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const suffix = argv.label ? `-${argv.label}` : SMOKE ? '-smoke' : '';
    const file = `${dir}dashboard-${results.date.slice(0, 10)}${suffix}.json`;
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${file} (format it with npx prettier --write)`);
    rmSync(tmp, { recursive: true, force: true });
  } catch (e) {
    log(`logs kept in ${tmp}`);
    throw e;
  } finally {
    closeStreams();
    client.close();
    await dashboard?.stop();
    await controller?.stop();
    await sim.stop();
  }
}

await main();
