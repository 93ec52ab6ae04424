// Prometheus for the demo, when one is installed: found on the PATH or in .tools/ (unpacked by
// scripts/install-system-deps.sh), run on 127.0.0.1 with its config and TSDB in the data dir,
// scraping the demo application every second. Without it the demo uses the web provider.
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PrometheusMode } from './options.ts';
import type { ChildSpec } from './processes.ts';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary to run, or undefined (mode off, or auto with nothing found). */
export function findPrometheus(
  mode: PrometheusMode,
  toolsBinary: string,
  path: string = process.env.PATH ?? '',
): string | undefined {
  if (mode === 'off') return undefined;
  if (mode !== 'auto') {
    if (!executable(mode.binary))
      throw new Error(`demo: --prometheus ${mode.binary} is not an executable file`);
    return mode.binary;
  }
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'prometheus');
    if (existsSync(candidate) && executable(candidate)) return candidate;
  }
  return executable(toolsBinary) ? toolsBinary : undefined;
}

/** Writes prometheus.yml into `<dataDir>/prometheus/` and returns how to start it. */
export function prometheusSpec(o: {
  binary: string;
  dataDir: string;
  port: number;
  /** host:port of the demo application's /metrics. */
  target: string;
  logFile: string;
}): ChildSpec {
  const dir = join(o.dataDir, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      '# Written by the demo on each start.',
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: rollouts-demo',
      '    static_configs:',
      `      - targets: [${JSON.stringify(o.target)}]`,
      '',
    ].join('\n'),
  );
  return {
    name: 'prometheus',
    command: o.binary,
    node: false,
    cwd: dir,
    logFile: o.logFile,
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=1d',
      `--web.listen-address=127.0.0.1:${o.port}`,
    ],
  };
}
