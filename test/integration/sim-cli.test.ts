// The emulator as a process: the CLI writes a kubeconfig client-node uses unchanged, keeps
// state in --data-dir across a SIGTERM and a restart, rejects bad flags with one line, and
// serves the /sim/v1 admin API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { eventually } from '../support/target.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_TS = fileURLToPath(new URL('../../sim/cli.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/rollouts-sim.js', import.meta.url));
const DIST_CLI = fileURLToPath(new URL('../../dist/sim/cli.js', import.meta.url));
const ROLLOUT_CRD = new URL(
  '../../../shared/fixtures/argo-rollouts/crds/rollout-crd.yaml',
  import.meta.url,
);
/** Guards against a hung child only; nothing asserts on how long startup takes. */
const START_GUARD_MS = 30_000;

const ROLLOUTS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' } as const;

interface Running {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** A port that was free a moment ago: listen on 0, note the port, close. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const address = srv.address();
  assert.ok(address && typeof address === 'object');
  await new Promise<void>((r) => srv.close(() => r()));
  return address.port;
}

function spawnCli(entry: string[], args: string[]): Running {
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      r({ code, signal });
    }),
  );
  return { child, url: '', stdout: () => out, stderr: () => err, exited };
}

/** Starts the CLI and resolves once it printed its "listening on <url>" line. */
async function startCli(entry: string[], args: string[]): Promise<Running> {
  const run = spawnCli(entry, args);
  const url = await new Promise<string>((resolve, reject) => {
    const guard = setTimeout(() => {
      reject(new Error(`no "listening" line; stdout: ${run.stdout()} stderr: ${run.stderr()}`));
    }, START_GUARD_MS);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(run.stdout());
      if (m) {
        clearTimeout(guard);
        resolve(m[1]!);
      }
    };
    run.child.stdout!.on('data', check);
    void run.exited.then(({ code, signal }) => {
      clearTimeout(guard);
      reject(new Error(`exited (${code ?? signal}) before listening: ${run.stderr()}`));
    });
  });
  return { ...run, url };
}

async function stopCli(run: Running): Promise<number | null> {
  run.child.kill('SIGTERM');
  const { code } = await run.exited;
  return code;
}

const TS_ENTRY = ['--import', 'tsx', CLI_TS];

function clients(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    core: kc.makeApiClient(CoreV1Api),
    ext: kc.makeApiClient(ApiextensionsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

function rollout(name: string) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
      },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
    },
  };
}

interface Meta {
  metadata: { uid?: string; resourceVersion?: string; name?: string };
}

let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rollouts-sim-cli-'));
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('rollouts-sim CLI', () => {
  test('serves client-node from its kubeconfig and keeps state in --data-dir across SIGTERM and restart', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmp, 'persist-'));
    const kubeconfig = join(dir, 'kc');
    const dataDir = join(dir, 'data');
    const args = ['--port', String(port), '--kubeconfig', kubeconfig, '--data-dir', dataDir];

    const first = await startCli(TS_ENTRY, args);
    assert.equal(first.url, `http://127.0.0.1:${port}`);
    assert.ok(existsSync(kubeconfig), 'kubeconfig written');
    let api = clients(kubeconfig);

    const cm = await api.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'settings' }, data: { color: 'blue' } },
    });
    const crdBody = yaml.load(readFileSync(ROLLOUT_CRD, 'utf8')) as V1CustomResourceDefinition;
    const crd = await api.ext.createCustomResourceDefinition({ body: crdBody });
    assert.equal(crd.metadata?.name, 'rollouts.argoproj.io');
    await eventually(async () => {
      const c = await api.ext.readCustomResourceDefinition({ name: 'rollouts.argoproj.io' });
      return c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    }, 'CRD established');
    // The CRD's endpoint may take a moment to be served after it is established.
    const ro = await eventually<Meta>(
      () =>
        api.custom.createNamespacedCustomObject({
          ...ROLLOUTS,
          namespace: 'default',
          body: rollout('demo'),
        }) as Promise<Meta>,
      'Rollout created',
    );
    assert.ok(ro.metadata.uid);
    const before = {
      cm: { uid: cm.metadata!.uid!, rv: cm.metadata!.resourceVersion! },
      crd: { uid: crd.metadata.uid!, rv: crd.metadata.resourceVersion! },
      ro: { uid: ro.metadata.uid, rv: ro.metadata.resourceVersion! },
    };

    assert.equal(await stopCli(first), 0, `SIGTERM exits 0; stderr: ${first.stderr()}`);
    assert.match(first.stdout(), /SIGTERM, stopping/);

    // Flushed on the way out: the snapshot holds all three objects.
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as {
      objects: { storage: string; object: Meta }[];
    };
    const uids = new Set(state.objects.map((o) => o.object.metadata.uid));
    for (const { uid } of Object.values(before)) assert.ok(uids.has(uid), `${uid} persisted`);

    const second = await startCli(TS_ENTRY, args);
    try {
      api = clients(kubeconfig);
      const cm2 = await api.core.readNamespacedConfigMap({
        namespace: 'default',
        name: 'settings',
      });
      assert.equal(cm2.metadata?.uid, before.cm.uid);
      assert.equal(cm2.metadata?.resourceVersion, before.cm.rv);
      assert.deepEqual(cm2.data, { color: 'blue' });
      const crd2 = await api.ext.readCustomResourceDefinition({ name: 'rollouts.argoproj.io' });
      assert.equal(crd2.metadata?.uid, before.crd.uid);
      // The CRD is served again: its objects are readable and listable at their endpoint.
      const ro2 = (await api.custom.getNamespacedCustomObject({
        ...ROLLOUTS,
        namespace: 'default',
        name: 'demo',
      })) as Meta & { spec?: { replicas?: number } };
      assert.equal(ro2.metadata.uid, before.ro.uid);
      assert.equal(ro2.metadata.resourceVersion, before.ro.rv);
      assert.equal(ro2.spec?.replicas, 2);
      const list = (await api.custom.listNamespacedCustomObject({
        ...ROLLOUTS,
        namespace: 'default',
      })) as { items: Meta[] };
      assert.deepEqual(
        list.items.map((i) => i.metadata.name),
        ['demo'],
      );

      // New writes continue the resourceVersion sequence past everything stored before.
      const oldMax = Math.max(...Object.values(before).map((b) => Number(b.rv)));
      const cm3 = await api.core.replaceNamespacedConfigMap({
        namespace: 'default',
        name: 'settings',
        body: { ...cm2, data: { color: 'green' } },
      });
      assert.ok(Number(cm3.metadata!.resourceVersion) > oldMax, 'updated rv is larger');
      const ro3 = (await api.custom.createNamespacedCustomObject({
        ...ROLLOUTS,
        namespace: 'default',
        body: rollout('second'),
      })) as Meta;
      assert.ok(Number(ro3.metadata.resourceVersion) > Number(cm3.metadata!.resourceVersion));
      assert.notEqual(ro3.metadata.uid, before.ro.uid);
    } finally {
      assert.equal(await stopCli(second), 0);
    }
  });

  for (const bad of ['abc', '', '65536']) {
    test(`an invalid --port ${JSON.stringify(bad)} exits non-zero with a one-line message`, async () => {
      const dir = mkdtempSync(join(tmp, 'badport-'));
      const run = spawnCli(TS_ENTRY, [`--port=${bad}`, '--kubeconfig', join(dir, 'kc')]);
      // Should it start serving instead, stop it so the assertions below report that.
      run.child.stdout!.on('data', () => {
        if (run.stdout().includes('listening')) run.child.kill('SIGKILL');
      });
      const { code } = await run.exited;
      assert.doesNotMatch(run.stdout(), /listening/);
      assert.notEqual(code, 0);
      assert.notEqual(code, null);
      const lines = run.stderr().trim().split('\n');
      assert.equal(lines.length, 1, run.stderr());
      assert.match(lines[0]!, /--port/);
      assert.ok(lines[0]!.includes(`"${bad}"`), lines[0]);
      assert.equal(run.stdout(), '');
      assert.ok(!existsSync(join(dir, 'kc')), 'no kubeconfig written');
    });
  }

  test('the admin API sets image behaviour over HTTP and reports it in /sim/v1/info', async () => {
    const dir = mkdtempSync(join(tmp, 'admin-'));
    const kubeconfig = join(dir, 'kc');
    const port = await freePort();
    const run = await startCli(TS_ENTRY, [
      '--port',
      String(port),
      '--kubeconfig',
      kubeconfig,
      '--pod-ready-delay',
      '20',
    ]);
    try {
      const put = await fetch(`${run.url}/sim/v1/kubelet`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ images: { 'nginx:bad': 'unready' } }),
      });
      assert.equal(put.status, 200);
      assert.deepEqual(await put.json(), { ok: true, images: { 'nginx:bad': 'unready' } });

      const info = await fetch(`${run.url}/sim/v1/info`);
      assert.equal(info.status, 200);
      assert.match(info.headers.get('content-type') ?? '', /application\/json/);
      const body = (await info.json()) as {
        resourceVersion: number;
        kubelet: { readyDelayMs: number; images: Record<string, string> };
        faults: Record<string, unknown>;
      };
      assert.deepEqual(body.kubelet.images, { 'nginx:bad': 'unready' });
      assert.equal(body.kubelet.readyDelayMs, 20);
      assert.equal(typeof body.resourceVersion, 'number');
      assert.ok(body.faults);

      const bad = await fetch(`${run.url}/sim/v1/kubelet`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ images: { 'nginx:bad': 'sometimes' } }),
      });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();

      // The behaviour applies to pods: a pod of nginx:bad runs but never becomes Ready.
      const { core } = clients(kubeconfig);
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'bad' },
          spec: { containers: [{ name: 'web', image: 'nginx:bad' }] },
        },
      });
      const pod = await eventually(async () => {
        const p = await core.readNamespacedPod({ namespace: 'default', name: 'bad' });
        return p.status?.phase === 'Running' ? p : undefined;
      }, 'pod running');
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False');

      const missing = await fetch(`${run.url}/sim/v1/nope`);
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
    } finally {
      assert.equal(await stopCli(run), 0);
    }
  });

  test('bin/rollouts-sim.js runs the compiled CLI', async (t) => {
    if (!existsSync(DIST_CLI)) {
      // `npm install` builds dist/ through the prepare script, so CI must have it.
      assert.notEqual(process.env.CI, 'true', `${DIST_CLI} is missing under CI=true`);
      t.skip('dist/sim/cli.js is not built (run `npm run build`)');
      return;
    }
    const dir = mkdtempSync(join(tmp, 'bin-'));
    const kubeconfig = join(dir, 'kc');
    const port = await freePort();
    const run = await startCli([BIN], ['--port', String(port), '--kubeconfig', kubeconfig]);
    try {
      assert.equal(run.url, `http://127.0.0.1:${port}`);
      const { core } = clients(kubeconfig);
      const ns = await core.readNamespace({ name: 'default' });
      assert.equal(ns.status?.phase, 'Active');
    } finally {
      assert.equal(await stopCli(run), 0);
    }
  });
});
