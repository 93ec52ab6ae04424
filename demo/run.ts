// `npm run demo`: the emulator, the controller, the dashboard and the demo application (a canary
// Rollout behind an ALB Ingress with a background analysis) in one command, until Ctrl-C.
//
//   start:  emulator (node bin/rollouts-sim.js, state in <dataDir>)
//           → first start only: CRDs and the application (install.ts)
//           → the demo application's metrics server and simulated traffic (in this process)
//           → Prometheus, when installed (prometheus.ts)
//           → the AnalysisTemplate for this run (web provider, or Prometheus)
//           → controller (node bin/rollouts-controller.js)
//           → dashboard (node bin/kubectl-argo-rollouts.js dashboard)
//           → next steps (next-steps.ts)
//   stop:   SIGINT/SIGTERM → dashboard, controller, Prometheus, traffic, emulator last (it saves
//           its state) → exit 0. A child that dies by itself is reported with the end of its log
//           and stops the demo with exit 1. Children log to <dataDir>/logs/<name>.log.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { RawClient } from '../src/kube/raw-client.ts';
import {
  analysisTemplate,
  ensureAnalysisTemplate,
  INGRESS,
  installDemo,
  isInstalled,
  NAMESPACE,
  ROOT_SERVICE,
  rolloutSummary,
  type AnalysisWiring,
} from './install.ts';
import { DemoMetrics, startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { nextSteps } from './next-steps.ts';
import { parseDemoOptions, PORT_FLAGS, type DemoOptions } from './options.ts';
import { packagePaths, type PackagePaths } from './paths.ts';
import { writePluginShim } from './plugin-shim.ts';
import { busyPorts, type PortNeed } from './ports.ts';
import {
  describeExit,
  Supervisor,
  type ChildSpec,
  type DemoChild,
  type ExitInfo,
} from './processes.ts';
import { findPrometheus, prometheusSpec } from './prometheus.ts';
import { TrafficGenerator } from './traffic.ts';
import { Cancelled, waitFor, waitForHttp } from './wait.ts';

const TICK_MS = 1000;
const REQUESTS_PER_TICK = 100;
const DASHBOARD_ROOT = 'rollouts';

const say = (line: string): void => {
  process.stdout.write(`demo: ${line}\n`);
};
const warn = (line: string): void => {
  process.stderr.write(`demo: ${line}\n`);
};

class Demo {
  private readonly sup = new Supervisor();
  private stopping = false;
  private shutdownStarted = false;
  private traffic: TrafficGenerator | undefined;
  private metricsServer: MetricsServer | undefined;
  private client: RawClient | undefined;
  private dashboard: DemoChild | undefined;
  private dashboardNote: string | undefined;
  private readonly logsDir: string;
  private readonly stopOrder = ['dashboard', 'controller', 'prometheus'];

  constructor(
    private readonly o: DemoOptions,
    private readonly paths: PackagePaths,
  ) {
    this.logsDir = join(o.dataDir, 'logs');
  }

  private log(name: string): string {
    return join(this.logsDir, `${name}.log`);
  }

  private readonly cancelled = (): boolean => this.stopping;

  get isStopping(): boolean {
    return this.stopping;
  }

  private start(spec: Omit<ChildSpec, 'logFile' | 'cwd'>): DemoChild {
    return this.sup.start({ ...spec, cwd: this.paths.root, logFile: this.log(spec.name) }, (c, e) =>
      this.onUnexpectedExit(c, e),
    );
  }

  private onUnexpectedExit(child: DemoChild, exit: ExitInfo): void {
    if (this.stopping) return;
    if (child === this.dashboard) {
      const log = child.logTail(20);
      if (/not available/i.test(log)) {
        const line =
          log
            .split('\n')
            .reverse()
            .find((l) => /not available/i.test(l)) ?? '';
        this.dashboardNote = `this build has no dashboard yet (${line.replace(/^Error:\s*/, '').trim()})`;
        warn(`dashboard: ${this.dashboardNote}; everything else keeps running`);
        return;
      }
    }
    warn(
      `${child.name} (pid ${child.pid}) exited unexpectedly with ${describeExit(exit)}; its log ${child.spec.logFile} ends with:`,
    );
    const tail = child.logTail();
    if (tail) process.stderr.write(tail.replace(/^/gm, '  | ') + '\n');
    void this.shutdown(1);
  }

  async run(): Promise<void> {
    const o = this.o;
    mkdirSync(this.logsDir, { recursive: true });
    const prometheusBin = findPrometheus(o.prometheus, this.paths.toolsPrometheus);

    const needs: PortNeed[] = PORT_FLAGS.filter(
      (p) => p.key !== 'prometheusPort' || prometheusBin !== undefined,
    ).map((p) => ({ port: o[p.key], what: p.what, flag: `--${p.flag}` }));
    const busy = await busyPorts(needs);
    if (busy.length > 0) {
      throw new Error(
        'ports in use on 127.0.0.1 (another demo running?):\n' +
          busy
            .map((b) => `  ${b.port} (${b.what}): choose another with ${b.flag} <port>`)
            .join('\n'),
      );
    }

    // 1. The emulator.
    const firstStart = !isInstalled(o.dataDir);
    say(
      `starting the emulator on 127.0.0.1:${o.simPort} (state in ${o.dataDir}${firstStart ? ', new' : ', kept'})`,
    );
    const sim = this.start({
      name: 'emulator',
      command: this.paths.simBin,
      node: true,
      args: [
        '--port',
        String(o.simPort),
        '--kubeconfig',
        o.kubeconfig,
        '--data-dir',
        o.dataDir,
        '--pod-ready-delay',
        String(o.podReadyDelayMs),
      ],
    });
    const simUrl = `http://127.0.0.1:${o.simPort}`;
    await waitForHttp(`${simUrl}/version`, {
      what: 'the emulator',
      timeoutMs: 60_000,
      child: sim,
      cancelled: this.cancelled,
    });
    await waitFor(() => Promise.resolve(existsSync(o.kubeconfig) ? true : undefined), {
      what: `the kubeconfig ${o.kubeconfig}`,
      timeoutMs: 10_000,
      child: sim,
      cancelled: this.cancelled,
    });
    const kc = new KubeConfig();
    kc.loadFromFile(o.kubeconfig);
    const client = new RawClient(kc, { qps: 0, timeoutMs: 10_000 });
    this.client = client;

    // 2. The application, on first start.
    if (firstStart) {
      const created = await installDemo(client, {
        crds: this.paths.crds,
        manifests: this.paths.manifests,
        dataDir: o.dataDir,
      });
      say(`installed the CRDs and the demo application (${created.length} objects)`);
    }

    // 3. The demo application's metrics and simulated traffic.
    const metrics = new DemoMetrics(TICK_MS / 1000);
    this.metricsServer = await startMetricsServer(metrics, o.appPort);
    const appUrl = this.metricsServer.url;
    let lastTrafficError = '';
    this.traffic = new TrafficGenerator({
      client,
      namespace: NAMESPACE,
      ingress: INGRESS,
      route: { rootService: ROOT_SERVICE },
      requestsPerTick: REQUESTS_PER_TICK,
      tickMs: TICK_MS,
      onTick: (t) => {
        lastTrafficError = '';
        metrics.record(t);
      },
      onError: (e) => {
        const msg = e instanceof Error ? e.message : String(e);
        if (msg !== lastTrafficError) warn(`simulated traffic: ${msg}`);
        lastTrafficError = msg;
      },
    });
    this.traffic.start();

    // 4. Prometheus, when there is one.
    let wiring: AnalysisWiring = { provider: 'web', appUrl };
    let analysisText = `web provider, ${appUrl}/api/success-rate (${
      o.prometheus === 'off'
        ? '--prometheus off'
        : 'no Prometheus found; install one or pass --prometheus <binary> to use it'
    })`;
    if (prometheusBin) {
      say(`starting Prometheus (${prometheusBin}) on 127.0.0.1:${o.prometheusPort}`);
      const prom = this.start(
        prometheusSpec({
          binary: prometheusBin,
          dataDir: o.dataDir,
          port: o.prometheusPort,
          target: new URL(appUrl).host,
          logFile: this.log('prometheus'),
        }),
      );
      const promUrl = `http://127.0.0.1:${o.prometheusPort}`;
      await waitForHttp(`${promUrl}/-/ready`, {
        what: 'Prometheus',
        timeoutMs: 60_000,
        child: prom,
        cancelled: this.cancelled,
      });
      wiring = { provider: 'prometheus', prometheusUrl: promUrl };
      analysisText = `prometheus provider, ${promUrl} (scraping ${appUrl}/metrics every second)`;
    }
    const templateChange = await ensureAnalysisTemplate(
      client,
      analysisTemplate(this.paths.manifests, wiring),
    );
    if (templateChange !== 'unchanged')
      say(`AnalysisTemplate success-rate ${templateChange} (${wiring.provider} provider)`);

    // 5. The controller.
    say(
      `starting the controller (metrics :${o.controllerMetricsPort}, healthz :${o.controllerHealthzPort})`,
    );
    const controller = this.start({
      name: 'controller',
      command: this.paths.controllerBin,
      node: true,
      args: [
        '--kubeconfig',
        o.kubeconfig,
        '--leader-elect=false',
        `--metricsPort=${o.controllerMetricsPort}`,
        `--healthzPort=${o.controllerHealthzPort}`,
        '--loglevel=info',
      ],
    });
    await waitForHttp(`http://127.0.0.1:${o.controllerHealthzPort}/healthz`, {
      what: 'the controller',
      timeoutMs: 60_000,
      child: controller,
      cancelled: this.cancelled,
    });

    // 6. The dashboard (optional: a build without it keeps the rest running).
    say(`starting the dashboard on port ${o.dashboardPort}`);
    const dashboardUrl = `http://127.0.0.1:${o.dashboardPort}/${DASHBOARD_ROOT}`;
    this.dashboard = this.start({
      name: 'dashboard',
      command: this.paths.pluginBin,
      node: true,
      args: ['dashboard', '--port', String(o.dashboardPort), '--root-path', DASHBOARD_ROOT],
      env: { ...process.env, KUBECONFIG: o.kubeconfig },
    });
    let dashboardUp = false;
    try {
      await waitForHttp(`${dashboardUrl}/`, {
        what: 'the dashboard',
        timeoutMs: 20_000,
        child: this.dashboard,
        cancelled: this.cancelled,
      });
      dashboardUp = true;
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      // Exited (noted by onUnexpectedExit) or not answering yet.
      if (this.dashboard.running)
        this.dashboardNote = `started but not answering at ${dashboardUrl} yet; see ${this.dashboard.spec.logFile}`;
      this.dashboardNote ??= `it exited; see ${this.dashboard.spec.logFile}`;
    }

    // 7. The rollout, as the controller sees it.
    const summary = await waitFor(
      async () => {
        const s = await rolloutSummary(client);
        return s?.phase ? s : undefined;
      },
      { what: 'the rollout status', timeoutMs: 30_000, cancelled: this.cancelled, intervalMs: 200 },
    ).catch((e: unknown) => {
      if (e instanceof Cancelled) throw e;
      return undefined;
    });
    const rolloutText = summary
      ? `rollouts-demo: ${summary.phase}${summary.message ? ` (${summary.message})` : ''}, revision ${summary.revision}, ${summary.image}`
      : 'rollouts-demo: no status yet (see the controller log)';

    const shimDir = writePluginShim(o.dataDir, this.paths.pluginBin);
    process.stdout.write(
      nextSteps({
        cwd: process.cwd(),
        kubeconfig: o.kubeconfig,
        shimDir,
        dataDir: o.dataDir,
        simUrl,
        appUrl,
        dashboardUrl: dashboardUp ? dashboardUrl : undefined,
        dashboardNote: this.dashboardNote,
        analysis: analysisText,
        rollout: rolloutText,
        logs: this.sup.children.map((c) => ({
          name: c.name,
          pid: c.running ? c.pid : undefined,
          file: c.spec.logFile,
        })),
      }) + '\n',
    );
  }

  /** Stops everything in order and exits with `code`. A second call while stopping is a no-op. */
  async shutdown(code: number): Promise<void> {
    if (this.shutdownStarted) return;
    this.shutdownStarted = true;
    this.stopping = true;
    const byName = (n: string) => this.sup.children.filter((c) => c.name === n);
    for (const name of this.stopOrder) {
      for (const c of byName(name)) {
        await c.stop();
        if (c.escalated) warn(`${name} did not stop within 10 s; killed`);
      }
    }
    await this.traffic?.stop();
    await this.metricsServer?.close();
    this.client?.close();
    for (const c of byName('emulator')) {
      const exit = await c.stop(15_000);
      if (c.escalated)
        warn('the emulator did not stop within 15 s; killed (its last changes may be lost)');
      else if (exit.code !== 0 && exit.signal !== 'SIGTERM')
        warn(`emulator stopped with ${describeExit(exit)}`);
    }
    // Anything else, just in case.
    for (const c of this.sup.children) await c.stop();
    say(code === 0 ? 'stopped' : 'stopped after an error');
    process.exit(code);
  }

  onSignal(sig: NodeJS.Signals): void {
    if (this.shutdownStarted) {
      warn(`${sig} again: killing everything`);
      for (const c of this.sup.children) c.signal('SIGKILL');
      process.exit(1);
    }
    say(`${sig}: stopping (again to kill)`);
    void this.shutdown(0);
  }
}

function checkBuilt(paths: PackagePaths): void {
  const missing = ['dist/sim/cli.js', 'dist/src/controller/cli.js'].filter(
    (f) => !existsSync(join(paths.root, f)),
  );
  if (missing.length > 0)
    throw new Error(
      `${missing.join(', ')} missing: run \`npm install\` (or \`npm run build\`) first`,
    );
}

async function main(): Promise<void> {
  let opts: DemoOptions;
  try {
    opts = parseDemoOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    throw e;
  }
  const paths = packagePaths();
  checkBuilt(paths);
  const demo = new Demo(opts, paths);
  process.on('SIGINT', () => demo.onSignal('SIGINT'));
  process.on('SIGTERM', () => demo.onSignal('SIGTERM'));
  try {
    await demo.run();
  } catch (e) {
    // A signal (or a dead child) during the start: shutdown() is already under way and exits.
    if (e instanceof Cancelled || demo.isStopping) return;
    warn(e instanceof Error ? e.message : String(e));
    await demo.shutdown(1);
  }
}

void main().catch((e: unknown) => {
  warn(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
