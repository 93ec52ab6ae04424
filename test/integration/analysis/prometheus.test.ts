// The Prometheus provider against a REAL Prometheus (Debian's binary, see
// test/support/prometheus.ts) scraping a prom-client app with a controlled error rate, plus
// local fake endpoints for what a healthy Prometheus cannot show: retries of transient
// failures, deadlines, the POST→GET fallback, auth, warnings and TLS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  measurementResult,
  type ConditionEvaluator,
  type Metric,
  type PrometheusMetric,
  type ProviderContext,
} from '../../../src/analysis/providers/provider.ts';
import {
  PROMETHEUS_ADDRESS_ENV,
  PrometheusProvider,
} from '../../../src/analysis/providers/prometheus.ts';
import { startMetricsApp, type MetricsApp } from '../../support/metrics-app.ts';
import { startPrometheus, type PrometheusHandle } from '../../support/prometheus.ts';
import { eventually } from '../../support/target.ts';

const SUCCESS_RATE =
  'sum(rate(http_requests_total{code!~"5.."}[10s])) / sum(rate(http_requests_total[10s]))';

/** `result[0] >= 0.9` (a typical successCondition), recording what the conditions saw. */
function successAbove(threshold = 0.9) {
  const results: unknown[] = [];
  const evaluate: ConditionEvaluator = (result) => {
    results.push(result);
    if (typeof result === 'number') return { phase: result >= threshold ? 'Successful' : 'Failed' };
    if (!Array.isArray(result) || result.length === 0) {
      return {
        phase: 'Error',
        message:
          'could not evaluate successCondition "result[0] >= 0.9": metric result is nil or empty: no data returned from the metric provider',
      };
    }
    return { phase: (result[0] as number) >= threshold ? 'Successful' : 'Failed' };
  };
  return { results, evaluate };
}

const ctx = (evaluate: ConditionEvaluator): ProviderContext => ({
  run: { metadata: { name: 'run', namespace: 'default', uid: 'uid-1' } },
  evaluate,
});

function metric(prometheus: PrometheusMetric, extra: Partial<Metric> = {}): Metric {
  return { name: 'success-rate', ...extra, provider: { prometheus } };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('real Prometheus', () => {
  let app: MetricsApp;
  let prom: PrometheusHandle;
  const provider = new PrometheusProvider();

  before(async () => {
    app = await startMetricsApp({ errorRate: 0.05 });
    prom = await startPrometheus({ targets: [app.target] });
    await prom.waitForTarget();
  });

  after(async () => {
    await prom?.stop();
    await app?.stop();
  });

  test('startup', (t) => {
    t.diagnostic(
      `prometheus /-/ready after ${prom.readyMs} ms; target up after ${prom.targetsUpMs ?? '?'} ms`,
    );
    assert.match(prom.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('success rate of the metrics app: value and result shape', async () => {
    // rate() needs two scrapes inside the window: wait for a non-empty answer, then let the
    // 10 s window fill a little more before the measurement that is asserted.
    await eventually(
      async () => {
        const m = await provider.run(
          metric({ address: prom.url, query: SUCCESS_RATE }),
          ctx(successAbove().evaluate),
        );
        return m.phase === 'Successful' && m.value !== '[]';
      },
      'a non-empty success rate',
      20_000,
      500,
    );
    await sleep(3000);
    const rec = successAbove();
    const m = await provider.run(
      metric({ address: prom.url, query: SUCCESS_RATE }, { successCondition: 'result[0] >= 0.9' }),
      ctx(rec.evaluate),
    );
    assert.equal(m.phase, 'Successful', m.message);
    assert.match(m.value ?? '', /^\[0\.9\d*\]$/);
    assert.equal(rec.results.length, 1);
    const result = rec.results[0];
    assert.ok(Array.isArray(result) && result.length === 1, JSON.stringify(result));
    const rate = (result as number[])[0]!;
    assert.equal(typeof rate, 'number');
    assert.ok(rate > 0.93 && rate < 0.97, `success rate ${rate}, expected ≈ 0.95`);
    assert.equal(m.value, `[${String(rate)}]`);
    assert.deepEqual(measurementResult(m), result);
    assert.ok(m.startedAt && m.finishedAt);
    assert.equal(m.metadata, undefined, 'no warnings');
    assert.equal(m.message, undefined);
  });

  test('scalar, NaN and empty vector results', async () => {
    const scalar = successAbove(1);
    const s = await provider.run(
      metric({ address: prom.url, query: 'scalar(sum(http_requests_total))' }),
      ctx(scalar.evaluate),
    );
    assert.equal(s.phase, 'Successful', s.message);
    assert.equal(typeof scalar.results[0], 'number');
    assert.equal(s.value, String(scalar.results[0]));
    assert.match(s.value ?? '', /^\d+$/);

    const nan = successAbove();
    const n = await provider.run(metric({ address: prom.url, query: '0/0' }), ctx(nan.evaluate));
    assert.equal(n.value, 'NaN');
    assert.ok(Number.isNaN(nan.results[0]));
    assert.equal(n.phase, 'Failed', 'NaN >= 0.9 is false');

    const empty = successAbove();
    const e = await provider.run(
      metric({ address: prom.url, query: 'http_requests_total{code="404"}' }),
      ctx(empty.evaluate),
    );
    assert.equal(e.value, undefined, 'an evaluation error drops the value');
    assert.equal(e.phase, 'Error');
    assert.match(e.message ?? '', /metric result is nil or empty/);
    assert.deepEqual(empty.results, [[]]);
  });

  test('rangeQuery → query_range → a flat matrix', async () => {
    const rec = successAbove(0);
    const m = await provider.run(
      metric({
        address: prom.url,
        query: 'sum(http_requests_total)',
        rangeQuery: { start: 'now() - duration("4s")', end: 'now()', step: '1s' },
      }),
      ctx(rec.evaluate),
    );
    assert.equal(m.phase, 'Successful', m.message);
    const values = rec.results[0] as number[];
    assert.ok(Array.isArray(values) && values.length >= 2, JSON.stringify(values));
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! >= values[i - 1]!, 'a counter');
    assert.equal(m.value, `[${values.join(',')}]`);
  });

  test('a string result is not supported', async () => {
    const m = await provider.run(
      metric({ address: prom.url, query: '"hello"' }),
      ctx(successAbove().evaluate),
    );
    assert.equal(m.phase, 'Error');
    assert.equal(m.message, 'Prometheus metric type not supported');
  });

  test("a bad query → Error with Prometheus' error text", async () => {
    const rec = successAbove();
    const m = await provider.run(
      metric({ address: prom.url, query: 'sum(rate(http_requests_total[1m])' }),
      ctx(rec.evaluate),
    );
    assert.equal(m.phase, 'Error');
    assert.match(m.message ?? '', /^bad_data: .*parse error/);
    assert.equal(m.value, undefined);
    assert.ok(m.finishedAt);
    assert.deepEqual(rec.results, []);
  });

  test('custom headers reach Prometheus; the query is in the metadata', async () => {
    const m = await provider.run(
      metric({
        address: `${prom.url}/`,
        query: 'vector(1)',
        headers: [{ key: 'X-Scope-OrgID', value: 'tenant-a' }],
      }),
      ctx(successAbove().evaluate),
    );
    assert.equal(m.phase, 'Successful', m.message);
    assert.equal(m.value, '[1]');
    assert.deepEqual(provider.getMetadata(metric({ query: 'vector(1)' })), {
      ResolvedPrometheusQuery: 'vector(1)',
    });
    assert.equal(provider.getMetadata(metric({})), undefined);
  });

  test('the app controls the error rate', async () => {
    app.setErrorRate(0.5);
    try {
      const query =
        'sum(rate(http_requests_total{code!~"5.."}[3s])) / sum(rate(http_requests_total[3s]))';
      const failed = await eventually(
        async () => {
          const rec = successAbove();
          const m = await provider.run(metric({ address: prom.url, query }), ctx(rec.evaluate));
          const r = (rec.results[0] as number[] | undefined)?.[0];
          return m.phase === 'Failed' && r !== undefined && r < 0.6 ? r : undefined;
        },
        'the success rate to drop to ≈ 0.5',
        20_000,
        500,
      );
      assert.ok(failed > 0.35 && failed < 0.6, String(failed));
    } finally {
      app.setErrorRate(0.05);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Fake endpoints

interface Req {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Fake {
  url: string;
  requests: Req[];
  close(): Promise<void>;
}

type FakeHandler = (req: Req, res: http.ServerResponse, n: number) => void;

async function fake(handler: FakeHandler, tls?: { key: Buffer; cert: Buffer }): Promise<Fake> {
  const requests: Req[] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(r);
      handler(r, res, requests.length);
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const VECTOR_OK = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '0.99'] }] },
});

function sendJson(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body);
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('Prometheus provider: transport, retries and deadlines', () => {
  const provider = new PrometheusProvider({ retries: 2, retryMinTimeoutMs: 20 });

  test('unreachable address → retried, then Error with a Go-style message', async () => {
    const port = await closedPort();
    const m = await provider.run(
      metric({ address: `http://127.0.0.1:${port}`, query: 'up' }),
      ctx(successAbove().evaluate),
    );
    assert.equal(m.phase, 'Error');
    assert.equal(
      m.message,
      `Post "http://127.0.0.1:${port}/api/v1/query": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    assert.equal(m.value, undefined);
    assert.ok(m.startedAt && m.finishedAt);
  });

  test('connection resets are retried (3 attempts in all)', async () => {
    let connections = 0;
    const srv = net.createServer((s) => {
      connections++;
      s.resetAndDestroy();
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const m = await provider.run(
        metric({ address: `http://127.0.0.1:${port}`, query: 'up' }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Error');
      assert.match(
        m.message ?? '',
        /^Post "http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query": .*connection reset by peer$/,
      );
      assert.equal(connections, 3);
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });

  test('5xx answers are retried; persistent ones end as server_error', async () => {
    const down = await fake((_r, res) => sendJson(res, 503, 'unavailable'));
    try {
      const m = await provider.run(
        metric({ address: down.url, query: 'up' }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Error');
      assert.equal(m.message, 'server_error: server error: 503');
      assert.equal(down.requests.length, 3);
    } finally {
      await down.close();
    }
    const flaky = await fake((_r, res, n) =>
      n === 1 ? sendJson(res, 502, 'bad gateway') : sendJson(res, 200, VECTOR_OK),
    );
    try {
      const m = await provider.run(
        metric({ address: flaky.url, query: 'up' }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Successful', m.message);
      assert.equal(m.value, '[0.99]');
      assert.equal(flaky.requests.length, 2);
    } finally {
      await flaky.close();
    }
  });

  test('4xx and bad bodies are not retried', async () => {
    const bad = await fake((_r, res) => sendJson(res, 200, '<html>oops</html>'));
    try {
      const m = await provider.run(
        metric({ address: bad.url, query: 'up' }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Error');
      assert.match(m.message ?? '', /^bad_response: /);
      assert.equal(bad.requests.length, 1);
    } finally {
      await bad.close();
    }
  });

  test('timeout bounds the whole query; timeout 0 is already expired', async () => {
    const hang = await fake(() => undefined);
    try {
      const m = await provider.run(
        metric({ address: hang.url, query: 'up', timeout: 1 }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Error');
      assert.equal(m.message, `Post "${hang.url}/api/v1/query": context deadline exceeded`);
      assert.equal(hang.requests.length, 1, 'a deadline is not retried');
      const zero = await provider.run(
        metric({ address: hang.url, query: 'up', timeout: 0 }),
        ctx(successAbove().evaluate),
      );
      assert.equal(zero.message, `Post "${hang.url}/api/v1/query": context deadline exceeded`);
      assert.equal(hang.requests.length, 1, 'nothing is sent with timeout: 0');
    } finally {
      await hang.close();
    }
  });
});

describe('Prometheus provider: requests', () => {
  const provider = new PrometheusProvider({ retries: 0 });

  test('POST form (sorted params), headers and basic auth; GET fallback on 405', async () => {
    const srv = await fake((r, res) =>
      r.method === 'POST' ? sendJson(res, 405, '') : sendJson(res, 200, VECTOR_OK),
    );
    try {
      const m = await provider.run(
        metric({
          address: `${srv.url}/prom/`,
          query: 'sum(up{job="a b"})',
          headers: [
            { key: 'X-Scope-OrgID', value: 'tenant-a' },
            { key: 'Authorization', value: 'overridden' },
          ],
          authentication: { basicAuth: { username: 'user', password: 'pa:ss' } },
        }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Successful', m.message);
      const [post, get] = srv.requests;
      assert.equal(post?.method, 'POST');
      assert.equal(post?.url, '/prom/api/v1/query');
      assert.equal(post?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.match(post?.body ?? '', /^query=sum%28up%7Bjob%3D%22a\+b%22%7D%29&time=\d+(\.\d+)?$/);
      assert.equal(post?.headers['x-scope-orgid'], 'tenant-a');
      assert.equal(
        post?.headers.authorization,
        `Basic ${Buffer.from('user:pa:ss').toString('base64')}`,
      );
      assert.equal(get?.method, 'GET');
      assert.equal(get?.url, `/prom/api/v1/query?${post?.body ?? ''}`);
      assert.equal(get?.headers['x-scope-orgid'], 'tenant-a');
    } finally {
      await srv.close();
    }
  });

  test('range query parameters', async () => {
    const srv = await fake((_r, res) =>
      sendJson(
        res,
        200,
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: { a: '1' },
                values: [
                  [1, '11'],
                  [2, '12'],
                ],
              },
              {
                metric: { a: '2' },
                values: [
                  [1, '13'],
                  [2, '14'],
                ],
              },
            ],
          },
        }),
      ),
    );
    try {
      const rec = successAbove(0);
      const m = await provider.run(
        metric({
          address: srv.url,
          query: 'q',
          rangeQuery: {
            start: 'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")',
            end: 'date("2023-08-14T00:00:00Z")',
            step: '1m',
          },
        }),
        ctx(rec.evaluate),
      );
      assert.equal(m.value, '[11,12,13,14]');
      assert.deepEqual(rec.results, [[11, 12, 13, 14]]);
      assert.equal(srv.requests[0]?.url, '/api/v1/query_range');
      assert.equal(srv.requests[0]?.body, 'end=1691971200&query=q&start=1691967600&step=60');
    } finally {
      await srv.close();
    }
  });

  test('rangeQuery expression errors', async () => {
    const cases: [PrometheusMetric['rangeQuery'], string][] = [
      [
        { start: 'now() - duration("??")', end: 'now()', step: '1m' },
        'failed to parse rangeQuery.start as time: time: invalid duration "??"',
      ],
      [
        { start: 'now()', end: 'duration("1h")', step: '1m' },
        'failed to parse rangeQuery.end as time: expected time.Time, but got time.Duration',
      ],
      [
        { start: 'now()', end: 'now()', step: '??' },
        'failed to parse rangeQuery.step as duration: time: invalid duration "??"',
      ],
    ];
    for (const [rangeQuery, message] of cases) {
      const m = await provider.run(
        metric({
          address: 'http://127.0.0.1:1',
          query: 'up',
          ...(rangeQuery ? { rangeQuery } : {}),
        }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Error');
      assert.equal(m.message, message);
    }
  });

  test('warnings go to metadata; the measurement still succeeds', async () => {
    const srv = await fake((_r, res) =>
      sendJson(
        res,
        200,
        JSON.stringify({
          status: 'success',
          warnings: ['w1', 'w2'],
          data: { resultType: 'scalar', result: [1, '1'] },
        }),
      ),
    );
    try {
      const m = await provider.run(
        metric({ address: srv.url, query: 'q' }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Successful');
      assert.equal(m.value, '1');
      assert.deepEqual(m.metadata, { warnings: '"w1", "w2"' });
    } finally {
      await srv.close();
    }
  });

  test('OAuth2 client credentials', async () => {
    const srv = await fake((r, res) => {
      if (r.url === '/token') {
        const form = new URLSearchParams(r.body);
        const ok =
          r.headers.authorization === `Basic ${Buffer.from('id:secret').toString('base64')}` &&
          form.get('grant_type') === 'client_credentials' &&
          form.get('scope') === 'read write';
        sendJson(res, ok ? 200 : 401, ok ? '{"access_token":"abc","token_type":"Bearer"}' : '{}');
        return;
      }
      if (r.headers.authorization === 'Bearer abc') sendJson(res, 200, VECTOR_OK);
      else sendJson(res, 401, '');
    });
    try {
      const oauth2 = {
        tokenUrl: `${srv.url}/token`,
        clientId: 'id',
        clientSecret: 'secret',
        scopes: ['read', 'write'],
      };
      const m = await provider.run(
        metric({ address: srv.url, query: 'q', authentication: { oauth2 } }),
        ctx(successAbove().evaluate),
      );
      assert.equal(m.phase, 'Successful', m.message);
      const bad = await provider.run(
        metric({
          address: srv.url,
          query: 'q',
          authentication: { oauth2: { ...oauth2, clientSecret: 'nope' } },
        }),
        ctx(successAbove().evaluate),
      );
      assert.equal(bad.phase, 'Error');
      assert.match(
        bad.message ?? '',
        /^Post "http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query": oauth2: cannot fetch token: 401 Unauthorized/,
      );
    } finally {
      await srv.close();
    }
  });

  test('insecure skips TLS verification', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prom-provider-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const srv = await fake((_r, res) => sendJson(res, 200, VECTOR_OK), {
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
    });
    try {
      const strict = await provider.run(
        metric({ address: srv.url, query: 'q' }),
        ctx(successAbove().evaluate),
      );
      assert.equal(strict.phase, 'Error');
      assert.match(strict.message ?? '', /tls: failed to verify certificate/);
      const insecure = await provider.run(
        metric({ address: srv.url, query: 'q', insecure: true }),
        ctx(successAbove().evaluate),
      );
      assert.equal(insecure.phase, 'Successful', insecure.message);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Prometheus provider: configuration errors', () => {
  const cases: [string, PrometheusMetric, string, Record<string, string>?][] = [
    ['no address, no env', { query: 'up' }, 'prometheus address is not configured', {}],
    [
      'address not a URL',
      { address: 'prometheus:9090', query: 'up' },
      'prometheus address is not is url format',
    ],
    [
      'env address not a URL',
      { query: 'up' },
      'prometheus address is not is url format',
      { [PROMETHEUS_ADDRESS_ENV]: 'not a url' },
    ],
    [
      'negative timeout',
      { address: 'http://p:9090', query: 'up', timeout: -1 },
      'prometheus timeout should not be negative',
    ],
    [
      'basic auth without password',
      { address: 'http://p:9090', query: 'up', authentication: { basicAuth: { username: 'u' } } },
      'missing mandatory parameter in metric for basic auth setup: password',
    ],
    [
      'basic auth without username',
      { address: 'http://p:9090', query: 'up', authentication: { basicAuth: { password: 'p' } } },
      'missing mandatory parameter in metric for basic auth setup: username',
    ],
    [
      'oauth2 without secret',
      {
        address: 'http://p:9090',
        query: 'up',
        authentication: { oauth2: { tokenUrl: 'http://t', clientId: 'c' } },
      },
      'missing mandatory parameter in metric for OAuth2 setup',
    ],
    [
      'sigv4 for Amazon Managed Prometheus',
      {
        address: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
        query: 'up',
        authentication: { sigv4: { region: 'eu-west-1' } },
      },
      'prometheus sigv4 authentication (Amazon Managed Prometheus) is not supported by this controller',
    ],
  ];
  for (const [name, prometheus, message, env] of cases) {
    test(name, async () => {
      const provider = new PrometheusProvider({ env: env ?? {} });
      const m = await provider.run(metric(prometheus), ctx(successAbove().evaluate));
      assert.equal(m.phase, 'Error');
      assert.equal(m.message, message);
      assert.ok(m.startedAt && m.finishedAt);
    });
  }

  test('the address may come from ARGO_ROLLOUTS_PROMETHEUS_ADDRESS', async () => {
    const srv = await fake((_r, res) => sendJson(res, 200, VECTOR_OK));
    try {
      const provider = new PrometheusProvider({ env: { [PROMETHEUS_ADDRESS_ENV]: srv.url } });
      const m = await provider.run(metric({ query: 'up' }), ctx(successAbove().evaluate));
      assert.equal(m.phase, 'Successful', m.message);
      assert.equal(srv.requests.length, 1);
    } finally {
      await srv.close();
    }
  });

  test('resume and terminate return the measurement unchanged', async () => {
    const provider = new PrometheusProvider();
    const m = { phase: 'Running' as const };
    assert.equal(await provider.resume(metric({}), m), m);
    assert.equal(await provider.terminate(metric({}), m), m);
    assert.equal(provider.type(), 'prometheus');
  });
});
