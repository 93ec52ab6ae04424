// Runs `kubectl argo rollouts …` through the REAL kubectl binary: a temporary directory holding a
// `kubectl-argo-rollouts` symlink to bin/kubectl-argo-rollouts.js goes first on PATH, so kubectl
// finds the built plugin (dist/, from `npm run build`) the way a user's install would.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { kubectl, kubectlStream, type KubectlResult } from './kubectl.ts';

const ROOT = join(import.meta.dirname, '../..');
export const PLUGIN_BIN = join(ROOT, 'bin/kubectl-argo-rollouts.js');
const BUILT = join(ROOT, 'dist/plugin/cli.js');

export interface PluginEnv {
  /** Directory put first on PATH (holds the symlink). */
  binDir: string;
  env: Record<string, string>;
  close(): void;
}

/** A PATH with the plugin on it. Fails when the plugin has not been built. */
export function pluginEnv(): PluginEnv {
  if (!existsSync(BUILT)) {
    throw new Error(`${BUILT} is missing: run \`npm run build\` before the plugin tests`);
  }
  const binDir = mkdtempSync(join(tmpdir(), 'plugin-bin-'));
  symlinkSync(PLUGIN_BIN, join(binDir, 'kubectl-argo-rollouts'));
  return {
    binDir,
    env: { PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`, TERM: 'dumb' },
    close: () => rmSync(binDir, { recursive: true, force: true }),
  };
}

export interface PluginRunner {
  /** `kubectl argo rollouts <args>`. */
  run(
    args: string[],
    o?: { env?: Record<string, string>; kubeconfig?: string },
  ): Promise<KubectlResult>;
  /** A long-running `kubectl argo rollouts <args>` (watch); stdout and stderr kept apart. */
  stream(
    args: string[],
    o?: { env?: Record<string, string> },
  ): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number> };
}

export function pluginRunner(p: PluginEnv, kubeconfig: string, cacheDir: string): PluginRunner {
  return {
    run(args, o = {}) {
      return kubectl(['argo', 'rollouts', ...args], {
        kubeconfig: o.kubeconfig ?? kubeconfig,
        cacheDir,
        env: { ...p.env, ...o.env },
      });
    },
    stream(args, o = {}) {
      const { child } = kubectlStream(['argo', 'rollouts', ...args], {
        kubeconfig,
        cacheDir,
        env: { ...p.env, ...o.env },
      });
      let stdout = '';
      let stderr = '';
      // kubectlStream merges both streams into its own buffer; keep them apart here too.
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const exit = new Promise<number>((resolve) =>
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
      );
      return { child, stdout: () => stdout, stderr: () => stderr, exit };
    },
  };
}

// ---- a recording proxy in front of the emulator -------------------------------------------

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: string;
  contentType: string;
  body: string;
  /** Raw header pairs as sent (repeated headers appear more than once). */
  rawHeaders: string[];
}

export type Interceptor = (r: RecordedRequest) => { status: number; body: unknown } | undefined;

/**
 * An HTTP proxy that records every request (method, path, content type, body) before passing it
 * to the emulator, so tests can assert on exactly what the plugin sent; `intercept` can answer a
 * request itself (a 404 on /status, say).
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  intercept: Interceptor | undefined;
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<RecordingProxy> {
    const upstream = new URL(target);
    const holder: { proxy?: RecordingProxy } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const rec: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.search,
          contentType: req.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          rawHeaders: req.rawHeaders,
        };
        holder.proxy!.requests.push(rec);
        const answer = holder.proxy!.intercept?.(rec);
        if (answer) {
          const text = JSON.stringify(answer.body);
          res.writeHead(answer.status, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(text),
          });
          res.end(text);
          return;
        }
        const up = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host },
          },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        up.on('error', () => res.destroy());
        res.on('close', () => up.destroy());
        up.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.proxy = new RecordingProxy(server, `http://127.0.0.1:${port}`);
    return holder.proxy;
  }

  /** The values of one header of a request, in order (names case-insensitive). */
  static header(r: RecordedRequest, name: string): string[] {
    const out: string[] = [];
    for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) {
      if (r.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) out.push(r.rawHeaders[i + 1]!);
    }
    return out;
  }

  /** Requests to the API groups the plugin works with (not kubectl's own /version probe). */
  apiRequests(): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.path.startsWith('/apis/') || r.path.startsWith('/api/v1/'),
    );
  }

  clear(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
