// dryRun and measurementRetention rules (analysis.md §1.6, §3.4): unanchored Go RE2 patterns
// matched against metric names; every rule must match at least one metric.
import type { DryRunRule, MeasurementRetentionRule, Metric } from '../api/analysis.ts';

export type RuleResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Go's regexp.MatchString(pattern, name), approximated with a JS RegExp (the spec allows it for
 * typical patterns). A leading RE2 flag group such as `(?i)` becomes a JS flag. An invalid
 * pattern — e.g. a bare `*` — never matches.
 */
export function ruleMatches(pattern: string, name: string): boolean {
  let source = pattern;
  let flags = '';
  const m = /^\(\?([imsU]+)\)/.exec(source);
  if (m) {
    if (m[1]?.includes('U')) return false; // ungreedy mode has no JS equivalent
    flags = [...new Set(m[1])].join('');
    source = source.slice(m[0].length);
  }
  try {
    return new RegExp(source, flags).test(name);
  } catch {
    return false;
  }
}

/** Names of the metrics that run in dry-run mode, or `dryRun[<i>]: Rule didn't match …`. */
export function dryRunMetrics(
  rules: readonly DryRunRule[] | undefined,
  metrics: readonly Pick<Metric, 'name'>[],
): RuleResult<Set<string>> {
  const out = new Set<string>();
  for (const [i, rule] of (rules ?? []).entries()) {
    let matched = 0;
    for (const m of metrics) {
      if (ruleMatches(rule.metricName, m.name)) {
        out.add(m.name);
        matched++;
      }
    }
    if (matched === 0) {
      return { ok: false, error: `dryRun[${i}]: Rule didn't match any metric name(s)` };
    }
  }
  return { ok: true, value: out };
}

/**
 * Metric name → the `limit` of the last retention rule matching it, or
 * `measurementRetention[<i>]: Rule didn't match any metric name(s)`.
 */
export function measurementRetentionLimits(
  rules: readonly MeasurementRetentionRule[] | undefined,
  metrics: readonly Pick<Metric, 'name'>[],
): RuleResult<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [i, rule] of (rules ?? []).entries()) {
    let matched = 0;
    for (const m of metrics) {
      if (ruleMatches(rule.metricName, m.name)) {
        out.set(m.name, rule.limit);
        matched++;
      }
    }
    if (matched === 0) {
      return {
        ok: false,
        error: `measurementRetention[${i}]: Rule didn't match any metric name(s)`,
      };
    }
  }
  return { ok: true, value: out };
}
