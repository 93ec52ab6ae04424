// The rollout page: actions, steps, summary, containers, revisions with ReplicaSets, pods and
// analysis runs, all live from the single-rollout watch.
import { useRef, useState } from 'react';
import {
  api,
  errorText,
  runAction,
  useRollout,
  useRolloutEvents,
  type RolloutAction,
} from '../api.ts';
import { ActionButton } from '../components/ActionButton.tsx';
import { AnalysisModal } from '../components/AnalysisModal.tsx';
import { ConditionsPanel } from '../components/ConditionsPanel.tsx';
import { EventsPanel } from '../components/EventsPanel.tsx';
import { StatusIcon } from '../components/StatusIcon.tsx';
import { useToast } from '../components/Toasts.tsx';
import { useNow } from '../components/hooks.ts';
import { Link } from '../router.tsx';
import type {
  AnalysisRunInfo,
  CanaryStep,
  ExperimentInfo,
  ContainerInfo,
  PodInfo,
  ReplicaSetInfo,
  RolloutEvent,
  RolloutInfo,
} from '../types.ts';
import {
  age,
  analysisLabel,
  countdownText,
  parseDuration,
  pauseText,
  podTone,
  shortDuration,
  splitImage,
  statusTone,
} from '../util.ts';

export function RolloutPage({ namespace, name }: { namespace: string; name: string }) {
  const { rollout, error, connected } = useRollout(namespace, name);
  // Each info the watch delivers is a new object: re-read the events then (throttled).
  const events = useRolloutEvents(namespace, name, rollout);
  return (
    <div className="rollout-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`/${encodeURIComponent(namespace)}`}>Rollouts</Link>
        <span aria-hidden="true"> / </span>
        <span>{namespace}</span>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{name}</span>
        <span
          className={`live-dot${connected ? ' on' : ''}`}
          title={connected ? 'Live updates on' : 'Reconnecting…'}
          role="img"
          aria-label={connected ? 'Live' : 'Not connected'}
        />
      </nav>
      {error && !rollout ? (
        <div className="empty">
          <h1>{name}</h1>
          <p className="error-banner" role="alert">
            {error}
          </p>
        </div>
      ) : !rollout ? (
        <p className="muted">Loading…</p>
      ) : (
        <RolloutView r={rollout} namespace={namespace} name={name} events={events} />
      )}
    </div>
  );
}

const ACTIONS: { action: RolloutAction; label: string; confirm: string }[] = [
  { action: 'restart', label: 'Restart', confirm: 'Restart all the pods of this rollout?' },
  { action: 'retry', label: 'Retry', confirm: 'Retry the aborted update?' },
  {
    action: 'abort',
    label: 'Abort',
    confirm: 'Abort the update and go back to the stable version?',
  },
  { action: 'promote', label: 'Promote', confirm: 'Promote to the next step?' },
  {
    action: 'promoteFull',
    label: 'PromoteFull',
    confirm: 'Skip the remaining steps and analysis, and promote fully?',
  },
];

function actionEnabled(a: RolloutAction, status: string | undefined): boolean {
  switch (a) {
    case 'restart':
      return true;
    case 'retry':
      return status === 'Degraded';
    default:
      return status === 'Progressing' || status === 'Paused';
  }
}

function RolloutView({
  r,
  namespace,
  name,
  events,
}: {
  r: RolloutInfo;
  namespace: string;
  name: string;
  events: { events?: RolloutEvent[]; error?: string };
}) {
  const canary = r.strategy === 'Canary';
  return (
    <>
      <header className="rollout-header">
        <h1>
          <StatusIcon status={r.status} decorative /> {name}
        </h1>
        <span className={`status-pill tone-${statusTone(r.status)}`} data-testid="rollout-status">
          {r.status ?? 'Unknown'}
        </span>
        <div className="header-spacer" />
        <div className="actions" role="group" aria-label="Rollout actions">
          {ACTIONS.map((a) => (
            <ActionButton
              key={a.action}
              label={a.label}
              confirm={a.confirm}
              disabled={!actionEnabled(a.action, r.status)}
              className={`button${a.action === 'promote' || a.action === 'promoteFull' ? ' primary' : ''}${a.action === 'abort' ? ' danger' : ''}`}
              title={
                a.action === 'restart'
                  ? r.restartedAt && r.restartedAt !== 'Never'
                    ? `Last restarted ${r.restartedAt}`
                    : 'Never restarted'
                  : undefined
              }
              run={() => runAction(a.action, namespace, name)}
            />
          ))}
        </div>
      </header>
      {r.message && r.message !== 'CanaryPauseStep' ? (
        <p className={`message-banner tone-${statusTone(r.status)}`}>{r.message}</p>
      ) : null}
      <div className="detail-grid">
        <div className="detail-main">
          <section className="panel" aria-labelledby="summary-h">
            <h2 id="summary-h">Summary</h2>
            <dl className="summary">
              <dt>Strategy</dt>
              <dd>{r.strategy || '-'}</dd>
              {canary ? (
                <>
                  <dt>Step</dt>
                  <dd data-testid="summary-step">{r.step ?? '-'}</dd>
                  <dt>Set Weight</dt>
                  <dd data-testid="summary-set-weight">{r.setWeight ?? '0'}</dd>
                  <dt>Actual Weight</dt>
                  <dd data-testid="summary-actual-weight">{r.actualWeight ?? '0'}</dd>
                </>
              ) : null}
              <dt>Replicas</dt>
              <dd>
                {r.desired ?? 0} desired · {r.current ?? 0} current · {r.updated ?? 0} updated ·{' '}
                {r.ready ?? 0} ready · {r.available ?? 0} available
              </dd>
            </dl>
            {canary ? <WeightBar setWeight={r.setWeight} actualWeight={r.actualWeight} /> : null}
          </section>
          <ContainersPanel
            r={r}
            namespace={namespace}
            name={name}
            title="Containers"
            list={r.containers ?? []}
          />
          {r.initContainers?.length ? (
            <ContainersPanel
              r={r}
              namespace={namespace}
              name={name}
              title="Init Containers"
              list={r.initContainers}
            />
          ) : null}
          <RevisionsPanel r={r} namespace={namespace} name={name} />
          {/* Servers without our additions send no conditions: the panel stays away then. */}
          {r.conditions ? (
            <ConditionsPanel conditions={r.conditions} pauseConditions={r.pauseConditions ?? []} />
          ) : null}
          <EventsPanel {...events} />
        </div>
        {canary && r.steps?.length ? (
          <aside className="detail-side">
            <StepsPanel r={r} />
          </aside>
        ) : null}
      </div>
    </>
  );
}

function pct(v: string | undefined): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
}

/** Traffic: the desired and the observed canary weight as two bars. */
function WeightBar({ setWeight, actualWeight }: { setWeight?: string; actualWeight?: string }) {
  const rows: [string, number][] = [
    ['Set weight', pct(setWeight)],
    ['Actual weight', pct(actualWeight)],
  ];
  return (
    <div className="weights" aria-label="Traffic weights">
      {rows.map(([label, w]) => (
        <div key={label} className="weight-row">
          <span className="weight-label">{label}</span>
          <div
            className="weight-bar"
            role="meter"
            aria-label={`${label}: canary ${w}%`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={w}
          >
            <div className="weight-canary" style={{ width: `${w}%` }} />
          </div>
          <span className="weight-value">
            canary {w}% · stable {100 - w}%
          </span>
        </div>
      ))}
    </div>
  );
}

// ---- steps -------------------------------------------------------------------------------

function stepLabel(s: CanaryStep): { title: string; details: string[] } {
  if (s.setWeight !== undefined) return { title: `Set Weight: ${s.setWeight}%`, details: [] };
  if (s.pause !== undefined) return { title: pauseText(s.pause.duration), details: [] };
  if (s.analysis) {
    return {
      title: 'Analysis',
      details: (s.analysis.templates ?? []).map((t) => t.templateName ?? ''),
    };
  }
  if (s.experiment) {
    return {
      title: 'Experiment',
      details: (s.experiment.templates ?? []).map(
        (t) =>
          `${t.specRef ?? t.name ?? ''}${t.weight !== undefined ? ` (weight ${t.weight}%)` : ''}`,
      ),
    };
  }
  if (s.setCanaryScale) {
    return {
      title: 'Canary Scale',
      details: Object.entries(s.setCanaryScale).map(([k, v]) => `${k}: ${String(v)}`),
    };
  }
  if (s.setHeaderRoute) {
    const n = s.setHeaderRoute.name ?? '';
    return { title: `${s.setHeaderRoute.match ? 'Set' : 'Remove'} Header: ${n}`, details: [] };
  }
  if (s.setMirrorRoute) {
    const n = s.setMirrorRoute.name ?? '';
    return { title: `${s.setMirrorRoute.match ? 'Set' : 'Remove'} Mirror: ${n}`, details: [] };
  }
  if (s.plugin) return { title: s.plugin.name ?? 'Plugin', details: [] };
  return { title: Object.keys(s)[0] ?? 'Step', details: [] };
}

/**
 * Remembers when this page first saw the rollout paused at a step: the fallback for a server
 * without our `pauseEndsAt`, where Argo's info has no start time.
 */
function usePauseStart(key: string | undefined): number | undefined {
  const seen = useRef<{ key?: string; at?: number }>({});
  if (key !== seen.current.key) seen.current = key ? { key, at: Date.now() } : {};
  return seen.current.at;
}

/** What the current pause step shows: an exact countdown, a bound, or that it waits for people. */
function usePauseNote(r: RolloutInfo, step: CanaryStep | undefined, index: number) {
  const pauseMs = step?.pause ? parseDuration(step.pause.duration) : undefined;
  const paused = r.status === 'Paused' && step?.pause !== undefined;
  // Our server sends conditions with every reconciled rollout; Argo's info never does.
  const ours = r.conditions !== undefined;
  const approximate = paused && pauseMs !== undefined && !r.pauseEndsAt && !ours;
  const since = usePauseStart(
    approximate ? `${r.objectMeta?.uid}/${index}/${r.generation}` : undefined,
  );
  const now = useNow(1000, paused && (pauseMs !== undefined || r.pauseEndsAt !== undefined));
  if (!paused) return undefined;
  if (r.pauseEndsAt) {
    const text = countdownText(r.pauseEndsAt, now);
    if (text) return { text, timer: true };
  }
  if (approximate && since !== undefined && pauseMs !== undefined) {
    return { text: `Resumes in ≤ ${shortDuration(pauseMs - (now - since))}`, timer: true };
  }
  // An indefinite pause step, or a timed one held by a manual pause.
  return { text: pauseMs === undefined ? 'Paused until promoted' : 'Paused until resumed' };
}

function StepsPanel({ r }: { r: RolloutInfo }) {
  const steps = r.steps ?? [];
  const parsed = parseInt(r.step ?? '', 10);
  const current = Number.isNaN(parsed) ? steps.length : parsed;
  const note = usePauseNote(r, steps[current], current);
  return (
    <section className="panel" aria-labelledby="steps-h">
      <h2 id="steps-h">Steps</h2>
      <ol className="steps">
        {steps.map((s, i) => {
          const { title, details } = stepLabel(s);
          const state = i < current ? 'complete' : i === current ? 'current' : 'pending';
          return (
            <li
              key={i}
              className={`step step-${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span className="step-marker" aria-hidden="true">
                {state === 'complete' ? '✔' : i + 1}
              </span>
              <div>
                <div className="step-title">{title}</div>
                {details.length ? (
                  <ul className="step-details">
                    {details.map((d) => (
                      <li key={d}>{d}</li>
                    ))}
                  </ul>
                ) : null}
                {state === 'current' && note ? (
                  <div
                    className="countdown"
                    {...(note.timer ? { role: 'timer', 'aria-live': 'off' as const } : {})}
                    {...(note.timer && r.pauseEndsAt ? { title: `Until ${r.pauseEndsAt}` } : {})}
                  >
                    {note.text}
                  </div>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

// ---- containers --------------------------------------------------------------------------

function ContainersPanel({
  r,
  namespace,
  name,
  title,
  list,
}: {
  r: RolloutInfo;
  namespace: string;
  name: string;
  title: string;
  list: ContainerInfo[];
}) {
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const toast = useToast();
  const id = `containers-${title.replace(/\s/g, '')}`;
  const known = [
    ...new Set(
      (r.replicaSets ?? []).flatMap((rs) => [
        ...(rs.images ?? []),
        ...(rs.initContainerImages ?? []),
      ]),
    ),
  ];
  const start = () => {
    setValues(Object.fromEntries(list.map((c) => [c.name ?? '', c.image ?? ''])));
    setEditing(true);
  };
  const invalid = (v: string | undefined) => v === undefined || splitImage(v) === undefined;
  const save = async () => {
    const changed = list.filter((c) => values[c.name ?? ''] !== c.image);
    if (changed.some((c) => invalid(values[c.name ?? '']))) return;
    setSaving(true);
    try {
      for (const c of changed) {
        const parts = splitImage(values[c.name ?? '']!)!;
        await api.setImage(namespace, name, c.name ?? '', parts.image, parts.tag);
      }
      setEditing(false);
    } catch (e) {
      toast('error', `Set image failed: ${errorText(e)}`);
    } finally {
      setSaving(false);
    }
  };
  return (
    <section className="panel" aria-labelledby={id}>
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {editing ? (
          <div className="row-actions">
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="button primary"
              disabled={saving || list.some((c) => invalid(values[c.name ?? '']))}
              onClick={() => void save()}
            >
              Save
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="button"
            onClick={start}
            aria-label={`Edit ${title.toLowerCase()}`}
          >
            Edit
          </button>
        )}
      </div>
      <ul className="containers">
        {list.map((c) => {
          const cname = c.name ?? '';
          const bad = editing && invalid(values[cname]);
          return (
            <li key={cname}>
              <span className="container-name">{cname}</span>
              {editing ? (
                <>
                  <input
                    className={bad ? 'invalid' : ''}
                    aria-label={`Image of ${cname}`}
                    aria-invalid={bad}
                    list={`${id}-images`}
                    value={values[cname] ?? ''}
                    onChange={(e) => setValues({ ...values, [cname]: e.target.value })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') void save();
                    }}
                  />
                  {bad ? <span className="field-error">Use image:tag</span> : null}
                </>
              ) : (
                <code>{c.image}</code>
              )}
            </li>
          );
        })}
      </ul>
      {editing ? (
        <datalist id={`${id}-images`}>
          {known.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
      ) : null}
    </section>
  );
}

// ---- revisions ---------------------------------------------------------------------------

interface Revision {
  number: number;
  replicaSets: ReplicaSetInfo[];
  analysisRuns: AnalysisRunInfo[];
  experiments: ExperimentInfo[];
}

function revisionsOf(r: RolloutInfo): Revision[] {
  const byNumber = new Map<number, Revision>();
  const get = (n: number) => {
    let v = byNumber.get(n);
    if (!v) {
      v = { number: n, replicaSets: [], analysisRuns: [], experiments: [] };
      byNumber.set(n, v);
    }
    return v;
  };
  for (const rs of r.replicaSets ?? []) get(rs.revision ?? 0).replicaSets.push(rs);
  for (const ar of r.analysisRuns ?? []) get(ar.revision ?? 0).analysisRuns.push(ar);
  for (const ex of r.experiments ?? []) get(ex.revision ?? 0).experiments.push(ex);
  return [...byNumber.values()].sort((a, b) => b.number - a.number);
}

function RevisionsPanel({
  r,
  namespace,
  name,
}: {
  r: RolloutInfo;
  namespace: string;
  name: string;
}) {
  const [openRun, setOpenRun] = useState<string>();
  const revisions = revisionsOf(r);
  const allRuns = [
    ...(r.analysisRuns ?? []),
    ...(r.experiments ?? []).flatMap((e) => e.analysisRuns ?? []),
  ];
  const run = allRuns.find((a) => a.objectMeta?.name === openRun);
  const now = useNow(1000);
  return (
    <section className="panel" aria-labelledby="revisions-h">
      <h2 id="revisions-h">Revisions</h2>
      {revisions.length === 0 ? <p className="muted">No revisions yet.</p> : null}
      {revisions.map((rev, i) => (
        <article key={rev.number} className="revision" aria-label={`Revision ${rev.number}`}>
          <header className="revision-head">
            <h3>
              Revision {rev.number}
              {i === 0 ? <span className="chip chip-current">current</span> : null}
            </h3>
            {i > 0 ? (
              <ActionButton
                label="Rollback"
                ariaLabel={`Rollback to revision ${rev.number}`}
                confirm={`Roll back to revision ${rev.number}?`}
                run={() => api.undo(namespace, name, rev.number)}
              />
            ) : null}
          </header>
          <ul className="revision-images">
            {[...new Set(rev.replicaSets.flatMap((rs) => rs.images ?? []))].map((im) => (
              <li key={im}>
                <code>{im}</code>
                {rev.replicaSets
                  .filter((rs) => rs.images?.includes(im))
                  .flatMap((rs) => roles(rs))
                  .map((t) => (
                    <span key={t} className={`chip chip-${t}`}>
                      {t}
                    </span>
                  ))}
              </li>
            ))}
          </ul>
          {rev.replicaSets.map((rs) => (
            <ReplicaSetRow key={rs.objectMeta?.name} rs={rs} now={now} />
          ))}
          {rev.analysisRuns.length ? (
            <div className="analysis-runs">
              {rev.analysisRuns.map((a) => (
                <RunButton key={a.objectMeta?.name} run={a} onOpen={setOpenRun} />
              ))}
            </div>
          ) : null}
          {rev.experiments.map((ex) => (
            <div key={ex.objectMeta?.name} className="experiment">
              <div className="rs-name">
                <StatusIcon status={ex.status} />
                <span>Experiment {ex.objectMeta?.name}</span>
                {ex.message ? <span className="muted">{ex.message}</span> : null}
              </div>
              {(ex.replicaSets ?? []).map((rs) => (
                <ReplicaSetRow key={rs.objectMeta?.name} rs={rs} now={now} />
              ))}
              {(ex.analysisRuns ?? []).length ? (
                <div className="analysis-runs">
                  {(ex.analysisRuns ?? []).map((a) => (
                    <RunButton key={a.objectMeta?.name} run={a} onOpen={setOpenRun} />
                  ))}
                </div>
              ) : null}
            </div>
          ))}
        </article>
      ))}
      {run ? (
        <AnalysisModal
          run={run}
          images={imagesOfRevision(r, run.revision)}
          onClose={() => setOpenRun(undefined)}
        />
      ) : null}
    </section>
  );
}

/** `Analysis <last two name parts>`, coloured by the run's phase. */
function RunButton({ run, onOpen }: { run: AnalysisRunInfo; onOpen: (name?: string) => void }) {
  return (
    <button
      type="button"
      className={`button analysis-button tone-${statusTone(run.status)}`}
      title={`${run.objectMeta?.name ?? ''}: ${run.status ?? 'Pending'}`}
      onClick={() => onOpen(run.objectMeta?.name)}
    >
      <StatusIcon status={run.status ?? 'Pending'} decorative />{' '}
      {analysisLabel(run.objectMeta?.name)}
    </button>
  );
}

function imagesOfRevision(r: RolloutInfo, revision: number | undefined): string[] {
  return [
    ...new Set(
      (r.replicaSets ?? [])
        .filter((rs) => rs.revision === revision)
        .flatMap((rs) => rs.images ?? []),
    ),
  ];
}

function roles(rs: ReplicaSetInfo): string[] {
  return [
    rs.canary ? 'canary' : '',
    rs.stable ? 'stable' : '',
    rs.active ? 'active' : '',
    rs.preview ? 'preview' : '',
  ].filter(Boolean);
}

function ReplicaSetRow({ rs, now }: { rs: ReplicaSetInfo; now: number }) {
  const deadline = rs.scaleDownDeadline ? Date.parse(rs.scaleDownDeadline) : NaN;
  const scalingDown = Number.isFinite(deadline) && deadline > now;
  return (
    <div className="rs-row">
      <div className="rs-name">
        <StatusIcon status={rs.status} />
        <span>{rs.objectMeta?.name}</span>
        <span className="muted">
          {rs.available ?? 0}/{rs.replicas ?? 0} available
        </span>
        {scalingDown ? (
          <span className="countdown" role="timer">
            Scaling down in {shortDuration(deadline - now)}
          </span>
        ) : null}
        <span className="muted rs-age">{age(rs.objectMeta?.creationTimestamp, now)}</span>
      </div>
      <div className="pods" aria-label={`Pods of ${rs.objectMeta?.name ?? ''}`}>
        {(rs.pods ?? []).map((p) => (
          <PodIcon key={p.objectMeta?.name} pod={p} copyable />
        ))}
      </div>
    </div>
  );
}

/** A pod as a coloured square; with `copyable`, a click copies its name. */
export function PodIcon({ pod, copyable }: { pod: PodInfo; copyable?: boolean }) {
  const tone = podTone(pod.status, pod.ready);
  const name = pod.objectMeta?.name ?? '';
  const ready = tone === 'success' ? 'ready' : 'not ready';
  const label = `Pod ${name}: ${pod.status ?? 'Unknown'}, ${ready}${pod.ready ? ` (${pod.ready})` : ''}`;
  const toast = useToast();
  if (!copyable) {
    return (
      <span className={`pod tone-${tone}`} role="img" aria-label={label} title={label}>
        {tone === 'success' ? '✔' : tone === 'failure' ? '✖' : tone === 'pending' ? '◌' : ''}
      </span>
    );
  }
  return (
    <button
      type="button"
      className={`pod tone-${tone}`}
      aria-label={label}
      title={`${label} — click to copy the name`}
      onClick={() => {
        navigator.clipboard?.writeText(name).then(
          () => toast('info', `Copied ${name}`),
          () => toast('info', name),
        );
      }}
    >
      {tone === 'success' ? '✔' : tone === 'failure' ? '✖' : tone === 'pending' ? '◌' : ''}
    </button>
  );
}
