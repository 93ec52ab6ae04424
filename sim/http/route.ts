// Turns a request path into the resource it addresses, as kube-apiserver's request info
// resolver does: /api/v1/..., /apis/<group>/<version>/..., with namespaces and subresources.

export interface ResourceRoute {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Old-style `/watch/` path prefix. */
  legacyWatch: boolean;
}

export type Route =
  | ResourceRoute
  | { kind: 'version' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapiV3Index' }
  | { kind: 'openapiV3Doc'; gvPath: string }
  | { kind: 'openapiV2' }
  | { kind: 'health' }
  | { kind: 'admin'; path: string[] }
  | { kind: 'unknown' };

export function parseRoute(pathname: string): Route {
  const segs = pathname
    .split('/')
    .filter(Boolean)
    .map((s) => (s.includes('%') ? decodeURIComponent(s) : s));
  if (segs[0] === 'version' && segs.length === 1) return { kind: 'version' };
  if (['healthz', 'readyz', 'livez'].includes(segs[0] ?? '')) return { kind: 'health' };
  if (segs[0] === 'sim') return { kind: 'admin', path: segs.slice(1) };
  if (segs[0] === 'openapi') {
    if (segs[1] === 'v2' && segs.length === 2) return { kind: 'openapiV2' };
    if (segs[1] === 'v3' && segs.length === 2) return { kind: 'openapiV3Index' };
    if (segs[1] === 'v3') return { kind: 'openapiV3Doc', gvPath: segs.slice(2).join('/') };
    return { kind: 'unknown' };
  }
  if (segs[0] === 'swagger-2.0.0.pb-v1') return { kind: 'openapiV2' };
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'api' };
    if (segs.length === 2) return { kind: 'groupVersion', group: '', version: segs[1]! };
    return resourceRoute('', segs[1]!, segs.slice(2));
  }
  if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'apis' };
    if (segs.length === 2) return { kind: 'group', group: segs[1]! };
    if (segs.length === 3) return { kind: 'groupVersion', group: segs[1]!, version: segs[2]! };
    return resourceRoute(segs[1]!, segs[2]!, segs.slice(3));
  }
  return { kind: 'unknown' };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... unless it is the namespace object's own subresource.
  const nsSubresource = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !nsSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 3) return { kind: 'unknown' };
  return {
    kind: 'resource',
    group,
    version,
    ...(namespace !== undefined ? { namespace } : {}),
    resource: rest[0]!,
    ...(rest[1] !== undefined ? { name: rest[1] } : {}),
    ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
    legacyWatch,
  };
}
