#!/usr/bin/env node
// Runs the compiled plugin; until the plugin exists, say so in one line instead of a stack trace.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/plugin/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error(
    'kubectl-argo-rollouts: the plugin is not built yet in this version of argo-rollouts-ts',
  );
  process.exit(1);
}
await import(entry.href);
