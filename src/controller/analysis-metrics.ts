// The analysis_run_* series of cli-dashboard-ops.md §4.2, on the controller's registry: info,
// phase and per-metric gauges read from the AnalysisRun cache at scrape time, and the reconcile
// histogram and error counter.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AnalysisRunLike {
  metadata: { namespace?: string; name?: string };
  spec?: { metrics?: { name: string; provider?: Record<string, unknown> }[] };
  status?: {
    phase?: string;
    metricResults?: { name: string; phase?: string; dryRun?: boolean }[];
  };
}

const PHASES = ['Pending', 'Error', 'Failed', 'Successful', 'Running', 'Inconclusive'] as const;

/** Argo's metric `type` label values (metricproviders.Type). */
const TYPE_OF: Record<string, string> = {
  prometheus: 'Prometheus',
  job: 'Job',
  kayenta: 'Kayenta',
  web: 'Web',
  datadog: 'Datadog',
  wavefront: 'Wavefront',
  newRelic: 'NewRelic',
  cloudWatch: 'CloudWatch',
  graphite: 'Graphite',
  influxdb: 'Influxdb',
  skywalking: 'skywalking',
  plugin: 'RPCPlugin',
};

export function metricType(provider: Record<string, unknown> | undefined): string {
  for (const [k, v] of Object.entries(provider ?? {})) {
    if (v !== undefined && v !== null && TYPE_OF[k]) return TYPE_OF[k];
  }
  return 'Unknown Provider';
}

/** An empty phase is reported as Pending, as Argo does. */
function phaseOf(p: string | undefined): string {
  return p === undefined || p === '' ? 'Pending' : p;
}

export interface AnalysisMetrics {
  reconcile: Histogram<'namespace' | 'name'>;
  reconcileError: Counter<'namespace' | 'name'>;
}

export function registerAnalysisMetrics(
  registry: Registry,
  getRuns: () => Iterable<AnalysisRunLike>,
  buckets: number[],
): AnalysisMetrics {
  const registers = [registry];
  new Gauge({
    name: 'analysis_run_info',
    help: 'Information about analysis run.',
    labelNames: ['namespace', 'name', 'phase'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of getRuns()) {
        this.set(
          {
            namespace: r.metadata.namespace ?? '',
            name: r.metadata.name ?? '',
            phase: phaseOf(r.status?.phase),
          },
          1,
        );
      }
    },
  });
  new Gauge({
    name: 'analysis_run_phase',
    help: 'Information on the state of the analysis run (DEPRECATED - use analysis_run_info)',
    labelNames: ['namespace', 'name', 'phase'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of getRuns()) {
        const current = phaseOf(r.status?.phase);
        const base = { namespace: r.metadata.namespace ?? '', name: r.metadata.name ?? '' };
        for (const phase of PHASES) this.set({ ...base, phase }, phase === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'analysis_run_metric_type',
    help: 'Information on the type of a specific metric in the Analysis Runs.',
    labelNames: ['namespace', 'name', 'metric', 'type'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of getRuns()) {
        for (const m of r.spec?.metrics ?? []) {
          this.set(
            {
              namespace: r.metadata.namespace ?? '',
              name: r.metadata.name ?? '',
              metric: m.name,
              type: metricType(m.provider),
            },
            1,
          );
        }
      }
    },
  });
  new Gauge({
    name: 'analysis_run_metric_phase',
    help: 'Information on the duration of a specific metric in the Analysis Run.',
    labelNames: ['namespace', 'name', 'metric', 'type', 'dry_run', 'phase'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of getRuns()) {
        for (const m of r.spec?.metrics ?? []) {
          const result = r.status?.metricResults?.find((x) => x.name === m.name);
          const current = phaseOf(result?.phase);
          const base = {
            namespace: r.metadata.namespace ?? '',
            name: r.metadata.name ?? '',
            metric: m.name,
            type: metricType(m.provider),
            dry_run: result?.dryRun === true ? 'true' : 'false',
          };
          for (const phase of PHASES) this.set({ ...base, phase }, phase === current ? 1 : 0);
        }
      }
    },
  });
  return {
    reconcile: new Histogram({
      name: 'analysis_run_reconcile',
      help: 'Analysis Run reconciliation performance.',
      labelNames: ['namespace', 'name'] as const,
      buckets,
      registers,
    }),
    reconcileError: new Counter({
      name: 'analysis_run_reconcile_error',
      help: 'Error occurring during the analysis run',
      labelNames: ['namespace', 'name'] as const,
      registers,
    }),
  };
}
