// The JSON merge patch (RFC 7396) that turns `from` into `to`: only changed keys, `null` for
// removed ones, arrays whole. Argo writes Rollout status this way, so a status write never
// touches fields the controller did not change (a user's concurrent promote survives).

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}

/** undefined when nothing changed. */
export function mergePatchDiff(from: unknown, to: unknown): unknown {
  if (equal(from, to)) return undefined;
  if (!isObject(from) || !isObject(to)) return to === undefined ? null : to;
  const patch: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const a = from[k];
    const b = to[k];
    if (b === undefined) {
      if (a !== undefined) patch[k] = null;
      continue;
    }
    if (a === undefined) {
      patch[k] = b;
      continue;
    }
    const d = mergePatchDiff(a, b);
    if (d !== undefined) patch[k] = d;
  }
  return Object.keys(patch).length ? patch : undefined;
}

export { equal as jsonEqual };
