// Runs the real kubectl binary against a target, with a private discovery cache so that no
// state leaks between runs (kubectl caches discovery per host:port for hours).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const KUBECTL_132 = process.env.KUBECTL ?? 'kubectl';
export const KUBECTL_120 = join(import.meta.dirname, '../../.tools/kubectl-1.20/usr/bin/kubectl');

export function requireKubectl120(): string {
  if (!existsSync(KUBECTL_120)) {
    throw new Error(
      `kubectl 1.20 is missing at ${KUBECTL_120}: run scripts/install-system-deps.sh`,
    );
  }
  return KUBECTL_120;
}

export interface KubectlOptions {
  kubeconfig: string;
  cacheDir: string;
  bin?: string;
  input?: string;
  env?: Record<string, string>;
}

export function kubectl(args: string[], o: KubectlOptions): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      o.bin ?? KUBECTL_132,
      args,
      {
        env: {
          ...process.env,
          KUBECONFIG: o.kubeconfig,
          KUBECACHEDIR: o.cacheDir,
          HOME: o.cacheDir,
          ...o.env,
        },
        timeout: 60_000,
        // `kubectl get -f install.yaml -o json` prints several MiB (the CRD schemas).
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (o.input !== undefined) child.stdin?.end(o.input);
  });
}

/** Starts a long-running kubectl (e.g. `get -w`); collect its output and kill it when done. */
export function kubectlStream(
  args: string[],
  o: KubectlOptions,
): { child: ChildProcess; output: () => string } {
  const child = spawn(o.bin ?? KUBECTL_132, args, {
    env: {
      ...process.env,
      KUBECONFIG: o.kubeconfig,
      KUBECACHEDIR: o.cacheDir,
      HOME: o.cacheDir,
      ...o.env,
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}
