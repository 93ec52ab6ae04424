// The AnalysisRun controller against the emulator: runs are created with the real client,
// measured through the Web, Job and Prometheus providers (a local HTTP endpoint whose answer the
// test controls, a Job whose status the test writes, a real Prometheus scraping the metrics
// app), and the stored status, events and deletions are read back (analysis.md §2–§3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  eventsOf,
  startController,
  type ControllerHandle,
} from '../../support/controller.ts';
import { startMetricsApp, type MetricsApp } from '../../support/metrics-app.ts';
import { startPrometheus, type PrometheusHandle } from '../../support/prometheus.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const NS = 'default';
const QUERY =
  'sum(rate(http_requests_total{code!~"5.."}[10s])) / sum(rate(http_requests_total[10s]))';

interface RunStatus {
  phase?: string;
  message?: string;
  startedAt?: string;
  completedAt?: string;
  runSummary?: Record<string, number>;
  dryRunSummary?: Record<string, number>;
  metricResults?: {
    name: string;
    phase: string;
    message?: string;
    count?: number;
    successful?: number;
    failed?: number;
    error?: number;
    consecutiveError?: number;
    dryRun?: boolean;
    metadata?: Record<string, string>;
    measurements?: {
      phase: string;
      value?: string;
      message?: string;
      finishedAt?: string;
      metadata?: Record<string, string>;
    }[];
  }[];
}

function run(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name }, spec };
}

describe('AnalysisRun controller', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let server: http.Server;
  let base: string;
  /** What the /rate endpoint answers. */
  let rate = 0.99;
  const seenAuth: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      seenAuth.push(req.headers.authorization ?? '');
      if (req.url?.startsWith('/rate')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ rate, ok: rate >= 0.95 }));
      } else {
        res.writeHead(404);
        res.end('no such page');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });

  after(async () => {
    await ctl.stop();
    await target.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const status = async (name: string): Promise<RunStatus> =>
    (await cluster.get('AnalysisRun', NS, name)).status ?? {};
  const completed = (name: string, timeoutMs = 20_000) =>
    eventually(
      async () => {
        const s = await status(name);
        return s.phase && !['Running', 'Pending'].includes(s.phase) ? s : undefined;
      },
      `${name} to complete`,
      timeoutMs,
    );

  test('web metric, count 3 every 1s: three successful measurements, then Successful', async () => {
    rate = 0.99;
    await cluster.apply(
      run('web-ok', {
        metrics: [
          {
            name: 'success-rate',
            count: 3,
            interval: '1s',
            successCondition: 'result.rate >= 0.95',
            provider: { web: { url: `${base}/rate`, jsonPath: '{$}' } },
          },
        ],
      }),
      NS,
    );
    const s = await completed('web-ok');
    assert.equal(s.phase, 'Successful');
    assert.equal(s.message, undefined);
    assert.deepEqual(s.runSummary, { count: 1, successful: 1 });
    assert.ok(s.startedAt && s.completedAt);
    const r = s.metricResults?.[0];
    assert.equal(r?.phase, 'Successful');
    assert.equal(r?.count, 3);
    assert.equal(r?.successful, 3);
    assert.deepEqual(
      r?.measurements?.map((m) => [m.phase, m.value]),
      Array(3).fill(['Successful', '{"ok":true,"rate":0.99}']),
    );
    const events = await eventually(async () => {
      const ev = await eventsOf(cluster, NS, 'web-ok');
      return ev.length >= 2 ? ev : undefined;
    }, 'events');
    // Both are written in the same second, so their listing order is not meaningful.
    assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]).sort(), [
      ['Normal', 'AnalysisRunSuccessful', 'Analysis Completed. Result: Successful'],
      ['Normal', 'MetricSuccessful', "Metric 'success-rate' Completed. Result: Successful"],
    ]);
  });

  test('a failing measurement fails the metric (failureLimit 0) and the run says why', async () => {
    rate = 0.5;
    await cluster.apply(
      run('web-fail', {
        metrics: [
          {
            name: 'success-rate',
            interval: '1s',
            successCondition: 'result.ok',
            provider: { web: { url: `${base}/rate` } },
          },
        ],
      }),
      NS,
    );
    const s = await completed('web-fail');
    assert.equal(s.phase, 'Failed');
    assert.equal(
      s.message,
      'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    assert.deepEqual(s.runSummary, { count: 1, failed: 1 });
    const events = await eventually(async () => {
      const ev = await eventsOf(cluster, NS, 'web-fail');
      return ev.find((e) => e.reason === 'AnalysisRunFailed');
    }, 'AnalysisRunFailed event');
    assert.equal(events.type, 'Warning');
  });

  test('args: {{args.x}} substitution, and a secret that never appears in the status', async () => {
    rate = 0.99;
    const secret = 's3cr3t-token-value';
    await cluster.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'analysis-token' },
        data: { token: Buffer.from(secret).toString('base64') },
      },
      NS,
    );
    await cluster.apply(
      run('web-secret', {
        args: [
          { name: 'path', value: 'missing-page' },
          { name: 'token', valueFrom: { secretKeyRef: { name: 'analysis-token', key: 'token' } } },
        ],
        metrics: [
          {
            name: 'page',
            // The secret is in the URL, so the transport's error text would carry it.
            provider: {
              web: {
                url: `${base}/{{args.path}}?t={{args.token}}`,
                headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
              },
            },
          },
        ],
      }),
      NS,
    );
    const s = await eventually(async () => {
      const st = await status('web-secret');
      return st.metricResults?.[0]?.measurements?.length ? st : undefined;
    }, 'a measurement');
    assert.ok(seenAuth.includes(`Bearer ${secret}`), 'the provider sent the secret value');
    const m = s.metricResults?.[0]?.measurements?.[0];
    assert.equal(m?.phase, 'Error');
    assert.equal(m?.message, 'received non 2xx response code: 404');
    const stored = JSON.stringify(await cluster.get('AnalysisRun', NS, 'web-secret'));
    assert.ok(!stored.includes(secret), 'the secret value is not stored');
  });

  test('a missing secret ends the run in Error with the reason', async () => {
    await cluster.apply(
      run('no-secret', {
        args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'nope', key: 'token' } } }],
        metrics: [{ name: 'm', provider: { web: { url: `${base}/rate?{{args.token}}` } } }],
      }),
      NS,
    );
    const s = await completed('no-secret');
    assert.equal(s.phase, 'Error');
    assert.equal(s.message, 'Unable to resolve metric arguments: secrets "nope" not found');
    assert.equal(s.startedAt, undefined);
  });

  test('an invalid spec ends in Error with the validation message', async () => {
    await cluster.apply(
      run('invalid', {
        metrics: [{ name: 'm', count: 2, provider: { web: { url: `${base}/rate` } } }],
      }),
      NS,
    );
    const s = await completed('invalid');
    assert.equal(s.phase, 'Error');
    assert.equal(
      s.message,
      'Analysis spec invalid: metrics[0]: interval must be specified when count > 1',
    );
  });

  test('terminate: an indefinite metric ends Successful with "Run Terminated"', async () => {
    rate = 0.99;
    await cluster.apply(
      run('endless', {
        metrics: [
          {
            name: 'success-rate',
            interval: '1s',
            successCondition: 'result.ok',
            provider: { web: { url: `${base}/rate` } },
          },
        ],
      }),
      NS,
    );
    await eventually(
      async () => ((await status('endless')).metricResults?.[0]?.count ?? 0) >= 2,
      'two measurements',
    );
    await cluster.client.patch(
      cluster.path('AnalysisRun', NS, 'endless'),
      { spec: { terminate: true } },
      'merge',
    );
    const s = await completed('endless');
    assert.equal(s.phase, 'Successful');
    assert.equal(s.message, 'Run Terminated');
    assert.equal(s.metricResults?.[0]?.phase, 'Successful');
  });

  test('dryRun metrics never decide the run; measurementRetention trims measurements', async () => {
    rate = 0.5;
    await cluster.apply(
      run('dry', {
        dryRun: [{ metricName: 'dry-.*' }],
        measurementRetention: [{ metricName: 'kept', limit: 2 }],
        metrics: [
          {
            name: 'dry-rate',
            successCondition: 'result.ok',
            provider: { web: { url: `${base}/rate` } },
          },
          {
            name: 'kept',
            count: 4,
            interval: '1s',
            provider: { web: { url: `${base}/rate` } },
          },
        ],
      }),
      NS,
    );
    const s = await completed('dry');
    assert.equal(s.phase, 'Successful');
    assert.deepEqual(s.dryRunSummary, { count: 1, failed: 1 });
    assert.deepEqual(s.runSummary, { count: 1, successful: 1 });
    const dry = s.metricResults?.find((r) => r.name === 'dry-rate');
    assert.equal(dry?.dryRun, true);
    assert.equal(dry?.phase, 'Failed');
    assert.equal(dry?.message, 'Metric assessed Failed due to failed (1) > failureLimit (0)');
    const kept = s.metricResults?.find((r) => r.name === 'kept');
    assert.equal(kept?.count, 4);
    assert.equal(kept?.measurements?.length, 2);
  });

  test('ttlStrategy deletes the completed run after the TTL', async () => {
    rate = 0.99;
    await cluster.apply(
      run('ttl', {
        ttlStrategy: { secondsAfterCompletion: 1 },
        metrics: [{ name: 'm', provider: { web: { url: `${base}/rate` } } }],
      }),
      NS,
    );
    await eventually(
      async () => {
        try {
          await cluster.get('AnalysisRun', NS, 'ttl');
          return false;
        } catch (e) {
          return (e as { code?: number }).code === 404;
        }
      },
      'the run to be deleted',
      15_000,
    );
  });

  test('job metric: the Job is created, and its completion completes the run', async () => {
    await cluster.apply(
      run('job-run', {
        metrics: [
          {
            name: 'smoke',
            provider: {
              job: {
                spec: {
                  backoffLimit: 0,
                  template: {
                    spec: {
                      restartPolicy: 'Never',
                      containers: [{ name: 'smoke', image: 'busybox', command: ['true'] }],
                    },
                  },
                },
              },
            },
          },
        ],
      }),
      NS,
    );
    const jobName = await eventually(async () => {
      const s = await status('job-run');
      return s.metricResults?.[0]?.measurements?.[0]?.metadata?.['job-name'];
    }, 'the job measurement');
    assert.equal((await status('job-run')).metricResults?.[0]?.measurements?.[0]?.phase, 'Running');
    // The emulator has no Job controller: play its part.
    await cluster.client.patch(
      cluster.path('Job', NS, jobName, 'status'),
      { status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } },
      'merge',
    );
    const s = await completed('job-run');
    assert.equal(s.phase, 'Successful');
  });

  describe('with a real Prometheus', () => {
    let app: MetricsApp;
    let prom: PrometheusHandle;
    before(async () => {
      app = await startMetricsApp({ errorRate: 0 });
      prom = await startPrometheus({ targets: [app.target] });
      await prom.waitForTarget();
      // rate() over 10s needs two scrapes: wait until the query has data, so the first
      // measurement sees the app as it is rather than an empty vector.
      await eventually(
        async () => {
          const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(QUERY)}`);
          const body = (await res.json()) as { data?: { result?: unknown[] } };
          return (body.data?.result?.length ?? 0) > 0;
        },
        'the success-rate query to have data',
        30_000,
        250,
      );
    });
    after(async () => {
      await prom.stop();
      await app.stop();
    });

    const successRate = (address: string, extra: Record<string, unknown> = {}) =>
      run(`prom-${Math.random().toString(36).slice(2, 8)}`, {
        args: [{ name: 'address', value: address }],
        metrics: [
          {
            name: 'success-rate',
            count: 2,
            interval: '1s',
            successCondition: 'len(result) > 0 && result[0] >= 0.95',
            provider: {
              prometheus: {
                address: '{{args.address}}',
                query: QUERY,
              },
            },
            ...extra,
          },
        ],
      });

    test('a healthy app: Successful, with the resolved query in the metadata', async () => {
      const r = successRate(prom.url);
      await cluster.apply(r, NS);
      const s = await eventually(
        async () => {
          const st = await status(r.metadata.name ?? '');
          return st.phase === 'Successful' || st.phase === 'Failed' ? st : undefined;
        },
        'the prometheus run',
        30_000,
      );
      assert.equal(s.phase, 'Successful', JSON.stringify(s));
      const res = s.metricResults?.[0];
      assert.match(res?.metadata?.ResolvedPrometheusQuery ?? '', /http_requests_total/);
      assert.match(res?.measurements?.[0]?.value ?? '', /^\[(1|0\.9\d*)\]$/);
    });

    test('unreachable Prometheus: Error measurements, then the metric Errors past consecutiveErrorLimit', async () => {
      const r = successRate('http://127.0.0.1:1', { consecutiveErrorLimit: 1 });
      await cluster.apply(r, NS);
      const s = await eventually(
        async () => {
          const st = await status(r.metadata.name ?? '');
          return st.phase === 'Error' ? st : undefined;
        },
        'the run to error',
        40_000,
      );
      const res = s.metricResults?.[0];
      assert.equal(res?.phase, 'Error');
      assert.equal(res?.error, 2);
      assert.equal(res?.count, undefined, 'errors do not consume count');
      assert.match(res?.measurements?.[0]?.message ?? '', /connect: connection refused/);
      assert.match(
        s.message ?? '',
        /^Metric "success-rate" assessed Error due to consecutiveErrors \(2\) > consecutiveErrorLimit \(1\): "Error Message: .*connection refused"$/,
      );
    });
  });
});
