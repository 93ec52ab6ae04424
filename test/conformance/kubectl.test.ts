// The real kubectl, unchanged, against the target: kubectl 1.32 (what users run today) and
// Debian's kubectl 1.20 (legacy discovery, openapi v2). Every manifest of the public Argo
// Rollouts projects in fixtures/ must apply, and the everyday commands must print what they
// print against kube-apiserver 1.32 (kubectl-wire.md). Runs against the emulator, or a real
// cluster when KUBECONFIG_CONFORMANCE is set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import yaml from 'js-yaml';
import {
  kubectl,
  kubectlStream,
  requireKubectl120,
  type KubectlResult,
} from '../support/kubectl.ts';
import { eventually, openTarget, type Target } from '../support/target.ts';

const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
const CRD_DIR = new URL('argo-rollouts/crds/', FIXTURES);
const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';

/** The kinds of fixtures/ this test applies, and the name kubectl prints for each. */
const APPLIED_KINDS: Record<string, string> = {
  Rollout: 'rollout.argoproj.io',
  AnalysisTemplate: 'analysistemplate.argoproj.io',
  ClusterAnalysisTemplate: 'clusteranalysistemplate.argoproj.io',
  Service: 'service',
  Ingress: 'ingress.networking.k8s.io',
};

// rollouts-demo/analysis/rollout-with-analysis.yaml sets the deprecated
// `spec.strategy.canary.analysis.templateName`, which Argo's own Rollout CRD (fixtures/
// argo-rollouts/crds/rollout-crd.yaml) does not define: canary.analysis only has `templates`.
// kubectl's default validation is Strict, so kube-apiserver rejects the file with a strict
// decoding error; with --validate=warn it prunes the field and kubectl prints a warning.
const DEPRECATED_FIELD_FILE = 'rollouts-demo/analysis/rollout-with-analysis.yaml';
const DEPRECATED_FIELD = 'spec.strategy.canary.analysis.templateName';

const AGE = /^\d+(s|m|h|d|y)/;

// Client-side `kubectl apply` stores the whole manifest, as compact JSON, in the
// kubectl.kubernetes.io/last-applied-configuration annotation, and kube-apiserver caps the
// annotations of any object at 262144 bytes (apimachinery TotalAnnotationSizeLimitB). Two of
// Argo's CRDs are bigger than that (about 267 KB and 291 KB as kubectl encodes them), so a
// real cluster rejects `kubectl apply -f` of them; Argo Rollouts' own install instructions use
// `kubectl apply --server-side` for this reason. These two are installed with `kubectl create`.
const TOO_BIG_FOR_CLIENT_SIDE_APPLY = ['analysis-run-crd.yaml', 'rollout-crd.yaml'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  [key: string]: unknown;
}

interface RolloutObj extends Manifest {
  spec: { replicas?: number; [key: string]: unknown };
  metadata: Manifest['metadata'] & { uid?: string; resourceVersion?: string };
}

function rollout(name: string, replicas = 2): RolloutObj {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

function service(name: string, port: number): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: {
      selector: { app: name },
      ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }],
    },
  };
}

/** Every file under `dir`, as paths relative to FIXTURES, sorted. */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel)).sort()) {
    const p = rel ? `${rel}/${e}` : e;
    if (statSync(join(dir, p)).isDirectory()) out.push(...walk(dir, p));
    else out.push(p);
  }
  return out;
}

function loadAll(text: string): unknown[] {
  return yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA }).filter((d) => d != null);
}

/** Whitespace-insensitive lines. */
function lines(out: string): string[][] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/));
}

function ok(r: KubectlResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe('kubectl against the target', () => {
  let target: Target;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const cleanup: (() => Promise<unknown>)[] = [];
  const crdApplies = new Map<string, KubectlResult>();

  /** kubectl 1.32, with this target's kubeconfig and private discovery cache. */
  const k = (args: string[], input?: string): Promise<KubectlResult> =>
    kubectl(args, {
      kubeconfig: target.kubeconfigPath,
      cacheDir: target.tmpDir,
      ...(input !== undefined ? { input } : {}),
    });

  before(async () => {
    target = await openTarget();
    custom = target.kc.makeApiClient(CustomObjectsApi);
    core = target.kc.makeApiClient(CoreV1Api);
    const ext = target.kc.makeApiClient(ApiextensionsV1Api);
    // `kubectl apply -f` of every CRD file, unchanged; the results are asserted below.
    for (const file of readdirSync(CRD_DIR).sort()) {
      const path = fileURLToPath(new URL(file, CRD_DIR));
      const applied = await k(['apply', '-f', path]);
      crdApplies.set(file, applied);
      if (applied.code !== 0 && TOO_BIG_FOR_CLIENT_SIDE_APPLY.includes(file)) {
        // Install it the way that works with client-side kubectl: no last-applied annotation.
        const created = await k(['create', '-f', path]);
        const installed = created.stderr.includes('AlreadyExists')
          ? await k(['replace', '-f', path])
          : created;
        ok(installed, `create/replace -f ${file}`);
      }
    }
    for (const name of [
      'rollouts.argoproj.io',
      'analysistemplates.argoproj.io',
      'clusteranalysistemplates.argoproj.io',
      'analysisruns.argoproj.io',
      'experiments.argoproj.io',
    ]) {
      await eventually(
        async () =>
          (await ext.readCustomResourceDefinition({ name })).status?.conditions?.some(
            (c) => c.type === 'Established' && c.status === 'True',
          ),
        `${name} established`,
        30_000,
        200,
      );
    }
  });

  after(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    await target.close();
  });

  async function readRollout(ns: string, name: string): Promise<RolloutObj> {
    return (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural: 'rollouts',
      name,
    })) as RolloutObj;
  }

  async function rolloutStatusCode(ns: string, name: string): Promise<number> {
    try {
      await readRollout(ns, name);
      return 200;
    } catch (e) {
      if (e instanceof ApiException) return e.code;
      throw e;
    }
  }

  async function applyRollout(ns: string, obj: Manifest): Promise<void> {
    ok(await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj)), `apply ${obj.metadata.name}`);
  }

  describe('kubectl 1.32', () => {
    it('apply -f of each Argo CRD: accepted, or refused for the 256 KiB annotation limit', () => {
      assert.deepEqual([...crdApplies.keys()].sort(), [
        'analysis-run-crd.yaml',
        'analysis-template-crd.yaml',
        'cluster-analysis-template-crd.yaml',
        'experiment-crd.yaml',
        'rollout-crd.yaml',
      ]);
      for (const [file, r] of crdApplies) {
        if (TOO_BIG_FOR_CLIENT_SIDE_APPLY.includes(file)) {
          // See TOO_BIG_FOR_CLIENT_SIDE_APPLY.
          assert.equal(r.code, 1, `${file}: ${r.stdout}`);
          assert.match(
            r.stderr,
            /The CustomResourceDefinition "[a-z]+\.argoproj\.io" is invalid: metadata\.annotations: Too long: .*262144 bytes/,
            file,
          );
        } else {
          assert.equal(r.code, 0, `${file}: ${r.stderr}`);
          assert.match(
            r.stdout.trim(),
            /^customresourcedefinition\.apiextensions\.k8s\.io\/[a-z]+\.argoproj\.io (created|configured|unchanged)$/,
            file,
          );
        }
      }
    });

    it('applies every Rollout, AnalysisTemplate, ClusterAnalysisTemplate, Service and Ingress in fixtures/', async () => {
      const ns = await target.namespace('fixtures');
      const fixturesDir = fileURLToPath(FIXTURES);
      const expected = new Map<string, Set<string>>(); // kind → names
      let applied = 0;
      for (const file of walk(fixturesDir)) {
        if (!/\.ya?ml$/.test(file) || file.startsWith('argo-rollouts/crds/')) continue;
        const docs = loadAll(readFileSync(join(fixturesDir, file), 'utf8')) as Manifest[];
        for (const doc of docs) {
          const printed = APPLIED_KINDS[doc.kind];
          if (!printed) continue;
          const name = doc.metadata.name;
          const input = JSON.stringify(doc);
          let r: KubectlResult;
          if (file === DEPRECATED_FIELD_FILE) {
            // See DEPRECATED_FIELD_FILE: Strict (the default) is refused by the server …
            const strict = await k(['apply', '-n', ns, '-f', '-'], input);
            assert.notEqual(strict.code, 0, `${file} must be refused under strict validation`);
            assert.match(strict.stderr, /^Error from server \(BadRequest\): error when /m);
            assert.ok(
              strict.stderr.includes(`strict decoding error: unknown field "${DEPRECATED_FIELD}"`),
              strict.stderr,
            );
            // … and accepted, pruned, with a warning under --validate=warn.
            r = await k(['apply', '--validate=warn', '-n', ns, '-f', '-'], input);
            assert.ok(
              r.stderr.includes(`Warning: unknown field "${DEPRECATED_FIELD}"`),
              `${file}: ${r.stderr}`,
            );
          } else {
            r = await k(['apply', '-n', ns, '-f', '-'], input);
            assert.doesNotMatch(r.stderr, /unknown field/, `${file}: ${r.stderr}`);
          }
          assert.equal(r.code, 0, `${file} ${doc.kind}/${name}: ${r.stderr}`);
          assert.match(
            r.stdout.trim(),
            new RegExp(`^${printed.replace(/\./g, '\\.')}/${name} (created|configured|unchanged)$`),
            `${file} ${doc.kind}/${name}`,
          );
          if (doc.kind === 'ClusterAnalysisTemplate') {
            cleanup.push(() => k(['delete', 'clusteranalysistemplate', name, '--wait=false']));
          }
          const names = expected.get(doc.kind) ?? new Set<string>();
          names.add(name);
          expected.set(doc.kind, names);
          applied++;
        }
      }
      assert.ok(applied >= 40, `applied ${applied} documents`);

      // Everything is there.
      const listNames = async (plural: string, cluster = false): Promise<string[]> => {
        const list = (
          cluster
            ? await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
            : await custom.listNamespacedCustomObject({
                group: GROUP,
                version: VERSION,
                namespace: ns,
                plural,
              })
        ) as { items: Manifest[] };
        return list.items.map((i) => i.metadata.name).sort();
      };
      assert.deepEqual(await listNames('rollouts'), [...expected.get('Rollout')!].sort());
      assert.deepEqual(
        await listNames('analysistemplates'),
        [...expected.get('AnalysisTemplate')!].sort(),
      );
      const cats = await listNames('clusteranalysistemplates', true);
      for (const n of expected.get('ClusterAnalysisTemplate')!) assert.ok(cats.includes(n), n);
      const svcs = (await core.listNamespacedService({ namespace: ns })).items.map(
        (s) => s.metadata?.name ?? '',
      );
      assert.deepEqual(svcs.sort(), [...expected.get('Service')!].sort());
      const net = target.kc.makeApiClient(NetworkingV1Api);
      const ings = (await net.listNamespacedIngress({ namespace: ns })).items.map(
        (i) => i.metadata?.name ?? '',
      );
      assert.deepEqual(ings.sort(), [...expected.get('Ingress')!].sort());

      // The deprecated field was pruned, not stored; later files re-applied canary-demo.
      const demo = await readRollout(ns, 'canary-demo');
      const canary = (demo.spec.strategy as { canary?: { analysis?: Record<string, unknown> } })
        .canary;
      assert.equal(canary?.analysis?.templateName, undefined);
    });

    it('get rollouts / ro / -A / ro,svc print the CRD columns', async () => {
      const ns = await target.namespace('get');
      await applyRollout(ns, rollout('demo-a', 2));
      await applyRollout(ns, rollout('demo-b', 3));
      ok(await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('demo-svc', 80))), 'svc');

      for (const what of ['rollouts', 'ro', 'rollout', 'rollouts.argoproj.io']) {
        const out = lines(ok(await k(['get', what, '-n', ns]), `get ${what}`));
        assert.deepEqual(out[0], ['NAME', 'DESIRED', 'CURRENT', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
        assert.equal(out.length, 3, `one row per rollout: ${JSON.stringify(out)}`);
        const rows = new Map(out.slice(1).map((r) => [r[0], r]));
        // A new Rollout has no status: CURRENT, UP-TO-DATE and AVAILABLE print blank.
        assert.equal(rows.get('demo-a')?.[1], '2');
        assert.equal(rows.get('demo-b')?.[1], '3');
        for (const r of rows.values()) {
          assert.equal(r.length, 3, `name, desired, age: ${r.join(' ')}`);
          assert.match(r[2]!, AGE);
        }
      }

      const all = lines(ok(await k(['get', 'ro', '-A']), 'get ro -A'));
      assert.deepEqual(all[0], [
        'NAMESPACE',
        'NAME',
        'DESIRED',
        'CURRENT',
        'UP-TO-DATE',
        'AVAILABLE',
        'AGE',
      ]);
      const mine = all.filter((r) => r[0] === ns).map((r) => r[1]);
      assert.deepEqual(mine.sort(), ['demo-a', 'demo-b']);

      const mixed = ok(await k(['get', 'ro,svc', '-n', ns]), 'get ro,svc');
      assert.match(mixed, /^rollout\.argoproj\.io\/demo-a\s+2\s/m);
      assert.match(mixed, /^rollout\.argoproj\.io\/demo-b\s+3\s/m);
      assert.match(mixed, /^service\/demo-svc\s+ClusterIP\s/m);
      assert.match(mixed, /80\/TCP/);

      const names = ok(await k(['get', 'ro', '-n', ns, '-o', 'name']), 'get -o name');
      assert.deepEqual(names.trim().split('\n').sort(), [
        'rollout.argoproj.io/demo-a',
        'rollout.argoproj.io/demo-b',
      ]);

      const labelled = lines(
        ok(await k(['get', 'ro', '-n', ns, '--show-labels']), 'get --show-labels'),
      );
      assert.equal(labelled[0]?.at(-1), 'LABELS');
    });

    it('get ro x -o yaml and -o jsonpath print the object', async () => {
      const ns = await target.namespace('get');
      await applyRollout(ns, rollout('demo', 4));
      const doc = yaml.load(ok(await k(['get', 'ro', 'demo', '-n', ns, '-o', 'yaml']), 'yaml'), {
        schema: yaml.CORE_SCHEMA,
      }) as RolloutObj & {
        metadata: { annotations?: Record<string, string>; creationTimestamp?: string };
      };
      assert.equal(doc.apiVersion, 'argoproj.io/v1alpha1');
      assert.equal(doc.kind, 'Rollout');
      assert.equal(doc.metadata.name, 'demo');
      assert.equal(doc.metadata.namespace, ns);
      assert.equal(doc.spec.replicas, 4);
      assert.ok(doc.metadata.uid);
      assert.ok(doc.metadata.resourceVersion);
      assert.ok(doc.metadata.creationTimestamp);
      assert.ok(doc.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);

      const jp = await k(['get', 'ro', 'demo', '-n', ns, '-o', 'jsonpath={.spec.replicas}']);
      assert.equal(ok(jp, 'jsonpath'), '4');
      const jp2 = await k([
        'get',
        'ro',
        '-n',
        ns,
        '-o',
        'jsonpath={.items[*].metadata.name} {.kind}',
      ]);
      assert.equal(ok(jp2, 'jsonpath list'), 'demo List');

      const list = yaml.load(ok(await k(['get', 'ro', '-n', ns, '-o', 'yaml']), 'list yaml'), {
        schema: yaml.CORE_SCHEMA,
      }) as { kind: string; apiVersion: string; items: RolloutObj[] };
      assert.equal(list.kind, 'List');
      assert.equal(list.apiVersion, 'v1');
      assert.deepEqual(
        list.items.map((i) => i.metadata.name),
        ['demo'],
      );
    });

    it('get ro -w prints a new row when the rollout changes', async () => {
      const ns = await target.namespace('watch');
      await applyRollout(ns, rollout('watched', 2));
      const w = kubectlStream(['get', 'ro', '-n', ns, '-w'], {
        kubeconfig: target.kubeconfigPath,
        cacheDir: target.tmpDir,
      });
      try {
        const rowsFor = (): string[][] => lines(w.output()).filter((r) => r[0] === 'watched');
        await eventually(() => rowsFor().length >= 1, 'the first row', 30_000);
        assert.match(w.output(), /NAME\s+DESIRED\s+CURRENT\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
        assert.equal(w.child.exitCode, null, 'kubectl is still watching');
        await custom.patchNamespacedCustomObject(
          {
            group: GROUP,
            version: VERSION,
            namespace: ns,
            plural: 'rollouts',
            name: 'watched',
            body: { spec: { replicas: 7 } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        const rows = await eventually(
          () => (rowsFor().length >= 2 ? rowsFor() : undefined),
          'a second row',
          30_000,
        );
        assert.equal(rows[0]?.[1], '2');
        assert.equal(rows.at(-1)?.[1], '7');
        assert.equal(w.child.exitCode, null, 'the watch stays open');
      } finally {
        w.child.kill();
      }
    });

    it('get ro x -w (one object) sees the first change too', async () => {
      // kubectl drops the first event of a single-object watch, expecting the server's
      // synthetic ADDED for resourceVersion=0 (kubectl-wire.md §3.4).
      const ns = await target.namespace('watch');
      await applyRollout(ns, rollout('single', 2));
      await applyRollout(ns, rollout('bystander', 1));
      const w = kubectlStream(['get', 'ro', 'single', '-n', ns, '-w'], {
        kubeconfig: target.kubeconfigPath,
        cacheDir: target.tmpDir,
      });
      try {
        const rowsFor = (name: string): string[][] =>
          lines(w.output()).filter((r) => r[0] === name);
        await eventually(() => rowsFor('single').length >= 1, 'the first row', 30_000);
        const patch = (name: string, replicas: number) =>
          custom.patchNamespacedCustomObject(
            {
              group: GROUP,
              version: VERSION,
              namespace: ns,
              plural: 'rollouts',
              name,
              body: { spec: { replicas } },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        await patch('bystander', 9);
        await patch('single', 6);
        const rows = await eventually(
          () => (rowsFor('single').length >= 2 ? rowsFor('single') : undefined),
          'a row for the first change',
          30_000,
        );
        assert.equal(rows.at(-1)?.[1], '6');
        assert.deepEqual(rowsFor('bystander'), [], 'only the named object is watched');
      } finally {
        w.child.kill();
      }
    });

    it('describe rollout lists its own Events and no other object’s', async () => {
      const ns = await target.namespace('describe');
      await applyRollout(ns, rollout('described'));
      await applyRollout(ns, rollout('other'));
      const mine = await readRollout(ns, 'described');
      const other = await readRollout(ns, 'other');
      const now = new Date();
      const event = (name: string, obj: RolloutObj, reason: string, message: string) =>
        core.createNamespacedEvent({
          namespace: ns,
          body: {
            metadata: { name },
            involvedObject: {
              apiVersion: `${GROUP}/${VERSION}`,
              kind: 'Rollout',
              name: obj.metadata.name,
              namespace: ns,
              uid: obj.metadata.uid,
            },
            reason,
            message,
            type: 'Normal',
            source: { component: 'conformance-test' },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        });
      await event('described.1', mine, 'ConformanceMine', 'event for the described rollout');
      await event('other.1', other, 'ConformanceOther', 'event for another rollout');

      const out = ok(await k(['describe', 'rollout', 'described', '-n', ns]), 'describe');
      assert.match(out, /^Name:\s+described$/m);
      assert.match(out, /^Namespace:\s+/m);
      assert.match(out, /^Kind:\s+Rollout$/m);
      assert.match(out, /^Events:/m);
      assert.match(
        out,
        /Normal\s+ConformanceMine\s+\S+\s+conformance-test\s+event for the described rollout/,
      );
      assert.doesNotMatch(out, /ConformanceOther|another rollout/);
    });

    it('explain rollout.spec.strategy.canary.steps prints the CRD description', async () => {
      const crd = yaml.load(readFileSync(new URL('rollout-crd.yaml', CRD_DIR), 'utf8'), {
        schema: yaml.CORE_SCHEMA,
      }) as {
        spec: {
          versions: {
            schema: {
              openAPIV3Schema: {
                properties: {
                  spec: {
                    properties: {
                      strategy: {
                        properties: {
                          canary: { properties: { steps: { description: string } } };
                        };
                      };
                    };
                  };
                };
              };
            };
          }[];
        };
      };
      const description =
        crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.strategy.properties
          .canary.properties.steps.description;
      const out = ok(await k(['explain', 'rollout.spec.strategy.canary.steps']), 'explain');
      assert.match(out, /^GROUP:\s+argoproj\.io$/m);
      assert.match(out, /^KIND:\s+Rollout$/m);
      assert.match(out, /^VERSION:\s+v1alpha1$/m);
      assert.match(out, /^FIELD:\s+steps <\[\]Object>$/m);
      assert.ok(
        out.replace(/\s+/g, ' ').includes(description.replace(/\s+/g, ' ')),
        `the description: ${out}`,
      );
      assert.match(out, /^FIELDS:$/m);
      assert.match(out, /^\s+setWeight\s+<integer>$/m);

      const top = ok(await k(['explain', 'ro']), 'explain ro');
      assert.match(top, /Rollout is a specification for a Rollout resource/);
      assert.match(top, /^\s+spec\s+<Object> -required-$/m);
      assert.match(top, /^\s+metadata\s+<ObjectMeta>$/m);
    });

    it('patch: strategic is refused with 415 on a CR, merge and json work', async () => {
      const ns = await target.namespace('patch');
      await applyRollout(ns, rollout('p', 2));
      const smp = await k(['patch', 'ro', 'p', '-n', ns, '-p', '{"spec":{"replicas":3}}']);
      assert.equal(smp.code, 1);
      assert.equal(
        smp.stderr.trim(),
        'error: application/strategic-merge-patch+json is not supported by argoproj.io/v1alpha1, Kind=Rollout: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
      assert.equal((await readRollout(ns, 'p')).spec.replicas, 2);

      const merge = await k([
        'patch',
        'ro',
        'p',
        '-n',
        ns,
        '--type',
        'merge',
        '-p',
        '{"spec":{"replicas":3}}',
      ]);
      assert.equal(ok(merge, 'merge patch').trim(), 'rollout.argoproj.io/p patched');
      assert.equal((await readRollout(ns, 'p')).spec.replicas, 3);

      const json = await k([
        'patch',
        'ro',
        'p',
        '-n',
        ns,
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/replicas","value":4}]',
      ]);
      assert.equal(ok(json, 'json patch').trim(), 'rollout.argoproj.io/p patched');
      assert.equal((await readRollout(ns, 'p')).spec.replicas, 4);

      const same = await k([
        'patch',
        'ro',
        'p',
        '-n',
        ns,
        '--type',
        'merge',
        '-p',
        '{"spec":{"replicas":4}}',
      ]);
      assert.equal(ok(same, 'no-op patch').trim(), 'rollout.argoproj.io/p patched (no change)');

      const status = await k([
        'patch',
        'ro',
        'p',
        '-n',
        ns,
        '--subresource',
        'status',
        '--type',
        'merge',
        '-p',
        '{"status":{"replicas":4,"availableReplicas":4}}',
      ]);
      assert.equal(ok(status, 'status patch').trim(), 'rollout.argoproj.io/p patched');
      const row = lines(ok(await k(['get', 'ro', 'p', '-n', ns]), 'get')).at(-1);
      assert.deepEqual(row?.slice(0, 2), ['p', '4']);
      assert.equal(row?.[2], '4', 'CURRENT from .status.replicas');
    });

    it('delete ro x prints "deleted" and the object is gone', async () => {
      const ns = await target.namespace('delete');
      await applyRollout(ns, rollout('gone'));
      const del = await k(['delete', 'ro', 'gone', '-n', ns]);
      assert.equal(ok(del, 'delete').trim(), 'rollout.argoproj.io "gone" deleted');
      assert.equal(await rolloutStatusCode(ns, 'gone'), 404);
      const get = await k(['get', 'ro', 'gone', '-n', ns]);
      assert.equal(get.code, 1);
      assert.equal(
        get.stderr.trim(),
        'Error from server (NotFound): rollouts.argoproj.io "gone" not found',
      );
      const again = await k(['delete', 'ro', 'gone', '-n', ns]);
      assert.equal(again.code, 1);
      assert.match(
        again.stderr,
        /Error from server \(NotFound\): rollouts\.argoproj\.io "gone" not found/,
      );
      ok(await k(['delete', 'ro', 'gone', '-n', ns, '--ignore-not-found']), '--ignore-not-found');
    });

    it('get ro nope is a NotFound error', async () => {
      const ns = await target.namespace('nf');
      const r = await k(['get', 'ro', 'nope', '-n', ns]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr.trim(),
        'Error from server (NotFound): rollouts.argoproj.io "nope" not found',
      );
      const empty = await k(['get', 'ro', '-n', ns]);
      assert.equal(empty.code, 0);
      assert.equal(empty.stdout, '');
      assert.equal(empty.stderr.trim(), `No resources found in ${ns} namespace.`);
    });

    it('create -f twice is AlreadyExists; replace -f with a stale resourceVersion is a Conflict', async () => {
      const ns = await target.namespace('create');
      const file = join(target.tmpDir, `${ns}-rollout.json`);
      writeFileSync(file, JSON.stringify(rollout('dup', 1)));
      const first = await k(['create', '-n', ns, '-f', file]);
      assert.equal(ok(first, 'create').trim(), 'rollout.argoproj.io/dup created');
      const second = await k(['create', '-n', ns, '-f', file]);
      assert.equal(second.code, 1);
      assert.equal(
        second.stderr.trim(),
        `Error from server (AlreadyExists): error when creating "${file}": rollouts.argoproj.io "dup" already exists`,
      );

      const live = await readRollout(ns, 'dup');
      const staleRv = live.metadata.resourceVersion;
      assert.ok(staleRv);
      ok(await k(['scale', 'ro', 'dup', '-n', ns, '--replicas', '2']), 'scale');

      const staleFile = join(target.tmpDir, `${ns}-stale.json`);
      const stale = rollout('dup', 5);
      stale.metadata.resourceVersion = staleRv;
      writeFileSync(staleFile, JSON.stringify(stale));
      const conflict = await k(['replace', '-n', ns, '-f', staleFile]);
      assert.equal(conflict.code, 1);
      assert.equal(
        conflict.stderr.trim(),
        `Error from server (Conflict): error when replacing "${staleFile}": Operation cannot be fulfilled on rollouts.argoproj.io "dup": the object has been modified; please apply your changes to the latest version and try again`,
      );
      assert.equal((await readRollout(ns, 'dup')).spec.replicas, 2);

      // Without a resourceVersion, replace takes the live one and succeeds.
      writeFileSync(file, JSON.stringify(rollout('dup', 6)));
      const replaced = await k(['replace', '-n', ns, '-f', file]);
      assert.equal(ok(replaced, 'replace').trim(), 'rollout.argoproj.io/dup replaced');
      assert.equal((await readRollout(ns, 'dup')).spec.replicas, 6);
    });

    it('apply of a built-in Service: port 80 → 81 leaves only port 81', async () => {
      const ns = await target.namespace('svc');
      const first = await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('web', 80)));
      assert.equal(ok(first, 'apply 80').trim(), 'service/web created');
      const second = await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('web', 81)));
      assert.equal(ok(second, 'apply 81').trim(), 'service/web configured');
      const svc = await core.readNamespacedService({ name: 'web', namespace: ns });
      assert.deepEqual(
        svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort, p.protocol]),
        [['http', 81, 8080, 'TCP']],
      );
      const third = await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('web', 81)));
      assert.equal(ok(third, 'apply again').trim(), 'service/web unchanged');

      // A CR update through apply (a JSON merge patch) keeps working too.
      await applyRollout(ns, rollout('web', 1));
      const ro = await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(rollout('web', 2)));
      assert.equal(ok(ro, 'apply rollout').trim(), 'rollout.argoproj.io/web configured');
      assert.equal((await readRollout(ns, 'web')).spec.replicas, 2);
    });

    it('apply --dry-run=server validates but does not store', async () => {
      const ns = await target.namespace('dry');
      const r = await k(
        ['apply', '--dry-run=server', '-n', ns, '-f', '-'],
        JSON.stringify(rollout('dry', 2)),
      );
      assert.equal(
        ok(r, 'dry-run create').trim(),
        'rollout.argoproj.io/dry created (server dry run)',
      );
      assert.equal(await rolloutStatusCode(ns, 'dry'), 404);

      await applyRollout(ns, rollout('dry', 2));
      const u = await k(
        ['apply', '--dry-run=server', '-n', ns, '-f', '-'],
        JSON.stringify(rollout('dry', 9)),
      );
      assert.equal(
        ok(u, 'dry-run update').trim(),
        'rollout.argoproj.io/dry configured (server dry run)',
      );
      assert.equal((await readRollout(ns, 'dry')).spec.replicas, 2);

      const bad = rollout('dry', 2);
      bad.spec.replicas = 'two' as unknown as number;
      const invalid = await k(
        ['apply', '--dry-run=server', '-n', ns, '-f', '-'],
        JSON.stringify(bad),
      );
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /The Rollout "dry" is invalid: spec\.replicas: Invalid value/);
    });

    it('get all lists kinds in the "all" category, which Argo’s Rollout CRD is not in', async () => {
      const ns = await target.namespace('all');
      await applyRollout(ns, rollout('argo'));
      ok(await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('argo', 80))), 'svc');

      // Argo's CRD declares no `categories`, so kube-apiserver leaves Rollouts out of "all".
      const plain = ok(await k(['get', 'all', '-n', ns]), 'get all');
      assert.match(plain, /^service\/argo\s/m);
      assert.doesNotMatch(plain, /rollout\.argoproj\.io/);

      // A CRD that declares categories: ["all"] is included, as kubectl finds it in discovery.
      const group = `k${randomBytes(4).toString('hex')}.conformance.example.com`;
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `rollouts.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: {
            plural: 'rollouts',
            singular: 'rollout',
            kind: 'Rollout',
            categories: ['all'],
          },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      properties: { replicas: { type: 'integer' } },
                    },
                  },
                },
              },
              additionalPrinterColumns: [
                { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
              ],
            },
          ],
        },
      };
      ok(await k(['apply', '-f', '-'], JSON.stringify(crd)), 'apply categorized CRD');
      cleanup.push(() => k(['delete', 'crd', `rollouts.${group}`, '--wait=false']));
      const obj = {
        apiVersion: `${group}/v1`,
        kind: 'Rollout',
        metadata: { name: 'categorized' },
        spec: { replicas: 3 },
      };
      await eventually(
        async () => (await k(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj))).code === 0,
        'an object of the categorized CRD applied',
        30_000,
        200,
      );
      const withCategory = ok(await k(['get', 'all', '-n', ns]), 'get all');
      assert.match(
        withCategory,
        new RegExp(`^rollout\\.${group.replace(/\./g, '\\.')}/categorized\\s+3\\s`, 'm'),
      );
      assert.match(withCategory, /^service\/argo\s/m);
    });
  });

  describe('kubectl 1.20', () => {
    const k120 = (args: string[], input?: string): Promise<KubectlResult> => {
      const cacheDir = join(target.tmpDir, 'kubectl-1.20');
      mkdirSync(cacheDir, { recursive: true });
      return kubectl(args, {
        bin: requireKubectl120(),
        kubeconfig: target.kubeconfigPath,
        cacheDir,
        ...(input !== undefined ? { input } : {}),
      });
    };

    it('apply -f creates and updates a Rollout and a Service; get ro prints the columns', async () => {
      const ns = await target.namespace('k120');
      const created = await k120(['apply', '-n', ns, '-f', '-'], JSON.stringify(rollout('old', 2)));
      assert.equal(ok(created, 'apply rollout').trim(), 'rollout.argoproj.io/old created');
      const updated = await k120(['apply', '-n', ns, '-f', '-'], JSON.stringify(rollout('old', 3)));
      assert.equal(ok(updated, 'apply rollout again').trim(), 'rollout.argoproj.io/old configured');
      assert.equal((await readRollout(ns, 'old')).spec.replicas, 3);
      const unchanged = await k120(
        ['apply', '-n', ns, '-f', '-'],
        JSON.stringify(rollout('old', 3)),
      );
      assert.equal(ok(unchanged, 'apply unchanged').trim(), 'rollout.argoproj.io/old unchanged');

      const svc = await k120(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('old', 80)));
      assert.equal(ok(svc, 'apply service').trim(), 'service/old created');
      const svc2 = await k120(['apply', '-n', ns, '-f', '-'], JSON.stringify(service('old', 81)));
      assert.equal(ok(svc2, 'apply service again').trim(), 'service/old configured');
      const live = await core.readNamespacedService({ name: 'old', namespace: ns });
      assert.deepEqual(
        live.spec?.ports?.map((p) => p.port),
        [81],
      );

      const out = lines(ok(await k120(['get', 'ro', '-n', ns]), 'get ro'));
      assert.deepEqual(out[0], ['NAME', 'DESIRED', 'CURRENT', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.equal(out.length, 2);
      assert.deepEqual(out[1]?.slice(0, 2), ['old', '3']);
      assert.match(out[1]?.at(-1) ?? '', AGE);

      const svcs = lines(ok(await k120(['get', 'svc', '-n', ns]), 'get svc'));
      assert.deepEqual(svcs[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.equal(svcs[1]?.[0], 'old');
      assert.match(svcs[1]?.[4] ?? '', /^81\/TCP$/);
    });
  });
});
