// The dashboard server's HTTP side (cli-dashboard-ops §3.1): the static rules with a temporary
// UI directory, other root paths, the page shown when the UI is not built, the loopback bind
// address, and the busy-port retries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard, type Dashboard } from '../../../plugin/dashboard/server.ts';
import { loadKube, type Kube } from '../../../plugin/kube.ts';
import { openTarget, type Target } from '../../support/target.ts';
import { rawGet } from './support.ts';

const INDEX =
  '<!doctype html><html><head><base href="/" /><title>UI</title></head><body></body></html>';
const APP_JS = 'console.log("app");\n';

describe('dashboard server: static files, root path, bind address, port', () => {
  let target: Target;
  let kube: Kube;
  let uiDir: string;
  let dash: Dashboard;
  let base: string;
  const extra: Dashboard[] = [];

  before(async () => {
    target = await openTarget();
    kube = await loadKube(
      { kubeconfig: target.kubeconfigPath, namespace: 'default' },
      { full: true },
    );
    uiDir = mkdtempSync(join(tmpdir(), 'dash-ui-'));
    mkdirSync(join(uiDir, 'assets'));
    writeFileSync(join(uiDir, 'index.html'), INDEX);
    writeFileSync(join(uiDir, 'assets', 'app.js'), APP_JS);
    writeFileSync(join(uiDir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(uiDir, 'assets', 'NOTICE'), 'notice');
    dash = await startDashboard({ kube, port: 0, uiDir });
    base = `http://127.0.0.1:${dash.port}`;
  });

  after(async () => {
    for (const d of extra) await d.close();
    await dash?.close();
    await target?.close();
    rmSync(uiDir, { recursive: true, force: true });
  });

  test('/ redirects to /rollouts/ (302)', async () => {
    const r = await rawGet(`${base}/`);
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, '/rollouts/');
  });

  test('/rollouts and /rollouts/ serve index.html with <base href="/rollouts/" />', async () => {
    for (const path of ['/rollouts', '/rollouts/', '/rollouts/index.html']) {
      const r = await rawGet(`${base}${path}`);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.body, INDEX.replace('<base href="/" />', '<base href="/rollouts/" />'));
      assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    }
  });

  test('client-side routes and missing files fall back to index.html (200)', async () => {
    for (const path of ['/rollouts/rollout/ns/web', '/rollouts/missing.js', '/rollouts/assets']) {
      const r = await rawGet(`${base}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.body, /<base href="\/rollouts\/" \/>/, path);
    }
  });

  test('files by extension, with Content-Length; unknown extensions are text/plain', async () => {
    const js = await rawGet(`${base}/rollouts/assets/app.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.body, APP_JS);
    assert.equal(js.headers['content-length'], String(Buffer.byteLength(APP_JS)));
    const svg = await rawGet(`${base}/rollouts/assets/logo.svg`);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    const notice = await rawGet(`${base}/rollouts/assets/NOTICE`);
    assert.equal(notice.headers['content-type'], 'text/plain');
  });

  test('`..` and paths outside the root are 404', async () => {
    for (const path of [
      '/rollouts/../package.json',
      '/rollouts/assets/%2e%2e/%2e%2e/package.json',
      '/other',
      '/rolloutsX/app.js',
    ]) {
      const r = await rawGet(`${base}${path}`);
      assert.equal(r.status, 404, path);
    }
  });

  test('the API is under /<root>/api/; other /api paths are static', async () => {
    const api = await rawGet(`${base}/rollouts/api/v1/version`);
    assert.equal(api.status, 200);
    assert.match(api.body, /"rolloutsVersion"/);
    const outside = await rawGet(`${base}/api/v1/version`);
    assert.equal(outside.status, 404);
  });

  test('an empty root path serves the UI and the API at /', async () => {
    const d = await startDashboard({ kube, port: 0, uiDir, rootPath: '' });
    extra.push(d);
    assert.equal(d.url, `http://localhost:${d.port}/`);
    const b = `http://127.0.0.1:${d.port}`;
    const index = await rawGet(`${b}/`);
    assert.equal(index.status, 200);
    assert.match(index.body, /<base href="\/" \/>/);
    const api = await rawGet(`${b}/api/v1/version`);
    assert.equal(api.status, 200);
    const deep = await rawGet(`${b}/rollout/ns/web`);
    assert.equal(deep.status, 200);
  });

  test('a nested root path', async () => {
    const d = await startDashboard({ kube, port: 0, uiDir, rootPath: '/tools/rollouts/' });
    extra.push(d);
    const b = `http://127.0.0.1:${d.port}`;
    assert.equal((await rawGet(`${b}/`)).headers.location, '/tools/rollouts/');
    const index = await rawGet(`${b}/tools/rollouts/`);
    assert.match(index.body, /<base href="\/tools\/rollouts\/" \/>/);
    const api = await rawGet(`${b}/tools/rollouts/api/v1/namespace`);
    assert.equal(api.status, 200);
    assert.deepEqual(JSON.parse(api.body), { namespace: 'default' });
  });

  test('without a built UI, a page says how to build it', async () => {
    const d = await startDashboard({ kube, port: 0, uiDir: join(uiDir, 'does-not-exist') });
    extra.push(d);
    const r = await rawGet(`http://127.0.0.1:${d.port}/rollouts/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(r.body, /not built/);
    assert.match(r.body, /npm run build/);
  });

  test('binds 127.0.0.1 by default, not every interface', async () => {
    assert.equal(dash.host, '127.0.0.1');
    assert.equal(dash.url, `http://localhost:${dash.port}/rollouts`);
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (other) {
      // Reachable on loopback only: another local address refuses the connection.
      const refused = await new Promise<string>((resolve) => {
        const s = net.connect({ host: other, port: dash.port });
        s.on('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      assert.equal(refused, 'ECONNREFUSED');
    }
    const d = await startDashboard({ kube, port: 0, uiDir, host: '0.0.0.0' });
    extra.push(d);
    assert.equal(d.host, '0.0.0.0');
    assert.equal((await rawGet(`http://127.0.0.1:${d.port}/rollouts/`)).status, 200);
  });

  test('a busy port is retried, then the bind fails after 5 attempts', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const retries: number[] = [];
    await assert.rejects(
      startDashboard({ kube, port, uiDir, onListenRetry: (_e, n) => retries.push(n) }),
      (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE',
    );
    assert.deepEqual(retries, [1, 2, 3, 4]);

    // Freed during the retries: the next attempt binds it.
    const d = await startDashboard({
      kube,
      port,
      uiDir,
      onListenRetry: () => blocker.close(),
    });
    extra.push(d);
    assert.equal(d.port, port);
    assert.equal((await rawGet(`http://127.0.0.1:${port}/rollouts/`)).status, 200);
  });
});
