// Which static answer a request path gets (cli-dashboard-ops §3.1), as a pure decision:
//   1. `/` when the root path is not `/` → 302 to `/<R>/`;
//   2. a path containing `..` → 404 (checked on the decoded path, so `%2e%2e` counts too);
//   3. a path outside `/<R>` → 404;
//   4. exactly `/<R>` → index.html;
//   5. otherwise the file at the path without `/<R>`; the server falls back to index.html when
//      that file is missing or a directory (the SPA's client-side routes).
// Plus the `<base href>` rewrite of index.html and the Content-Type table.

/** `rollouts`, `/rollouts/`, `a/b` → `a/b`; `` and `/` → `` (served at `/`). */
export function normalizeRootPath(rootPath: string): string {
  return rootPath.replace(/^\/+|\/+$/g, '');
}

/** The URL prefix of the root path: `/rollouts`, or `` for the empty root. */
export function rootPrefix(rootPath: string): string {
  const r = normalizeRootPath(rootPath);
  return r === '' ? '' : `/${r}`;
}

export type StaticDecision =
  | { kind: 'redirect'; location: string }
  | { kind: 'notFound' }
  | { kind: 'index' }
  /** `file` is relative to the UI directory, without `..` and without a leading `/`. */
  | { kind: 'file'; file: string };

/** Collapses `//` and `.` segments and drops a trailing `/` (Go's path.Clean without `..`). */
function clean(path: string): string {
  const parts = path.split('/').filter((s) => s !== '' && s !== '.');
  return `/${parts.join('/')}`;
}

/** The decision for a request target (`/rollouts/x?y=1`; the query is ignored). */
export function staticDecision(requestTarget: string, rootPath: string): StaticDecision {
  const rawPath = requestTarget.split('?')[0]!.split('#')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'notFound' };
  }
  const prefix = rootPrefix(rootPath);
  const path = clean(decoded);
  if (path === '/' && prefix !== '') return { kind: 'redirect', location: `${prefix}/` };
  if (decoded.includes('..') || decoded.includes('\0')) return { kind: 'notFound' };
  if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) {
    return { kind: 'notFound' };
  }
  if (path === prefix || path === '/') return { kind: 'index' };
  return { kind: 'file', file: path.slice(prefix.length + 1) };
}

/** index.html with its `<base href="…">` pointing at the root path (the UI derives its API and router base from it). */
export function rewriteBaseHref(html: string, rootPath: string): string {
  const href = `${rootPrefix(rootPath)}/`;
  return html.replace(/<base\s+href="[^"]*"\s*\/?>/i, `<base href="${href}" />`);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'text/xml; charset=utf-8',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

/** Content-Type by extension; `text/plain` for anything unknown (§3.1). */
export function contentTypeOf(file: string): string {
  const m = /\.[^./]+$/.exec(file);
  return (m && CONTENT_TYPES[m[0].toLowerCase()]) || 'text/plain';
}
