// `npm run demo` end to end: the built entry point (dist/demo/run.js) as a child process, on free
// ports and a temporary data dir. First start (web provider): the rollout is Healthy behind the
// ALB Ingress; `kubectl argo rollouts set image` (through the plugin shim the demo writes, with the
// real kubectl) to a good tag gives a background AnalysisRun with successful measurements of real
// simulated traffic; a `bad` tag aborts the rollout (Degraded); SIGINT stops every child and exits
// 0. Second start on the same data dir (with Prometheus): the state is kept (same revision), the
// AnalysisTemplate now uses Prometheus and, after `undo` back to stable, a new good version
// measures successfully through it. Third start: a child killed from outside stops the demo with
// exit 1 and takes the other children down.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import { RawClient, resourcePath } from '../../../src/kube/raw-client.ts';
import { KUBECTL_132 } from '../../support/kubectl.ts';
import { requirePrometheusBinary } from '../../support/prometheus.ts';
import { eventually } from '../../support/target.ts';

const ROOT = join(import.meta.dirname, '../../..');
const ENTRY = join(ROOT, 'dist/demo/run.js');
const NS = 'default';

/**
 * A free port below the kernel's ephemeral range (32768–60999 here): the demo binds it some
 * seconds after this check, and a port the kernel hands out for bind(0) or an outgoing
 * connection in another test could be taken in between (seen once: the dashboard's EADDRINUSE).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

interface DemoRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Child pids printed in the logs section of the next steps. */
  pids: number[];
}

const running: ChildProcess[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'demo-test-'));
// A failed test leaves a demo running: SIGTERM lets it stop its children; SIGKILL if it hangs
// (its children still stop: they follow the demo through their IPC channel).
after(async () => {
  for (const c of running) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }
  rmSync(tmp, { recursive: true, force: true });
});

async function startDemo(args: string[]): Promise<DemoRun> {
  assert.ok(existsSync(ENTRY), `${ENTRY} is missing: run \`npm run build\` before this test`);
  const child = spawn(process.execPath, [ENTRY, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await eventually(
    () => {
      if (child.exitCode !== null)
        throw new Error(`demo exited early (${child.exitCode}):\n${out}`);
      return out.includes('Next steps');
    },
    'the demo to print its next steps',
    180_000,
    100,
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\noutput so far:\n${out}`);
  });
  const pids = [...out.matchAll(/^\s+\S+\s+pid (\d+)\s/gm)].map((m) => Number(m[1]));
  return { child, output: () => out, exited, pids };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopDemo(run: DemoRun): Promise<void> {
  run.child.kill('SIGINT');
  const code = await run.exited;
  assert.equal(code, 0, `the demo should exit 0 after SIGINT; output:\n${run.output()}`);
  assert.match(run.output(), /demo: stopped/);
  const left = run.pids.filter(alive);
  assert.deepEqual(left, [], 'every child process is gone after the demo exits');
}

function clientFor(kubeconfig: string): RawClient {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return new RawClient(kc, { qps: 0 });
}

const rolloutPath = resourcePath({
  group: 'argoproj.io',
  version: 'v1alpha1',
  resource: 'rollouts',
  namespace: NS,
  name: 'rollouts-demo',
});
const runsPath = resourcePath({
  group: 'argoproj.io',
  version: 'v1alpha1',
  resource: 'analysisruns',
  namespace: NS,
});

interface RolloutStatus {
  phase?: string;
  message?: string;
  abort?: boolean;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  canary?: { currentBackgroundAnalysisRunStatus?: { name: string } };
}

async function rollout(client: RawClient): Promise<KubeObject & { status?: RolloutStatus }> {
  return client.get(rolloutPath);
}

const imageOf = (ro: KubeObject): string =>
  (ro.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
    .containers[0]!.image;

interface Measurement {
  phase: string;
  value?: string;
}

/** The background run of the current revision, once it has measurements matching `ok`. */
async function backgroundRunWith(
  client: RawClient,
  ok: (ms: Measurement[], run: KubeObject) => boolean,
  what: string,
): Promise<KubeObject> {
  return eventually(
    async () => {
      const ro = await rollout(client);
      const name = ro.status?.canary?.currentBackgroundAnalysisRunStatus?.name;
      if (!name) return undefined;
      const run = await client.get(`${runsPath}/${name}`);
      const ms =
        (run.status as { metricResults?: { measurements?: Measurement[] }[] } | undefined)
          ?.metricResults?.[0]?.measurements ?? [];
      return ok(ms, run) ? run : undefined;
    },
    what,
    120_000,
    250,
  );
}

function plugin(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL_132, ['argo', 'rollouts', ...args], { env }, (err, stdout, stderr) => {
      if (err)
        reject(new Error(`kubectl argo rollouts ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test(
  'npm run demo: canary with ALB and analysis, Ctrl-C, restart keeps the state',
  { timeout: 600_000 },
  async () => {
    const dataDir = join(tmp, 'data');
    const kubeconfig = join(tmp, 'demo.kubeconfig');
    const ports = {
      sim: await freePort(),
      app: await freePort(),
      dashboard: await freePort(),
      metrics: await freePort(),
      healthz: await freePort(),
      prometheus: await freePort(),
    };
    const args = [
      `--data-dir=${dataDir}`,
      `--kubeconfig=${kubeconfig}`,
      `--sim-port=${ports.sim}`,
      `--app-port=${ports.app}`,
      `--dashboard-port=${ports.dashboard}`,
      `--controller-metrics-port=${ports.metrics}`,
      `--controller-healthz-port=${ports.healthz}`,
      `--prometheus-port=${ports.prometheus}`,
    ];

    // ---- first start: web provider ----
    const first = await startDemo([...args, '--prometheus=off']);
    const out = first.output();
    assert.match(out, /state in .*, new\)/);
    assert.match(
      out,
      new RegExp(`export KUBECONFIG=${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    assert.match(out, /kubectl argo rollouts get rollout rollouts-demo --watch/);
    assert.match(out, /set image rollouts-demo rollouts-demo=argoproj\/rollouts-demo:bad-red/);
    assert.match(out, /analysis {4}web provider/);
    assert.match(out, /To start over: rm -rf/);
    assert.ok(first.pids.length >= 3, `emulator, controller and dashboard pids printed:\n${out}`);
    for (const name of ['emulator', 'controller', 'dashboard'])
      assert.ok(existsSync(join(dataDir, 'logs', `${name}.log`)), `${name}.log in the data dir`);

    // The dashboard: served, or reported as not available in this build.
    const dash = /^ {2}dashboard {3}(\S+)/m.exec(out)?.[1];
    assert.ok(dash, `a dashboard line:\n${out}`);
    if (dash.startsWith('http')) {
      assert.equal(dash, `http://127.0.0.1:${ports.dashboard}/rollouts`);
      const res = await fetch(`${dash}/`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    } else {
      assert.match(out, /dashboard {3}not running: .*not available/);
    }

    const client = clientFor(kubeconfig);
    const healthy = await eventually(
      async () => {
        const ro = await rollout(client);
        return ro.status?.phase === 'Healthy' ? ro : undefined;
      },
      'rollout Healthy',
      60_000,
    );
    assert.equal(imageOf(healthy), 'argoproj/rollouts-demo:blue');
    const ingress = await eventually(
      async () => {
        const ing = await client.get(
          resourcePath({
            group: 'networking.k8s.io',
            version: 'v1',
            resource: 'ingresses',
            namespace: NS,
            name: 'rollouts-demo-ingress',
          }),
        );
        return ing.metadata.annotations?.['alb.ingress.kubernetes.io/actions.rollouts-demo-root']
          ? ing
          : undefined;
      },
      'the ALB action annotation',
      30_000,
    );
    assert.equal(
      ingress.metadata.annotations?.['alb.ingress.kubernetes.io/actions.rollouts-demo-root'],
      '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":0},{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":100}]}}',
    );

    // The printed instructions, literally: the plugin shim on PATH, the real kubectl.
    const shimDir = /export PATH=(\S+):\$PATH/.exec(out)?.[1];
    assert.ok(shimDir, 'the PATH line');
    const env = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      PATH: `${shimDir}${delimiter}${process.env.PATH ?? ''}`,
    };
    await plugin(
      ['set', 'image', 'rollouts-demo', 'rollouts-demo=argoproj/rollouts-demo:yellow'],
      env,
    );
    await backgroundRunWith(
      client,
      (ms) =>
        ms.filter(
          (m) =>
            m.phase === 'Successful' &&
            ((JSON.parse(m.value ?? '{}') as { requests?: number }).requests ?? 0) > 0,
        ).length >= 2,
      'two successful web measurements of yellow with traffic',
    );
    const paused = await rollout(client);
    assert.equal(paused.status?.phase, 'Paused');
    assert.equal(paused.status?.currentStepIndex, 1);

    // Traffic reaches the canary through the Ingress weights.
    const traffic = (await (await fetch(`http://127.0.0.1:${ports.app}/api/traffic`)).json()) as {
      targetGroups: { service: string; weight: number }[];
      lastWindow: { image: string; requests: number }[];
    };
    assert.deepEqual(traffic.targetGroups, [
      { service: 'rollouts-demo-canary', weight: 20 },
      { service: 'rollouts-demo-stable', weight: 80 },
    ]);
    assert.ok(traffic.lastWindow.some((w) => w.image.endsWith(':yellow') && w.requests > 0));

    await plugin(['promote', '--full', 'rollouts-demo'], env);
    await eventually(
      async () => {
        const ro = await rollout(client);
        return ro.status?.phase === 'Healthy' && ro.status.stableRS === ro.status.currentPodHash;
      },
      'yellow fully promoted',
      60_000,
    );

    // A bad version: the analysis fails and the rollout aborts.
    await plugin(
      ['set', 'image', 'rollouts-demo', 'rollouts-demo=argoproj/rollouts-demo:bad-red'],
      env,
    );
    const degraded = await eventually(
      async () => {
        const ro = await rollout(client);
        return ro.status?.phase === 'Degraded' ? ro : undefined;
      },
      'bad-red aborted',
      90_000,
      250,
    );
    assert.equal(degraded.status?.abort, true);
    assert.match(degraded.status?.message ?? '', /Background analysis phase error\/failed/);
    const revisionBefore = degraded.metadata.annotations?.['rollout.argoproj.io/revision'];
    const hashBefore = degraded.status?.currentPodHash;
    client.close();

    await stopDemo(first);

    // ---- second start on the same data dir: state kept, Prometheus provider ----
    const prometheus = requirePrometheusBinary();
    const second = await startDemo([...args, `--prometheus=${prometheus}`]);
    const out2 = second.output();
    assert.match(out2, /state in .*, kept\)/);
    assert.doesNotMatch(out2, /installed the CRDs/);
    assert.match(out2, /analysis {4}prometheus provider/);
    assert.ok(existsSync(join(dataDir, 'logs', 'prometheus.log')));
    const client2 = clientFor(kubeconfig);
    const kept = await rollout(client2);
    assert.equal(kept.metadata.annotations?.['rollout.argoproj.io/revision'], revisionBefore);
    assert.equal(kept.status?.currentPodHash, hashBefore);
    assert.equal(imageOf(kept), 'argoproj/rollouts-demo:bad-red');

    // The printed way back, then a new good version measured through Prometheus.
    await plugin(['undo', 'rollouts-demo'], env);
    await eventually(
      async () => {
        const ro = await rollout(client2);
        return (
          imageOf(ro) === 'argoproj/rollouts-demo:yellow' &&
          ro.status?.phase === 'Healthy' &&
          ro.status.canary?.currentBackgroundAnalysisRunStatus === undefined
        );
      },
      'undo back to the stable yellow',
      60_000,
    );
    await plugin(
      ['set', 'image', 'rollouts-demo', 'rollouts-demo=argoproj/rollouts-demo:green'],
      env,
    );
    await backgroundRunWith(
      client2,
      (ms, run) =>
        JSON.stringify(run.spec).includes(`127.0.0.1:${ports.prometheus}`) &&
        ms.some((m) => m.phase === 'Successful' && m.value === '[1]'),
      'a successful Prometheus measurement of green with traffic',
    );
    assert.equal(imageOf(await rollout(client2)), 'argoproj/rollouts-demo:green');
    client2.close();
    await stopDemo(second);

    // ---- third start: a child that dies stops the demo with a non-zero exit ----
    const third = await startDemo([...args, '--prometheus=off']);
    const controllerPid = Number(/controller +pid (\d+)/.exec(third.output())?.[1]);
    assert.ok(controllerPid > 0, `the controller pid:\n${third.output()}`);
    process.kill(controllerPid, 'SIGKILL');
    assert.equal(await third.exited, 1);
    assert.match(
      third.output(),
      new RegExp(`controller \\(pid ${controllerPid}\\) exited unexpectedly with signal SIGKILL`),
    );
    assert.deepEqual(third.pids.filter(alive), [], 'the other children are stopped too');

    // The children wrote their logs to the data dir, not to the terminal.
    assert.doesNotMatch(first.output() + second.output(), /caches synced/);
    assert.match(readFileSync(join(dataDir, 'logs', 'controller.log'), 'utf8'), /caches synced/);
  },
);
