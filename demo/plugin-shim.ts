// kubectl finds plugins as executables named kubectl-<name> on the PATH; our plugin's bin is
// bin/kubectl-argo-rollouts.js. The demo writes a two-line shell shim into <dataDir>/bin so that
// `export PATH=<dataDir>/bin:$PATH` is enough for `kubectl argo rollouts …` (no npm link needed).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const shQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** Writes the shim and returns its directory. */
export function writePluginShim(dataDir: string, pluginBin: string): string {
  const dir = join(dataDir, 'bin');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kubectl-argo-rollouts');
  writeFileSync(
    file,
    `#!/bin/sh\n# Written by npm run demo: the kubectl argo rollouts plugin of this checkout.\nexec ${shQuote(process.execPath)} ${shQuote(pluginBin)} "$@"\n`,
  );
  chmodSync(file, 0o755);
  return dir;
}
