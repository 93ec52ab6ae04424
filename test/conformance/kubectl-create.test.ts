// `kubectl create namespace|configmap|secret|serviceaccount …` go through client-go's typed
// clients, which send the object as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`)
// and do not retry as JSON on 415. The emulator decodes those four kinds (sim/http/protobuf.ts)
// and refuses any other protobuf kind with a 415 that says to send JSON. Runs against the
// emulator, or a real cluster when KUBECONFIG_CONFORMANCE is set.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectl, type KubectlResult } from '../support/kubectl.ts';
import { openTarget, REAL_CLUSTER, type Target } from '../support/target.ts';

interface Obj {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; uid?: string };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  type?: string;
  status?: { phase?: string };
}

function ok(r: KubectlResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe('kubectl create (protobuf request bodies)', () => {
  let target: Target;
  let cacheDir: string;
  const ns = `kcreate-${process.pid}-${Date.now() % 100000}`;

  const k = (args: string[]): Promise<KubectlResult> =>
    kubectl(args, { kubeconfig: target.kubeconfigPath, cacheDir });
  const getJson = async (args: string[]): Promise<Obj> =>
    JSON.parse(ok(await k(['get', ...args, '-o', 'json']), `get ${args.join(' ')}`)) as Obj;

  before(async () => {
    target = await openTarget();
    cacheDir = join(target.tmpDir, 'kube-cache');
    mkdirSync(cacheDir, { recursive: true });
  });

  after(async () => {
    if (target && REAL_CLUSTER) await k(['delete', 'namespace', ns, '--wait=false']);
    await target?.close();
  });

  it('kubectl create namespace', async () => {
    assert.equal(
      ok(await k(['create', 'namespace', ns]), 'create namespace').trim(),
      `namespace/${ns} created`,
    );
    const got = await getJson(['namespace', ns]);
    assert.equal(got.kind, 'Namespace');
    assert.equal(got.metadata.name, ns);
    assert.ok(got.metadata.uid, 'the server assigned a uid');
    assert.equal(got.status?.phase, 'Active');
  });

  it('kubectl create configmap --from-literal', async () => {
    assert.equal(
      ok(
        await k([
          'create',
          'configmap',
          'c',
          '--from-literal=a=1',
          '--from-literal=b=two words',
          '-n',
          ns,
        ]),
        'create configmap',
      ).trim(),
      'configmap/c created',
    );
    const got = await getJson(['configmap', 'c', '-n', ns]);
    assert.equal(got.metadata.namespace, ns);
    assert.deepEqual(got.data, { a: '1', b: 'two words' });
    assert.equal(got.binaryData, undefined);
  });

  it('kubectl create configmap --from-file with binary content (binaryData)', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]);
    const file = join(target.tmpDir, 'blob.bin');
    writeFileSync(file, bytes);
    ok(await k(['create', 'configmap', 'bin', `--from-file=blob=${file}`, '-n', ns]), 'create cm');
    const got = await getJson(['configmap', 'bin', '-n', ns]);
    assert.deepEqual(got.binaryData, { blob: bytes.toString('base64') });
    assert.equal(got.data, undefined);
  });

  it('kubectl create secret generic --from-literal (data is base64)', async () => {
    assert.equal(
      ok(
        await k(['create', 'secret', 'generic', 's', '--from-literal=p=q', '-n', ns]),
        'create secret',
      ).trim(),
      'secret/s created',
    );
    const got = await getJson(['secret', 's', '-n', ns]);
    assert.equal(got.type, 'Opaque');
    assert.deepEqual(got.data, { p: Buffer.from('q').toString('base64') });
    assert.equal(got.data?.p, 'cQ==');
  });

  it('kubectl create serviceaccount', async () => {
    assert.equal(
      ok(await k(['create', 'serviceaccount', 'sa', '-n', ns]), 'create serviceaccount').trim(),
      'serviceaccount/sa created',
    );
    const got = await getJson(['serviceaccount', 'sa', '-n', ns]);
    assert.equal(got.kind, 'ServiceAccount');
    assert.equal(got.metadata.name, 'sa');
    assert.equal(got.metadata.namespace, ns);
  });

  it('kubectl create of an existing object is a conflict, not a decoding error', async () => {
    const r = await k(['create', 'configmap', 'c', '--from-literal=a=2', '-n', ns]);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      'error: failed to create configmap: configmaps "c" already exists',
    );
  });

  it(
    'kubectl create deployment gets a 415 that says to send JSON',
    { skip: REAL_CLUSTER ? 'a real cluster decodes every protobuf kind' : false },
    async () => {
      const r = await k(['create', 'deployment', 'd', '--image=nginx', '-n', ns]);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(
        r.stderr,
        /protobuf request bodies are decoded only for Namespace, ConfigMap, Secret and ServiceAccount; send Deployment as JSON \(e\.g\. kubectl create … --dry-run=client -o yaml \| kubectl apply -f -\)/,
      );
    },
  );

  it(
    'a malformed protobuf body is a 400 with a JSON Status',
    { skip: REAL_CLUSTER ? 'emulator-only check of the raw HTTP answer' : false },
    async () => {
      const res = await fetch(`${target.sim!.url}/api/v1/namespaces/${ns}/configmaps`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
        body: Buffer.from('not protobuf'),
      });
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const status = (await res.json()) as { kind: string; reason: string; message: string };
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'BadRequest');
      assert.match(status.message, /k8s\\0 prefix/);
    },
  );
});
