// Serves the built UI (dist/ui) by the rules of static-rules.ts. Files are read per request
// (the UI may be rebuilt while the dashboard runs); when the UI has not been built, a small
// page says so instead of index.html.
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { contentTypeOf, rewriteBaseHref, staticDecision } from './static-rules.ts';

const NOT_BUILT = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Argo Rollouts</title><base href="/" /></head>
<body>
<h1>Argo Rollouts Dashboard</h1>
<p>The dashboard UI is not built. Run <code>npm run build</code> in the argo-rollouts-ts
package, then reload this page. The API is available under <code>api/v1/</code>.</p>
</body>
</html>
`;

function send(res: ServerResponse, status: number, type: string, body: Buffer | string): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length });
  res.end(buf);
}

async function readFileIfRegular(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

async function sendIndex(res: ServerResponse, uiDir: string, rootPath: string): Promise<void> {
  const index = await readFileIfRegular(join(uiDir, 'index.html'));
  const html = index ? index.toString('utf8') : NOT_BUILT;
  send(res, 200, 'text/html; charset=utf-8', rewriteBaseHref(html, rootPath));
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  o: { uiDir: string; rootPath: string },
): Promise<void> {
  const d = staticDecision(req.url ?? '/', o.rootPath);
  switch (d.kind) {
    case 'redirect':
      res.writeHead(302, { Location: d.location, 'Content-Length': 0 });
      res.end();
      return;
    case 'notFound':
      send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
      return;
    case 'index':
      await sendIndex(res, o.uiDir, o.rootPath);
      return;
    case 'file': {
      const body = await readFileIfRegular(join(o.uiDir, d.file));
      if (!body) {
        await sendIndex(res, o.uiDir, o.rootPath);
        return;
      }
      if (/(^|\/)index\.html$/.test(d.file)) {
        send(res, 200, contentTypeOf(d.file), rewriteBaseHref(body.toString('utf8'), o.rootPath));
        return;
      }
      send(res, 200, contentTypeOf(d.file), body);
    }
  }
}
