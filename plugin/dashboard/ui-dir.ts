// Where the built UI is by default: `dist/ui` of this package. The module runs from
// `plugin/dashboard/` (tsx) or `dist/plugin/dashboard/` (built), so walk up to the directory
// holding package.json rather than counting levels.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageRoot(from: string = import.meta.dirname): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function defaultUiDir(): string {
  const root = packageRoot();
  return join(root ?? process.cwd(), 'dist', 'ui');
}
