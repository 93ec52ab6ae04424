// Kubernetes metav1.Time on the wire: RFC3339 in UTC with whole seconds (Go's
// time.RFC3339 layout), e.g. 2026-11-22T01:02:03Z. Sub-second parts are truncated.

export function rfc3339(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
