// The REST routes of the dashboard API (cli-dashboard-ops §3.2, grpc-gateway's mapping), matched
// on the path with the root path already removed. Pure: the handlers live in api-routes.ts.
//
// Path parameters are percent-decoded one segment at a time, after splitting on `/`, so a
// `%2F` inside a segment stays part of that parameter. `set/{container}/{image=**}/{tag}` takes
// every segment between the container and the last one as the image, joined with `/`, so an
// image like `argoproj/rollouts-demo` may be sent raw or as `argoproj%2Frollouts-demo`.
// `{name}/events` is ours (Argo's API has no events route).

/** The user actions that take only a name: Argo's four, plus pause and resume (ours). */
export const SIMPLE_ACTIONS = ['restart', 'promote', 'abort', 'retry', 'pause', 'resume'] as const;
export type SimpleAction = (typeof SIMPLE_ACTIONS)[number];

export type Route =
  | { kind: 'namespace' }
  | { kind: 'version' }
  | { kind: 'list'; namespace: string }
  | { kind: 'listWatch'; namespace: string }
  | { kind: 'info'; namespace: string; name: string }
  | { kind: 'infoWatch'; namespace: string; name: string }
  | { kind: 'events'; namespace: string; name: string }
  | { kind: 'action'; action: SimpleAction; namespace: string; name: string }
  | { kind: 'setImage'; namespace: string; name: string; container: string; image: string }
  | { kind: 'undo'; namespace: string; name: string; revision: string };

export type RouteMatch =
  | { ok: true; route: Route }
  /** `methodNotAllowed`: the path exists for another method. */
  | { ok: false; reason: 'notFound' | 'methodNotAllowed' | 'badPath' };

function decodeSegments(path: string): string[] | undefined {
  const raw = path.split('/');
  // Leading '' (the path starts with '/'); keep inner empties so `a//b` does not match.
  if (raw[0] === '') raw.shift();
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Matches `method path` (path without the query, starting with `/api/`). */
export function matchRoute(method: string, path: string): RouteMatch {
  const seg = decodeSegments(path);
  if (!seg) return { ok: false, reason: 'badPath' };
  if (seg.some((s) => s === '')) return { ok: false, reason: 'notFound' };
  const found = (route: Route, wanted: 'GET' | 'PUT'): RouteMatch =>
    method === wanted ? { ok: true, route } : { ok: false, reason: 'methodNotAllowed' };
  if (seg[0] !== 'api' || seg[1] !== 'v1') return { ok: false, reason: 'notFound' };
  const rest = seg.slice(2);
  if (rest.length === 1 && rest[0] === 'namespace') return found({ kind: 'namespace' }, 'GET');
  if (rest.length === 1 && rest[0] === 'version') return found({ kind: 'version' }, 'GET');
  if (rest[0] !== 'rollouts' || rest.length < 3) return { ok: false, reason: 'notFound' };
  const namespace = rest[1]!;
  const a = rest.slice(2);
  if (a.length === 1 && a[0] === 'info') return found({ kind: 'list', namespace }, 'GET');
  if (a.length === 2 && a[0] === 'info' && a[1] === 'watch') {
    return found({ kind: 'listWatch', namespace }, 'GET');
  }
  const name = a[0]!;
  if (a.length === 2 && a[1] === 'info') return found({ kind: 'info', namespace, name }, 'GET');
  if (a.length === 3 && a[1] === 'info' && a[2] === 'watch') {
    return found({ kind: 'infoWatch', namespace, name }, 'GET');
  }
  if (a.length === 2 && a[1] === 'events') return found({ kind: 'events', namespace, name }, 'GET');
  if (a.length === 2 && (SIMPLE_ACTIONS as readonly string[]).includes(a[1]!)) {
    return found({ kind: 'action', action: a[1] as SimpleAction, namespace, name }, 'PUT');
  }
  if (a.length >= 5 && a[1] === 'set') {
    return found(
      {
        kind: 'setImage',
        namespace,
        name,
        container: a[2]!,
        image: `${a.slice(3, -1).join('/')}:${a[a.length - 1]!}`,
      },
      'PUT',
    );
  }
  if (a.length === 3 && a[1] === 'undo') {
    return found({ kind: 'undo', namespace, name, revision: a[2]! }, 'PUT');
  }
  return { ok: false, reason: 'notFound' };
}
