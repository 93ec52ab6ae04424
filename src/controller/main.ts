// The rollouts-controller process: ops servers first (so a standby answers probes), then
// leader election, then the controller while leading. SIGINT/SIGTERM stop it gracefully:
// the queue drains, the lease is released so the other replica takes over at once.
import type { KubeObject } from '../api/kube-object.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import { RawClient } from '../kube/raw-client.ts';
import {
  kubeConfigFromFlags,
  leaderElectionLeaseName,
  reportFlagNotices,
  watchNamespace,
  type ControllerConfig,
} from './flags.ts';
import { createLogger, type Logger } from './logger.ts';
import { ControllerMetrics, startOpsServers } from './metrics.ts';
import { AnalysisRunController } from './analysis-controller.ts';
import { RolloutController } from './rollout-controller.ts';

export interface RunningController {
  /** Resolves when the process should exit. */
  done: Promise<void>;
  stop(): Promise<void>;
  isLeader(): boolean;
  metricsPort: number;
  healthzPort: number;
  controller(): RolloutController | undefined;
  analysisController(): AnalysisRunController | undefined;
}

export async function runController(
  cfg: ControllerConfig,
  logger?: Logger,
): Promise<RunningController> {
  const log = logger ?? createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  reportFlagNotices(cfg, log);
  const kc = kubeConfigFromFlags(cfg);
  let controller: RolloutController | undefined;
  let analysis: AnalysisRunController | undefined;
  const metrics = new ControllerMetrics({
    getRollouts: () => (controller?.rollouts.list() ?? []) as Iterable<never>,
    getAnalysisRuns: () => (analysis?.runs.list() ?? []) as Iterable<never>,
  });
  const client = new RawClient(kc, { qps: cfg.qps, burst: cfg.burst, metrics });
  const ops = await startOpsServers({
    registry: metrics.registry,
    metricsPort: cfg.metricsPort,
    healthzPort: cfg.healthzPort,
  });
  log.info('metrics and healthz serving', {
    metricsPort: ops.metrics.port,
    healthzPort: ops.healthz.port,
  });
  const namespace = watchNamespace(cfg, kc);

  // `--controllers analysis` runs only the AnalysisRun controller (Argo's flag); default: all.
  const runRollouts = cfg.controllers.length === 0;
  const startController = async (): Promise<void> => {
    analysis = new AnalysisRunController({
      kc,
      client,
      logger: log,
      ...(namespace ? { namespace } : {}),
      ...(cfg.instanceId ? { instanceId: cfg.instanceId } : {}),
      ...(cfg.analysisJobNamespace ? { jobNamespace: cfg.analysisJobNamespace } : {}),
      concurrency: cfg.analysisThreads,
      resyncMs: cfg.rolloutResyncSeconds * 1000,
      onReconcile: (run: KubeObject, seconds: number, error: unknown) => {
        const labels = { namespace: run.metadata.namespace ?? '', name: run.metadata.name ?? '' };
        metrics.analysisRunReconcile.observe(labels, seconds);
        if (error) metrics.analysisRunReconcileError.inc(labels);
      },
    });
    await analysis.start();
    if (!runRollouts) return;
    controller = new RolloutController({
      kc,
      client,
      logger: log,
      ...(namespace ? { namespace } : {}),
      ...(cfg.instanceId ? { instanceId: cfg.instanceId } : {}),
      concurrency: cfg.rolloutThreads,
      resyncMs: cfg.rolloutResyncSeconds * 1000,
      onReconcile: (ro: KubeObject, seconds: number, error: unknown) => {
        const labels = { namespace: ro.metadata.namespace ?? '', name: ro.metadata.name ?? '' };
        metrics.rolloutReconcile.observe(labels, seconds);
        if (error) metrics.rolloutReconcileError.inc(labels);
      },
    });
    await controller.start();
  };

  let elector: LeaderElector | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping = false;

  if (cfg.leaderElect) {
    elector = new LeaderElector({
      client,
      namespace: cfg.controllerNamespace,
      name: leaderElectionLeaseName(cfg),
      leaseDurationMs: cfg.leaderElectionLeaseDurationMs,
      renewDeadlineMs: cfg.leaderElectionRenewDeadlineMs,
      retryPeriodMs: cfg.leaderElectionRetryPeriodMs,
      logger: log,
      onStartedLeading: async () => {
        log.info('became leader; starting the controller');
        await startController();
      },
      onStoppedLeading: () => {
        // Losing the lease while still running means another replica may act: stop at once,
        // as client-go controllers do, and let the process restart.
        if (!stopping) {
          log.error('lost leadership; exiting');
          void stop().then(resolveDone);
        }
      },
    });
    void elector.run();
  } else {
    await startController();
  }

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down');
    await controller?.stop();
    await analysis?.stop();
    await elector?.stop({ release: true });
    await ops.close(1000);
    client.close();
    resolveDone();
  };

  return {
    done,
    stop,
    isLeader: () => (elector ? elector.isLeader() : true),
    metricsPort: ops.metrics.port,
    healthzPort: ops.healthz.port,
    controller: () => controller,
    analysisController: () => analysis,
  };
}
