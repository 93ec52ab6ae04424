// Benchmark of the AnalysisRun controller: N concurrent AnalysisRuns, each with one Prometheus
// metric measured every second (`interval: 1s`, no count: indefinite), against the test
// Prometheus (Debian's binary, bench/analysis/prometheus.ts) scraping a prom-client app
// (test/support/metrics-app.ts) every second. Processes: the emulator
// (bench/controller/sim-process.ts), the controller as users run it (src/controller/cli.ts:
// `--leader-elect=false`, ephemeral ops ports, `--qps 0` unless told otherwise), Prometheus, and
// this process (load generator, metrics app). Once every run has its first measurement and
// a settling time has passed, it measures over a fixed window:
//   - measurements/s: Σ (count + error) of every run's metric, from a list at each end;
//   - scheduling lag: actual start − planned start of each measurement, where planned = the
//     previous measurement's finishedAt (as stored: whole seconds) + interval (what the
//     controller itself schedules, analysis.md §3.12), and actual = the `time` the controller
//     sent with the query, read from Prometheus's query log (millisecond resolution; each
//     query names its run in a PromQL comment). The whole-second startedAt gives the same lag
//     at 1 s resolution, as a check;
//   - controller CPU seconds per second and RSS (/proc/<pid>/stat and status);
//   - Prometheus query rate (its own /metrics, and the query log).
// Then it sets `terminate: true` on every run and checks they all end Successful.
// Every phase is bounded; all traffic is to 127.0.0.1; the run stops by itself.
//
//   node --import tsx bench/analysis/run.ts [--runs 500] [--window-seconds 60]
//     [--threads <--analysis-threads>] [--qps 0|<x>|default] [--burst <n>]
//     [--namespaces 5] [--settle-seconds 5] [--poll-ms 3000] [--error-rate 0.01]
//     [--cpu-prof <dir>] [--label x]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  startControllerProcess as startControllerProcessShared,
  startSimProcess,
  type ControllerProcess,
} from '../support/processes.ts';
import { startMetricsApp } from '../../test/support/metrics-app.ts';
import { startBenchPrometheus, type BenchPrometheus } from './prometheus.ts';

const { values: argv } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    namespaces: { type: 'string', default: '5' },
    'window-seconds': { type: 'string', default: '60' },
    'settle-seconds': { type: 'string', default: '5' },
    threads: { type: 'string' },
    qps: { type: 'string', default: '0' },
    burst: { type: 'string' },
    'poll-ms': { type: 'string', default: '3000' },
    'error-rate': { type: 'string', default: '0.01' },
    'cpu-prof': { type: 'string' },
    label: { type: 'string' },
  },
});

function intArg(name: keyof typeof argv, min = 1): number {
  const v = Number(argv[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return v;
}

const RUNS = intArg('runs');
const NAMESPACES = Math.min(intArg('namespaces'), RUNS);
const WINDOW_MS = intArg('window-seconds') * 1000;
const SETTLE_MS = intArg('settle-seconds', 0) * 1000;
/** Lists of all runs this often collect every measurement (10 are kept per run: ≥ 10 s). */
const POLL_MS = Math.min(intArg('poll-ms', 100), 8000);
const ERROR_RATE = Number(argv['error-rate']);
if (!(ERROR_RATE >= 0 && ERROR_RATE <= 1)) throw new Error('--error-rate must be in [0, 1]');
/** `--qps default` passes no --qps/--burst: the controller's defaults (40/80) apply. */
const QPS = argv.qps === 'default' ? undefined : argv.qps;
if (QPS !== undefined && !(Number(QPS) >= 0)) throw new Error('--qps must be ≥ 0 or "default"');
const THREADS = argv.threads;
if (THREADS !== undefined && !(Number(THREADS) >= 1)) throw new Error('--threads must be ≥ 1');
/** No phase (fill, first measurements, termination) may take longer than this. */
const PHASE_LIMIT_MS = 120_000;
/** The whole run, whatever happens. */
const RUN_LIMIT_MS = WINDOW_MS + SETTLE_MS + 4 * PHASE_LIMIT_MS + 120_000;
const CONCURRENCY = 16;
const INTERVAL_MS = 1000;
/** Retry interval after an Error measurement (analysis.md §3.5). */
const ERROR_RETRY_MS = 10_000;
const METRIC = 'success-rate';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => n.toLocaleString('en-US');
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summary(values: number[], digits = 1) {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(percentile(s, 50), digits),
    p90: round(percentile(s, 90), digits),
    p99: round(percentile(s, 99), digits),
    max: round(s[s.length - 1] ?? NaN, digits),
    min: round(s[0] ?? NaN, digits),
    mean: round(s.reduce((a, b) => a + b, 0) / (s.length || NaN), digits),
  };
}

// ---- /proc ----

interface ProcStats {
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
  /**
   * Time the main thread (where JavaScript runs) spent runnable but waiting for a CPU, from
   * /proc/<pid>/task/<pid>/schedstat: how much other processes held the process back.
   */
  mainThreadRunQueueSeconds: number;
}

function procStats(pid: number): ProcStats {
  // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  let waitNs = NaN;
  try {
    waitNs = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    // no schedstats in this kernel
  }
  return {
    cpuSeconds: round(ticks / CLK_TCK, 2),
    rssMiB: round(kb('VmRSS') / 1024),
    peakRssMiB: round(kb('VmHWM') / 1024),
    mainThreadRunQueueSeconds: round(waitNs / 1e9, 3),
  };
}

/** Machine-wide CPU ticks from /proc/stat: all and idle (idle + iowait). */
function machineTicks(): { total: number; idle: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9);
  const n = f.map(Number);
  return { total: n.reduce((a, b) => a + b, 0), idle: (n[3] ?? 0) + (n[4] ?? 0) };
}

// ---- HTTP with keep-alive ----

// ---- the emulator (the controller benchmark's process wrapper, reused) ----

/** How long a stopped child may take before it is killed. */
const GRACE_MS = 15_000;

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

const startSim = () => startSimProcess({ host: '127.0.0.1' }, GRACE_MS);

function diffCounts(a: Record<string, number>, b: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(b)) if (n - (a[k] ?? 0) !== 0) out[k] = n - (a[k] ?? 0);
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => x.localeCompare(y)));
}

// ---- the controller ----

function controllerFlags(): string[] {
  return [
    ...(QPS !== undefined ? ['--qps', QPS] : []),
    ...(argv.burst !== undefined ? ['--burst', argv.burst] : []),
    ...(THREADS !== undefined ? ['--analysis-threads', THREADS] : []),
  ];
}

async function startControllerProcess(
  kubeconfigPath: string,
  logFile: string,
): Promise<ControllerProcess> {
  const args = [
    ...(argv['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${argv['cpu-prof']}`] : []),
    '--import',
    'tsx',
    '--import',
    EXIT_WITH_PARENT,
    join(REPO, 'src/controller/cli.ts'),
    '--kubeconfig',
    kubeconfigPath,
    '--leader-elect=false',
    '--metricsPort',
    '0',
    '--healthzPort',
    '0',
    '--logformat',
    'json',
    ...controllerFlags(),
  ];
  return startControllerProcessShared(args, logFile, REPO, GRACE_MS);
}

/** Sums of a few controller metrics (Prometheus text from its /metrics). */
async function controllerMetrics(port: number): Promise<Record<string, number>> {
  if (!port) return {};
  const client = new Client(port, 32);
  try {
    const res = await client.call('GET', '/metrics');
    const sums: Record<string, number> = {};
    for (const line of res.body.split('\n')) {
      const m =
        /^(analysis_run_reconcile_count|analysis_run_reconcile_sum|analysis_run_reconcile_error|controller_clientset_k8s_request_total)(\{[^}]*\})? (\S+)$/.exec(
          line,
        );
      if (!m) continue;
      let key = m[1]!;
      if (key === 'controller_clientset_k8s_request_total') {
        const verb = /verb="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
        const kind = /kind="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
        const code = /status_code="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
        key = `requests ${verb} ${kind}${/^2/.test(code) ? '' : ` ${code}`}`;
      }
      sums[key] = (sums[key] ?? 0) + Number(m[3]);
    }
    return sums;
  } catch {
    return {};
  } finally {
    client.close();
  }
}

// ---- the workload ----

const AR_BASE = '/apis/argoproj.io/v1alpha1';
const nsName = (i: number) => `bench-analysis-${i}`;

interface RunRef {
  ns: string;
  name: string;
}

function runRefs(): RunRef[] {
  return Array.from({ length: RUNS }, (_, i) => ({
    ns: nsName(i % NAMESPACES),
    name: `ar-${String(i).padStart(5, '0')}`,
  }));
}

/**
 * A success-rate query as in Argo's docs (non-5xx over all requests), with the job from an arg.
 * The trailing PromQL comment names the run, so that the query log tells the runs apart; it
 * does not change what Prometheus evaluates.
 */
const QUERY =
  'sum(rate(http_requests_total{job="{{args.job}}",code!~"5.."}[30s])) / ' +
  'sum(rate(http_requests_total{job="{{args.job}}"}[30s])) # analysisrun {{args.run}}';
const SUCCESS_CONDITION = 'result[0] >= 0.95';

function runBody(r: RunRef, prometheusUrl: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: r.name },
    spec: {
      args: [
        { name: 'job', value: 'app' },
        { name: 'run', value: `${r.ns}/${r.name}` },
      ],
      metrics: [
        {
          name: METRIC,
          interval: '1s',
          successCondition: SUCCESS_CONDITION,
          provider: { prometheus: { address: prometheusUrl, query: QUERY } },
        },
      ],
    },
  };
}

interface MeasurementView {
  phase: string;
  startedAt?: string;
  finishedAt?: string;
}

interface RunView {
  metadata: { name: string; namespace: string };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: {
      name: string;
      phase?: string;
      count?: number;
      error?: number;
      failed?: number;
      successful?: number;
      measurements?: MeasurementView[];
    }[];
  };
}

/** One measurement as stored, with its ordinal (1 = the run's first) from the counters. */
interface Seen {
  startedMs: number;
  finishedMs: number;
  phase: string;
}

interface ListSnapshot {
  /** Mid-point of the list request (performance.now()) and the same as wall-clock ms. */
  at: number;
  wallMs: number;
  /** Σ (count + error) over all runs: completed measurements. */
  measurements: number;
  byPhase: Record<string, number>;
  withMeasurement: number;
  runs: RunView[];
}

/** Every completed measurement seen in any list, by run and ordinal. */
const seen = new Map<string, Map<number, Seen>>();
/** Runs whose stored measurements skipped past what an earlier list had seen (missed by polls). */
let pollGaps = 0;

function ingest(runs: RunView[]): void {
  for (const r of runs) {
    const mr = r.status?.metricResults?.find((x) => x.name === METRIC);
    if (!mr) continue;
    const total = (mr.count ?? 0) + (mr.error ?? 0);
    const done = (mr.measurements ?? []).filter((m) => m.finishedAt !== undefined);
    const key = `${r.metadata.namespace}/${r.metadata.name}`;
    let m = seen.get(key);
    if (!m) seen.set(key, (m = new Map<number, Seen>()));
    const lastKnown = m.size ? Math.max(...m.keys()) : 0;
    const firstHere = total - done.length + 1;
    if (done.length && firstHere > lastKnown + 1) pollGaps++;
    done.forEach((x, i) => {
      const ordinal = total - (done.length - 1 - i);
      if (m.has(ordinal)) return;
      m.set(ordinal, {
        startedMs: Date.parse(x.startedAt ?? ''),
        finishedMs: Date.parse(x.finishedAt ?? ''),
        phase: x.phase,
      });
    });
  }
}

async function listRuns(client: Client): Promise<ListSnapshot> {
  const t0 = performance.now();
  const w0 = Date.now();
  const res = await client.expect('GET', `${AR_BASE}/analysisruns`, 200);
  const t1 = performance.now();
  const runs = (JSON.parse(res.body) as { items: RunView[] }).items;
  ingest(runs);
  let measurements = 0;
  let withMeasurement = 0;
  const byPhase: Record<string, number> = {};
  for (const r of runs) {
    const mr = r.status?.metricResults?.find((x) => x.name === METRIC);
    const n = (mr?.count ?? 0) + (mr?.error ?? 0);
    measurements += n;
    if (n > 0) withMeasurement++;
    const phase = r.status?.phase || '(none)';
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
  }
  return {
    at: (t0 + t1) / 2,
    wallMs: w0 + (t1 - t0) / 2,
    measurements,
    byPhase,
    withMeasurement,
    runs,
  };
}

/** Lists until `ok`, every POLL_MS, at most PHASE_LIMIT_MS. */
async function pollUntil(
  client: Client,
  what: string,
  ok: (s: ListSnapshot) => boolean,
): Promise<{ done: boolean; last: ListSnapshot }> {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  let lastLog = performance.now();
  let last = await listRuns(client);
  while (!ok(last)) {
    if (performance.now() > deadline) {
      log(`gave up waiting for ${what} after ${PHASE_LIMIT_MS / 1000} s`);
      return { done: false, last };
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  ${what}: ${JSON.stringify(last.byPhase)}, ${last.withMeasurement} with a measurement`);
    }
    await sleep(Math.min(POLL_MS, 1000));
    last = await listRuns(client);
  }
  return { done: true, last };
}

// ---- the query log → actual start times ----

const RUN_IN_QUERY = / # analysisrun (\S+)$/;

/** run → query evaluation times (ms, the controller's measurement start), sorted. */
function queryTimes(prom: BenchPrometheus): {
  byRun: Map<string, number[]>;
  all: { run: string; startMs: number; loggedMs: number; execMs: number }[];
} {
  const byRun = new Map<string, number[]>();
  const all: { run: string; startMs: number; loggedMs: number; execMs: number }[] = [];
  for (const e of prom.queryLog()) {
    const run = RUN_IN_QUERY.exec(e.params?.query ?? '')?.[1];
    if (!run) continue;
    const startMs = Date.parse(e.params.start);
    const loggedMs = Date.parse(e.ts);
    all.push({
      run,
      startMs,
      loggedMs,
      execMs: (e.stats?.timings?.execTotalTime ?? NaN) * 1000,
    });
    let a = byRun.get(run);
    if (!a) byRun.set(run, (a = []));
    a.push(startMs);
  }
  for (const a of byRun.values()) a.sort((x, y) => x - y);
  return { byRun, all };
}

/** The first query of `run` within [fromMs, fromMs + 1000): the measurement's precise start. */
function preciseStart(times: number[] | undefined, fromMs: number): number | undefined {
  if (!times) return undefined;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < fromMs) lo = mid + 1;
    else hi = mid;
  }
  const t = times[lo];
  return t !== undefined && t < fromMs + 1000 ? t : undefined;
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
  const loadBefore = loadavg().map((n) => round(n, 2));
  log(`machine: ${JSON.stringify(machine)}; load average ${loadBefore.join(' / ')}`);
  const tmp = mkdtempSync(join(tmpdir(), 'analysis-bench-'));
  const kubeconfigPath = join(tmp, 'kubeconfig');
  const logFile = join(tmp, 'controller.log');

  // The metrics app (in this process: 50 requests/s to itself, ERROR_RATE of them 500s) and
  // Prometheus scraping it every second.
  const app = await startMetricsApp({ errorRate: ERROR_RATE });
  const prom = await startBenchPrometheus([app.target], (c) => children.push(c));
  const sim = await startSim();
  const client = new Client(sim.port, 32);
  let controller: ControllerProcess | undefined;
  try {
    const dataQuery = QUERY.replaceAll('{{args.job}}', 'app').replace(/ # .*$/, '');
    await prom.waitForData(dataQuery);
    log(`Prometheus ${prom.url} (pid ${prom.pid}) has data for the query`);

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
    const crdDeadline = performance.now() + 30_000;
    while ((await client.call('GET', `${AR_BASE}/analysisruns`)).status !== 200) {
      if (performance.now() > crdDeadline) throw new Error('the AnalysisRun CRD is not served');
      await sleep(100);
    }
    for (let n = 0; n < NAMESPACES; n++)
      await client.expect('POST', '/api/v1/namespaces', 201, { metadata: { name: nsName(n) } });

    log(`starting the controller (${controllerFlags().join(' ') || 'default flags'}) …`);
    controller = await startControllerProcess(kubeconfigPath, logFile);
    const ctlStart = procStats(controller.pid);
    log(`controller pid ${controller.pid} synced (RSS ${ctlStart.rssMiB} MiB); log: ${logFile}`);

    // ---- create the runs; wait until every one has its first measurement ----
    const refs = runRefs();
    log(`creating ${fmt(RUNS)} AnalysisRuns in ${NAMESPACES} namespaces …`);
    const tCreate = performance.now();
    const createWall = Date.now();
    await pool(RUNS, CONCURRENCY, PHASE_LIMIT_MS, async (i) => {
      const r = refs[i]!;
      await client.expect(
        'POST',
        `${AR_BASE}/namespaces/${r.ns}/analysisruns`,
        201,
        runBody(r, prom.url),
      );
    });
    const createdSeconds = (performance.now() - tCreate) / 1000;
    log(`  created in ${round(createdSeconds, 2)} s; waiting for every first measurement …`);
    const started = await pollUntil(client, 'first measurements', (s) => s.withMeasurement >= RUNS);
    const allStartedSeconds = (performance.now() - tCreate) / 1000;
    if (!started.done)
      throw new Error(`only ${started.last.withMeasurement}/${RUNS} runs were ever measured`);
    log(`  all measured after ${round(allStartedSeconds, 2)} s; settling ${SETTLE_MS / 1000} s …`);
    await sleep(SETTLE_MS);

    // ---- the window ----
    // Order: scrape the controller's /metrics (costly with N runs: per-run series) before the
    // /proc reading that opens the window and after the one that closes it.
    const m0 = await controllerMetrics(controller.metricsPort);
    const p0 = await prom.selfMetrics();
    const s0 = await sim.stats();
    const ctl0 = procStats(controller.pid);
    const prom0 = procStats(prom.pid);
    const cpu0 = process.cpuUsage();
    const mt0 = machineTicks();
    const load0 = loadavg().map((n) => round(n, 2));
    const l0 = await listRuns(client);
    log(
      `window of ${WINDOW_MS / 1000} s opens: ${fmt(l0.measurements)} measurements so far, phases ${JSON.stringify(l0.byPhase)}`,
    );
    const windowEnd = l0.at + WINDOW_MS;
    let polls = 0;
    const perPoll: { t: number; measurements: number }[] = [];
    while (performance.now() + POLL_MS < windowEnd) {
      await sleep(POLL_MS);
      const s = await listRuns(client);
      polls++;
      perPoll.push({ t: round((s.at - l0.at) / 1000, 2), measurements: s.measurements });
    }
    await sleep(Math.max(0, windowEnd - performance.now()));
    const l1 = await listRuns(client);
    const cpu1 = process.cpuUsage(cpu0);
    const mt1 = machineTicks();
    const load1 = loadavg().map((n) => round(n, 2));
    const ctl1 = procStats(controller.pid);
    const prom1 = procStats(prom.pid);
    const s1 = await sim.stats();
    const p1 = await prom.selfMetrics();
    const m1 = await controllerMetrics(controller.metricsPort);
    const windowSeconds = (l1.at - l0.at) / 1000;
    const measured = l1.measurements - l0.measurements;
    const perSecond = measured / windowSeconds;
    log(
      `window closed after ${round(windowSeconds, 2)} s: ${fmt(measured)} measurements, ${round(perSecond)}/s; phases ${JSON.stringify(l1.byPhase)}`,
    );

    // ---- terminate every run; all must end Successful ----
    log('terminating every run (spec.terminate: true) …');
    const tTerm = performance.now();
    await pool(RUNS, CONCURRENCY, PHASE_LIMIT_MS, async (i) => {
      const r = refs[i]!;
      await client.expect(
        'PATCH',
        `${AR_BASE}/namespaces/${r.ns}/analysisruns/${r.name}`,
        200,
        { spec: { terminate: true } },
        'application/merge-patch+json',
      );
    });
    const completed = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);
    const term = await pollUntil(client, 'termination', (s) =>
      s.runs.every((r) => completed.has(r.status?.phase ?? '')),
    );
    const terminatedSeconds = (performance.now() - tTerm) / 1000;
    const messages: Record<string, number> = {};
    for (const r of term.last.runs) {
      const k = `${r.status?.phase ?? '(none)'}: ${r.status?.message ?? ''}`;
      messages[k] = (messages[k] ?? 0) + 1;
    }
    const allSuccessful = (term.last.byPhase.Successful ?? 0) === RUNS;
    log(
      `  all completed: ${term.done} after ${round(terminatedSeconds, 2)} s; ${JSON.stringify(messages)}`,
    );

    const ctlEnd = procStats(controller.pid);
    const warnings = controller.warnings;
    const lastLines = [...controller.lastLines];
    const exitCode = await controller.stop();
    const shutdownWarnings = controller.warnings - warnings;
    controller = undefined;

    // ---- scheduling lag ----
    const { byRun, all: queries } = queryTimes(prom);
    const w0 = l0.wallMs;
    const w1 = l1.wallMs;
    const lagMs: number[] = [];
    const coarseLagS: Record<string, number> = {};
    let noQuery = 0;
    let early = 0;
    let afterError = 0;
    let inWindow = 0;
    const measurementPhases: Record<string, number> = {};
    const periodMs: number[] = [];
    for (const [run, ms] of seen) {
      const times = byRun.get(run);
      for (const [ordinal, cur] of ms) {
        const prev = ms.get(ordinal - 1);
        if (!prev) continue;
        const planned = prev.finishedMs + (prev.phase === 'Error' ? ERROR_RETRY_MS : INTERVAL_MS);
        if (planned < w0 || planned >= w1) continue;
        inWindow++;
        measurementPhases[cur.phase] = (measurementPhases[cur.phase] ?? 0) + 1;
        if (prev.phase === 'Error') afterError++;
        const coarse = Math.round((cur.startedMs - planned) / 1000);
        coarseLagS[coarse] = (coarseLagS[coarse] ?? 0) + 1;
        const actual = preciseStart(times, cur.startedMs);
        if (actual === undefined) {
          noQuery++;
          continue;
        }
        if (actual < planned) early++;
        lagMs.push(actual - planned);
        const prevActual = preciseStart(times, prev.startedMs);
        if (prevActual !== undefined) periodMs.push(actual - prevActual);
      }
    }
    const lag = summary(lagMs);
    // Queries whose evaluation time falls in the window: per-second histogram and the time from
    // the controller's measurement start until Prometheus logged the finished query.
    const perSec = new Map<number, number>();
    const toPrometheusMs: number[] = [];
    const execMs: number[] = [];
    const distinct = new Set<string>();
    for (const q of queries) {
      if (q.startMs < w0 || q.startMs >= w1) continue;
      const k = `${q.run} ${q.startMs}`;
      if (distinct.has(k)) continue;
      distinct.add(k);
      const sec = Math.floor(q.startMs / 1000);
      perSec.set(sec, (perSec.get(sec) ?? 0) + 1);
      toPrometheusMs.push(q.loggedMs - q.startMs);
      if (!Number.isNaN(q.execMs)) execMs.push(q.execMs);
    }
    // Whole seconds entirely inside the window.
    const fullSeconds = [...perSec.entries()]
      .filter(([s]) => s * 1000 >= w0 && (s + 1) * 1000 <= w1)
      .map(([, n]) => n);
    const perSecondQueries = summary(fullSeconds, 0);

    const queriesPerSecond =
      ((p1['prometheus_http_requests_total /api/v1/query'] ?? 0) -
        (p0['prometheus_http_requests_total /api/v1/query'] ?? 0)) /
      windowSeconds;
    const simWindow = {
      cpuSeconds: round((s1.cpuMs - s0.cpuMs) / 1000, 2),
      requests: diffCounts(s0.requests, s1.requests),
    };
    const patches = simWindow.requests['PATCH analysisruns'] ?? 0;
    const ctlMetrics = diffCounts(m0, m1);
    const reconciles = ctlMetrics.analysis_run_reconcile_count ?? 0;
    const ctlCpu = ctl1.cpuSeconds - ctl0.cpuSeconds;
    const notRunning = Object.entries(l1.byPhase)
      .filter(([p]) => p !== 'Running')
      .reduce((a, [, n]) => a + n, 0);

    const results = {
      date: new Date().toISOString(),
      ...(argv.label ? { label: argv.label } : {}),
      command: `node --import tsx bench/analysis/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      loadAverage: { before: loadBefore, after: loadavg().map((n) => round(n, 2)) },
      setup: {
        runs: RUNS,
        namespaces: NAMESPACES,
        windowSeconds: WINDOW_MS / 1000,
        settleSeconds: SETTLE_MS / 1000,
        pollMs: POLL_MS,
        metric: { interval: '1s', count: 'none (indefinite)', successCondition: SUCCESS_CONDITION },
        query: QUERY,
        appErrorRate: ERROR_RATE,
        controller: 'node --import tsx src/controller/cli.ts (all controllers)',
        controllerFlags: {
          qps: QPS ?? 'default (40)',
          burst: argv.burst ?? 'default (80)',
          analysisThreads: THREADS ?? 'default (30)',
          leaderElect: false,
        },
      },
      startup: {
        createRequestsSeconds: round(createdSeconds, 2),
        allFirstMeasuredSeconds: round(allStartedSeconds, 2),
        createdAt: new Date(createWall).toISOString(),
      },
      window: {
        seconds: round(windowSeconds, 2),
        measurements: measured,
        measurementsPerSecond: round(perSecond, 1),
        idealPerSecond: RUNS * (1000 / INTERVAL_MS),
        phasesAtEnd: l1.byPhase,
        notRunningAtEnd: notRunning,
        listPolls: polls,
        measurementsAtPolls: perPoll,
        schedulingLagMs: {
          method:
            'planned = previous finishedAt (stored, whole seconds) + interval; actual = query time from the Prometheus query log (ms)',
          ...lag,
          measurementsInWindow: inWindow,
          measurementPhases,
          withoutQueryLogEntry: noQuery,
          earlierThanPlanned: early,
          afterAnErrorMeasurement: afterError,
          pollGaps,
        },
        schedulingLagWholeSeconds: coarseLagS,
        periodBetweenStartsMs: summary(periodMs),
        queriesPerWholeSecond: perSecondQueries,
        measurementStartToQueryLoggedMs: summary(toPrometheusMs),
        prometheusExecMs: summary(execMs, 2),
        prometheusQueriesPerSecond: round(queriesPerSecond, 1),
        prometheusQueryLogEntries: distinct.size,
        prometheusCpuSecondsPerSecond: round(
          (prom1.cpuSeconds - prom0.cpuSeconds) / windowSeconds,
          3,
        ),
        prometheusSelfMetrics: diffCounts(p0, p1),
        controller: {
          cpuSeconds: round(ctlCpu, 2),
          cpuSecondsPerSecond: round(ctlCpu / windowSeconds, 3),
          mainThreadRunQueueSecondsPerSecond: round(
            (ctl1.mainThreadRunQueueSeconds - ctl0.mainThreadRunQueueSeconds) / windowSeconds,
            3,
          ),
          cpuMsPerMeasurement: round((ctlCpu * 1000) / measured, 3),
          rssMiBAtEnd: ctl1.rssMiB,
          reconciles,
          reconcilesPerMeasurement: round(reconciles / measured, 2),
          meanReconcileMs: round(
            ((ctlMetrics.analysis_run_reconcile_sum ?? 0) * 1000) / (reconciles || NaN),
            2,
          ),
          metrics: ctlMetrics,
        },
        emulator: {
          ...simWindow,
          statusPatchesPerMeasurement: round(patches / measured, 3),
          cpuSecondsPerSecond: round(simWindow.cpuSeconds / windowSeconds, 3),
        },
        machineBusyFraction: round(
          1 - (mt1.idle - mt0.idle) / Math.max(1, mt1.total - mt0.total),
          3,
        ),
        /** CPU the rest of the machine used: busy cores minus the four processes of the run. */
        otherProcessesCpuSecondsPerSecond: round(
          (1 - (mt1.idle - mt0.idle) / Math.max(1, mt1.total - mt0.total)) * machine.nproc -
            (ctlCpu +
              (prom1.cpuSeconds - prom0.cpuSeconds) +
              (s1.cpuMs - s0.cpuMs) / 1000 +
              (cpu1.user + cpu1.system) / 1e6) /
              windowSeconds,
          2,
        ),
        loadAverageAtStart: load0,
        loadAverageAtEnd: load1,
        benchProcessCpuSecondsPerSecond: round((cpu1.user + cpu1.system) / 1e6 / windowSeconds, 3),
      },
      termination: {
        allCompleted: term.done,
        allSuccessful,
        seconds: round(terminatedSeconds, 2),
        byPhase: term.last.byPhase,
        messages,
      },
      controller: {
        atStart: ctlStart,
        atEnd: ctlEnd,
        peakRssMiB: ctlEnd.peakRssMiB,
        cpuSecondsWholeRun: ctlEnd.cpuSeconds,
        warningLines: warnings,
        lastWarningLines: lastLines,
        shutdownWarningLines: shutdownWarnings,
        exitCode,
        ...(argv['cpu-prof'] ? { cpuProfileDir: argv['cpu-prof'] } : {}),
      },
    };

    const w = results.window;
    const rows: [string, string][] = [
      [
        `measurements/s (${fmt(RUNS)} runs × 1/s ideal = ${fmt(w.idealPerSecond)})`,
        `**${w.measurementsPerSecond}** (${fmt(measured)} in ${w.seconds} s; measurement phases ${JSON.stringify(measurementPhases)}; ${w.notRunningAtEnd} runs not Running at the end)`,
      ],
      [
        'scheduling lag, actual − planned start',
        `p50 **${lag.p50} ms**, p99 **${lag.p99} ms** (p90 ${lag.p90}, max ${lag.max}; n ${fmt(lag.n)}, ${early} early, ${noQuery} without query-log entry)`,
      ],
      [
        'scheduling lag, whole seconds (startedAt − planned)',
        Object.entries(coarseLagS)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([s, n]) => `${s} s: ${fmt(n)}`)
          .join(', '),
      ],
      [
        'time between a run’s measurement starts',
        `p50 ${w.periodBetweenStartsMs.p50} ms, p99 ${w.periodBetweenStartsMs.p99} ms`,
      ],
      [
        'queries per whole second (query log)',
        `min ${perSecondQueries.min}, p50 ${perSecondQueries.p50}, max ${perSecondQueries.max}`,
      ],
      [
        'controller CPU',
        `**${w.controller.cpuSecondsPerSecond} s/s** (main thread waited for a CPU ${w.controller.mainThreadRunQueueSecondsPerSecond} s/s; ${w.controller.cpuMsPerMeasurement} ms per measurement; ${w.controller.reconcilesPerMeasurement} reconciles per measurement, mean ${w.controller.meanReconcileMs} ms)`,
      ],
      [
        'controller RSS',
        `**${ctlEnd.peakRssMiB} MiB** peak (VmHWM, whole run), ${ctl1.rssMiB} MiB at window end, ${ctlStart.rssMiB} MiB after sync`,
      ],
      [
        'Prometheus',
        `**${w.prometheusQueriesPerSecond} queries/s** (/api/v1/query); CPU ${w.prometheusCpuSecondsPerSecond} s/s; exec p50 ${w.prometheusExecMs.p50} ms; measurement start → query logged p50 ${w.measurementStartToQueryLoggedMs.p50} ms, p99 ${w.measurementStartToQueryLoggedMs.p99} ms`,
      ],
      [
        'emulator',
        `CPU ${w.emulator.cpuSecondsPerSecond} s/s; ${w.emulator.statusPatchesPerMeasurement} status patches per measurement`,
      ],
      [
        'startup / termination',
        `all ${fmt(RUNS)} first-measured ${results.startup.allFirstMeasuredSeconds} s after the first create; terminate → all completed in ${results.termination.seconds} s, all Successful: ${allSuccessful}`,
      ],
    ];
    console.log('| measure | result |');
    console.log('| --- | --- |');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    console.log(
      `\n${machine.nproc} cores, ${machine.memoryGiB} GiB, ${machine.node}; load average ${results.loadAverage.before.join(' / ')} before, ${load0.join(' / ')} → ${load1.join(' / ')} over the window (machine ${round(w.machineBusyFraction * 100)} % busy; other processes ${w.otherProcessesCpuSecondsPerSecond} CPU s/s), ${results.loadAverage.after.join(' / ')} after; controller log lines at warning or above: ${warnings}`,
    );

    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}analysis-${results.date.slice(0, 10)}${argv.label ? `-${argv.label}` : ''}.json`;
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${file}`);
    if (!allSuccessful) process.exitCode = 1;
    rmSync(tmp, { recursive: true, force: true });
  } catch (e) {
    if (controller) {
      log(`controller log (kept): ${controller.logFile}`);
      for (const l of controller.lastLines) log(`  ${l}`);
    }
    throw e;
  } finally {
    client.close();
    await controller?.stop();
    await sim.stop();
    await prom.stop();
    await app.stop();
  }
}

await main();
