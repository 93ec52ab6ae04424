// A small instrumented app for analysis tests: it serves `/metrics` (prom-client, its own
// Registry) on 127.0.0.1 and sends itself a steady stream of requests to `/work`, answering a
// controlled fraction of them with 500. `http_requests_total{code}` therefore has a known
// error rate for Prometheus to scrape. The error pattern is deterministic (an accumulator, not
// random draws), so any window of N requests has round(N × rate) errors ± 1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';

export interface MetricsApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, a Prometheus static target. */
  target: string;
  registry: Registry;
  /** Fraction (0..1) of the generated requests answered with 500 from now on. */
  setErrorRate(rate: number): void;
  /** Requests answered so far, by status code. */
  counts(): { ok: number; errors: number };
  stop(): Promise<void>;
}

export interface MetricsAppOptions {
  /** Initial error rate; default 0. */
  errorRate?: number;
  /** Generated requests per second; default 50, at most 500. */
  requestsPerSecond?: number;
  /**
   * Also count every request as the NGINX ingress controller would,
   * `nginx_ingress_controller_requests{ingress="<this>",status}`, so templates written for
   * it (the rollouts-demo `success-rate`) run unchanged.
   */
  ingress?: string;
}

export async function startMetricsApp(opts: MetricsAppOptions = {}): Promise<MetricsApp> {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled, by status code.',
    labelNames: ['code'],
    registers: [registry],
  });
  // Both series exist from the start, so rate() sees them over the whole window.
  requests.labels('200').inc(0);
  requests.labels('500').inc(0);
  const ingress = opts.ingress;
  const nginx = ingress
    ? new Counter({
        name: 'nginx_ingress_controller_requests',
        help: 'The total number of client requests (as ingress-nginx exports it).',
        labelNames: ['ingress', 'status'],
        registers: [registry],
      })
    : undefined;
  nginx?.labels(ingress!, '200').inc(0);
  nginx?.labels(ingress!, '500').inc(0);

  let errorRate = clampRate(opts.errorRate ?? 0);
  let acc = 0;
  let ok = 0;
  let errors = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        });
      return;
    }
    if (req.url === '/work') {
      acc += errorRate;
      const fail = acc >= 1 - 1e-9;
      if (fail) acc -= 1;
      const code = fail ? 500 : 200;
      requests.labels(String(code)).inc();
      nginx?.labels(ingress!, String(code)).inc();
      if (fail) errors++;
      else ok++;
      res.writeHead(code, { 'Content-Type': 'text/plain' });
      res.end(fail ? 'error\n' : 'ok\n');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  // Traffic: one request per tick, never more than one in flight (bounded), until stop().
  const rps = Math.min(500, Math.max(1, opts.requestsPerSecond ?? 50));
  let inFlight = false;
  let stopped = false;
  const tick = setInterval(() => {
    if (inFlight || stopped) return;
    inFlight = true;
    const req = http.get({ host: '127.0.0.1', port, path: '/work', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        inFlight = false;
      });
      res.on('error', () => {
        inFlight = false;
      });
    });
    req.on('error', () => {
      inFlight = false;
    });
  }, 1000 / rps);

  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    registry,
    setErrorRate(rate: number) {
      errorRate = clampRate(rate);
      acc = 0;
    },
    counts: () => ({ ok, errors }),
    async stop() {
      stopped = true;
      clearInterval(tick);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function clampRate(rate: number): number {
  if (!Number.isFinite(rate)) return 0;
  return Math.min(1, Math.max(0, rate));
}
