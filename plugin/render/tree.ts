// The NAME/KIND/STATUS/AGE/INFO tree under `get rollout` (and `get experiment`)
// (../shared/spec/cli-dashboard-ops.md §2.3). Rows are built as cells, then aligned as one
// table by the ANSI-aware tab writer.
import { ICON_BAD, ICON_OK, ICON_UNKNOWN, ICON_WARNING } from '../info/icons.ts';
import type {
  AnalysisRunInfo,
  ExperimentInfo,
  JobInfo,
  ReplicaSetInfo,
  RolloutInfo,
} from '../info/types.ts';
import type { Colorizer } from './colors.ts';
import { age, humanDuration } from './human-duration.ts';
import { tabwrite } from './tabwriter.ts';

export const GLYPH_ROLLOUT = '⟳';
export const GLYPH_REVISION = '#';
export const GLYPH_REPLICASET = '⧉';
export const GLYPH_POD = '□';
export const GLYPH_EXPERIMENT = 'Σ';
export const GLYPH_ANALYSIS = 'α';
export const GLYPH_JOB = '⊞';

/** NAME, KIND, STATUS, AGE, INFO. */
export type Row = [string, string, string, string, string];

export interface TreeContext {
  c: Colorizer;
  now: Date;
}

const HEADER: Row = ['NAME', 'KIND', 'STATUS', 'AGE', 'INFO'];

export function renderTable(rows: readonly Row[]): string {
  const text = [HEADER, ...rows].map((r) => r.join('\t') + '\n').join('');
  return tabwrite(text, { minwidth: 0, padding: 2, ansi: true });
}

/** The prefix of a child row, and the prefix its own children build on. */
function branch(isLast: boolean, parentSub: string): [prefix: string, sub: string] {
  return isLast ? [parentSub + '└──', parentSub + '   '] : [parentSub + '├──', parentSub + '│  '];
}

/** Emit each child under one parent, telling it whether it is the last. */
function children<T>(
  items: readonly T[],
  parentSub: string,
  emit: (item: T, prefix: string, sub: string) => Row[],
): Row[] {
  return items.flatMap((item, i) => emit(item, ...branch(i === items.length - 1, parentSub)));
}

export function rolloutTreeRows(info: RolloutInfo, ctx: TreeContext): Row[] {
  const rows: Row[] = [
    [
      `${GLYPH_ROLLOUT} ${info.objectMeta.name}`,
      'Rollout',
      `${ctx.c(info.icon)} ${info.status}`,
      age(info.objectMeta.creationTimestamp, ctx.now),
      '',
    ],
  ];
  rows.push(...children(revisions(info), '', (rev, p, s) => revisionRows(info, rev, p, s, ctx)));
  return rows;
}

/** Every revision that has a ReplicaSet, Experiment or AnalysisRun, newest first. */
export function revisions(info: RolloutInfo): number[] {
  const all = new Set<number>();
  for (const x of [...info.replicaSets, ...info.experiments, ...info.analysisRuns]) {
    all.add(x.revision);
  }
  return [...all].sort((a, b) => b - a);
}

type RevisionChild =
  | { kind: 'rs'; v: ReplicaSetInfo }
  | { kind: 'exp'; v: ExperimentInfo }
  | { kind: 'ar'; v: AnalysisRunInfo };

function revisionRows(
  info: RolloutInfo,
  revision: number,
  prefix: string,
  sub: string,
  ctx: TreeContext,
): Row[] {
  const kids: RevisionChild[] = [
    ...info.replicaSets
      .filter((x) => x.revision === revision)
      .map((v) => ({ kind: 'rs' as const, v })),
    ...info.experiments
      .filter((x) => x.revision === revision)
      .map((v) => ({ kind: 'exp' as const, v })),
    ...info.analysisRuns
      .filter((x) => x.revision === revision)
      .map((v) => ({ kind: 'ar' as const, v })),
  ];
  // The STATUS cell is an empty icon, a space and an empty status, as in every other row.
  const row: Row = [`${prefix}${GLYPH_REVISION} revision:${revision}`, '', ' ', '', ''];
  return [
    row,
    ...children(kids, sub, (kid, p, s) => {
      if (kid.kind === 'rs') return replicaSetRows(kid.v, p, s, ctx);
      if (kid.kind === 'exp') return experimentRows(kid.v, p, s, ctx);
      return analysisRunRows(kid.v, p, s, ctx);
    }),
  ];
}

export function replicaSetRows(
  rs: ReplicaSetInfo,
  prefix: string,
  sub: string,
  ctx: TreeContext,
): Row[] {
  const { c } = ctx;
  const tags: string[] = [];
  let name = rs.objectMeta.name;
  const tag = (t: string) => {
    tags.push(c(t));
    // One wrap per role, nested: the original's bytes.
    name = c.by(name, t);
  };
  if (rs.stable) tag('stable');
  if (rs.canary) tag('canary');
  else if (rs.active) tag('active');
  else if (rs.preview) tag('preview');
  if (rs.ping) tag('ping');
  if (rs.pong) tag('pong');
  if (rs.scaleDownDeadline) tags.push(`delay:${scaleDownDelay(rs.scaleDownDeadline, ctx.now)}`);

  const rows: Row[] = [
    [
      `${prefix}${GLYPH_REPLICASET} ${name}`,
      'ReplicaSet',
      `${c(rs.icon)} ${rs.status}`,
      age(rs.objectMeta.creationTimestamp, ctx.now),
      tags.join(','),
    ],
  ];
  rows.push(
    ...children(rs.pods, sub, (pod, p) => {
      const podInfo = [`ready:${pod.ready}`];
      if (pod.restarts > 0) podInfo.push(`restarts:${pod.restarts}`);
      const row: Row = [
        `${p}${GLYPH_POD} ${pod.objectMeta.name}`,
        'Pod',
        `${c(pod.icon)} ${pod.status}`,
        age(pod.objectMeta.creationTimestamp, ctx.now),
        podInfo.join(','),
      ];
      return [row];
    }),
  );
  return rows;
}

/** `passed`, the time left, or '' when the annotation is not an RFC3339 time. */
export function scaleDownDelay(deadline: string, now: Date): string {
  if (!RFC3339.test(deadline)) return '';
  const ms = Date.parse(deadline);
  if (Number.isNaN(ms)) return '';
  if (ms < now.getTime()) return 'passed';
  return humanDuration(ms - now.getTime());
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function experimentRows(
  exp: ExperimentInfo,
  prefix: string,
  sub: string,
  ctx: TreeContext,
): Row[] {
  const { c } = ctx;
  const kids: ({ kind: 'rs'; v: ReplicaSetInfo } | { kind: 'ar'; v: AnalysisRunInfo })[] = [
    ...exp.replicaSets.map((v) => ({ kind: 'rs' as const, v })),
    ...exp.analysisRuns.map((v) => ({ kind: 'ar' as const, v })),
  ];
  const row: Row = [
    `${prefix}${GLYPH_EXPERIMENT} ${c.by(exp.objectMeta.name, exp.status)}`,
    'Experiment',
    `${c(exp.icon)} ${exp.status}`,
    age(exp.objectMeta.creationTimestamp, ctx.now),
    '',
  ];
  return [
    row,
    ...children(kids, sub, (kid, p, s) =>
      kid.kind === 'rs' ? replicaSetRows(kid.v, p, s, ctx) : analysisRunRows(kid.v, p, s, ctx),
    ),
  ];
}

export function analysisRunRows(
  run: AnalysisRunInfo,
  prefix: string,
  sub: string,
  ctx: TreeContext,
): Row[] {
  const { c } = ctx;
  const counters: string[] = [];
  if (run.successful > 0) counters.push(`${c(ICON_OK)} ${run.successful}`);
  if (run.failed > 0) counters.push(`${c(ICON_BAD)} ${run.failed}`);
  if (run.inconclusive > 0) counters.push(`${c(ICON_UNKNOWN)} ${run.inconclusive}`);
  if (run.error > 0) counters.push(`${c(ICON_WARNING)} ${run.error}`);
  const row: Row = [
    `${prefix}${GLYPH_ANALYSIS} ${c.by(run.objectMeta.name, run.status)}`,
    'AnalysisRun',
    `${c(run.icon)} ${run.status}`,
    age(run.objectMeta.creationTimestamp, ctx.now),
    counters.join(','),
  ];
  return [row, ...children(run.jobs, sub, (job, p) => [jobRow(job, p, ctx)])];
}

function jobRow(job: JobInfo, prefix: string, ctx: TreeContext): Row {
  const { c } = ctx;
  return [
    `${prefix}${GLYPH_JOB} ${c.by(job.objectMeta.name, job.status)}`,
    'Job',
    `${c(job.icon)} ${job.status}`,
    age(job.startedAt, ctx.now),
    '',
  ];
}
