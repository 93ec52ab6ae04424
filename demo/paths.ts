// Where the demo finds the package it belongs to: the package root (the directory holding our
// package.json, found by walking up from this file, so the same code works as demo/*.ts under
// tsx and as dist/demo/*.js after the build), the manifests, the CRDs and the bin scripts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'argo-rollouts-ts';

export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
      if (name === PACKAGE_NAME) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`demo: cannot find the ${PACKAGE_NAME} package above ${from}`);
    dir = parent;
  }
}

export interface PackagePaths {
  root: string;
  manifests: string;
  crds: string;
  simBin: string;
  controllerBin: string;
  pluginBin: string;
  /** Prometheus unpacked by scripts/install-system-deps.sh. */
  toolsPrometheus: string;
}

export function packagePaths(root: string = findPackageRoot()): PackagePaths {
  return {
    root,
    manifests: join(root, 'demo', 'manifests'),
    crds: join(root, 'crds'),
    simBin: join(root, 'bin', 'rollouts-sim.js'),
    controllerBin: join(root, 'bin', 'rollouts-controller.js'),
    pluginBin: join(root, 'bin', 'kubectl-argo-rollouts.js'),
    toolsPrometheus: join(root, '.tools', 'prometheus', 'usr', 'bin', 'prometheus'),
  };
}
