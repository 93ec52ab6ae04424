// An analysis run in a modal: a Summary tab and one tab per metric with its pass
// requirements, its query and its measurements as a chart and a table.
import { useId, useState } from 'react';
import type { AnalysisRunInfo, Measurement, MetricResult, MetricSpec } from '../types.ts';
import { analysisLabel, statusTone } from '../util.ts';
import { MetricChart } from './MetricChart.tsx';
import { Modal } from './Modal.tsx';
import { StatusIcon } from './StatusIcon.tsx';

export function AnalysisModal({
  run,
  images,
  onClose,
}: {
  run: AnalysisRunInfo;
  images: string[];
  onClose: () => void;
}) {
  const spec = run.specAndStatus?.spec;
  const status = run.specAndStatus?.status;
  const metrics = spec?.metrics ?? [];
  const results = status?.metricResults ?? [];
  const tabs = ['Summary', ...metrics.map((m) => m.name)];
  const [tab, setTab] = useState(0);
  const base = useId();
  const onTabKey = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next = (tab + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    setTab(next);
    document.getElementById(`${base}-tab-${next}`)?.focus();
  };
  return (
    <Modal
      wide
      onClose={onClose}
      title={
        <>
          <StatusIcon status={run.status ?? 'Pending'} decorative />{' '}
          {analysisLabel(run.objectMeta?.name)}
        </>
      }
    >
      <div className="tabs" role="tablist" aria-label="Analysis run" onKeyDown={onTabKey}>
        {tabs.map((t, i) => {
          const res = i === 0 ? undefined : results.find((r) => r.name === t);
          return (
            <button
              key={t}
              id={`${base}-tab-${i}`}
              type="button"
              role="tab"
              aria-selected={tab === i}
              aria-controls={`${base}-panel`}
              tabIndex={tab === i ? 0 : -1}
              className={`tab${tab === i ? ' active' : ''}`}
              onClick={() => setTab(i)}
              data-autofocus={i === 0 ? true : undefined}
            >
              {res ? <StatusIcon status={res.phase ?? 'Pending'} decorative /> : null} {t}
            </button>
          );
        })}
      </div>
      <div
        id={`${base}-panel`}
        role="tabpanel"
        aria-labelledby={`${base}-tab-${tab}`}
        className="tab-panel"
      >
        {tab === 0 ? (
          <Summary run={run} images={images} />
        ) : (
          <MetricTab
            metric={metrics[tab - 1]!}
            result={results.find((r) => r.name === metrics[tab - 1]?.name)}
          />
        )}
      </div>
    </Modal>
  );
}

function Summary({ run, images }: { run: AnalysisRunInfo; images: string[] }) {
  const st = run.specAndStatus?.status;
  const range = [st?.startedAt, st?.completedAt].filter(Boolean).map((t) => fmtTime(t));
  return (
    <dl className="summary">
      <dt>Name</dt>
      <dd>{run.objectMeta?.name}</dd>
      <dt>Status</dt>
      <dd>
        <span className={`status-pill tone-${statusTone(run.status)}`}>
          {run.status ?? 'Pending'}
        </span>
      </dd>
      <dt>Revision</dt>
      <dd>{run.revision ?? '-'}</dd>
      <dt>Images</dt>
      <dd>
        {images.length
          ? images.map((i) => (
              <code key={i} className="block">
                {i}
              </code>
            ))
          : '-'}
      </dd>
      <dt>Time</dt>
      <dd>{range.length ? range.join(' – ') : '-'}</dd>
      <dt>Measurements</dt>
      <dd>
        {run.successful ?? 0} successful · {run.failed ?? 0} failed · {run.inconclusive ?? 0}{' '}
        inconclusive · {run.error ?? 0} error
      </dd>
      {st?.message ? (
        <>
          <dt>Message</dt>
          <dd>{st.message}</dd>
        </>
      ) : null}
    </dl>
  );
}

function fmtTime(t: string | undefined): string {
  if (!t) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString();
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The query (or URL, or job) a metric runs, per provider. */
function queriesOf(m: MetricSpec): { label: string; text: string }[] {
  const p = m.provider ?? {};
  const out: { label: string; text: string }[] = [];
  for (const [kind, cfg] of Object.entries(p)) {
    const c = (cfg ?? {}) as Record<string, unknown>;
    if (kind === 'prometheus') {
      out.push({
        label: `Prometheus${c.address ? ` (${str(c.address)})` : ''}`,
        text: str(c.query),
      });
    } else if (kind === 'web') {
      out.push({ label: `Web ${str(c.method ?? 'GET')}`, text: str(c.url) });
      if (c.jsonPath) out.push({ label: 'JSON path', text: str(c.jsonPath) });
      if (c.body) out.push({ label: 'Body', text: str(c.body) });
    } else if (kind === 'job') {
      out.push({ label: 'Job', text: JSON.stringify(c.spec ?? c, null, 2) });
    } else if (c.query !== undefined) {
      out.push({ label: kind, text: str(c.query) });
    } else {
      out.push({ label: kind, text: JSON.stringify(c, null, 2) });
    }
  }
  return out;
}

function MetricTab({ metric, result }: { metric: MetricSpec; result: MetricResult | undefined }) {
  const ms: Measurement[] = result?.measurements ?? [];
  const reqs: [string, string | number | undefined][] = [
    ['Success condition', metric.successCondition],
    ['Failure condition', metric.failureCondition],
    ['Failure limit', metric.failureLimit ?? 0],
    ['Inconclusive limit', metric.inconclusiveLimit ?? 0],
    ['Consecutive error limit', metric.consecutiveErrorLimit],
    ['Count', metric.count],
    ['Interval', metric.interval],
    ['Initial delay', metric.initialDelay],
  ];
  return (
    <div className="metric-tab">
      <div className="metric-cols">
        <section aria-label="Pass requirements">
          <h3>Pass requirements</h3>
          <dl className="summary">
            {reqs
              .filter(([, v]) => v !== undefined && v !== '')
              .map(([k, v]) => (
                <div key={k} className="summary-pair">
                  <dt>{k}</dt>
                  <dd>
                    <code>{String(v)}</code>
                  </dd>
                </div>
              ))}
          </dl>
          {result ? (
            <p className="muted">
              {result.phase ?? 'Running'}: {result.successful ?? 0} successful, {result.failed ?? 0}{' '}
              failed, {result.inconclusive ?? 0} inconclusive, {result.error ?? 0} error
              {result.message ? ` — ${result.message}` : ''}
            </p>
          ) : null}
        </section>
        <section aria-label="Query">
          <h3>Query</h3>
          {queriesOf(metric).map((q) => (
            <div key={q.label + q.text}>
              <div className="muted small">{q.label}</div>
              <pre className="query">{q.text}</pre>
            </div>
          ))}
        </section>
      </div>
      <section aria-label="Measurements">
        <h3>Measurements</h3>
        <MetricChart
          measurements={ms}
          successCondition={metric.successCondition}
          failureCondition={metric.failureCondition}
        />
        <table className="plain measurements">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
              <th scope="col">Value</th>
              <th scope="col">Phase</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {ms.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No measurements yet.
                </td>
              </tr>
            ) : (
              ms.map((m, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>{fmtTime(m.startedAt)}</td>
                  <td>{fmtTime(m.finishedAt)}</td>
                  <td>
                    <code>{m.value ?? ''}</code>
                  </td>
                  <td>
                    <StatusIcon status={m.phase} decorative /> {m.phase}
                  </td>
                  <td>{m.message ?? ''}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
    </div>
  );
}
