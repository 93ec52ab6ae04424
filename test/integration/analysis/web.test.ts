// The Web provider against local node:http/https servers: JSONPath selection and Go-style
// value encoding, non-JSON bodies, non-2xx answers, timeouts, request bodies and headers,
// OAuth2 client credentials, TLS verification.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  measurementResult,
  type ConditionEvaluator,
  type Metric,
  type ProviderContext,
  type WebMetric,
} from '../../../src/analysis/providers/provider.ts';
import { goJsonMarshal, WebProvider } from '../../../src/analysis/providers/web.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
const BODY = {
  data: { ok: true, num: 1.2, mapfield: { foo: 'bar' }, bool: true, str: '1', html: '<a&b>' },
  items: [
    { name: 'a', n: 1 },
    { name: 'b', n: 2 },
  ],
  'a.b': { c: 5 },
  nothing: null,
};

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const path = (req.url ?? '').split('?')[0];
    switch (path) {
      case '/json':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(BODY));
        return;
      case '/text':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('all good');
        return;
      case '/empty':
        res.writeHead(204);
        res.end();
        return;
      case '/number':
        res.end('42');
        return;
      case '/echo':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
        return;
      case '/status/500':
        res.writeHead(500);
        res.end('{"error":"boom"}');
        return;
      case '/status/404':
        res.writeHead(404);
        res.end();
        return;
      case '/slow':
        // Never answers within the test's timeout; the socket is destroyed on close.
        return;
      case '/token': {
        const form = new URLSearchParams(body);
        const basic = req.headers.authorization?.replace(/^Basic /, '');
        const [id, secret] = basic
          ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
          : [form.get('client_id'), form.get('client_secret')];
        if (
          id === 'client' &&
          secret === 's3cret' &&
          form.get('grant_type') === 'client_credentials'
        ) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({ access_token: 'tok-123', token_type: 'bearer', expires_in: 60 }),
          );
        } else {
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end('{"error":"invalid_client"}');
        }
        return;
      }
      case '/protected':
        if (req.headers.authorization === 'Bearer tok-123') {
          res.end('{"ok":true}');
        } else {
          res.writeHead(401);
          res.end();
        }
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
}

let server: http.Server;
let tlsServer: https.Server;
let base = '';
let tlsBase = '';
let certDir = '';
const provider = new WebProvider();

async function listen(s: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return (s.address() as AddressInfo).port;
}

before(async () => {
  server = http.createServer(handler);
  base = `http://127.0.0.1:${await listen(server)}`;
  certDir = mkdtempSync(join(tmpdir(), 'web-provider-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  tlsServer = https.createServer(
    {
      key: readFileSync(join(certDir, 'key.pem')),
      cert: readFileSync(join(certDir, 'cert.pem')),
    },
    handler,
  );
  tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
});

after(async () => {
  for (const s of [server, tlsServer]) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  rmSync(certDir, { recursive: true, force: true });
});

/** Records what the conditions saw; the outcome is chosen by the test. */
function recorder(phase: 'Successful' | 'Failed' | 'Inconclusive' = 'Successful') {
  const results: unknown[] = [];
  const evaluate: ConditionEvaluator = (result) => {
    results.push(result);
    return { phase };
  };
  return { results, evaluate };
}

function metric(web: Partial<WebMetric>, extra: Partial<Metric> = {}): Metric {
  return { name: 'web', ...extra, provider: { web: { url: `${base}/json`, ...web } } };
}

const ctx = (evaluate: ConditionEvaluator): ProviderContext => ({
  run: { metadata: { name: 'run', namespace: 'default', uid: 'uid-1' } },
  evaluate,
});

describe('web provider: JSON responses', () => {
  test('{$.data.ok} selects one value; the result is handed to the conditions', async () => {
    const r = recorder();
    const m = await provider.run(metric({ jsonPath: '{$.data.ok}' }), ctx(r.evaluate));
    assert.equal(m.phase, 'Successful');
    assert.equal(m.value, 'true');
    assert.deepEqual(r.results, [true]);
    assert.equal(measurementResult(m), true);
    assert.ok(m.startedAt && m.finishedAt);
    assert.equal(m.message, undefined);
  });

  test('objects are re-encoded with sorted keys and Go escaping', async () => {
    const r = recorder();
    const m = await provider.run(metric({ jsonPath: '{$.data}' }), ctx(r.evaluate));
    assert.equal(
      m.value,
      '{"bool":true,"html":"\\u003ca\\u0026b\\u003e","mapfield":{"foo":"bar"},"num":1.2,"ok":true,"str":"1"}',
    );
    assert.deepEqual(r.results[0], BODY.data);
  });

  test('value shapes: string, number, null', async () => {
    const cases: [string, string, unknown][] = [
      ['{$.data.str}', '"1"', '1'],
      ['{$.data.num}', '1.2', 1.2],
      ['{.nothing}', 'null', null],
      ['{.items[-1].name}', '"b"', 'b'],
      ['{.items[*].name}', '"a"', 'a'],
      ['{.items[?(@.n == 2)].name}', '"b"', 'b'],
      ["{$['a.b'].c}", '5', 5],
      ['{..c}', '5', 5],
    ];
    for (const [jsonPath, value, result] of cases) {
      const r = recorder();
      const m = await provider.run(metric({ jsonPath }), ctx(r.evaluate));
      assert.equal(m.phase, 'Successful', `${jsonPath}: ${m.message ?? ''}`);
      assert.equal(m.value, value, jsonPath);
      assert.deepEqual(r.results[0], result, jsonPath);
    }
  });

  test('default jsonPath {$} is the whole document', async () => {
    const m = await provider.run(metric({}), ctx(recorder().evaluate));
    assert.equal(m.value, goJsonMarshal(BODY));
    assert.ok(m.value?.startsWith('{"a.b":{"c":5},"data":'));
  });

  test('a JSON number body', async () => {
    const r = recorder();
    const m = await provider.run(
      metric({ url: `${base}/number`, jsonPath: '{$}' }),
      ctx(r.evaluate),
    );
    assert.equal(m.value, '42');
    assert.deepEqual(r.results, [42]);
  });

  test('missing key → Error "Could not find JSONPath in body"', async () => {
    const r = recorder();
    const m = await provider.run(metric({ jsonPath: '{$.data.nope}' }), ctx(r.evaluate));
    assert.equal(m.phase, 'Error');
    assert.equal(m.message, 'Could not find JSONPath in body: nope is not found');
    assert.equal(m.value, undefined);
    assert.ok(m.finishedAt);
    assert.deepEqual(r.results, [], 'conditions are not evaluated');
  });

  test('index out of range → Error; a path with no values → Error', async () => {
    const oob = await provider.run(metric({ jsonPath: '{.items[5]}' }), ctx(recorder().evaluate));
    assert.equal(oob.phase, 'Error');
    assert.equal(
      oob.message,
      'Could not find JSONPath in body: array index out of bounds: index 5, length 2',
    );
    const none = await provider.run(
      metric({ jsonPath: '{.items[?(@.n > 5)]}' }),
      ctx(recorder().evaluate),
    );
    assert.equal(none.phase, 'Error');
    assert.equal(none.message, 'result of web metric produced no value');
  });

  test('an unparsable jsonPath is a provider error', async () => {
    const m = await provider.run(metric({ jsonPath: '{.data' }), ctx(recorder().evaluate));
    assert.equal(m.phase, 'Error');
    assert.equal(m.message, 'unclosed action');
  });

  test('the evaluator decides the phase; an evaluation error drops the value', async () => {
    const failed = await provider.run(
      metric({ jsonPath: '{$.data.ok}' }, { successCondition: 'result == false' }),
      ctx(recorder('Failed').evaluate),
    );
    assert.equal(failed.phase, 'Failed');
    assert.equal(failed.value, 'true');
    const errored = await provider.run(metric({ jsonPath: '{$.data.ok}' }), {
      ...ctx(() => ({ phase: 'Error', message: 'could not evaluate successCondition "x": boom' })),
    });
    assert.equal(errored.phase, 'Error');
    assert.equal(errored.message, 'could not evaluate successCondition "x": boom');
    assert.equal(errored.value, undefined);
  });
});

describe('web provider: non-JSON bodies and HTTP failures', () => {
  test('a text body is the result as is (jsonPath ignored)', async () => {
    const r = recorder();
    const m = await provider.run(
      metric({ url: `${base}/text`, jsonPath: '{$.data.ok}' }),
      ctx(r.evaluate),
    );
    assert.equal(m.phase, 'Successful');
    assert.equal(m.value, 'all good');
    assert.deepEqual(r.results, ['all good']);
  });

  test('an empty body gives an empty value', async () => {
    const r = recorder();
    const m = await provider.run(metric({ url: `${base}/empty` }), ctx(r.evaluate));
    assert.equal(m.phase, 'Successful');
    assert.equal(m.value, '');
    assert.deepEqual(r.results, ['']);
  });

  test('non-2xx → Error "received non 2xx response code"', async () => {
    for (const code of [500, 404]) {
      const m = await provider.run(
        metric({ url: `${base}/status/${code}` }),
        ctx(recorder().evaluate),
      );
      assert.equal(m.phase, 'Error');
      assert.equal(m.message, `received non 2xx response code: ${code}`);
      assert.ok(m.finishedAt);
    }
  });

  test('timeoutSeconds bounds the whole request', async () => {
    const url = `${base}/slow`;
    const m = await provider.run(metric({ url, timeoutSeconds: 1 }), ctx(recorder().evaluate));
    assert.equal(m.phase, 'Error');
    assert.equal(
      m.message,
      `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    );
  });

  test('connection refused and unsupported schemes keep Go-style texts', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/x`;
    const refused = await provider.run(metric({ url }), ctx(recorder().evaluate));
    assert.equal(refused.phase, 'Error');
    assert.equal(
      refused.message,
      `Get "${url}": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    const ftp = await provider.run(
      metric({ url: 'ftp://example.com/x' }),
      ctx(recorder().evaluate),
    );
    assert.equal(ftp.message, 'Get "ftp://example.com/x": unsupported protocol scheme "ftp"');
  });
});

describe('web provider: requests', () => {
  test('headers are sent (last one wins); values never appear in messages', async () => {
    const m = await provider.run(
      metric({
        url: `${base}/echo`,
        jsonPath: '{$.headers}',
        headers: [
          { key: 'X-Api-Key', value: 'first' },
          { key: 'x-api-key', value: 'super-secret' },
          { key: 'Authorization', value: 'Bearer abc' },
        ],
      }),
      ctx(recorder().evaluate),
    );
    assert.equal(m.phase, 'Successful');
    const headers = JSON.parse(m.value ?? '{}') as Record<string, string>;
    assert.equal(headers['x-api-key'], 'super-secret');
    assert.equal(headers.authorization, 'Bearer abc');
    assert.equal(headers.accept, undefined, 'no Accept header unless asked for');

    const failing = await provider.run(
      metric({
        url: `${base}/status/500`,
        headers: [{ key: 'X-Api-Key', value: 'super-secret' }],
      }),
      ctx(recorder().evaluate),
    );
    assert.ok(!JSON.stringify(failing).includes('super-secret'));
  });

  test('jsonBody is sent compact as application/json with the method', async () => {
    const r = recorder();
    const m = await provider.run(
      metric({
        url: `${base}/echo`,
        method: 'POST',
        jsonBody: { z: 1, a: { b: '<x>' } },
        headers: [{ key: 'Content-Type', value: 'text/plain' }],
      }),
      ctx(r.evaluate),
    );
    assert.equal(m.phase, 'Successful', m.message);
    const echo = r.results[0] as { method: string; headers: Record<string, string>; body: string };
    assert.equal(echo.method, 'POST');
    assert.equal(echo.headers['content-type'], 'application/json');
    assert.equal(echo.body, '{"z":1,"a":{"b":"\\u003cx\\u003e"}}');
  });

  test('a raw body with PUT', async () => {
    const r = recorder();
    await provider.run(
      metric({ url: `${base}/echo`, method: 'PUT', body: 'raw=1' }),
      ctx(r.evaluate),
    );
    const echo = r.results[0] as { method: string; body: string };
    assert.equal(echo.method, 'PUT');
    assert.equal(echo.body, 'raw=1');
  });

  test('body rules: GET with a body, body and jsonBody together', async () => {
    const get = await provider.run(metric({ body: 'x' }), ctx(recorder().evaluate));
    assert.equal(get.phase, 'Error');
    assert.equal(
      get.message,
      'Body/JSONBody can only be used with POST or PUT WebMetric Method types',
    );
    const both = await provider.run(
      metric({ method: 'POST', body: 'x', jsonBody: { a: 1 } }),
      ctx(recorder().evaluate),
    );
    assert.equal(
      both.message,
      'use either Body or JSONBody; both cannot exists for WebMetric payload',
    );
  });

  test('OAuth2 client credentials: token fetched and sent as Bearer', async () => {
    const m = await provider.run(
      metric({
        url: `${base}/protected`,
        jsonPath: '{$.ok}',
        authentication: {
          oauth2: { tokenUrl: `${base}/token`, clientId: 'client', clientSecret: 's3cret' },
        },
      }),
      ctx(recorder().evaluate),
    );
    assert.equal(m.phase, 'Successful', m.message);
    assert.equal(m.value, 'true');
  });

  test('OAuth2 failures: bad credentials, missing parameters', async () => {
    const bad = await provider.run(
      metric({
        url: `${base}/protected`,
        authentication: {
          oauth2: { tokenUrl: `${base}/token`, clientId: 'client', clientSecret: 'wrong' },
        },
      }),
      ctx(recorder().evaluate),
    );
    assert.equal(bad.phase, 'Error');
    assert.match(bad.message ?? '', /oauth2: cannot fetch token: 401 Unauthorized/);
    assert.ok(!(bad.message ?? '').includes('wrong'), 'the secret is not in the message');
    const missing = await provider.run(
      metric({ authentication: { oauth2: { tokenUrl: `${base}/token`, clientId: 'client' } } }),
      ctx(recorder().evaluate),
    );
    assert.equal(missing.message, 'missing mandatory parameter in metric for OAuth2 setup');
  });
});

describe('web provider: TLS', () => {
  test('a self-signed certificate fails unless insecure', async () => {
    const url = `${tlsBase}/json`;
    const strict = await provider.run(
      metric({ url, jsonPath: '{$.data.ok}' }),
      ctx(recorder().evaluate),
    );
    assert.equal(strict.phase, 'Error');
    assert.match(
      strict.message ?? '',
      /^Get "https:\/\/127\.0\.0\.1:\d+\/json": tls: failed to verify certificate/,
    );
    const insecure = await provider.run(
      metric({ url, jsonPath: '{$.data.ok}', insecure: true }),
      ctx(recorder().evaluate),
    );
    assert.equal(insecure.phase, 'Successful', insecure.message);
    assert.equal(insecure.value, 'true');
  });
});

describe('web provider: sync contract', () => {
  test('resume and terminate return the measurement unchanged; no metadata', async () => {
    const m = { phase: 'Running' as const, startedAt: '2024-01-01T00:00:00Z' };
    assert.equal(await provider.resume(metric({}), m), m);
    assert.equal(await provider.terminate(metric({}), m), m);
    assert.equal(provider.getMetadata(), undefined);
    assert.equal(provider.type(), 'web');
  });
});
