import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import {
  fnv1a32,
  hashGoJson,
  podTemplateHash,
  rolloutStepHash,
  safeEncode,
  stepsHash,
} from '../../../src/rollout/hash.ts';

const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);

type Template = {
  metadata: { labels: Record<string, string> };
  spec: { containers: Record<string, unknown>[] };
};

function fixtureTemplate(path: string): Template {
  const doc = yaml.load(readFileSync(new URL(path, FIXTURES), 'utf8')) as {
    spec: { template: Template };
  };
  return doc.spec.template;
}

function withImage(t: Template, image: string): Template {
  const copy = structuredClone(t);
  copy.spec.containers[0]!.image = image;
  return copy;
}

const SPEC_BYTES =
  '{"metadata":{"labels":{"app":"demo"}},"spec":{"containers":[{"name":"demo","image":"nginx:1.25","resources":{}}]}}';
const demo = {
  metadata: { labels: { app: 'demo' } },
  spec: { containers: [{ name: 'demo', image: 'nginx:1.25' }] },
};
// argo-rollouts utils/hash/hash_test.go generatePodTemplate("red")
const argoRed = {
  metadata: { labels: { name: 'red' } },
  spec: {
    containers: [
      {
        name: 'red',
        image: 'red',
        imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log',
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
  },
};

test('fnv1a32 matches the reference FNV-1a values', () => {
  const enc = new TextEncoder();
  assert.equal(fnv1a32(new Uint8Array()), 0x811c9dc5);
  assert.equal(fnv1a32(enc.encode('a')), 0xe40c292c);
  assert.equal(fnv1a32(enc.encode('foobar')), 0xbf9cf968);
  assert.equal(fnv1a32(enc.encode(SPEC_BYTES)), 1201592258);
});

test('safeEncode maps digits 0-9 to 4 5 6 7 8 9 b c d f', () => {
  assert.equal(safeEncode('0123456789'), '456789bcdf');
  assert.equal(safeEncode(1201592258), '56459f669d');
});

test('§5.1 byte vector: FNV + safe encoding', () => {
  assert.equal(hashGoJson(SPEC_BYTES), '56459f669d');
});

test('§5.1 byte vector with collisionCount 0 and 1 (count 0 differs from absent)', () => {
  assert.equal(hashGoJson(SPEC_BYTES, 0), '5c89bbfb78');
  assert.equal(hashGoJson(SPEC_BYTES, 1), '77567764bc');
  assert.notEqual(hashGoJson(SPEC_BYTES, 0), hashGoJson(SPEC_BYTES));
});

test('negative collisionCount is written as uint32 like Go', () => {
  assert.match(hashGoJson(SPEC_BYTES, -1), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(hashGoJson(SPEC_BYTES, -1), hashGoJson(SPEC_BYTES, 0xffffffff));
});

test('podTemplateHash reproduces the §5.1 vectors when creationTimestamp is omitted', () => {
  const opts = { omitZeroCreationTimestamp: true };
  assert.equal(podTemplateHash(demo, undefined, opts), '56459f669d');
  assert.equal(podTemplateHash(demo, 0, opts), '5c89bbfb78');
  assert.equal(podTemplateHash(demo, 1, opts), '77567764bc');
});

test('podTemplateHash defaults to argo-rollouts v1.8 bytes ("creationTimestamp":null)', () => {
  const withNull =
    '{"metadata":{"creationTimestamp":null,"labels":{"app":"demo"}},"spec":{"containers":[{"name":"demo","image":"nginx:1.25","resources":{}}]}}';
  assert.equal(podTemplateHash(demo), hashGoJson(withNull));
  assert.notEqual(podTemplateHash(demo), '56459f669d');
});

test('argo-rollouts hash_test.go: generatePodTemplate("red") hashes to 7bb4fbc896', () => {
  assert.equal(podTemplateHash(argoRed), '7bb4fbc896');
  assert.equal(podTemplateHash(structuredClone(argoRed)), '7bb4fbc896');
});

test('argo-rollouts hash_test.go: a collision count changes the hash', () => {
  assert.notEqual(podTemplateHash(argoRed, 1), podTemplateHash(argoRed));
});

test('getting-started rollout hashes to the RS name in the Argo docs (rollouts-demo-687d76d795)', () => {
  const t = fixtureTemplate('argo-rollouts/getting-started/basic/rollout.yaml');
  assert.equal(podTemplateHash(t), '687d76d795');
});

test('getting-started image updates hash to the revisions shown in the Argo docs', () => {
  const t = fixtureTemplate('argo-rollouts/getting-started/basic/rollout.yaml');
  const expected: Record<string, string> = {
    yellow: '6cf78c66c5',
    green: '7d9c645dbb',
    red: '5747959bdb',
    purple: '6bb9cbc957',
  };
  for (const [color, hash] of Object.entries(expected)) {
    assert.equal(podTemplateHash(withImage(t, `argoproj/rollouts-demo:${color}`)), hash, color);
  }
});

test('blue-green demo hashes to bluegreen-demo-7d6459646d / -fbc7b7f55 from the tutorials', () => {
  const t = fixtureTemplate('rollouts-demo/blue-green/bluegreen-rollout.yaml');
  assert.equal(podTemplateHash(t), '7d6459646d');
  assert.equal(podTemplateHash(withImage(t, 'argoproj/rollouts-demo:green')), 'fbc7b7f55');
});

test('the same template written with keys in another order hashes the same', () => {
  const t = fixtureTemplate('argo-rollouts/getting-started/basic/rollout.yaml');
  const reordered = {
    spec: {
      containers: [
        {
          resources: { requests: { cpu: '5m', memory: '32Mi' } },
          ports: [{ protocol: 'TCP', containerPort: 8080, name: 'http' }],
          image: 'argoproj/rollouts-demo:blue',
          name: 'rollouts-demo',
        },
      ],
    },
    metadata: { labels: { app: 'rollouts-demo' } },
  };
  assert.equal(podTemplateHash(reordered), podTemplateHash(t));
  assert.equal(podTemplateHash(reordered), '687d76d795');
});

test('fields unknown to the Go structs do not change the hash', () => {
  const t = fixtureTemplate('argo-rollouts/getting-started/basic/rollout.yaml');
  const extra = structuredClone(t) as Template & { bogus?: unknown };
  extra.bogus = 1;
  extra.spec.containers[0]!.notAField = 'x';
  assert.equal(podTemplateHash(extra), '687d76d795');
});

test('equivalent quantities written differently hash the same (0.005 = 5m)', () => {
  const t = fixtureTemplate('argo-rollouts/getting-started/basic/rollout.yaml');
  const c = structuredClone(t);
  c.spec.containers[0]!.resources = { requests: { memory: '32Mi', cpu: 0.005 } };
  assert.equal(podTemplateHash(c), '687d76d795');
});

test('fields newer than the k8s 1.29 library are ignored by default, hashed with k8sMinor 30', () => {
  const base = structuredClone(demo) as { spec: { containers: Record<string, unknown>[] } };
  const withArmor = structuredClone(base);
  withArmor.spec.containers[0]!.securityContext = { appArmorProfile: { type: 'RuntimeDefault' } };
  const empty = structuredClone(base);
  empty.spec.containers[0]!.securityContext = {};
  assert.equal(podTemplateHash(withArmor), podTemplateHash(empty));
  assert.notEqual(
    podTemplateHash(withArmor, undefined, { k8sMinor: 30 }),
    podTemplateHash(empty, undefined, { k8sMinor: 30 }),
  );
});

test('§5.2: absent steps hash as null → 5ffbfbbd64', () => {
  assert.equal(stepsHash(undefined), '5ffbfbbd64');
  assert.equal(stepsHash(null), '5ffbfbbd64');
  assert.equal(hashGoJson('null'), '5ffbfbbd64');
});

test('§5.2: [{"setWeight":20},{"pause":{}}] → 54649b9f5c', () => {
  assert.equal(stepsHash([{ setWeight: 20 }, { pause: {} }]), '54649b9f5c');
});

test('an explicit empty step list is a non-nil Go slice: [] → 5f8cb5778f', () => {
  assert.equal(stepsHash([]), hashGoJson('[]'));
  assert.equal(stepsHash([]), '5f8cb5778f');
});

test('step hash ignores key order and unknown fields', () => {
  const a = [{ setWeight: 20 }, { pause: { duration: '1m' } }];
  const b = [{ setWeight: 20, unknown: true }, { pause: { extra: 1, duration: '1m' } }];
  assert.equal(stepsHash(a), stepsHash(b));
});

test('pause duration keeps its IntOrString type (10 vs "10" differ)', () => {
  assert.notEqual(
    stepsHash([{ pause: { duration: 10 } }]),
    stepsHash([{ pause: { duration: '10' } }]),
  );
});

test('rolloutStepHash is empty for blue-green and missing canary, stepsHash otherwise', () => {
  assert.equal(rolloutStepHash({ strategy: { blueGreen: { activeService: 'a' } } }), '');
  assert.equal(rolloutStepHash({}), '');
  assert.equal(rolloutStepHash({ strategy: { canary: {} } }), '5ffbfbbd64');
  assert.equal(
    rolloutStepHash({ strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } }),
    '54649b9f5c',
  );
});
