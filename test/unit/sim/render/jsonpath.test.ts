import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  JsonPathSyntaxError,
  evalJsonPath,
  jsonPathResults,
} from '../../../../sim/render/jsonpath.ts';

const obj = {
  metadata: { name: 'demo', labels: { 'app.kubernetes.io/name': 'demo' } },
  spec: {
    replicas: 3,
    containers: [
      { name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'envoy:1.30' },
    ],
  },
  status: {
    replicas: 0,
    paused: false,
    conditions: [
      { type: 'Available', status: 'True', priority: 1 },
      { type: 'Ready', status: 'False', priority: 2 },
      { type: 'Progressing', status: 'True', priority: 3 },
    ],
  },
};

describe('evalJsonPath', () => {
  it('walks fields', () => {
    assert.equal(evalJsonPath(obj, '.spec.replicas'), 3);
    assert.equal(evalJsonPath(obj, '.metadata.name'), 'demo');
    assert.deepEqual(evalJsonPath(obj, '.metadata.labels'), { 'app.kubernetes.io/name': 'demo' });
  });

  it('keeps falsy values and tells them from missing ones', () => {
    assert.equal(evalJsonPath(obj, '.status.replicas'), 0);
    assert.equal(evalJsonPath(obj, '.status.paused'), false);
    assert.equal(evalJsonPath(obj, '.status.updatedReplicas'), undefined);
    assert.equal(evalJsonPath(obj, '.nope.deeper.still'), undefined);
    assert.equal(evalJsonPath({ status: null }, '.status.replicas'), undefined);
  });

  it('accepts the surrounding braces and a leading $', () => {
    assert.equal(evalJsonPath(obj, '{.spec.replicas}'), 3);
    assert.equal(evalJsonPath(obj, ' { .spec.replicas } '), 3);
    assert.equal(evalJsonPath(obj, '{$.spec.replicas}'), 3);
    assert.deepEqual(evalJsonPath(obj, '{.}'), obj);
  });

  it('indexes arrays, including from the end', () => {
    assert.equal(evalJsonPath(obj, '.spec.containers[0].image'), 'nginx:1.25');
    assert.equal(evalJsonPath(obj, '.spec.containers[1].name'), 'sidecar');
    assert.equal(evalJsonPath(obj, '.spec.containers[-1].name'), 'sidecar');
    assert.equal(evalJsonPath(obj, '.spec.containers[2].name'), undefined);
    assert.equal(evalJsonPath(obj, '.spec.containers[0].ports[0].containerPort'), 80);
  });

  it('returns the list for [*] and slices', () => {
    assert.deepEqual(evalJsonPath(obj, '.spec.containers[*].name'), ['app', 'sidecar']);
    assert.deepEqual(evalJsonPath(obj, '.spec.containers[*].ports[*].containerPort'), [80]);
    assert.deepEqual(evalJsonPath(obj, '.status.conditions[0:2].type'), ['Available', 'Ready']);
    assert.equal(evalJsonPath(obj, '.spec.missing[*].name'), undefined);
  });

  it('filters with == and !=, returning the first match', () => {
    assert.equal(evalJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status'), 'False');
    assert.equal(evalJsonPath(obj, ".status.conditions[?(@.type=='Available')].status"), 'True');
    assert.equal(evalJsonPath(obj, '.status.conditions[?(@.type == "Ready")].status'), 'False');
    assert.equal(evalJsonPath(obj, '.status.conditions[?(@.type!="Available")].type'), 'Ready');
    assert.equal(evalJsonPath(obj, '.status.conditions[?(@.type=="Nope")].status'), undefined);
  });

  it('filters with numeric comparisons and existence', () => {
    assert.equal(evalJsonPath(obj, '.status.conditions[?(@.priority>1)].type'), 'Ready');
    assert.equal(evalJsonPath(obj, '.status.conditions[?(@.priority<=1)].type'), 'Available');
    assert.equal(evalJsonPath(obj, '.spec.containers[?(@.ports)].name'), 'app');
    assert.deepEqual(jsonPathResults(obj, '.status.conditions[?(@.status=="True")].type'), [
      'Available',
      'Progressing',
    ]);
  });

  it('reads keys that contain dots through a quoted bracket', () => {
    assert.equal(evalJsonPath(obj, ".metadata.labels['app.kubernetes.io/name']"), 'demo');
  });

  it('rejects malformed paths without evaluating anything', () => {
    for (const bad of ['spec', '.a[', '.a[?(@.x==)]', '{.a', '.a..b', '.a[x]']) {
      assert.throws(() => evalJsonPath(obj, bad), JsonPathSyntaxError, bad);
    }
  });
});
