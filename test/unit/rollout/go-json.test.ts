import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalQuantity,
  goJsonAny,
  goJsonCanarySteps,
  goJsonMarshal,
  goJsonPodTemplateSpec,
  goJsonString,
  goTypedCanonical,
} from '../../../src/rollout/go-json.ts';

const NO_TS = { omitZeroCreationTimestamp: true };
const container = (c: Record<string, unknown>): string =>
  goJsonMarshal('Container', { name: 'c', ...c });

test('strings: <, > and & are escaped as \\u003c \\u003e \\u0026', () => {
  assert.equal(goJsonString('a<b>&c'), '"a\\u003cb\\u003e\\u0026c"');
});

test('strings: quotes, backslashes and control characters use Go escapes', () => {
  assert.equal(goJsonString('"\\'), '"\\"\\\\"');
  assert.equal(goJsonString('\n\r\t\b\f'), '"\\n\\r\\t\\b\\f"');
  assert.equal(goJsonString('\u0001\u001f'), '"\\u0001\\u001f"');
});

test('strings: U+2028/U+2029 escaped, other non-ASCII and DEL written raw', () => {
  assert.equal(goJsonString('\u2028\u2029'), '"\\u2028\\u2029"');
  assert.equal(goJsonString('é😀\u007f'), '"é😀\u007f"');
  assert.equal(goJsonString('x\ud800y'), '"x\ufffdy"');
});

test('template label values are escaped the Go way inside the serialisation', () => {
  const out = goJsonPodTemplateSpec(
    { metadata: { annotations: { cmd: 'a && b <c>' } }, spec: { containers: [] } },
    NO_TS,
  );
  assert.equal(
    out,
    '{"metadata":{"annotations":{"cmd":"a \\u0026\\u0026 b \\u003cc\\u003e"}},"spec":{"containers":[]}}',
  );
});

test('quantities are canonicalised like resource.Quantity', () => {
  const cases: [string | number, string][] = [
    ['0.5', '500m'],
    [0.5, '500m'],
    ['1000m', '1'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['2000', '2k'],
    ['100Mi', '100Mi'],
    ['0.1', '100m'],
    [1.5, '1500m'],
    ['0.0000000001', '1n'],
    ['0.5Ki', '512'],
    ['1000k', '1M'],
    ['0m', '0'],
    ['5m', '5m'],
    [2, '2'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, String(input));
});

test('quantities already in canonical form are kept verbatim (Go caches the input string)', () => {
  assert.equal(canonicalQuantity('1e3'), '1e3');
  assert.equal(canonicalQuantity('1.5e3'), '1500');
  assert.equal(canonicalQuantity('1.500'), '1.500');
  assert.equal(canonicalQuantity(' 250m '), '250m');
});

test('resources: "resources":{} always present, limits before requests, keys sorted', () => {
  assert.equal(container({}), '{"name":"c","resources":{}}');
  assert.equal(
    container({ resources: { requests: { memory: '1Gi', cpu: 0.5 }, limits: { cpu: '1000m' } } }),
    '{"name":"c","resources":{"limits":{"cpu":"1"},"requests":{"cpu":"500m","memory":"1Gi"}}}',
  );
});

test('PodTemplateSpec: metadata then spec, "creationTimestamp":null by default', () => {
  assert.equal(
    goJsonPodTemplateSpec({ spec: { containers: [{ name: 'a' }] } }),
    '{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"a","resources":{}}]}}',
  );
  assert.equal(
    goJsonPodTemplateSpec({}),
    '{"metadata":{"creationTimestamp":null},"spec":{"containers":null}}',
  );
});

test('ObjectMeta: creationTimestamp sits between generation and labels; null input = zero', () => {
  const t = {
    metadata: {
      labels: { a: 'b' },
      creationTimestamp: null,
      name: 'n',
      annotations: { x: 'y' },
    },
    spec: { containers: [] },
  };
  assert.equal(
    goJsonPodTemplateSpec(t),
    '{"metadata":{"name":"n","creationTimestamp":null,"labels":{"a":"b"},"annotations":{"x":"y"}},"spec":{"containers":[]}}',
  );
  assert.equal(
    goJsonPodTemplateSpec(t, NO_TS),
    '{"metadata":{"name":"n","labels":{"a":"b"},"annotations":{"x":"y"}},"spec":{"containers":[]}}',
  );
});

test('ObjectMeta: a set creationTimestamp is written in UTC at second precision', () => {
  const out = goJsonMarshal('ObjectMeta', { creationTimestamp: '2024-05-01T10:00:00.123+02:00' });
  assert.equal(out, '{"creationTimestamp":"2024-05-01T08:00:00Z"}');
});

test('map keys are sorted byte-wise (upper case before _ before lower case)', () => {
  const out = goJsonMarshal('ObjectMeta', { labels: { b: '1', B: '2', _: '3', a: '4' } }, NO_TS);
  assert.equal(out, '{"labels":{"B":"2","_":"3","a":"4","b":"1"}}');
});

test('Container fields come out in Go declaration order, not input or alphabetical order', () => {
  const out = container({
    tty: true,
    securityContext: { runAsNonRoot: true },
    imagePullPolicy: 'Always',
    volumeMounts: [{ mountPath: '/data', name: 'data', readOnly: true }],
    env: [{ value: 'v', name: 'K' }],
    ports: [{ protocol: 'TCP', containerPort: 8080, name: 'http' }],
    args: ['--x'],
    command: ['run'],
    image: 'img:1',
  });
  assert.equal(
    out,
    '{"name":"c","image":"img:1","command":["run"],"args":["--x"],' +
      '"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],' +
      '"env":[{"name":"K","value":"v"}],"resources":{},' +
      '"volumeMounts":[{"name":"data","readOnly":true,"mountPath":"/data"}],' +
      '"imagePullPolicy":"Always","securityContext":{"runAsNonRoot":true},"tty":true}',
  );
});

test('omitempty: "" / 0 / false / [] dropped; pointers to false, 0 and {} kept', () => {
  const out = container({
    image: '',
    stdin: false,
    command: [],
    workingDir: '',
    securityContext: { privileged: false, runAsUser: 0, capabilities: {} },
  });
  assert.equal(
    out,
    '{"name":"c","resources":{},"securityContext":{"capabilities":{},"privileged":false,"runAsUser":0}}',
  );
});

test('probes: handler inlined first, then timings; IntOrString port keeps its type', () => {
  assert.equal(
    goJsonMarshal('Probe', {
      periodSeconds: 5,
      httpGet: { scheme: 'HTTP', port: 'http', path: '/healthz' },
      initialDelaySeconds: 3,
    }),
    '{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":3,"periodSeconds":5}',
  );
  assert.equal(
    goJsonMarshal('Probe', { tcpSocket: { port: 8080 } }),
    '{"tcpSocket":{"port":8080}}',
  );
});

test('non-omitempty fields are always written: port 0, grpc service null, divisor "0"', () => {
  assert.equal(goJsonMarshal('TCPSocketAction', {}), '{"port":0}');
  assert.equal(goJsonMarshal('GRPCAction', { port: 9000 }), '{"port":9000,"service":null}');
  assert.equal(
    goJsonMarshal('EnvVar', {
      name: 'CPU',
      valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } },
    }),
    '{"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}}',
  );
});

test('env valueFrom keeps EnvVarSource order (fieldRef … secretKeyRef) with inlined name', () => {
  assert.equal(
    goJsonMarshal('EnvVar', {
      name: 'S',
      valueFrom: { secretKeyRef: { optional: true, key: 'k', name: 'sec' } },
    }),
    '{"name":"S","valueFrom":{"secretKeyRef":{"name":"sec","key":"k","optional":true}}}',
  );
});

test('volumes: VolumeSource fields inlined after the name', () => {
  assert.equal(
    goJsonMarshal('Volume', { configMap: { defaultMode: 420, name: 'cfg' }, name: 'config' }),
    '{"name":"config","configMap":{"name":"cfg","defaultMode":420}}',
  );
  assert.equal(
    goJsonMarshal('Volume', { name: 'p', projected: { defaultMode: 420 } }),
    '{"name":"p","projected":{"sources":null,"defaultMode":420}}',
  );
});

test('PodSpec: Go field order for scheduling and security fields', () => {
  const spec = {
    tolerations: [{ effect: 'NoSchedule', operator: 'Exists', key: 'k' }],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { app: 'a' } },
            },
            weight: 100,
          },
        ],
      },
    },
    securityContext: { fsGroup: 2000, runAsUser: 1000 },
    serviceAccountName: 'sa',
    nodeSelector: { zone: 'z1' },
    terminationGracePeriodSeconds: 30,
    containers: [{ name: 'a' }],
  };
  assert.equal(
    goJsonMarshal('PodSpec', spec),
    '{"containers":[{"name":"a","resources":{}}],"terminationGracePeriodSeconds":30,' +
      '"nodeSelector":{"zone":"z1"},"serviceAccountName":"sa",' +
      '"securityContext":{"runAsUser":1000,"fsGroup":2000},' +
      '"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":' +
      '[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"a"}},' +
      '"topologyKey":"kubernetes.io/hostname"}}]}},' +
      '"tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}]}',
  );
});

test('k8s version gating: 1.30 VolumeMount.recursiveReadOnly, 1.31 PodResourceClaim shape', () => {
  const vm = { name: 'v', mountPath: '/m', readOnly: true, recursiveReadOnly: 'Enabled' };
  assert.equal(goJsonMarshal('VolumeMount', vm), '{"name":"v","readOnly":true,"mountPath":"/m"}');
  assert.equal(
    goJsonMarshal('VolumeMount', vm, { k8sMinor: 30 }),
    '{"name":"v","readOnly":true,"recursiveReadOnly":"Enabled","mountPath":"/m"}',
  );
  assert.equal(goJsonMarshal('PodResourceClaim', { name: 'gpu' }), '{"name":"gpu","source":{}}');
  assert.equal(
    goJsonMarshal('PodResourceClaim', { name: 'gpu', resourceClaimName: 'x' }, { k8sMinor: 31 }),
    '{"name":"gpu","resourceClaimName":"x"}',
  );
});

test('CanaryStep: setWeight, pause duration as IntOrString, in Go field order', () => {
  assert.equal(
    goJsonCanarySteps([
      { pause: { duration: '1m' } },
      { pause: { duration: 30 } },
      { setWeight: 0 },
    ]),
    '[{"pause":{"duration":"1m"}},{"pause":{"duration":30}},{"setWeight":0}]',
  );
  assert.equal(goJsonCanarySteps(undefined), 'null');
});

test('CanaryStep: analysis always carries the non-pointer analysisRunMetadata struct', () => {
  assert.equal(
    goJsonCanarySteps([
      { analysis: { args: [{ value: 'x', name: 'svc' }], templates: [{ templateName: 'ok' }] } },
    ]),
    '[{"analysis":{"templates":[{"templateName":"ok"}],"args":[{"name":"svc","value":"x"}],"analysisRunMetadata":{}}}]',
  );
});

test('CanaryStep: experiment templates keep required fields and the metadata struct', () => {
  assert.equal(
    goJsonCanarySteps([
      {
        experiment: {
          duration: '5m',
          templates: [{ specRef: 'canary', name: 'c', replicas: 1 }],
          analyses: [{ templateName: 't', name: 'a', requiredForCompletion: true }],
        },
      },
    ]),
    '[{"experiment":{"templates":[{"name":"c","specRef":"canary","replicas":1,"metadata":{}}],' +
      '"duration":"5m","analyses":[{"name":"a","templateName":"t","requiredForCompletion":true}],' +
      '"analysisRunMetadata":{}}}]',
  );
});

test('CanaryStep: setCanaryScale, setHeaderRoute, setMirrorRoute and plugin', () => {
  assert.equal(
    goJsonCanarySteps([
      { setCanaryScale: { matchTrafficWeight: true, replicas: 2, weight: 10 } },
      { setHeaderRoute: { match: [{ headerValue: { exact: 'on' }, headerName: 'X' }], name: 'h' } },
      { setMirrorRoute: { percentage: 50, name: 'm', match: [{ path: { prefix: '/' } }] } },
      { plugin: { config: { z: 1, a: { y: '<', b: [true] } }, name: 'step/x' } },
    ]),
    '[{"setCanaryScale":{"weight":10,"replicas":2,"matchTrafficWeight":true}},' +
      '{"setHeaderRoute":{"name":"h","match":[{"headerName":"X","headerValue":{"exact":"on"}}]}},' +
      '{"setMirrorRoute":{"name":"m","match":[{"path":{"prefix":"/"}}],"percentage":50}},' +
      '{"plugin":{"name":"step/x","config":{"a":{"b":[true],"y":"\\u003c"},"z":1}}}]',
  );
});

test('goJsonAny: sorted keys, Go escaping and number formatting', () => {
  assert.equal(
    goJsonAny({ b: 1.5, a: [1e21, 1e-7, null], c: 'é&' }),
    '{"a":[1e+21,1e-7,null],"b":1.5,"c":"é\\u0026"}',
  );
});

test('goTypedCanonical: absent, zero and empty are the same; quantities compare by value', () => {
  const a = goTypedCanonical('Container', {
    name: 'c',
    stdin: false,
    env: [],
    resources: { requests: { cpu: '0.5', memory: '1Gi' } },
  });
  const b = goTypedCanonical('Container', {
    name: 'c',
    resources: { requests: { cpu: '500m', memory: 1073741824 } },
    unknown: 1,
  });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    goTypedCanonical('SecurityContext', { privileged: false }),
    goTypedCanonical('SecurityContext', {}),
  );
});
