// The demo application's metrics, served on 127.0.0.1 from the demo process itself:
//   GET /metrics                      Prometheus text: rollouts_demo_requests_total{image,code}
//   GET /api/success-rate?image=IMG   {"image","requests","errors","successRate","windowSeconds"}
//                                     over the last window of simulated traffic to that image
//                                     (the `web` analysis provider reads this)
//   GET /api/traffic                  the current ALB split and the requests per image
// The numbers come from the TrafficGenerator (traffic.ts) through record().
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import type { TickResult, TargetGroup } from './traffic.ts';

export const WINDOW_TICKS = 10;

interface Bucket {
  byImage: Map<string, { requests: number; errors: number }>;
}

export interface SuccessRate {
  image: string;
  requests: number;
  errors: number;
  /** null when the image got no request in the window. */
  successRate: number | null;
  windowSeconds: number;
}

export class DemoMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'image' | 'code'>;
  private readonly window: Bucket[] = [];
  private readonly seen = new Set<string>();
  private groups: TargetGroup[] = [];

  constructor(private readonly tickSeconds: number) {
    this.requests = new Counter({
      name: 'rollouts_demo_requests_total',
      help: 'Simulated requests answered by the demo application, by image and status code.',
      labelNames: ['image', 'code'],
      registers: [this.registry],
    });
  }

  record(t: TickResult): void {
    for (const [image, { requests, errors }] of t.byImage) {
      if (!this.seen.has(image)) {
        // Both series exist from the first request, so a ratio never misses its numerator.
        this.seen.add(image);
        this.requests.labels(image, '200').inc(0);
        this.requests.labels(image, '500').inc(0);
      }
      this.requests.labels(image, '200').inc(requests - errors);
      this.requests.labels(image, '500').inc(errors);
    }
    this.window.push({ byImage: t.byImage });
    if (this.window.length > WINDOW_TICKS) this.window.shift();
    this.groups = t.groups;
  }

  successRate(image: string): SuccessRate {
    let requests = 0;
    let errors = 0;
    for (const b of this.window) {
      const e = b.byImage.get(image);
      requests += e?.requests ?? 0;
      errors += e?.errors ?? 0;
    }
    return {
      image,
      requests,
      errors,
      successRate: requests === 0 ? null : Math.round(((requests - errors) / requests) * 1e4) / 1e4,
      windowSeconds: WINDOW_TICKS * this.tickSeconds,
    };
  }

  traffic(): { targetGroups: TargetGroup[]; lastWindow: SuccessRate[] } {
    const images = new Set<string>();
    for (const b of this.window) for (const i of b.byImage.keys()) images.add(i);
    return {
      targetGroups: this.groups,
      lastWindow: [...images].sort().map((i) => this.successRate(i)),
    };
  }
}

export interface MetricsServer {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
}

export async function startMetricsServer(
  metrics: DemoMetrics,
  port: number,
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'GET only' });
      return;
    }
    switch (url.pathname) {
      case '/metrics':
        metrics.registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
            res.end(body);
          },
          (e: unknown) => json(res, 500, { error: String(e) }),
        );
        return;
      case '/api/success-rate': {
        const image = url.searchParams.get('image');
        if (!image) {
          json(res, 400, { error: 'the image query parameter is required' });
          return;
        }
        json(res, 200, metrics.successRate(image));
        return;
      }
      case '/api/traffic':
        json(res, 200, metrics.traffic());
        return;
      case '/':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(
          'rollouts-demo application metrics\n' +
            '  /metrics                      Prometheus text\n' +
            '  /api/success-rate?image=IMG   success rate of one version over the last window\n' +
            '  /api/traffic                  current ALB split and requests per image\n',
        );
        return;
      default:
        json(res, 404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
