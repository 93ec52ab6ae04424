// The dashboard server (cli-dashboard-ops §3.1): one HTTP port carrying the REST API under
// `/<root>/api/` and the built UI everywhere else under `/<root>`. Unlike the original it binds
// 127.0.0.1 by default, not every interface: the API can change Rollouts with the user's
// credentials and has no authentication of its own (`--address` opts into more).
import http from 'node:http';
import type { Kube } from '../kube.ts';
import { errorReply } from './api-errors.ts';
import { handleApi } from './api-routes.ts';
import { listenWithRetries } from './listen.ts';
import type { RolloutWatchTiming } from './rollout-watch.ts';
import { serveStatic } from './static-files.ts';
import { normalizeRootPath, rootPrefix } from './static-rules.ts';
import type { ResponseStream } from './stream.ts';
import { defaultUiDir } from './ui-dir.ts';

export interface DashboardOptions {
  /** The connection; its namespace is the one `GET /api/v1/namespace` reports. Watches need a full client-node KubeConfig. */
  kube: Kube;
  /** 0 picks a free port. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'rollouts'; '' serves at `/`. */
  rootPath?: string;
  /** The built UI; default the package's dist/ui. */
  uiDir?: string;
  /** Told about each busy-port retry. */
  onListenRetry?: (e: Error, attempt: number) => void;
  /** Test hooks: the SSE keep-alive period and the single watch's re-send timing. */
  keepAliveMs?: number;
  watchTiming?: RolloutWatchTiming;
}

export interface Dashboard {
  /** `http://localhost:<port>/<root>` (the host as given when it is not a loopback or wildcard). */
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', '']);

export function dashboardUrl(host: string, port: number, rootPath: string): string {
  const h = LOCAL_HOSTS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/${normalizeRootPath(rootPath)}`;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const rootPath = normalizeRootPath(opts.rootPath ?? 'rollouts');
  const uiDir = opts.uiDir ?? defaultUiDir();
  const apiPrefix = `${rootPrefix(rootPath)}/api/`;
  const streams = new Set<ResponseStream>();
  const ctx = {
    kube: opts.kube,
    streams,
    keepAliveMs: opts.keepAliveMs,
    watchTiming: opts.watchTiming,
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const work = path.startsWith(apiPrefix)
      ? handleApi(ctx, req, res, path.slice(rootPrefix(rootPath).length))
      : serveStatic(req, res, { uiDir, rootPath });
    work.catch((e: unknown) => {
      // A bug or an I/O failure past the handlers' own error replies: answer if still possible.
      if (!res.headersSent) {
        const reply = errorReply(e);
        res.writeHead(reply.httpStatus, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      } else {
        res.destroy();
      }
    });
  });

  const port = await listenWithRetries(server, opts.port, host, {
    ...(opts.onListenRetry ? { onRetry: opts.onListenRetry } : {}),
  });

  let closing: Promise<void> | undefined;
  return {
    url: dashboardUrl(host, port, rootPath),
    port,
    host,
    close() {
      closing ??= (async () => {
        const open = [...streams];
        for (const s of open) s.end();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // The streams' watches stop in the background; wait so nothing outlives close().
        await Promise.all(open.map((s) => s.stopped()));
      })();
      return closing;
    },
  };
}
