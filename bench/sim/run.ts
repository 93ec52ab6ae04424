// Benchmarks of the emulator over real HTTP on 127.0.0.1:
//   writes — N concurrent clients creating and updating ConfigMaps for a fixed time;
//   list   — latency of full lists of 10,000 ConfigMaps in one namespace, JSON and Table;
//   watch  — fan-out of 2,000 writes to 20 watchers of one namespace.
//   baseline — the writes loop against a bare node:http echo server: this machine's ceiling.
// Each benchmark gets a fresh emulator (startSim()) in a child process, so the load generator
// here does not share its event loop and the server's CPU time can be read on its own.
// Every loop is bounded in count and time; all traffic is to 127.0.0.1.
//
//   node --import tsx bench/sim/run.ts [--duration 10] [--clients 16] [--list-size 10000]
//     [--lists 20] [--watchers 20] [--watch-writes 2000] [--only baseline,writes,list,watch]
//     [--label before] [--in-process]
import { fork } from 'node:child_process';
import { Agent, request, type IncomingMessage } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSim } from '../../sim/index.ts';

const { values: argv } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
    'max-writes': { type: 'string', default: '500000' },
    'list-size': { type: 'string', default: '10000' },
    lists: { type: 'string', default: '20' },
    watchers: { type: 'string', default: '20' },
    'watch-writes': { type: 'string', default: '2000' },
    only: { type: 'string', default: 'baseline,writes,list,watch' },
    label: { type: 'string' },
    'in-process': { type: 'boolean', default: false },
  },
});

function intArg(name: keyof typeof argv): number {
  const v = Number(argv[name]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const DURATION_MS = intArg('duration') * 1000;
const CLIENTS = intArg('clients');
const MAX_WRITES = intArg('max-writes');
const LIST_SIZE = intArg('list-size');
const LISTS = intArg('lists');
const WATCHERS = intArg('watchers');
const WATCH_WRITES = intArg('watch-writes');
const ONLY = new Set((argv.only ?? '').split(','));
/** No single request, fill phase or fan-out may take longer than this. */
const PHASE_LIMIT_MS = 120_000;
const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

// ---- the server under test ----

interface ServerStats {
  /** CPU time (user + system) the server process has used so far. */
  cpuMs: number;
  heapUsed: number;
}

interface Server {
  url: string;
  port: number;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function startServer(kind: 'sim' | 'baseline' = 'sim'): Promise<Server> {
  if (argv['in-process'] && kind === 'sim') {
    const sim = await startSim({ host: '127.0.0.1' });
    return {
      url: sim.url,
      port: sim.port,
      stats: () => {
        const cpu = process.cpuUsage();
        return Promise.resolve({
          cpuMs: (cpu.user + cpu.system) / 1000,
          heapUsed: process.memoryUsage().heapUsed,
        });
      },
      stop: () => sim.stop(),
    };
  }
  const script = kind === 'sim' ? './server-process.ts' : './baseline-process.ts';
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    // SIM_BENCH_CPU_PROF=<dir> profiles the server process (node --cpu-prof) into <dir>.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.SIM_BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIM_BENCH_CPU_PROF}`]
        : []),
    ],
    env: { ...process.env, SIM_BENCH_OPTIONS: JSON.stringify({ host: '127.0.0.1' }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`server process exited (${code}) while waiting for "${type}"`));
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
    async stats() {
      const stats = next('stats');
      child.send({ type: 'stats' });
      const m = await stats;
      return { cpuMs: Number(m.cpuMs), heapUsed: Number(m.heapUsed) };
    },
    async stop() {
      child.send({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

// ---- HTTP with keep-alive ----

interface Response {
  status: number;
  body: string;
}

class Client {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  constructor(readonly port: number) {}

  call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(data !== undefined
              ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(PHASE_LIMIT_MS, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async expect(method: string, path: string, status: number, body?: unknown): Promise<Response> {
    const res = await this.call(method, path, body);
    if (res.status !== status) {
      throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}

function configMap(name: string, n: number): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench', shard: String(n % 10) } },
    data: { index: String(n), payload: 'x'.repeat(200) },
  };
}

async function createNamespace(client: Client, name: string): Promise<void> {
  await client.expect('POST', '/api/v1/namespaces', 201, { metadata: { name } });
}

/** Runs `total` tasks with `concurrency` workers; gives up after PHASE_LIMIT_MS. */
async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>) {
  const deadline = performance.now() + PHASE_LIMIT_MS;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        if (performance.now() > deadline) throw new Error(`phase exceeded ${PHASE_LIMIT_MS} ms`);
        await task(next++);
      }
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---- (a) sustained writes ----

interface WritesResult {
  clients: number;
  seconds: number;
  writes: number;
  creates: number;
  updates: number;
  errors: number;
  writesPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Server CPU (user + system) per write: steadier than writes/s on a busy machine. */
  serverCpuMsPerWrite: number;
  /** Server CPU time over wall time: 1.0 means one core was saturated. */
  serverCpuShare: number;
  serverHeapMiB: number;
}

async function benchWrites(server: Server, againstSim = true): Promise<WritesResult> {
  const client = new Client(server.port);
  const ns = 'bench-writes';
  if (againstSim) await createNamespace(client, ns);
  const base = `/api/v1/namespaces/${ns}/configmaps`;
  let creates = 0;
  let updates = 0;
  let errors = 0;
  const latencies: number[] = [];
  const cpuBefore = await server.stats();
  const start = performance.now();
  const deadline = start + DURATION_MS;
  const more = () => performance.now() < deadline && creates + updates < MAX_WRITES;
  const timed = async (fn: () => Promise<Response>) => {
    const t = performance.now();
    const res = await fn();
    latencies.push(performance.now() - t);
    return res;
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let n = 0; more(); n++) {
        const name = `cm-${c}-${n}`;
        const created = await timed(() => client.call('POST', base, configMap(name, n)));
        if (created.status !== 201) {
          if (++errors > 100) throw new Error(`too many errors: ${created.body.slice(0, 300)}`);
          continue;
        }
        creates++;
        if (!more()) break;
        const obj = JSON.parse(created.body) as { data: Record<string, string> };
        obj.data.index = `${n}-updated`;
        const updated = await timed(() => client.call('PUT', `${base}/${name}`, obj));
        if (updated.status !== 200) {
          if (++errors > 100) throw new Error(`too many errors: ${updated.body.slice(0, 300)}`);
          continue;
        }
        updates++;
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  const after = await server.stats();
  latencies.sort((a, b) => a - b);
  client.close();
  const writes = creates + updates;
  const cpuMs = after.cpuMs - cpuBefore.cpuMs;
  return {
    clients: CLIENTS,
    seconds: round(elapsedMs / 1000, 2),
    writes,
    creates,
    updates,
    errors,
    writesPerSec: Math.round(writes / (elapsedMs / 1000)),
    latencyMs: {
      p50: round(percentile(latencies, 50), 2),
      p99: round(percentile(latencies, 99), 2),
      max: round(latencies[latencies.length - 1] ?? NaN, 2),
    },
    serverCpuMsPerWrite: round(cpuMs / writes, 3),
    serverCpuShare: round(cpuMs / elapsedMs, 2),
    serverHeapMiB: round(after.heapUsed / 2 ** 20),
  };
}

// ---- (b) list latency ----

interface ListStats {
  p50Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  bytes: number;
}

interface ListResult {
  objects: number;
  runs: number;
  fillSeconds: number;
  json: ListStats;
  table: ListStats;
}

async function benchList(server: Server): Promise<ListResult> {
  const client = new Client(server.port);
  const ns = 'bench-list';
  await createNamespace(client, ns);
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const fillStart = performance.now();
  await pool(LIST_SIZE, CLIENTS, async (i) => {
    await client.expect('POST', path, 201, configMap(`cm-${String(i).padStart(5, '0')}`, i));
  });
  const fillSeconds = (performance.now() - fillStart) / 1000;

  const measure = async (accept: string, count: (body: unknown) => number): Promise<ListStats> => {
    const samples: number[] = [];
    let bytes = 0;
    // One unrecorded warm-up, then LISTS measured lists, one at a time.
    for (let i = 0; i <= LISTS; i++) {
      const t = performance.now();
      const res = await client.call('GET', path, undefined, { Accept: accept });
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`list: ${res.status} ${res.body.slice(0, 300)}`);
      const n = count(JSON.parse(res.body));
      if (n !== LIST_SIZE) throw new Error(`list returned ${n} items, want ${LIST_SIZE}`);
      bytes = Buffer.byteLength(res.body);
      if (i > 0) samples.push(ms);
    }
    samples.sort((a, b) => a - b);
    return {
      p50Ms: round(percentile(samples, 50)),
      p99Ms: round(percentile(samples, 99)),
      minMs: round(samples[0]!),
      maxMs: round(samples[samples.length - 1]!),
      bytes,
    };
  };
  const json = await measure('application/json', (b) => (b as { items: unknown[] }).items.length);
  const table = await measure(TABLE_ACCEPT, (b) => (b as { rows: unknown[] }).rows.length);
  client.close();
  return { objects: LIST_SIZE, runs: LISTS, fillSeconds: round(fillSeconds, 2), json, table };
}

// ---- (c) watch fan-out ----

interface WatchResult {
  watchers: number;
  writes: number;
  complete: boolean;
  writeSeconds: number;
  /** From the first write until every watcher has seen every event. */
  deliverySeconds: number;
  eventsDelivered: number;
  eventsPerSec: number;
  /** Time after the last write returned until the slowest watcher had everything. */
  tailLagMs: number;
  /** Server CPU per write, including its fan-out to every watcher. */
  serverCpuMsPerWrite: number;
}

async function benchWatch(server: Server): Promise<WatchResult> {
  const client = new Client(server.port);
  const ns = 'bench-watch';
  await createNamespace(client, ns);
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const list = JSON.parse((await client.expect('GET', path, 200)).body) as {
    metadata: { resourceVersion: string };
  };
  const rv = list.metadata.resourceVersion;

  const watchAgent = new Agent({ keepAlive: false, maxSockets: WATCHERS + 1 });
  const seen = new Array<number>(WATCHERS).fill(0);
  const doneAt = new Array<number | undefined>(WATCHERS).fill(undefined);
  const streams: IncomingMessage[] = [];
  let allDone: () => void = () => undefined;
  const everyoneDone = new Promise<void>((r) => (allDone = r));
  let finished = 0;

  await Promise.all(
    Array.from(
      { length: WATCHERS },
      (_, w) =>
        new Promise<void>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: server.port,
              path: `${path}?watch=true&resourceVersion=${rv}`,
              agent: watchAgent,
              headers: { Accept: 'application/json' },
            },
            (res) => {
              if (res.statusCode !== 200) {
                reject(new Error(`watch: ${res.statusCode}`));
                return;
              }
              streams.push(res);
              res.on('data', (chunk: Buffer) => {
                // One event per line; JSON escapes newlines inside strings.
                let n = 0;
                for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
                seen[w]! += n;
                if (seen[w]! >= WATCH_WRITES && doneAt[w] === undefined) {
                  doneAt[w] = performance.now();
                  if (++finished === WATCHERS) allDone();
                }
              });
              res.on('error', () => undefined);
              resolve();
            },
          );
          req.on('error', reject);
          req.end();
        }),
    ),
  );

  const cpuBefore = await server.stats();
  const start = performance.now();
  await pool(WATCH_WRITES, CLIENTS, async (i) => {
    await client.expect('POST', path, 201, configMap(`cm-${i}`, i));
  });
  const writesDone = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const complete = await Promise.race([
    everyoneDone.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), PHASE_LIMIT_MS))),
  ]);
  clearTimeout(timer);
  const end = complete ? Math.max(...doneAt.map((t) => t ?? 0)) : performance.now();
  const cpuAfter = await server.stats();
  for (const s of streams) s.destroy();
  watchAgent.destroy();
  client.close();
  const delivered = seen.reduce((a, b) => a + Math.min(b, WATCH_WRITES), 0);
  const deliverySeconds = (end - start) / 1000;
  return {
    watchers: WATCHERS,
    writes: WATCH_WRITES,
    complete,
    writeSeconds: round((writesDone - start) / 1000, 3),
    deliverySeconds: round(deliverySeconds, 3),
    eventsDelivered: delivered,
    eventsPerSec: Math.round(delivered / deliverySeconds),
    tailLagMs: round(Math.max(0, end - writesDone)),
    serverCpuMsPerWrite: round((cpuAfter.cpuMs - cpuBefore.cpuMs) / WATCH_WRITES, 3),
  };
}

// ---- driver ----

async function withServer<T>(
  fn: (s: Server) => Promise<T>,
  kind: 'sim' | 'baseline' = 'sim',
): Promise<T> {
  const server = await startServer(kind);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

async function main(): Promise<void> {
  const machine = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const mode = argv['in-process'] ? 'in-process' : 'child-process';
  console.error(`machine: ${JSON.stringify(machine)}; server: ${mode}`);
  const loadBefore = loadavg().map((n) => round(n, 2));

  const results: {
    date: string;
    label?: string;
    mode: string;
    machine: typeof machine;
    /** 1/5/15-minute load averages before and after: other work on the machine skews results. */
    loadAverage?: { before: number[]; after: number[] };
    baseline?: WritesResult;
    writes?: WritesResult;
    list?: ListResult;
    watch?: WatchResult;
  } = {
    date: new Date().toISOString(),
    ...(argv.label ? { label: argv.label } : {}),
    mode,
    machine,
  };
  if (ONLY.has('baseline')) {
    console.error(
      `baseline: bare node:http echo server, ${CLIENTS} clients for ${DURATION_MS / 1000} s …`,
    );
    results.baseline = await withServer((s) => benchWrites(s, false), 'baseline');
  }
  if (ONLY.has('writes')) {
    console.error(`writes: ${CLIENTS} clients for ${DURATION_MS / 1000} s …`);
    results.writes = await withServer(benchWrites);
  }
  if (ONLY.has('list')) {
    console.error(`list: filling ${fmt(LIST_SIZE)} ConfigMaps, then ${LISTS} lists per format …`);
    results.list = await withServer(benchList);
  }
  if (ONLY.has('watch')) {
    console.error(`watch: ${WATCHERS} watchers, ${fmt(WATCH_WRITES)} writes …`);
    results.watch = await withServer(benchWatch);
  }

  results.loadAverage = { before: loadBefore, after: loadavg().map((n) => round(n, 2)) };

  const rows: [string, string][] = [];
  const writesRow = (what: string, w: WritesResult) =>
    rows.push([
      `${what} (${w.clients} clients, ${w.seconds} s)`,
      `**${fmt(w.writesPerSec)} writes/s** (${fmt(w.writes)} writes, ${w.errors} errors; latency p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms; server CPU ${w.serverCpuMsPerWrite} ms/write)`,
    ]);
  if (results.baseline) writesRow('baseline: bare node:http echo', results.baseline);
  if (results.writes) writesRow('sustained writes: create+update ConfigMaps', results.writes);
  const l = results.list;
  if (l) {
    for (const [name, s] of [
      ['JSON', l.json],
      ['Table', l.table],
    ] as const) {
      rows.push([
        `list ${fmt(l.objects)} ConfigMaps, ${name} (${l.runs} runs)`,
        `p50 **${s.p50Ms} ms**, p99 **${s.p99Ms} ms** (${round(s.bytes / 2 ** 20, 2)} MiB)`,
      ]);
    }
  }
  const wt = results.watch;
  if (wt) {
    rows.push([
      `watch fan-out (${wt.watchers} watchers × ${fmt(wt.writes)} writes)`,
      `${wt.complete ? 'all delivered' : '**incomplete**'} in **${wt.deliverySeconds} s**, **${fmt(wt.eventsPerSec)} events/s** (writes took ${wt.writeSeconds} s, tail lag ${wt.tailLagMs} ms; server CPU ${wt.serverCpuMsPerWrite} ms/write)`,
    ]);
  }
  console.log('| benchmark | result |');
  console.log('| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(
    `\n${machine.nproc} cores, ${machine.memoryGiB} GiB, ${machine.node}; load average ${results.loadAverage.before.join(' / ')} before, ${results.loadAverage.after.join(' / ')} after`,
  );

  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const day = results.date.slice(0, 10);
  const file = `${dir}sim-${day}${argv.label ? `-${argv.label}` : ''}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`results written to ${file}`);
}

await main();
