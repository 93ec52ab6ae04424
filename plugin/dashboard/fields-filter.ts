// `?fields=` on the dashboard API (cli-dashboard-ops §3.3): `a.b,c` keeps only those dotted
// paths of the response, `-a.b` removes them. A path that crosses an array applies to each of
// its elements, so `replicaSets.objectMeta.name` works on the list of ReplicaSets. Applied to
// the payload itself, so it works the same on unary responses and on each streamed `result`.

export interface FieldsFilter {
  include: string[][];
  exclude: string[][];
}

/**
 * Parses the query value(s). A leading `-` on the first path makes the whole list an exclusion
 * list (`-a,b` removes both), as the original's marshaler reads it; undefined when there is
 * nothing to filter.
 */
export function parseFields(values: readonly string[]): FieldsFilter | undefined {
  const filter: FieldsFilter = { include: [], exclude: [] };
  for (const value of values) {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (parts.length === 0) continue;
    const exclude = parts[0]!.startsWith('-');
    for (const p of parts) {
      const path = (p.startsWith('-') ? p.slice(1) : p).split('.').filter((s) => s !== '');
      if (path.length === 0) continue;
      (exclude ? filter.exclude : filter.include).push(path);
    }
  }
  return filter.include.length || filter.exclude.length ? filter : undefined;
}

export function applyFields(value: unknown, filter: FieldsFilter): unknown {
  let out = value;
  if (filter.include.length > 0) out = keep(out, filter.include);
  for (const path of filter.exclude) out = drop(out, path);
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy holding only the listed paths (each path's first segment grouped with its rest). */
function keep(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((v) => keep(v, paths));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const byKey = new Map<string, string[][]>();
  for (const [head, ...rest] of paths) {
    if (head === undefined) continue;
    const list = byKey.get(head) ?? [];
    list.push(rest);
    byKey.set(head, list);
  }
  for (const [key, rests] of byKey) {
    if (!(key in value)) continue;
    // A path ending here keeps the whole value, whatever longer paths also name.
    out[key] = rests.some((r) => r.length === 0)
      ? value[key]
      : keep(
          value[key],
          rests.filter((r) => r.length > 0),
        );
  }
  return out;
}

/** A copy without one path. */
function drop(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => drop(v, path));
  if (!isRecord(value)) return value;
  const [head, ...rest] = path;
  if (head === undefined || !(head in value)) return value;
  const out = { ...value };
  if (rest.length === 0) delete out[head];
  else out[head] = drop(value[head], rest);
  return out;
}
