// The browser tests' world: the emulator with our controllers, the real dashboard server
// serving the built UI (dist/ui), a small web endpoint for `web` analysis metrics, and
// headless Debian Chromium driven by playwright-core.
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../plugin/dashboard/server.ts';
import { loadKube } from '../../plugin/kube.ts';
import { Cluster, startController, type ControllerHandle } from '../support/controller.ts';
import { openTarget, type Target } from '../support/target.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** The flags that work on this machine's closed network (no background connections). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
];

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI a missing
 * Chromium is a failure, never a silent skip.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`browser tests need Chromium: ${reason}`);
  return reason;
}

/** Builds the UI with Vite when dist/ui has not been built yet (npm test builds it first). */
export async function ensureUiBuilt(): Promise<void> {
  if (existsSync(`${UI_DIR}index.html`)) return;
  const { build } = await import('vite');
  await build({ configFile: `${ROOT}ui/vite.config.ts`, logLevel: 'warn' });
}

export interface WebMetric {
  url: string;
  /** Requests answered so far. */
  count(): number;
  stop(): Promise<void>;
}

/** `GET /` answers `{"successRate": <value>}`, walking through `values` (then repeating the last). */
export async function startWebMetric(values: number[]): Promise<WebMetric> {
  let n = 0;
  const server = http.createServer((_req, res) => {
    const v = values[Math.min(n, values.length - 1)] ?? 1;
    n++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ successRate: v }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    count: () => n,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Stack {
  target: Target;
  cluster: Cluster;
  ctl: ControllerHandle;
  namespace: string;
  dashboard: Dashboard;
  browser: Browser;
  /** `http://localhost:<port>/rollouts/` */
  baseUrl: string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  await ensureUiBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const target = await openTarget();
  const cleanups: (() => Promise<unknown>)[] = [() => target.close()];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const cluster = new Cluster(target.kc);
    await cluster.installCrds();
    const ctl = await startController(target);
    cleanups.push(() => ctl.stop());
    const namespace = await target.namespace('ui');
    const kube = await loadKube({ kubeconfig: target.kubeconfigPath, namespace }, { full: true });
    const dashboard = await startDashboard({ kube, port: 0, rootPath: 'rollouts', uiDir: UI_DIR });
    cleanups.push(() => dashboard.close());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    cleanups.push(() => browser.close());
    const baseUrl = `http://127.0.0.1:${dashboard.port}/rollouts/`;
    return {
      target,
      cluster,
      ctl,
      namespace,
      dashboard,
      browser,
      baseUrl,
      async newPage() {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        page.setDefaultTimeout(20_000);
        return page;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
