// `version [--short]`: `kubectl-argo-rollouts: <version>` and, without --short, the build lines.
// The version is `v<package version>+<first 7 of the git commit>` (`+unknown` outside a git
// checkout), read from the package's own .git when there is one.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { newCommand } from './common.ts';

function packageRoot(): string | undefined {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'plugin'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

function gitCommit(root: string): string {
  try {
    const gitDir = join(root, '.git');
    if (!statSync(gitDir).isDirectory()) return '';
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return '';
    const refFile = join(gitDir, ref);
    if (existsSync(refFile)) return readFileSync(refFile, 'utf8').trim();
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
    for (const line of packed.split('\n')) {
      const [sha, name] = line.split(' ');
      if (name === ref && sha) return sha;
    }
  } catch {
    return '';
  }
  return '';
}

const GO_OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' };

export interface VersionInfo {
  version: string;
  buildDate: string;
  gitCommit: string;
  gitTreeState: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export function versionInfo(): VersionInfo {
  const root = packageRoot();
  let pkgVersion = '99.99.99';
  let commit = '';
  let buildDate = '1970-01-01T00:00:00Z';
  if (root) {
    try {
      pkgVersion = (
        JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
      ).version;
    } catch {
      pkgVersion = '99.99.99';
    }
    commit = gitCommit(root);
    const built = join(root, 'dist', 'plugin', 'cli.js');
    if (existsSync(built)) {
      buildDate = new Date(statSync(built).mtimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
  }
  return {
    version: `v${pkgVersion}+${commit ? commit.slice(0, 7) : 'unknown'}`,
    buildDate,
    gitCommit: commit,
    gitTreeState: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${GO_OS[process.platform] ?? process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
  };
}

export function versionCommand(): Command {
  return newCommand('version', {
    usage: '[flags]',
    short: 'Print version',
    long: 'Show the version and build information of the Argo Rollouts plugin.',
    example: `
  # Get full version info
  kubectl argo rollouts version

  # Get just plugin version number
  kubectl argo rollouts version --short`,
  })
    .allowExcessArguments(true)
    .option('--short', 'print just the version number')
    .action((opts: { short?: boolean }) => {
      const v = versionInfo();
      let out = `kubectl-argo-rollouts: ${v.version}\n`;
      if (!opts.short) {
        out +=
          `  BuildDate: ${v.buildDate}\n` +
          `  GitCommit: ${v.gitCommit}\n` +
          `  GitTreeState: ${v.gitTreeState}\n` +
          `  GoVersion: ${v.goVersion}\n` +
          `  Compiler: ${v.compiler}\n` +
          `  Platform: ${v.platform}\n`;
      }
      process.stdout.write(out);
    });
}
