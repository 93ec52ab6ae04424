// Analysis phases (analysis.md §2.1): completion and the "worse" order that combines metrics.
import type { AnalysisPhase } from '../api/analysis.ts';

export type { AnalysisPhase };

/** Successful, Failed, Error or Inconclusive. Anything else (Pending, Running, "", junk) is not. */
export function isCompleted(phase: string | undefined): boolean {
  return (
    phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive'
  );
}

/** Best → worst. Unknown and empty strings rank like Successful (index 0). */
const ORDER: readonly string[] = [
  'Successful',
  'Running',
  'Pending',
  'Inconclusive',
  'Error',
  'Failed',
];

function rank(phase: string): number {
  const i = ORDER.indexOf(phase);
  return i < 0 ? 0 : i;
}

/** Go's IsWorse(current, next): `next` is strictly worse than `current`. */
export function isWorse(current: string, next: string): boolean {
  return rank(next) > rank(current);
}

/** Kubernetes metav1.Time as serialised: RFC 3339, whole seconds, UTC. */
export { rfc3339 } from '../util/time.ts';

/** A stored timestamp in epoch ms; NaN when absent or unparsable. */
export function timeMs(t: string | undefined): number {
  return t === undefined ? NaN : Date.parse(t);
}
