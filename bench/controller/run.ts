// Benchmark of the Rollout controller at scale, against the emulator over real HTTP on
// 127.0.0.1. Three processes: the emulator (startSim(), bench/controller/sim-process.ts), the
// controller as users run it (src/controller/cli.ts, default flags but no leader election and
// ephemeral ops ports), and this load generator. It measures, with N basic canary Rollouts
// (replicas 1–3, steps [setWeight: 50, pause: {}], no Services) over 10 namespaces:
//   (a) create  — from the first create until every Rollout is Healthy (polling lists);
//   (b) promote — for P of them, an image change (they stop at the pause step), then one
//       promote (status patch clearing pauseConditions) at a time, and the time from sending it
//       until the first write of one of that Rollout's ReplicaSets seen on a ReplicaSet watch;
//   (c) API writes (POST/PUT/PATCH/DELETE the emulator served) per Rollout for each canary
//       step advance (image change → paused at step 1; promote → Healthy), by resource;
//   (d) the controller's peak RSS (VmHWM) and CPU time (utime + stime), from /proc.
// Every loop is bounded in count and time; all traffic is to 127.0.0.1; the run stops by itself.
//
//   node --import tsx bench/controller/run.ts [--rollouts 1000] [--namespaces 10]
//     [--promote 100] [--ready-delay 50] [--qps <controller --qps>] [--burst <n>]
//     [--phase-timeout 600] [--poll-ms 500] [--entry tsx|dist] [--label x]
//   CONTROLLER_BENCH_CPU_PROF=<dir> also writes a --cpu-prof of the controller process.
import { execFileSync } from 'node:child_process';
import { Agent, request, type IncomingMessage } from 'node:http';
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
  EXIT_WITH_PARENT,
  startControllerProcess as startControllerProcessShared,
  startSimProcess,
  type ControllerProcess,
  type SimProcess,
  type SimStats,
} from '../support/processes.ts';

const { values: argv } = parseArgs({
  options: {
    rollouts: { type: 'string', default: '1000' },
    namespaces: { type: 'string', default: '10' },
    promote: { type: 'string', default: '100' },
    'ready-delay': { type: 'string', default: '50' },
    qps: { type: 'string' },
    burst: { type: 'string' },
    'phase-timeout': { type: 'string', default: '600' },
    'poll-ms': { type: 'string', default: '500' },
    label: { type: 'string' },
    entry: { type: 'string', default: 'tsx' },
  },
});

function intArg(name: keyof typeof argv, min = 1): number {
  const v = Number(argv[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return v;
}

const ROLLOUTS = intArg('rollouts');
const NAMESPACES = Math.min(intArg('namespaces'), ROLLOUTS);
const PROMOTE = Math.min(intArg('promote'), ROLLOUTS);
const READY_DELAY_MS = intArg('ready-delay', 0);
/** No phase (fill, convergence, quiescence) may take longer than this. */
const PHASE_LIMIT_MS = intArg('phase-timeout') * 1000;
const POLL_MS = intArg('poll-ms');
/** A single promote waits at most this long for its ReplicaSet write. */
const PROMOTE_WAIT_MS = 60_000;
/** "Quiet": no write reached the emulator for this long. */
const QUIET_MS = 2_000;
/** The whole run, whatever happens: children are killed and the process exits. */
const RUN_LIMIT_MS = 4 * PHASE_LIMIT_MS + 300_000;
const CONCURRENCY = 16;
/** tsx: `node --import tsx src/controller/cli.ts`; dist: the compiled dist/src/controller/cli.js. */
const ENTRY = argv.entry === 'dist' ? 'dist' : 'tsx';
if (argv.entry !== ENTRY) throw new Error('--entry must be tsx or dist');
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

// ---- /proc ----

interface ProcStats {
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
}

function procStats(pid: number): ProcStats {
  // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return {
    cpuSeconds: round(ticks / CLK_TCK, 2),
    rssMiB: round(kb('VmRSS') / 1024),
    peakRssMiB: round(kb('VmHWM') / 1024),
  };
}

// ---- HTTP with keep-alive ----

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

// ---- the emulator ----

const startSim = () => startSimProcess({ host: '127.0.0.1', kubeletReadyDelayMs: READY_DELAY_MS });

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Writes between two snapshots by "METHOD resource", minus the benchmark's own. */
function writesBetween(
  before: SimStats,
  after: SimStats,
  own: Record<string, number> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after.requests)) {
    if (!WRITE_METHODS.has(k.slice(0, k.indexOf(' ')))) continue;
    const d = n - (before.requests[k] ?? 0) - (own[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const totalWrites = (s: SimStats) =>
  Object.entries(s.requests).reduce(
    (a, [k, n]) => a + (WRITE_METHODS.has(k.slice(0, k.indexOf(' '))) ? n : 0),
    0,
  );

/** Waits until no write has reached the emulator for QUIET_MS (at most PHASE_LIMIT_MS). */
async function quiet(sim: SimProcess): Promise<SimStats> {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  let last = await sim.stats();
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(250);
    const s = await sim.stats();
    if (totalWrites(s) !== totalWrites(last)) {
      last = s;
      since = performance.now();
    } else if (performance.now() - since >= QUIET_MS) {
      return s;
    }
  }
  log(`writes did not stop within ${PHASE_LIMIT_MS / 1000} s`);
  return last;
}

// ---- the controller ----

async function startControllerProcess(kubeconfigPath: string, logFile: string) {
  const args = [
    // CONTROLLER_BENCH_CPU_PROF=<dir> profiles the controller process (node --cpu-prof) into <dir>.
    ...(process.env.CONTROLLER_BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CONTROLLER_BENCH_CPU_PROF}`]
      : []),
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
    ...(argv.qps !== undefined ? ['--qps', argv.qps] : []),
    ...(argv.burst !== undefined ? ['--burst', argv.burst] : []),
  ];
  return startControllerProcessShared(args, logFile, REPO);
}

/** Sums of a few controller metrics (Prometheus text from its /metrics). */
async function controllerMetrics(port: number): Promise<Record<string, number>> {
  if (!port) return {};
  const client = new Client(port);
  try {
    const res = await client.call('GET', '/metrics');
    const sums: Record<string, number> = {};
    for (const line of res.body.split('\n')) {
      const m =
        /^(rollout_reconcile_count|rollout_reconcile_error|workqueue_adds_total|workqueue_retries_total|controller_clientset_k8s_request_total)(\{[^}]*\})? (\S+)$/.exec(
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

/** Events of all namespaces, summed (their `count`) by reason. */
async function eventsByReason(client: Client): Promise<Record<string, number>> {
  const res = await client.expect('GET', '/api/v1/events', 200);
  const out: Record<string, number> = {};
  for (const e of (JSON.parse(res.body) as { items: { reason?: string; count?: number }[] }).items)
    out[e.reason ?? ''] = (out[e.reason ?? ''] ?? 0) + (e.count ?? 1);
  return out;
}

function diffCounts(a: Record<string, number>, b: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(b)) if (n - (a[k] ?? 0) !== 0) out[k] = n - (a[k] ?? 0);
  return out;
}

// ---- the workload ----

const RO_BASE = '/apis/argoproj.io/v1alpha1';
const nsName = (i: number) => `bench-${i}`;

interface RolloutRef {
  ns: string;
  name: string;
  replicas: number;
}

function rolloutRefs(): RolloutRef[] {
  return Array.from({ length: ROLLOUTS }, (_, i) => ({
    ns: nsName(i % NAMESPACES),
    name: `ro-${String(i).padStart(5, '0')}`,
    replicas: 1 + (i % 3),
  }));
}

function rolloutBody(r: RolloutRef, image: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: r.name },
    spec: {
      replicas: r.replicas,
      revisionHistoryLimit: 2,
      selector: { matchLabels: { app: r.name } },
      template: {
        metadata: { labels: { app: r.name } },
        spec: { containers: [{ name: 'app', image }] },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

interface RolloutView {
  metadata: { name: string; namespace: string; uid: string; generation?: number };
  status?: {
    phase?: string;
    observedGeneration?: string;
    currentStepIndex?: number;
    pauseConditions?: unknown[] | null;
    stableRS?: string;
    currentPodHash?: string;
  };
}

async function listRollouts(client: Client): Promise<RolloutView[]> {
  const res = await client.expect('GET', `${RO_BASE}/rollouts`, 200);
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

/** Polls the list of all Rollouts until `ok` holds for every one in `keys`; counts progress. */
async function waitAll(
  client: Client,
  what: string,
  keys: Set<string>,
  ok: (ro: RolloutView) => boolean,
): Promise<{ done: boolean; lastCount: number }> {
  let lastCount = 0;
  let lastLog = 0;
  const done = await until(what, async () => {
    const items = await listRollouts(client);
    lastCount = items.filter(
      (ro) => keys.has(`${ro.metadata.namespace}/${ro.metadata.name}`) && ok(ro),
    ).length;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  ${what}: ${fmt(lastCount)}/${fmt(keys.size)}`);
    }
    return lastCount === keys.size;
  });
  return { done, lastCount };
}

// ---- ReplicaSet watch ----

interface RsEvent {
  type: string;
  object: {
    metadata: {
      name: string;
      namespace: string;
      resourceVersion?: string;
      managedFields?: unknown;
      ownerReferences?: { uid: string; controller?: boolean }[];
    };
    spec?: unknown;
  };
}

/**
 * A raw watch of every ReplicaSet. `onWrite(ownerUid, at)` is called for each MODIFIED event
 * that changed more than the status (metadata or spec: only the Rollout controller writes
 * those; the emulator's ReplicaSet controller writes status only).
 */
async function watchReplicaSets(
  client: Client,
  onWrite: (ownerUid: string, at: number) => void,
): Promise<{ stop(): void; events: () => number }> {
  const list = JSON.parse((await client.expect('GET', '/apis/apps/v1/replicasets', 200)).body) as {
    metadata: { resourceVersion: string };
    items: RsEvent['object'][];
  };
  const fingerprint = (o: RsEvent['object']) => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata;
    return JSON.stringify([meta, o.spec]);
  };
  const last = new Map<string, string>();
  for (const rs of list.items)
    last.set(`${rs.metadata.namespace}/${rs.metadata.name}`, fingerprint(rs));
  let events = 0;
  const agent = new Agent({ keepAlive: false });
  let stream: IncomingMessage | undefined;
  await new Promise<void>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: client.port,
        path: `/apis/apps/v1/replicasets?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=${Math.ceil((4 * PHASE_LIMIT_MS) / 1000)}`,
        agent,
        headers: { Accept: 'application/json' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`ReplicaSet watch: ${res.statusCode}`));
          return;
        }
        stream = res;
        let partial = '';
        res.on('data', (chunk: Buffer) => {
          const at = performance.now();
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line) continue;
            events++;
            const ev = JSON.parse(line) as RsEvent;
            const key = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
            const fp = fingerprint(ev.object);
            const changed = last.get(key) !== fp;
            last.set(key, fp);
            if (ev.type !== 'MODIFIED' || !changed) continue;
            const owner = ev.object.metadata.ownerReferences?.find((r) => r.controller);
            if (owner) onWrite(owner.uid, at);
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
    events: () => events,
  };
}

// ---- the run ----

interface PhaseCost {
  /** From the phase's first request until the emulator saw no write for QUIET_MS. */
  seconds: number;
  controllerCpuSeconds: number;
  simCpuSeconds: number;
  /** Writes the emulator served (the benchmark's own subtracted), by "METHOD resource". */
  writes: Record<string, number>;
  writesTotal: number;
  writesPerRollout: number;
  writesPerRolloutByResource: Record<string, number>;
  /** From the controller's /metrics: reconciles, queue adds, its own requests by verb/kind. */
  controllerMetrics: Record<string, number>;
  /** Events recorded during the phase, by reason (per phase, not per Rollout). */
  eventsByReason: Record<string, number>;
}

/** What is read at each phase boundary. */
interface Snapshot {
  sim: SimStats;
  ctl: ProcStats;
  metrics: Record<string, number>;
  events: Record<string, number>;
}

async function snapshot(
  client: Client,
  sim: SimProcess,
  ctl: ControllerProcess,
  simStats?: SimStats,
): Promise<Snapshot> {
  return {
    sim: simStats ?? (await sim.stats()),
    ctl: procStats(ctl.pid),
    metrics: await controllerMetrics(ctl.metricsPort),
    events: await eventsByReason(client),
  };
}

function phaseCost(
  rollouts: number,
  seconds: number,
  a: Snapshot,
  b: Snapshot,
  own: Record<string, number> = {},
): PhaseCost {
  const ctl = [a.ctl, b.ctl] as const;
  const sim = [a.sim, b.sim] as const;
  const writes = writesBetween(sim[0], sim[1], own);
  const total = Object.values(writes).reduce((a, b) => a + b, 0);
  return {
    seconds: round(seconds, 2),
    controllerCpuSeconds: round(ctl[1].cpuSeconds - ctl[0].cpuSeconds, 2),
    simCpuSeconds: round((sim[1].cpuMs - sim[0].cpuMs) / 1000, 2),
    writes,
    writesTotal: total,
    writesPerRollout: round(total / rollouts, 2),
    writesPerRolloutByResource: Object.fromEntries(
      Object.entries(writes).map(([k, n]) => [k, round(n / rollouts, 2)]),
    ),
    controllerMetrics: diffCounts(a.metrics, b.metrics),
    eventsByReason: diffCounts(a.events, b.events),
  };
}

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
  const tmp = mkdtempSync(join(tmpdir(), 'controller-bench-'));
  const kubeconfigPath = join(tmp, 'kubeconfig');
  const logFile = join(tmp, 'controller.log');

  const sim = await startSim();
  let controller: ControllerProcess | undefined;
  const client = new Client(sim.port);
  try {
    writeFileSync(kubeconfigPath, sim.kubeconfig);
    // Our CRDs (the controller also watches AnalysisRuns and templates), as kubectl apply
    // would send them, then wait until the Rollout one is served.
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
    for (const crd of crds) {
      await client.expect(
        'POST',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
        201,
        crd,
      );
    }
    if (
      !(await until(
        'the Rollout CRD',
        async () => (await client.call('GET', `${RO_BASE}/rollouts`)).status === 200,
      ))
    )
      throw new Error('the Rollout CRD is not served');
    for (let n = 0; n < NAMESPACES; n++)
      await client.expect('POST', '/api/v1/namespaces', 201, { metadata: { name: nsName(n) } });

    log('starting the controller …');
    controller = await startControllerProcess(kubeconfigPath, logFile);
    const ctlStart = procStats(controller.pid);
    log(`controller pid ${controller.pid} synced (RSS ${ctlStart.rssMiB} MiB); log: ${logFile}`);

    // ---- (a) create N Rollouts, wait for all Healthy ----
    const refs = rolloutRefs();
    const all = new Set(refs.map((r) => `${r.ns}/${r.name}`));
    log(`(a) creating ${fmt(ROLLOUTS)} Rollouts in ${NAMESPACES} namespaces …`);
    let before = await snapshot(client, sim, controller);
    const tCreate = performance.now();
    await pool(ROLLOUTS, CONCURRENCY, PHASE_LIMIT_MS, async (i) => {
      const r = refs[i]!;
      await client.expect(
        'POST',
        `${RO_BASE}/namespaces/${r.ns}/rollouts`,
        201,
        rolloutBody(r, 'example/app:v1'),
      );
    });
    const createdSeconds = (performance.now() - tCreate) / 1000;
    log(`  created in ${round(createdSeconds, 2)} s; waiting for Healthy …`);
    const a = await waitAll(client, 'Healthy', all, healthy);
    const healthySeconds = (performance.now() - tCreate) / 1000;
    let after = await snapshot(client, sim, controller, await quiet(sim));
    const create = {
      rollouts: ROLLOUTS,
      allHealthy: a.done,
      healthyCount: a.lastCount,
      createRequestsSeconds: round(createdSeconds, 2),
      allHealthySeconds: round(healthySeconds, 2),
      ...phaseCost(ROLLOUTS, (performance.now() - tCreate) / 1000, before, after, {
        'POST rollouts': ROLLOUTS,
      }),
    };
    log(`  all Healthy: ${a.done} after ${round(healthySeconds, 2)} s`);
    if (!a.done) throw new Error(`only ${a.lastCount}/${ROLLOUTS} Rollouts became Healthy`);

    // ---- (c1) image change of P Rollouts: step 0 (setWeight 50) → paused at step 1 ----
    // P spread evenly: the first P/NAMESPACES of each namespace.
    const chosen = refs.filter((_, i) => i < PROMOTE);
    const chosenKeys = new Set(chosen.map((r) => `${r.ns}/${r.name}`));
    log(`(c) changing the image of ${PROMOTE} Rollouts …`);
    before = after;
    let t = performance.now();
    await pool(chosen.length, CONCURRENCY, PHASE_LIMIT_MS, async (i) => {
      const r = chosen[i]!;
      await client.expect(
        'PATCH',
        `${RO_BASE}/namespaces/${r.ns}/rollouts/${r.name}`,
        200,
        {
          spec: { template: { spec: { containers: [{ name: 'app', image: 'example/app:v2' }] } } },
        },
        'application/merge-patch+json',
      );
    });
    const p = await waitAll(client, 'paused at step 1', chosenKeys, pausedAtStep1);
    const pausedSeconds = (performance.now() - t) / 1000;
    after = await snapshot(client, sim, controller, await quiet(sim));
    const toPause = {
      rollouts: PROMOTE,
      allPaused: p.done,
      allPausedSeconds: round(pausedSeconds, 2),
      ...phaseCost(PROMOTE, (performance.now() - t) / 1000, before, after, {
        'PATCH rollouts': PROMOTE,
      }),
    };
    log(`  all paused: ${p.done} after ${round(pausedSeconds, 2)} s`);
    if (!p.done) throw new Error(`only ${p.lastCount}/${PROMOTE} Rollouts reached the pause step`);

    // ---- (b) promote one at a time; time to the first ReplicaSet write ----
    const uidOf = new Map<string, string>();
    for (const ro of await listRollouts(client))
      uidOf.set(`${ro.metadata.namespace}/${ro.metadata.name}`, ro.metadata.uid);
    const waiting = new Map<string, { since: number; resolve: (at: number) => void }>();
    const watch = await watchReplicaSets(client, (uid, at) => {
      const w = waiting.get(uid);
      if (w && at >= w.since) {
        waiting.delete(uid);
        w.resolve(at);
      }
    });
    log(`(b) promoting ${PROMOTE} Rollouts one at a time …`);
    before = await snapshot(client, sim, controller);
    t = performance.now();
    const latencies: number[] = [];
    const patchMs: number[] = [];
    let missed = 0;
    for (const r of chosen) {
      const uid = uidOf.get(`${r.ns}/${r.name}`)!;
      let timer: NodeJS.Timeout | undefined;
      const since = performance.now();
      const written = new Promise<number | undefined>((resolve) => {
        waiting.set(uid, { since, resolve });
        timer = setTimeout(() => resolve(undefined), PROMOTE_WAIT_MS);
      });
      await client.expect(
        'PATCH',
        `${RO_BASE}/namespaces/${r.ns}/rollouts/${r.name}/status`,
        200,
        { status: { pauseConditions: null } },
        'application/merge-patch+json',
      );
      patchMs.push(performance.now() - since);
      const at = await written;
      clearTimeout(timer);
      waiting.delete(uid);
      if (at === undefined) missed++;
      else latencies.push(at - since);
    }
    const promotesSeconds = (performance.now() - t) / 1000;
    const h = await waitAll(client, 'Healthy after promote', chosenKeys, healthy);
    const promotedSeconds = (performance.now() - t) / 1000;
    after = await snapshot(client, sim, controller, await quiet(sim));
    const rsEvents = watch.events();
    watch.stop();
    latencies.sort((x, y) => x - y);
    patchMs.sort((x, y) => x - y);
    const promote = {
      rollouts: PROMOTE,
      mode: 'sequential: the next promote is sent once the previous one has its ReplicaSet write',
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        min: round(latencies[0] ?? NaN),
        max: round(latencies[latencies.length - 1] ?? NaN),
        mean: round(latencies.reduce((x, y) => x + y, 0) / latencies.length),
      },
      patchRequestMs: { p50: round(percentile(patchMs, 50)), p99: round(percentile(patchMs, 99)) },
      missed,
      replicaSetWatchEvents: rsEvents,
      promotesSeconds: round(promotesSeconds, 2),
      allHealthy: h.done,
      allHealthySeconds: round(promotedSeconds, 2),
      ...phaseCost(PROMOTE, (performance.now() - t) / 1000, before, after, {
        'PATCH rollouts/status': PROMOTE,
      }),
    };
    log(
      `  promote → ReplicaSet write p50 ${promote.latencyMs.p50} ms, p99 ${promote.latencyMs.p99} ms; all Healthy: ${h.done}`,
    );

    // ---- (d) the controller's peak RSS and CPU ----
    const ctlEnd = procStats(controller.pid);
    const simEnd = procStats(sim.pid);
    const warnings = controller.warnings;
    const lastLines = controller.lastLines;
    const exitCode = await controller.stop();
    controller = undefined;
    await sim.stop();

    const results = {
      date: new Date().toISOString(),
      ...(argv.label ? { label: argv.label } : {}),
      command:
        `node --import tsx bench/controller/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      loadAverage: { before: loadBefore, after: loadavg().map((n) => round(n, 2)) },
      setup: {
        rollouts: ROLLOUTS,
        namespaces: NAMESPACES,
        promoted: PROMOTE,
        kubeletReadyDelayMs: READY_DELAY_MS,
        controllerEntry:
          ENTRY === 'tsx'
            ? 'node --import tsx src/controller/cli.ts'
            : 'node dist/src/controller/cli.js',
        controllerFlags: {
          qps: argv.qps ?? 'default (40)',
          burst: argv.burst ?? 'default (80)',
          leaderElect: false,
        },
        pollMs: POLL_MS,
        quietMs: QUIET_MS,
      },
      create,
      toPause,
      promote,
      controller: {
        atStart: ctlStart,
        atEnd: ctlEnd,
        peakRssMiB: ctlEnd.peakRssMiB,
        cpuSeconds: ctlEnd.cpuSeconds,
        warningLines: warnings,
        lastWarningLines: lastLines,
        exitCode,
      },
      emulator: simEnd,
    };

    const byRes = (w: Record<string, number>) =>
      Object.entries(w)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    const rows: [string, string][] = [
      [
        `(a) create ${fmt(ROLLOUTS)} Rollouts → all Healthy`,
        `**${create.allHealthySeconds} s** (creates sent in ${create.createRequestsSeconds} s; controller CPU ${create.controllerCpuSeconds} s, emulator CPU ${create.simCpuSeconds} s)`,
      ],
      [
        `(b) promote → first ReplicaSet write (${PROMOTE}, one at a time)`,
        `p50 **${promote.latencyMs.p50} ms**, p99 **${promote.latencyMs.p99} ms** (max ${promote.latencyMs.max} ms, ${missed} missed; all Healthy ${promote.allHealthySeconds} s after the first promote)`,
      ],
      [
        `(c) writes per Rollout, create → Healthy`,
        `**${create.writesPerRollout}** (${byRes(create.writesPerRolloutByResource)})`,
      ],
      [
        `(c) writes per Rollout, image change → paused at step 1 (${PROMOTE})`,
        `**${toPause.writesPerRollout}** (${byRes(toPause.writesPerRolloutByResource)}; took ${toPause.allPausedSeconds} s)`,
      ],
      [
        `(c) writes per Rollout, promote → Healthy (${PROMOTE})`,
        `**${promote.writesPerRollout}** (${byRes(promote.writesPerRolloutByResource)})`,
      ],
      [
        `(d) controller peak RSS / CPU`,
        `**${ctlEnd.peakRssMiB} MiB** VmHWM (${ctlStart.rssMiB} MiB after sync), **${ctlEnd.cpuSeconds} s** CPU (user + system, whole run)`,
      ],
    ];
    console.log('| measure | result |');
    console.log('| --- | --- |');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    console.log(
      `\n${machine.nproc} cores, ${machine.memoryGiB} GiB, ${machine.node}; load average ${results.loadAverage.before.join(' / ')} before, ${results.loadAverage.after.join(' / ')} after; controller log lines at warning or above: ${warnings}`,
    );

    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}controller-${results.date.slice(0, 10)}${argv.label ? `-${argv.label}` : ''}.json`;
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${file}`);
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
  }
}

await main();
