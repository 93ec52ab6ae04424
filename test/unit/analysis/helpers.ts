// Shared builders for the analysis core tests. Counters are computed here independently of
// src/analysis/measurement.ts, so a bug there cannot hide one elsewhere.
import type { Measurement, Metric, MetricResult } from '../../../src/api/analysis.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
/** The instant `s` seconds after T0. */
export const at = (s: number): Date => new Date(T0 + s * 1000);
/** RFC 3339 of `s` seconds after T0. */
export const ts = (s: number): string =>
  new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');

export function metric(over: Partial<Metric> = {}): Metric {
  return { name: 'm', provider: { prometheus: { address: 'http://p:9090', query: 'q' } }, ...over };
}

type P = 'Successful' | 'Failed' | 'Inconclusive' | 'Error' | 'Running' | 'Pending';
const LETTER: Record<string, P> = {
  S: 'Successful',
  F: 'Failed',
  I: 'Inconclusive',
  E: 'Error',
  R: 'Running',
};

/** Measurements from letters (`'S F E R'` or `'SFER'`), one per 60 s from T0; R is in flight. */
export function measurements(letters: string): Measurement[] {
  return [...letters.replace(/\s/g, '')].map((l, i) => {
    const phase = LETTER[l];
    if (!phase) throw new Error(`bad letter ${l}`);
    const m: Measurement = { phase, startedAt: ts(i * 60) };
    if (phase !== 'Running') m.finishedAt = ts(i * 60);
    return m;
  });
}

/** A metric result with the counters Argo keeps for these measurements. */
export function result(
  letters: string,
  over: Partial<MetricResult> = {},
  name = over.name ?? 'm',
): MetricResult {
  const ms = measurements(letters);
  const r: MetricResult = { name, phase: 'Running', measurements: ms };
  let count = 0;
  let successful = 0;
  let failed = 0;
  let inconclusive = 0;
  let error = 0;
  let consecutiveError = 0;
  let consecutiveSuccess = 0;
  for (const m of ms) {
    if (m.phase === 'Successful') {
      count++;
      successful++;
      consecutiveError = 0;
      consecutiveSuccess++;
    } else if (m.phase === 'Failed' || m.phase === 'Inconclusive') {
      count++;
      if (m.phase === 'Failed') failed++;
      else inconclusive++;
      consecutiveError = 0;
      consecutiveSuccess = 0;
    } else if (m.phase === 'Error') {
      error++;
      consecutiveError++;
      consecutiveSuccess = 0;
    }
  }
  const counters = {
    count,
    successful,
    failed,
    inconclusive,
    error,
    consecutiveError,
    consecutiveSuccess,
  };
  for (const [k, v] of Object.entries(counters)) if (v !== 0) (r as Record<string, unknown>)[k] = v;
  return { ...r, ...over };
}
