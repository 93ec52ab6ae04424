// The test Prometheus (Debian's binary in .tools/prometheus, as test/support/prometheus.ts runs
// it: 127.0.0.1, 1 s scrape and evaluation intervals, temporary config and TSDB) with one
// addition for the analysis benchmark: a query log (`global.query_log_file`). Prometheus writes
// one JSON line per query with the query text and its evaluation time (`params.start`, which
// for an instant query is the `time` parameter the client sent, to the millisecond) and when
// it finished (`ts`). The AnalysisRun controller sends `time` = the moment it started the
// measurement, so the log gives each measurement's start time at millisecond resolution.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrometheusBinary } from '../../test/support/prometheus.ts';

export interface BenchPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  queryLogFile: string;
  child: ChildProcess;
  /** Resolves once `expr` returns at least one sample (so rate() windows have data). */
  waitForData(expr: string, timeoutMs?: number): Promise<void>;
  /** Sums of Prometheus's own counters, by metric name and selected labels. */
  selfMetrics(): Promise<Record<string, number>>;
  /** Every query-log line, parsed. */
  queryLog(): QueryLogEntry[];
  stop(): Promise<void>;
}

export interface QueryLogEntry {
  params: { query: string; start: string; end: string; step: number };
  ts: string;
  stats?: { timings?: { execTotalTime?: number } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startBenchPrometheus(
  targets: string[],
  register: (c: ChildProcess) => void,
): Promise<BenchPrometheus> {
  const bin = requirePrometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'analysis-bench-prometheus-'));
  const queryLogFile = join(dir, 'query.log');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      `  query_log_file: ${JSON.stringify(queryLogFile)}`,
      'scrape_configs:',
      '  - job_name: app',
      '    static_configs:',
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  let stderr = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    stderr = '';
    const child = spawn(
      bin,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    register(child);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      if (stderr.length < 20_000) stderr += d;
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const deadline = Date.now() + 30_000;
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
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
    if (!ready) {
      if (child.exitCode !== null && /address already in use/.test(stderr)) continue;
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Prometheus did not become ready at ${url}:\n${stderr}`);
    }
    return {
      url,
      pid: child.pid!,
      queryLogFile,
      child,
      async waitForData(expr, timeoutMs = 60_000) {
        const until = Date.now() + timeoutMs;
        let last = '';
        while (Date.now() < until) {
          try {
            const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
              signal: AbortSignal.timeout(2000),
            });
            const body = (await res.json()) as {
              data?: { result?: { value: [number, string] }[] };
            };
            const v = body.data?.result?.[0]?.value[1];
            last = JSON.stringify(body.data?.result ?? body);
            if (v !== undefined && v !== 'NaN') return;
          } catch (e) {
            last = e instanceof Error ? e.message : String(e);
          }
          await sleep(250);
        }
        throw new Error(`Prometheus: no data for ${expr} after ${timeoutMs} ms; last: ${last}`);
      },
      async selfMetrics() {
        const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
        const out: Record<string, number> = {};
        for (const line of (await res.text()).split('\n')) {
          const m =
            /^(prometheus_http_requests_total|prometheus_engine_query_duration_seconds_count|prometheus_engine_query_duration_seconds_sum)(\{[^}]*\})? (\S+)$/.exec(
              line,
            );
          if (!m) continue;
          const labels = m[2] ?? '';
          const handler = /handler="([^"]*)"/.exec(labels)?.[1];
          const slice = /slice="([^"]*)"/.exec(labels)?.[1];
          const key = `${m[1]}${handler ? ` ${handler}` : ''}${slice ? ` ${slice}` : ''}`;
          out[key] = (out[key] ?? 0) + Number(m[3]);
        }
        return out;
      },
      queryLog() {
        let text: string;
        try {
          text = readFileSync(queryLogFile, 'utf8');
        } catch {
          return [];
        }
        const out: QueryLogEntry[] = [];
        for (const line of text.split('\n')) {
          if (!line) continue;
          try {
            out.push(JSON.parse(line) as QueryLogEntry);
          } catch {
            // a line cut short while Prometheus was writing it
          }
        }
        return out;
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
          clearTimeout(timer);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`Prometheus could not bind a free port:\n${stderr}`);
}
