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
import { RolloutController } from './rollout-controller.ts';

export interface RunningController {
  /** Resolves when the process should exit. */
  done: Promise<void>;
  stop(): Promise<void>;
  isLeader(): boolean;
  metricsPort: number;
  healthzPort: number;
  controller(): RolloutController | undefined;
}

export async function runController(
  cfg: ControllerConfig,
  logger?: Logger,
): Promise<RunningController> {
  const log = logger ?? createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  reportFlagNotices(cfg, log);
  const kc = kubeConfigFromFlags(cfg);
  let controller: RolloutController | undefined;
  const metrics = new ControllerMetrics({
    getRollouts: () => (controller?.rollouts.list() ?? []) as Iterable<never>,
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

  const startController = async (): Promise<void> => {
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
  };
}
