// The demo's settings: fixed ports and ./.demo-data by default, each overridable by a flag or an
// environment variable (flags win), so tests and a busy machine can use free ports and a temp dir.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';

export type PrometheusMode = 'auto' | 'off' | { binary: string };

export interface DemoOptions {
  /** Emulator state, logs, Prometheus data, the kubectl plugin shim. */
  dataDir: string;
  /** Written by the emulator; the file users export as KUBECONFIG. */
  kubeconfig: string;
  simPort: number;
  /** The demo application: simulated traffic, /metrics and /api/success-rate. */
  appPort: number;
  dashboardPort: number;
  controllerMetricsPort: number;
  controllerHealthzPort: number;
  prometheusPort: number;
  prometheus: PrometheusMode;
  /** The emulator's --pod-ready-delay. */
  podReadyDelayMs: number;
}

export type PortKey =
  | 'simPort'
  | 'appPort'
  | 'dashboardPort'
  | 'controllerMetricsPort'
  | 'controllerHealthzPort'
  | 'prometheusPort';

interface PortFlag {
  key: PortKey;
  flag: string;
  env: string;
  def: number;
  what: string;
}

export const PORT_FLAGS: readonly PortFlag[] = [
  {
    key: 'simPort',
    flag: 'sim-port',
    env: 'DEMO_SIM_PORT',
    def: 8001,
    what: 'emulator (API server)',
  },
  {
    key: 'appPort',
    flag: 'app-port',
    env: 'DEMO_APP_PORT',
    def: 8002,
    what: 'demo application metrics',
  },
  {
    key: 'dashboardPort',
    flag: 'dashboard-port',
    env: 'DEMO_DASHBOARD_PORT',
    def: 3100,
    what: 'dashboard',
  },
  {
    key: 'controllerMetricsPort',
    flag: 'controller-metrics-port',
    env: 'DEMO_CONTROLLER_METRICS_PORT',
    def: 8090,
    what: 'controller /metrics',
  },
  {
    key: 'controllerHealthzPort',
    flag: 'controller-healthz-port',
    env: 'DEMO_CONTROLLER_HEALTHZ_PORT',
    def: 8080,
    what: 'controller /healthz',
  },
  {
    key: 'prometheusPort',
    flag: 'prometheus-port',
    env: 'DEMO_PROMETHEUS_PORT',
    def: 9090,
    what: 'Prometheus',
  },
];

function port(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > 65535)
      throw new InvalidArgumentError(`--${flag} must be a port number 1-65535, got "${v}"`);
    return Number(v);
  };
}

function milliseconds(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()))
      throw new InvalidArgumentError(`--${flag} must be a number of milliseconds, got "${v}"`);
    return Number(v);
  };
}

function parsePrometheus(v: string): PrometheusMode {
  if (v === 'auto' || v === 'off') return v;
  if (v === '') throw new InvalidArgumentError('--prometheus: auto, off or a path to the binary');
  return { binary: resolve(v) };
}

/** Parses argv (without node and the script) and the environment into DemoOptions. */
export function parseDemoOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): DemoOptions {
  const program = new Command('npm run demo --')
    .description(
      'Starts the emulator, the controller, the dashboard and a demo canary with analysis',
    )
    .exitOverride()
    .option(
      '--data-dir <dir>',
      'state, logs and Prometheus data (env DEMO_DATA_DIR)',
      env.DEMO_DATA_DIR ?? './.demo-data',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig to write (env DEMO_KUBECONFIG)',
      env.DEMO_KUBECONFIG ?? './demo.kubeconfig',
    )
    .option(
      '--prometheus <mode>',
      'auto (use prometheus from the PATH or .tools/ when present), off, or the path of a binary (env DEMO_PROMETHEUS)',
      env.DEMO_PROMETHEUS ?? 'auto',
    )
    .option(
      '--pod-ready-delay <ms>',
      'time from pod creation to Ready in the emulator',
      milliseconds('pod-ready-delay'),
      200,
    );
  for (const p of PORT_FLAGS) {
    const fromEnv = env[p.env];
    program.option(
      `--${p.flag} <port>`,
      `${p.what} port (env ${p.env})`,
      port(p.flag),
      fromEnv !== undefined && fromEnv !== '' ? port(p.env)(fromEnv) : p.def,
    );
  }
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, string | number>>();
  const ports = {} as Record<PortKey, number>;
  for (const p of PORT_FLAGS) ports[p.key] = Number(o[camel(p.flag)]);
  return {
    dataDir: resolve(String(o.dataDir)),
    kubeconfig: resolve(String(o.kubeconfig)),
    prometheus: parsePrometheus(String(o.prometheus)),
    podReadyDelayMs: Number(o.podReadyDelay),
    ...ports,
  };
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
