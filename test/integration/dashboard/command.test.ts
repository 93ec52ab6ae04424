// `kubectl-argo-rollouts dashboard` as a user runs it: the built plugin as a child process
// prints the logrus startup line with its URL, serves the API, and exits 0 on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import { getJson } from './support.ts';

const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/kubectl-argo-rollouts.js');

let target: Target;
before(async () => {
  target = await openTarget();
});
after(async () => {
  await target?.close();
});

test('the built plugin serves the dashboard until SIGTERM', async () => {
  assert.ok(
    existsSync(join(ROOT, 'dist/plugin/dashboard/server.js')),
    'dist/ is missing the dashboard: run `npm run build` first',
  );
  const child = spawn(
    process.execPath,
    [BIN, 'dashboard', '-p', '0', '--kubeconfig', target.kubeconfigPath, '-n', 'default'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const m = await eventually(
      () =>
        /^time="[^"]+" level=info msg="Argo Rollouts Dashboard is now available at (http:\/\/localhost:(\d+)\/rollouts)"\n$/.exec(
          stderr,
        ),
      'the startup line',
      30_000,
    );
    const port = m[2]!;
    const r = await getJson(`http://127.0.0.1:${port}/rollouts/api/v1/version`);
    assert.equal(r.status, 200);
    assert.match(String(r.body.rolloutsVersion), /^v\d+\.\d+\.\d+\+/);
    const ns = await getJson(`http://127.0.0.1:${port}/rollouts/api/v1/namespace`);
    assert.equal(ns.body.namespace, 'default');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exit, 0, stderr);
  assert.equal(stdout, '');
});
