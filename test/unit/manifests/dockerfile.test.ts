// The Dockerfile cannot be built on the machine it was written on (no Docker engine), so its
// invariants are checked statically: a multi-stage build on node:20-bookworm-slim, production
// dependencies only in the runtime stage, a non-root numeric USER, the entrypoint being the
// package's `rollouts-controller` bin, the ports the Deployment probes and scrapes, and a build
// context (.dockerignore) that holds what the build needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASE_IMAGE = 'node:20-bookworm-slim';

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile syntax: `\` continues a line, comment lines vanish even inside a continuation. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') return;
    const m = /^(\S+)\s*(.*)$/.exec(full)!;
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!, line: start });
  });
  assert.equal(pending, '', 'the Dockerfile ends inside a line continuation');
  return out;
}

function stages(instructions: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM on line ${ins.line}: ${ins.args}`);
      out.push({ from: m[1]!, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
    } else {
      assert.ok(out.length > 0 || ins.op === 'ARG', `${ins.op} before the first FROM`);
      out.at(-1)?.instructions.push(ins);
    }
  }
  return out;
}

const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const all = stages(parseDockerfile(text));
const builder = all[0]!;
const runtime = all.at(-1)!;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op);
const runs = (s: Stage) => ops(s, 'RUN').map((i) => i.args);

/** Exec-form JSON array, as ENTRYPOINT must be so that signals reach node. */
function execForm(ins: Instruction): string[] {
  const v = JSON.parse(ins.args) as unknown;
  assert.ok(Array.isArray(v), 'exec form');
  return v.map((x) => {
    assert.equal(typeof x, 'string', 'exec form');
    return String(x);
  });
}

test('the Dockerfile says at the top that it has not been built here', () => {
  const header = text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .slice(0, 12)
    .join('\n');
  assert.match(header, /no Docker engine/i);
});

test('multi-stage: a builder that compiles, a runtime on the same base image', () => {
  assert.ok(all.length >= 2, 'at least two stages');
  assert.equal(builder.from, BASE_IMAGE);
  assert.equal(builder.name, 'builder');
  assert.equal(runtime.from, BASE_IMAGE);
  assert.ok(
    runs(builder).some((r) => /\bnpm ci\b/.test(r)),
    'builder runs npm ci',
  );
  assert.ok(
    runs(builder).some((r) => /\bnpm run build\b/.test(r)),
    'builder runs npm run build',
  );
  // Everything the runtime takes from the builder is compiled output.
  const fromBuilder = ops(runtime, 'COPY').filter((c) => c.args.startsWith('--from=builder'));
  assert.ok(
    fromBuilder.some((c) => /\/dist\s/.test(c.args)),
    'dist/ comes from the builder',
  );
});

test('the runtime stage installs production dependencies only, without scripts', () => {
  const installs = runs(runtime).filter((r) => /\bnpm (ci|install|i)\b/.test(r));
  assert.equal(installs.length, 1, 'one npm install in the runtime stage');
  assert.match(installs[0]!, /\bnpm ci\b/);
  assert.match(installs[0]!, /--omit=dev\b/);
  assert.match(installs[0]!, /--ignore-scripts\b/);
  const copies = ops(runtime, 'COPY').map((c) => c.args);
  assert.ok(copies.some((c) => /package\.json/.test(c) && /package-lock\.json/.test(c)));
  assert.ok(
    copies.some((c) => /\bbin\b/.test(c)),
    'bin/ is copied',
  );
  // No sources, tests or dev tooling: no `COPY . .` in the runtime stage.
  assert.ok(!copies.some((c) => /^\.\s/.test(c)), 'the runtime does not copy the whole context');
});

test('the runtime runs as a non-root numeric user (uid 999)', () => {
  const users = ops(runtime, 'USER');
  assert.ok(users.length > 0, 'a USER instruction');
  const last = users.at(-1)!;
  const [uid, gid] = last.args.split(':');
  assert.equal(uid, '999', 'numeric, so the kubelet can check runAsNonRoot');
  if (gid !== undefined) assert.match(gid, /^\d+$/);
  // Nothing runs as root after the USER switch, and the entrypoint comes after it.
  const idx = runtime.instructions.indexOf(last);
  const entry = runtime.instructions.findIndex((i) => i.op === 'ENTRYPOINT');
  assert.ok(entry > idx, 'ENTRYPOINT after USER');
});

test('the entrypoint is the package bin rollouts-controller, in exec form', () => {
  const entries = ops(runtime, 'ENTRYPOINT');
  assert.equal(entries.length, 1);
  const argv = execForm(entries[0]!);
  assert.deepEqual(argv, ['node', '/app/bin/rollouts-controller.js']);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const bin = pkg.bin['rollouts-controller'];
  assert.ok(bin, 'package.json has a rollouts-controller bin');
  assert.ok(existsSync(join(ROOT, bin)), `${bin} exists`);
  // WORKDIR /app + the bin's package-relative path is the entrypoint's script.
  const workdir = ops(runtime, 'WORKDIR').at(-1)?.args;
  assert.equal(workdir, '/app');
  assert.equal(posix.join(workdir, posix.normalize(bin)), argv[1]);
  // The bin loads dist/…, which the runtime stage copies to /app/dist.
  const target = /import\s+'(\.\.\/dist\/[^']+)'/.exec(readFileSync(join(ROOT, bin), 'utf8'))?.[1];
  assert.ok(target, `${bin} imports the compiled controller`);
  assert.ok(
    ops(runtime, 'COPY').some((c) =>
      /--from=builder\s+\S*\/dist\s+(\.\/dist|\/app\/dist)\/?$/.test(c.args),
    ),
    'dist/ lands in /app/dist',
  );
});

test('the module the bin loads is compiled from a source the build includes', (t) => {
  const bin = join(ROOT, 'bin', 'rollouts-controller.js');
  const target = /import\s+'\.\.\/dist\/([^']+)\.js'/.exec(readFileSync(bin, 'utf8'))?.[1];
  assert.ok(target, 'bin/rollouts-controller.js imports ../dist/….js');
  const source = `${target}.ts`;
  if (!existsSync(join(ROOT, source))) {
    t.skip(`${source} is not written yet`);
    return;
  }
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
    include: string[];
  };
  assert.ok(
    build.include.includes(source.split('/')[0]!),
    `tsconfig.build.json compiles ${source}`,
  );
});

test('EXPOSE matches the ports the Deployment probes and scrapes', () => {
  const exposed = ops(runtime, 'EXPOSE').flatMap((e) => e.args.split(/\s+/));
  assert.deepEqual(exposed.sort(), ['8080', '8090']);
  const deployment = yaml.load(
    readFileSync(join(ROOT, 'manifests', 'base', '60-deployment.yaml'), 'utf8'),
  ) as {
    spec: { template: { spec: { containers: { ports: { containerPort: number }[] }[] } } };
  };
  const ports = deployment.spec.template.spec.containers[0]!.ports.map((p) => `${p.containerPort}`);
  assert.deepEqual(ports.sort(), exposed);
});

test('.dockerignore keeps the build context to what the build needs', () => {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '*', 'an allow-list: everything is excluded first');
  const allowed = new Set(
    lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')),
  );
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
    extends?: string;
    include: string[];
  };
  const needed = [
    'package.json',
    'package-lock.json',
    'tsconfig.build.json',
    ...(build.extends ? [posix.normalize(build.extends)] : []),
    'bin',
    ...build.include,
    // `npm run build` also runs `vite build --config ui/vite.config.ts`.
    ...(pkgBuildScript().includes('ui/vite.config.ts') ? ['ui'] : []),
  ];
  for (const n of needed) assert.ok(allowed.has(n), `.dockerignore lets ${n} in`);
  for (const n of ['node_modules', 'dist', 'test', '.git']) {
    assert.ok(!allowed.has(n), `.dockerignore keeps ${n} out`);
  }
});

function pkgBuildScript(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts.build ?? '';
}
