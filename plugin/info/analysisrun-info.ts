// AnalysisRun rows: counters, metric limits and job children
// (../shared/spec/cli-dashboard-ops.md §2.1.5).
import type { KubeObject } from '../../src/api/kube-object.ts';
import { analysisIcon } from './icons.ts';
import {
  arr,
  compareStrings,
  compareTime,
  int,
  obj,
  ownedBy,
  revisionOf,
  shortMeta,
  str,
} from './kube.ts';
import type { AnalysisRunInfo, JobInfo, MetricInfo, NonJobInfo } from './types.ts';

const JOB_NAME_KEY = 'job-name';
const JOB_NAMESPACE_KEY = 'job-namespace';

export function analysisRunInfos(ownerUid: string, runs: readonly KubeObject[]): AnalysisRunInfo[] {
  const infos = runs.filter((r) => ownedBy(r, ownerUid)).map(analysisRunInfo);
  // Name descending on ties: the original's order, kept so the tree matches it.
  infos.sort(
    (a, b) =>
      b.revision - a.revision ||
      compareTime(a.objectMeta.creationTimestamp, b.objectMeta.creationTimestamp) ||
      compareStrings(b.objectMeta.name, a.objectMeta.name),
  );
  return infos;
}

function analysisRunInfo(run: KubeObject): AnalysisRunInfo {
  const spec = obj(run.spec);
  const status = obj(run.status);
  const phase = str(status.phase);
  const namespace = str(run.metadata.namespace);
  const info: AnalysisRunInfo = {
    objectMeta: shortMeta(run),
    icon: analysisIcon(phase),
    revision: revisionOf(run.metadata),
    status: phase,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    jobs: [],
    nonJobInfo: [],
    metrics: arr(spec.metrics).map(metricInfo),
    specAndStatus: { spec: run.spec, status: run.status },
  };
  for (const result of arr(status.metricResults).map(obj)) {
    info.successful += int(result.successful);
    info.failed += int(result.failed);
    info.inconclusive += int(result.inconclusive);
    info.error += int(result.error);
    const metricName = str(result.name);
    for (const m of arr(result.measurements).map(obj)) {
      const metadata = obj(m.metadata);
      const mPhase = str(m.phase);
      const startedAt = str(m.startedAt);
      const jobName = metadata[JOB_NAME_KEY];
      if (typeof jobName === 'string') {
        const jobNamespace = str(metadata[JOB_NAMESPACE_KEY]) || namespace;
        info.jobs.push(jobInfo(jobName, jobNamespace, metricName, m));
      } else {
        const nonJob: NonJobInfo = { value: str(m.value), status: mPhase, metricName, startedAt };
        info.nonJobInfo.push(nonJob);
      }
    }
  }
  return info;
}

function jobInfo(
  name: string,
  namespace: string,
  metricName: string,
  m: Record<string, unknown>,
): JobInfo {
  const phase = str(m.phase);
  const startedAt = str(m.startedAt);
  return {
    objectMeta: { name, namespace, uid: '', creationTimestamp: startedAt },
    status: phase,
    icon: analysisIcon(phase),
    metricName,
    startedAt,
  };
}

/** Limits are int-or-string; only the int form has a value here (a string counts as 0). */
function metricInfo(m: unknown): MetricInfo {
  const metric = obj(m);
  return {
    name: str(metric.name),
    successCondition: str(metric.successCondition),
    count: int(metric.count),
    inconclusiveLimit: int(metric.inconclusiveLimit),
    failureLimit: int(metric.failureLimit),
  };
}
